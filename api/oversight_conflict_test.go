package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

func TestConflictOfInterest(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community := wfDemo(t, env, "community")
		relativeID := makeID("19581111", false)
		bad := map[string]any{"relatives": []map[string]string{{"name": "李梅", "id_number": withWrongCheck(relativeID), "relation": "parent"}}}
		if r := env.Put("/api/v1/staff/me/relatives", community.Token, bad); r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad ID number: %d %s", r.Status, r.Body)
		}
		body := map[string]any{"relatives": []map[string]string{{"name": "李梅", "id_number": relativeID, "relation": "parent"}}}
		r := env.Put("/api/v1/staff/me/relatives", community.Token, body)
		apitest.Want(t, r, http.StatusOK)
		if strings.Contains(string(r.Body), relativeID) {
			t.Fatalf("the ID number came back: %s", r.Body)
		}

		// The relative's household applies.
		tok := login(t, env, newPhone())
		hh := wfHousehold(ppCommunity, 1)
		hh["members"] = append(hh["members"].([]map[string]any), map[string]any{"name": "李梅", "id_number": relativeID, "relation": "parent", "monthly_income": 0})
		apitest.Want(t, env.Put("/api/v1/me/household", tok, hh), http.StatusOK)
		id := createApp(t, env, tok, model.ProgramDibao)
		uploadRequired(t, env, tok, id)
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", tok, nil), http.StatusOK)

		street := wfDemo(t, env, "street").Token
		detail := env.Get("/api/v1/staff/applications/"+id, street)
		apitest.Want(t, detail, http.StatusOK)
		if detail.Map(t)["conflict_of_interest"] != true {
			t.Fatalf("no conflict flag: %s", detail.Body)
		}
		other := wfSubmitted(t, env, ppCommunity, 1)
		if env.Get("/api/v1/staff/applications/"+other.ID, street).Map(t)["conflict_of_interest"] != false {
			t.Fatal("a case without a declared relative is flagged")
		}

		// The declaring worker steps aside (the detail offers them nothing);
		// a colleague of the same community acts.
		if got := env.Get("/api/v1/staff/applications/"+id, community.Token).Map(t)["allowed_actions"]; fmt.Sprint(got) != "[]" {
			t.Fatalf("allowed actions of the declaring worker: %v", got)
		}
		if r := wfAct(t, env, community.Token, id, "accept", "", http.StatusForbidden); r.ErrorCode() != "conflict_of_interest" {
			t.Fatalf("accept: %s", r.Body)
		}
		colleague := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "c.colleague", model.RoleCommunityWorker, ppCommunity).Token
		wfAct(t, env, colleague, id, "accept", "", http.StatusOK)
		if r := env.Put("/api/v1/staff/applications/"+id+"/assessment", community.Token, wfAssessment(30000)); r.Status != http.StatusForbidden || r.ErrorCode() != "conflict_of_interest" {
			t.Fatalf("assessment: %d %s", r.Status, r.Body)
		}
		docs := env.Get("/api/v1/staff/applications/"+id, colleague).Map(t)["documents"].([]any)
		doc := docs[0].(map[string]any)["id"].(string)
		if r := env.Post("/api/v1/staff/documents/"+doc+"/review", community.Token, map[string]string{"decision": "accepted"}); r.Status != http.StatusForbidden {
			t.Fatalf("review: %d %s", r.Status, r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+doc+"/review", colleague, map[string]string{"decision": "accepted"}), http.StatusOK)

		// The auditor sees the declaration, without ID numbers; it is audited.
		auditor := wfDemo(t, env, "auditor").Token
		r = env.Get("/api/v1/staff/relatives", auditor)
		apitest.Want(t, r, http.StatusOK)
		var decl struct {
			Items []struct {
				StaffID   string `json:"staff_id"`
				Relatives []struct {
					NameMasked string `json:"name_masked"`
					Relation   string `json:"relation"`
				} `json:"relatives"`
			} `json:"items"`
		}
		r.JSON(t, &decl)
		if len(decl.Items) != 1 || decl.Items[0].StaffID != community.ID || len(decl.Items[0].Relatives) != 1 || decl.Items[0].Relatives[0].Relation != "parent" ||
			strings.Contains(string(r.Body), relativeID) || strings.Contains(string(r.Body), "李梅") {
			t.Fatalf("declarations: %s", r.Body)
		}
		entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("staff.relatives.set"), model.PageRequest{Limit: 10})
		if err != nil || len(entries) != 1 || entries[0].ActorID != community.ID {
			t.Fatalf("audit %v %+v", err, entries)
		}
		denied, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("application.accept"), model.PageRequest{Limit: 10})
		if err != nil || len(denied) != 2 || denied[1].Outcome != model.OutcomeDenied || denied[1].Detail != "conflict_of_interest" {
			t.Fatalf("denied accept audit %v %+v", err, denied)
		}
	})
}

// TestConflictLevelAboveStandsIn: where the community's worker declared a
// relative in the household and no colleague of the community acts, the
// street stands in for the community's steps (accept, document review,
// investigation, assessment) and the detail offers them; on a case
// without a declared relative the street may not.
func TestConflictLevelAboveStandsIn(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community := wfDemo(t, env, "community")
		relativeID := makeID("19600202", true)
		apitest.Want(t, env.Put("/api/v1/staff/me/relatives", community.Token,
			map[string]any{"relatives": []map[string]string{{"name": "赵强", "id_number": relativeID, "relation": "sibling"}}}), http.StatusOK)
		tok := login(t, env, newPhone())
		hh := wfHousehold(ppCommunity, 1)
		hh["members"] = append(hh["members"].([]map[string]any), map[string]any{"name": "赵强", "id_number": relativeID, "relation": "other", "monthly_income": 0})
		apitest.Want(t, env.Put("/api/v1/me/household", tok, hh), http.StatusOK)
		id := createApp(t, env, tok, model.ProgramDibao)
		uploadRequired(t, env, tok, id)
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", tok, nil), http.StatusOK)
		plain := wfSubmitted(t, env, ppCommunity, 1)

		street := wfDemo(t, env, "street").Token
		if r := wfAct(t, env, street, plain.ID, "accept", "", http.StatusForbidden); r.ErrorCode() != "wrong_level" {
			t.Fatalf("the street accepts a case without a conflict: %s", r.Body)
		}
		if got := env.Get("/api/v1/staff/applications/"+id, street).Map(t)["allowed_actions"]; fmt.Sprint(got) != "[accept return reject review_documents]" {
			t.Fatalf("the street's actions on the conflicted case: %v", got)
		}
		wfAct(t, env, street, id, "accept", "", http.StatusOK)
		for _, d := range env.Get("/api/v1/staff/applications/"+id, street).Map(t)["documents"].([]any) {
			doc := d.(map[string]any)["id"].(string)
			apitest.Want(t, env.Post("/api/v1/staff/documents/"+doc+"/review", street, map[string]string{"decision": "accepted"}), http.StatusOK)
		}
		wfAct(t, env, street, id, "investigate", "", http.StatusOK)
		apitest.Want(t, env.Put("/api/v1/staff/applications/"+id+"/assessment", street, wfAssessment(30000)), http.StatusOK)
		// Publicizing is the street's own step; the four-eyes rule still
		// keeps the street from approving what it worked on (it may not
		// approve anyway).
		wfAct(t, env, street, id, "publicize", "", http.StatusOK)
	})
}
