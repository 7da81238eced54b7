package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestResidentApplicationFlow walks the resident's happy path: log in,
// register the household, open a draft, upload the proof, submit, read the
// timeline and messages, withdraw and apply again.
func TestResidentApplicationFlow(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		token := login(t, env, phone)

		r := env.Post("/api/v1/applications", token, map[string]string{"program": "dibao"})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "household_required" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		apitest.Want(t, env.Put("/api/v1/me/household", token, household(makeID("19800101", true), makeID("20150601", false))), http.StatusOK)

		r = env.Post("/api/v1/applications", token, map[string]string{"program": "dibao", "reason": "失业"})
		apitest.Want(t, r, http.StatusCreated)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		created := r.Map(t)
		id := created["id"].(string)
		if created["status"] != "draft" || created["program"] != "dibao" {
			t.Fatalf("created: %v", created)
		}
		if !regexp.MustCompile(`^DB-330502-\d{4}-\d{6}$`).MatchString(created["number"].(string)) {
			t.Fatalf("number %q", created["number"])
		}
		r = env.Post("/api/v1/applications", token, map[string]string{"program": "dibao"})
		apitest.Want(t, r, http.StatusConflict)

		apitest.Want(t, upload(t, env, token, id, "id_card", "id.jpg", jpegFile), http.StatusCreated)
		r = env.Post("/api/v1/applications/"+id+"/submit", token, nil)
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		var missing struct {
			Error struct {
				Code   string            `json:"code"`
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		r.JSON(t, &missing)
		if missing.Error.Code != "documents_missing" || missing.Error.Fields["hukou_book"] == "" || missing.Error.Fields["income_proof"] == "" || missing.Error.Fields["id_card"] != "" {
			t.Fatalf("missing documents: %+v", missing.Error)
		}
		apitest.Want(t, upload(t, env, token, id, "hukou_book", "hukou.png", pngFile), http.StatusCreated)
		apitest.Want(t, upload(t, env, token, id, "income_proof", "income.pdf", pdfFile), http.StatusCreated)
		apitest.Want(t, upload(t, env, token, id, "consent", "consent.jpg", jpegFile), http.StatusCreated)

		env.Clock.Advance(time.Minute)
		r = env.Post("/api/v1/applications/"+id+"/submit", token, nil)
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["status"] != "submitted" {
			t.Fatalf("after submit: %s", r.Body)
		}
		// Submitted applications take no more documents and cannot be submitted twice.
		apitest.Want(t, upload(t, env, token, id, "other", "x.jpg", jpegFile), http.StatusConflict)
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", token, nil), http.StatusConflict)

		var app struct {
			Status   string `json:"status"`
			Timeline []struct {
				Status    string `json:"status"`
				ActorRole string `json:"actor_role"`
			} `json:"timeline"`
			Documents []struct {
				Kind, Status string
			} `json:"documents"`
		}
		r = env.Get("/api/v1/applications/"+id, token)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &app)
		if len(app.Timeline) != 2 || app.Timeline[0].Status != "draft" || app.Timeline[1].Status != "submitted" || app.Timeline[1].ActorRole != "resident" {
			t.Fatalf("timeline: %+v", app.Timeline)
		}
		if len(app.Documents) != 4 {
			t.Fatalf("documents: %+v", app.Documents)
		}

		var list struct {
			Items []struct{ ID, Status string }
		}
		env.Get("/api/v1/applications", token).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != id {
			t.Fatalf("list: %+v", list)
		}

		env.Clock.Advance(time.Minute)
		r = env.Post("/api/v1/applications/"+id+"/withdraw", token, map[string]string{"reason": "找到工作了"})
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["status"] != "withdrawn" {
			t.Fatalf("after withdraw: %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/withdraw", token, nil), http.StatusConflict)

		var msgs struct {
			Items []struct{ Text string }
		}
		r = env.Get("/api/v1/me/messages", token)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &msgs)
		if len(msgs.Items) != 3 || !strings.Contains(msgs.Items[0].Text, "撤回") || !strings.Contains(msgs.Items[1].Text, "提交") {
			t.Fatalf("messages: %+v", msgs.Items)
		}
		found := false
		for _, it := range env.App.Outbox().List(phone) {
			if strings.Contains(it.Text, created["number"].(string)) {
				found = true
			}
		}
		if !found {
			t.Fatal("status messages are not in the dev outbox")
		}

		// The withdrawn application no longer holds the household's slot.
		apitest.Want(t, env.Post("/api/v1/applications", token, map[string]string{"program": "dibao"}), http.StatusCreated)
	})
}

func TestProgramCatalog(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		var cat struct {
			Items []struct {
				Code              string `json:"code"`
				RequiredDocuments []struct {
					Kind string `json:"kind"`
				} `json:"required_documents"`
			}
		}
		r := env.Get("/api/v1/programs", "")
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &cat)
		kinds := map[string][]string{}
		for _, p := range cat.Items {
			for _, d := range p.RequiredDocuments {
				kinds[p.Code] = append(kinds[p.Code], d.Kind)
			}
		}
		if len(cat.Items) != 7 {
			t.Fatalf("%d programs", len(cat.Items))
		}
		has := func(program, kind string) bool {
			for _, k := range kinds[program] {
				if k == kind {
					return true
				}
			}
			return false
		}
		for _, c := range []struct{ program, kind string }{
			{"dibao", "id_card"}, {"dibao", "hukou_book"}, {"dibao", "income_proof"},
			{"education", "enrolment_proof"}, {"medical", "medical_bills"},
		} {
			if !has(c.program, c.kind) {
				t.Errorf("%s does not require %s: %v", c.program, c.kind, kinds[c.program])
			}
		}
	})
}
