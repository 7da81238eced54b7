package service

import (
	"context"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// letterDeps are what sending a letter needs, from either side.
type letterDeps struct {
	db    *storage.DB
	kv    storage.KV
	keys  *Keys
	ids   *model.IDs
	clock model.Clock
	audit *Audit
}

// lettersPerDay is how many letters each side of a pairing may send in a
// day (the bureau reads every one).
const lettersPerDay = 5

// sendLetter stores a screened letter (sealed) on a pairing, after reading
// the pairing under its row lock and the consent again: letters pass only
// while the pairing stands, the guardian's consent covers letters, the
// donor opted in and the bureau has not stopped them; audited. Past
// lettersPerDay from one side in a day it is model.KindRateLimited.
func sendLetter(ctx context.Context, d letterDeps, pairingID, sender, body string) error {
	// A closed pairing answers before the day's count is spent.
	if _, err := lettersOpen(ctx, d, pairingID, false); err != nil {
		return err
	}
	n, resetIn, err := d.kv.IncrWindow(ctx, "pairings:letters:"+pairingID+":"+sender, 24*time.Hour)
	if err != nil {
		return fmt.Errorf("count letters: %w", err)
	}
	if n > lettersPerDay {
		return model.RateLimited(resetIn)
	}
	return d.db.InTx(ctx, func(ctx context.Context) error {
		p, err := lettersOpen(ctx, d, pairingID, true)
		if err != nil {
			return err
		}
		sealed, err := d.keys.Seal(body)
		if err != nil {
			return err
		}
		l := model.PairingLetter{ID: d.ids.New(), PairingID: p.ID, Sender: sender, BodySealed: sealed, CreatedAt: d.clock.Now()}
		if err := d.db.CreatePairingLetter(ctx, &l); err != nil {
			return err
		}
		return d.audit.Record(ctx, Event{Action: "pairing.letter", TargetType: "pairing", TargetID: p.ID, RegionCode: p.RegionCode,
			Detail: "sender=" + sender})
	})
}

// lettersOpen reads a pairing (under its row lock when lock) and its
// consent and returns the pairing: model.KindConflict pairing_ended or
// letters_closed unless letters may pass.
func lettersOpen(ctx context.Context, d letterDeps, pairingID string, lock bool) (model.Pairing, error) {
	p, err := d.db.PairingInRegion(ctx, pairingID, "", lock)
	if err != nil {
		return p, notFoundAs(err, "pairing")
	}
	prof, err := d.db.PairingProfileByID(ctx, p.ProfileID)
	if err != nil {
		return p, err
	}
	if p.Status != model.PairingOpen || prof.Status != model.PairingActive {
		return p, errPairingEnded
	}
	if !p.LettersOpen(prof) {
		return p, errLettersClosed
	}
	return p, nil
}

// FamilyPairing is a pairing of one of the guardian's children as the
// family sees it: their own child (masked name), the donor only when the
// donor agreed to be named (爱心人士 otherwise), the payments and the
// letters.
type FamilyPairing struct {
	ID          string           `json:"id"`
	MemberID    string           `json:"member_id"`
	NameMasked  string           `json:"name_masked"`
	Status      string           `json:"status"`
	DonorName   string           `json:"donor_name"`
	LettersOpen bool             `json:"letters_open"`
	PaidTotal   int64            `json:"paid_total"`
	Payments    []PairingPayment `json:"payments"`
	Letters     []LetterView     `json:"letters"`
	Since       string           `json:"since"`
}

// Pairings lists the pairings of the caller's children, newest first.
func (p *Pairing) Pairings(ctx context.Context) ([]FamilyPairing, error) {
	hh, ok, err := p.callerHousehold(ctx)
	if err != nil || !ok {
		return []FamilyPairing{}, err
	}
	rows, err := p.d.DB.PairingsOfHousehold(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	members, err := p.d.DB.Members(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	out := make([]FamilyPairing, 0, len(rows))
	for _, r := range rows {
		v, err := p.familyView(ctx, r, members)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func (p *Pairing) familyView(ctx context.Context, r model.Pairing, members []model.Member) (FamilyPairing, error) {
	prof, err := p.d.DB.PairingProfileByID(ctx, r.ProfileID)
	if err != nil {
		return FamilyPairing{}, err
	}
	v := FamilyPairing{ID: r.ID, MemberID: prof.MemberID, Status: r.Status, DonorName: anonymousDonor, LettersOpen: r.LettersOpen(prof),
		Since: model.MonthOf(r.CreatedAt)}
	for _, m := range members {
		if m.ID == prof.MemberID {
			v.NameMasked = m.NameMasked
		}
	}
	if r.DonorNamed {
		d, err := p.d.DB.Donor(ctx, r.DonorID)
		if err != nil {
			return v, err
		}
		v.DonorName = d.NameMasked
		if d.NamePublic != nil {
			v.DonorName = *d.NamePublic
		}
	}
	pays, err := p.d.DB.PairingPayments(ctx, r.ID)
	if err != nil {
		return v, err
	}
	v.Payments = make([]PairingPayment, 0, len(pays))
	for _, a := range pays {
		v.PaidTotal += a.Amount
		v.Payments = append(v.Payments, PairingPayment{Amount: a.Amount, Period: a.Period,
			Text: fmt.Sprintf("%s 收到%s的结对助学款 %s", a.Period, v.DonorName, model.YuanWords(a.Amount))})
	}
	if v.Letters, err = pairingLetters(ctx, p.d.DB, p.d.Keys, r.ID); err != nil {
		return v, err
	}
	return v, nil
}

// LetterInput is a family's letter.
type LetterInput struct {
	Body string `json:"body"`
}

// FamilyLetter sends the family's letter to the donor of a pairing of the
// caller's child. Besides what every letter is screened for (phone and ID
// numbers, contact handles, addresses), a family letter may not carry a
// household member's name, the school's name or the address, so the donor
// never learns who the child is (model.KindInvalid on body, saying why).
// A pairing not theirs is model.KindNotFound; closed letters
// model.KindConflict letters_closed or pairing_ended.
func (p *Pairing) FamilyLetter(ctx context.Context, id string, in LetterInput) (FamilyPairing, error) {
	who, err := residentOf(ctx)
	if err != nil {
		return FamilyPairing{}, err
	}
	hh, err := p.d.DB.HouseholdOfResident(ctx, who.ID)
	if err != nil {
		return FamilyPairing{}, notFoundAs(err, "pairing")
	}
	r, err := p.familyPairing(ctx, hh.ID, id)
	if err != nil {
		return FamilyPairing{}, err
	}
	body, err := model.CheckLetter(in.Body)
	if err != nil {
		return FamilyPairing{}, err
	}
	members, err := p.d.DB.Members(ctx, hh.ID)
	if err != nil {
		return FamilyPairing{}, err
	}
	if p.identifies(ctx, hh, members, body) {
		return FamilyPairing{}, model.ErrLetterName
	}
	if err := sendLetter(ctx, letterDeps{db: p.d.DB, kv: p.d.KV, keys: p.d.Keys, ids: p.d.IDs, clock: p.d.Clock, audit: p.audit}, r.ID, model.LetterFromFamily, body); err != nil {
		return FamilyPairing{}, err
	}
	if r, err = p.familyPairing(ctx, hh.ID, id); err != nil {
		return FamilyPairing{}, err
	}
	return p.familyView(ctx, r, members)
}

// familyPairing returns a pairing of a household's child
// (model.KindNotFound otherwise).
func (p *Pairing) familyPairing(ctx context.Context, householdID, id string) (model.Pairing, error) {
	rows, err := p.d.DB.PairingsOfHousehold(ctx, householdID)
	if err != nil {
		return model.Pairing{}, err
	}
	for _, r := range rows {
		if r.ID == id {
			return r, nil
		}
	}
	return model.Pairing{}, model.NotFound("pairing")
}

var errConsentRevoked = model.Conflict("consent_revoked", "这份同意已经撤回，不能再修改通信设置；如要重新参加，请重新同意。")

// LettersConsentInput turns the guardian's consent to letters on or off.
type LettersConsentInput struct {
	Letters bool `json:"letters"`
}

// SetLetters records the guardian's consent to letters for a standing
// consent of their household (audited): off stops letters at once.
// Errors: 404 for a consent not theirs, 409 consent_revoked when it was
// revoked.
func (p *Pairing) SetLetters(ctx context.Context, id string, in LettersConsentInput) (PairingConsent, error) {
	who, err := residentOf(ctx)
	if err != nil {
		return PairingConsent{}, err
	}
	now := p.d.Clock.Now()
	var out PairingConsent
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		prof, err := p.d.DB.PairingProfileOfResident(ctx, id, who.ID)
		if err != nil {
			return notFoundAs(err, "pairing_consent")
		}
		if prof.Status != model.PairingActive {
			return errConsentRevoked
		}
		if err := p.d.DB.SetPairingLetters(ctx, id, in.Letters, now); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return errConsentRevoked
			}
			return err
		}
		hh, err := p.d.DB.Household(ctx, prof.HouseholdID)
		if err != nil {
			return err
		}
		county, err := p.countyName(ctx, hh.RegionCode)
		if err != nil {
			return err
		}
		out = PairingConsent{ID: prof.ID, MemberID: prof.MemberID, Status: prof.Status, CountyName: county, Need: prof.Need,
			Letters: in.Letters, ConsentedAt: prof.ConsentedAt}
		return p.audit.Record(ctx, Event{Action: "pairing.letters.consent", TargetType: "pairing_profile", TargetID: prof.ID, RegionCode: hh.RegionCode,
			Detail: fmt.Sprintf("letters=%t", in.Letters)})
	})
	return out, err
}

// AidDonation is one gift that reached the household's case: a named-case
// allocation or a pairing payment, without the donor's name unless the
// donor agreed to be named to the family.
type AidDonation struct {
	Period      string            `json:"period"`
	Program     model.ProgramCode `json:"program"`
	ProgramName string            `json:"program_name"`
	Kind        string            `json:"kind"`
	Amount      int64             `json:"amount"`
	Quantity    int64             `json:"quantity"`
	Pairing     bool              `json:"pairing"`
	DonorName   string            `json:"donor_name"`
	Text        string            `json:"text"`
	At          time.Time         `json:"at"`
}

// aidDonations turns allocations to a household's cases into its aid
// record; named reports whether a pairing's donor agreed to be named, and
// how.
func aidDonations(rows []model.DonationAllocation, named func(pairingID string) string) []AidDonation {
	out := make([]AidDonation, 0, len(rows))
	for _, a := range rows {
		prog, _ := model.ProgramOf(a.Program)
		v := AidDonation{Period: a.Period, Program: a.Program, ProgramName: prog.Name, Kind: a.Kind, Amount: a.Amount, Quantity: a.Quantity,
			DonorName: "社会爱心捐赠", At: a.CreatedAt}
		if a.PairingID != nil {
			v.Pairing, v.DonorName = true, named(*a.PairingID)
			v.Text = fmt.Sprintf("%s 结对助学款 %s（%s）", a.Period, model.YuanWords(a.Amount), v.DonorName)
		} else if a.Kind == model.DonationMoney {
			v.Text = fmt.Sprintf("%s 社会捐助 %s（%s）", a.Period, model.YuanWords(a.Amount), prog.Name)
		} else {
			v.Text = fmt.Sprintf("%s 社会捐赠物品 %d 件（折价 %s，%s）", a.Period, a.Quantity, model.YuanWords(a.Amount), prog.Name)
		}
		out = append(out, v)
	}
	return out
}

// AidRecord lists the donations that reached the caller's household: gifts
// allocated to its cases and pairing payments, newest first.
func (p *Pairing) AidRecord(ctx context.Context) ([]AidDonation, error) {
	hh, ok, err := p.callerHousehold(ctx)
	if err != nil || !ok {
		return []AidDonation{}, err
	}
	rows, err := p.d.DB.AllocationsToHousehold(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	pairings, err := p.d.DB.PairingsOfHousehold(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, r := range pairings {
		names[r.ID] = anonymousDonor
		if r.DonorNamed {
			d, err := p.d.DB.Donor(ctx, r.DonorID)
			if err != nil {
				return nil, err
			}
			names[r.ID] = d.NameMasked
			if d.NamePublic != nil {
				names[r.ID] = *d.NamePublic
			}
		}
	}
	return aidDonations(rows, func(id string) string { return names[id] }), nil
}
