package api_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// mnRoll is a payment roll as the API returns it.
type mnRoll struct {
	ID        string   `json:"id"`
	Status    string   `json:"status"`
	Period    string   `json:"period"`
	LineCount int      `json:"line_count"`
	Total     int64    `json:"total"`
	Lines     []mnLine `json:"lines"`
	Allowed   []string `json:"allowed_actions"`
}

type mnLine struct {
	ID                string `json:"id"`
	ApplicationNumber string `json:"application_number"`
	Amount            int64  `json:"amount"`
	Kind              string `json:"kind"`
	Status            string `json:"status"`
	ForMonth          string `json:"for_month"`
	Reason            string `json:"reason"`
}

// mnRollOf decodes a roll and checks that its total is the sum of its
// lines.
func mnRollOf(t *testing.T, r *apitest.Response) mnRoll {
	t.Helper()
	var roll mnRoll
	r.JSON(t, &roll)
	var sum int64
	for _, l := range roll.Lines {
		sum += l.Amount
	}
	if sum != roll.Total || len(roll.Lines) != roll.LineCount {
		t.Fatalf("roll total %d of %d lines, lines sum to %d in %d", roll.Total, roll.LineCount, sum, len(roll.Lines))
	}
	return roll
}

// mnLinesOf returns the lines of a roll for a case number.
func mnLinesOf(roll mnRoll, number string) []mnLine {
	var out []mnLine
	for _, l := range roll.Lines {
		if l.ApplicationNumber == number {
			out = append(out, l)
		}
	}
	return out
}

// mnMakeRoll has the county make the roll of 330502 for program and period.
func mnMakeRoll(t *testing.T, env *apitest.Env, county, program, period string, want int) *apitest.Response {
	t.Helper()
	r := env.Post("/api/v1/staff/payment-rolls", county, map[string]string{"region_code": "330502", "program": program, "period": period})
	apitest.Want(t, r, want)
	return r
}

// mnBankAccount has the resident register a bank account on the household
// (sending the household back as GET shows it).
func mnBankAccount(t *testing.T, env *apitest.Env, residentID, number string) {
	t.Helper()
	tok := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
	h := mnHousehold(t, env, tok)
	h["bank_account"] = map[string]string{"bank": "中国农业银行湖州分行", "account_number": number}
	r := env.Put("/api/v1/me/household", tok, h)
	apitest.Want(t, r, http.StatusOK)
	if got := r.Map(t)["bank_account"].(map[string]any)["account_number"]; got != model.MaskAccount(number) {
		t.Fatalf("bank account shown as %v", got)
	}
}

// mnNumber is the case number of an application.
func mnNumber(t *testing.T, env *apitest.Env, id string) string {
	t.Helper()
	a, err := env.Backends.DB.Application(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return a.Number
}

// TestMoneyRollFromApproval: an approval's benefit is paid from the next
// month's roll at its amount; one roll per county, program and month; the
// maker cannot approve, finance can; the bank file is GBK with the full
// account; a failed line is paid as arrears in the next roll; the public
// fund totals equal the approved rolls.
func TestMoneyRollFromApproval(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, residentID, s := rcApproved(t, env)
		number := mnNumber(t, env, c.ID)
		now := env.Clock.Now()
		month := model.MonthOf(now)
		next := model.AddMonths(month, 1)

		// The benefit: (1,120.00 − 300.00) × 1 from the month after approval.
		r := env.Get("/api/v1/staff/applications/"+c.ID, s.county)
		apitest.Want(t, r, http.StatusOK)
		b := r.Map(t)["benefit"].(map[string]any)
		if b["starts"] != next || b["monthly_amount"].(float64) != 82000 || b["status"] != "active" {
			t.Fatalf("benefit %v", b)
		}

		// This month's roll does not pay it (it starts next month); without a
		// bank account next month's line is held with a reason.
		cur := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", month, http.StatusCreated))
		if len(mnLinesOf(cur, number)) != 0 {
			t.Fatalf("paid in the month of approval: %+v", cur.Lines)
		}
		mnBankAccount(t, env, residentID, "6228480012345671234")

		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", next, http.StatusCreated))
		lines := mnLinesOf(roll, number)
		if roll.Status != "draft" || len(lines) != 1 || lines[0].Amount != 82000 || lines[0].Kind != "monthly" || lines[0].Status != "scheduled" {
			t.Fatalf("roll %+v", roll)
		}
		if r := mnMakeRoll(t, env, s.county, "dibao", next, http.StatusConflict); r.ErrorCode() != "roll_exists" {
			t.Fatalf("second roll: %s", r.Body)
		}

		// Maker-checker: the maker (county) is refused, finance approves.
		fs := wfDemo(t, env, "finance")
		finance := fs.Token
		if cs := wfDemo(t, env, "county"); !slices.Contains(fs.Permissions, "payment_rolls.approve") || slices.Contains(cs.Permissions, "payment_rolls.approve") ||
			!slices.Contains(cs.Permissions, "payment_rolls.create") {
			t.Fatalf("permissions at login: finance %v, county %v", fs.Permissions, cs.Permissions)
		}
		approve := func(token string, want int) *apitest.Response {
			r := env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/actions", token, map[string]string{"action": "approve"})
			apitest.Want(t, r, want)
			return r
		}
		// What each may do, as the server says: the maker nothing, finance approve.
		allowed := func(token string) string {
			r := env.Get("/api/v1/staff/payment-rolls/"+roll.ID, token)
			apitest.Want(t, r, http.StatusOK)
			return strings.Join(mnRollOf(t, r).Allowed, ",")
		}
		if a, f := allowed(s.county), allowed(finance); a != "" || f != "approve" {
			t.Fatalf("allowed actions on the draft: county %q, finance %q", a, f)
		}
		approve(s.county, http.StatusForbidden)
		// The bank file exists only for an approved roll.
		apitest.Want(t, env.Get("/api/v1/staff/payment-rolls/"+roll.ID+".csv", finance), http.StatusConflict)
		if got := mnRollOf(t, approve(finance, http.StatusOK)); got.Status != "approved" || got.Total != roll.Total {
			t.Fatalf("approved %+v", got)
		}
		approve(finance, http.StatusConflict)
		if a, f := allowed(s.county), allowed(finance); a != "" || f != "export,record_results" {
			t.Fatalf("allowed actions on the approved roll: county %q, finance %q", a, f)
		}

		// The bank file: GBK, one row per payment with the full account.
		apitest.Want(t, env.Get("/api/v1/staff/payment-rolls/"+roll.ID+".csv", s.county), http.StatusForbidden)
		f := env.Get("/api/v1/staff/payment-rolls/"+roll.ID+".csv", finance)
		apitest.Want(t, f, http.StatusOK)
		if ct := f.Header.Get("Content-Type"); !strings.Contains(ct, "gbk") {
			t.Fatalf("content type %q", ct)
		}
		utf, err := io.ReadAll(simplifiedchinese.GBK.NewDecoder().Reader(bytes.NewReader(f.Body)))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(utf)).ReadAll()
		if err != nil {
			t.Fatalf("csv: %v\n%s", err, utf)
		}
		if len(rows) != 2 || rows[0][1] != "户名" || rows[1][1] != "王小明" || rows[1][2] != "6228480012345671234" || rows[1][3] != "820.00" || rows[1][5] != lines[0].ID {
			t.Fatalf("bank file %q", rows)
		}

		// The bank's results: the line failed; a second result is refused.
		results := func(status string, want int) {
			r := env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/results", finance, map[string]any{"results": []map[string]string{
				{"line_id": lines[0].ID, "status": status, "reason": "账户冻结"}}})
			apitest.Want(t, r, want)
		}
		results("failed", http.StatusOK)
		results("paid", http.StatusConflict)

		// The fund ledger: the county's budget beside the approved roll.
		apitest.Want(t, env.Put("/api/v1/staff/fund-budgets", s.county, map[string]any{"region_code": "330502", "program": "dibao",
			"period": next, "amount": 1000000}), http.StatusOK)
		lg := env.Get("/api/v1/staff/fund-ledger?region_code=330502&year="+next[:4], finance)
		apitest.Want(t, lg, http.StatusOK)
		var ledger struct {
			Items []service.LedgerItem `json:"items"`
		}
		lg.JSON(t, &ledger)
		found := false
		for _, it := range ledger.Items {
			if it.Program == "dibao" && it.Period == next {
				found = it.Budget == 1000000 && it.Scheduled == roll.Total && it.Failed == 82000 && it.Paid == 0
			}
		}
		if !found {
			t.Fatalf("ledger %s", lg.Body)
		}

		// The month after: the benefit's month and the failed line as arrears.
		after := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(next, 1), http.StatusUnprocessableEntity))
		_ = after
		env.Clock.Set(mnMonthStart(t, next))
		s = rcLogin(t, env)
		finance = wfDemo(t, env, "finance").Token
		third := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(next, 1), http.StatusCreated))
		got := mnLinesOf(third, number)
		kinds := map[string]mnLine{}
		for _, l := range got {
			kinds[l.Kind] = l
		}
		if len(got) != 2 || kinds["monthly"].Amount != 82000 || kinds["arrears"].Amount != 82000 || kinds["arrears"].ForMonth != next {
			t.Fatalf("roll after a failed line: %+v", third.Lines)
		}
		apitest.Want(t, env.Post("/api/v1/staff/payment-rolls/"+third.ID+"/actions", finance, map[string]string{"action": "approve"}), http.StatusOK)

		// Public funds: the approved rolls' totals, without names.
		pf := env.Get("/api/v1/public/funds?region_code=330502&year="+next[:4], "")
		apitest.Want(t, pf, http.StatusOK)
		if strings.Contains(string(pf.Body), "王") {
			t.Fatalf("names in public funds: %s", pf.Body)
		}
		var funds struct {
			Items []struct {
				Program string `json:"program"`
				Period  string `json:"period"`
				Amount  int64  `json:"amount"`
				Paid    int64  `json:"paid"`
			} `json:"items"`
		}
		pf.JSON(t, &funds)
		want := map[string]int64{}
		for _, r := range []mnRoll{roll, third} {
			if r.Period[:4] == next[:4] {
				want[r.Period] += r.Total
			}
		}
		for _, it := range funds.Items {
			if it.Program == "dibao" {
				if it.Amount != want[it.Period] {
					t.Errorf("funds %s: %d, approved rolls %d", it.Period, it.Amount, want[it.Period])
				}
				delete(want, it.Period)
			}
		}
		if len(want) != 0 {
			t.Errorf("approved rolls missing from the public funds: %v (%s)", want, pf.Body)
		}

		// The statistics read the year's money from the ledger.
		st := env.Get("/api/v1/staff/stats?region_code=330502&year="+next[:4], s.county)
		apitest.Want(t, st, http.StatusOK)
		var stats struct {
			Programs []struct {
				Program   string `json:"program"`
				Scheduled int64  `json:"scheduled_year_total"`
			} `json:"programs"`
		}
		st.JSON(t, &stats)
		var inYear int64
		for _, r := range []mnRoll{roll, third} {
			if r.Period[:4] == next[:4] {
				inYear += r.Total
			}
		}
		for _, p := range stats.Programs {
			if p.Program == "dibao" && p.Scheduled != inYear {
				t.Errorf("statistics: dibao scheduled %d, approved rolls %d", p.Scheduled, inYear)
			}
		}
	})
}

// mnMonthStart is 10:00 China time on the 1st of month.
func mnMonthStart(t *testing.T, month string) time.Time {
	t.Helper()
	m, err := time.ParseInLocation("2006-01", month, time.FixedZone("CST", 8*3600))
	if err != nil {
		t.Fatal(err)
	}
	return m.Add(10 * time.Hour)
}

// TestMoneyStandardRaisedFromNextMonth: a standard raised from next month
// re-rates the approved benefit (a preview first changes nothing) and that
// month's roll pays the new amount.
func TestMoneyStandardRaisedFromNextMonth(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, _, s := rcApproved(t, env)
		number := mnNumber(t, env, c.ID)
		next := model.AddMonths(model.MonthOf(env.Clock.Now()), 1)
		year := next[:4]
		body := map[string]any{"region_code": "330502", "year": mnAtoi(t, year), "hukou": "urban", "monthly_amount": 120000, "effective_from": next}

		// Another county's approver may not set it; a month in the past is refused.
		past := map[string]any{"region_code": "330502", "year": mnAtoi(t, year), "hukou": "urban", "monthly_amount": 120000, "effective_from": year + "-01"}
		if year+"-01" < model.MonthOf(env.Clock.Now()) {
			apitest.Want(t, env.Put("/api/v1/staff/standards", s.county, past), http.StatusUnprocessableEntity)
		}

		r := env.Put("/api/v1/staff/standards?dry_run=true", s.county, body)
		apitest.Want(t, r, http.StatusOK)
		var res struct {
			Rerated int `json:"rerated"`
			Changes []struct {
				ApplicationNumber string `json:"application_number"`
				FromMonth         string `json:"from_month"`
				OldAmount         int64  `json:"old_amount"`
				NewAmount         int64  `json:"new_amount"`
			} `json:"changes"`
		}
		r.JSON(t, &res)
		// (1,200.00 − 300.00) × 1 from next month.
		if res.Rerated != 1 || res.Changes[0].ApplicationNumber != number || res.Changes[0].OldAmount != 82000 || res.Changes[0].NewAmount != 90000 || res.Changes[0].FromMonth != next {
			t.Fatalf("preview %s", r.Body)
		}
		r = env.Get("/api/v1/staff/applications/"+c.ID, s.county)
		if b := r.Map(t)["benefit"].(map[string]any); b["monthly_amount"].(float64) != 82000 {
			t.Fatalf("the preview changed the benefit: %v", b)
		}

		r = env.Put("/api/v1/staff/standards", s.county, body)
		apitest.Want(t, r, http.StatusOK)
		if n := r.Map(t)["rerated"].(float64); n != 1 {
			t.Fatalf("rerated %v", n)
		}
		r = env.Get("/api/v1/staff/applications/"+c.ID, s.county)
		if b := r.Map(t)["benefit"].(map[string]any); b["monthly_amount"].(float64) != 90000 {
			t.Fatalf("benefit after re-rating: %v", b)
		}
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", next, http.StatusCreated))
		if lines := mnLinesOf(roll, number); len(lines) != 1 || lines[0].Amount != 90000 || lines[0].Status != "held" || lines[0].Reason == "" {
			t.Fatalf("roll after re-rating %+v", roll.Lines)
		}
		// Setting the same standard again re-rates nothing.
		r = env.Put("/api/v1/staff/standards", s.county, body)
		apitest.Want(t, r, http.StatusOK)
		if n := r.Map(t)["rerated"].(float64); n != 0 {
			t.Fatalf("rerated again %v", n)
		}
	})
}

// TestMoneyOneOffPaidOnce: an urgent temporary aid approved now is paid in
// this month's roll and in no later one.
func TestMoneyOneOffPaidOnce(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		hh := ppHousehold(model.HukouUrban, ppMember("冯九", "19880808", "self", true, nil))
		hh["bank_account"] = map[string]string{"bank": "湖州银行", "account_number": "621700 0000 1111 2222"}
		id, _ := ppInvestigated(t, env, &s, model.ProgramTemporary, hh)
		ppAssess(t, env, &s, id, map[string]any{"amount": 300000, "urgent": true})
		wfAct(t, env, s.street, id, "approve", "", http.StatusOK)
		number := mnNumber(t, env, id)
		month := model.MonthOf(env.Clock.Now())

		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "temporary", month, http.StatusCreated))
		lines := mnLinesOf(roll, number)
		if len(lines) != 1 || lines[0].Amount != 300000 || lines[0].Kind != "one_off" || lines[0].Status != "scheduled" {
			t.Fatalf("one-off roll %+v", roll.Lines)
		}
		finance := wfDemo(t, env, "finance").Token
		apitest.Want(t, env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/actions", finance, map[string]string{"action": "approve"}), http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/results", finance, map[string]any{"results": []map[string]string{
			{"line_id": lines[0].ID, "status": "paid"}}}), http.StatusOK)

		env.Clock.Set(mnMonthStart(t, model.AddMonths(month, 1)))
		s = ppOfficers(t, env)
		later := mnRollOf(t, mnMakeRoll(t, env, s.county, "temporary", model.AddMonths(month, 1), http.StatusCreated))
		if got := mnLinesOf(later, number); len(got) != 0 {
			t.Fatalf("one-off paid again: %+v", got)
		}
	})
}

func mnAtoi(t *testing.T, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// mnHousehold returns the resident's household as GET shows it, ready to be
// sent back by PUT.
func mnHousehold(t *testing.T, env *apitest.Env, tok string) map[string]any {
	t.Helper()
	r := env.Get("/api/v1/me/household", tok)
	apitest.Want(t, r, http.StatusOK)
	h := r.Map(t)
	delete(h, "id")
	delete(h, "updated_at")
	for _, m := range h["members"].([]any) {
		mm := m.(map[string]any)
		if in, _ := mm["incomes"].([]any); len(in) == 0 {
			delete(mm, "incomes")
		}
		for k, v := range mm {
			if v == nil {
				delete(mm, k)
			}
		}
	}
	return h
}

// TestMoneyHouseholdChangeAfterApproval is the regression of a household
// of 1 that became 3 with 35,000 yuan a month of new income after approval:
// the save is a change report on the case (queue ?changed=true, masked
// diff, a message to the resident); the published list and the payment
// roll keep the household as assessed until the re-check.
func TestMoneyHouseholdChangeAfterApproval(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, residentID, s := rcApproved(t, env)
		number := mnNumber(t, env, c.ID)
		tok := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
		h := mnHousehold(t, env, tok)
		h["members"] = append(h["members"].([]any),
			map[string]any{"name": "赵大富", "id_number": makeID("19820202", true), "relation": "spouse", "monthly_income": 3500000},
			map[string]any{"name": "王小宝", "id_number": makeID("20150505", false), "relation": "child", "monthly_income": 0})
		apitest.Want(t, env.Put("/api/v1/me/household", tok, h), http.StatusOK)

		r := env.Get("/api/v1/staff/applications/"+c.ID, s.community)
		apitest.Want(t, r, http.StatusOK)
		d := r.Map(t)
		if d["change_reported_at"] == nil || d["status"] != "approved" {
			t.Fatalf("no change report: %s", r.Body)
		}
		report := fmtLines(d["change_report"])
		if !strings.Contains(report, "新增成员：赵**（配偶），月收入 35,000.00 元") || !strings.Contains(report, "新增成员：王**（子女）") {
			t.Fatalf("change report %q", report)
		}
		if strings.Contains(report, "赵大富") || strings.Contains(report, "王小宝") {
			t.Fatalf("change report unmasked: %q", report)
		}
		if !rcQueueHas(t, env, s.community, "changed=true", c.ID) || rcQueueHas(t, env, s.otherCommunity, "changed=true", c.ID) {
			t.Fatal("the changed queue does not list the case in its own community only")
		}
		if !rcHasMessage(rcMessages(t, env, tok), number, "复核", "原认定") {
			t.Fatalf("the resident is not told: %v", rcMessages(t, env, tok))
		}

		// The published list and the roll use the household as assessed.
		p := env.Post("/api/v1/staff/publications", s.street, map[string]string{"region_code": "330502001001", "program": "dibao",
			"period": model.MonthOf(env.Clock.Now())})
		apitest.Want(t, p, http.StatusCreated)
		pub := env.Get("/api/v1/public/publications/"+p.Map(t)["id"].(string), "")
		apitest.Want(t, pub, http.StatusOK)
		var view struct {
			Entries []struct {
				HouseholdSize int   `json:"household_size"`
				MonthlyAmount int64 `json:"monthly_amount"`
			} `json:"entries"`
		}
		pub.JSON(t, &view)
		if len(view.Entries) != 1 || view.Entries[0].HouseholdSize != 1 || view.Entries[0].MonthlyAmount != 82000 {
			t.Fatalf("published %s", pub.Body)
		}
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(model.MonthOf(env.Clock.Now()), 1), http.StatusCreated))
		if lines := mnLinesOf(roll, number); len(lines) != 1 || lines[0].Amount != 82000 {
			t.Fatalf("roll %+v", roll.Lines)
		}

		// The re-check decides and closes the report.
		wfAct(t, env, s.community, c.ID, "recheck", "已入户核实", http.StatusOK)
		if rcQueueHas(t, env, s.community, "changed=true", c.ID) {
			t.Fatal("still in the changed queue after the re-check")
		}
	})
}

// fmtLines joins a JSON array of strings.
func fmtLines(v any) string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return strings.Join(out, "\n")
}

// TestMoneyGradualExit: a re-check that finds the income above the
// standard keeps the benefit for the county's gradual-exit months (3 by
// default): the rolls pay it until then, and the daily job ends the case
// in the month after (once, however often it runs).
func TestMoneyGradualExit(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, _, s := rcApproved(t, env)
		number := mnNumber(t, env, c.ID)
		month := model.MonthOf(env.Clock.Now())
		wfAct(t, env, s.county, c.ID, "gradual_exit", "", http.StatusUnprocessableEntity)
		wfAct(t, env, s.community, c.ID, "gradual_exit", "收入已超过标准", http.StatusForbidden)
		r := wfAct(t, env, s.county, c.ID, "gradual_exit", "家庭成员就业，月人均收入已超过低保标准", http.StatusOK)
		b := r.Map(t)["benefit"].(map[string]any)
		last := model.AddMonths(month, 3)
		if b["status"] != "gradual_exit" || b["ends"] != last || r.Map(t)["status"] != "approved" {
			t.Fatalf("benefit in gradual exit %v", b)
		}
		wfAct(t, env, s.county, c.ID, "gradual_exit", "再次渐退", http.StatusConflict)

		env.Clock.Set(mnMonthStart(t, last))
		s = rcLogin(t, env)
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", last, http.StatusCreated))
		if len(mnLinesOf(roll, number)) != 1 {
			t.Fatalf("the last month of the gradual exit is not paid: %+v", roll.Lines)
		}
		if n, err := env.App.Workflow.EndGradualExits(context.Background()); err != nil || n != 0 {
			t.Fatalf("ended during the gradual exit: %d %v", n, err)
		}

		end := model.AddMonths(last, 1)
		env.Clock.Set(mnMonthStart(t, end))
		s = rcLogin(t, env)
		for i, want := range []int{1, 0} {
			if n, err := env.App.Workflow.EndGradualExits(context.Background()); err != nil || n != want {
				t.Fatalf("run %d: ended %d, want %d (%v)", i, n, want, err)
			}
		}
		r = env.Get("/api/v1/staff/applications/"+c.ID, s.county)
		if d := r.Map(t); d["status"] != "ended" || d["benefit"].(map[string]any)["status"] != "ended" {
			t.Fatalf("after the gradual exit: %s", r.Body)
		}
		roll = mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", end, http.StatusCreated))
		if len(mnLinesOf(roll, number)) != 0 {
			t.Fatalf("paid after the gradual exit: %+v", roll.Lines)
		}
	})
}

// TestMoneyReviewDueNotice: the daily job tells the resident once that the
// re-check has fallen due.
func TestMoneyReviewDueNotice(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		c, residentID, _ := rcApproved(t, env)
		number := mnNumber(t, env, c.ID)
		ctx := context.Background()
		if n, err := env.App.Workflow.NotifyReviewsDue(ctx); err != nil || n != 0 {
			t.Fatalf("told before the re-check is due: %d %v", n, err)
		}
		env.Clock.Advance(366 * 24 * time.Hour)
		if n, err := env.App.Workflow.NotifyReviewsDue(ctx); err != nil || n != 1 {
			t.Fatalf("told %d (%v), want 1", n, err)
		}
		env.Clock.Advance(24 * time.Hour) // the next day's run tells nobody again
		if n, err := env.App.Workflow.NotifyReviewsDue(ctx); err != nil || n != 0 {
			t.Fatalf("told again: %d %v", n, err)
		}
		tok := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: residentID})
		if !rcHasMessage(rcMessages(t, env, tok), number, "复核时间") {
			t.Fatalf("no message: %v", rcMessages(t, env, tok))
		}
	})
}

// TestMoneyRollOnceUnderConcurrency: of simultaneous requests for the same
// county, program and month exactly one makes the roll.
func TestMoneyRollOnceUnderConcurrency(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		county := wfDemo(t, env, "county").Token
		finance := wfDemo(t, env, "finance").Token
		period := model.MonthOf(env.Clock.Now())
		rs := apitest.Concurrently(4, func(i int) *apitest.Response {
			tok := county
			if i%2 == 1 {
				tok = finance
			}
			return env.Post("/api/v1/staff/payment-rolls", tok, map[string]string{"region_code": "330502", "program": "dibao", "period": period})
		})
		created := 0
		for _, r := range rs {
			switch {
			case r.Status == http.StatusCreated:
				created++
			case r.Status != http.StatusConflict || r.ErrorCode() != "roll_exists":
				t.Errorf("status %d %s", r.Status, r.Body)
			}
		}
		if created != 1 {
			t.Fatalf("created %d rolls: %v", created, apitest.Statuses(rs))
		}
	})
}

// TestMoneyCatchUpMissedMonth: a case approved after the roll of its first
// month was made is paid that month in the next roll (an arrears line for
// the month it missed), once.
func TestMoneyCatchUpMissedMonth(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := rcLogin(t, env)
		c := wfSubmitted(t, env, "330502001001", 1)
		wfInvestigated(t, env, s.community, c)
		wfAct(t, env, s.street, c.ID, "publicize", "", http.StatusOK)
		env.Clock.Advance(env.Config.PublicityPeriod + time.Minute)
		s = rcLogin(t, env)
		month := model.MonthOf(env.Clock.Now())
		next := model.AddMonths(month, 1)

		// Next month's roll is made first; the case is approved after it.
		early := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", next, http.StatusCreated))
		wfAct(t, env, s.county, c.ID, "approve", "", http.StatusOK)
		number := mnNumber(t, env, c.ID)
		if len(mnLinesOf(early, number)) != 0 {
			t.Fatalf("a roll made before the approval pays it: %+v", early.Lines)
		}
		a, err := env.Backends.DB.Application(context.Background(), c.ID)
		if err != nil {
			t.Fatal(err)
		}
		mnBankAccount(t, env, a.ResidentID, "6228480012345675678")

		env.Clock.Set(mnMonthStart(t, next))
		s = rcLogin(t, env)
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(next, 1), http.StatusCreated))
		got := map[string]mnLine{}
		for _, l := range mnLinesOf(roll, number) {
			got[l.Kind+" "+l.ForMonth] = l
		}
		if len(got) != 2 || got["monthly "+model.AddMonths(next, 1)].Amount != 82000 || got["arrears "+next].Amount != 82000 ||
			got["arrears "+next].Status != "scheduled" {
			t.Fatalf("want this month's line and the missed month's, got %+v", mnLinesOf(roll, number))
		}

		// The missed month is caught up once.
		env.Clock.Set(mnMonthStart(t, model.AddMonths(next, 1)))
		s = rcLogin(t, env)
		later := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(next, 2), http.StatusCreated))
		if ls := mnLinesOf(later, number); len(ls) != 1 || ls[0].Kind != "monthly" {
			t.Fatalf("the roll after: %+v", ls)
		}
	})
}

// TestMoneyBackfillBenefitsDecidedBefore: a cash case approved before
// benefit records existed gets its record from the scheduled backfill, once,
// and the next roll pays it; a one-off decided then is recorded as settled
// and never paid by a roll.
func TestMoneyBackfillBenefitsDecidedBefore(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		monthly, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某街道2号",
			Program: model.ProgramDibao, MonthlyAmount: 61500, BankAccount: "6222000000001234",
			Members: []apitest.FixtureMember{{Name: "赵六", IDNumber: makeID("19650101", true), Relation: "self"}}})
		if err != nil {
			t.Fatal(err)
		}
		once, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某街道3号",
			Program: model.ProgramTemporary, MonthlyAmount: 300000, BankAccount: "6222000000005678",
			Members: []apitest.FixtureMember{{Name: "孙七", IDNumber: makeID("19750101", true), Relation: "self"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.Backends.DB.BenefitOfApplication(ctx, monthly.ApplicationID); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("a fixture case has a benefit record before the backfill: %v", err)
		}
		res, err := env.App.Workflow.BackfillBenefits(ctx)
		if err != nil || res.Skipped || res.Recorded != 2 || res.Failed != 0 {
			t.Fatalf("backfill: %+v %v", res, err)
		}
		month := model.MonthOf(env.Clock.Now())
		b, err := env.Backends.DB.BenefitOfApplication(ctx, monthly.ApplicationID)
		if err != nil || b.Status != model.BenefitStatusActive || b.FirstMonth != model.AddMonths(month, 1) || b.Kind != model.BenefitMonthlyCash {
			t.Fatalf("monthly benefit %+v %v", b, err)
		}
		o, err := env.Backends.DB.BenefitOfApplication(ctx, once.ApplicationID)
		if err != nil || o.Status != model.BenefitStatusEnded {
			t.Fatalf("one-off benefit %+v %v", o, err)
		}

		// Run again the next day: nothing more is recorded.
		env.Clock.Advance(24 * time.Hour)
		if res, err := env.App.Workflow.BackfillBenefits(ctx); err != nil || res.Recorded != 0 || res.Failed != 0 {
			t.Fatalf("second backfill: %+v %v", res, err)
		}

		s := rcLogin(t, env)
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", model.AddMonths(month, 1), http.StatusCreated))
		if ls := mnLinesOf(roll, "FX-"+monthly.ApplicationID); len(ls) != 1 || ls[0].Amount != 61500 || ls[0].Status != "scheduled" {
			t.Fatalf("the backfilled benefit in the roll: %+v", roll.Lines)
		}
		tmp := mnRollOf(t, mnMakeRoll(t, env, s.county, "temporary", month, http.StatusCreated))
		if ls := mnLinesOf(tmp, "FX-"+once.ApplicationID); len(ls) != 0 {
			t.Fatalf("a one-off decided before the rolls is paid again: %+v", ls)
		}
	})
}

// TestMoneyRollReminders: the roll-preparation job reminds the county of
// next month's roll from the 20th while it is not made, and of this month's
// roll once the month has begun while it is not approved; once across
// instances, and a re-run writes nothing new.
func TestMoneyRollReminders(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		ctx := context.Background()
		month := model.MonthOf(env.Clock.Now())
		next := model.AddMonths(month, 1)
		ids, err := env.InsertHousehold(ctx, apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某街道4号",
			Program: model.ProgramDibao, MonthlyAmount: 50000, BankAccount: "6222000000004321",
			Members: []apitest.FixtureMember{{Name: "周八", IDNumber: makeID("19600101", true), Relation: "self"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.InsertBenefit(ctx, apitest.FixtureBenefit{IDs: ids, Program: model.ProgramDibao, RegionCode: "330502001001",
			FirstMonth: next, Versions: map[string]int64{next: 50000}}); err != nil {
			t.Fatal(err)
		}
		remind := func(app *service.App) service.RollRemindResult {
			t.Helper()
			res, err := app.Payments.RemindRolls(ctx)
			if err != nil {
				t.Error(err) // also called from goroutines
			}
			return res
		}
		env.Clock.Set(mnMonthStart(t, month).Add(18 * 24 * time.Hour)) // the 19th
		if res := remind(env.App); res.Sent != 0 {
			t.Fatalf("reminded before the 20th: %+v", res)
		}
		env.Clock.Advance(24 * time.Hour) // the 20th
		other := env.Instance()           // both instances run the job at once: one reminder
		results := make(chan service.RollRemindResult, 2)
		for _, app := range []*service.App{env.App, other} {
			go func() { results <- remind(app) }()
		}
		if a, b := <-results, <-results; a.Sent+b.Sent != 1 {
			t.Fatalf("the 20th: %+v %+v", a, b)
		}
		env.Clock.Advance(24 * time.Hour) // a re-run the next day writes nothing new
		if res := remind(other); res.Skipped || res.Sent != 0 {
			t.Fatalf("the 21st: %+v", res)
		}

		s := rcLogin(t, env)
		mnMakeRoll(t, env, s.county, "dibao", next, http.StatusCreated)
		env.Clock.Set(mnMonthStart(t, next)) // the month begins with the roll not approved
		if res := remind(env.App); res.Sent != 1 {
			t.Fatalf("the 1st: %+v", res)
		}
		s = rcLogin(t, env)
		r := env.Get("/api/v1/staff/roll-reminders", s.county)
		apitest.Want(t, r, http.StatusOK)
		var page struct {
			Items []model.RollReminder `json:"items"`
		}
		r.JSON(t, &page)
		if len(page.Items) != 2 || page.Items[0].Kind != model.ReminderOverdue || page.Items[1].Kind != model.ReminderDueSoon ||
			page.Items[0].Period != next || page.Items[0].RegionCode != "330502" || !strings.Contains(page.Items[0].Text, "审核") {
			t.Fatalf("reminders %+v", page.Items)
		}
	})
}
