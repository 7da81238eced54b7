package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// dhHits lists the duplicate hits the token sees with a status.
func dhHits(t *testing.T, env *apitest.Env, token, status string) []model.DuplicateHit {
	t.Helper()
	r := env.Get("/api/v1/staff/duplicate-hits?status="+status, token)
	apitest.Want(t, r, http.StatusOK)
	var page struct {
		Items []model.DuplicateHit `json:"items"`
	}
	r.JSON(t, &page)
	return page.Items
}

func dhResolve(t *testing.T, env *apitest.Env, token, id, resolution, reason string, want int) *apitest.Response {
	t.Helper()
	r := env.Post("/api/v1/staff/duplicate-hits/"+id+"/resolve", token, map[string]string{"resolution": resolution, "reason": reason})
	apitest.Want(t, r, want)
	return r
}

// dhMovedChild writes an approved 低保 household with a child and has its
// resident take the child off the household (a change report): the
// benefit still covers the child as approved.
func dhMovedChild(t *testing.T, env *apitest.Env) (vApprovedHousehold, vPerson) {
	t.Helper()
	h := vHousehold(t, env, model.ProgramDibao, ppCommunity, 50000, [][2]string{{"", ""}}, false)
	body := ppHousehold(model.HukouUrban, map[string]any{"id": h.MemberIDs[0], "relation": "self", "work_ability": "none", "monthly_income": 0})
	apitest.Want(t, env.Put("/api/v1/me/household", vResidentToken(env, h), body), http.StatusOK)
	return h, h.People[1]
}

func TestDuplicateRuleExcludedPairOverride(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		h := vHousehold(t, env, model.ProgramDibao, ppCommunity, 50000, nil, false)
		resident := vResidentToken(env, h)
		body := ppHousehold(model.HukouUrban, map[string]any{"id": h.MemberIDs[0], "relation": "self", "work_ability": "none", "monthly_income": 0})
		apitest.Want(t, env.Put("/api/v1/me/household", resident, body), http.StatusOK)
		id := ppApply(t, env, s.community, resident, model.ProgramTekun)
		ppAssess(t, env, &s, id, map[string]any{"support_mode": "centralized", "care_level": "self_care"})
		wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
		ppNoticeOver(t, env, &s)
		if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "duplicate_hit" {
			t.Fatalf("approve: %s", r.Body)
		}
		hits := dhHits(t, env, s.county, "open")
		if len(hits) != 1 || hits[0].Kind != model.HitExcludedPair || hits[0].ApplicationID != id || *hits[0].OtherApplicationID != h.ApplicationID {
			t.Fatalf("hits %+v", hits)
		}
		// Only the county resolves, with a reason.
		dhResolve(t, env, s.street, hits[0].ID, "override", "核实无误", http.StatusForbidden)
		dhResolve(t, env, s.county, hits[0].ID, "override", "  ", http.StatusUnprocessableEntity)
		r := dhResolve(t, env, s.county, hits[0].ID, "override", "原低保将于本月终止，特困供养先行", http.StatusOK)
		var got model.DuplicateHit
		r.JSON(t, &got)
		if got.Status != model.HitOverridden || got.Resolution == nil || *got.Resolution != "override" || got.ResolvedAt == nil {
			t.Fatalf("resolved %s", r.Body)
		}
		dhResolve(t, env, s.county, hits[0].ID, "corrected", "再次处理", http.StatusConflict)
		// The overridden finding is not raised again: the approval goes through.
		wfAct(t, env, s.county, id, "approve", "", http.StatusOK)
		if open := dhHits(t, env, s.county, "open"); len(open) != 0 {
			t.Fatalf("open hits after the override: %+v", open)
		}
		entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter("duplicate_hit.resolve"), model.PageRequest{Limit: 10})
		if err != nil || len(entries) != 1 || entries[0].TargetID != hits[0].ID {
			t.Fatalf("audit %v %+v", err, entries)
		}
	})
}

func TestDuplicateRuleSamePerson(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		h, child := dhMovedChild(t, env)
		// The child joins another household, which applies for 低保 too.
		household := ppHousehold(model.HukouUrban,
			ppMember("赵红", "19850302", "self", false, map[string]any{"work_ability": "none", "monthly_income": 0}),
			map[string]any{"name": child.Name, "id_number": child.IDNumber, "relation": "child", "monthly_income": 0})
		id, _ := ppInvestigated(t, env, &s, model.ProgramDibao, household)
		if a := ppAssess(t, env, &s, id, map[string]any{"per_capita_income": 0}); !a.Eligible {
			t.Fatalf("assessment %+v", a)
		}
		wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
		ppNoticeOver(t, env, &s)
		if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "duplicate_hit" {
			t.Fatalf("approve: %s", r.Body)
		}
		hits := dhHits(t, env, s.county, "open")
		if len(hits) != 1 || hits[0].Kind != model.HitSamePerson || *hits[0].OtherApplicationID != h.ApplicationID {
			t.Fatalf("hits %+v", hits)
		}
		// "Corrected" while the other benefit still covers the child: the
		// next approval finds it again.
		dhResolve(t, env, s.county, hits[0].ID, "corrected", "已通知原户办理变更", http.StatusOK)
		if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "duplicate_hit" {
			t.Fatalf("approve after corrected: %s", r.Body)
		}
		hits = dhHits(t, env, s.county, "open")
		if len(hits) != 1 {
			t.Fatalf("hits %+v", hits)
		}
		dhResolve(t, env, s.county, hits[0].ID, "override", "原户救助金已停发，核实无重复", http.StatusOK)
		wfAct(t, env, s.county, id, "approve", "", http.StatusOK)
	})
}

func TestDuplicateNightlyScanOnceAcrossInstances(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		h, child := dhMovedChild(t, env)
		// A second approved household now holds the child (written as
		// approved, as a benefit paid before the rules existed would be),
		// a little later.
		env.Clock.Advance(time.Second)
		other, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502002001", Phone: newPhone(),
			Address: "幸福路1号", Program: model.ProgramDibao, MonthlyAmount: 40000,
			Members: []apitest.FixtureMember{{Name: "钱多多", IDNumber: vIDNumber(), Relation: model.RelationSelf}, {Name: child.Name, IDNumber: child.IDNumber, Relation: model.RelationChild}}})
		if err != nil {
			t.Fatal(err)
		}
		second := env.Instance()
		total := 0
		for _, a := range []*service.App{env.App, second, env.App} {
			res, err := a.Workflow.ScanDuplicates(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			total += res.Hits
		}
		if total != 1 {
			t.Fatalf("%d hits recorded, want 1", total)
		}
		county := wfDemo(t, env, "county").Token
		hits := dhHits(t, env, county, "open")
		if len(hits) != 1 || hits[0].Kind != model.HitSamePerson || hits[0].ApplicationID != other.ApplicationID || *hits[0].OtherApplicationID != h.ApplicationID ||
			hits[0].RegionCode != "330502002001" {
			t.Fatalf("hits %+v", hits)
		}
		// The community of the first household does not see the hit of the other.
		if got := dhHits(t, env, wfDemo(t, env, "street").Token, "open"); len(got) != 0 {
			t.Fatalf("street 330502001 sees %+v", got)
		}
	})
}
