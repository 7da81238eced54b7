package api_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// gapApplication is the resident's view of an application as these tests
// read it.
type gapApplication struct {
	Status   string `json:"status"`
	Timeline []struct {
		Status    string `json:"status"`
		ActorRole string `json:"actor_role"`
		Note      string `json:"note"`
	} `json:"timeline"`
	Documents []struct {
		ID           string  `json:"id"`
		Kind         string  `json:"kind"`
		Status       string  `json:"status"`
		ContentType  string  `json:"content_type"`
		ReviewReason *string `json:"review_reason"`
	} `json:"documents"`
}

// gapGet reads the resident's application.
func gapGet(t *testing.T, env *apitest.Env, token, id string) gapApplication {
	t.Helper()
	r := env.Get("/api/v1/applications/"+id, token)
	apitest.Want(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q on the application", r.Header.Get("Cache-Control"))
	}
	var a gapApplication
	r.JSON(t, &a)
	return a
}

// TestResidentReturnAndResubmit: the community rejects a document and
// returns the application with a reason; the resident sees why (status,
// timeline, message), replaces the document, and resubmits; a submitted
// application takes no documents.
func TestResidentReturnAndResubmit(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cw := wfDemo(t, env, "community").Token
		c := wfSubmitted(t, env, "330502001001", 1)
		// Resubmitting a submitted application is refused before any return.
		apitest.Want(t, env.Post("/api/v1/applications/"+c.ID+"/submit", c.Resident, nil), http.StatusConflict)

		wfAct(t, env, cw, c.ID, "accept", "", http.StatusOK)
		const docReason = "收入证明不清晰，无法辨认金额"
		const returnReason = "请补交清晰的收入证明"
		rejected := c.Docs[2] // income_proof
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+rejected+"/review", cw,
			map[string]string{"decision": "rejected", "reason": docReason}), http.StatusOK)
		// A return needs a reason.
		wfAct(t, env, cw, c.ID, "return", "", http.StatusUnprocessableEntity)
		env.Clock.Advance(time.Minute)
		wfAct(t, env, cw, c.ID, "return", returnReason, http.StatusOK)

		// The resident sees the return: status, the last timeline entry
		// with the staff role and the reason, the document's rejection.
		a := gapGet(t, env, c.Resident, c.ID)
		if a.Status != "returned" {
			t.Fatalf("status %q after the return", a.Status)
		}
		last := a.Timeline[len(a.Timeline)-1]
		if last.Status != "returned" || last.Note != returnReason || last.ActorRole != "community_worker" {
			t.Fatalf("last timeline entry %+v", last)
		}
		found := false
		for _, d := range a.Documents {
			if d.ID == rejected {
				found = true
				if d.Status != "rejected" || d.ReviewReason == nil || *d.ReviewReason != docReason {
					t.Fatalf("rejected document shows %+v", d)
				}
			}
		}
		if !found {
			t.Fatalf("rejected document %s not listed: %+v", rejected, a.Documents)
		}

		// A message tells the resident why.
		r := env.Get("/api/v1/me/messages", c.Resident)
		apitest.Want(t, r, http.StatusOK)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("Cache-Control %q on messages", r.Header.Get("Cache-Control"))
		}
		var msgs struct {
			Items []struct {
				ApplicationID *string `json:"application_id"`
				Text          string  `json:"text"`
			} `json:"items"`
		}
		r.JSON(t, &msgs)
		if len(msgs.Items) == 0 || msgs.Items[0].ApplicationID == nil || *msgs.Items[0].ApplicationID != c.ID ||
			!strings.Contains(msgs.Items[0].Text, returnReason) || !strings.Contains(msgs.Items[0].Text, "退回") {
			t.Fatalf("newest message does not carry the return reason: %+v", msgs.Items)
		}

		// Without a replacement the application cannot be resubmitted.
		r = env.Post("/api/v1/applications/"+c.ID+"/submit", c.Resident, nil)
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		if r.ErrorCode() != "documents_missing" {
			t.Fatalf("code %q", r.ErrorCode())
		}

		// The replacement (a PDF this time) supersedes the rejected one.
		r = upload(t, env, c.Resident, c.ID, "income_proof", "income.pdf", pdfFile)
		apitest.Want(t, r, http.StatusCreated)
		replacement := r.Map(t)["id"].(string)
		a = gapGet(t, env, c.Resident, c.ID)
		statuses := map[string]string{}
		for _, d := range a.Documents {
			statuses[d.ID] = d.Status
		}
		if statuses[rejected] != "replaced" || statuses[replacement] != "pending" || statuses[c.Docs[0]] != "pending" {
			t.Fatalf("document statuses after the replacement: %v", statuses)
		}

		env.Clock.Advance(time.Minute)
		r = env.Post("/api/v1/applications/"+c.ID+"/submit", c.Resident, nil)
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["status"] != "submitted" {
			t.Fatalf("after resubmit: %s", r.Body)
		}
		a = gapGet(t, env, c.Resident, c.ID)
		last = a.Timeline[len(a.Timeline)-1]
		if a.Status != "submitted" || last.Status != "submitted" || last.ActorRole != "resident" || last.Note != "resubmitted" {
			t.Fatalf("after resubmit: status %q, last entry %+v", a.Status, last)
		}

		// Submitted again: no more documents, and the queue has the case back.
		r = upload(t, env, c.Resident, c.ID, "income_proof", "again.jpg", jpegFile)
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "documents_closed" {
			t.Fatalf("code %q", r.ErrorCode())
		}
		if n := len(gapGet(t, env, c.Resident, c.ID).Documents); n != 5 {
			t.Fatalf("%d documents after the refused upload, want 5", n)
		}
		wfAct(t, env, cw, c.ID, "accept", "", http.StatusOK)
	})
}
