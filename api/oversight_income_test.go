package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

func TestDuplicateRuleIncomeCheck(t *testing.T) {
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		s := ppOfficers(t, env)
		tok := login(t, env, newPhone())
		// Sequence 901: the demo human-resources source has a wage record.
		hh := ppHousehold(model.HukouUrban, map[string]any{"name": "孙立", "id_number": ckID("19700101", "901"), "relation": "self", "work_ability": "none", "monthly_income": 0})
		apitest.Want(t, env.Put("/api/v1/me/household", tok, hh), http.StatusOK)
		id := ppApply(t, env, s.community, tok, model.ProgramDibao)
		if a := ppAssess(t, env, &s, id, map[string]any{"per_capita_income": 0}); !a.Eligible {
			t.Fatalf("assessment %+v", a)
		}
		if got := ckRun(t, env, s.community, id); got[model.SourceHumanResources].Status != model.CheckMismatch {
			t.Fatalf("checks %+v", got)
		}
		wfAct(t, env, s.street, id, "publicize", "", http.StatusOK)
		ppNoticeOver(t, env, &s)
		if r := wfAct(t, env, s.county, id, "approve", "", http.StatusConflict); r.ErrorCode() != "duplicate_hit" {
			t.Fatalf("approve: %s", r.Body)
		}
		hits := dhHits(t, env, s.county, "open")
		if len(hits) != 1 || hits[0].Kind != model.HitIncomeCheck || hits[0].OtherApplicationID != nil || hits[0].ApplicationID != id {
			t.Fatalf("hits %+v", hits)
		}
		dhResolve(t, env, s.county, hits[0].ID, "override", "工资记录为已离职单位的历史数据，入户核实无收入", http.StatusOK)
		wfAct(t, env, s.county, id, "approve", "", http.StatusOK)
	})
}
