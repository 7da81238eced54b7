package api_test

import (
	"context"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// The audit rows README.md's "Running at scale" multiplies by a city's
// caseload. TestScaleAuditRows measures them through the API on both
// backend sets and fails when the code writes a different number, so the
// README is corrected with the code.
const (
	// scaleAuditStaffLogin: one staff login.
	scaleAuditStaffLogin = 1
	// scaleAuditApprovedCase: a 低保 case from the resident's SMS login to
	// the county's approval (household, application, three documents,
	// submit, accept, investigate, three document reviews, assessment,
	// 公示, approval), staff logins not counted.
	scaleAuditApprovedCase = 16
	// scaleAuditRecheck: one yearly re-check (复核) of an approved case.
	scaleAuditRecheck = 1
	// scaleAuditRoll: one monthly payment roll of a county and program,
	// whatever its number of lines (made, approved, bank results).
	scaleAuditRoll = 3
)

func countAudit(t *testing.T, env *apitest.Env) int {
	t.Helper()
	n, after := 0, ""
	for {
		rows, err := env.Backends.DB.AuditEntries(context.Background(), storage.AuditFilter{}, model.PageRequest{Limit: 500, After: after})
		if err != nil {
			t.Fatalf("audit entries: %v", err)
		}
		if len(rows) <= 500 {
			return n + len(rows)
		}
		n += 500
		after = strconv.FormatInt(rows[499].Seq, 10)
	}
}

func TestScaleAuditRows(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		before := countAudit(t, env)
		s := ppOfficers(t, env)
		if got := countAudit(t, env) - before; got != 3*scaleAuditStaffLogin {
			t.Errorf("three staff logins wrote %d audit rows, README says %d each", got, scaleAuditStaffLogin)
		}

		before = countAudit(t, env)
		hh := ppHousehold(model.HukouUrban, ppMember("褚十", "19700303", "self", true, map[string]any{"monthly_income": 30000}))
		hh["bank_account"] = map[string]string{"bank": "湖州银行", "account_number": "621700 0000 3333 4444"}
		id, _ := ppInvestigated(t, env, &s, model.ProgramDibao, hh)
		ppAssess(t, env, &s, id, map[string]any{"per_capita_income": 30000})
		wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
		mid := countAudit(t, env)
		ppNoticeOver(t, env, &s) // three staff logins again
		loginRows := countAudit(t, env) - mid
		wfAct(t, env, s.county, id, "approve", "", http.StatusOK)
		if got := countAudit(t, env) - before - loginRows; got != scaleAuditApprovedCase {
			t.Errorf("an approved 低保 case wrote %d audit rows, README says %d", got, scaleAuditApprovedCase)
		}

		before = countAudit(t, env)
		next := model.AddMonths(model.MonthOf(env.Clock.Now()), 1)
		roll := mnRollOf(t, mnMakeRoll(t, env, s.county, "dibao", next, http.StatusCreated))
		finance := wfDemo(t, env, "finance").Token // one login row
		apitest.Want(t, env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/actions", finance, map[string]string{"action": "approve"}), http.StatusOK)
		results := make([]map[string]string, 0, len(roll.Lines))
		for _, l := range roll.Lines {
			results = append(results, map[string]string{"line_id": l.ID, "status": "paid"})
		}
		apitest.Want(t, env.Post("/api/v1/staff/payment-rolls/"+roll.ID+"/results", finance, map[string]any{"results": results}), http.StatusOK)
		if got := countAudit(t, env) - before - scaleAuditStaffLogin; got != scaleAuditRoll {
			t.Errorf("a payment roll wrote %d audit rows, README says %d", got, scaleAuditRoll)
		}

		before = countAudit(t, env)
		wfAct(t, env, s.community, id, "recheck", "入户复核，收入未变", http.StatusOK)
		if got := countAudit(t, env) - before; got != scaleAuditRecheck {
			t.Errorf("a re-check wrote %d audit rows, README says %d", got, scaleAuditRecheck)
		}
	})
}

// TestReadmeQuotesTheAuditCounts: the README's scale section states the
// counts the test above measures.
func TestReadmeQuotesTheAuditCounts(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "## Running at scale")
	if !ok {
		t.Fatal(`README.md has no "## Running at scale" section`)
	}
	for what, n := range map[string]int{"rows per staff login": scaleAuditStaffLogin, "rows per approved case": scaleAuditApprovedCase,
		"rows per re-check": scaleAuditRecheck, "rows per payment roll": scaleAuditRoll} {
		if want := strconv.Itoa(n) + " " + what; !strings.Contains(section, want) {
			t.Errorf("README's scale section does not say %q", want)
		}
	}
}
