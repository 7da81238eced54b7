package api_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// A resident who withdraws during the 公示 takes the case off the notice
// board at once: the notice row is closed, not only hidden.
func TestWithdrawDuringPublicityClosesTheNotice(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		community, street := wfDemo(t, env, "community").Token, wfDemo(t, env, "street").Token
		c := wfPublicized(t, env, "330502001001", community, street)
		ctx := context.Background()
		if _, err := env.Backends.DB.OpenNoticeOf(ctx, c.ID); err != nil {
			t.Fatalf("no open notice while publicizing: %v", err)
		}
		apitest.Want(t, env.Post("/api/v1/applications/"+c.ID+"/withdraw", c.Resident, map[string]string{"reason": "家庭情况好转"}), http.StatusOK)
		if _, err := env.Backends.DB.OpenNoticeOf(ctx, c.ID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("notice still open after withdrawal: %v", err)
		}
		for _, n := range wfNotices(t, env, "330502001001") {
			if n["id"] != nil && n["application_id"] == c.ID {
				t.Fatalf("withdrawn case on the public board: %v", n)
			}
		}
	})
}
