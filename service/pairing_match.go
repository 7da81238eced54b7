package service

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// 结对助学, the bureau's and the donor's side: the bureau (the role that
// registers donors) pairs a registered donor with a consenting child's
// profile, records the donor's payments through the donation ledger and
// reads or stops the letters; the donor reads the pairing with its number
// and code. Nothing here that a donor reads names the child, the family or
// the school.

// pairingDomain keys the hash of pairing codes.
const pairingDomain = "pairing-code"

// anonymousDonor is how a family sees a donor who did not agree to be named.
const anonymousDonor = "爱心人士"

var (
	errPairingEnded   = model.Conflict("pairing_ended", "这个结对已经结束（监护人撤回了同意），不能再捐助或通信。")
	errLettersClosed  = model.Conflict("letters_closed", "这个结对现在不能通信：需要监护人和捐赠人都同意通信，且民政部门没有停止。")
	errPairingMissing = model.NewError(model.KindNotFound, "pairing_not_found", "no pairing matches this number and code")
)

// MatchInput pairs a donor with a consenting child's profile. DonorLetters
// is the donor's opt-in to letters; DonorNamed the donor's agreement to be
// named to the family.
type MatchInput struct {
	ProfileID    string `json:"profile_id"`
	DonorID      string `json:"donor_id"`
	DonorLetters bool   `json:"donor_letters"`
	DonorNamed   bool   `json:"donor_named"`
}

// PairingPayment is one payment of a pairing as anyone reads it: the
// amount, the month, and the words.
type PairingPayment struct {
	Amount int64  `json:"amount"`
	Period string `json:"period"`
	Text   string `json:"text"`
}

// LetterView is one letter: who sent it (donor or family), when, and the
// words.
type LetterView struct {
	ID     string    `json:"id"`
	Sender string    `json:"sender"`
	Body   string    `json:"body"`
	SentAt time.Time `json:"sent_at"`
}

// PairingView is a pairing as the bureau sees it: the child's anonymised
// profile, the donor (a person's name masked), payments and, in the
// detail, the letters.
type PairingView struct {
	ID                string              `json:"id"`
	Number            string              `json:"number"`
	Status            string              `json:"status"`
	Profile           PairingProfileBrief `json:"profile"`
	DonorID           string              `json:"donor_id"`
	DonorName         string              `json:"donor_name"`
	DonorLetters      bool                `json:"donor_letters"`
	DonorNamed        bool                `json:"donor_named"`
	LettersOpen       bool                `json:"letters_open"`
	LettersStoppedAt  *time.Time          `json:"letters_stopped_at"`
	LettersStopReason string              `json:"letters_stop_reason"`
	PaidTotal         int64               `json:"paid_total"`
	Payments          []PairingPayment    `json:"payments"`
	Letters           []LetterView        `json:"letters,omitempty"`
	CreatedAt         time.Time           `json:"created_at"`
	EndedAt           *time.Time          `json:"ended_at"`
}

// PairingProfileBrief is the anonymised child: stage, county and need in
// words.
type PairingProfileBrief struct {
	ID         string `json:"id"`
	Stage      string `json:"stage"`
	CountyName string `json:"county_name"`
	Need       string `json:"need"`
}

// PairingCreated is a new pairing with the code the donor reads it with,
// shown once.
type PairingCreated struct {
	PairingView
	Code string `json:"code"`
}

// Match pairs a registered donor with a consenting child's profile in the
// caller's region and gives the pairing a number and a fresh code (kept
// hashed; shown once, for the donor); audited. A profile not offerable
// (consent revoked, child no longer in school, no approved case) or
// elsewhere is model.KindNotFound; a donor elsewhere model.KindInvalid; a
// child paired already model.KindConflict pairing_exists.
func (s *Society) Match(ctx context.Context, in MatchInput) (PairingCreated, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return PairingCreated{}, err
	}
	prof, err := s.d.DB.OfferableProfile(ctx, in.ProfileID, scopeOf(pr))
	if err != nil {
		return PairingCreated{}, notFoundAs(err, "pairing_profile")
	}
	donor, err := s.d.DB.Donor(ctx, in.DonorID)
	if errors.Is(err, model.ErrNotFound) || (err == nil && !model.InRegion(pr.RegionCode, donor.RegionCode)) {
		return PairingCreated{}, model.Invalid("donor_id", "没有这个捐赠方，请先登记捐赠方")
	}
	if err != nil {
		return PairingCreated{}, err
	}
	code, err := model.NewTraceCode(s.d.Random)
	if err != nil {
		return PairingCreated{}, err
	}
	now := s.d.Clock.Now()
	county, year := prof.RegionCode[:6], now.In(chinaZone).Format("2006")
	n, err := s.d.DB.AllocateNumber(ctx, "pairing:"+county+":"+year)
	if err != nil {
		return PairingCreated{}, err
	}
	slot := prof.ID
	p := model.Pairing{ID: s.d.IDs.New(), Number: fmt.Sprintf("JD%s-%s-%06d", county, year, n), ProfileID: prof.ID, DonorID: donor.ID,
		RegionCode: prof.RegionCode, Status: model.PairingOpen, OpenSlot: &slot, CodeHash: s.d.Keys.TokenHash(pairingDomain, code),
		DonorLetters: in.DonorLetters, DonorNamed: in.DonorNamed, CreatedBy: pr.ID, CreatedAt: now}
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.DB.CreatePairing(ctx, &p); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("pairing_exists", "this child is paired already")
			}
			return err
		}
		return s.audit.Record(ctx, Event{Action: "pairing.match", TargetType: "pairing", TargetID: p.ID, RegionCode: p.RegionCode,
			Detail: "profile=" + prof.ID + " donor=" + donor.ID + " letters=" + strconv.FormatBool(p.DonorLetters) + " named=" + strconv.FormatBool(p.DonorNamed)})
	})
	if err != nil {
		return PairingCreated{}, err
	}
	v, err := s.pairingView(ctx, p, false)
	return PairingCreated{PairingView: v, Code: code}, err
}

// Pairings lists the pairings of children in the caller's region, newest
// first.
func (s *Society) Pairings(ctx context.Context, req model.PageRequest) (model.Page[PairingView], error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return model.Page[PairingView]{}, err
	}
	rows, err := s.d.DB.PairingsInRegion(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[PairingView]{}, err
	}
	pg := model.NewPage(rows, req, func(p model.Pairing) string { return p.ID })
	out := model.Page[PairingView]{Items: make([]PairingView, 0, len(pg.Items)), NextCursor: pg.NextCursor}
	for _, p := range pg.Items {
		v, err := s.pairingView(ctx, p, false)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// PairingDetail returns a pairing in the caller's region with every
// letter; the bureau's reading of the letters is audited. Elsewhere is
// model.KindNotFound.
func (s *Society) PairingDetail(ctx context.Context, id string) (PairingView, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return PairingView{}, err
	}
	p, err := s.d.DB.PairingInRegion(ctx, id, scopeOf(pr), false)
	if err != nil {
		return PairingView{}, notFoundAs(err, "pairing")
	}
	v, err := s.pairingView(ctx, p, true)
	if err != nil {
		return v, err
	}
	return v, s.audit.RecordAlone(ctx, Event{Action: "pairing.letters.read", TargetType: "pairing", TargetID: p.ID, RegionCode: p.RegionCode,
		Detail: "letters=" + strconv.Itoa(len(v.Letters))})
}

// pairingView builds the bureau's view; letters decrypts the letters too.
func (s *Society) pairingView(ctx context.Context, p model.Pairing, letters bool) (PairingView, error) {
	donor, err := s.d.DB.Donor(ctx, p.DonorID)
	if err != nil {
		return PairingView{}, err
	}
	prof, err := s.d.DB.PairingProfileByID(ctx, p.ProfileID)
	if err != nil {
		return PairingView{}, err
	}
	brief, err := s.profileBrief(ctx, p, prof)
	if err != nil {
		return PairingView{}, err
	}
	v := PairingView{ID: p.ID, Number: p.Number, Status: p.Status, Profile: brief, DonorID: donor.ID, DonorName: donor.NameMasked,
		DonorLetters: p.DonorLetters, DonorNamed: p.DonorNamed, LettersOpen: p.LettersOpen(prof), LettersStoppedAt: p.LettersStoppedAt,
		LettersStopReason: p.LettersStopReason, CreatedAt: p.CreatedAt, EndedAt: p.EndedAt}
	if v.Payments, v.PaidTotal, err = s.pairingPayments(ctx, p.ID); err != nil {
		return v, err
	}
	if letters {
		if v.Letters, err = pairingLetters(ctx, s.d.DB, s.d.Keys, p.ID); err != nil {
			return v, err
		}
	}
	return v, nil
}

// profileBrief is the anonymised child of a pairing: the stage from the
// member row (the school and grade never leave), the county and the need.
func (s *Society) profileBrief(ctx context.Context, p model.Pairing, prof model.PairingProfile) (PairingProfileBrief, error) {
	members, err := s.d.DB.Members(ctx, prof.HouseholdID)
	if err != nil {
		return PairingProfileBrief{}, err
	}
	stage := ""
	for _, m := range members {
		if m.ID == prof.MemberID && m.SchoolStage != nil {
			stage = model.PairingStage(*m.SchoolStage, deref(m.SchoolGrade), m.BirthDate, s.d.Clock.Now())
		}
	}
	return PairingProfileBrief{ID: prof.ID, Stage: stage, CountyName: s.regionName(ctx, p.RegionCode[:6]), Need: prof.Need}, nil
}

// pairingPayments lists a pairing's payments in words, and their sum.
func (s *Society) pairingPayments(ctx context.Context, id string) ([]PairingPayment, int64, error) {
	rows, err := s.d.DB.PairingPayments(ctx, id)
	if err != nil {
		return nil, 0, err
	}
	out := make([]PairingPayment, 0, len(rows))
	var total int64
	for _, a := range rows {
		total += a.Amount
		out = append(out, PairingPayment{Amount: a.Amount, Period: a.Period, Text: fmt.Sprintf("%s 结对助学款 %s", a.Period, model.YuanWords(a.Amount))})
	}
	return out, total, nil
}

// pairingLetters decrypts a pairing's letters, oldest first.
func pairingLetters(ctx context.Context, db letterStore, keys *Keys, id string) ([]LetterView, error) {
	rows, err := db.PairingLetters(ctx, id)
	if err != nil {
		return nil, err
	}
	out := make([]LetterView, 0, len(rows))
	for _, l := range rows {
		body, err := keys.Open(l.BodySealed)
		if err != nil {
			return nil, err
		}
		out = append(out, LetterView{ID: l.ID, Sender: l.Sender, Body: body, SentAt: l.CreatedAt})
	}
	return out, nil
}

// letterStore is what reading letters needs.
type letterStore interface {
	PairingLetters(ctx context.Context, pairingID string) ([]model.PairingLetter, error)
}

// PaymentInput records a pairing payment: part of a money donation the
// paired donor gave at a station.
type PaymentInput struct {
	DonationID string `json:"donation_id"`
	Amount     int64  `json:"amount"`
	Note       string `json:"note"`
}

// Pay records a payment of a pairing in the caller's region: an
// allocation of the paired donor's money donation to the child's approved
// case, marked with the pairing, so it enters the fund ledger as donated
// money and the household's aid record; audited. An ended pairing or a
// revoked consent is model.KindConflict pairing_ended; a donation of
// another donor, or goods, model.KindInvalid; more than is left
// model.KindConflict over_allocated.
func (s *Society) Pay(ctx context.Context, id string, in PaymentInput) (PairingView, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return PairingView{}, err
	}
	if err := checkText("note", in.Note, false); err != nil {
		return PairingView{}, err
	}
	p, err := s.d.DB.PairingInRegion(ctx, id, scopeOf(pr), false)
	if err != nil {
		return PairingView{}, notFoundAs(err, "pairing")
	}
	now := s.d.Clock.Now()
	a := model.DonationAllocation{ID: s.d.IDs.New(), DonationID: in.DonationID, Note: in.Note, Period: model.MonthOf(now), PairingID: &p.ID,
		DecidedBy: pr.ID, CreatedAt: now}
	check := func(ctx context.Context, d model.Donation) error {
		// Under the donation's lock: the pairing and the consent are read
		// again, so a revocation that committed first stops the payment.
		p, err := s.d.DB.PairingInRegion(ctx, id, scopeOf(pr), true)
		if err != nil {
			return notFoundAs(err, "pairing")
		}
		if p.Status != model.PairingOpen {
			return errPairingEnded
		}
		if _, err := s.d.DB.OfferableProfile(ctx, p.ProfileID, scopeOf(pr)); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return errPairingEnded
			}
			return err
		}
		if d.Kind != model.DonationMoney || d.DonorID == nil || *d.DonorID != p.DonorID {
			return model.Invalid("donation_id", "结对助学款须来自该捐赠人的捐款（请先在捐赠站点登记这笔捐款）")
		}
		prof, err := s.d.DB.PairingProfileByID(ctx, p.ProfileID)
		if err != nil {
			return err
		}
		app, err := s.d.DB.ApprovedCaseOfHousehold(ctx, prof.HouseholdID)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return errPairingEnded
			}
			return err
		}
		a.Program, a.RegionCode, a.ApplicationID = app.Program, app.RegionCode, &app.ID
		a.CountyCode = app.RegionCode[:6]
		return nil
	}
	if in.DonationID == "" {
		return PairingView{}, model.Invalid("donation_id", "结对助学款须来自该捐赠人的捐款（请先在捐赠站点登记这笔捐款）")
	}
	if err := s.commitAllocation(ctx, scopeOf(pr), &a, AllocationInput{Amount: in.Amount}, check); err != nil {
		return PairingView{}, err
	}
	p, err = s.d.DB.PairingInRegion(ctx, id, scopeOf(pr), false)
	if err != nil {
		return PairingView{}, err
	}
	return s.pairingView(ctx, p, false)
}

// StopLettersInput is the bureau's reason for stopping a pairing's letters.
type StopLettersInput struct {
	Reason string `json:"reason"`
}

// StopLetters stops the letters of a pairing in the caller's region for
// good, with a reason (audited). Stopped already is model.KindConflict
// letters_stopped.
func (s *Society) StopLetters(ctx context.Context, id string, in StopLettersInput) (PairingView, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return PairingView{}, err
	}
	if err := checkText("reason", in.Reason, true); err != nil {
		return PairingView{}, err
	}
	var p model.Pairing
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if p, err = s.d.DB.PairingInRegion(ctx, id, scopeOf(pr), true); err != nil {
			return notFoundAs(err, "pairing")
		}
		now := s.d.Clock.Now()
		if err := s.d.DB.StopPairingLetters(ctx, id, strings.TrimSpace(in.Reason), now); err != nil {
			return err
		}
		p.LettersStoppedAt, p.LettersStopReason = &now, strings.TrimSpace(in.Reason)
		return s.audit.Record(ctx, Event{Action: "pairing.letters.stop", TargetType: "pairing", TargetID: p.ID, RegionCode: p.RegionCode})
	})
	if err != nil {
		return PairingView{}, err
	}
	return s.pairingView(ctx, p, true)
}

// ---- The donor's side (no login: the pairing number and code).

// DonorPairingInput is what the donor types: the pairing number and code.
type DonorPairingInput struct {
	Number string `json:"number"`
	Code   string `json:"code"`
}

// DonorLetterInput is a donor's letter.
type DonorLetterInput struct {
	DonorPairingInput
	Body string `json:"body"`
}

// DonorPairingView is a pairing as its donor reads it: the anonymised
// child, the payments and the letters. The family side of a letter never
// carries a name: the letter was screened before it was sent.
type DonorPairingView struct {
	Number      string           `json:"number"`
	Status      string           `json:"status"`
	Profile     DonorProfileView `json:"profile"`
	LettersOpen bool             `json:"letters_open"`
	PaidTotal   int64            `json:"paid_total"`
	Payments    []PairingPayment `json:"payments"`
	Letters     []LetterView     `json:"letters"`
	Since       string           `json:"since"`
}

// DonorProfileView is the child as a donor sees it.
type DonorProfileView struct {
	Stage      string `json:"stage"`
	CountyName string `json:"county_name"`
	Need       string `json:"need"`
}

// donorPairing checks a number and code like a donation trace (constant
// time, failures counted per address and per number, then 429) and
// returns the pairing; a wrong pair is model.KindNotFound
// pairing_not_found.
func (s *Society) donorPairing(ctx context.Context, in DonorPairingInput, clientIP string) (model.Pairing, error) {
	number := strings.ToUpper(strings.TrimSpace(in.Number))
	blocks, err := s.codeBlocks(ctx, "pairings:code", number, clientIP)
	if err != nil {
		return model.Pairing{}, err
	}
	p, err := s.d.DB.PairingByNumber(ctx, number)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return model.Pairing{}, err
	}
	if !s.codeMatches(ctx, pairingDomain, in.Code, p.CodeHash, blocks) {
		return model.Pairing{}, errPairingMissing
	}
	return p, nil
}

// DonorPairing shows the donor their pairing.
func (s *Society) DonorPairing(ctx context.Context, in DonorPairingInput, clientIP string) (DonorPairingView, error) {
	p, err := s.donorPairing(ctx, in, clientIP)
	if err != nil {
		return DonorPairingView{}, err
	}
	return s.donorView(ctx, p)
}

func (s *Society) donorView(ctx context.Context, p model.Pairing) (DonorPairingView, error) {
	prof, err := s.d.DB.PairingProfileByID(ctx, p.ProfileID)
	if err != nil {
		return DonorPairingView{}, err
	}
	brief, err := s.profileBrief(ctx, p, prof)
	if err != nil {
		return DonorPairingView{}, err
	}
	v := DonorPairingView{Number: p.Number, Status: p.Status, Profile: DonorProfileView{Stage: brief.Stage, CountyName: brief.CountyName, Need: brief.Need},
		LettersOpen: p.LettersOpen(prof), Since: model.MonthOf(p.CreatedAt)}
	if v.Payments, v.PaidTotal, err = s.pairingPayments(ctx, p.ID); err != nil {
		return v, err
	}
	if v.Letters, err = pairingLetters(ctx, s.d.DB, s.d.Keys, p.ID); err != nil {
		return v, err
	}
	return v, nil
}

// DonorLetter sends the donor's letter to the family while both sides
// consent and the bureau has not stopped letters (model.KindConflict
// letters_closed, or pairing_ended). A letter with a phone or ID number,
// a contact handle or an address is model.KindInvalid on body, saying why.
func (s *Society) DonorLetter(ctx context.Context, in DonorLetterInput, clientIP string) (DonorPairingView, error) {
	p, err := s.donorPairing(ctx, in.DonorPairingInput, clientIP)
	if err != nil {
		return DonorPairingView{}, err
	}
	body, err := model.CheckLetter(in.Body)
	if err != nil {
		return DonorPairingView{}, err
	}
	if err := sendLetter(ctx, letterDeps{db: s.d.DB, kv: s.d.KV, keys: s.d.Keys, ids: s.d.IDs, clock: s.d.Clock, audit: s.audit}, p.ID, model.LetterFromDonor, body); err != nil {
		return DonorPairingView{}, err
	}
	p, err = s.d.DB.PairingByNumber(ctx, p.Number)
	if err != nil {
		return DonorPairingView{}, err
	}
	return s.donorView(ctx, p)
}

// CaseDonations lists the donations that reached the household of a case
// in the caller's region (its aid record): gifts allocated to its cases
// and pairing payments, with the donor (a person's name masked). A case
// elsewhere is model.KindNotFound.
func (s *Society) CaseDonations(ctx context.Context, applicationID string) ([]AidDonation, error) {
	pr, err := staffIn(ctx, model.ActApplicationsRead)
	if err != nil {
		return nil, err
	}
	app, err := s.d.DB.ApplicationInRegion(ctx, applicationID, scopeOf(pr))
	if err != nil {
		return nil, notFoundAs(err, "application")
	}
	rows, err := s.d.DB.AllocationsToHousehold(ctx, app.HouseholdID)
	if err != nil {
		return nil, err
	}
	pairings, err := s.d.DB.PairingsOfHousehold(ctx, app.HouseholdID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, p := range pairings {
		d, err := s.d.DB.Donor(ctx, p.DonorID)
		if err != nil {
			return nil, err
		}
		names[p.ID] = d.NameMasked + "（" + p.Number + "）"
	}
	return aidDonations(rows, func(id string) string { return names[id] }), nil
}
