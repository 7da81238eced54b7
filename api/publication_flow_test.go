package api_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
)

type vPublicationJSON struct {
	ID              string    `json:"id"`
	Number          string    `json:"number"`
	RegionCode      string    `json:"region_code"`
	Program         string    `json:"program"`
	Period          string    `json:"period"`
	PublishedAt     time.Time `json:"published_at"`
	EntryCount      int       `json:"entry_count"`
	ContentHash     string    `json:"content_hash"`
	Status          string    `json:"status"`
	WithdrawnReason *string   `json:"withdrawn_reason"`
	Entries         []struct {
		NameMasked    string `json:"name_masked"`
		HouseholdSize int    `json:"household_size"`
		MonthlyAmount int64  `json:"monthly_amount"`
		RegionCode    string `json:"region_code"`
	} `json:"entries"`
}

// vHashOf recomputes the content hash from what the public JSON shows, as
// anyone checking a printed sheet would.
func vHashOf(p vPublicationJSON) string {
	entries := make([]model.PublicationEntry, 0, len(p.Entries))
	for i, e := range p.Entries {
		entries = append(entries, model.PublicationEntry{Position: i + 1, NameMasked: e.NameMasked, HouseholdSize: e.HouseholdSize, MonthlyAmount: e.MonthlyAmount, RegionCode: e.RegionCode})
	}
	return model.PublicationHash(model.Publication{Number: p.Number, RegionCode: p.RegionCode, Program: model.ProgramCode(p.Program), Period: p.Period, PublishedAt: p.PublishedAt}, entries)
}

func TestPublicationPublishRenderWithdraw(t *testing.T) {
	t.Parallel()
	apitest.Run(t, func(t *testing.T, env *apitest.Env) {
		var public vPublicLog
		households := []vApprovedHousehold{
			vHousehold(t, env, model.ProgramDibao, "330502001001", 112000, [][2]string{vCompulsory}, true),
			vHousehold(t, env, model.ProgramDibao, "330502001002", 56050, nil, false),
			vHousehold(t, env, model.ProgramDibao, "330502001001", 30000, [][2]string{vSeniorHigh, vCompulsory}, false),
			vHousehold(t, env, model.ProgramDibao, "330502002001", 40000, nil, false), // another street
			vHousehold(t, env, model.ProgramTekun, "330502001003", 90000, nil, true),  // another program
		}
		street := wfDemo(t, env, "street").Token
		period := env.Clock.Now().Format("2006-01")
		r := env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001", "program": "dibao", "period": period})
		apitest.Want(t, r, http.StatusCreated)
		var created vPublicationJSON
		r.JSON(t, &created)
		if created.EntryCount != 3 || len(created.Entries) != 3 || created.Status != "published" || !strings.HasPrefix(created.Number, "330502001-dibao-") {
			t.Fatalf("publication %+v", created)
		}
		if vHashOf(created) != created.ContentHash {
			t.Fatalf("content hash %s does not match the content (%s)", created.ContentHash, vHashOf(created))
		}
		sizes := map[int64]int{}
		for _, e := range created.Entries {
			sizes[e.MonthlyAmount] = e.HouseholdSize
			if !strings.Contains(e.NameMasked, "*") || !strings.HasPrefix(e.RegionCode, "330502001") {
				t.Errorf("entry %+v", e)
			}
		}
		if sizes[112000] != 2 || sizes[56050] != 1 || sizes[30000] != 3 {
			t.Errorf("household sizes by amount: %v", sizes)
		}

		// Public JSON, HTML and Excel agree and carry the same hash.
		r = public.get(t, env, "/api/v1/public/publications?region_code=330502")
		apitest.Want(t, r, http.StatusOK)
		var list struct{ Items []vPublicationJSON }
		r.JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != created.ID || list.Items[0].ContentHash != created.ContentHash || list.Items[0].EntryCount != 3 {
			t.Fatalf("public list %+v", list.Items)
		}
		r = public.get(t, env, "/api/v1/public/publications/"+created.ID)
		apitest.Want(t, r, http.StatusOK)
		var got vPublicationJSON
		r.JSON(t, &got)
		if got.ContentHash != created.ContentHash || vHashOf(got) != got.ContentHash || len(got.Entries) != 3 {
			t.Fatalf("public JSON %+v", got)
		}
		r = public.get(t, env, "/api/v1/public/publications/"+created.ID+".html")
		apitest.Want(t, r, http.StatusOK)
		html := string(r.Body)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("html content type %s", r.Header.Get("Content-Type"))
		}
		// The 落款: the street's office, room for the seal, the notice period
		// and the complaint phone from config.
		for _, want := range []string{created.ContentHash, created.Number, env.Config.BureauName, "size: A4", "1120.00", "560.50", "南门社区",
			"办事处</p>", "（盖章）", "公示期：自公布之日起 7 天", "监督电话：<span id=\"complaint-phone\">" + env.Config.HelpLine} {
			if !strings.Contains(html, want) {
				t.Errorf("the printable page lacks %q", want)
			}
		}
		for _, e := range got.Entries {
			if !strings.Contains(html, e.NameMasked) {
				t.Errorf("the printable page lacks %s", e.NameMasked)
			}
		}
		r = public.get(t, env, "/api/v1/public/publications/"+created.ID+".xlsx")
		apitest.Want(t, r, http.StatusOK)
		rows := vReadXLSX(t, r.Body)
		var hashRow, numberRow, phoneRow, sealRow bool
		var entries [][]string
		inEntries := false
		for _, row := range rows {
			if len(row) >= 2 && row[1] == created.ContentHash {
				hashRow = true
			}
			if len(row) >= 2 && row[0] == "编号" && row[1] == created.Number {
				numberRow = true
			}
			if len(row) >= 2 && row[0] == "监督电话" && row[1] == env.Config.HelpLine {
				phoneRow = true
			}
			if len(row) >= 5 && row[4] == "（盖章）" {
				sealRow = true
			}
			if _, err := strconv.Atoi(firstCell(row)); inEntries && err != nil {
				inEntries = false // the blank row before the 落款
			}
			if inEntries {
				entries = append(entries, row)
			}
			if firstCell(row) == "序号" {
				inEntries = true
			}
		}
		if !hashRow || !numberRow || !phoneRow || !sealRow || len(entries) != len(got.Entries) {
			t.Fatalf("xlsx rows %v", rows)
		}
		for i, e := range got.Entries {
			row := entries[i]
			if row[0] != strconv.Itoa(i+1) || row[1] != e.NameMasked || row[2] != strconv.Itoa(e.HouseholdSize) || vYuanCell(t, row[3]) != e.MonthlyAmount || row[5] != e.RegionCode {
				t.Errorf("xlsx row %v, JSON entry %+v", row, e)
			}
		}

		// Numbers are unique per region and program; scope and input are checked.
		r = env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001", "program": "dibao", "period": period})
		apitest.Want(t, r, http.StatusCreated)
		var second vPublicationJSON
		r.JSON(t, &second)
		if second.Number == created.Number || second.ContentHash == created.ContentHash {
			t.Fatalf("second publication %s / %s", second.Number, second.ContentHash)
		}
		apitest.Want(t, env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502002", "program": "dibao", "period": period}), http.StatusNotFound)
		apitest.Want(t, env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001", "program": "lottery", "period": period}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001", "program": "dibao", "period": "2026-13"}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/publications", street, map[string]string{"region_code": "330502001", "program": "dibao", "period": env.Clock.Now().AddDate(0, 2, 0).Format("2006-01")}), http.StatusUnprocessableEntity)
		apitest.Want(t, env.Post("/api/v1/staff/publications", wfDemo(t, env, "community").Token, map[string]string{"region_code": "330502001001", "program": "dibao", "period": period}), http.StatusForbidden)
		apitest.Want(t, env.Post("/api/v1/staff/publications", "", map[string]string{"region_code": "330502001", "program": "dibao", "period": period}), http.StatusUnauthorized)

		// Withdraw with a reason; it stays where it was, marked, never edited.
		county := wfDemo(t, env, "county").Token
		apitest.Want(t, env.Post("/api/v1/staff/publications/"+created.ID+"/withdraw", county, map[string]string{"reason": ""}), http.StatusUnprocessableEntity)
		r = env.Post("/api/v1/staff/publications/"+created.ID+"/withdraw", county, map[string]string{"reason": "名单有误，重新公布"})
		apitest.Want(t, r, http.StatusOK)
		apitest.Want(t, env.Post("/api/v1/staff/publications/"+created.ID+"/withdraw", county, map[string]string{"reason": "again"}), http.StatusConflict)
		r = public.get(t, env, "/api/v1/public/publications/"+created.ID)
		apitest.Want(t, r, http.StatusOK)
		r.JSON(t, &got)
		if got.Status != "withdrawn" || got.WithdrawnReason == nil || len(got.Entries) != 0 || got.ContentHash != created.ContentHash || got.Number != created.Number {
			t.Fatalf("withdrawn publication %+v", got)
		}
		r = public.get(t, env, "/api/v1/public/publications/"+created.ID+".html")
		if !strings.Contains(string(r.Body), "撤回") || !strings.Contains(string(r.Body), created.ContentHash) {
			t.Fatal("the printable page of a withdrawn list does not say so")
		}
		public.get(t, env, "/api/v1/public/publications/"+created.ID+".xlsx")
		public.get(t, env, "/api/v1/public/publications/"+second.ID+".xlsx")
		public.get(t, env, "/api/v1/public/publications/"+second.ID+".html")
		public.get(t, env, "/api/v1/public/publications?region_code=330502001001")
		apitest.Want(t, public.get(t, env, "/api/v1/public/publications/NOPE"), http.StatusNotFound)
		apitest.Want(t, public.get(t, env, "/api/v1/public/publications/NOPE.xlsx"), http.StatusNotFound)
		apitest.Want(t, public.get(t, env, "/api/v1/public/publications?region_code=999999"), http.StatusUnprocessableEntity)

		// No public response carried an ID number, phone, full name or address.
		public.scan(t, households)
	})
}

// firstCell is a row's first cell ("" for an empty row).
func firstCell(row []string) string {
	if len(row) == 0 {
		return ""
	}
	return row[0]
}
