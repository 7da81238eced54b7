package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// fzRoute is one staff or school endpoint for the bad-input sweep: who may
// call it (so the request reaches the handler's own checks), the path with
// a "{id}" placeholder, a body that is well-formed, and the query
// parameters it reads.
type fzRoute struct {
	who    string
	method string
	path   string
	body   map[string]any
	query  []string
	target string // the key in the targets map of a real id for {id}
}

// fzBadBodies are bodies no handler may answer with a 5xx.
var fzBadBodies = []string{
	``, `{`, `}`, `[]`, `[1,2]`, `null`, `"text"`, `12`, `true`, `{"a":1}{"b":2}`, `{"a":1} x`,
	`{"items":{"misc_fee":1e400}}`, "\xff\xfe", `{"` + strings.Repeat("k", 10000) + `":1}`,
}

// fzBadValues are values substituted for each field of a body.
var fzBadValues = []any{
	nil, "", " ", -1, 0, int64(-9223372036854775808), uint64(18446744073709551615), 1.5, 1e300, true,
	"zzz-not-an-enum", strings.Repeat("长", 5000), strings.Repeat("x", 70000), []any{1, "a"},
	map[string]any{"x": -1}, map[string]any{"misc_fee": -100}, map[string]any{"misc_fee": int64(9223372036854775807)},
	"2026-13-45", "%_%", "'; DROP TABLE staff; --", "\u0000", "330502\u0000",
}

// fzBadQuery are values substituted for each query parameter.
var fzBadQuery = []string{"", "-1", "0", "101", "99999999999999999999", "abc", "%", "_", "%25%5F", "true", "yes",
	strings.Repeat("9", 300), "2026-autumn", "1999-spring", "9999-autumn", "330502001001001001", "%00"}

// fzBadIDs are path ids no handler may answer with a 5xx.
var fzBadIDs = []string{"x", strings.Repeat("A", 300), "%25", "%00", "..%2F..%2Fetc", url.PathEscape(strings.Repeat("长", 100)),
	"EDU-0000-0000-0000-0", "edu-7k3m-9qxd-2whp-r", strings.Repeat("7", 40), "EDU-" + strings.Repeat("Z", 200)}

func TestReviewBadInputNeverServerError(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		tok := map[string]string{}
		for _, u := range []string{"admin", "auditor", "education", "county", "street", "community", "school"} {
			tok[u] = wfDemo(t, env, u).Token
		}
		term := model.TermOf(env.Clock.Now())
		targets := fzTargets(t, env, tok)
		routes := []fzRoute{
			{who: "", method: http.MethodPost, path: "/api/v1/staff/sessions", body: map[string]any{"username": "nobody", "password": "x", "totp_code": "1"}},
			{who: "community", method: http.MethodPost, path: "/api/v1/staff/me/totp/confirm", body: map[string]any{"code": "123456"}},
			{who: "admin", method: http.MethodGet, path: "/api/v1/staff/accounts", query: []string{"limit", "cursor"}},
			{who: "admin", method: http.MethodPost, path: "/api/v1/staff/accounts", body: map[string]any{"username": "fz.user", "password": wfPassword,
				"role": model.RoleCommunityWorker, "region_code": "330502001001", "school_id": nil, "display_name": "x"}},
			{who: "admin", method: http.MethodPost, target: "staff", path: "/api/v1/staff/accounts/{id}/password", body: map[string]any{"password": wfPassword}},
			{who: "admin", method: http.MethodPost, path: "/api/v1/staff/accounts/{id}/disable", target: "staff"},
			{who: "admin", method: http.MethodPut, path: "/api/v1/staff/roles/{id}/settings", body: map[string]any{"require_totp": false}},
			{who: "county", method: http.MethodGet, path: "/api/v1/staff/applications", query: []string{"limit", "cursor", "status", "program", "region_code"}},
			{who: "county", method: http.MethodGet, target: "app", path: "/api/v1/staff/applications/{id}", query: []string{"reveal"}},
			{who: "community", method: http.MethodPut, target: "app", path: "/api/v1/staff/applications/{id}/assessment", body: map[string]any{"per_capita_income": 100,
				"monthly_amount": 100, "amount_reason": "x", "home_visit": map[string]any{"date": "2026-01-01", "note": "n"}}},
			{who: "community", method: http.MethodPost, target: "app", path: "/api/v1/staff/applications/{id}/actions", body: map[string]any{"action": "accept", "reason": "r"}},
			{who: "county", method: http.MethodPost, path: "/api/v1/staff/applications/{id}/actions", body: map[string]any{"action": "approve", "reason": "r"}},
			// A step above the caller's level is refused and the refusal audited.
			{who: "community", method: http.MethodPost, path: "/api/v1/staff/applications/{id}/actions", body: map[string]any{"action": "approve"}},
			{who: "county", method: http.MethodGet, path: "/api/v1/staff/documents/{id}/content"},
			{who: "community", method: http.MethodPost, target: "doc", path: "/api/v1/staff/documents/{id}/review", body: map[string]any{"decision": "rejected", "reason": "r"}},
			{who: "street", method: http.MethodGet, path: "/api/v1/staff/objections", query: []string{"limit", "cursor", "status", "application_id"}},
			{who: "street", method: http.MethodPost, target: "objection", path: "/api/v1/staff/objections/{id}/resolve", body: map[string]any{"resolution": "r", "upheld": false}},
			{who: "county", method: http.MethodPut, path: "/api/v1/staff/standards", body: map[string]any{"region_code": "330502", "year": 2026, "hukou": "urban", "monthly_amount": 100}},
			{who: "auditor", method: http.MethodGet, path: "/api/v1/staff/audit", query: []string{"limit", "cursor", "region_code", "actor_id", "action", "target_type", "target_id"}},
			{who: "street", method: http.MethodPost, path: "/api/v1/staff/publications", body: map[string]any{"region_code": "330502001", "program": "dibao", "period": "2026-01"}},
			{who: "street", method: http.MethodPost, target: "publication", path: "/api/v1/staff/publications/{id}/withdraw", body: map[string]any{"reason": "wrong list"}},
			{who: "education", method: http.MethodPut, path: "/api/v1/staff/voucher-caps", body: map[string]any{"term": term, "stage": model.StageCompulsory, "items": map[string]any{"misc_fee": 100}}},
			{who: "education", method: http.MethodPost, target: "voucher2", path: "/api/v1/staff/vouchers/{id}/void", body: map[string]any{"reason": "a reason"}},
			{who: "education", method: http.MethodPost, target: "voucher3", path: "/api/v1/staff/vouchers/{id}/reissue", body: map[string]any{"reason": "a reason"}},
			{who: "education", method: http.MethodGet, path: "/api/v1/staff/statements", query: []string{"term"}},
			{who: "education", method: http.MethodGet, path: "/api/v1/staff/statements.xlsx", query: []string{"term"}},
			{who: "county", method: http.MethodGet, path: "/api/v1/staff/medical-list", query: []string{"region_code", "year", "reveal"}},
			{who: "county", method: http.MethodGet, path: "/api/v1/staff/medical-list.xlsx", query: []string{"region_code", "year"}},
			{who: "school", method: http.MethodGet, path: "/api/v1/school/vouchers/{id}"},
			{who: "school", method: http.MethodPost, target: "voucher", path: "/api/v1/school/vouchers/{id}/redemptions", body: map[string]any{"items": map[string]any{"misc_fee": 100}}},
			{who: "school", method: http.MethodGet, path: "/api/v1/school/statements", query: []string{"term"}},
			{who: "school", method: http.MethodGet, path: "/api/v1/school/statements.xlsx", query: []string{"term"}},
			{who: "", method: http.MethodGet, path: "/api/v1/public/notices", query: []string{"region_code", "limit", "cursor"}},
			{who: "", method: http.MethodPost, target: "notice", path: "/api/v1/public/notices/{id}/objections", body: map[string]any{"content": "c", "contact": "13900000000"}},
			{who: "", method: http.MethodGet, path: "/api/v1/public/publications", query: []string{"region_code", "limit", "cursor"}},
			{who: "", method: http.MethodGet, path: "/api/v1/public/publications/{id}"},
		}
		n := 0
		send := func(rt fzRoute, path string, body any, header map[string]string) {
			t.Helper()
			n++
			// Every request from its own address, so the per-IP limits of
			// the public and school routes do not hide the handlers.
			ip := fmt.Sprintf("10.%d.%d.%d", n>>16&255, n>>8&255, n&255)
			r := env.Do(apitest.Request{Method: rt.method, Path: path, Token: tok[rt.who], Body: body, Header: header, IP: ip, NoCheck: true})
			if r.Status >= 500 {
				desc := fmt.Sprintf("%v", body)
				if b, ok := body.([]byte); ok {
					desc = string(b)
				}
				t.Errorf("%s %.200s as %q with body %.200s: %d %.300s", rt.method, path, rt.who, desc, r.Status, r.Body)
			}
		}
		for _, rt := range routes {
			id := "01HZZZZZZZZZZZZZZZZZZZZZZZ"
			if rt.target != "" {
				id = targets[rt.target]
			}
			base := strings.ReplaceAll(rt.path, "{id}", id)
			for _, id := range fzBadIDs {
				if strings.Contains(rt.path, "{id}") {
					send(rt, strings.ReplaceAll(rt.path, "{id}", id), rt.body, nil)
				}
			}
			for _, q := range rt.query {
				for _, v := range fzBadQuery {
					send(rt, base+"?"+q+"="+v, nil, nil)
				}
			}
			if rt.method == http.MethodGet || rt.method == http.MethodDelete {
				continue
			}
			for _, b := range fzBadBodies {
				send(rt, base, []byte(b), nil)
			}
			send(rt, base, rt.body, map[string]string{"Content-Type": "text/plain"})
			send(rt, base, rt.body, map[string]string{"Idempotency-Key": strings.Repeat("k", 5000)})
			for field := range rt.body {
				for _, v := range fzBadValues {
					b := map[string]any{}
					for k, x := range rt.body {
						b[k] = x
					}
					b[field] = v
					send(rt, base, b, nil)
				}
			}
		}
	})
}

// fzTargets makes one real target of each kind in 吴兴区, so the sweep
// reaches the checks behind the lookups: a case under investigation with
// its documents, an open objection to a publicized case, a publication,
// three vouchers with caps set, and a staff account.
func fzTargets(t *testing.T, env *apitest.Env, tok map[string]string) map[string]string {
	t.Helper()
	out := map[string]string{}
	year := env.Clock.Now().Year()
	for _, hukou := range []string{"urban", "rural"} {
		apitest.Want(t, env.Put("/api/v1/staff/standards", tok["county"], map[string]any{"region_code": "330502", "year": year, "hukou": hukou, "monthly_amount": 112000}), http.StatusOK)
	}
	c := wfSubmitted(t, env, "330502001001", 2)
	wfAct(t, env, tok["community"], c.ID, "accept", "", http.StatusOK)
	wfAct(t, env, tok["community"], c.ID, "investigate", "", http.StatusOK)
	out["app"], out["doc"] = c.ID, c.Docs[0]
	pub := wfPublicized(t, env, "330502001001", tok["community"], tok["street"])
	for _, n := range wfNotices(t, env, "330502001001") {
		out["notice"] = n["id"].(string)
	}
	apitest.Want(t, env.Post("/api/v1/public/notices/"+out["notice"]+"/objections", "", map[string]string{"content": "请核实"}), http.StatusCreated)
	r := env.Get("/api/v1/staff/objections?application_id="+pub.ID, tok["street"])
	apitest.Want(t, r, http.StatusOK)
	out["objection"] = r.Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	r = env.Post("/api/v1/staff/publications", tok["street"], map[string]string{"region_code": "330502001", "program": "dibao", "period": env.Clock.Now().Format("2006-01")})
	apitest.Want(t, r, http.StatusCreated)
	out["publication"] = r.Map(t)["id"].(string)
	term := model.TermOf(env.Clock.Now())
	apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", tok["education"], map[string]any{"term": term, "stage": model.StageCompulsory,
		"items": map[string]int64{"misc_fee": 50000, "custody_fee": 50000, "boarding_fee": 50000, "transfer_fee": 50000}}), http.StatusOK)
	h := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{vCompulsory, vCompulsory, vCompulsory}, false)
	for i, v := range vMyVouchers(t, env, vResidentToken(env, h)) {
		out[[]string{"voucher", "voucher2", "voucher3"}[i]] = v.Code
	}
	out["staff"] = wfNewStaff(t, env, tok["admin"], "fz.target", model.RoleCommunityWorker, "330502001001").ID
	return out
}
