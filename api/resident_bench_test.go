package api_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// BenchmarkConcurrentUploads sends 20 uploads of 10 MiB (the default
// limit) at once through the router on the embedded backends and reports
// how much the resident set grows: uploads stream to disk, so the growth
// must stay under 32 MiB however large the files are.
func BenchmarkConcurrentUploads(b *testing.B) {
	const (
		uploads  = 20
		fileSize = 10 << 20
		target   = 32 << 20
	)
	env := apitest.New(b, "embedded")
	var peakGrowth, rssGrowth float64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		type slot struct{ token, app string }
		slots := make([]slot, uploads)
		for j := range slots {
			ip := fmt.Sprintf("198.18.%d.%d", i%250, j+1)
			phone := newPhone()
			r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sms-codes", Body: map[string]string{"phone": phone}, IP: ip})
			apitest.Want(b, r, http.StatusAccepted)
			code := env.App.Outbox().List(phone)[0].Code
			r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/auth/sessions", Body: map[string]string{"phone": phone, "code": code}, IP: ip})
			apitest.Want(b, r, http.StatusCreated)
			token := r.Map(b)["token"].(string)
			apitest.Want(b, env.Put("/api/v1/me/household", token, household(makeID("19800101", true))), http.StatusOK)
			slots[j] = slot{token, createApp(b, env, token, "dibao")}
		}
		runtime.GC()
		resetPeakRSS()
		before := procStatus(b, "VmRSS")
		b.StartTimer()

		var wg sync.WaitGroup
		statuses := make([]int, uploads)
		for j, s := range slots {
			wg.Add(1)
			go func() {
				defer wg.Done()
				body, ct := streamedUpload(fileSize)
				r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + s.app + "/documents", Token: s.token,
					Body: body, Header: map[string]string{"Content-Type": ct}})
				statuses[j] = r.Status
			}()
		}
		wg.Wait()

		b.StopTimer()
		for j, st := range statuses {
			if st != http.StatusCreated {
				b.Fatalf("upload %d: status %d", j, st)
			}
		}
		peakGrowth = max(peakGrowth, float64(procStatus(b, "VmHWM")-before))
		rssGrowth = max(rssGrowth, float64(procStatus(b, "VmRSS")-before))
		b.StartTimer()
	}
	b.SetBytes(uploads * fileSize)
	b.ReportMetric(peakGrowth/(1<<20), "peak-rss-growth-MiB")
	b.ReportMetric(rssGrowth/(1<<20), "rss-growth-MiB")
	if peakGrowth > target {
		b.Errorf("resident set grew by %.1f MiB during the uploads, over the %d MiB target", peakGrowth/(1<<20), target>>20)
	}
}

// streamedUpload returns a multipart body with kind=id_card and a JPEG of
// size bytes, generated while it is read (never whole in memory).
func streamedUpload(size int) (io.Reader, string) {
	pr, pw := io.Pipe()
	w := multipart.NewWriter(pw)
	go func() {
		err := func() error {
			if err := w.WriteField("kind", "id_card"); err != nil {
				return err
			}
			fw, err := w.CreateFormFile("file", "photo.jpg")
			if err != nil {
				return err
			}
			chunk := bytes.Repeat([]byte{0x5A}, 32<<10)
			copy(chunk, []byte{0xFF, 0xD8, 0xFF, 0xE0})
			for left := size; left > 0; left -= len(chunk) {
				if _, err := fw.Write(chunk[:min(left, len(chunk))]); err != nil {
					return err
				}
				chunk[0], chunk[1], chunk[2], chunk[3] = 0x5A, 0x5A, 0x5A, 0x5A
			}
			return w.Close()
		}()
		pw.CloseWithError(err)
	}()
	return pr, w.FormDataContentType()
}

// procStatus reads a memory figure (kB) of /proc/self/status in bytes.
func procStatus(tb testing.TB, field string) int64 {
	tb.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		tb.Skipf("no /proc/self/status: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, rest, ok := strings.Cut(sc.Text(), ":")
		if !ok || name != field {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			tb.Fatalf("%s: %v", field, err)
		}
		return kb << 10
	}
	tb.Skipf("/proc/self/status has no %s", field)
	return 0
}

// resetPeakRSS resets VmHWM to the current RSS (Linux 4.0+), so the peak
// measures this round only; where it cannot, the peak is since start.
func resetPeakRSS() {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}
