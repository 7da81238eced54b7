package api_test

import (
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// soBodies collects every donor-side and public response body of a test
// run, to be scanned for recipients' personal data at the end.
type soBodies struct {
	mu     sync.Mutex
	bodies []string
}

func (b *soBodies) keep(r *apitest.Response) *apitest.Response {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.bodies = append(b.bodies, string(r.Body))
	return r
}

// scan fails on any body holding one of secrets.
func (b *soBodies) scan(t *testing.T, secrets []string) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.bodies) == 0 {
		t.Fatal("no donor-side bodies collected")
	}
	for _, s := range secrets {
		if s == "" {
			t.Fatal("an empty secret")
		}
		for _, body := range b.bodies {
			if strings.Contains(body, s) {
				t.Errorf("a donor-side or public response carries %q: %.300s", s, body)
			}
		}
	}
}

// soRecipientSecrets are a fixture household's name, ID numbers, phone,
// address, school name and case id: none of them may reach a donor.
func soRecipientSecrets(t *testing.T, env *apitest.Env, h vApprovedHousehold) []string {
	t.Helper()
	out := []string{h.Phone, h.ApplicationID, h.HouseholdID}
	for _, p := range h.People {
		out = append(out, p.Name, p.IDNumber, model.MaskID(p.IDNumber))
	}
	school, err := env.Backends.DB.School(t.Context(), service.DemoSchoolID("330502", model.StageCompulsory))
	if err != nil {
		t.Fatal(err)
	}
	return append(out, school.Name, "幸福路")
}

type soDonation struct {
	ID            string `json:"id"`
	ReceiptNumber string `json:"receipt_number"`
	TraceCode     string `json:"trace_code"`
	Value         int64  `json:"value"`
	Allocated     int64  `json:"allocated"`
	Unallocated   int64  `json:"unallocated"`
	Allocations   []struct {
		Amount   int64  `json:"amount"`
		Quantity int64  `json:"quantity"`
		Program  string `json:"program"`
		Period   string `json:"period"`
	} `json:"allocations"`
}

type soTrace struct {
	Value         int64 `json:"value"`
	Allocated     int64 `json:"allocated"`
	Unallocated   int64 `json:"unallocated"`
	Distributions []struct {
		Amount     int64  `json:"amount"`
		Quantity   int64  `json:"quantity"`
		RegionName string `json:"region_name"`
		Text       string `json:"text"`
	} `json:"distributions"`
	Summary string `json:"summary"`
}

// soDonor registers a donor as the county and returns its id.
func soDonor(t *testing.T, env *apitest.Env, county string, kind model.DonorKind, name, phone string, named bool) string {
	t.Helper()
	r := env.Post("/api/v1/staff/society/donors", county, map[string]any{"kind": kind, "name": name, "phone": phone, "may_be_named": named})
	apitest.Want(t, r, http.StatusCreated)
	return r.Map(t)["id"].(string)
}

// soGive records a donation at the station.
func soGive(t *testing.T, env *apitest.Env, station string, body map[string]any) soDonation {
	t.Helper()
	r := env.Post("/api/v1/staff/station/donations", station, body)
	apitest.Want(t, r, http.StatusCreated)
	var d soDonation
	r.JSON(t, &d)
	return d
}

func soAllocate(env *apitest.Env, county, id string, body map[string]any) *apitest.Response {
	return env.Post("/api/v1/staff/society/donations/"+id+"/allocations", county, body)
}

func TestSocietyDonationsTracedWithoutRecipients(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		var seen soBodies
		county := wfDemo(t, env, "county").Token
		station := wfDemo(t, env, "station").Token
		period := model.MonthOf(env.Clock.Now())

		// The bureau registers donors: an organisation's name is public, a
		// person's masked; phones masked.
		company := soDonor(t, env, county, model.DonorCompany, "湖州仁心纺织有限公司", "13900001111", true)
		named := soDonor(t, env, county, model.DonorIndividual, "周慈善", "13900002222", true)
		unnamed := soDonor(t, env, county, model.DonorIndividual, "吴不留名", "13900003333", false)
		r := env.Get("/api/v1/staff/society/donors", county)
		apitest.Want(t, r, http.StatusOK)
		for _, secret := range []string{"周慈善", "吴不留名", "13900002222"} {
			if strings.Contains(string(r.Body), secret) {
				t.Errorf("donor list shows %q", secret)
			}
		}
		if !strings.Contains(string(r.Body), "湖州仁心纺织有限公司") || !strings.Contains(string(r.Body), "周**") {
			t.Errorf("donor list: %s", r.Body)
		}
		apitest.Want(t, env.Post("/api/v1/staff/society/donors", county, map[string]any{"kind": "alien", "name": "x", "phone": "13900004444"}), http.StatusUnprocessableEntity)

		// The station finds a donor by phone and records gifts.
		r = env.Get("/api/v1/staff/station/me", station)
		apitest.Want(t, r, http.StatusOK)
		if r.Map(t)["name"] != service.DemoStationName {
			t.Errorf("station: %s", r.Body)
		}
		r = env.Get("/api/v1/staff/station/donors?phone=13900002222", station)
		apitest.Want(t, r, http.StatusOK)
		if items := r.Map(t)["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != named {
			t.Errorf("find donor: %s", r.Body)
		}
		money := soGive(t, env, station, map[string]any{"donor_id": named, "kind": "money", "amount": 50000})
		goods := soGive(t, env, station, map[string]any{"donor_id": company, "kind": "goods", "description": "大米（10 公斤装）", "quantity": 3, "unit": "袋", "estimated_value": 10000})
		big := soGive(t, env, station, map[string]any{"donor_id": company, "kind": "money", "amount": 300000})
		soGive(t, env, station, map[string]any{"donor_id": unnamed, "kind": "money", "amount": 900000})
		anon := soGive(t, env, station, map[string]any{"kind": "money", "amount": 1000})
		if money.ReceiptNumber == goods.ReceiptNumber || !regexp.MustCompile(`^JZ330502-\d{4}-\d{6}$`).MatchString(money.ReceiptNumber) {
			t.Errorf("receipt numbers %q %q", money.ReceiptNumber, goods.ReceiptNumber)
		}
		if model.CanonicalTraceCode(money.TraceCode) != money.TraceCode {
			t.Errorf("trace code %q", money.TraceCode)
		}
		apitest.Want(t, env.Post("/api/v1/staff/station/donations", station, map[string]any{"kind": "money", "amount": 0}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/station/donations", station, map[string]any{"kind": "goods", "description": "米", "quantity": 1}), http.StatusUnprocessableEntity)
		r = env.Get("/api/v1/staff/station/donations", station)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["items"].([]any)); n != 5 {
			t.Errorf("station donations: %d", n)
		}

		// The printable receipt: Chinese, the number and the trace code, its
		// style allowed by hash, no script.
		r = env.Get("/api/v1/staff/station/donations/"+money.ID+"/receipt", station)
		apitest.Want(t, r, http.StatusOK)
		page := string(seen.keep(r).Body)
		for _, want := range []string{"社会捐赠收据", money.ReceiptNumber, money.TraceCode, "500.00", "周**", `href="/api/v1/public/donations/receipt.css"`} {
			if !strings.Contains(page, want) {
				t.Errorf("receipt lacks %q", want)
			}
		}
		if strings.Contains(page, "<script") || strings.Contains(page, "<style") || strings.Contains(page, "style=") {
			t.Error("receipt has a script or an inline style")
		}
		if csp := r.Header.Get("Content-Security-Policy"); strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "style-src 'self'") {
			t.Errorf("receipt CSP %q", csp)
		}
		r = env.Get("/api/v1/public/donations/receipt.css", "")
		apitest.Want(t, r, http.StatusOK)
		if css := string(r.Body); !strings.Contains(css, "@page { size: A5") || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") {
			t.Errorf("receipt.css: %s %.100s", r.Header.Get("Content-Type"), css)
		}

		// Another station sees none of it.
		city := wfDemo(t, env, "admin").Token
		other := wfNewStaff(t, env, city, "so.station2", model.RoleStation, "330502002")
		apitest.Want(t, env.Get("/api/v1/staff/station/me", other.Token), http.StatusForbidden)
		r = env.Post("/api/v1/staff/society/stations", county, map[string]any{"name": "朝阳街道捐赠站", "address": "朝阳街道 1 号", "staff_username": "so.station2"})
		apitest.Want(t, r, http.StatusCreated)
		apitest.Want(t, env.Post("/api/v1/staff/society/stations", county, map[string]any{"name": "又一个", "staff_username": "so.station2"}), http.StatusConflict)
		apitest.Want(t, env.Post("/api/v1/staff/society/stations", county, map[string]any{"name": "错角色", "staff_username": "community"}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Get("/api/v1/staff/station/donations/"+money.ID+"/receipt", other.Token), http.StatusNotFound)
		r = env.Get("/api/v1/staff/station/donations", other.Token)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["items"].([]any)); n != 0 {
			t.Errorf("the other station sees %d donations", n)
		}
		r = env.Get("/api/v1/staff/society/stations", county)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["items"].([]any)); n != 2 {
			t.Errorf("stations: %d", n)
		}

		// Recipients: an approved temporary case with a school child, and
		// one still in progress; one in another county.
		hh := vHousehold(t, env, model.ProgramTemporary, "330502001001", 80000, [][2]string{{service.DemoSchoolID("330502", model.StageCompulsory), model.StageCompulsory}}, false)
		other2 := vHousehold(t, env, model.ProgramDibao, "330502002001", 60000, nil, false)
		elsewhere := vHousehold(t, env, model.ProgramTemporary, "330521001001", 80000, nil, false)
		pending := wfSubmitted(t, env, "330502001001", 1)

		// Allocations: to a program in a region, to a named case, goods.
		r = soAllocate(env, county, money.ID, map[string]any{"program": "temporary", "region_code": "330502", "amount": 20000, "note": "春节慰问"})
		apitest.Want(t, r, http.StatusCreated)
		r = soAllocate(env, county, money.ID, map[string]any{"application_id": hh.ApplicationID, "amount": 10000})
		apitest.Want(t, r, http.StatusCreated)
		var detail soDonation
		r.JSON(t, &detail)
		if detail.Allocated != 30000 || detail.Unallocated != 20000 || len(detail.Allocations) != 2 {
			t.Errorf("after two allocations: %s", r.Body)
		}
		r = soAllocate(env, county, money.ID, map[string]any{"program": "temporary", "region_code": "330502", "amount": 20001})
		apitest.Want(t, r, http.StatusConflict)
		if r.ErrorCode() != "over_allocated" {
			t.Errorf("over-allocation: %s", r.Body)
		}
		apitest.Want(t, soAllocate(env, county, money.ID, map[string]any{"application_id": pending.ID, "amount": 100}), http.StatusConflict)
		apitest.Want(t, soAllocate(env, county, money.ID, map[string]any{"application_id": elsewhere.ApplicationID, "amount": 100}), http.StatusNotFound)
		apitest.Want(t, soAllocate(env, county, money.ID, map[string]any{"program": "temporary", "region_code": "330521", "amount": 100}), http.StatusNotFound)
		apitest.Want(t, soAllocate(env, county, money.ID, map[string]any{"program": "nothing", "region_code": "330502", "amount": 100}), http.StatusUnprocessableEntity)
		apitest.Want(t, soAllocate(env, county, money.ID, map[string]any{"program": "temporary", "region_code": "330502", "quantity": 1}), http.StatusUnprocessableEntity)
		apitest.Want(t, soAllocate(env, county, other2.ApplicationID, map[string]any{"program": "temporary", "region_code": "330502", "amount": 1}), http.StatusNotFound)
		// Goods: a third of 100.00 元 each; the shares sum to the value.
		for range 3 {
			apitest.Want(t, soAllocate(env, county, goods.ID, map[string]any{"application_id": hh.ApplicationID, "quantity": 1}), http.StatusCreated)
		}
		apitest.Want(t, soAllocate(env, county, goods.ID, map[string]any{"application_id": hh.ApplicationID, "quantity": 1}), http.StatusConflict)
		r = env.Get("/api/v1/staff/society/donations/"+goods.ID, county)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &detail)
		var shares int64
		for _, a := range detail.Allocations {
			shares += a.Amount
		}
		if shares != 10000 || detail.Allocated != 10000 || detail.Unallocated != 0 {
			t.Errorf("goods shares %d: %s", shares, r.Body)
		}
		apitest.Want(t, soAllocate(env, county, big.ID, map[string]any{"program": "dibao", "region_code": "330502002", "amount": 250000}), http.StatusCreated)
		// Auditor and finance read; the bureau's list.
		r = env.Get("/api/v1/staff/society/donations", wfDemo(t, env, "finance").Token)
		apitest.Want(t, r, http.StatusOK)
		if n := len(r.Map(t)["items"].([]any)); n != 5 {
			t.Errorf("bureau donations: %d", n)
		}

		// The donor's trace: every distribution in words, none naming the
		// case; allocated + unallocated = value = the sum of its lines.
		trace := func(number, code string) *apitest.Response {
			return seen.keep(env.Post("/api/v1/public/donations/trace", "", map[string]string{"receipt_number": number, "trace_code": code}))
		}
		for _, d := range []soDonation{money, goods, big, anon} {
			r = trace(strings.ToLower(d.ReceiptNumber), strings.ToLower(strings.ReplaceAll(d.TraceCode, "-", " ")))
			apitest.Want(t, r, http.StatusOK)
			var tr soTrace
			r.JSON(t, &tr)
			var sum int64
			for _, x := range tr.Distributions {
				sum += x.Amount
			}
			if tr.Allocated != sum || tr.Allocated+tr.Unallocated != tr.Value || tr.Value != d.Value {
				t.Errorf("trace of %s does not add up: %s", d.ReceiptNumber, r.Body)
			}
		}
		r = trace(money.ReceiptNumber, money.TraceCode)
		var tr soTrace
		r.JSON(t, &tr)
		if len(tr.Distributions) != 2 || tr.Distributions[0].Text != "您捐赠的 200 元 已于 "+period+" 用于吴兴区的临时救助" ||
			tr.Distributions[1].RegionName != "吴兴区" || tr.Unallocated != 20000 {
			t.Errorf("trace: %s", r.Body)
		}
		r = trace(money.ReceiptNumber, goods.TraceCode)
		apitest.Want(t, r, http.StatusNotFound)
		if r.ErrorCode() != "trace_not_found" || !strings.Contains(string(r.Body), "查询码") {
			t.Errorf("wrong code: %s", r.Body)
		}
		apitest.Want(t, trace("JZ330502-2000-000001", money.TraceCode), http.StatusNotFound)

		// The ledger's donated column and the public totals agree.
		r = env.Get("/api/v1/staff/fund-ledger?region_code=330502", county)
		apitest.Want(t, r, http.StatusOK)
		ledger := map[string]int64{}
		for _, it := range r.Map(t)["items"].([]any) {
			m := it.(map[string]any)
			ledger[m["region_code"].(string)+"/"+m["program"].(string)+"/"+m["period"].(string)] += int64(m["donated"].(float64))
		}
		if ledger["330502/temporary/"+period] != 30000 || ledger["330502/dibao/"+period] != 250000 {
			t.Errorf("ledger donated: %v", ledger)
		}
		r = seen.keep(env.Get("/api/v1/public/funds?region_code=330502", ""))
		apitest.Want(t, r, http.StatusOK)
		funds := map[string]int64{}
		for _, it := range r.Map(t)["items"].([]any) {
			m := it.(map[string]any)
			funds[m["program"].(string)] += int64(m["donated"].(float64))
		}
		if funds["temporary"] != 30000 || funds["dibao"] != 250000 {
			t.Errorf("public funds donated: %v", funds)
		}
		var pub struct {
			Received []struct {
				RegionCode string `json:"region_code"`
				Money      int64  `json:"money"`
				GoodsValue int64  `json:"goods_value"`
				Donations  int    `json:"donations"`
			} `json:"received"`
			Allocated []struct {
				RegionCode string `json:"region_code"`
				Program    string `json:"program"`
				Period     string `json:"period"`
				Money      int64  `json:"money"`
				GoodsValue int64  `json:"goods_value"`
			} `json:"allocated"`
			Totals struct {
				MoneyReceived  int64 `json:"money_received"`
				GoodsReceived  int64 `json:"goods_received"`
				MoneyAllocated int64 `json:"money_allocated"`
				GoodsAllocated int64 `json:"goods_allocated"`
			} `json:"totals"`
			LargestDonors []struct {
				Name  string `json:"name"`
				Total int64  `json:"total"`
			} `json:"largest_donors"`
		}
		for _, region := range []string{"", "330502"} {
			r = seen.keep(env.Get("/api/v1/public/donations?region_code="+region, ""))
			apitest.Want(t, r, http.StatusOK)
			pub.Received, pub.Allocated, pub.LargestDonors = nil, nil, nil
			r.JSON(t, &pub)
			var in, goodsIn, out, goodsOut int64
			for _, l := range pub.Received {
				in, goodsIn = in+l.Money, goodsIn+l.GoodsValue
			}
			public := map[string]int64{}
			for _, l := range pub.Allocated {
				out, goodsOut = out+l.Money, goodsOut+l.GoodsValue
				public[l.RegionCode+"/"+l.Program+"/"+l.Period] += l.Money
			}
			if in != 1251000 || goodsIn != 10000 || out != 280000 || goodsOut != 10000 ||
				pub.Totals.MoneyReceived != in || pub.Totals.GoodsReceived != goodsIn || pub.Totals.MoneyAllocated != out || pub.Totals.GoodsAllocated != goodsOut {
				t.Errorf("public totals (%q): in %d+%d out %d+%d: %s", region, in, goodsIn, out, goodsOut, r.Body)
			}
			for k, v := range ledger {
				if public[k] != v {
					t.Errorf("public %s = %d, ledger %d", k, public[k], v)
				}
			}
			names := []string{}
			for _, d := range pub.LargestDonors {
				names = append(names, d.Name)
			}
			if strings.Join(names, ",") != "湖州仁心纺织有限公司,周慈善" || pub.LargestDonors[0].Total != 310000 {
				t.Errorf("largest named donors: %v (%s)", names, r.Body)
			}
		}
		apitest.Want(t, env.Get("/api/v1/public/donations?region_code=999999", ""), http.StatusUnprocessableEntity)

		// No recipient's name, ID number, phone, address, school or case id
		// in anything a donor or the public read.
		var secrets []string
		for _, h := range []vApprovedHousehold{hh, other2, elsewhere} {
			secrets = append(secrets, soRecipientSecrets(t, env, h)...)
		}
		seen.scan(t, append(secrets, pending.ID, "吴不留名"))
	})
}

func TestSocietyConcurrentAllocationsNeverExceedTheGift(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		county := wfDemo(t, env, "county").Token
		station := wfDemo(t, env, "station").Token
		money := soGive(t, env, station, map[string]any{"kind": "money", "amount": 100000})
		goods := soGive(t, env, station, map[string]any{"kind": "goods", "description": "棉被", "quantity": 10, "unit": "床", "estimated_value": 100001})
		// 100000 fen: at most three allocations of 30000.
		rs := apitest.Concurrently(10, func(i int) *apitest.Response {
			return soAllocate(env, county, money.ID, map[string]any{"program": "temporary", "region_code": "330502001", "amount": 30000})
		})
		// 10 quilts: at most three allocations of 3.
		gs := apitest.Concurrently(8, func(i int) *apitest.Response {
			return soAllocate(env, county, goods.ID, map[string]any{"program": "temporary", "region_code": "330502", "quantity": 3})
		})
		for name, c := range map[string]struct {
			rs   []*apitest.Response
			want int
		}{"money": {rs, 3}, "goods": {gs, 3}} {
			ok := 0
			for _, r := range c.rs {
				switch r.Status {
				case http.StatusCreated:
					ok++
				case http.StatusConflict:
				default:
					t.Errorf("%s: status %d %s", name, r.Status, r.Body)
				}
			}
			if ok != c.want {
				t.Errorf("%s: %d allocations succeeded, want %d (%v)", name, ok, c.want, apitest.Statuses(c.rs))
			}
		}
		var d soDonation
		r := env.Get("/api/v1/staff/society/donations/"+money.ID, county)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &d)
		if d.Allocated != 90000 || d.Unallocated != 10000 || len(d.Allocations) != 3 {
			t.Errorf("money after the race: %s", r.Body)
		}
		r = env.Get("/api/v1/staff/society/donations/"+goods.ID, county)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &d)
		var shares int64
		for _, a := range d.Allocations {
			shares += a.Amount
		}
		if len(d.Allocations) != 3 || shares != d.Allocated || d.Allocated != 90000 {
			t.Errorf("goods after the race: %s", r.Body)
		}
		// The last quilt takes the rest of the value: 10 of 10 = 100001.
		apitest.Want(t, soAllocate(env, county, goods.ID, map[string]any{"program": "temporary", "region_code": "330502", "quantity": 1}), http.StatusCreated)
		r = env.Get("/api/v1/staff/society/donations/"+goods.ID, county)
		r.JSON(t, &d)
		if d.Allocated != 100001 || d.Unallocated != 0 {
			t.Errorf("goods fully allocated: %s", r.Body)
		}
	})
}

func TestSocietyTraceLookupsAreRateLimited(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		station := wfDemo(t, env, "station").Token
		d := soGive(t, env, station, map[string]any{"kind": "money", "amount": 5000})
		try := func(ip, number, code string) *apitest.Response {
			return env.Do(apitest.Request{Method: http.MethodPost, Path: "/api/v1/public/donations/trace", IP: ip,
				Body: map[string]string{"receipt_number": number, "trace_code": code}})
		}
		wrong := "0000-0000-0000-0000"
		// One address guessing codes of many receipts: blocked after 10.
		for i := range 10 {
			apitest.Want(t, try("203.0.113.7", "JZ330502-2000-"+strings.Repeat("0", 5)+string(rune('0'+i)), wrong), http.StatusNotFound)
		}
		r := try("203.0.113.7", d.ReceiptNumber, d.TraceCode)
		apitest.Want(t, r, http.StatusTooManyRequests)
		if r.Header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
		apitest.Want(t, try("203.0.113.8", d.ReceiptNumber, d.TraceCode), http.StatusOK)
		// One receipt guessed from many addresses: blocked after 5.
		for i := range 5 {
			apitest.Want(t, try("198.51.100."+string(rune('1'+i)), d.ReceiptNumber, wrong), http.StatusNotFound)
		}
		apitest.Want(t, try("198.51.100.99", d.ReceiptNumber, d.TraceCode), http.StatusTooManyRequests)
	})
}
