package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

func TestStaffRevealAndDocumentsAreAudited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cw := wfDemo(t, env, "community").Token
		c := wfSubmitted(t, env, "330502001001", 2)
		aud := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "aud.r", "auditor", "330502001")

		type member struct {
			Name     string `json:"name"`
			IDNumber string `json:"id_number"`
		}
		var detail struct {
			Revealed  bool `json:"revealed"`
			Household struct {
				Phone   string   `json:"phone"`
				Members []member `json:"members"`
			} `json:"household"`
		}
		r := env.Get("/api/v1/staff/applications/"+c.ID, cw)
		apitest.Want(t, r, http.StatusOK)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		r.JSON(t, &detail)
		m := detail.Household.Members[0]
		if detail.Revealed || m.Name != "王**" || !strings.Contains(m.IDNumber, "**********") || !strings.Contains(detail.Household.Phone, "****") {
			t.Fatalf("masked detail shows %+v", detail)
		}
		audited := func(action, target string) int {
			r := env.Get("/api/v1/staff/audit?action="+action+"&target_id="+target, aud.Token)
			apitest.Want(t, r, http.StatusOK)
			return len(r.Map(t)["items"].([]any))
		}
		if audited("application.reveal", c.ID) != 0 {
			t.Fatal("a masked read was audited as a reveal")
		}
		r = env.Get("/api/v1/staff/applications/"+c.ID+"?reveal=true", cw)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &detail)
		m = detail.Household.Members[0]
		if !detail.Revealed || m.Name != "王小明" || len(m.IDNumber) != 18 || strings.Contains(m.IDNumber, "*") || len(detail.Household.Phone) != 11 {
			t.Fatalf("revealed detail shows %+v", detail)
		}
		if audited("application.reveal", c.ID) != 1 {
			t.Fatal("the reveal is not in the audit trail")
		}

		// Document content: streamed through the API on every backend
		// (never a link to the blob store), and audited.
		r = env.Get("/api/v1/staff/documents/"+c.Docs[0]+"/content", cw)
		apitest.Want(t, r, http.StatusOK)
		if !bytes.Equal(r.Body, jpegFile) || r.Header.Get("Content-Type") != "image/jpeg" {
			t.Fatalf("content: %d bytes, %s", len(r.Body), r.Header.Get("Content-Type"))
		}
		if audited("document.download", c.Docs[0]) != 1 {
			t.Fatal("the download is not in the audit trail")
		}
	})
}

func TestStaffQueuePagesAndFilters(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		county := wfDemo(t, env, "county").Token
		cw := wfDemo(t, env, "community").Token
		ids := map[string]bool{}
		for i := 0; i < 3; i++ {
			ids[wfSubmitted(t, env, "330502001001", 1).ID] = true
		}
		other := wfSubmitted(t, env, "330502002001", 1).ID
		wfAct(t, env, cw, func() string {
			for id := range ids {
				return id
			}
			return ""
		}(), "accept", "", http.StatusOK)

		seen := map[string]bool{}
		path := "/api/v1/staff/applications?region_code=330502001&limit=2"
		for pages := 0; path != ""; pages++ {
			if pages > 3 {
				t.Fatal("the cursor does not end")
			}
			r := env.Get(path, county)
			apitest.Want(t, r, http.StatusOK)
			var page struct {
				Items []struct {
					ID string `json:"id"`
				} `json:"items"`
				NextCursor *string `json:"next_cursor"`
			}
			r.JSON(t, &page)
			for _, it := range page.Items {
				seen[it.ID] = true
			}
			path = ""
			if page.NextCursor != nil {
				path = "/api/v1/staff/applications?region_code=330502001&limit=2&cursor=" + *page.NextCursor
			}
		}
		if len(seen) != 3 || seen[other] {
			t.Fatalf("pages held %v", seen)
		}
		r := env.Get("/api/v1/staff/applications?status=accepted", county)
		if n := len(r.Map(t)["items"].([]any)); n != 1 {
			t.Fatalf("status filter: %d items", n)
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications?status=bogus", county), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/staff/applications?region_code=330521", county), http.StatusNotFound)
	})
}

func TestPublicObjectionsAreRateLimited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cw, st := wfDemo(t, env, "community").Token, wfDemo(t, env, "street").Token
		wfPublicized(t, env, "330502001001", cw, st)
		n := wfNotices(t, env, "330502")
		path := "/api/v1/public/notices/" + n[0]["id"].(string) + "/objections"
		for i := 0; i < 5; i++ {
			apitest.Want(t, env.Post(path, "", map[string]string{"content": fmt.Sprintf("异议 %d", i)}), http.StatusCreated)
		}
		r := env.Post(path, "", map[string]string{"content": "one more"})
		apitest.Want(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		// Another address is not limited; an unknown notice is 404.
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodPost, Path: path, IP: "198.51.100.7", Body: map[string]string{"content": "另一个人"}}), http.StatusCreated)
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/public/notices/NOPE/objections", IP: "198.51.100.8", Body: map[string]string{"content": "x"}}), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/public/notices?region_code=999", ""), http.StatusUnprocessableEntity)
	})
}
