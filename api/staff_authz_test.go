package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// The authorization matrix: one row per staff route (everything under
// /api/v1/staff/ and /api/v1/school/, read from the router). A row names
// the roles that pass the route's permission check and builds a request
// that, for those roles, reaches the handler's own logic; the expectation
// of every cell is derived from the row:
//
//	no token                         401
//	resident token                   403
//	a role not in roles              403
//	a role in roles, target in region   ok
//	a role in roles, target elsewhere   404 when scoped, ok otherwise
//
// Public rows (login) expect ok from everyone. A route registered without a
// row fails the test; so does a row whose route is gone. To add a route:
// add a row here (and, when it needs one, a target in authzFixture).

// authzRow is one route of the matrix.
type authzRow struct {
	roles  []model.Role
	req    func(f *authzFixture, in bool) apitest.Request
	ok     []int // the status(es) an allowed role gets in region
	scoped bool  // out of region answers 404
	public bool  // no authentication
	fresh  bool  // the request spends the caller's session: use a copy
	// standIn roles pass the route as the level above (model.StandIns) and
	// are refused on the fixture's cases (no declared conflict): 403 in
	// region, 404 out of it.
	standIn []model.Role
}

// Role sets used by the rows.
var (
	mxAnyStaff        = model.Roles
	mxReaders         = []model.Role{model.RoleCommunityWorker, model.RoleStreetReviewer, model.RoleCountyApprover, model.RoleAuditor, model.RoleAdmin}
	mxRevealers       = []model.Role{model.RoleCommunityWorker, model.RoleStreetReviewer, model.RoleCountyApprover, model.RoleAuditor}
	mxCommunity       = []model.Role{model.RoleCommunityWorker}
	mxStreetUp        = []model.Role{model.RoleStreetReviewer, model.RoleCountyApprover}
	mxCounty          = []model.Role{model.RoleCountyApprover}
	mxStreetUpAuditor = []model.Role{model.RoleStreetReviewer, model.RoleCountyApprover, model.RoleAuditor}
	mxAuditor         = []model.Role{model.RoleAuditor}
	mxAdmin           = []model.Role{model.RoleAdmin}
	mxRollReaders     = []model.Role{model.RoleCountyApprover, model.RoleFinanceOfficer, model.RoleAuditor}
	mxRollMakers      = []model.Role{model.RoleCountyApprover, model.RoleFinanceOfficer}
	mxFinance         = []model.Role{model.RoleFinanceOfficer}
	mxDonationReaders = []model.Role{model.RoleCountyApprover, model.RoleFinanceOfficer, model.RoleAuditor}
	mxStation         = []model.Role{model.RoleStation}
)

// mxPick returns a when in is true, b otherwise.
func mxPick(in bool, a, b string) string {
	if in {
		return a
	}
	return b
}

func mxGet(path string) apitest.Request { return apitest.Request{Method: http.MethodGet, Path: path} }

func mxSend(method, path string, body any) apitest.Request {
	return apitest.Request{Method: method, Path: path, Body: body}
}

// staffMatrix is the table. Keys are "METHOD /gin/path"; a "#variant"
// suffix adds another row for the same route.
var staffMatrix = map[string]authzRow{
	"POST /api/v1/staff/sessions": {public: true, ok: []int{http.StatusUnauthorized},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/sessions", map[string]string{"username": f.next("nobody"), "password": "not-the-password"})
		}},
	"DELETE /api/v1/staff/sessions/current": {roles: mxAnyStaff, fresh: true, ok: []int{http.StatusNoContent},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodDelete, "/api/v1/staff/sessions/current", nil)
		}},
	"GET /api/v1/staff/me": {roles: mxAnyStaff, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/me") }},
	"POST /api/v1/staff/me/totp": {roles: mxAnyStaff, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/me/totp", nil)
		}},
	// Runs after the row above (rows run in key order): a wrong code.
	"POST /api/v1/staff/me/totp/confirm": {roles: mxAnyStaff, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/me/totp/confirm", map[string]string{"code": "000000"})
		}},

	"GET /api/v1/staff/accounts": {roles: mxAdmin, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/accounts") }},
	"POST /api/v1/staff/accounts": {roles: mxAdmin, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/accounts", map[string]any{"username": f.next("made"), "password": wfPassword,
				"role": model.RoleCommunityWorker, "region_code": mxPick(in, "330502001002", "330521001001")})
		}},
	"POST /api/v1/staff/accounts/:id/disable": {roles: mxAdmin, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/accounts/"+mxPick(in, f.staffIn, f.staffOut)+"/disable", nil)
		}},
	"POST /api/v1/staff/accounts/:id/enable": {roles: mxAdmin, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/accounts/"+mxPick(in, f.staffIn, f.staffOut)+"/enable", nil)
		}},
	// An unknown grant: 404 for every admin (hardening_grants_test.go
	// confirms real ones).
	"POST /api/v1/staff/grants/:id/confirm": {roles: mxAdmin, ok: []int{http.StatusNotFound},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/grants/"+f.next("nogrant")+"/confirm", nil)
		}},
	"POST /api/v1/staff/accounts/:id/unlock": {roles: mxAdmin, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/accounts/"+mxPick(in, f.staffIn, f.staffOut)+"/unlock", nil)
		}},
	"POST /api/v1/staff/accounts/:id/password": {roles: mxAdmin, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/accounts/"+mxPick(in, f.staffIn, f.staffOut)+"/password", map[string]string{"password": "matrix-password-1"})
		}},
	"DELETE /api/v1/staff/accounts/:id/totp": {roles: mxAdmin, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodDelete, "/api/v1/staff/accounts/"+mxPick(in, f.staffIn, f.staffOut)+"/totp", nil)
		}},
	// Role settings are city-wide: the district admin of the matrix passes
	// the permission check and is then refused (TestStaffTOTP covers the
	// city admin).
	"PUT /api/v1/staff/roles/:role/settings": {roles: mxAdmin, ok: []int{http.StatusForbidden},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/roles/department_officer/settings", map[string]bool{"require_totp": false})
		}},

	"GET /api/v1/staff/applications": {roles: mxReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/applications" + mxPick(in, "", "?region_code=330521"))
		}},
	"GET /api/v1/staff/applications/:id": {roles: mxReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/applications/" + mxPick(in, f.appIn, f.appOut))
		}},
	"GET /api/v1/staff/applications/:id#reveal": {roles: mxRevealers, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/applications/" + mxPick(in, f.appIn, f.appOut) + "?reveal=true")
		}},
	"PUT /api/v1/staff/applications/:id/assessment": {roles: mxCommunity, standIn: []model.Role{model.RoleStreetReviewer}, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/assessment", map[string]any{})
		}},
	// The action decides the level: approve is the county's, and the case
	// in region is only submitted (409).
	// The street may approve an urgent temporary case from investigating
	// (急难型), so it reaches the case: 403 for this one, 404 out of region.
	"POST /api/v1/staff/applications/:id/actions": {roles: mxStreetUp, scoped: true, ok: []int{http.StatusConflict, http.StatusForbidden},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/actions", map[string]string{"action": "approve"})
		}},
	"POST /api/v1/staff/applications/:id/actions#accept": {roles: mxCommunity, standIn: []model.Role{model.RoleStreetReviewer}, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.pubIn, f.pubOut)+"/actions", map[string]string{"action": "accept"})
		}},
	"GET /api/v1/staff/documents/:id/content": {roles: mxRevealers, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/documents/" + mxPick(in, f.docIn, f.docOut) + "/content")
		}},
	"POST /api/v1/staff/documents/:id/review": {roles: mxCommunity, standIn: []model.Role{model.RoleStreetReviewer}, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/documents/"+mxPick(in, f.docIn, f.docOut)+"/review", map[string]string{"decision": "maybe"})
		}},

	"POST /api/v1/staff/applications/:id/documents": {roles: mxCommunity, scoped: true, ok: []int{http.StatusUnprocessableEntity, http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			// An unknown kind: refused after the checks of role, region and status.
			var body bytes.Buffer
			w := multipart.NewWriter(&body)
			_ = w.WriteField("kind", "lottery_ticket")
			fw, _ := w.CreateFormFile("file", "x.pdf")
			_, _ = fw.Write([]byte("%PDF-1.4\n%%EOF\n"))
			_ = w.Close()
			return apitest.Request{Method: http.MethodPost, Path: "/api/v1/staff/applications/" + mxPick(in, f.appIn, f.appOut) + "/documents",
				Body: body.Bytes(), Header: map[string]string{"Content-Type": w.FormDataContentType()}}
		}},

	"POST /api/v1/staff/spot-checks": {roles: mxCounty, scoped: true, ok: []int{http.StatusCreated, http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/spot-checks", map[string]string{"region_code": mxPick(in, "330502", "330521"),
				"period": model.MonthOf(f.env.Clock.Now())})
		}},
	"GET /api/v1/staff/spot-checks": {roles: []model.Role{model.RoleCountyApprover, model.RoleAuditor}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/spot-checks") }},
	"POST /api/v1/staff/spot-checks/:id/outcome": {roles: mxCounty, ok: []int{http.StatusNotFound},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/spot-checks/no-such-check/outcome", map[string]string{"outcome": "confirmed"})
		}},
	"POST /api/v1/staff/applications/:id/review-meetings": {roles: mxCommunity, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/review-meetings",
				map[string]any{"held_on": "2026-01-05", "attendees": 5, "agree": 3, "disagree": 1, "abstain": 1})
		}},
	"GET /api/v1/staff/objections": {roles: mxRevealers, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/objections") }},
	"POST /api/v1/staff/objections/:id/resolve": {roles: mxStreetUp, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/objections/"+mxPick(in, f.objIn, f.objOut)+"/resolve", map[string]any{"resolution": ""})
		}},
	"PUT /api/v1/staff/standards": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/standards", map[string]any{"region_code": mxPick(in, "330502", "330521"),
				"year": time.Now().Year(), "hukou": "urban", "monthly_amount": 112000})
		}},
	"GET /api/v1/staff/policy-figures": {roles: mxReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/policy-figures?region_code=" + mxPick(in, "330502", "330521"))
		}},
	"PUT /api/v1/staff/policy-figures": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/policy-figures", map[string]any{"region_code": mxPick(in, "330502", "330521"),
				"year": time.Now().Year(), "figures": model.DefaultFigures()})
		}},
	"GET /api/v1/staff/applications/:id/service-records": {roles: mxReaders, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/applications/" + mxPick(in, f.appIn, f.appOut) + "/service-records")
		}},
	"POST /api/v1/staff/applications/:id/service-records": {roles: mxCommunity, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/service-records",
				map[string]string{"kind": "registration", "note": "求职登记"})
		}},
	"GET /api/v1/staff/duplicate-hits": {roles: mxStreetUpAuditor, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/duplicate-hits?region_code=" + mxPick(in, "330502001001", "330521001001"))
		}},
	"PUT /api/v1/staff/calendar": {roles: mxAdmin, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/calendar", map[string]any{"year": 2099, "holidays": []string{"2099-01-01"}, "workdays": []string{}})
		}},
	"GET /api/v1/staff/overdue": {roles: mxRevealers, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/overdue?region_code=" + mxPick(in, "330502001001", "330521001001"))
		}},
	"GET /api/v1/staff/deadline-reminders": {roles: mxRevealers, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/deadline-reminders") }},
	"POST /api/v1/staff/applications/:id/extend": {roles: mxCounty, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/extend", map[string]string{"reason": "情况复杂，需延期核实"})
		}},
	"POST /api/v1/staff/duplicate-hits/:id/resolve": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			app, region := mxPick(in, f.appIn, f.appOut), mxPick(in, "330502001001", "330521001001")
			other := f.next("other")
			h := &model.DuplicateHit{ID: f.next("hit"), Kind: model.HitSamePerson, ApplicationID: app, OtherApplicationID: &other,
				RegionCode: region, Detail: "authz", Status: model.HitOpen, CreatedAt: f.env.Clock.Now()}
			if _, err := f.env.Backends.DB.CreateDuplicateHit(context.Background(), h); err != nil {
				f.t.Fatal(err)
			}
			return mxSend(http.MethodPost, "/api/v1/staff/duplicate-hits/"+h.ID+"/resolve", map[string]string{"resolution": "override", "reason": "核实无误"})
		}},
	"POST /api/v1/staff/applications/:id/checks": {roles: []model.Role{model.RoleCommunityWorker, model.RoleStreetReviewer, model.RoleCountyApprover}, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/applications/"+mxPick(in, f.appIn, f.appOut)+"/checks", nil)
		}},
	"POST /api/v1/staff/assisted-applications": {roles: mxCommunity, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/assisted-applications", map[string]any{"phone": newPhone(),
				"household": wfHousehold(mxPick(in, "330502001001", "330521001001"), 1), "program": "dibao", "reason": "老人行动不便，社区代办"})
		}},
	"PUT /api/v1/staff/me/relatives": {roles: []model.Role{model.RoleCommunityWorker, model.RoleStreetReviewer, model.RoleCountyApprover}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/me/relatives", map[string]any{"relatives": []map[string]string{
				{"name": "张三", "id_number": makeID("19600101", true), "relation": "parent"}}})
		}},
	"GET /api/v1/staff/relatives": {roles: mxAuditor, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/relatives") }},
	"GET /api/v1/staff/audit": {roles: mxAuditor, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/audit" + mxPick(in, "", "?region_code=330521"))
		}},

	// ---- Payment rolls (targets: mnTargets in api/money_authz_test.go).
	"GET /api/v1/staff/payment-rolls": {roles: mxRollReaders, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/payment-rolls") }},
	// The county makes it first, finance's is then the second of the month.
	"POST /api/v1/staff/payment-rolls": {roles: mxRollMakers, scoped: true, ok: []int{http.StatusCreated, http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/payment-rolls", map[string]string{"region_code": mxPick(in, "330502", "330521"),
				"program": "dibao", "period": model.MonthOf(f.env.Clock.Now())})
		}},
	"GET /api/v1/staff/payment-rolls/:id": {roles: mxRollReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := mnTargets(f)
			return mxGet("/api/v1/staff/payment-rolls/" + mxPick(in, t.rollIn, t.rollOut))
		}},
	// The roll of the matrix was made by a county approver: finance approves.
	"POST /api/v1/staff/payment-rolls/:id/actions": {roles: mxFinance, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := mnTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/payment-rolls/"+mxPick(in, t.rollIn, t.rollOut)+"/actions", map[string]string{"action": "approve"})
		}},
	// Runs after the approval above: a line of another roll.
	"POST /api/v1/staff/payment-rolls/:id/results": {roles: mxFinance, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := mnTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/payment-rolls/"+mxPick(in, t.rollIn, t.rollOut)+"/results",
				map[string]any{"results": []map[string]string{{"line_id": "no-such-line", "status": "paid"}}})
		}},

	"PUT /api/v1/staff/fund-budgets": {roles: mxCounty, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/fund-budgets", map[string]any{"region_code": mxPick(in, "330502", "330521"),
				"program": "dibao", "period": model.MonthOf(f.env.Clock.Now()), "amount": 1000000})
		}},
	"GET /api/v1/staff/roll-reminders": {roles: mxRollReaders, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/roll-reminders") }},
	"GET /api/v1/staff/fund-ledger": {roles: mxRollReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/fund-ledger?region_code=" + mxPick(in, "330502", "330521"))
		}},

	// ---- Publications, vouchers, statements, medical list (targets in api/voucher_authz_test.go).
	"POST /api/v1/staff/publications": {roles: mxStreetUp, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/publications", map[string]string{"region_code": mxPick(in, "330502001", "330521001"),
				"program": "dibao", "period": f.env.Clock.Now().Format("2006-01")})
		}},
	"POST /api/v1/staff/publications/:id/withdraw": {roles: mxStreetUp, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := vTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/publications/"+mxPick(in, t.pubIn, t.pubOut)+"/withdraw", map[string]string{"reason": ""})
		}},
	// Caps are city-wide: the district education officer of the matrix
	// passes the permission check and is then refused
	// (TestReviewVoucherCapsAreCityWide covers the city's officer).
	"PUT /api/v1/staff/voucher-caps": {roles: []model.Role{model.RoleEducationOfficer}, ok: []int{http.StatusForbidden},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPut, "/api/v1/staff/voucher-caps", map[string]any{"term": model.TermOf(f.env.Clock.Now()), "stage": "special",
				"items": map[string]int64{"nursery_fee": 50000}})
		}},
	"POST /api/v1/staff/vouchers/:code/void": {roles: []model.Role{model.RoleEducationOfficer}, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := vTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/vouchers/"+mxPick(in, t.voucherIn, t.voucherOut)+"/void", map[string]string{"reason": ""})
		}},
	"POST /api/v1/staff/vouchers/:code/reissue": {roles: []model.Role{model.RoleEducationOfficer}, scoped: true, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := vTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/vouchers/"+mxPick(in, t.voucherIn, t.voucherOut)+"/reissue", map[string]string{"reason": ""})
		}},
	"GET /api/v1/staff/statements": {roles: []model.Role{model.RoleEducationOfficer, model.RoleAuditor}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/statements") }},
	"GET /api/v1/staff/statements.xlsx": {roles: []model.Role{model.RoleEducationOfficer, model.RoleAuditor}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/statements.xlsx") }},
	"GET /api/v1/staff/medical-list": {roles: []model.Role{model.RoleCountyApprover, model.RoleDepartmentOfficer, model.RoleAuditor}, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/medical-list?region_code=" + mxPick(in, "330502", "330521"))
		}},
	"GET /api/v1/staff/medical-list.xlsx": {roles: []model.Role{model.RoleCountyApprover, model.RoleDepartmentOfficer, model.RoleAuditor}, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/medical-list.xlsx?region_code=" + mxPick(in, "330502", "330521"))
		}},
	// A school operator sees its own school's voucher; another school's is
	// 403 (not 404: the code is known, the school is not allowed).
	"GET /api/v1/school/vouchers/:code": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusOK, http.StatusForbidden},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := vTargets(f)
			return mxGet("/api/v1/school/vouchers/" + mxPick(in, t.voucherIn, t.voucherOut))
		}},
	// Tuition is not waived for compulsory education: 422, nothing redeemed.
	"POST /api/v1/school/vouchers/:code/redemptions": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/school/vouchers/"+vTargets(f).voucherIn+"/redemptions", map[string]any{"items": map[string]int64{"tuition": 1}})
		}},
	// The same two with the code in the body (hardening item 9g).
	"POST /api/v1/school/vouchers/preview": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusOK, http.StatusForbidden},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := vTargets(f)
			return mxSend(http.MethodPost, "/api/v1/school/vouchers/preview", map[string]string{"code": mxPick(in, t.voucherIn, t.voucherOut)})
		}},
	"POST /api/v1/school/redemptions": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusUnprocessableEntity},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/school/redemptions", map[string]any{"code": vTargets(f).voucherIn, "items": map[string]int64{"tuition": 1}})
		}},
	"GET /api/v1/school/statements": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/school/statements") }},
	"GET /api/v1/school/statements.xlsx": {roles: []model.Role{model.RoleSchoolOperator}, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/school/statements.xlsx") }},

	// ---- Society (targets in api/society_authz_test.go): the bureau's
	// donors, stations, donations and allocations; a station's own
	// donations (another station's are "out of region").
	"GET /api/v1/staff/society/donors": {roles: mxCounty, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/society/donors") }},
	"POST /api/v1/staff/society/donors": {roles: mxCounty, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/society/donors", map[string]any{"kind": "company", "name": f.next("matrix company"),
				"phone": "13900005555", "region_code": mxPick(in, "330502", "330521")})
		}},
	"GET /api/v1/staff/society/stations": {roles: mxCounty, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/society/stations") }},
	// The demo station account runs a station already (409); the other
	// county's station account is not in region (404).
	"POST /api/v1/staff/society/stations": {roles: mxCounty, scoped: true, ok: []int{http.StatusConflict},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/society/stations", map[string]any{"name": "矩阵站点",
				"staff_username": mxPick(in, "station", soTargets(f).stationOut)})
		}},
	"GET /api/v1/staff/society/donations": {roles: mxDonationReaders, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/society/donations") }},
	"GET /api/v1/staff/society/donations/:id": {roles: mxDonationReaders, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := soTargets(f)
			return mxGet("/api/v1/staff/society/donations/" + mxPick(in, t.donationIn, t.donationOut))
		}},
	"POST /api/v1/staff/society/donations/:id/allocations": {roles: mxCounty, scoped: true, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := soTargets(f)
			return mxSend(http.MethodPost, "/api/v1/staff/society/donations/"+mxPick(in, t.donationIn, t.donationOut)+"/allocations",
				map[string]any{"program": "temporary", "region_code": "330502", "amount": 1})
		}},
	"GET /api/v1/staff/station/me": {roles: mxStation, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/station/me") }},
	"GET /api/v1/staff/station/donors": {roles: mxStation, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/station/donors?phone=13900005555")
		}},
	"GET /api/v1/staff/station/donations": {roles: mxStation, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request { return mxGet("/api/v1/staff/station/donations") }},
	"POST /api/v1/staff/station/donations": {roles: mxStation, ok: []int{http.StatusCreated},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxSend(http.MethodPost, "/api/v1/staff/station/donations", map[string]any{"kind": "money", "amount": 100})
		}},
	"GET /api/v1/staff/station/donations/:id/receipt": {roles: mxStation, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			t := soTargets(f)
			return mxGet("/api/v1/staff/station/donations/" + mxPick(in, t.donationIn, t.donationOut) + "/receipt")
		}},

	// ---- Statistics. In region: the caller's own region (the
	// default); out of region: 德清县.
	"GET /api/v1/staff/stats": {roles: []model.Role{model.RoleStreetReviewer, model.RoleCountyApprover, model.RoleDepartmentOfficer,
		model.RoleEducationOfficer, model.RoleAuditor, model.RoleAdmin}, scoped: true, ok: []int{http.StatusOK},
		req: func(f *authzFixture, in bool) apitest.Request {
			return mxGet("/api/v1/staff/stats" + mxPick(in, "", "?region_code=330521"))
		}},
}

// authzFixture holds, per role, a session of an account bound inside
// 吴兴区 (330502), and targets inside it ("in") and in 德清县 (330521,
// "out"), which lies outside every one of those accounts' regions.
type authzFixture struct {
	t          *testing.T
	env        *apitest.Env
	tokens     map[string]string
	principals map[string]model.Principal
	seq        int

	appIn, appOut     string // submitted cases
	pubIn, pubOut     string // publicized cases
	docIn, docOut     string
	objIn, objOut     string // open objections to pubIn, pubOut
	staffIn, staffOut string // accounts for the admin routes
}

// next returns a fresh name with prefix.
func (f *authzFixture) next(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s.%d", prefix, f.seq)
}

func newAuthzFixture(t *testing.T, env *apitest.Env) *authzFixture {
	t.Helper()
	f := &authzFixture{t: t, env: env, tokens: map[string]string{}, principals: map[string]model.Principal{}}
	city := wfDemo(t, env, "admin").Token
	accounts := map[model.Role]wfSession{
		model.RoleCommunityWorker:   wfDemo(t, env, "community"),
		model.RoleStreetReviewer:    wfDemo(t, env, "street"),
		model.RoleCountyApprover:    wfDemo(t, env, "county"),
		model.RoleSchoolOperator:    wfDemo(t, env, "school"),
		model.RoleAuditor:           wfNewStaff(t, env, city, "m.auditor", model.RoleAuditor, "330502"),
		model.RoleAdmin:             wfNewStaff(t, env, city, "m.admin", model.RoleAdmin, "330502"),
		model.RoleEducationOfficer:  wfNewStaff(t, env, city, "m.education", model.RoleEducationOfficer, "330502"),
		model.RoleDepartmentOfficer: wfNewStaff(t, env, city, "m.department", model.RoleDepartmentOfficer, "330502"),
		model.RoleFinanceOfficer:    wfDemo(t, env, "finance"),
		model.RoleStation:           wfDemo(t, env, "station"),
	}
	for role, s := range accounts {
		f.tokens[string(role)] = s.Token
		p, err := env.App.Sessions.Load(t.Context(), s.Token)
		if err != nil {
			t.Fatal(err)
		}
		f.principals[string(role)] = p
	}
	cw, st := accounts[model.RoleCommunityWorker].Token, accounts[model.RoleStreetReviewer].Token
	cwB := wfNewStaff(t, env, city, "b.community", model.RoleCommunityWorker, "330521001001")
	stB := wfNewStaff(t, env, city, "b.street", model.RoleStreetReviewer, "330521001")

	in, out := wfSubmitted(t, env, "330502001001", 1), wfSubmitted(t, env, "330521001001", 1)
	f.appIn, f.appOut, f.docIn, f.docOut = in.ID, out.ID, in.Docs[0], out.Docs[0]
	f.tokens["resident"] = in.Resident
	f.pubIn = wfPublicized(t, env, "330502001001", cw, st).ID
	f.pubOut = wfPublicized(t, env, "330521001001", cwB.Token, stB.Token).ID
	for _, region := range []string{"330502001001", "330521001001"} {
		n := wfNotices(t, env, region)
		if len(n) != 1 {
			t.Fatalf("notices in %s: %v", region, n)
		}
		apitest.Want(t, env.Post("/api/v1/public/notices/"+n[0]["id"].(string)+"/objections", "", map[string]string{"content": "请核实"}), http.StatusCreated)
	}
	objectionOf := func(token, appID string) string {
		r := env.Get("/api/v1/staff/objections?application_id="+appID, token)
		apitest.Want(t, r, http.StatusOK)
		return r.Map(t)["items"].([]any)[0].(map[string]any)["id"].(string)
	}
	f.objIn, f.objOut = objectionOf(st, f.pubIn), objectionOf(stB.Token, f.pubOut)
	f.staffIn = wfNewStaff(t, env, city, "m.target", model.RoleCommunityWorker, "330502001002").ID
	f.staffOut = cwB.ID
	return f
}

// expect derives a cell's expected statuses.
func (row authzRow) expect(principal string, in bool) []int {
	switch {
	case row.public:
		return row.ok
	case principal == "anonymous":
		return []int{http.StatusUnauthorized}
	case principal == "resident":
		return []int{http.StatusForbidden}
	}
	allowed := false
	for _, r := range row.roles {
		allowed = allowed || string(r) == principal
	}
	for _, r := range row.standIn {
		if string(r) == principal && !allowed {
			if !in && row.scoped {
				return []int{http.StatusNotFound}
			}
			return []int{http.StatusForbidden}
		}
	}
	switch {
	case !allowed:
		return []int{http.StatusForbidden}
	case !in && row.scoped:
		return []int{http.StatusNotFound}
	}
	return row.ok
}

func routeKey(method, path string) string { return method + " " + path }

func isStaffRoute(path string) bool {
	return strings.HasPrefix(path, "/api/v1/staff/") || strings.HasPrefix(path, "/api/v1/school/")
}

func TestStaffAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		t.Run("every route has a row", func(t *testing.T) {
			routed := map[string]bool{}
			for _, r := range env.Server.Routes() {
				if isStaffRoute(r.Path) {
					k := routeKey(r.Method, r.Path)
					routed[k] = true
					if _, ok := staffMatrix[k]; !ok {
						t.Errorf("route %s has no row in the authorization matrix (api/staff_authz_test.go)", k)
					}
				}
			}
			for k := range staffMatrix {
				route, _, _ := strings.Cut(k, "#")
				if !routed[route] {
					t.Errorf("matrix row %s names no registered route", k)
				}
			}
		})

		f := newAuthzFixture(t, env)
		keys := make([]string, 0, len(staffMatrix))
		for k := range staffMatrix {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		principals := []string{"resident", "anonymous"}
		for _, r := range model.Roles {
			principals = append(principals, string(r))
		}
		for _, k := range keys {
			row := staffMatrix[k]
			for _, who := range principals {
				for _, in := range []bool{true, false} {
					req := row.req(f, in)
					switch {
					case who == "anonymous" || row.public:
					case row.fresh && who != "resident":
						req.Token = env.SessionFor(f.principals[who])
					default:
						req.Token = f.tokens[who]
					}
					got := env.Do(req)
					want := row.expect(who, in)
					ok := false
					for _, w := range want {
						ok = ok || got.Status == w
					}
					if !ok {
						t.Errorf("%s as %s (%s): status %d, want %v; body %.200s", k, who, mxPick(in, "in region", "out of region"), got.Status, want, got.Body)
					}
				}
			}
		}
	})
}
