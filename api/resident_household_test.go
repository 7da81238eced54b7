package api_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// han matches a Chinese character.
var han = regexp.MustCompile(`\p{Han}`)

func TestHouseholdValidation(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		token := login(t, env, newPhone())
		good := makeID("19800101", true)
		future := time.Now().AddDate(1, 0, 0).Format("20060102")
		futureID := "330502" + future + "123"
		futureID += string(model.IDCheckChar(futureID))
		badDate := "33050219800230123"
		badDate += string(model.IDCheckChar(badDate))
		with := func(change func(h map[string]any)) map[string]any {
			h := household(good, makeID("20150601", false))
			change(h)
			return h
		}
		member := func(h map[string]any, i int) map[string]any { return h["members"].([]map[string]any)[i] }
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"wrong checksum", household(withWrongCheck(good)), "members[0].id_number"},
			{"future birth date", household(futureID), "members[0].id_number"},
			{"no such date", household(badDate), "members[0].id_number"},
			{"17 characters", household(good[:17]), "members[0].id_number"},
			{"unknown region", with(func(h map[string]any) { h["region_code"] = "330502001999" }), "region_code"},
			{"region not a community", with(func(h map[string]any) { h["region_code"] = "330502" }), "region_code"},
			{"bad hukou", with(func(h map[string]any) { h["hukou"] = "city" }), "hukou"},
			{"empty address", with(func(h map[string]any) { h["address"] = " " }), "address"},
			{"bad relation", with(func(h map[string]any) { member(h, 1)["relation"] = "cousin" }), "members[1].relation"},
			{"no self", with(func(h map[string]any) { member(h, 0)["relation"] = "spouse" }), "members"},
			{"negative income", with(func(h map[string]any) { member(h, 1)["monthly_income"] = -1 }), "members[1].monthly_income"},
			{"bad work ability", with(func(h map[string]any) { member(h, 0)["work_ability"] = "some" }), "members[0].work_ability"},
			{"bad disability level", with(func(h map[string]any) { member(h, 0)["disability_level"] = 7 }), "members[0].disability_level"},
			{"same ID twice", household(good, good), "members[1].id_number"},
			{"unknown school", with(func(h map[string]any) {
				member(h, 1)["school"] = map[string]any{"school_id": "SCH-nope", "stage": "compulsory", "grade": "3"}
			}), "members[1].school.school_id"},
			{"stage the school lacks", with(func(h map[string]any) {
				member(h, 1)["school"] = map[string]any{"school_id": "SCH-330502-compulsory", "stage": "senior_high", "grade": "1"}
			}), "members[1].school.stage"},
		}
		for _, c := range cases {
			r := env.Do(apitest.Request{Method: http.MethodPut, Path: "/api/v1/me/household", Token: token, Body: c.body, NoCheck: true})
			if r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d, want 422: %s", c.name, r.Status, r.Body)
				continue
			}
			var e struct {
				Error struct {
					Message string            `json:"message"`
					Fields  map[string]string `json:"fields"`
				} `json:"error"`
			}
			r.JSON(t, &e)
			if _, ok := e.Error.Fields[c.field]; !ok {
				t.Errorf("%s: fields %v, want %s", c.name, e.Error.Fields, c.field)
			}
			// The message is Chinese and names the member by number and by
			// the name the resident typed: 成员 2（张三丰）的….
			if !han.MatchString(e.Error.Message) || strings.Contains(e.Error.Message, "must") {
				t.Errorf("%s: message %q is not plain Chinese", c.name, e.Error.Message)
			}
			var i int
			if _, err := fmt.Sscanf(c.field, "members[%d]", &i); err == nil {
				name := member(c.body, i)["name"].(string)
				if want := fmt.Sprintf("成员 %d（%s）的", i+1, name); !strings.HasPrefix(e.Error.Message, want) {
					t.Errorf("%s: message %q, want it to start with %q", c.name, e.Error.Message, want)
				}
			}
			if strings.Contains(string(r.Body), good[6:]) {
				t.Errorf("%s: the error repeats the ID number", c.name)
			}
		}
		r := env.Do(apitest.Request{Method: http.MethodPut, Path: "/api/v1/me/household", Token: token, Body: []byte(`{"members": [}`), NoCheck: true})
		apitest.Want(t, r, http.StatusBadRequest)
		if msg := r.Map(t)["error"].(map[string]any)["message"].(string); !han.MatchString(msg) {
			t.Errorf("malformed body: message %q is not Chinese", msg)
		}
		apitest.Want(t, env.Get("/api/v1/me/household", token), http.StatusNotFound)

		// A valid household: a lower-case x is accepted and normalised.
		xID := "33050220100315002"
		for c := '0'; c <= '9'; c++ {
			if model.IDCheckChar(xID) == 'X' {
				break
			}
			xID = xID[:15] + string(c) + xID[16:]
		}
		if model.IDCheckChar(xID) != 'X' {
			t.Fatal("no x-checked ID found")
		}
		body := household(good, strings.ToLower(xID+"X"))
		member(body, 1)["school"] = map[string]any{"school_id": "SCH-330502-compulsory", "stage": "compulsory", "grade": "三年级"}
		member(body, 1)["disability_level"] = "2"
		member(body, 0)["work_ability"] = "partial"
		r = env.Put("/api/v1/me/household", token, body)
		apitest.Want(t, r, http.StatusOK)
		var h struct {
			ID      string `json:"id"`
			Address string `json:"address"`
			Members []struct {
				ID            string `json:"id"`
				Name          string `json:"name"`
				IDNumber      string `json:"id_number"`
				BirthDate     string `json:"birth_date"`
				Sex           string `json:"sex"`
				HasDisability bool   `json:"has_disability"`
				School        *struct {
					SchoolID string `json:"school_id"`
				} `json:"school"`
			} `json:"members"`
		}
		r = env.Get("/api/v1/me/household", token)
		apitest.Want(t, r, http.StatusOK)
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Fatal("household response is cacheable")
		}
		r.JSON(t, &h)
		// The resident's own members' names are shown in full (they typed
		// them); ID numbers and the address stay masked.
		for _, secret := range []string{good, xID + "X", strings.ToLower(xID + "x"), "南门社区3幢201室"} {
			if strings.Contains(string(r.Body), secret) {
				t.Fatalf("household response shows %q unmasked: %s", secret, r.Body)
			}
		}
		if len(h.Members) != 2 || h.Members[0].IDNumber != good[:2]+"**************"+good[16:] || h.Members[0].Name != "张三" || h.Members[1].Name != "张三丰" {
			t.Fatalf("members: %+v", h.Members)
		}
		m := h.Members[1]
		if m.BirthDate != "2010-03-15" || m.Sex != "F" || !strings.HasSuffix(m.IDNumber, "X") || !m.HasDisability || m.School == nil {
			t.Fatalf("derived fields: %+v", m)
		}
		if h.Members[0].BirthDate != "1980-01-01" || h.Members[0].Sex != "M" {
			t.Fatalf("derived fields: %+v", h.Members[0])
		}

		// Sending back what GET showed (masked) keeps the stored values and
		// the member ids; a new member is added.
		third := makeID("20180101", true)
		back := map[string]any{"region_code": "330502001001", "address": h.Address, "hukou": "urban", "members": []map[string]any{
			{"id": h.Members[0].ID, "name": h.Members[0].Name, "id_number": h.Members[0].IDNumber, "relation": "self", "monthly_income": 60000},
			{"id": h.Members[1].ID, "relation": "child"},
			{"name": "李四", "id_number": third, "relation": "child"},
		}}
		r = env.Put("/api/v1/me/household", token, back)
		apitest.Want(t, r, http.StatusOK)
		var h2 struct {
			ID      string `json:"id"`
			Address string `json:"address"`
			Members []struct {
				ID       string `json:"id"`
				IDNumber string `json:"id_number"`
			} `json:"members"`
		}
		r.JSON(t, &h2)
		if h2.ID != h.ID || h2.Address != h.Address || len(h2.Members) != 3 || h2.Members[0].ID != h.Members[0].ID || h2.Members[1].IDNumber != h.Members[1].IDNumber {
			t.Fatalf("after round trip: %+v (before %+v)", h2, h)
		}
		// The view never shows the disability level, so a member sent back
		// without it keeps it; an explicit null clears it.
		hasDisability := func() bool {
			var v struct {
				Members []struct {
					HasDisability bool `json:"has_disability"`
				} `json:"members"`
			}
			env.Get("/api/v1/me/household", token).JSON(t, &v)
			return v.Members[1].HasDisability
		}
		if !hasDisability() {
			t.Fatal("the round trip lost the child's disability level")
		}
		back["members"].([]map[string]any)[1]["disability_level"] = nil
		apitest.Want(t, env.Put("/api/v1/me/household", token, back), http.StatusOK)
		if hasDisability() {
			t.Fatal("an explicit null did not clear the disability level")
		}
	})
}

func TestHouseholdIDNumberClaims(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		first, id := resident(t, env)
		// A second claim of the same number saves like any other save: the
		// answer says nothing of anyone else's registration (no oracle), and
		// nobody is locked out by whoever typed the number first.
		second := login(t, env, newPhone())
		r := env.Put("/api/v1/me/household", second, household(makeID("19900101", false), id))
		apitest.Want(t, r, http.StatusOK)
		if strings.Contains(string(r.Body), "registered") || strings.Contains(string(r.Body), "conflict") {
			t.Fatalf("the save tells of another registration: %s", r.Body)
		}
		apitest.Want(t, env.Put("/api/v1/me/household", first, household(id)), http.StatusOK)

		// The community worker sees the rival claim on both cases.
		community := wfDemo(t, env, "community").Token
		apply := func(tok string) string {
			app := createApp(t, env, tok, "dibao")
			uploadRequired(t, env, tok, app)
			apitest.Want(t, env.Post("/api/v1/applications/"+app+"/submit", tok, nil), http.StatusOK)
			return app
		}
		firstApp, secondApp := apply(first), apply(second)
		rivals := func(app string) (verified []bool, contested int) {
			r := env.Get("/api/v1/staff/applications/"+app, community)
			apitest.Want(t, r, http.StatusOK)
			var d struct {
				Household struct {
					Members []struct {
						ClaimVerified bool  `json:"claim_verified"`
						RivalClaims   int64 `json:"rival_claims"`
					}
				}
			}
			r.JSON(t, &d)
			for _, m := range d.Household.Members {
				verified = append(verified, m.ClaimVerified)
				if m.RivalClaims > 0 {
					contested++
				}
			}
			return verified, contested
		}
		if v, n := rivals(firstApp); n != 1 || v[0] {
			t.Fatalf("first case: verified %v, contested members %d", v, n)
		}
		if _, n := rivals(secondApp); n != 1 {
			t.Fatalf("second case: contested members %d", n)
		}
		// Accepting the first case on the ID card verifies its claim; the
		// rival claim then cannot be verified.
		wfAct(t, env, community, firstApp, "accept", "", http.StatusOK)
		if v, _ := rivals(firstApp); !v[0] {
			t.Fatal("acceptance did not verify the claim")
		}
		if r := wfAct(t, env, community, secondApp, "accept", "", http.StatusConflict); r.ErrorCode() != "id_number_conflict" {
			t.Fatalf("accepting the rival claim: %s", r.Body)
		}
	})
}

// Household saves are limited per resident (and per address), so ID
// numbers cannot be tried by the hundred.
func TestHouseholdSavesAreRateLimited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		tok := login(t, env, newPhone())
		limited := 0
		for i := 0; i < 40; i++ {
			r := env.Put("/api/v1/me/household", tok, household(makeID("19700101", true)))
			if r.Status == http.StatusTooManyRequests {
				limited++
				if r.Header.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
			}
		}
		if limited == 0 {
			t.Fatal("40 household saves in a row were never limited")
		}
	})
}

// TestHouseholdAsksWorkAbilityFromWorkingAge: the household view says per
// member whether the form asks the work ability — not for a child below
// the working age the guide states (16), counted on the day, from the
// birth date of the ID number — and shows the resident's own members'
// names in full; a name sent back in full keeps the stored member.
func TestHouseholdAsksWorkAbilityFromWorkingAge(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		member := func(h map[string]any, i int) map[string]any { return h["members"].([]map[string]any)[i] }
		var g struct {
			WorkingAge int `json:"working_age"`
		}
		r := env.Get("/api/v1/guide", "")
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &g)
		if g.WorkingAge != 16 {
			t.Fatalf("guide working_age = %d, want 16", g.WorkingAge)
		}
		now := env.Clock.Now().In(time.FixedZone("CST", 8*3600))
		birth := func(years, days int) string { return now.AddDate(-years, 0, days).Format("20060102") }
		token := login(t, env, newPhone())
		body := household(makeID("19800101", true), makeID(birth(16, 0), false), makeID(birth(16, 1), true), makeID(birth(8, 0), false))
		member(body, 0)["work_ability"] = "full"
		apitest.Want(t, env.Put("/api/v1/me/household", token, body), http.StatusOK)
		type shown struct {
			Members []struct {
				ID              string `json:"id"`
				Name            string `json:"name"`
				IDNumber        string `json:"id_number"`
				AsksWorkAbility bool   `json:"asks_work_ability"`
			} `json:"members"`
		}
		var h shown
		r = env.Get("/api/v1/me/household", token)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &h)
		asks := []bool{}
		for _, m := range h.Members {
			asks = append(asks, m.AsksWorkAbility)
		}
		if fmt.Sprint(asks) != fmt.Sprint([]bool{true, true, false, false}) {
			t.Fatalf("asks_work_ability = %v, want the adult and the child turning 16 today asked, the younger ones not", asks)
		}
		if h.Members[1].Name != "张三丰" {
			t.Fatalf("member name %q, want the resident's own member in full", h.Members[1].Name)
		}
		// Sent back as shown (name in full, ID number masked) the members
		// and their names stay.
		back := household()
		for _, m := range h.Members {
			back["members"] = append(back["members"].([]map[string]any), map[string]any{"id": m.ID, "name": m.Name, "id_number": m.IDNumber, "relation": "child"})
		}
		member(back, 0)["relation"] = "self"
		member(back, 1)["name"] = "张小丰"
		apitest.Want(t, env.Put("/api/v1/me/household", token, back), http.StatusOK)
		var after shown
		env.Get("/api/v1/me/household", token).JSON(t, &after)
		if len(after.Members) != 4 || after.Members[0].ID != h.Members[0].ID || after.Members[0].Name != "张三" || after.Members[1].Name != "张小丰" {
			t.Fatalf("after sending the names back: %+v", after.Members)
		}
	})
}
