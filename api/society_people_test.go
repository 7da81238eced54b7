package api_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// spLog collects every volunteer-side and bureau-profile response of a
// test, so one scan can prove that no recipient's or child's personal data
// reached them.
type spLog struct {
	mu     sync.Mutex
	bodies []string
}

// do makes a request and records its response.
func (l *spLog) do(env *apitest.Env, r apitest.Request) *apitest.Response {
	env.T.Helper()
	resp := env.Do(r)
	l.mu.Lock()
	l.bodies = append(l.bodies, r.Method+" "+r.Path+"\n"+string(resp.Body))
	l.mu.Unlock()
	return resp
}

func (l *spLog) get(env *apitest.Env, path, token string) *apitest.Response {
	return l.do(env, apitest.Request{Method: http.MethodGet, Path: path, Token: token})
}

func (l *spLog) send(env *apitest.Env, method, path, token string, body any) *apitest.Response {
	return l.do(env, apitest.Request{Method: method, Path: path, Token: token, Body: body})
}

// scan fails on any name, ID number (whole, masked or its birth date),
// phone, address, school name or birth date of the households' people in a
// recorded body.
func (l *spLog) scan(t *testing.T, households []vApprovedHousehold, extra ...string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bodies) < 10 {
		t.Fatalf("only %d responses recorded", len(l.bodies))
	}
	for _, body := range l.bodies {
		needles := append([]string{"幸福路", "2010-01-01"}, extra...)
		for _, h := range households {
			needles = append(needles, h.Phone) // a masked phone (139****0001) is not unique to anyone
			for _, p := range h.People {
				needles = append(needles, p.Name, p.IDNumber, model.MaskID(p.IDNumber), p.IDNumber[6:14], model.MaskName(p.Name))
			}
		}
		for _, n := range needles {
			if n != "" && strings.Contains(body, n) {
				t.Errorf("a volunteer-side or bureau response carries personal data %q:\n%.400s", n, body)
			}
		}
	}
}

func spAudited(t *testing.T, env *apitest.Env, action string) {
	t.Helper()
	entries, err := env.Backends.DB.AuditEntries(context.Background(), vAuditFilter(action), model.PageRequest{Limit: 10})
	if err != nil || len(entries) == 0 {
		t.Errorf("no audit row %s (%v)", action, err)
	}
}

func spSchoolName(t *testing.T, env *apitest.Env, id string) string {
	t.Helper()
	r := env.Get("/api/v1/schools?region_code=330502", "")
	apitest.Want(t, r, http.StatusOK)
	var out struct{ Items []struct{ ID, Name string } }
	r.JSON(t, &out)
	for _, s := range out.Items {
		if s.ID == id {
			return s.Name
		}
	}
	t.Fatalf("no school %s", id)
	return ""
}

func TestSocietyPeople(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		log := &spLog{}
		school := service.DemoSchoolID("330502", model.StageCompulsory)
		// Recipients in the community: an elderly household the visits are
		// for, and a household with a school child.
		elderly := vHousehold(t, env, model.ProgramTekun, "330502001001", 100000, nil, false)
		family := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{{school, model.StageCompulsory}}, false)
		other := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{{school, model.StageCompulsory}}, false)
		everyone := []vApprovedHousehold{elderly, family, other}
		cw := wfDemo(t, env, "community").Token

		t.Run("volunteer hours", func(t *testing.T) {
			vol := login(t, env, newPhone())
			r := log.get(env, "/api/v1/volunteer/profile", vol)
			apitest.Want(t, r, http.StatusNotFound)
			if r.ErrorCode() != "volunteer_not_found" {
				t.Errorf("code %s", r.ErrorCode())
			}
			apitest.Want(t, log.send(env, http.MethodPut, "/api/v1/volunteer/profile", vol, map[string]any{"name": "", "region_code": "330502001001"}), http.StatusUnprocessableEntity)
			profile := map[string]any{"name": "志愿者周明亮", "region_code": "330502001001", "skills": []string{"visiting", "form_help"}, "availability": "周末上午"}
			r = log.send(env, http.MethodPut, "/api/v1/volunteer/profile", vol, profile)
			apitest.Want(t, r, http.StatusCreated)
			if m := r.Map(t); m["name_masked"] != model.MaskName("志愿者周明亮") || !strings.Contains(m["phone_masked"].(string), "****") {
				t.Errorf("profile %v", m)
			}
			apitest.Want(t, log.send(env, http.MethodPut, "/api/v1/volunteer/profile", vol, profile), http.StatusOK)
			spAudited(t, env, "volunteer.register")

			start := env.Clock.Now().Add(time.Hour)
			act := map[string]any{"region_code": "330502001001", "kind": "visit_elderly", "title": "重阳节探访独居老人", "place": "南门社区服务中心集合",
				"starts_at": start, "ends_at": start.Add(2 * time.Hour), "slots": 1}
			bad := map[string]any{}
			for k, v := range act {
				bad[k] = v
			}
			bad["region_code"] = "330521001001"
			apitest.Want(t, env.Post("/api/v1/staff/volunteer-activities", cw, bad), http.StatusUnprocessableEntity)
			bad["region_code"], bad["ends_at"] = "330502001001", start
			apitest.Want(t, env.Post("/api/v1/staff/volunteer-activities", cw, bad), http.StatusUnprocessableEntity)
			r = env.Post("/api/v1/staff/volunteer-activities", cw, act)
			apitest.Want(t, r, http.StatusCreated)
			actID := r.Map(t)["id"].(string)
			spAudited(t, env, "volunteer_activity.post")

			r = log.get(env, "/api/v1/volunteer/activities", vol)
			apitest.Want(t, r, http.StatusOK)
			if !strings.Contains(string(r.Body), actID) {
				t.Fatalf("activity not listed: %s", r.Body)
			}
			r = log.send(env, http.MethodPost, "/api/v1/volunteer/activities/"+actID+"/signups", vol, nil)
			apitest.Want(t, r, http.StatusCreated)
			if m := r.Map(t); m["signed_up"] != true || m["slots_left"].(float64) != 0 {
				t.Errorf("signup %v", m)
			}
			r = log.send(env, http.MethodPost, "/api/v1/volunteer/activities/"+actID+"/signups", vol, nil)
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "already_signed_up" {
				t.Errorf("code %s", r.ErrorCode())
			}
			late := login(t, env, newPhone())
			apitest.Want(t, log.send(env, http.MethodPost, "/api/v1/volunteer/activities/"+actID+"/signups", late, nil), http.StatusNotFound) // not registered
			apitest.Want(t, log.send(env, http.MethodPut, "/api/v1/volunteer/profile", late, map[string]any{"name": "李志远", "region_code": "330502"}), http.StatusCreated)
			r = log.send(env, http.MethodPost, "/api/v1/volunteer/activities/"+actID+"/signups", late, nil)
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "activity_full" {
				t.Errorf("code %s", r.ErrorCode())
			}

			r = env.Get("/api/v1/staff/volunteer-activities/"+actID, cw)
			apitest.Want(t, r, http.StatusOK)
			signups := r.Map(t)["signups"].([]any)
			if len(signups) != 1 {
				t.Fatalf("signups %v", signups)
			}
			volID := signups[0].(map[string]any)["volunteer_id"].(string)
			hours := func(h float64, who string) *apitest.Response {
				return env.Post("/api/v1/staff/volunteer-activities/"+actID+"/hours", cw, map[string]any{"volunteer_id": who, "hours": h})
			}
			r = hours(1.5, volID)
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "activity_not_started" {
				t.Errorf("code %s", r.ErrorCode())
			}
			env.Clock.Advance(3 * time.Hour)
			cw = wfDemo(t, env, "community").Token // past the staff idle expiry
			apitest.Want(t, hours(0, volID), http.StatusUnprocessableEntity)
			apitest.Want(t, hours(-1, volID), http.StatusUnprocessableEntity)
			apitest.Want(t, hours(1.1, volID), http.StatusUnprocessableEntity) // not a quarter hour
			apitest.Want(t, hours(2.5, volID), http.StatusUnprocessableEntity) // longer than the activity
			apitest.Want(t, hours(1, "nobody"), http.StatusNotFound)
			apitest.Want(t, hours(1.5, volID), http.StatusCreated)
			r = hours(1.5, volID)
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "hours_logged" {
				t.Errorf("code %s", r.ErrorCode())
			}
			spAudited(t, env, "volunteer_hours.log")
			// Another community's worker cannot see or log it.
			city := wfDemo(t, env, "admin").Token
			cwB := wfNewStaff(t, env, city, "sp.community", model.RoleCommunityWorker, "330502002001").Token
			apitest.Want(t, env.Get("/api/v1/staff/volunteer-activities/"+actID, cwB), http.StatusNotFound)
			apitest.Want(t, env.Post("/api/v1/staff/volunteer-activities/"+actID+"/hours", cwB, map[string]any{"volunteer_id": volID, "hours": 1}), http.StatusNotFound)

			r = log.get(env, "/api/v1/volunteer/hours", vol)
			apitest.Want(t, r, http.StatusOK)
			var rec struct {
				TotalHours float64 `json:"total_hours"`
				Items      []struct {
					Title string
					Date  string
					Hours float64
				}
			}
			r.JSON(t, &rec)
			if rec.TotalHours != 1.5 || len(rec.Items) != 1 || rec.Items[0].Hours != 1.5 || rec.Items[0].Title != "重阳节探访独居老人" {
				t.Errorf("hours %+v", rec)
			}
			r = log.get(env, "/api/v1/volunteer/certificate", vol)
			apitest.Want(t, r, http.StatusOK)
			page := string(r.Body)
			for _, want := range []string{"志愿服务时长证明", "志愿者周明亮", "1.50", "重阳节探访独居老人", rec.Items[0].Date, "出具单位"} {
				if !strings.Contains(page, want) {
					t.Errorf("certificate lacks %q", want)
				}
			}
			csp := r.Header.Get("Content-Security-Policy")
			if strings.Contains(page, "<script") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "default-src 'none'") {
				t.Errorf("certificate page script or policy: %q", csp)
			}
			// The late volunteer has no hours: an empty record, total 0.
			r = log.get(env, "/api/v1/volunteer/hours", late)
			apitest.Want(t, r, http.StatusOK)
			if r.Map(t)["total_hours"].(float64) != 0 {
				t.Errorf("late volunteer's hours %s", r.Body)
			}
			log.get(env, "/api/v1/volunteer/activities?region_code=330502", late)
		})

		t.Run("pairing consent", func(t *testing.T) {
			guardian, neighbour := vResidentToken(env, family), vResidentToken(env, other)
			cw := wfDemo(t, env, "community").Token // the first subtest moved the clock past the idle expiry
			county := wfDemo(t, env, "county").Token
			education := wfDemo(t, env, "education").Token
			city := wfDemo(t, env, "admin").Token
			countyB := wfNewStaff(t, env, city, "sp.county", model.RoleCountyApprover, "330521").Token
			child := family.MemberIDs[1]

			r := env.Get("/api/v1/resident/pairing-consents", guardian)
			apitest.Want(t, r, http.StatusOK)
			items := r.Map(t)["items"].([]any)
			if len(items) != 1 || items[0].(map[string]any)["member_id"] != child || items[0].(map[string]any)["eligible"] != true || items[0].(map[string]any)["consent"] != nil {
				t.Fatalf("children %v", items)
			}
			consent := func(token, member, need string) *apitest.Response {
				return env.Post("/api/v1/resident/pairing-consents", token, map[string]any{"member_id": member, "need": need})
			}
			// Another household's child: 404, as for one that does not exist.
			apitest.Want(t, consent(neighbour, child, "需要学习用品"), http.StatusNotFound)
			apitest.Want(t, consent(guardian, "no-such-member", "需要学习用品"), http.StatusNotFound)
			apitest.Want(t, consent(guardian, family.MemberIDs[0], "需要学习用品"), http.StatusUnprocessableEntity) // not in school
			// A need that names the child, the school or a number is refused.
			for _, need := range []string{"", family.People[1].Name + "需要辅导", "在" + spSchoolName(t, env, school) + "读书", "请联系 13912345678", strings.Repeat("字", 301)} {
				apitest.Want(t, consent(guardian, child, need), http.StatusUnprocessableEntity)
			}
			r = consent(guardian, child, "孩子喜欢读书，需要课外书和冬天的衣服")
			apitest.Want(t, r, http.StatusCreated)
			given := r.Map(t)
			profileID := given["id"].(string)
			if given["county_name"] != "吴兴区" || given["stage"] != model.PairingJunior || given["status"] != "active" {
				t.Errorf("consent %v", given)
			}
			r = consent(guardian, child, "再次同意")
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "pairing_consent_exists" {
				t.Errorf("code %s", r.ErrorCode())
			}
			spAudited(t, env, "pairing.consent")

			listed := func(token, id string) bool {
				t.Helper()
				r := log.get(env, "/api/v1/staff/pairing-profiles", token)
				apitest.Want(t, r, http.StatusOK)
				var out struct {
					Items []map[string]any `json:"items"`
				}
				r.JSON(t, &out)
				for _, p := range out.Items {
					if p["id"] == id {
						if p["stage"] != model.PairingJunior || p["county_name"] != "吴兴区" || p["need"] == "" || len(p) != 7 {
							t.Errorf("profile %v", p)
						}
						return true
					}
				}
				return false
			}
			if !listed(county, profileID) || !listed(education, profileID) {
				t.Fatal("the consenting child is not offered to the bureau")
			}
			if listed(countyB, profileID) {
				t.Error("another county sees the profile")
			}
			// The community worker words the need; the bureau sees it.
			r = log.send(env, http.MethodPut, "/api/v1/staff/pairing-profiles/"+profileID+"/need", cw, map[string]any{"need": "初中学生，需要学习用品与课外辅导"})
			apitest.Want(t, r, http.StatusOK)
			if m := r.Map(t); m["need_by"] != "community_worker" {
				t.Errorf("need %v", m)
			}
			apitest.Want(t, env.Put("/api/v1/staff/pairing-profiles/"+profileID+"/need", cw, map[string]any{"need": family.People[1].Name}), http.StatusUnprocessableEntity)
			spAudited(t, env, "pairing.need")

			// Revocation: a neighbour cannot; the guardian can, and the child
			// leaves the bureau's list at once.
			apitest.Want(t, env.Post("/api/v1/resident/pairing-consents/"+profileID+"/revoke", neighbour, nil), http.StatusNotFound)
			r = env.Post("/api/v1/resident/pairing-consents/"+profileID+"/revoke", guardian, nil)
			apitest.Want(t, r, http.StatusOK)
			if r.Map(t)["status"] != "revoked" {
				t.Errorf("revoke %s", r.Body)
			}
			spAudited(t, env, "pairing.revoke")
			if listed(county, profileID) || listed(education, profileID) {
				t.Error("a revoked consent is still offered")
			}
			apitest.Want(t, env.Put("/api/v1/staff/pairing-profiles/"+profileID+"/need", cw, map[string]any{"need": "学习用品"}), http.StatusNotFound)
			r = env.Post("/api/v1/resident/pairing-consents/"+profileID+"/revoke", guardian, nil)
			apitest.Want(t, r, http.StatusConflict)
			// A new consent is a new profile with a new id.
			r = consent(guardian, child, "需要冬天的衣服")
			apitest.Want(t, r, http.StatusCreated)
			again := r.Map(t)["id"].(string)
			if again == profileID || !listed(county, again) {
				t.Errorf("re-consent %s", again)
			}
			r = env.Get("/api/v1/resident/pairing-consents", guardian)
			apitest.Want(t, r, http.StatusOK)
			if c := r.Map(t)["items"].([]any)[0].(map[string]any)["consent"]; c == nil || c.(map[string]any)["id"] != again {
				t.Errorf("guardian's view %s", r.Body)
			}

			// A household whose case is not approved cannot consent.
			pending, err := env.InsertHousehold(context.Background(), apitest.FixtureHousehold{RegionCode: "330502001001", Phone: newPhone(), Address: "某路1号",
				Program: model.ProgramDibao, MonthlyAmount: 1, Status: model.StatusInvestigating, Members: []apitest.FixtureMember{
					{Name: "待批家长", IDNumber: vIDNumber(), Relation: model.RelationSelf},
					{Name: "待批孩子", IDNumber: vIDNumber(), Relation: model.RelationChild, SchoolID: school, Stage: model.StageCompulsory}}})
			if err != nil {
				t.Fatal(err)
			}
			pt := env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: pending.ResidentID})
			r = consent(pt, pending.MemberIDs[1], "需要学习用品")
			apitest.Want(t, r, http.StatusConflict)
			if r.ErrorCode() != "pairing_not_eligible" {
				t.Errorf("code %s", r.ErrorCode())
			}
			// A resident without a household sees no children.
			r = env.Get("/api/v1/resident/pairing-consents", login(t, env, newPhone()))
			apitest.Want(t, r, http.StatusOK)
			if len(r.Map(t)["items"].([]any)) != 0 {
				t.Errorf("children of nobody: %s", r.Body)
			}
			log.scan(t, everyone, spSchoolName(t, env, school))
		})
		log.scan(t, everyone, spSchoolName(t, env, school))
	})
}

// TestVolunteerSignupsNeverExceedSlots: six volunteers sign up for an
// activity with two places at the same moment; exactly two get one.
func TestVolunteerSignupsNeverExceedSlots(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		cw := wfDemo(t, env, "community").Token
		start := env.Clock.Now().Add(time.Hour)
		r := env.Post("/api/v1/staff/volunteer-activities", cw, map[string]any{"region_code": "330502001001", "kind": "form_help",
			"title": "帮助老人填写申请表", "place": "南门社区服务中心", "starts_at": start, "ends_at": start.Add(time.Hour), "slots": 2})
		apitest.Want(t, r, http.StatusCreated)
		act := r.Map(t)["id"].(string)
		const n = 6
		tokens := make([]string, n)
		for i := range tokens {
			tokens[i] = login(t, env, newPhone())
			apitest.Want(t, env.Put("/api/v1/volunteer/profile", tokens[i], map[string]any{"name": "志愿者", "region_code": "330502001001"}), http.StatusCreated)
		}
		got := apitest.Statuses(apitest.Concurrently(n, func(i int) *apitest.Response {
			return env.Post("/api/v1/volunteer/activities/"+act+"/signups", tokens[i], nil)
		}))
		created := 0
		for _, s := range got {
			switch s {
			case http.StatusCreated:
				created++
			case http.StatusConflict:
			default:
				t.Errorf("sign-up status %d", s)
			}
		}
		if created != 2 {
			t.Errorf("%d sign-ups for 2 places: %v", created, got)
		}
		r = env.Get("/api/v1/staff/volunteer-activities/"+act, cw)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["signups"].([]any)); n != 2 {
			t.Errorf("%d sign-ups stored", n)
		}
	})
}
