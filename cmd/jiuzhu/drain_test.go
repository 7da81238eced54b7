package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// validID makes a GB 11643 ID number for a birth date (yyyymmdd).
func validID(birth string) string {
	body := "330502" + birth + "123"
	weights := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range body {
		sum += int(c-'0') * weights[i]
	}
	return body + string("10X98765432"[sum%11])
}

func call(t *testing.T, method, url, token string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, url, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// residentWithApplication logs a resident in on the server at base, saves a
// household and opens a dibao application, returning the session token and
// the application's id.
func residentWithApplication(t *testing.T, base string) (token, appID string) {
	t.Helper()
	phone := "13912345678"
	if code, _ := call(t, http.MethodPost, base+"/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}); code != http.StatusAccepted {
		t.Fatalf("sms code: %d", code)
	}
	_, outbox := call(t, http.MethodGet, base+"/api/v1/dev/outbox?phone="+phone, "", nil)
	items, _ := outbox["items"].([]any)
	if len(items) == 0 {
		t.Fatal("no code in the outbox")
	}
	smsCode, _ := items[0].(map[string]any)["code"].(string)
	code, sess := call(t, http.MethodPost, base+"/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": smsCode})
	if code != http.StatusCreated {
		t.Fatalf("login: %d %v", code, sess)
	}
	token = sess["token"].(string)
	hh := map[string]any{"region_code": "330502001001", "address": "南门社区1幢", "hukou": "urban",
		"members": []map[string]any{{"name": "王五", "id_number": validID("19800101"), "relation": "self", "monthly_income": 50000}}}
	if code, body := call(t, http.MethodPut, base+"/api/v1/me/household", token, hh); code != http.StatusOK {
		t.Fatalf("household: %d %v", code, body)
	}
	code, appl := call(t, http.MethodPost, base+"/api/v1/applications", token, map[string]string{"program": "dibao", "reason": "失业"})
	if code != http.StatusCreated {
		t.Fatalf("application: %d %v", code, appl)
	}
	return token, appl["id"].(string)
}

// TestShutdownDrainsAnUploadInFlight starts a slow document upload, asks
// the server to stop while the phone is still sending, and checks that the
// upload completes and is kept: SIGTERM must not cut off a resident's
// photo half-way.
func TestShutdownDrainsAnUploadInFlight(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_SHUTDOWN_TIMEOUT": "20s"}
	base, stop, _ := startServe(t, vars)

	token, appID := residentWithApplication(t, base)

	// The multipart body is written slowly through a pipe.
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/applications/"+appID+"/documents", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	type result struct {
		status int
		body   string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		done <- result{status: resp.StatusCode, body: string(b)}
	}()
	if err := mw.WriteField("kind", "id_card"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "id.jpg")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the handler is now reading the body

	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(300 * time.Millisecond) // shutdown has begun and is waiting
	select {
	case err := <-stopped:
		t.Fatalf("the server stopped while an upload was in flight: %v", err)
	default:
	}
	if _, err := fw.Write(bytes.Repeat([]byte{0x55}, 64<<10)); err != nil {
		t.Fatal(err)
	}
	_ = mw.Close()
	_ = pw.Close()
	res := <-done
	if res.err != nil || res.status != http.StatusCreated {
		t.Fatalf("upload during shutdown: %d %q %v", res.status, res.body, res.err)
	}
	if !strings.Contains(res.body, `"sha256"`) {
		t.Fatalf("upload response: %s", res.body)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

// TestShutdownStopsWithinItsTimeout keeps an upload stuck half-way (the
// phone stops sending) while the server is asked to stop: serve must
// return within JIUZHU_SHUTDOWN_TIMEOUT, not after it.
func TestShutdownStopsWithinItsTimeout(t *testing.T) {
	const timeout = time.Second
	vars := map[string]string{"JIUZHU_DATA_DIR": t.TempDir(), "JIUZHU_SHUTDOWN_TIMEOUT": timeout.String()}
	base, stop, _ := startServe(t, vars)
	token, appID := residentWithApplication(t, base)

	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() })
	mw := multipart.NewWriter(pw)
	req, _ := http.NewRequest(http.MethodPost, base+"/api/v1/applications/"+appID+"/documents", pr)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	// A connection of its own: a reused idle one may be closed by the
	// shutdown before the server has read the request on it.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	go func() {
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
		}
	}()
	if err := mw.WriteField("kind", "id_card"); err != nil {
		t.Fatal(err)
	}
	fw, err := mw.CreateFormFile("file", "id.jpg")
	if err != nil {
		t.Fatal(err)
	}
	jpeg := append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x55}, 8<<10)...)
	if _, err := fw.Write(jpeg); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // as above: the handler is now reading the body
	start := time.Now()
	if err := stop(); err == nil {
		t.Error("shutdown with an abandoned upload reported no error")
	}
	if took := time.Since(start); took > timeout+250*time.Millisecond {
		t.Fatalf("shutdown took %v with JIUZHU_SHUTDOWN_TIMEOUT=%v", took, timeout)
	}
}

// TestShutdownBoundsDrainAndCloseTogether checks the whole stop, draining
// and closing the backends, fits in the timeout: a request that never ends
// is abandoned (its context cancelled) early enough, and a backend that is
// slow to close does not hold the process past the limit.
func TestShutdownBoundsDrainAndCloseTogether(t *testing.T) {
	const timeout = time.Second
	reqCtx, abandon := context.WithCancel(context.Background())
	defer abandon()
	entered := make(chan struct{})
	cancelled := make(chan struct{})
	srv := &http.Server{
		BaseContext: func(net.Listener) context.Context { return reqCtx },
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-r.Context().Done()
			close(cancelled)
		}),
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	go func() {
		if resp, err := http.Get("http://" + ln.Addr().String() + "/"); err == nil {
			resp.Body.Close()
		}
	}()
	<-entered

	release := make(chan struct{})
	defer close(release)
	slowClose := func() error {
		select {
		case <-release:
		case <-time.After(5 * timeout):
		}
		return nil
	}
	log := slog.New(slog.DiscardHandler)
	start := time.Now()
	err = shutdown(srv, timeout, abandon, slowClose, log)
	took := time.Since(start)
	if err == nil {
		t.Error("shutdown that abandoned a request and a backend reported no error")
	}
	if took > timeout+100*time.Millisecond {
		t.Fatalf("shutdown took %v with a timeout of %v", took, timeout)
	}
	select {
	case <-cancelled:
	case <-time.After(time.Second):
		t.Fatal("the abandoned request's context was not cancelled")
	}
}
