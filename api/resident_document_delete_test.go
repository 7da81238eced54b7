package api_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// delDocument is the resident's DELETE of a document of their application.
func delDocument(t *testing.T, env *apitest.Env, token, appID, docID string, want int, code string) {
	t.Helper()
	r := env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/applications/" + appID + "/documents/" + docID, Token: token})
	apitest.Want(t, r, want)
	if code != "" && r.ErrorCode() != code {
		t.Fatalf("DELETE %s: code %q, want %q", docID, r.ErrorCode(), code)
	}
}

// delPage is a document of the resident's application view: its status
// and whether the server lets the resident delete it.
type delPage struct {
	Kind      string `json:"kind"`
	Status    string `json:"status"`
	Deletable *bool  `json:"deletable"`
}

// delPages is each document of the resident's application view by id;
// every one must say whether it is deletable.
func delPages(t *testing.T, env *apitest.Env, token, appID string) map[string]delPage {
	t.Helper()
	var v struct {
		Documents []struct {
			ID string `json:"id"`
			delPage
		} `json:"documents"`
	}
	r := env.Get("/api/v1/applications/"+appID, token)
	apitest.Want(t, r, http.StatusOK)
	r.JSON(t, &v)
	out := map[string]delPage{}
	for _, d := range v.Documents {
		if d.Deletable == nil {
			t.Fatalf("document %s has no deletable", d.ID)
		}
		out[d.ID] = d.delPage
	}
	return out
}

// TestDocumentDeleteDraft: in a draft the resident deletes a page (204): it
// is gone from the application, its content and its object, audited as
// document.delete; another resident's page is 404 and stays; deleting a
// required kind's only page makes submit 422 again; once submitted nothing
// can be deleted (409) and deletable says so.
func TestDocumentDeleteDraft(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		token, _ := resident(t, env)
		appID := createApp(t, env, token, "dibao")
		uploadRequired(t, env, token, appID)
		r := upload(t, env, token, appID, "id_card", "back.jpg", jpegFile)
		apitest.Want(t, r, http.StatusCreated)
		page2 := r.Map(t)["id"].(string)
		pages := delPages(t, env, token, appID)
		if len(pages) != 5 {
			t.Fatalf("%d documents, want 5", len(pages))
		}
		for id, p := range pages {
			if !*p.Deletable {
				t.Fatalf("pending page %s of a draft not deletable", id)
			}
		}
		stored, err := env.Backends.DB.Document(ctx, page2)
		if err != nil {
			t.Fatal(err)
		}

		// Another resident: 404 on this application and on their own
		// application with this document id; the page stays.
		other, _ := resident(t, env)
		otherApp := createApp(t, env, other, "dibao")
		delDocument(t, env, other, appID, page2, http.StatusNotFound, "application_not_found")
		delDocument(t, env, other, otherApp, page2, http.StatusNotFound, "document_not_found")
		if _, ok := delPages(t, env, token, appID)[page2]; !ok {
			t.Fatal("another resident's DELETE removed the page")
		}

		delDocument(t, env, token, appID, page2, http.StatusNoContent, "")
		if _, ok := delPages(t, env, token, appID)[page2]; ok {
			t.Fatal("deleted page still listed")
		}
		apitest.Want(t, env.Get("/api/v1/applications/"+appID+"/documents/"+page2+"/content", token), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/applications/"+appID+"/documents/"+page2, token), http.StatusNotFound)
		if sweepExists(t, env, stored.BlobKey) {
			t.Fatal("the deleted page's object is still stored")
		}
		delDocument(t, env, token, appID, page2, http.StatusNotFound, "document_not_found")
		for _, id := range fzBadIDs {
			r := env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/applications/" + appID + "/documents/" + id, Token: token, NoCheck: true})
			if r.Status != http.StatusNotFound {
				t.Errorf("DELETE of document %.40q: %d, want 404", id, r.Status)
			}
		}

		if rows := rvAudit(t, env, "document.delete", page2); len(rows) != 1 || rows[0].ActorRole != "resident" || rows[0].RegionCode == "" {
			t.Fatalf("delete audit: %+v", rows)
		}

		// The only page of a required kind: submit is 422 again until it
		// is uploaded anew.
		var consent string
		for id, p := range delPages(t, env, token, appID) {
			if p.Kind == "consent" {
				consent = id
			}
		}
		delDocument(t, env, token, appID, consent, http.StatusNoContent, "")
		r = env.Post("/api/v1/applications/"+appID+"/submit", token, nil)
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		if f := r.Map(t)["error"].(map[string]any)["fields"].(map[string]any); f["consent"] == nil || len(f) != 1 {
			t.Fatalf("submit after deleting the consent: fields %v", f)
		}
		apitest.Want(t, upload(t, env, token, appID, "consent", "consent.jpg", jpegFile), http.StatusCreated)
		apitest.Want(t, env.Post("/api/v1/applications/"+appID+"/submit", token, nil), http.StatusOK)

		// Submitted: nothing is deletable, and a DELETE is 409.
		pages = delPages(t, env, token, appID)
		for id, p := range pages {
			if *p.Deletable {
				t.Fatalf("page %s of a submitted case deletable", id)
			}
		}
		for id := range pages {
			delDocument(t, env, token, appID, id, http.StatusConflict, "document_delete_closed")
			break
		}
		if n := len(delPages(t, env, token, appID)); n != 4 {
			t.Fatalf("%d documents after a refused delete, want 4", n)
		}
	})
}

// TestDocumentDeleteReturned: in a returned case a rejected page may be
// deleted, an accepted one may not (409 document_accepted), nor one a newer
// upload replaced (409 document_replaced), and deletable says which.
func TestDocumentDeleteReturned(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cw := wfDemo(t, env, "community").Token
		c := wfSubmitted(t, env, "330502001001", 1)
		wfAct(t, env, cw, c.ID, "accept", "", http.StatusOK)
		accepted, rejected := c.Docs[0], c.Docs[2]
		apitest.Want(t, env.Post("/api/v1/staff/documents/"+accepted+"/review", cw, map[string]string{"decision": "accepted"}), http.StatusOK)
		replaced := c.Docs[1]
		for _, id := range []string{rejected, replaced} {
			apitest.Want(t, env.Post("/api/v1/staff/documents/"+id+"/review", cw,
				map[string]string{"decision": "rejected", "reason": "看不清"}), http.StatusOK)
		}
		env.Clock.Advance(time.Minute)
		wfAct(t, env, cw, c.ID, "return", "请补交清晰的收入证明", http.StatusOK)

		pages := delPages(t, env, c.Resident, c.ID)
		if *pages[accepted].Deletable || !*pages[rejected].Deletable || !*pages[replaced].Deletable || !*pages[c.Docs[3]].Deletable {
			t.Fatalf("deletable in a returned case: %+v", pages)
		}
		delDocument(t, env, c.Resident, c.ID, accepted, http.StatusConflict, "document_accepted")
		delDocument(t, env, c.Resident, c.ID, rejected, http.StatusNoContent, "")
		pages = delPages(t, env, c.Resident, c.ID)
		if _, ok := pages[rejected]; ok {
			t.Fatal("deleted rejected page still listed")
		}
		if _, ok := pages[accepted]; !ok {
			t.Fatal("accepted page gone after a refused delete")
		}
		// A rejected page a newer upload of its kind replaced stays as the
		// case's history.
		apitest.Want(t, upload(t, env, c.Resident, c.ID, "hukou_book", "hukou.jpg", jpegFile), http.StatusCreated)
		if p := delPages(t, env, c.Resident, c.ID)[replaced]; p.Status != "replaced" || *p.Deletable {
			t.Fatalf("replaced page: %+v", p)
		}
		delDocument(t, env, c.Resident, c.ID, replaced, http.StatusConflict, "document_replaced")
	})
}

// TestDocumentDeleteFreesQuota: a deleted page no longer counts against the
// resident's quota.
func TestDocumentDeleteFreesQuota(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		appID := createApp(t, env, token, "dibao")
		first := quotaWant(t, env, token, appID, http.StatusCreated, "").Map(t)["id"].(string)
		quotaWant(t, env, token, appID, http.StatusCreated, "")
		quotaWant(t, env, token, appID, http.StatusConflict, "document_quota_count")
		delDocument(t, env, token, appID, first, http.StatusNoContent, "")
		quotaWant(t, env, token, appID, http.StatusCreated, "")
	}, apitest.WithEnv("JIUZHU_DOCUMENT_QUOTA_COUNT", "2"))
}

// TestDocumentDeleteRacesSubmit: the resident deletes the only page of a
// required kind while submitting (two phones, a double tap): either the
// delete goes first and the submit is 422, or the submit goes first and the
// delete is 409; a case is never submitted without the page.
func TestDocumentDeleteRacesSubmit(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		for i := range 6 {
			c := submitCaseDraft(t, env, token)
			consent := c.Docs[len(c.Docs)-1]
			var wg sync.WaitGroup
			var del, sub *apitest.Response
			wg.Add(2)
			go func() {
				defer wg.Done()
				del = env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/applications/" + c.ID + "/documents/" + consent, Token: token})
			}()
			go func() {
				defer wg.Done()
				sub = env.Post("/api/v1/applications/"+c.ID+"/submit", token, nil)
			}()
			wg.Wait()
			switch {
			case del.Status == http.StatusNoContent && sub.Status == http.StatusUnprocessableEntity:
			case sub.Status == http.StatusOK && del.Status == http.StatusConflict:
			default:
				t.Fatalf("round %d: delete %d, submit %d", i, del.Status, sub.Status)
			}
			if _, kept := delPages(t, env, token, c.ID)[consent]; sub.Status == http.StatusOK && !kept {
				t.Fatalf("round %d: submitted without the consent", i)
			}
			// Start the next round from a closed case (one open case per program).
			apitest.Want(t, env.Post("/api/v1/applications/"+c.ID+"/withdraw", token, nil), http.StatusOK)
		}
	})
}

// submitCaseDraft opens a dibao draft with its required documents (the
// consent last), not submitted.
func submitCaseDraft(t *testing.T, env *apitest.Env, token string) wfCase {
	t.Helper()
	id := createApp(t, env, token, "dibao")
	c := wfCase{ID: id, Resident: token}
	for _, kind := range []string{"id_card", "hukou_book", "income_proof", "consent"} {
		r := upload(t, env, token, id, kind, kind+".jpg", jpegFile)
		apitest.Want(t, r, http.StatusCreated)
		c.Docs = append(c.Docs, r.Map(t)["id"].(string))
	}
	return c
}
