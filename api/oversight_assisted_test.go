package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

func TestAssistedApplication(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community := wfDemo(t, env, "community")
		phone := newPhone()
		body := map[string]any{"phone": phone, "household": wfHousehold(ppCommunity, 2), "program": "dibao", "reason": "老人行动不便，社区代办"}

		// The resident path's validation: a bad member ID number is 422 and
		// leaves nothing behind; another community's household is 404.
		bad := wfHousehold(ppCommunity, 1)
		bad["members"].([]map[string]any)[0]["id_number"] = withWrongCheck(makeID("19500101", true))
		apitest.Want(t, env.Post("/api/v1/staff/assisted-applications", community.Token, map[string]any{"phone": phone, "household": bad, "program": "dibao"}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/assisted-applications", community.Token,
			map[string]any{"phone": phone, "household": wfHousehold("330502002001", 1), "program": "dibao"}), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/staff/assisted-applications", community.Token,
			map[string]any{"phone": phone, "household": wfHousehold(ppCommunity, 1), "program": "no-such"}), http.StatusUnprocessableEntity)
		if n := len(env.App.Outbox().List(phone)); n != 0 {
			t.Fatalf("%d texts after refused requests", n)
		}

		r := env.Post("/api/v1/staff/assisted-applications", community.Token, body)
		apitest.Want(t, r, http.StatusCreated)
		var out struct {
			Application struct {
				ID, Number, Status string
			} `json:"application"`
			ResidentID string `json:"resident_id"`
		}
		r.JSON(t, &out)
		if out.Application.Status != string(model.StatusSubmitted) || out.ResidentID == "" || out.Application.Number == "" {
			t.Fatalf("created %s", r.Body)
		}
		texts := env.App.Outbox().List(phone)
		if len(texts) == 0 || !strings.Contains(texts[0].Text, out.Application.Number) || !strings.Contains(texts[0].Text, "代办") {
			t.Fatalf("the resident was not texted: %+v", texts)
		}
		// Same program again for that household: the resident path's 409.
		if r := env.Post("/api/v1/staff/assisted-applications", community.Token, body); r.Status != http.StatusConflict {
			t.Fatalf("second: %d %s", r.Status, r.Body)
		}

		// The resident logs in with that phone and finds the case, its
		// message and a timeline that names the community worker.
		tok := login(t, env, phone)
		r = env.Get("/api/v1/applications/"+out.Application.ID, tok)
		apitest.Want(t, r, http.StatusOK)
		var app struct {
			Status   string `json:"status"`
			Timeline []struct {
				Status    string `json:"status"`
				ActorRole string `json:"actor_role"`
				Note      string `json:"note"`
			} `json:"timeline"`
		}
		r.JSON(t, &app)
		if app.Status != string(model.StatusSubmitted) || len(app.Timeline) != 2 {
			t.Fatalf("resident view %s", r.Body)
		}
		for _, e := range app.Timeline {
			if e.ActorRole != string(model.RoleCommunityWorker) || !strings.Contains(e.Note, "代") {
				t.Fatalf("timeline entry %+v does not say the worker keyed it", e)
			}
		}
		msgs := env.Get("/api/v1/me/messages", tok)
		apitest.Want(t, msgs, http.StatusOK)
		if !strings.Contains(string(msgs.Body), "代办") {
			t.Fatalf("messages %s", msgs.Body)
		}
		entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("application.assisted"), model.PageRequest{Limit: 10})
		if err != nil || len(entries) != 1 || entries[0].ActorID != community.ID || entries[0].TargetID != out.Application.ID {
			t.Fatalf("audit %v %+v", err, entries)
		}
		// The community takes it up like any submitted case.
		wfAct(t, env, community.Token, out.Application.ID, "accept", "", http.StatusOK)
	})
}
