package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Publications makes and serves published lists of approved recipients
// (张榜公布): immutable numbered snapshots, withdrawn but never edited.
type Publications struct {
	d     Deps
	audit *Audit
}

// NewPublications builds the publication service.
func NewPublications(d Deps, audit *Audit) *Publications {
	return &Publications{d: d, audit: audit}
}

// programTitle names a program of the catalog.
func programTitle(code string) (string, bool) {
	p, ok := model.ProgramOf(code)
	return p.Name, ok
}

// PublicationInput asks for a new publication.
type PublicationInput struct {
	RegionCode string `json:"region_code"`
	Program    string `json:"program"`
	Period     string `json:"period"`
}

// PublicationSummary is a publication as lists show it: public fields only.
type PublicationSummary struct {
	ID              string     `json:"id"`
	Number          string     `json:"number"`
	RegionCode      string     `json:"region_code"`
	RegionName      string     `json:"region_name"`
	Program         string     `json:"program"`
	ProgramName     string     `json:"program_name"`
	Period          string     `json:"period"`
	PublishedAt     time.Time  `json:"published_at"`
	EntryCount      int        `json:"entry_count"`
	ContentHash     string     `json:"content_hash"`
	Status          string     `json:"status"`
	WithdrawnReason *string    `json:"withdrawn_reason,omitempty"`
	WithdrawnAt     *time.Time `json:"withdrawn_at,omitempty"`
	// BenefitKind says what the entries' amounts are: monthly, or once.
	BenefitKind model.BenefitKind `json:"benefit_kind"`
	// AmountTitle heads the amount column of the printed and Excel list.
	AmountTitle string `json:"-"`
}

// PublicationView is one publication with its entries. A withdrawn
// publication keeps its number, hash and the reason, but no entries.
type PublicationView struct {
	PublicationSummary
	Entries []model.PublicationEntry `json:"entries"`
}

// MarshalJSON shows each entry's amount as what it is: monthly_amount for
// a monthly benefit (null otherwise) and amount for a one-off.
func (v PublicationView) MarshalJSON() ([]byte, error) {
	type entry struct {
		NameMasked    string `json:"name_masked"`
		HouseholdSize int    `json:"household_size"`
		MonthlyAmount *int64 `json:"monthly_amount"`
		Amount        *int64 `json:"amount,omitempty"`
		RegionCode    string `json:"region_code"`
	}
	entries := make([]entry, 0, len(v.Entries))
	for _, e := range v.Entries {
		monthly, once := model.AmountFields(v.BenefitKind, e.MonthlyAmount)
		entries = append(entries, entry{e.NameMasked, e.HouseholdSize, monthly, once, e.RegionCode})
	}
	return json.Marshal(struct {
		PublicationSummary
		Entries []entry `json:"entries"`
	}{v.PublicationSummary, entries})
}

// amountTitle heads the amount column of a list of kind.
func amountTitle(kind model.BenefitKind) string {
	switch {
	case kind.IsMonthly():
		return "月救助金额"
	case kind.IsOneOff():
		return "一次性救助金额"
	}
	return "救助金额"
}

func (s *Publications) summary(ctx context.Context, p model.Publication) PublicationSummary {
	title, _ := programTitle(p.Program)
	name := p.RegionCode
	if r, err := s.d.DB.Region(ctx, p.RegionCode); err == nil {
		name = r.Name
	}
	return PublicationSummary{
		ID: p.ID, Number: p.Number, RegionCode: p.RegionCode, RegionName: name, Program: p.Program, ProgramName: title,
		Period: p.Period, PublishedAt: p.PublishedAt, EntryCount: p.EntryCount, ContentHash: p.ContentHash,
		Status: p.Status, WithdrawnReason: p.WithdrawnReason, WithdrawnAt: p.WithdrawnAt,
		BenefitKind: p.BenefitKind, AmountTitle: amountTitle(p.BenefitKind),
	}
}

// Create publishes the approved recipients of one program in a region
// subtree for one month as an immutable numbered snapshot (street or county
// staff, in their region; audited). The number is unique per region and
// program; the content hash covers the number, region, program, period,
// time and every entry. Errors: 422 for an unknown program or a malformed
// period or one in the future; 404 for a region outside the caller's.
func (s *Publications) Create(ctx context.Context, in PublicationInput) (PublicationView, error) {
	p, _ := model.PrincipalFrom(ctx)
	if _, ok := programTitle(in.Program); !ok {
		return PublicationView{}, model.Invalid("program", "unknown program")
	}
	periodEnd, err := model.ParsePeriod(in.Period)
	if err != nil {
		return PublicationView{}, err
	}
	now := s.d.Clock.Now()
	if periodEnd.AddDate(0, -1, 0).After(now) {
		return PublicationView{}, model.Invalid("period", "cannot publish a month that has not begun")
	}
	if !model.InRegion(p.RegionCode, in.RegionCode) {
		return PublicationView{}, model.NotFound("region")
	}
	if _, err := s.d.DB.Region(ctx, in.RegionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return PublicationView{}, model.NotFound("region")
		}
		return PublicationView{}, err
	}
	before := periodEnd
	if now.Before(before) {
		before = now.Add(time.Millisecond)
	}
	policy, _ := model.PolicyOf(in.Program)
	pub := model.Publication{ID: s.d.IDs.New(), RegionCode: in.RegionCode, Program: in.Program, Period: in.Period,
		PublishedAt: now.UTC().Truncate(time.Millisecond), PublishedBy: p.ID, Status: model.PublicationPublished, BenefitKind: policy.Kind()}
	// A monthly list names everyone receiving in the month; a one-off list
	// the one-off amounts decided in the month.
	var since *time.Time
	if pub.BenefitKind.IsOneOff() {
		start := periodEnd.AddDate(0, -1, 0)
		since = &start
	}
	var entries []model.PublicationEntry
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		seq, err := s.d.DB.NextSequence(ctx, "publication:"+in.RegionCode+":"+in.Program)
		if err != nil {
			return err
		}
		pub.Seq = int(seq)
		pub.Number = fmt.Sprintf("%s-%s-%04d", in.RegionCode, in.Program, seq)
		rs, err := s.d.DB.ApprovedRecipients(ctx, model.RegionPrefix(in.RegionCode), in.Program, since, before)
		if err != nil {
			return err
		}
		entries = make([]model.PublicationEntry, 0, len(rs))
		for i, r := range rs {
			entries = append(entries, model.PublicationEntry{PublicationID: pub.ID, Position: i + 1, NameMasked: r.NameMasked,
				HouseholdSize: r.HouseholdSize, MonthlyAmount: r.MonthlyAmount, RegionCode: r.RegionCode})
		}
		pub.EntryCount = len(entries)
		pub.ContentHash = model.PublicationHash(pub, entries)
		if err := s.d.DB.CreatePublication(ctx, &pub, entries); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: string(model.ActPublicationsCreate), TargetType: "publication", TargetID: pub.ID,
			RegionCode: pub.RegionCode, Detail: pub.Number + " " + pub.ContentHash})
	})
	if err != nil {
		return PublicationView{}, err
	}
	return PublicationView{PublicationSummary: s.summary(ctx, pub), Entries: entries}, nil
}

// List lists publications in the subtree of regionCode (all when empty),
// newest first, withdrawn ones included and marked. Errors: 422 for an
// unknown region code.
func (s *Publications) List(ctx context.Context, regionCode string, req model.PageRequest) (model.Page[PublicationSummary], error) {
	prefix := ""
	if regionCode != "" {
		if _, err := s.d.DB.Region(ctx, regionCode); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Page[PublicationSummary]{}, model.Invalid("region_code", "unknown region")
			}
			return model.Page[PublicationSummary]{}, err
		}
		prefix = model.RegionPrefix(regionCode)
	}
	rows, err := s.d.DB.Publications(ctx, prefix, req)
	if err != nil {
		return model.Page[PublicationSummary]{}, err
	}
	page := model.NewPage(rows, req, func(p model.Publication) string { return p.ID })
	out := model.Page[PublicationSummary]{Items: make([]PublicationSummary, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, p := range page.Items {
		out.Items = append(out.Items, s.summary(ctx, p))
	}
	return out, nil
}

// Summary returns one publication without entries (model.ErrNotFound when
// absent).
func (s *Publications) Summary(ctx context.Context, id string) (PublicationSummary, error) {
	p, err := s.d.DB.Publication(ctx, id)
	if errors.Is(err, model.ErrNotFound) {
		return PublicationSummary{}, model.NotFound("publication")
	}
	if err != nil {
		return PublicationSummary{}, err
	}
	return s.summary(ctx, p), nil
}

// Get returns one publication with its entries (none once withdrawn);
// model.ErrNotFound when absent.
func (s *Publications) Get(ctx context.Context, id string) (PublicationView, error) {
	sum, err := s.Summary(ctx, id)
	if err != nil {
		return PublicationView{}, err
	}
	view := PublicationView{PublicationSummary: sum, Entries: []model.PublicationEntry{}}
	err = s.WalkEntries(ctx, sum, func(e model.PublicationEntry) error {
		view.Entries = append(view.Entries, e)
		return nil
	})
	return view, err
}

// WalkEntries calls fn for each entry of a publication in order, in
// batches (for the Excel file of a long list); a withdrawn publication has
// none.
func (s *Publications) WalkEntries(ctx context.Context, sum PublicationSummary, fn func(model.PublicationEntry) error) error {
	if sum.Status != model.PublicationPublished {
		return nil
	}
	return s.d.DB.WalkPublicationEntries(ctx, sum.ID, fn)
}

// WithdrawInput gives the reason for a withdrawal.
type WithdrawInput struct {
	Reason string `json:"reason"`
}

// Withdraw withdraws a publication (street or county staff in its region,
// at the publisher's level or above, with a reason, audited). The
// publication is never edited: it stays where it was, marked withdrawn with
// the reason. Errors: 422 no reason; 404 unknown or outside the caller's
// region; 403 publisher_level_above when the list was published from a
// level above the caller's; 409 already withdrawn.
func (s *Publications) Withdraw(ctx context.Context, id string, in WithdrawInput) (PublicationSummary, error) {
	p, _ := model.PrincipalFrom(ctx)
	if p.RegionCode == "" {
		return PublicationSummary{}, model.NotFound("publication")
	}
	pub, err := s.d.DB.PublicationInRegion(ctx, id, model.RegionPrefix(p.RegionCode))
	if errors.Is(err, model.ErrNotFound) {
		return PublicationSummary{}, model.NotFound("publication")
	}
	if err != nil {
		return PublicationSummary{}, err
	}
	if err := s.publisherLevelAtMost(ctx, pub, p); err != nil {
		return PublicationSummary{}, err
	}
	if err := needReason(in.Reason); err != nil {
		return PublicationSummary{}, err
	}
	now := s.d.Clock.Now()
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.DB.WithdrawPublication(ctx, id, in.Reason, p.ID, now); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: string(model.ActPublicationsWithdraw), TargetType: "publication", TargetID: id,
			RegionCode: pub.RegionCode, Detail: in.Reason})
	})
	if err != nil {
		return PublicationSummary{}, err
	}
	return s.Summary(ctx, id)
}

// levelRank orders region codes by level from the top (city 0) down.
func levelRank(code string) int {
	switch model.LevelOfCode(code) {
	case model.LevelCity:
		return 0
	case model.LevelCounty:
		return 1
	case model.LevelStreet:
		return 2
	}
	return 3
}

// publisherLevelAtMost refuses a withdrawal from below the level the list
// was published from (a street may not undo the county's list).
func (s *Publications) publisherLevelAtMost(ctx context.Context, pub model.Publication, p model.Principal) error {
	publisher, err := s.d.DB.StaffByID(ctx, pub.PublishedBy)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if levelRank(p.RegionCode) > levelRank(publisher.RegionCode) {
		return model.Forbidden("publisher_level_above", "这份名单由上一级发布，只能由发布层级或更高层级撤回")
	}
	return nil
}

// BureauName is the issuing bureau printed on every rendering.
func (s *Publications) BureauName() string { return s.d.Settings.BureauName }
