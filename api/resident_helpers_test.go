package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// phoneSeq hands out distinct test phone numbers.
var phoneSeq atomic.Int64

func newPhone() string {
	return fmt.Sprintf("139%08d", 12_340_000+phoneSeq.Add(1))
}

// idSeq hands out distinct ID numbers.
var idSeq atomic.Int64

// makeID builds a valid ID number born on birth (YYYYMMDD) in Wuxing
// district; odd sex digits are male.
func makeID(birth string, male bool) string {
	n := idSeq.Add(1)
	seq := fmt.Sprintf("%02d", n%100)
	sex := 2 * (n % 5)
	if male {
		sex++
	}
	first := fmt.Sprintf("330502%s%s%d", birth, seq, sex)
	return first + string(model.IDCheckChar(first))
}

// withWrongCheck returns id with a wrong check character.
func withWrongCheck(id string) string {
	for _, c := range "0123456789X" {
		if byte(c) != id[17] {
			return id[:17] + string(c)
		}
	}
	return id
}

// sendCode requests a login code for phone and returns it from the dev outbox.
func sendCode(t testing.TB, env *apitest.Env, phone string) string {
	t.Helper()
	r := env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone})
	apitest.Want(t, r, http.StatusAccepted)
	items := env.App.Outbox().List(phone)
	if len(items) == 0 || len(items[0].Code) != 6 {
		t.Fatalf("no code in the outbox for the phone: %+v", items)
	}
	return items[0].Code
}

// login logs a new resident in with phone and returns the token.
func login(t testing.TB, env *apitest.Env, phone string) string {
	t.Helper()
	code := sendCode(t, env, phone)
	r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code})
	apitest.Want(t, r, http.StatusCreated)
	var out struct {
		Token string `json:"token"`
	}
	r.JSON(t, &out)
	return out.Token
}

// household is a valid household body with the given members' ID numbers;
// the first is "self".
func household(ids ...string) map[string]any {
	members := []map[string]any{}
	for i, id := range ids {
		rel := "child"
		if i == 0 {
			rel = "self"
		}
		members = append(members, map[string]any{"name": "张三" + strings.Repeat("丰", i), "id_number": id, "relation": rel, "monthly_income": 50000})
	}
	return map[string]any{"region_code": "330502001001", "address": "湖州市吴兴区月河街道南门社区3幢201室", "hukou": "urban", "members": members}
}

// resident logs in a new resident and registers a household of one.
func resident(t *testing.T, env *apitest.Env) (token, idNumber string) {
	t.Helper()
	token = login(t, env, newPhone())
	idNumber = makeID("19800101", true)
	apitest.Want(t, env.Put("/api/v1/me/household", token, household(idNumber)), http.StatusOK)
	return token, idNumber
}

// createApp opens a draft of program and returns its id.
func createApp[P ~string](t testing.TB, env *apitest.Env, token string, program P) string {
	t.Helper()
	r := env.Post("/api/v1/applications", token, map[string]string{"program": string(program), "reason": "失业，收入低"})
	apitest.Want(t, r, http.StatusCreated)
	return r.Map(t)["id"].(string)
}

// File contents by type (only the leading bytes matter).
var (
	jpegFile = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, bytes.Repeat([]byte{0x55}, 2000)...)
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), bytes.Repeat([]byte{1}, 500)...)
	pdfFile  = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	heicFile = append([]byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), bytes.Repeat([]byte{2}, 300)...)
	exeFile  = append([]byte("MZ\x90\x00\x03\x00\x00\x00"), bytes.Repeat([]byte{0}, 300)...)
)

// upload posts one document.
func upload(t testing.TB, env *apitest.Env, token, appID, kind, filename string, content []byte) *apitest.Response {
	t.Helper()
	body, ct := apitest.Multipart(t, map[string]string{"kind": kind}, filename, content)
	return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + appID + "/documents", Token: token,
		Body: body, Header: map[string]string{"Content-Type": ct}})
}

// uploadRequired uploads every required document of dibao.
func uploadRequired(t testing.TB, env *apitest.Env, token, appID string) {
	t.Helper()
	for _, kind := range []string{"id_card", "hukou_book", "income_proof", "consent"} {
		apitest.Want(t, upload(t, env, token, appID, kind, kind+".jpg", jpegFile), http.StatusCreated)
	}
}
