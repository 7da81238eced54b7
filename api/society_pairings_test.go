package api_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

type spPairing struct {
	ID          string `json:"id"`
	Number      string `json:"number"`
	Code        string `json:"code"`
	Status      string `json:"status"`
	LettersOpen bool   `json:"letters_open"`
	PaidTotal   int64  `json:"paid_total"`
	DonorName   string `json:"donor_name"`
	Profile     struct {
		Stage      string `json:"stage"`
		CountyName string `json:"county_name"`
		Need       string `json:"need"`
	} `json:"profile"`
	Letters []struct {
		Sender string `json:"sender"`
		Body   string `json:"body"`
	} `json:"letters"`
	Payments []struct {
		Amount int64  `json:"amount"`
		Text   string `json:"text"`
	} `json:"payments"`
}

// spLedgerDonated sums the fund ledger's donated column of a county,
// program and month.
func spLedgerDonated(t *testing.T, env *apitest.Env, token, key string) int64 {
	t.Helper()
	r := env.Get("/api/v1/staff/fund-ledger?region_code=330502", token)
	apitest.Want(t, r, http.StatusOK)
	var sum int64
	for _, it := range r.Map(t)["items"].([]any) {
		m := it.(map[string]any)
		if m["region_code"].(string)+"/"+m["program"].(string)+"/"+m["period"].(string) == key {
			sum += int64(m["donated"].(float64))
		}
	}
	return sum
}

func TestSocietyPairingMatchPaymentsLetters(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		log := &spLog{} // every donor-side and bureau pairing response
		county := wfDemo(t, env, "county").Token
		station := wfDemo(t, env, "station").Token
		school := service.DemoSchoolID("330502", model.StageCompulsory)
		period := model.MonthOf(env.Clock.Now())
		fam := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{{school, model.StageCompulsory}}, false)
		fam2 := vHousehold(t, env, model.ProgramDibao, "330502001002", 80000, [][2]string{{school, model.StageCompulsory}}, false)
		guardian, guardian2 := vResidentToken(env, fam), vResidentToken(env, fam2)
		schoolName := spSchoolName(t, env, school)
		secrets := []string{schoolName, fam.ApplicationID, fam.HouseholdID, fam2.ApplicationID, fam2.HouseholdID, fam.MemberIDs[1], fam2.MemberIDs[1]}

		// The guardians consent: the first to letters too, the second not.
		r := env.Post("/api/v1/resident/pairing-consents", guardian, map[string]any{"member_id": fam.MemberIDs[1], "need": "需要学习用品和冬衣", "letters": true})
		apitest.Want(t, r, http.StatusCreated)
		profile := r.Map(t)["id"].(string)
		if r.Map(t)["letters"] != true {
			t.Errorf("consent %s", r.Body)
		}
		r = env.Post("/api/v1/resident/pairing-consents", guardian2, map[string]any{"member_id": fam2.MemberIDs[1], "need": "需要课外辅导"})
		apitest.Want(t, r, http.StatusCreated)
		profile2 := r.Map(t)["id"].(string)

		// The bureau registers donors; a station records their gifts.
		donor := soDonor(t, env, county, model.DonorIndividual, "钱助学", "13900006661", false)
		company := soDonor(t, env, county, model.DonorCompany, "湖州助学电器有限公司", "13900006662", true)
		gift := soGive(t, env, station, map[string]any{"kind": "money", "amount": 120000, "donor_id": donor})
		other := soGive(t, env, station, map[string]any{"kind": "money", "amount": 50000, "donor_id": company})
		goods := soGive(t, env, station, map[string]any{"kind": "goods", "description": "书包", "quantity": 10, "unit": "个", "estimated_value": 50000, "donor_id": donor})

		// Matching: only an offerable profile in region, once per child.
		match := func(profile, donor string, letters, named bool) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/staff/society/pairings", county,
				map[string]any{"profile_id": profile, "donor_id": donor, "donor_letters": letters, "donor_named": named})
		}
		apitest.Want(t, match("nope", donor, true, false), http.StatusNotFound)
		apitest.Want(t, match(profile, "nope", true, false), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/society/pairings", guardian, map[string]any{"profile_id": profile, "donor_id": donor}), http.StatusForbidden)
		r = match(profile, donor, true, false)
		apitest.Want(t, r, http.StatusCreated)
		var p spPairing
		r.JSON(t, &p)
		if p.Code == "" || !strings.HasPrefix(p.Number, "JD330502-") || p.Profile.Need != "需要学习用品和冬衣" || !p.LettersOpen || p.DonorName != model.MaskName("钱助学") {
			t.Fatalf("pairing %s", r.Body)
		}
		spAudited(t, env, "pairing.match")
		r = match(profile, company, false, true)
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "pairing_exists" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = match(profile2, company, true, true)
		apitest.Want(t, r, http.StatusCreated)
		var p2 spPairing
		r.JSON(t, &p2)
		if p2.LettersOpen {
			t.Errorf("letters open without the guardian's consent: %s", r.Body)
		}

		// The donor reads the pairing with the number and code, no login.
		view := func(number, code string) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/public/pairings/view", "", map[string]any{"number": number, "code": code})
		}
		r = view(p.Number, strings.ToLower(p.Code))
		apitest.Want(t, r, http.StatusOK)
		var dv spPairing
		r.JSON(t, &dv)
		if dv.Profile.Stage == "" || dv.Profile.CountyName != "吴兴区" || dv.Profile.Need != "需要学习用品和冬衣" || !dv.LettersOpen {
			t.Errorf("donor view %s", r.Body)
		}
		r = view(p.Number, p2.Code)
		apitest.Want(t, r, http.StatusNotFound)
		if r.ErrorCode() != "pairing_not_found" {
			t.Errorf("code %s", r.ErrorCode())
		}
		apitest.Want(t, view("JD330502-2000-000009", p.Code), http.StatusNotFound)

		// Payments: from the paired donor's money only, never more than given.
		pay := func(id string, body map[string]any) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/staff/society/pairings/"+id+"/payments", county, body)
		}
		before := spLedgerDonated(t, env, county, "330502/dibao/"+period)
		apitest.Want(t, pay(p.ID, map[string]any{"donation_id": other.ID, "amount": 10000}), http.StatusUnprocessableEntity)
		apitest.Want(t, pay(p.ID, map[string]any{"donation_id": goods.ID, "amount": 10000}), http.StatusUnprocessableEntity)
		apitest.Want(t, pay(p.ID, map[string]any{"amount": 10000}), http.StatusUnprocessableEntity)
		r = pay(p.ID, map[string]any{"donation_id": gift.ID, "amount": 130000})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "over_allocated" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = pay(p.ID, map[string]any{"donation_id": gift.ID, "amount": 50000, "note": "2027年春季学期"})
		apitest.Want(t, r, http.StatusCreated)
		r.JSON(t, &p)
		if p.PaidTotal != 50000 || len(p.Payments) != 1 {
			t.Errorf("after payment %s", r.Body)
		}
		if got := spLedgerDonated(t, env, county, "330502/dibao/"+period) - before; got != 50000 {
			t.Errorf("ledger donated moved by %d, want 50000", got)
		}
		r = env.Get("/api/v1/staff/society/donations/"+gift.ID, county)
		apitest.Want(t, r, http.StatusOK)
		var gd soDonation
		r.JSON(t, &gd)
		if gd.Allocated != 50000 || gd.Unallocated != 70000 {
			t.Errorf("donation after payment %s", r.Body)
		}
		spAudited(t, env, "donation.allocate")

		// The payment is on the household's aid record, the donor unnamed to
		// the family; staff see it on the case.
		r = env.Get("/api/v1/resident/aid-record", guardian)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), `"pairing":true`) || !strings.Contains(string(r.Body), "爱心人士") || strings.Contains(string(r.Body), "钱") {
			t.Errorf("aid record %s", r.Body)
		}
		r = env.Get("/api/v1/staff/applications/"+fam.ApplicationID+"/donations", wfDemo(t, env, "community").Token)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "500 元") || !strings.Contains(string(r.Body), p.Number) {
			t.Errorf("staff aid record %s", r.Body)
		}
		apitest.Want(t, env.Get("/api/v1/staff/applications/"+fam.ApplicationID+"/donations", guardian), http.StatusForbidden)
		r = env.Get("/api/v1/resident/pairings", guardian)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "爱心人士") || strings.Contains(string(r.Body), model.MaskName("钱助学")) || !strings.Contains(string(r.Body), "50000") {
			t.Errorf("family pairings %s", r.Body)
		}

		// Letters: screened both ways; the bureau reads them all.
		letter := func(body string) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/public/pairings/letters", "", map[string]any{"number": p.Number, "code": p.Code, "body": body})
		}
		for body, why := range map[string]string{
			"有事可以打我电话13812345678": "电话", "我住在幸福路8号": "住址", "我的身份证号是33050219800101123X": "身份证",
		} {
			r = letter(body)
			apitest.Want(t, r, http.StatusUnprocessableEntity)
			if msg := r.Map(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg+string(r.Body), why) || !strings.Contains(string(r.Body), "保护孩子") {
				t.Errorf("%q refused with %s", body, r.Body)
			}
		}
		apitest.Want(t, letter("祝你新学期学习进步，天天开心！"), http.StatusCreated)
		child := fam.People[1].Name
		r = env.Post("/api/v1/resident/pairings/"+p.ID+"/letters", guardian, map[string]any{"body": "谢谢您！我是" + child + "，我会好好学习。"})
		apitest.Want(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(string(r.Body), "姓名") {
			t.Errorf("name refused with %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/resident/pairings/"+p.ID+"/letters", guardian, map[string]any{"body": "我在" + schoolName + "读书"}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/resident/pairings/"+p.ID+"/letters", guardian2, map[string]any{"body": "谢谢"}), http.StatusNotFound)
		r = env.Post("/api/v1/resident/pairings/"+p.ID+"/letters", guardian, map[string]any{"body": "谢谢叔叔阿姨的帮助，我这学期数学进步了。"})
		apitest.Want(t, r, http.StatusCreated)
		r = view(p.Number, p.Code)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &dv)
		if len(dv.Letters) != 2 || dv.Letters[0].Sender != "donor" || dv.Letters[1].Sender != "family" || !strings.Contains(dv.Letters[1].Body, "数学进步") {
			t.Errorf("donor letters %s", r.Body)
		}
		r = log.get(env, "/api/v1/staff/society/pairings/"+p.ID, county)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &p)
		if len(p.Letters) != 2 {
			t.Errorf("bureau letters %s", r.Body)
		}
		spAudited(t, env, "pairing.letters.read")
		r = log.get(env, "/api/v1/staff/society/pairings", county)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), p.Number) || strings.Contains(string(r.Body), "数学进步") {
			t.Errorf("bureau list %s", r.Body)
		}

		// The bureau stops the letters (audited); payments go on.
		stop := func(id string) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/staff/society/pairings/"+id+"/letters/stop", county, map[string]any{"reason": "信件内容不当"})
		}
		apitest.Want(t, log.send(env, http.MethodPost, "/api/v1/staff/society/pairings/"+p.ID+"/letters/stop", county, map[string]any{}), http.StatusUnprocessableEntity)
		apitest.Want(t, stop(p.ID), http.StatusOK)
		spAudited(t, env, "pairing.letters.stop")
		r = stop(p.ID)
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "letters_stopped" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = letter("再写一封")
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "letters_closed" {
			t.Errorf("code %s", r.ErrorCode())
		}
		apitest.Want(t, env.Post("/api/v1/resident/pairings/"+p.ID+"/letters", guardian, map[string]any{"body": "谢谢"}), http.StatusConflict)

		// The second pairing: letters open once the guardian consents; the
		// named company is named to the family.
		p2letter := func(body string) *apitest.Response {
			return log.send(env, http.MethodPost, "/api/v1/public/pairings/letters", "", map[string]any{"number": p2.Number, "code": p2.Code, "body": body})
		}
		apitest.Want(t, p2letter("你好"), http.StatusConflict)
		apitest.Want(t, env.Put("/api/v1/resident/pairing-consents/"+profile2+"/letters", guardian, map[string]any{"letters": true}), http.StatusNotFound)
		r = env.Put("/api/v1/resident/pairing-consents/"+profile2+"/letters", guardian2, map[string]any{"letters": true})
		apitest.Want(t, r, http.StatusOK)
		spAudited(t, env, "pairing.letters.consent")
		apitest.Want(t, p2letter("你好，祝你健康成长"), http.StatusCreated)
		r = env.Get("/api/v1/resident/pairings", guardian2)
		apitest.Want(t, r, http.StatusOK)
		if !strings.Contains(string(r.Body), "湖州助学电器有限公司") || !strings.Contains(string(r.Body), "健康成长") {
			t.Errorf("family 2 pairings %s", r.Body)
		}

		// Each side sends at most a few letters a day.
		for range 4 {
			apitest.Want(t, p2letter("今天也祝你开心"), http.StatusCreated)
		}
		r = p2letter("今天也祝你开心")
		apitest.Want(t, r, http.StatusTooManyRequests)

		// A revoked consent ends the pairing: no further payments or letters.
		apitest.Want(t, env.Post("/api/v1/resident/pairing-consents/"+profile2+"/revoke", guardian2, nil), http.StatusOK)
		r = pay(p2.ID, map[string]any{"donation_id": other.ID, "amount": 10000})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "pairing_ended" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = p2letter("还在吗")
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "pairing_ended" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = env.Put("/api/v1/resident/pairing-consents/"+profile2+"/letters", guardian2, map[string]any{"letters": true})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "consent_revoked" {
			t.Errorf("code %s", r.ErrorCode())
		}
		r = view(p2.Number, p2.Code)
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["status"] != "ended" || r.Map(t)["letters_open"] != false {
			t.Errorf("ended pairing %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/resident/pairings/"+p2.ID+"/letters", guardian2, map[string]any{"body": "谢谢"}), http.StatusConflict)

		// The bureau's list of offerable children says which are paired.
		r = log.get(env, "/api/v1/staff/pairing-profiles", county)
		apitest.Want(t, r, http.StatusOK)
		for _, it := range r.Map(t)["items"].([]any) {
			m := it.(map[string]any)
			if m["id"] == profile && m["paired"] != true {
				t.Errorf("profile not shown paired: %v", m)
			}
		}

		// Guessing codes: after repeated failures for a number, 429.
		var last *apitest.Response
		for range 6 {
			last = view(p.Number, "0000-0000-0000-0000")
		}
		apitest.Want(t, last, http.StatusTooManyRequests)
		if last.Header.Get("Retry-After") == "" {
			t.Errorf("429 without Retry-After")
		}
		apitest.Want(t, view(p.Number, p.Code), http.StatusTooManyRequests)

		// Out of region: another county's bureau sees none of it.
		other330521 := wfNewStaff(t, env, wfDemo(t, env, "admin").Token, "deqing.bureau", model.RoleCountyApprover, "330521")
		apitest.Want(t, env.Get("/api/v1/staff/society/pairings/"+p.ID, other330521.Token), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/staff/society/pairings/"+p.ID+"/payments", other330521.Token, map[string]any{"donation_id": gift.ID, "amount": 100}), http.StatusNotFound)

		log.scan(t, []vApprovedHousehold{fam, fam2}, secrets...)
	})
}

// TestSocietyPairingRevocationRacesPayment: a guardian's revocation and a
// payment race; either the payment lands before the pairing ends or it is
// refused with pairing_ended — never a payment on an ended pairing, never
// a 5xx.
func TestSocietyPairingRevocationRacesPayment(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		county := wfDemo(t, env, "county").Token
		station := wfDemo(t, env, "station").Token
		school := service.DemoSchoolID("330502", model.StageCompulsory)
		donor := soDonor(t, env, county, model.DonorCompany, "湖州竞速助学公司", "13900006663", false)
		gift := soGive(t, env, station, map[string]any{"kind": "money", "amount": 1000000, "donor_id": donor})
		for i := range 6 {
			fam := vHousehold(t, env, model.ProgramDibao, "330502001001", 80000, [][2]string{{school, model.StageCompulsory}}, false)
			guardian := vResidentToken(env, fam)
			r := env.Post("/api/v1/resident/pairing-consents", guardian, map[string]any{"member_id": fam.MemberIDs[1], "need": "需要学习用品"})
			apitest.Want(t, r, http.StatusCreated)
			profile := r.Map(t)["id"].(string)
			r = env.Post("/api/v1/staff/society/pairings", county, map[string]any{"profile_id": profile, "donor_id": donor})
			apitest.Want(t, r, http.StatusCreated)
			pairing := r.Map(t)["id"].(string)
			var pay, revoke *apitest.Response
			done := make(chan struct{})
			go func() {
				defer close(done)
				pay = env.Post("/api/v1/staff/society/pairings/"+pairing+"/payments", county, map[string]any{"donation_id": gift.ID, "amount": 1000})
			}()
			revoke = env.Post("/api/v1/resident/pairing-consents/"+profile+"/revoke", guardian, nil)
			<-done
			apitest.Want(t, revoke, http.StatusOK)
			payments, err := env.Backends.DB.PairingPayments(t.Context(), pairing)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case pay.Status == http.StatusCreated && len(payments) == 1:
			case pay.Status == http.StatusConflict && pay.ErrorCode() == "pairing_ended" && len(payments) == 0:
			default:
				t.Errorf("round %d: payment %d %s with %d payments stored", i, pay.Status, pay.Body, len(payments))
			}
			r = env.Post("/api/v1/staff/society/pairings/"+pairing+"/payments", county, map[string]any{"donation_id": gift.ID, "amount": 1000})
			apitest.Want(t, r, http.StatusConflict)
		}
	})
}
