package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

// TestResidentFlowsLogNoSecrets runs the resident flows, including their
// failures, and then greps the captured server log: no phone number, ID
// number, login code or token may appear in any line.
func TestResidentFlowsLogNoSecrets(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		phone := newPhone()
		secrets := []string{phone}
		code := sendCode(t, env, phone)
		secrets = append(secrets, code)
		apitest.Want(t, env.Post("/api/v1/auth/sms-codes", "", map[string]string{"phone": phone}), http.StatusTooManyRequests)
		apitest.Want(t, env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": "000000"}), http.StatusUnauthorized)
		r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": code})
		apitest.Want(t, r, http.StatusCreated)
		token := r.Map(t)["token"].(string)
		secrets = append(secrets, token)

		self, child := makeID("19750505", false), makeID("20120909", true)
		secrets = append(secrets, self, child)
		apitest.Want(t, env.Put("/api/v1/me/household", token, household(withWrongCheck(self))), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Put("/api/v1/me/household", token, household(self, child)), http.StatusOK)

		other := login(t, env, newPhone())
		secrets = append(secrets, other)
		apitest.Want(t, env.Put("/api/v1/me/household", other, household(makeID("19700101", true), child)), http.StatusOK)

		id := createApp(t, env, token, "dibao")
		uploadRequired(t, env, token, id)
		apitest.Want(t, upload(t, env, token, id, "id_card", "x.png", exeFile), http.StatusUnsupportedMediaType)
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", token, nil), http.StatusOK)
		env.Get("/api/v1/me/messages", token)
		apitest.Want(t, env.Do(apitest.Request{Method: http.MethodDelete, Path: "/api/v1/auth/sessions/current", Token: token}), http.StatusNoContent)
		apitest.Want(t, env.Get("/api/v1/me/household", token), http.StatusUnauthorized)

		logs := env.Logs.String()
		if !strings.Contains(logs, "/api/v1/me/household") {
			t.Fatal("the log captured nothing; the test would prove nothing")
		}
		assertNoSecretsLogged(t, logs, secrets)
	})
}

// assertNoSecretsLogged fails when the server log holds any of secrets
// (as given or lower-cased). The WeChat flows use it too
// (TestWeChatStatusMessagesOnSteps: openids, codes, states, tickets, the
// app secret and the access token).
func assertNoSecretsLogged(t *testing.T, logs string, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		if s == "" {
			t.Error("an empty secret: the test would prove nothing")
			continue
		}
		for _, form := range []string{s, strings.ToLower(s)} {
			if strings.Contains(logs, form) {
				t.Errorf("the server log contains a secret (%d characters, starting %.3s)", len(s), s)
			}
		}
	}
}
