package model

import (
	"errors"
	"fmt"
	"sort"
	"testing"
	"time"
)

func TestMasks(t *testing.T) {
	cases := []struct{ in, want string }{
		{"张三", "张*"}, {"张三丰", "张**"}, {"欧阳修", "欧阳*"}, {"欧阳娜娜", "欧阳**"}, {"李", "*"}, {"", ""},
	}
	for _, c := range cases {
		if got := MaskName(c.in); got != c.want {
			t.Errorf("MaskName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	if got := MaskID("330502199001011234"); got != "33**************34" {
		t.Errorf("MaskID = %q", got)
	}
	if got := MaskPhone("13812345678"); got != "138****5678" {
		t.Errorf("MaskPhone = %q", got)
	}
}

func TestRegionScope(t *testing.T) {
	cases := []struct {
		root, code string
		in         bool
	}{
		{"330500", "330502001001", true},
		{"330500", "330600", false},
		{"330502", "330502001001", true},
		{"330502", "330503001001", false},
		{"330502001", "330502001002", true},
		{"330502001", "330502002001", false},
		{"330502001001", "330502001001", true},
		{"", "330502", false},
	}
	for _, c := range cases {
		if got := InRegion(c.root, c.code); got != c.in {
			t.Errorf("InRegion(%q, %q) = %v", c.root, c.code, got)
		}
	}
}

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

func TestIDsSortByTime(t *testing.T) {
	var ids []string
	for i := 0; i < 50; i++ {
		g := NewIDs(fixedClock(time.UnixMilli(int64(1_700_000_000_000+i*7))), nil)
		ids = append(ids, g.New())
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids do not sort by creation time")
	}
	// One generator's ids strictly increase, even when the clock stands
	// still or steps back.
	g := NewIDs(fixedClock(time.UnixMilli(1_700_000_000_000)), nil)
	prev := ""
	for i := 0; i < 1000; i++ {
		id := g.New()
		if len(id) != 26 || id <= prev {
			t.Fatalf("id %d %q does not follow %q", i, id, prev)
		}
		prev = id
	}
	back := NewIDs(fixedClock(time.UnixMilli(1_600_000_000_000)), nil)
	back.lastMS, back.last = g.lastMS, g.last
	if id := back.New(); id <= prev {
		t.Fatalf("after the clock stepped back: %q <= %q", id, prev)
	}
}

func TestTerms(t *testing.T) {
	cases := []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC), "2026-autumn"},
		{time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC), "2026-autumn"},
		{time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), "2027-spring"},
		{time.Date(2027, 8, 20, 0, 0, 0, 0, time.UTC), "2027-autumn"},
	}
	for _, c := range cases {
		got := TermOf(c.at)
		if got != c.want {
			t.Errorf("TermOf(%s) = %s, want %s", c.at, got, c.want)
		}
		start, end, ok := TermBounds(got)
		if !ok || c.at.Before(start) || !c.at.Before(end) {
			t.Errorf("%s not within %s bounds %s–%s", c.at, got, start, end)
		}
	}
	if _, _, ok := TermBounds("2026-winter"); ok {
		t.Error("2026-winter accepted")
	}
}

func TestPageRequest(t *testing.T) {
	if r, err := ParsePageRequest("", ""); err != nil || r.Limit != 20 {
		t.Fatalf("default: %+v %v", r, err)
	}
	for _, bad := range []string{"0", "101", "x", "-5"} {
		if _, err := ParsePageRequest(bad, ""); !errors.Is(err, ErrInvalid) {
			t.Errorf("limit %q accepted", bad)
		}
	}
	if _, err := ParsePageRequest("", "!!!"); !errors.Is(err, ErrInvalid) {
		t.Error("bad cursor accepted")
	}
	rows := []string{"e", "d", "c"}
	p := NewPage(rows, PageRequest{Limit: 2}, func(s string) string { return s })
	if len(p.Items) != 2 || p.NextCursor == nil {
		t.Fatalf("page %+v", p)
	}
	next, _ := ParsePageRequest("2", *p.NextCursor)
	if next.After != "d" {
		t.Fatalf("cursor decodes to %q", next.After)
	}
}

func TestErrorKinds(t *testing.T) {
	err := fmt.Errorf("load: %w", NotFound("application"))
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || KindOf(err) != KindNotFound {
		t.Fatal("kind matching by errors.Is")
	}
	if KindOf(errors.New("plain")) != KindInternal {
		t.Fatal("plain errors are internal")
	}
	if Unavailable("session store", nil).Code != "session_store_unavailable" {
		t.Fatal("codes are snake_case")
	}
}

func TestTransitionsTable(t *testing.T) {
	for action, tr := range Transitions {
		if tr.Permission != "" && len(Permissions[tr.Permission]) == 0 {
			t.Errorf("%s needs %s, which no role holds", action, tr.Permission)
		}
	}
	for _, p := range Transitions[ActionApprove].Permissions() {
		if len(Permissions[p]) == 0 {
			t.Errorf("approve needs %s, which no role holds", p)
		}
	}
	approve := Transitions[ActionApprove]
	if !CanTransition(ActionApprove, StatusPublicizing) || approve.PermissionAt(StatusPublicizing) != ActApplicationApprove ||
		approve.PermissionAt(StatusInvestigating) != ActApplicationApproveUrgent || CanTransition(ActionApprove, StatusAccepted) {
		t.Fatal("approve from publicizing by the county, from investigating only as an urgent case")
	}
	if Can(RoleStreetReviewer, Transitions[ActionReject].PermissionAt(StatusPublicizing)) {
		t.Fatal("only the county rejects during the notice")
	}
	if CanTransition(ActionWithdraw, StatusApproved) {
		t.Fatal("no withdrawal after a decision")
	}
}

func TestAgeOn(t *testing.T) {
	now := time.Date(2026, 12, 1, 17, 0, 0, 0, time.UTC) // 2 December in China
	cases := []struct {
		birth string
		want  int
	}{
		{"2000-12-02", 26}, {"2000-12-03", 25}, {"2026-12-02", 0}, {"1950-01-01", 76}, {"not-a-date", -1},
	}
	for _, c := range cases {
		if got := AgeOn(c.birth, now); got != c.want {
			t.Errorf("AgeOn(%s) = %d, want %d", c.birth, got, c.want)
		}
	}
}

func TestResidentMayDeleteDocument(t *testing.T) {
	t.Parallel()
	for _, app := range Statuses {
		for _, doc := range []string{DocumentPending, DocumentAccepted, DocumentRejected, DocumentReplaced} {
			want := (app == StatusDraft || app == StatusReturned) && (doc == DocumentPending || doc == DocumentRejected)
			if got := ResidentMayDeleteDocument(app, doc); got != want {
				t.Errorf("ResidentMayDeleteDocument(%s, %s) = %v, want %v", app, doc, got, want)
			}
		}
	}
}
