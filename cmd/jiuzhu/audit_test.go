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
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
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
	for _, target := range []string{"app-1", "app-2"} {
		if err := built.App.Audit.RecordAlone(ctx, service.Event{Action: "application.reveal", TargetType: "application", TargetID: target, RegionCode: "330502"}); err != nil {
			t.Fatal(err)
		}
	}
}

// sealedTrail seeds a fresh data dir, writes an audit trail (with two
// application.reveal rows recorded through the service), seals it with
// `jiuzhu audit seal` and checks that verify passes. It returns the env and
// the SQLite file opened behind the application's back.
func sealedTrail(t *testing.T) (func(string) string, *sql.DB) {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DEV": "true", "JIUZHU_SECRET_KEY": "audit-test-key-0123456789abcdefghijkl"}
	getenv := func(k string) string { return vars[k] }
	ctx := context.Background()
	if err := run(ctx, []string{"seed"}, getenv, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	auditTrail(t, getenv)
	var out bytes.Buffer
	if err := run(ctx, []string{"audit", "seal"}, getenv, &out, &out); err != nil {
		t.Fatalf("seal: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"audit", "verify"}, getenv, &out, &out); err != nil {
		t.Fatalf("verify on untouched data: %v\n%s", err, out.String())
	}
	var rows, batches, cp int
	if _, err := fmt.Sscanf(out.String(), "audit chain OK: %d rows in %d batches, checkpoint at batch %d", &rows, &batches, &cp); err != nil || rows < 7 || batches < 1 || cp != batches {
		t.Fatalf("verify output (want at least the 7 rows written, checkpoint at the head): %s", out.String())
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "jiuzhu.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return getenv, db
}

// verifyBroken runs `jiuzhu audit verify` and wants it to fail saying want.
func verifyBroken(t *testing.T, getenv func(string) string, want string) string {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), []string{"audit", "verify"}, getenv, &out, &out)
	if !errors.Is(err, errAuditBroken) || !strings.Contains(out.String(), want) {
		t.Fatalf("verify: %v\n%s\nwant it broken saying %q", err, out.String(), want)
	}
	return out.String()
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestAuditVerifyNamesTheEditedRow(t *testing.T) {
	t.Parallel()
	getenv, db := sealedTrail(t)
	// Soften a failed login behind the application's back.
	var seq int64
	var id string
	if err := db.QueryRow(`SELECT seq, id FROM audit_log WHERE outcome = 'failure' ORDER BY seq DESC LIMIT 1`).Scan(&seq, &id); err != nil {
		t.Fatal(err)
	}
	mustExec(t, db, `UPDATE audit_log SET outcome = 'success' WHERE seq = ?`, seq)
	verifyBroken(t, getenv, "seq="+strconv.FormatInt(seq, 10)+" id="+id)
}

func TestAuditVerifyFailsOnADeletedSealedRow(t *testing.T) {
	t.Parallel()
	getenv, db := sealedTrail(t)
	mustExec(t, db, `DELETE FROM audit_log WHERE seq = (SELECT MIN(seq) FROM audit_log WHERE batch > 0)`)
	verifyBroken(t, getenv, "do not match its keyed MAC")
}

// The attack of the hardening issue (item 4): delete every
// application.reveal row and recompute the chain. Without the key the
// recomputed MACs are wrong; the attacker's best try is a guessed key.
func TestAuditVerifyFailsOnARechainWithoutTheKey(t *testing.T) {
	t.Parallel()
	getenv, db := sealedTrail(t)
	var reveals int
	if err := db.QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'application.reveal'`).Scan(&reveals); err != nil || reveals != 2 {
		t.Fatalf("reveal rows: %d %v", reveals, err)
	}
	mustExec(t, db, `DELETE FROM audit_log WHERE action = 'application.reveal'`)
	guessed, err := service.NewKeys("an-attackers-guess-at-the-key-0123456789", nil)
	if err != nil {
		t.Fatal(err)
	}
	rechain(t, db, guessed)
	verifyBroken(t, getenv, "batch 1 ")
}

// rechain recomputes every batch's MAC with keys, as an attacker with SQL
// access would.
func rechain(t *testing.T, db *sql.DB, keys *service.Keys) {
	t.Helper()
	prev := model.GenesisMAC
	for b := int64(1); ; b++ {
		rows, err := db.Query(`SELECT seq, id, at, actor_id, actor_role, region_code, action, target_type, target_id, outcome, request_id, client_ip, detail FROM audit_log WHERE batch = ? ORDER BY seq`, b)
		if err != nil {
			t.Fatal(err)
		}
		var entries []model.AuditEntry
		for rows.Next() {
			var e model.AuditEntry
			var at string
			if err := rows.Scan(&e.Seq, &e.ID, &at, &e.ActorID, &e.ActorRole, &e.RegionCode, &e.Action, &e.TargetType, &e.TargetID, &e.Outcome, &e.RequestID, &e.ClientIP, &e.Detail); err != nil {
				t.Fatal(err)
			}
			entries = append(entries, e)
		}
		rows.Close()
		res, err := db.Exec(`UPDATE audit_batches SET prev_mac = ?, mac = ?, row_count = ? WHERE batch = ?`, prev, "", len(entries), b)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return
		}
		mac := keys.AuditBatchMAC(prev, b, entries)
		mustExec(t, db, `UPDATE audit_batches SET mac = ? WHERE batch = ?`, mac, b)
		prev = mac
	}
}

// Deleting the reveal rows and every batch, so the rows look merely
// unsealed, leaves the checkpoint outside the database naming a batch
// that is gone.
func TestAuditVerifyFailsAgainstTheCheckpoint(t *testing.T) {
	t.Parallel()
	getenv, db := sealedTrail(t)
	mustExec(t, db, `DELETE FROM audit_log WHERE action = 'application.reveal'`)
	mustExec(t, db, `DELETE FROM audit_batches`)
	mustExec(t, db, `UPDATE audit_log SET batch = 0`)
	verifyBroken(t, getenv, "the checkpoint names batch")
}

// A checkpoint rewritten without its key is refused.
func TestAuditVerifyFailsOnAForgedCheckpoint(t *testing.T) {
	t.Parallel()
	getenv, _ := sealedTrail(t)
	cfg, err := config.Load("", getenv)
	if err != nil {
		t.Fatal(err)
	}
	b, err := app.OpenBackends(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	forged := `{"batch":1,"mac":"00","last_seq":1,"at":"2026-01-01T00:00:00Z","sig":"00"}`
	if _, err := b.Blobs.Put(context.Background(), service.AuditCheckpointKey, strings.NewReader(forged), storage.PutOptions{ContentType: "application/json", Size: int64(len(forged))}); err != nil {
		t.Fatal(err)
	}
	verifyBroken(t, getenv, "signature is wrong")
}
