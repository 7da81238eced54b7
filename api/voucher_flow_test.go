package api_test

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

var (
	vCompulsory = [2]string{service.DemoSchoolID("330502", model.StageCompulsory), model.StageCompulsory}
	vSeniorHigh = [2]string{service.DemoSchoolID("330502", model.StageSeniorHigh), model.StageSeniorHigh}
)

// vSchoolSession is a session of an operator of the given school (the demo
// data has one operator, of the county's compulsory school).
func vSchoolSession(env *apitest.Env, id, schoolID string) string {
	return env.SessionFor(model.Principal{Kind: model.PrincipalStaff, ID: id, Role: model.RoleSchoolOperator, RegionCode: "330502", SchoolID: &schoolID})
}

func vVoucherOf(t *testing.T, vs []vVoucherJSON, stage string) vVoucherJSON {
	t.Helper()
	for _, v := range vs {
		if v.Stage == stage {
			return v
		}
	}
	t.Fatalf("no %s voucher among %+v", stage, vs)
	return vVoucherJSON{}
}

func TestVoucherIssueShowAndPreview(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{vCompulsory, vSeniorHigh}, false)
		other := vHousehold(t, env, model.ProgramTemporary, "330502001002", 50000, [][2]string{vCompulsory}, false)
		// Issuing is idempotent: the approval hook running again issues nothing new.
		if err := env.App.Vouchers.IssueForApplication(context.Background(), h.ApplicationID); err != nil {
			t.Fatal(err)
		}
		tok := vResidentToken(env, h)
		vs := vMyVouchers(t, env, tok)
		if len(vs) != 2 {
			t.Fatalf("%d vouchers, want one per enrolled child: %+v", len(vs), vs)
		}
		term := model.TermOf(env.Clock.Now())
		for _, v := range vs {
			if v.Term != term || v.Status != "issued" || !strings.HasSuffix(v.StudentNameMasked, "*") {
				t.Errorf("voucher %+v", v)
			}
			if _, err := model.ParseVoucherCode(v.Code); err != nil || !strings.HasPrefix(v.Code, "EDU-") {
				t.Errorf("code %q does not verify: %v", v.Code, err)
			}
		}
		c := vVoucherOf(t, vs, model.StageCompulsory)
		if len(c.Items) != len(model.StageItems[model.StageCompulsory]) || c.SchoolID != vCompulsory[0] {
			t.Errorf("compulsory voucher items/school: %+v", c)
		}
		// A temporary-aid household gets no vouchers.
		if got := vMyVouchers(t, env, vResidentToken(env, other)); len(got) != 0 {
			t.Errorf("temporary aid issued vouchers: %+v", got)
		}

		// QR: the owner gets a PNG; another resident a 404.
		r := env.Get("/api/v1/me/vouchers/"+c.Code+"/qr.png", tok)
		apitest.Want(t, r, http.StatusOK)
		if r.Header.Get("Content-Type") != "image/png" || !bytes.HasPrefix(r.Body, []byte("\x89PNG\r\n\x1a\n")) {
			t.Errorf("qr: %s %.8q", r.Header.Get("Content-Type"), r.Body)
		}
		apitest.Want(t, env.Get("/api/v1/me/vouchers/"+c.Code+"/qr.png", vResidentToken(env, other)), http.StatusNotFound)

		// Preview: any case, no dashes; another school's voucher 403;
		// a mistyped code 422 before any lookup; an unknown one 404.
		school := wfDemo(t, env, "school").Token
		typed := strings.ToLower(strings.ReplaceAll(c.Code, "-", ""))
		r = env.Get("/api/v1/school/vouchers/"+typed, school)
		apitest.Want(t, r, http.StatusOK)
		var p vVoucherJSON
		r.JSON(t, &p)
		if p.Code != c.Code || p.Status != "issued" || p.StudentNameMasked != c.StudentNameMasked || p.Term != term {
			t.Errorf("preview %+v, want %+v", p, c)
		}
		s := vVoucherOf(t, vs, model.StageSeniorHigh)
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+s.Code, school), http.StatusForbidden)
		typo := []byte(c.Code)
		typo[5] = map[bool]byte{true: 'A', false: 'B'}[typo[5] != 'A']
		r = env.Get("/api/v1/school/vouchers/"+string(typo), school)
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		unknown, _ := model.NewVoucherCode(nil)
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+unknown, school), http.StatusNotFound)
		// Residents and other staff cannot preview.
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+c.Code, tok), http.StatusForbidden)
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+c.Code, wfDemo(t, env, "education").Token), http.StatusForbidden)

		// The failures are on the audit trail in aggregate (one row at the
		// school's first failure of the window, then every tenth), without the code.
		entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("school.vouchers.preview"), model.PageRequest{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		var lookups []model.AuditEntry
		for _, e := range entries {
			if e.TargetType == "voucher" { // not the route's denial of other roles
				lookups = append(lookups, e)
			}
		}
		if len(lookups) != 1 || !strings.Contains(lookups[0].Detail, "failed lookups at this school") {
			t.Errorf("audited preview failures %+v, want one aggregate row", lookups)
		}
		for _, e := range entries {
			if strings.Contains(e.Detail, c.Code) || strings.Contains(e.Detail, s.Code) {
				t.Errorf("audit detail carries a code: %q", e.Detail)
			}
		}
	})
}

func TestVoucherRedeemExactlyOnce(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramTekun, "330502001001", 90000, [][2]string{vCompulsory, vCompulsory}, false)
		vs := vMyVouchers(t, env, vResidentToken(env, h))
		if len(vs) != 2 {
			t.Fatalf("%d vouchers", len(vs))
		}
		school := wfDemo(t, env, "school").Token
		path := "/api/v1/school/vouchers/" + vs[0].Code + "/redemptions"
		post := func(key string, items map[string]int64) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPost, Path: path, Token: school, Body: map[string]any{"items": items},
				Header: map[string]string{"Idempotency-Key": key}})
		}
		// Over its cap, or an item vCompulsory education does not waive: 422.
		apitest.Want(t, post("over", map[string]int64{model.ItemMiscFee: 30001}), http.StatusUnprocessableEntity)
		apitest.Want(t, post("tuition", map[string]int64{model.ItemTuition: 100}), http.StatusUnprocessableEntity)
		apitest.Want(t, post("empty", map[string]int64{}), http.StatusUnprocessableEntity)

		items := map[string]int64{model.ItemMiscFee: 30000, model.ItemBoardingFee: 45050}
		const n = 64
		resps := make([]*apitest.Response, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				resps[i] = post(fmt.Sprintf("key-%d", i), items)
			}()
		}
		close(start)
		wg.Wait()
		winner := -1
		conflicts := 0
		for i, r := range resps {
			switch r.Status {
			case http.StatusCreated:
				if winner >= 0 {
					t.Fatalf("two redemptions succeeded: %d and %d", winner, i)
				}
				winner = i
			case http.StatusConflict:
				conflicts++
			default:
				t.Errorf("redemption %d: %d %s", i, r.Status, r.Body)
			}
		}
		if winner < 0 || conflicts != n-1 {
			t.Fatalf("%d conflicts and winner %d; want exactly one 201 and %d × 409", conflicts, winner, n-1)
		}
		var first struct {
			ID    string `json:"id"`
			Total int64  `json:"total"`
		}
		resps[winner].JSON(t, &first)
		if first.Total != 75050 || first.ID == "" {
			t.Fatalf("redemption %+v", first)
		}
		// A replay with the winner's key is the first response; a loser's key replays its 409.
		r := post(fmt.Sprintf("key-%d", winner), items)
		apitest.Want(t, r, http.StatusCreated)
		if !bytes.Equal(r.Body, resps[winner].Body) || r.Header.Get("Idempotent-Replayed") != "true" {
			t.Fatalf("replay %s, first %s", r.Body, resps[winner].Body)
		}
		loser := (winner + 1) % n
		apitest.Want(t, post(fmt.Sprintf("key-%d", loser), items), http.StatusConflict)
		// A new key after the fact: 409 again; the preview says redeemed.
		apitest.Want(t, post("late", items), http.StatusConflict)
		var p vVoucherJSON
		env.Get("/api/v1/school/vouchers/"+vs[0].Code, school).JSON(t, &p)
		if p.Status != "redeemed" {
			t.Fatalf("preview after redemption: %s", p.Status)
		}

		// A second voucher redeemed without a key, then the statements.
		r = env.Post("/api/v1/school/vouchers/"+vs[1].Code+"/redemptions", school, map[string]any{"items": map[string]int64{model.ItemCustodyFee: 12345}})
		apitest.Want(t, r, http.StatusCreated)
		term := model.TermOf(env.Clock.Now())
		r = env.Get("/api/v1/school/statements?term="+term, school)
		apitest.Want(t, r, http.StatusOK)
		var st struct {
			Term  string
			Total int64
			Items []struct {
				Code  string
				Total int64
				Items map[string]int64
			}
		}
		r.JSON(t, &st)
		var sum int64
		for _, it := range st.Items {
			var line int64
			for _, a := range it.Items {
				line += a
			}
			if line != it.Total {
				t.Errorf("statement line %s: items sum %d, total %d", it.Code, line, it.Total)
			}
			sum += it.Total
		}
		if st.Term != term || len(st.Items) != 2 || sum != st.Total || st.Total != 75050+12345 {
			t.Fatalf("statement %+v (sum %d)", st, sum)
		}
		r = env.Get("/api/v1/school/statements.xlsx?term="+term, school)
		apitest.Want(t, r, http.StatusOK)
		rows := vReadXLSX(t, r.Body)
		if got := vYuanCell(t, rows[len(rows)-1][len(rows[len(rows)-1])-1]); got != st.Total {
			t.Fatalf("xlsx total %d, JSON %d; rows %v", got, st.Total, rows)
		}
		if len(rows) != 3+2+1 {
			t.Fatalf("xlsx has %d rows: %v", len(rows), rows)
		}

		// The education officer's reimbursement sheet agrees.
		edu := wfDemo(t, env, "education").Token
		r = env.Get("/api/v1/staff/statements?term="+term, edu)
		apitest.Want(t, r, http.StatusOK)
		var rs struct {
			Total   int64
			Count   int
			Schools []struct {
				SchoolID string `json:"school_id"`
				Count    int
				Total    int64
			}
		}
		r.JSON(t, &rs)
		if rs.Total != st.Total || rs.Count != 2 || len(rs.Schools) != 1 || rs.Schools[0].SchoolID != vCompulsory[0] {
			t.Fatalf("region statement %+v", rs)
		}
		r = env.Get("/api/v1/staff/statements.xlsx?term="+term, edu)
		apitest.Want(t, r, http.StatusOK)
		rows = vReadXLSX(t, r.Body)
		if got := vYuanCell(t, rows[len(rows)-1][len(rows[len(rows)-1])-1]); got != rs.Total {
			t.Fatalf("reimbursement xlsx total %d, JSON %d", got, rs.Total)
		}
		// Both Excel exports are on the audit trail.
		r = env.Get("/api/v1/staff/audit?action=statements.export", wfDemo(t, env, "auditor").Token)
		apitest.Want(t, r, http.StatusOK)
		var exports struct {
			Items []struct {
				TargetType string `json:"target_type"`
			} `json:"items"`
		}
		r.JSON(t, &exports)
		if len(exports.Items) != 2 {
			t.Fatalf("statement exports audited: %+v", exports.Items)
		}
		apitest.Want(t, env.Get("/api/v1/staff/statements?term=bad", edu), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/staff/statements", school), http.StatusForbidden)
	})
}

// vYuanCell reads a money cell of an Excel file back as fen.
func vYuanCell(t *testing.T, s string) int64 {
	t.Helper()
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
	if err != nil {
		t.Fatalf("money cell %q: %v", s, err)
	}
	return int64(math.Round(f * 100))
}

func TestVoucherCapsVoidReissueExpiry(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramEducation, "330502002001", 0, [][2]string{vCompulsory, vSeniorHigh}, false)
		tok := vResidentToken(env, h)
		vs := vMyVouchers(t, env, tok)
		c, s := vVoucherOf(t, vs, model.StageCompulsory), vVoucherOf(t, vs, model.StageSeniorHigh)
		term := model.TermOf(env.Clock.Now())
		edu := wfDemo(t, env, "education").Token
		school := wfDemo(t, env, "school").Token

		// Caps: the education officer lowers one; an item the stage does not waive is 422.
		r := env.Put("/api/v1/staff/voucher-caps", edu, map[string]any{"term": term, "stage": "compulsory", "items": map[string]int64{"misc_fee": 100}})
		apitest.Want(t, r, http.StatusOK)
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", edu, map[string]any{"term": term, "stage": "compulsory", "items": map[string]int64{"tuition": 100}}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", edu, map[string]any{"term": "2026-winter", "stage": "compulsory", "items": map[string]int64{"misc_fee": 1}}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Put("/api/v1/staff/voucher-caps", school, map[string]any{"term": term, "stage": "compulsory", "items": map[string]int64{"misc_fee": 1}}), http.StatusForbidden)
		for _, it := range vVoucherOf(t, vMyVouchers(t, env, tok), model.StageCompulsory).Items {
			if it.Item == "misc_fee" && it.Cap != 100 {
				t.Errorf("resident sees misc_fee cap %d after it was set to 100", it.Cap)
			}
		}
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+c.Code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 101}}), http.StatusUnprocessableEntity)

		// Void (reason required) → the school cannot redeem it; the resident sees void.
		seniorSchool := vSchoolSession(env, "op-senior", vSeniorHigh[0])
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+s.Code+"/void", edu, map[string]string{"reason": ""}), http.StatusUnprocessableEntity)
		// Reasons are limited in characters, not bytes: 700 Chinese characters
		// (2,100 bytes) are well within the 2,000-character limit; 2,001 are not.
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+s.Code+"/void", edu, map[string]string{"reason": strings.Repeat("转", 2001)}), http.StatusUnprocessableEntity)
		r = env.Post("/api/v1/staff/vouchers/"+s.Code+"/void", edu, map[string]string{"reason": "学生转学。" + strings.Repeat("转", 695)})
		apitest.Want(t, r, http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+s.Code+"/void", edu, map[string]string{"reason": "again"}), http.StatusConflict)
		r = env.Post("/api/v1/school/vouchers/"+s.Code+"/redemptions", seniorSchool, map[string]any{"items": map[string]int64{"tuition": 100}})
		apitest.Want(t, r, http.StatusConflict)
		if vVoucherOf(t, vMyVouchers(t, env, tok), model.StageSeniorHigh).Status != "void" {
			t.Fatal("resident does not see the voided voucher as void")
		}

		// Reissue the vCompulsory voucher: the old one is void, a new code works.
		r = env.Post("/api/v1/staff/vouchers/"+c.Code+"/reissue", edu, map[string]string{"reason": "券面污损"})
		apitest.Want(t, r, http.StatusCreated)
		var fresh vVoucherJSON
		r.JSON(t, &fresh)
		if fresh.Code == c.Code || fresh.Status != "issued" || fresh.Term != term {
			t.Fatalf("reissued %+v", fresh)
		}
		apitest.Want(t, env.Get("/api/v1/school/vouchers/"+c.Code, school), http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/school/vouchers/"+c.Code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 50}}), http.StatusConflict)
		// A county approver may not void (403); outside the region it is 404.
		apitest.Want(t, env.Post("/api/v1/staff/vouchers/"+fresh.Code+"/void", wfDemo(t, env, "county").Token, map[string]string{"reason": "x1"}), http.StatusForbidden)

		// The term ends: the resident sees expired; redemption is 409.
		_, end, _ := model.TermBounds(term)
		env.Clock.Set(end.Add(time.Hour))
		tok = vResidentToken(env, h)
		school = wfDemo(t, env, "school").Token
		statuses := map[string]string{}
		for _, v := range vMyVouchers(t, env, tok) {
			statuses[v.Code] = v.Status
		}
		if statuses[fresh.Code] != "expired" || statuses[c.Code] != "void" || statuses[s.Code] != "void" {
			t.Fatalf("after the term: %v", statuses)
		}
		r = env.Post("/api/v1/school/vouchers/"+fresh.Code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 50}})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "voucher_expired" {
			t.Fatalf("code %s", r.ErrorCode())
		}
	})
}

func TestVoucherIssueTermRunsOnce(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramDibao, "330502001003", 70000, [][2]string{vCompulsory}, false)
		term := model.TermOf(env.Clock.Now())
		_, end, _ := model.TermBounds(term)
		env.Clock.Set(end.Add(24 * time.Hour))
		next := model.TermOf(env.Clock.Now())
		ctx := context.Background()
		var wg sync.WaitGroup
		results := make([]service.IssueTermResult, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := env.App.Vouchers.IssueCurrentTerm(ctx)
				if err != nil {
					t.Error(err)
				}
				results[i] = res
			}()
		}
		wg.Wait()
		ran := 0
		for _, r := range results {
			if !r.Skipped {
				ran++
				if r.Issued < 1 || r.Term != next {
					t.Errorf("run %+v", r)
				}
			}
		}
		if ran != 1 {
			t.Fatalf("%d runs of the term job, want 1: %+v", ran, results)
		}
		vs := vMyVouchers(t, env, vResidentToken(env, h))
		terms := map[string]string{}
		for _, v := range vs {
			terms[v.Term] = v.Status
		}
		if len(vs) != 2 || terms[term] != "expired" || terms[next] != "issued" {
			t.Fatalf("vouchers after the new term began: %+v", vs)
		}
	})
}

// TestVoucherLookupLimitsFailuresNotWork: a school desk behind one address
// previews as many real vouchers as it likes; failed lookups (guessing) are
// limited per operator and per school, whatever the address, and audited in
// aggregate rather than one row each.
func TestVoucherLookupLimitsFailuresNotWork(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h := vHousehold(t, env, model.ProgramDibao, ppCommunity, 80000, [][2]string{vCompulsory}, false)
		real := vMyVouchers(t, env, vResidentToken(env, h))[0].Code
		preview := func(token, ip, code string) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/school/vouchers/preview", Token: token, IP: ip,
				Body: map[string]string{"code": code}})
		}
		// Successful work is never limited (it was: 120 a minute per operator and address).
		desk := vSchoolSession(env, "op-desk", vCompulsory[0])
		for i := range 300 {
			if r := preview(desk, "198.51.100.7", real); r.Status != http.StatusOK {
				t.Fatalf("preview %d of a real voucher: %d %s", i, r.Status, r.Body)
			}
		}
		// One operator guessing is stopped after its own limit.
		wrong, _ := model.NewVoucherCode(nil)
		op := vSchoolSession(env, "op-guess", vCompulsory[0])
		guesses := 0
		for ; guesses < 100; guesses++ {
			r := preview(op, "198.51.100.7", wrong)
			if r.Status == http.StatusTooManyRequests {
				if r.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
				break
			}
			apitest.Want(t, r, http.StatusNotFound)
		}
		if guesses != int(service.DefaultGuessLimits.PerOperator) {
			t.Fatalf("operator stopped after %d failed lookups, want %d", guesses, service.DefaultGuessLimits.PerOperator)
		}
		// The same operator's real work is stopped too while it is blocked.
		apitest.Want(t, preview(op, "198.51.100.9", real), http.StatusTooManyRequests)
		// The desk (same school, same address) still works.
		apitest.Want(t, preview(desk, "198.51.100.7", real), http.StatusOK)
		// Guessing spread over the school's operators stops the school.
		schoolGuesses := guesses
		for i := 0; schoolGuesses < 200; i++ {
			r := preview(vSchoolSession(env, fmt.Sprintf("op-spread-%d", i), vCompulsory[0]), "203.0.113.9", wrong)
			if r.Status == http.StatusTooManyRequests {
				break
			}
			apitest.Want(t, r, http.StatusNotFound)
			schoolGuesses++
		}
		if schoolGuesses != int(service.DefaultGuessLimits.PerSchool) {
			t.Fatalf("school stopped after %d failed lookups, want %d", schoolGuesses, service.DefaultGuessLimits.PerSchool)
		}
		apitest.Want(t, preview(desk, "198.51.100.7", real), http.StatusTooManyRequests)
		// Another school from the same address is not affected.
		other := vSchoolSession(env, "op-senior", vSeniorHigh[0])
		apitest.Want(t, preview(other, "198.51.100.7", wrong), http.StatusNotFound)

		// Audited in aggregate: far fewer rows than failures, with counts.
		rows, err := env.Backends.DB.AuditEntries(context.Background(), storage.AuditFilter{Action: "school.vouchers.preview"}, model.PageRequest{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) == 0 || len(rows) > schoolGuesses/2 {
			t.Fatalf("%d audit rows for %d failed lookups; want aggregate rows", len(rows), schoolGuesses+1)
		}
		for _, r := range rows {
			if !strings.Contains(r.Detail, "failed lookups at this school") {
				t.Errorf("audit row without a count: %q", r.Detail)
			}
		}
	})
}
