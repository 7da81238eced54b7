package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
)

type msgPage struct {
	Items []struct {
		ID     string  `json:"id"`
		ReadAt *string `json:"read_at"`
	} `json:"items"`
	Unread int64 `json:"unread"`
}

func TestMessagesMarkedRead(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token, _ := resident(t, env)
		id := createApp(t, env, token, "dibao")
		uploadRequired(t, env, token, id)
		apitest.Want(t, env.Post("/api/v1/applications/"+id+"/submit", token, nil), http.StatusOK)
		other, _ := resident(t, env)
		otherApp := createApp(t, env, other, "dibao")
		apitest.Want(t, env.Post("/api/v1/applications/"+otherApp+"/withdraw", other, map[string]string{}), http.StatusOK)

		var page msgPage
		r := env.Get("/api/v1/me/messages", token)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &page)
		if len(page.Items) == 0 || page.Unread != int64(len(page.Items)) {
			t.Fatalf("before reading: %d messages, %d unread", len(page.Items), page.Unread)
		}
		newest := page.Items[0].ID

		// The other resident's newest id marks nothing of theirs from here.
		var otherPage msgPage
		env.Get("/api/v1/me/messages", other).JSON(t, &otherPage)
		r = env.Post("/api/v1/me/messages/read", token, map[string]string{"up_to": newest})
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["unread"].(float64) != 0 {
			t.Fatalf("unread after marking: %s", r.Body)
		}
		env.Get("/api/v1/me/messages", token).JSON(t, &page)
		for _, m := range page.Items {
			if m.ReadAt == nil {
				t.Fatalf("message %s still unread", m.ID)
			}
		}
		var after msgPage
		env.Get("/api/v1/me/messages", other).JSON(t, &after)
		if after.Unread != otherPage.Unread || after.Unread == 0 {
			t.Fatalf("another resident's messages changed: %d → %d unread", otherPage.Unread, after.Unread)
		}
		apitest.Want(t, env.Post("/api/v1/me/messages/read", token, map[string]string{"up_to": ""}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/me/messages/read", "", map[string]string{"up_to": newest}), http.StatusUnauthorized)
	})
}
