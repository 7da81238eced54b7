package api_test

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

func TestMedicalContributionList(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		rural := model.HukouRural
		dibao := vHouseholdOf(t, env, rural, model.ProgramDibao, "330502001001", 50000, [][2]string{vCompulsory}, false)
		tekun := vHouseholdOf(t, env, rural, model.ProgramTekun, "330502002001", 60000, nil, false)
		disabled := vHouseholdOf(t, env, rural, model.ProgramTemporary, "330502001002", 10000, [][2]string{vCompulsory}, true)
		vHouseholdOf(t, env, rural, model.ProgramDibao, "330503001001", 50000, nil, false) // another county
		vHousehold(t, env, model.ProgramDibao, "330502001001", 50000, nil, false)          // urban: not in 新农合
		want := []string{dibao.People[0].Name, dibao.People[1].Name, tekun.People[0].Name, disabled.People[0].Name}
		sort.Strings(want)
		year := strconv.Itoa(env.Clock.Now().Year())
		county := wfDemo(t, env, "county").Token

		type list struct {
			Count int
			Total int64
			Items []struct {
				Contribution int64
				MemberID     string `json:"member_id"`
				NameMasked   string `json:"name_masked"`
				IDMasked     string `json:"id_masked"`
				Name         string
				IDNumber     string `json:"id_number"`
				Basis        []string
			}
		}
		r := env.Get("/api/v1/staff/medical-list?region_code=330502&year="+year, county)
		apitest.Want(t, r, http.StatusOK)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Error("medical list without Cache-Control: no-store")
		}
		var masked list
		r.JSON(t, &masked)
		if masked.Count != 4 || len(masked.Items) != 4 {
			t.Fatalf("medical list %+v", masked)
		}
		// The default contribution is 180.00 元 per person.
		if masked.Total != 4*18000 {
			t.Errorf("total %d, want 4 × 18000", masked.Total)
		}
		for _, it := range masked.Items {
			if it.Contribution != 18000 {
				t.Errorf("contribution %d, want 18000", it.Contribution)
			}
		}
		bases := map[string]int{}
		for _, it := range masked.Items {
			if it.Name != "" || it.IDNumber != "" || !strings.Contains(it.IDMasked, "*") {
				t.Errorf("masked list shows %+v", it)
			}
			bases[strings.Join(it.Basis, ",")]++
		}
		if bases["dibao"] != 2 || bases["tekun"] != 1 || bases["disability"] != 1 {
			t.Errorf("bases %v", bases)
		}

		r = env.Get("/api/v1/staff/medical-list?region_code=330502&year="+year+"&reveal=true", county)
		apitest.Want(t, r, http.StatusOK)
		var full list
		r.JSON(t, &full)
		var names []string
		for _, it := range full.Items {
			names = append(names, it.Name)
		}
		sort.Strings(names)
		if strings.Join(names, ",") != strings.Join(want, ",") {
			t.Fatalf("names %v, want %v", names, want)
		}
		audit, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter(string(model.ActMedicalListRead)), model.PageRequest{Limit: 10})
		if err != nil || len(audit) != 1 {
			t.Fatalf("reveal audited %d times (%v), want 1", len(audit), err)
		}

		// The Excel file for the finance office: full names and ID numbers, audited.
		r = env.Get("/api/v1/staff/medical-list.xlsx?region_code=330502&year="+year, county)
		apitest.Want(t, r, http.StatusOK)
		rows := vReadXLSX(t, r.Body)
		ids := map[string]bool{}
		for _, row := range rows {
			if len(row) >= 3 {
				ids[row[2]] = true
			}
		}
		for _, h := range []vApprovedHousehold{dibao, tekun} {
			for _, p := range h.People {
				if !ids[p.IDNumber] {
					t.Errorf("xlsx lacks %s's ID number", p.Name)
				}
			}
		}
		if ids[disabled.People[1].IDNumber] {
			t.Error("xlsx lists a member of a temporary-aid household without disability")
		}
		if last := rows[len(rows)-1]; last[0] != "合计" || last[1] != "4" {
			t.Errorf("xlsx total row %v", last)
		}
		audit, _ = env.Backends.DB.AuditEntries(context.Background(), vAuditFilter(string(model.ActMedicalListRead)), model.PageRequest{Limit: 10})
		if len(audit) != 2 {
			t.Errorf("export audited %d times in all, want 2", len(audit))
		}

		// Scope and input.
		var prior list
		r = env.Get("/api/v1/staff/medical-list?region_code=330502&year="+strconv.Itoa(env.Clock.Now().Year()-1), county)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &prior)
		if prior.Count != 0 {
			t.Errorf("last year's list has %d people approved this year", prior.Count)
		}
		apitest.Want(t, env.Get("/api/v1/staff/medical-list?region_code=330503&year="+year, county), http.StatusNotFound)
		apitest.Want(t, env.Get("/api/v1/staff/medical-list?region_code=330502&year=twenty", county), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/staff/medical-list?region_code=330502", wfDemo(t, env, "school").Token), http.StatusForbidden)
		apitest.Want(t, env.Get("/api/v1/staff/medical-list.xlsx?region_code=330502", wfDemo(t, env, "street").Token), http.StatusForbidden)
	})
}
