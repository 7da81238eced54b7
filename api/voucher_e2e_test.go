package api_test

import (
	"net/http"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

// TestVoucherEndToEnd walks the real chain: a resident registers a
// household with a schoolchild and applies for 低保; staff take it through
// investigation, the public notice and approval; the approval issues the
// child's voucher; the school redeems it; the street publishes the list.
// Every public response on the way is scanned for personal data.
func TestVoucherEndToEnd(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		var public vPublicLog
		phone := newPhone()
		adult, child := "欧阳振华", "欧阳小雨"
		adultID, childID := makeID("19800101", true), makeID("20140301", false)
		r := env.Post("/api/v1/auth/sessions", "", map[string]string{"phone": phone, "code": sendCode(t, env, phone)})
		apitest.Want(t, r, http.StatusCreated)
		var session struct {
			Token    string `json:"token"`
			Resident struct {
				ID string `json:"id"`
			} `json:"resident"`
		}
		r.JSON(t, &session)
		tok := session.Token
		household := map[string]any{"region_code": "330502001001", "address": "湖州市吴兴区幸福路8号2幢301室", "hukou": "urban", "members": []map[string]any{
			{"name": adult, "id_number": adultID, "relation": "self", "monthly_income": 40000},
			{"name": child, "id_number": childID, "relation": "child", "monthly_income": 0,
				"school": map[string]string{"school_id": vCompulsory[0], "stage": "compulsory", "grade": "5"}},
		}}
		apitest.Want(t, env.Put("/api/v1/me/household", tok, household), http.StatusOK)
		c := wfCase{ID: createApp(t, env, tok, "dibao"), Resident: tok}
		for _, kind := range []string{"id_card", "hukou_book", "income_proof", "consent"} {
			r = upload(t, env, tok, c.ID, kind, kind+".jpg", jpegFile)
			apitest.Want(t, r, http.StatusCreated)
			c.Docs = append(c.Docs, r.Map(t)["id"].(string))
		}
		apitest.Want(t, env.Post("/api/v1/applications/"+c.ID+"/submit", tok, nil), http.StatusOK)
		wfInvestigated(t, env, wfDemo(t, env, "community").Token, c)
		wfAct(t, env, wfDemo(t, env, "street").Token, c.ID, "publicize", "", http.StatusOK)
		apitest.Want(t, public.get(t, env, "/api/v1/public/notices?region_code=330502001001"), http.StatusOK)
		if vs := vMyVouchers(t, env, tok); len(vs) != 0 {
			t.Fatalf("vouchers before approval: %+v", vs)
		}

		env.Clock.Advance(env.Config.PublicityPeriod + 1)
		wfAct(t, env, wfDemo(t, env, "county").Token, c.ID, "approve", "", http.StatusOK)

		// The session idled out over the notice period; the SMS limits run on
		// the wall clock, so the resident comes back through a direct session.
		tok = env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: session.Resident.ID})
		vs := vMyVouchers(t, env, tok)
		if len(vs) != 1 || vs[0].Stage != "compulsory" || vs[0].Status != "issued" || vs[0].StudentNameMasked != model.MaskName(child) || vs[0].Term != model.TermOf(env.Clock.Now()) {
			t.Fatalf("vouchers after approval: %+v", vs)
		}
		school := wfDemo(t, env, "school").Token
		r = env.Post("/api/v1/school/vouchers/"+vs[0].Code+"/redemptions", school, map[string]any{"items": map[string]int64{"misc_fee": 20000}})
		apitest.Want(t, r, http.StatusCreated)
		if vMyVouchers(t, env, tok)[0].Status != "redeemed" {
			t.Fatal("the resident does not see the voucher redeemed")
		}

		r = env.Post("/api/v1/staff/publications", wfDemo(t, env, "street").Token, map[string]string{"region_code": "330502001", "program": "dibao", "period": env.Clock.Now().Format("2006-01")})
		apitest.Want(t, r, http.StatusCreated)
		var pub vPublicationJSON
		r.JSON(t, &pub)
		if pub.EntryCount != 1 || pub.Entries[0].NameMasked != model.MaskName(adult) || pub.Entries[0].HouseholdSize != 2 || pub.Entries[0].MonthlyAmount <= 0 {
			t.Fatalf("publication %+v", pub)
		}
		for _, suffix := range []string{"", ".html", ".xlsx"} {
			apitest.Want(t, public.get(t, env, "/api/v1/public/publications/"+pub.ID+suffix), http.StatusOK)
		}
		apitest.Want(t, public.get(t, env, "/api/v1/public/publications?region_code=330502001001"), http.StatusOK)
		public.scan(t, []vApprovedHousehold{{Phone: phone, People: []vPerson{{adult, adultID}, {child, childID}}}})
	})
}
