package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// minCandidates is how many full ID numbers must remain possible for every
// masked ID number a response shows.
const minCandidates = 1000

var (
	maskedIDPattern = regexp.MustCompile(`^[0-9X*]{18}$`)
	datePattern     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

// idClues is what an attacker reads beside one masked ID number.
type idClues struct {
	masked   string
	counties []string // possible first six digits
	birth    string   // YYYY-MM-DD, when shown
	age      int      // -1 when not shown
}

// rebuildCount enumerates the full ID numbers consistent with the clues
// (county code, birth date or age, the visible characters and the GB 11643
// check character) and returns how many there are, stopping at limit.
func rebuildCount(c idClues, now time.Time, limit int) int {
	matches := func(pos int, ch byte) bool { return c.masked[pos] == '*' || c.masked[pos] == ch }
	var dates []string
	switch {
	case c.birth != "":
		dates = []string{strings.ReplaceAll(c.birth, "-", "")}
	default:
		from, to := time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), now
		if c.age >= 0 {
			to = now.AddDate(-c.age, 0, 0)
			from = now.AddDate(-c.age-1, 0, 1)
		}
		for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
			dates = append(dates, d.Format("20060102"))
		}
	}
	n := 0
	for _, county := range c.counties {
		if !(matches(0, county[0]) && matches(1, county[1]) && matches(2, county[2]) && matches(3, county[3]) && matches(4, county[4]) && matches(5, county[5])) {
			continue
		}
		for _, d := range dates {
			ok := true
			for i := 0; i < 8; i++ {
				if !matches(6+i, d[i]) {
					ok = false
					break
				}
			}
			if !ok {
				continue
			}
			for seq := 0; seq < 1000; seq++ {
				s := fmt.Sprintf("%03d", seq)
				if !matches(14, s[0]) || !matches(15, s[1]) || !matches(16, s[2]) {
					continue
				}
				first := county + d + s
				if matches(17, model.IDCheckChar(first)) {
					if n++; n >= limit {
						return n
					}
				}
			}
		}
	}
	return n
}

// maskScan checks every masked ID number in JSON or Excel responses.
type maskScan struct {
	t        *testing.T
	now      time.Time
	counties []string
	seen     int
}

// county codes the attacker would try: every county of the city.
func cityCounties(t *testing.T, env *apitest.Env) []string {
	t.Helper()
	r := env.Get("/api/v1/regions", "")
	apitest.Want(t, r, http.StatusOK)
	var out struct {
		Items []struct{ Code, Level string }
	}
	r.JSON(t, &out)
	var codes []string
	for _, it := range out.Items {
		if it.Level == model.LevelCounty {
			codes = append(codes, it.Code)
		}
	}
	return codes
}

func (s *maskScan) check(where string, c idClues) {
	s.t.Helper()
	s.seen++
	if n := rebuildCount(c, s.now, minCandidates); n < minCandidates {
		s.t.Errorf("%s: masked ID %s with the clues beside it (birth %q, age %d) leaves only %d candidates", where, c.masked, c.birth, c.age, n)
	}
}

// object scans one JSON object: its masked IDs with its sibling clues.
func (s *maskScan) object(where string, obj map[string]any) {
	s.t.Helper()
	clues := idClues{counties: s.counties, age: -1}
	var masked []string
	for k, v := range obj {
		switch x := v.(type) {
		case string:
			switch {
			case maskedIDPattern.MatchString(x) && strings.Contains(x, "*"):
				masked = append(masked, x)
			case datePattern.MatchString(x):
				clues.birth = x
			case k == "region_code" && len(x) >= 6:
				clues.counties = []string{x[:6]}
			}
		case float64:
			if k == "age" {
				clues.age = int(x)
			}
		case map[string]any:
			s.object(where, x)
		case []any:
			for _, e := range x {
				if m, ok := e.(map[string]any); ok {
					s.object(where, m)
				}
			}
		}
	}
	for _, m := range masked {
		c := clues
		c.masked = m
		s.check(where, c)
	}
}

func (s *maskScan) response(where string, r *apitest.Response) {
	s.t.Helper()
	apitest.Want(s.t, r, http.StatusOK)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		for i, row := range vReadXLSX(s.t, r.Body) {
			obj := map[string]any{}
			for j, cell := range row {
				obj[fmt.Sprint(j)] = cell
			}
			s.object(fmt.Sprintf("%s row %d", where, i+1), obj)
		}
		return
	}
	var v any
	if err := json.Unmarshal(r.Body, &v); err != nil {
		s.t.Fatalf("%s: %v", where, err)
	}
	s.object(where, map[string]any{"body": v})
}

// The reconstruction itself must be able to fail: the old mask (first 4,
// last 4) beside a birth date leaves a handful of numbers.
func TestIDRebuildFindsTheOldMask(t *testing.T) {
	t.Parallel()
	id := makeID("20120301", true)
	old := id[:4] + strings.Repeat("*", 10) + id[14:]
	now := time.Now()
	counties := []string{"330502", "330503", "330521", "330522", "330523"}
	if n := rebuildCount(idClues{masked: old, counties: counties, birth: "2012-03-01", age: -1}, now, minCandidates); n >= 20 {
		t.Fatalf("the old mask with the birth date leaves %d candidates; the attack should narrow it to a few", n)
	}
	if n := rebuildCount(idClues{masked: model.MaskID(id), counties: counties, age: model.AgeOn("2012-03-01", now)}, now, minCandidates); n < minCandidates {
		t.Fatalf("the new mask with an age leaves %d candidates", n)
	}
}

// Every response that shows a masked ID number to someone other than its
// owner leaves at least minCandidates full numbers possible: the staff
// detail without reveal (as each role that can read it, admin too), the
// queue, the medical list and its Excel file.
func TestMaskedIDsCannotBeRebuilt(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		scan := &maskScan{t: t, now: env.Clock.Now(), counties: cityCounties(t, env)}
		c := wfSubmitted(t, env, "330502001001", 4)
		for _, who := range []string{"community", "street", "county", "admin", "auditor"} {
			tok := wfDemo(t, env, who).Token
			scan.response(who+" detail", env.Get("/api/v1/staff/applications/"+c.ID, tok))
			scan.response(who+" queue", env.Get("/api/v1/staff/applications?region_code=330502001001", tok))
		}
		vHouseholdOf(t, env, model.HukouRural, model.ProgramDibao, "330502001001", 50000, [][2]string{{"", ""}}, true)
		county := wfDemo(t, env, "county").Token
		year := fmt.Sprint(env.Clock.Now().Year())
		scan.response("medical list", env.Get("/api/v1/staff/medical-list?region_code=330502&year="+year, county))
		scan.response("medical list xlsx", env.Get("/api/v1/staff/medical-list.xlsx?region_code=330502&year="+year, county))
		if scan.seen < 6 {
			t.Fatalf("only %d masked ID numbers were seen; the scan did not reach the responses", scan.seen)
		}

		// Revealed, the detail shows the birth date (and is audited).
		r := env.Get("/api/v1/staff/applications/"+c.ID+"?reveal=true", wfDemo(t, env, "community").Token)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"birth_date"`) {
			t.Errorf("the revealed detail should carry birth dates: %.300s", r.Body)
		}
	})
}
