package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// Hardening item 9g: the school previews and redeems with the voucher code
// in the JSON body or the X-Voucher-Code header, never in the URL; the path
// forms keep working.
func TestVoucherCodeOutOfTheURL(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramDibao, "330502001001", 50000, [][2]string{vCompulsory, vCompulsory, vCompulsory}, false)
		vs := vMyVouchers(t, env, vResidentToken(env, h))
		if len(vs) != 3 {
			t.Fatalf("%d vouchers", len(vs))
		}
		school := wfDemo(t, env, "school").Token
		lower := strings.ToLower(vs[0].Code)

		r := env.Post("/api/v1/school/vouchers/preview", school, map[string]string{"code": lower})
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["code"] != vs[0].Code {
			t.Fatalf("preview by body: %s", r.Body)
		}
		r = env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/school/vouchers/preview", Token: school,
			Header: map[string]string{"X-Voucher-Code": vs[1].Code}})
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["code"] != vs[1].Code {
			t.Fatalf("preview by header: %s", r.Body)
		}
		r = env.Post("/api/v1/school/vouchers/preview", school, map[string]string{})
		apitest.Want(t, r, http.StatusUnprocessableEntity)

		items := map[string]int64{model.ItemMiscFee: 100}
		redeem := func(key string, body map[string]any, header map[string]string) *apitest.Response {
			hd := map[string]string{"Idempotency-Key": key}
			for k, v := range header {
				hd[k] = v
			}
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/school/redemptions", Token: school, Body: body, Header: hd})
		}
		apitest.Want(t, redeem("a", map[string]any{"code": vs[0].Code, "items": items}, nil), http.StatusCreated)
		apitest.Want(t, redeem("b", map[string]any{"code": vs[0].Code, "items": items}, nil), http.StatusConflict)
		apitest.Want(t, redeem("c", map[string]any{"items": items}, map[string]string{"X-Voucher-Code": vs[1].Code}), http.StatusCreated)
		apitest.Want(t, redeem("d", map[string]any{"items": items}, nil), http.StatusUnprocessableEntity)
		// The path form still works.
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+vs[2].Code+"/redemptions", school, map[string]any{"items": items}), http.StatusCreated)
	})
}
