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
