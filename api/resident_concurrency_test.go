package api_test

import (
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

func TestConcurrentCreatesOpenOneApplication(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		const n = 4
		statuses := apitest.Statuses(apitest.Concurrently(n, func(int) *apitest.Response {
			return env.Post("/api/v1/applications", token, map[string]string{"program": "medical", "reason": "大病"})
		}))
		sort.Ints(statuses)
		if statuses[0] != http.StatusCreated || statuses[1] != http.StatusConflict || statuses[n-1] != http.StatusConflict {
			t.Fatalf("statuses %v, want one 201 and the rest 409", statuses)
		}
		// Another program is another slot.
		createApp(t, env, token, "dibao")
	})
}

func TestApplicationIdempotencyKey(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		body := map[string]string{"program": "temporary", "reason": "火灾"}
		key := map[string]string{"Idempotency-Key": "phone-retry-0001"}
		first := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token, Body: body, Header: key})
		apitest.Want(t, first, http.StatusCreated)
		again := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token, Body: body, Header: key})
		apitest.Want(t, again, http.StatusCreated)
		if string(again.Body) != string(first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay differs:\n%s\n%s", first.Body, again.Body)
		}
		other := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token,
			Body: map[string]string{"program": "housing"}, Header: key})
		apitest.Want(t, other, http.StatusUnprocessableEntity)
		if other.ErrorCode() != "idempotency_key_reused" {
			t.Fatalf("code %q", other.ErrorCode())
		}
		// Keys are per resident: another resident's same key is a new request.
		token2, _ := resident(t, env)
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token2, Body: body, Header: key}), http.StatusCreated)

		var list struct{ Items []struct{ ID string } }
		env.Get("/api/v1/applications", token).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("%d applications after a replay, want 1", len(list.Items))
		}

		// Submit replays too.
		id := first.Map(t)["id"].(string)
		for _, kind := range []string{"id_card", "hardship_proof"} {
			apitest.Want(t, upload(t, env, token, id, kind, kind+".jpg", jpegFile), http.StatusCreated)
		}
		skey := map[string]string{"Idempotency-Key": "submit-" + id}
		s1 := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + id + "/submit", Token: token, Header: skey})
		apitest.Want(t, s1, http.StatusOK)
		s2 := env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications/" + id + "/submit", Token: token, Header: skey})
		apitest.Want(t, s2, http.StatusOK)
		if string(s1.Body) != string(s2.Body) {
			t.Fatal("submit replay differs")
		}
	})
}

func TestApplicationInputs(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		r := env.Post("/api/v1/applications", token, map[string]string{"program": "lottery"})
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token, Body: []byte(`{"program": dibao}`), NoCheck: true})
		apitest.Want(t, r, http.StatusBadRequest)
		r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/applications", Token: token, Body: []byte(`{"program": 7}`), NoCheck: true})
		apitest.Want(t, r, http.StatusBadRequest)
		r = env.Post("/api/v1/applications", token, map[string]string{"program": "dibao", "reason": strings.Repeat("长", 2001)})
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/applications?limit=0", token), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/me/messages?cursor=!!!", token), http.StatusUnprocessableEntity)
	})
}
