package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/libtnb/sqlite"

	"github.com/jiuzhu/jiuzhu/app"
	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/service"
)

// auditTrail writes audit rows the way the server does: staff logins that
// succeed and fail, and an audited change, through the real router.
func auditTrail(t *testing.T, getenv func(string) string) {
	t.Helper()
	ctx := context.Background()
	cfg, err := config.Load("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.OpenBackends(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	built, err := app.Build(cfg, b, slog.New(slog.DiscardHandler), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	post := func(method, path, token, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		built.Server.Handler().ServeHTTP(rec, req)
		return rec
	}
	for _, pw := range []string{"wrong-one", "wrong-two", service.DemoPassword} {
		post(http.MethodPost, "/api/v1/staff/sessions", "", `{"username":"county","password":"`+pw+`"}`)
	}
	rec := post(http.MethodPost, "/api/v1/staff/sessions", "", `{"username":"county","password":"`+service.DemoPassword+`"}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("login: %d %s", rec.Code, rec.Body)
	}
	token := rec.Body.String()
	token = token[strings.Index(token, `"token":"`)+9:]
	token = token[:strings.Index(token, `"`)]
	rec = post(http.MethodPut, "/api/v1/staff/standards", token, `{"region_code":"330502","year":2030,"hukou":"rural","monthly_amount":99000}`)
	if rec.Code != http.StatusOK {
		t.Fatalf("standards: %d %s", rec.Code, rec.Body)
	}
}

func TestAuditVerifyPassesThenNamesTheEditedRow(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	vars := map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DEV": "true", "JIUZHU_SECRET_KEY": "audit-test-key-0123456789abcdefghijkl"}
	getenv := func(k string) string { return vars[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"seed"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	auditTrail(t, getenv)

	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "verify"}, getenv, &out, &out); err != nil {
		t.Fatalf("verify on untouched data: %v\n%s", err, out.String())
	}
	var rows int
	if _, err := fmt.Sscanf(out.String(), "audit chain OK: %d rows", &rows); err != nil || rows < 5 {
		t.Fatalf("verify output (want at least the 5 rows written): %s", out.String())
	}

	// Edit one row behind the application's back: soften a failed login.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "jiuzhu.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var seq int64
	var id string
	if err := db.QueryRow(`SELECT seq, id FROM audit_log WHERE outcome = 'failure' ORDER BY seq DESC LIMIT 1`).Scan(&seq, &id); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit_log SET outcome = 'success' WHERE seq = ?`, seq); err != nil {
		t.Fatal(err)
	}

	out.Reset()
	err = run(ctx, []string{"audit", "verify"}, getenv, &out, &out)
	if !errors.Is(err, errAuditBroken) {
		t.Fatalf("verify after the edit: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "seq="+strconv.FormatInt(seq, 10)+" id="+id) {
		t.Fatalf("verify does not name the edited row (seq %d, id %s): %s", seq, id, out.String())
	}
}
