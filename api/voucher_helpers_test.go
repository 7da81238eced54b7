package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/jiuzhu/jiuzhu/apitest"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// vFixtureSeq makes fixture ID numbers and phones unique across a test run.
var vFixtureSeq atomic.Int64

// vPerson is a fixture member's personal data, kept so the PII scan knows
// what must never appear in a public response.
type vPerson struct {
	Name, IDNumber string
}

// vApprovedHousehold is a household written as approved, and its people.
type vApprovedHousehold struct {
	apitest.FixtureIDs
	Phone   string
	People  []vPerson
	Program model.ProgramCode
}

// vIDNumber makes a valid GB 11643 ID number born in 2010.
func vIDNumber() string {
	n := vFixtureSeq.Add(1)
	first := fmt.Sprintf("330502201001%02d%03d", n%28+1, n%1000)
	return first + string(model.IDCheckChar(first))
}

// vHousehold writes an approved household of program in a community with
// an applicant and the given children (school id and stage each) and, when
// asked, issues its vouchers as the approval hook would.
func vHousehold(t *testing.T, env *apitest.Env, program model.ProgramCode, community string, amount int64, children [][2]string, disabled bool) vApprovedHousehold {
	t.Helper()
	return vHouseholdOf(t, env, model.HukouUrban, program, community, amount, children, disabled)
}

// vHouseholdOf is vHousehold with a hukou type.
func vHouseholdOf(t *testing.T, env *apitest.Env, hukou string, program model.ProgramCode, community string, amount int64, children [][2]string, disabled bool) vApprovedHousehold {
	t.Helper()
	n := vFixtureSeq.Add(1)
	surnames := []string{"王", "李", "欧阳", "陈", "司马", "赵"}
	h := vApprovedHousehold{Phone: fmt.Sprintf("139%08d", 10000000+n), Program: program}
	in := apitest.FixtureHousehold{RegionCode: community, Phone: h.Phone, Address: fmt.Sprintf("幸福路%d号3幢201室", n), Program: program, MonthlyAmount: amount, Hukou: hukou}
	add := func(m apitest.FixtureMember) {
		in.Members = append(in.Members, m)
		h.People = append(h.People, vPerson{m.Name, m.IDNumber})
	}
	add(apitest.FixtureMember{Name: fmt.Sprintf("%s建国%d", surnames[n%int64(len(surnames))], n), IDNumber: vIDNumber(), Relation: model.RelationSelf, HasDisability: disabled})
	for i, c := range children {
		add(apitest.FixtureMember{Name: fmt.Sprintf("%s小明%d%d", surnames[n%int64(len(surnames))], n, i), IDNumber: vIDNumber(), Relation: model.RelationChild, SchoolID: c[0], Stage: c[1]})
	}
	ids, err := env.InsertHousehold(context.Background(), in)
	if err != nil {
		t.Fatalf("fixture: %v", err)
	}
	h.FixtureIDs = ids
	if err := env.App.Vouchers.IssueForApplication(context.Background(), ids.ApplicationID); err != nil {
		t.Fatalf("issue vouchers: %v", err)
	}
	return h
}

// vResidentToken opens a session for the fixture household's resident.
func vResidentToken(env *apitest.Env, h vApprovedHousehold) string {
	return env.SessionFor(model.Principal{Kind: model.PrincipalResident, ID: h.ResidentID})
}

type vVoucherJSON struct {
	Code              string `json:"code"`
	Term              string `json:"term"`
	Stage             string `json:"stage"`
	StudentNameMasked string `json:"student_name_masked"`
	SchoolID          string `json:"school_id"`
	Items             []struct {
		Item string `json:"item"`
		Cap  int64  `json:"cap"`
	} `json:"items"`
	Status string `json:"status"`
}

func vMyVouchers(t *testing.T, env *apitest.Env, token string) []vVoucherJSON {
	t.Helper()
	r := env.Get("/api/v1/me/vouchers", token)
	apitest.Want(t, r, http.StatusOK)
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("vouchers without Cache-Control: no-store")
	}
	var out struct{ Items []vVoucherJSON }
	r.JSON(t, &out)
	return out.Items
}

// vReadXLSX opens an Excel body and returns the rows of its first sheet.
func vReadXLSX(t *testing.T, body []byte) [][]string {
	t.Helper()
	f, err := excelize.OpenReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("the Excel file does not open: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(f.GetSheetList()[0])
	if err != nil {
		t.Fatalf("read rows: %v", err)
	}
	checkPrintable(t, f)
	return rows
}

// checkPrintable fails unless the workbook's sheet is set up for print and
// reading: named after its content, A4 with the rows down to the column
// header frozen and repeated on each page, every header column given a
// width, and every money column ("(元)") formatted #,##0.00 (checked on its
// last amount).
func checkPrintable(t *testing.T, f *excelize.File) {
	t.Helper()
	sheet := f.GetSheetList()[0]
	if sheet == "Sheet1" {
		t.Error("xlsx: the sheet is not named after its content")
	}
	panes, err := f.GetPanes(sheet)
	if err != nil || !panes.Freeze || panes.YSplit < 1 {
		t.Fatalf("xlsx: no frozen header (%+v, %v)", panes, err)
	}
	layout, err := f.GetPageLayout(sheet)
	if err != nil || layout.Size == nil || *layout.Size != 9 || layout.Orientation == nil {
		t.Errorf("xlsx: page setup is not A4 with an orientation: %+v %v", layout, err)
	}
	titles := false
	for _, d := range f.GetDefinedName() {
		titles = titles || (d.Name == "_xlnm.Print_Titles" && strings.HasSuffix(d.RefersTo, fmt.Sprintf("$1:$%d", panes.YSplit)))
	}
	if !titles {
		t.Errorf("xlsx: no print titles down to row %d: %+v", panes.YSplit, f.GetDefinedName())
	}
	rows, err := f.GetRows(sheet)
	if err != nil || len(rows) < panes.YSplit {
		t.Fatalf("xlsx: %d rows, %v", len(rows), err)
	}
	for col, h := range rows[panes.YSplit-1] {
		name, _ := excelize.ColumnNumberToName(col + 1)
		if w, err := f.GetColWidth(sheet, name); err != nil || w == 9.140625 {
			t.Errorf("xlsx: column %s (%s) has no width of its own", name, h)
		}
		if !strings.HasSuffix(h, "(元)") || len(rows) == panes.YSplit {
			continue
		}
		// The last row with an amount in the column (a 落款 may follow).
		last := len(rows)
		for last > panes.YSplit {
			if v, _ := f.GetCellValue(sheet, name+strconv.Itoa(last)); v != "" {
				break
			}
			last--
		}
		if last == panes.YSplit {
			continue // no amounts
		}
		style, err := f.GetCellStyle(sheet, name+strconv.Itoa(last))
		if err != nil {
			t.Fatal(err)
		}
		st, err := f.GetStyle(style)
		if err != nil || st.CustomNumFmt == nil || *st.CustomNumFmt != "#,##0.00" {
			t.Errorf("xlsx: money column %s (%s) is not #,##0.00", name, h)
		}
	}
}

// vPublicLog collects every public response of a test so a scan can prove
// no personal data left.
type vPublicLog struct {
	mu     sync.Mutex
	bodies []string
}

func (l *vPublicLog) add(path, body string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.bodies = append(l.bodies, path+"\n"+body)
}

// get makes a public (tokenless) request and records its response; Excel
// bodies are recorded as their cell text.
func (l *vPublicLog) get(t *testing.T, env *apitest.Env, path string) *apitest.Response {
	t.Helper()
	r := env.Get(path, "")
	body := string(r.Body)
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/vnd.openxmlformats") {
		var b strings.Builder
		for _, row := range vReadXLSX(t, r.Body) {
			b.WriteString(strings.Join(row, "\t"))
			b.WriteByte('\n')
		}
		body = b.String()
	}
	l.add(path, body)
	return r
}

// scan fails the test if any recorded body holds an ID number, a phone
// number or a full name of the people given, or an address.
func (l *vPublicLog) scan(t *testing.T, households []vApprovedHousehold) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bodies) == 0 {
		t.Fatal("no public responses were recorded")
	}
	for _, body := range l.bodies {
		for _, h := range households {
			needles := []string{h.Phone, model.MaskPhone(h.Phone), "幸福路"}
			for _, p := range h.People {
				needles = append(needles, p.Name, p.IDNumber, model.MaskID(p.IDNumber), p.IDNumber[6:14])
			}
			for _, n := range needles {
				if strings.Contains(body, n) {
					t.Errorf("public response carries personal data %q:\n%.300s", n, body)
				}
			}
		}
	}
}

func vAuditFilter(action string) storage.AuditFilter {
	return storage.AuditFilter{Action: action}
}
