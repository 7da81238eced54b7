package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// ckID is an ID number born on birth with the sequence code seq.
func ckID(birth, seq string) string {
	first := "330502" + birth + seq
	return first + string(model.IDCheckChar(first))
}

// ckCase submits a 低保 case whose applicant has the ID number id.
func ckCase(t *testing.T, env *apitest.Env, id string) string {
	t.Helper()
	tok := login(t, env, newPhone())
	hh := wfHousehold(ppCommunity, 1)
	hh["members"].([]map[string]any)[0]["id_number"] = id
	apitest.Want(t, env.Put("/api/v1/me/household", tok, hh), http.StatusOK)
	app := createApp(t, env, tok, model.ProgramDibao)
	uploadRequired(t, env, tok, app)
	apitest.Want(t, env.Post("/api/v1/applications/"+app+"/submit", tok, nil), http.StatusOK)
	return app
}

func ckRun(t *testing.T, env *apitest.Env, token, app string) map[string]model.CheckResult {
	t.Helper()
	r := env.Post("/api/v1/staff/applications/"+app+"/checks", token, nil)
	apitest.Want(t, r, http.StatusCreated)
	var out struct {
		Items []model.CheckResult `json:"items"`
	}
	r.JSON(t, &out)
	bySource := map[string]model.CheckResult{}
	for _, it := range out.Items {
		bySource[it.Source] = it
	}
	if len(bySource) != len(model.CheckSources()) {
		t.Fatalf("report %s", r.Body)
	}
	return bySource
}

func TestChecksDevDriver(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		// Sequence 901: the demo human-resources source has a wage record.
		app := ckCase(t, env, ckID("19800101", "901"))
		community := wfDemo(t, env, "community").Token
		got := ckRun(t, env, community, app)
		for _, src := range model.CheckSources() {
			want := model.CheckMatch
			if src == model.SourceHumanResources {
				want = model.CheckMismatch
			}
			if got[src].Status != want {
				t.Errorf("%s: %+v, want %s", src, got[src], want)
			}
		}
		r := env.Get("/api/v1/staff/applications/"+app, wfDemo(t, env, "county").Token)
		apitest.Want(t, r, http.StatusOK)
		var v struct {
			Checks []model.CheckResult `json:"checks"`
		}
		r.JSON(t, &v)
		if len(v.Checks) != 6 {
			t.Fatalf("the report is not on the case: %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/staff/applications/"+app+"/checks", wfDemo(t, env, "community2").Token, nil), http.StatusNotFound)
	})
}

func TestChecksHTTPDriver(t *testing.T) {
	const secret = "checks-secret-0123456789"
	var mu sync.Mutex
	hits := map[string]int{}
	var badSignature bool
	platform := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		source := strings.TrimPrefix(r.URL.Path, "/")
		mu.Lock()
		hits[source]++
		if r.Header.Get("X-Jiuzhu-Signature") != service.Sign([]byte(secret), r.Header.Get("X-Jiuzhu-Timestamp"), body) {
			badSignature = true
		}
		mu.Unlock()
		switch source {
		case model.SourceRealEstate:
			_, _ = io.WriteString(w, `{"status":"mismatch","detail":"名下有住房 2 套"}`)
		case model.SourceBanks:
			http.Error(w, "down", http.StatusBadGateway)
		case model.SourceVehicles:
			time.Sleep(time.Second) // longer than the timeout
			_, _ = io.WriteString(w, `{"status":"match","detail":"无车辆"}`)
		default:
			_, _ = io.WriteString(w, `{"status":"match","detail":"一致"}`)
		}
	}))
	defer platform.Close()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		mu.Lock()
		clear(hits)
		mu.Unlock()
		app := ckCase(t, env, ckID("19800101", "123"))
		community := wfDemo(t, env, "community").Token
		for i := 0; i < 4; i++ {
			got := ckRun(t, env, community, app)
			if got[model.SourceRealEstate].Status != model.CheckMismatch || got[model.SourcePublicSecurity].Status != model.CheckMatch ||
				got[model.SourceBanks].Status != model.CheckUnavailable || got[model.SourceVehicles].Status != model.CheckUnavailable {
				t.Fatalf("run %d: %+v", i, got)
			}
			if i == 3 && !strings.Contains(got[model.SourceBanks].Detail, "暂停") {
				t.Fatalf("the breaker did not open: %+v", got[model.SourceBanks])
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if badSignature {
			t.Fatal("a request was not signed with the secret")
		}
		// Three failures open the breaker: the fourth run does not call.
		if hits[model.SourceBanks] != 3 || hits[model.SourcePublicSecurity] != 4 {
			t.Fatalf("platform calls %v", hits)
		}
	}, apitest.WithEnvs(map[string]string{"JIUZHU_CHECKS_URL": platform.URL, "JIUZHU_CHECKS_SECRET": secret, "JIUZHU_CHECKS_TIMEOUT": "300ms"}))
}

// TestChecksNeedConsent: checks refuse to run on a case without the signed
// consent (a 临时救助 case does not require one at submission), and run once
// it is uploaded; the means-tested programs require it to submit.
func TestChecksNeedConsent(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		tok := login(t, env, newPhone())
		apitest.Want(t, env.Put("/api/v1/me/household", tok, wfHousehold(ppCommunity, 1)), http.StatusOK)
		app := createApp(t, env, tok, model.ProgramTemporary)
		for _, kind := range []string{model.DocIDCard, model.DocHardshipProof} {
			apitest.Want(t, upload(t, env, tok, app, kind, kind+".jpg", jpegFile), http.StatusCreated)
		}
		apitest.Want(t, env.Post("/api/v1/applications/"+app+"/submit", tok, nil), http.StatusOK)
		community := wfDemo(t, env, "community").Token
		r := env.Post("/api/v1/staff/applications/"+app+"/checks", community, nil)
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "consent_missing" || !strings.Contains(r.Map(t)["error"].(map[string]any)["message"].(string), "授权书") {
			t.Fatalf("checks without consent: %s", r.Body)
		}
		// The resident cannot add it to a submitted case; the community
		// uploads the paper the resident signed (audited under its name).
		apitest.Want(t, upload(t, env, tok, app, model.DocConsent, "consent.jpg", jpegFile), http.StatusConflict)
		staffUpload := func(token string, want int) *apitest.Response {
			body, ct := apitest.Multipart(t, map[string]string{"kind": model.DocConsent}, "consent.jpg", jpegFile)
			r := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/applications/" + app + "/documents", Token: token,
				Body: body, Header: map[string]string{"Content-Type": ct}})
			apitest.Want(t, r, want)
			return r
		}
		staffUpload(wfDemo(t, env, "community2").Token, http.StatusNotFound) // another community
		staffUpload(wfDemo(t, env, "street").Token, http.StatusForbidden)
		doc := staffUpload(community, http.StatusCreated).Map(t)
		if doc["kind"] != model.DocConsent || doc["status"] != "pending" {
			t.Fatalf("staff upload %v", doc)
		}
		v := env.Get("/api/v1/applications/"+app, tok) // the resident sees it on the case
		apitest.Want(t, v, http.StatusOK)
		if !strings.Contains(string(v.Body), `"kind":"consent"`) {
			t.Fatalf("the resident's view: %s", v.Body)
		}
		ckRun(t, env, community, app)

		dibao, ok := model.ProgramOf(model.ProgramDibao)
		if !ok || len(dibao.MissingDocuments(map[string]bool{model.DocIDCard: true, model.DocHukouBook: true, model.DocIncomeProof: true})) != 1 {
			t.Fatal("低保 must require the consent to the checks")
		}
	})
}
