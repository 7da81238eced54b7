package service

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// PairingDeps are what Pairing uses.
type PairingDeps struct {
	DB    *storage.DB
	KV    storage.KV
	Keys  *Keys
	Clock model.Clock
	IDs   *model.IDs
}

func (d Deps) pairing() PairingDeps {
	return PairingDeps{DB: d.DB, KV: d.KV, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs}
}

// Pairing is the family side of 结对助学: a guardian consents, child by
// child, to a school child of an approved household being offered for
// pairing, and may revoke at any time; the bureau lists the consenting
// children as anonymised profiles (stage, county, need in words) under an
// opaque id that donor matching refers to. Names, schools, ID numbers,
// photos, addresses and birth dates never leave this service on that side.
type Pairing struct {
	d     PairingDeps
	audit *Audit
}

// NewPairing builds the pairing use cases.
func NewPairing(d PairingDeps, audit *Audit) *Pairing { return &Pairing{d: d, audit: audit} }

// maxNeedRunes bounds the need in words.
const maxNeedRunes = 300

var (
	errNotApproved = model.Conflict("pairing_not_eligible",
		"家庭的救助申请批准后，孩子才能参加结对助学。请等申请批准后再来。")
	errConsentGiven = model.Conflict("pairing_consent_exists", "您已经同意过这个孩子参加结对助学了；如要修改，请先撤回再重新同意。")
)

// PairingChildView is a school child of the guardian's household with the
// live consent, if any. The guardian sees their own child's masked name.
type PairingChildView struct {
	MemberID   string          `json:"member_id"`
	NameMasked string          `json:"name_masked"`
	Stage      string          `json:"stage"`
	Eligible   bool            `json:"eligible"`
	Consent    *PairingConsent `json:"consent"`
}

// PairingConsent is a guardian's consent for one child: the profile id,
// and what donors and the bureau will see of it.
type PairingConsent struct {
	ID         string `json:"id"`
	MemberID   string `json:"member_id"`
	Status     string `json:"status"`
	Stage      string `json:"stage"`
	CountyName string `json:"county_name"`
	Need       string `json:"need"`
	// Letters is the guardian's consent to letters with a donor.
	Letters     bool       `json:"letters"`
	ConsentedAt time.Time  `json:"consented_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
}

// PairingChildren lists the school children of the caller's household, each
// with whether it may be offered and its live consent. A resident without
// a household gets an empty list.
func (p *Pairing) PairingChildren(ctx context.Context) ([]PairingChildView, error) {
	hh, ok, err := p.callerHousehold(ctx)
	if err != nil || !ok {
		return []PairingChildView{}, err
	}
	approved, err := p.d.DB.HouseholdApproved(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	kids, err := p.d.DB.PairingChildren(ctx, hh.ID)
	if err != nil {
		return nil, err
	}
	county, err := p.countyName(ctx, hh.RegionCode)
	if err != nil {
		return nil, err
	}
	now := p.d.Clock.Now()
	out := make([]PairingChildView, 0, len(kids))
	for _, k := range kids {
		v := PairingChildView{MemberID: k.MemberID, NameMasked: k.NameMasked, Stage: stageOf(k.SchoolStage, k.SchoolGrade, k.BirthDate, now), Eligible: approved}
		if k.ProfileID != nil {
			v.Consent = &PairingConsent{ID: *k.ProfileID, MemberID: k.MemberID, Status: model.PairingActive, Stage: v.Stage,
				CountyName: county, Need: deref(k.Need), Letters: k.LettersConsented != nil && *k.LettersConsented, ConsentedAt: *k.ConsentedAt}
		}
		out = append(out, v)
	}
	return out, nil
}

func stageOf(stage string, grade *string, birth string, now time.Time) string {
	return model.PairingStage(stage, deref(grade), birth, now)
}

// countyName names the county a region code lies in.
func (p *Pairing) countyName(ctx context.Context, regionCode string) (string, error) {
	code := regionCode
	if len(code) > 6 {
		code = code[:6]
	}
	r, err := p.d.DB.Region(ctx, code)
	if errors.Is(err, model.ErrNotFound) {
		return "", nil
	}
	return r.Name, err
}

// ConsentInput is a guardian's consent.
type ConsentInput struct {
	MemberID string `json:"member_id"`
	Need     string `json:"need"`
	// Letters is the guardian's explicit consent to letters with a donor.
	Letters bool `json:"letters"`
}

// Consent records the guardian's consent for one school child of their
// household to be offered for pairing, with the need in words (audited).
// Errors: 404 for a child not in the caller's household; 409
// pairing_not_eligible when the household has no approved case,
// pairing_consent_exists when a consent stands; 422 for a child not in
// school, or a need that is empty, too long or names the child.
func (p *Pairing) Consent(ctx context.Context, in ConsentInput) (PairingConsent, error) {
	who, err := residentOf(ctx)
	if err != nil {
		return PairingConsent{}, err
	}
	now := p.d.Clock.Now()
	var out PairingConsent
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		hh, err := p.d.DB.LockHouseholdOfResident(ctx, who.ID)
		if err != nil {
			return notFoundAs(err, "child")
		}
		members, err := p.d.DB.Members(ctx, hh.ID)
		if err != nil {
			return err
		}
		var child *model.Member
		for i := range members {
			if members[i].ID == in.MemberID {
				child = &members[i]
			}
		}
		if child == nil {
			return model.NotFound("child")
		}
		if child.SchoolID == nil || child.SchoolStage == nil {
			return model.Invalid("member_id", "只有在读的孩子可以参加结对助学；请先在家庭信息中填写孩子的学校和年级")
		}
		approved, err := p.d.DB.HouseholdApproved(ctx, hh.ID)
		if err != nil {
			return err
		}
		if !approved {
			return errNotApproved
		}
		need, err := p.checkNeed(ctx, hh, members, in.Need)
		if err != nil {
			return err
		}
		slot := child.ID
		prof := model.PairingProfile{ID: p.d.IDs.New(), MemberID: child.ID, HouseholdID: hh.ID, ResidentID: who.ID, Need: need,
			NeedBy: "guardian", Status: model.PairingActive, OpenSlot: &slot, ConsentedAt: now, UpdatedAt: now, LettersConsented: in.Letters}
		if err := p.d.DB.CreatePairingProfile(ctx, &prof); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return errConsentGiven
			}
			return err
		}
		county, err := p.countyName(ctx, hh.RegionCode)
		if err != nil {
			return err
		}
		out = PairingConsent{ID: prof.ID, MemberID: child.ID, Status: prof.Status, Stage: stageOf(*child.SchoolStage, child.SchoolGrade, child.BirthDate, now),
			CountyName: county, Need: need, Letters: in.Letters, ConsentedAt: now}
		return p.audit.Record(ctx, Event{Action: "pairing.consent", TargetType: "pairing_profile", TargetID: prof.ID, RegionCode: hh.RegionCode})
	})
	return out, err
}

// Revoke withdraws a consent of the caller's household at once: the
// profile leaves every list the bureau and donors read and its pairing, if
// any, ends, so no further payments or letters pass (audited). Errors:
// 404 for a consent not theirs, 409 pairing_not_active when already
// revoked.
func (p *Pairing) Revoke(ctx context.Context, id string) (PairingConsent, error) {
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
		if err := p.d.DB.RevokePairingProfile(ctx, id, now); err != nil {
			return err
		}
		if err := p.d.DB.EndPairingsOfProfile(ctx, id, now); err != nil {
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
		out = PairingConsent{ID: prof.ID, MemberID: prof.MemberID, Status: model.PairingRevoked, CountyName: county, Need: prof.Need,
			ConsentedAt: prof.ConsentedAt, RevokedAt: &now}
		return p.audit.Record(ctx, Event{Action: "pairing.revoke", TargetType: "pairing_profile", TargetID: prof.ID, RegionCode: hh.RegionCode})
	})
	return out, err
}

// checkNeed validates the need in words: required, at most maxNeedRunes
// characters, and free of what would identify the child: a household
// member's name or given name, an ID number, the school's name, or any run
// of seven or more digits (phone and ID numbers).
func (p *Pairing) checkNeed(ctx context.Context, hh model.Household, members []model.Member, raw string) (string, error) {
	need := strings.TrimSpace(raw)
	if need == "" || utf8.RuneCountInString(need) > maxNeedRunes {
		return "", model.Invalid("need", fmt.Sprintf("请用文字写明孩子需要哪些帮助（不超过 %d 个字）", maxNeedRunes))
	}
	digits := 0
	for _, r := range need {
		if unicode.IsDigit(r) {
			digits++
			if digits >= 7 {
				return "", errNeedIdentifies
			}
		} else {
			digits = 0
		}
	}
	if p.identifies(ctx, hh, members, need) {
		return "", errNeedIdentifies
	}
	return need, nil
}

// identifies reports whether text carries a household member's name or
// given name, an ID number, a school's name or the address.
func (p *Pairing) identifies(ctx context.Context, hh model.Household, members []model.Member, text string) bool {
	var needles []string
	for _, m := range members {
		if name, err := p.d.Keys.Open(m.NameSealed); err == nil {
			needles = append(needles, name)
			if r := []rune(name); len(r) >= 3 {
				needles = append(needles, string(r[1:]))
			}
		}
		if id, err := p.d.Keys.Open(m.IDSealed); err == nil {
			needles = append(needles, id)
		}
		if m.SchoolID != nil {
			if s, err := p.d.DB.School(ctx, *m.SchoolID); err == nil {
				needles = append(needles, s.Name)
			}
		}
	}
	if addr, err := p.d.Keys.Open(hh.AddressSealed); err == nil && addr != "" {
		needles = append(needles, addr)
	}
	for _, n := range needles {
		if n != "" && strings.Contains(text, n) {
			return true
		}
	}
	return false
}

var errNeedIdentifies = model.Invalid("need", "需求说明里不能写孩子或家人的姓名、学校、身份证号、电话或住址，请只写需要哪些帮助")

// PairingProfileView is a consenting child as the bureau (and, later,
// donors) see it: anonymised.
type PairingProfileView struct {
	ID          string    `json:"id"`
	Stage       string    `json:"stage"`
	CountyName  string    `json:"county_name"`
	Need        string    `json:"need"`
	NeedBy      string    `json:"need_by"`
	ConsentedAt time.Time `json:"consented_at"`
	// Paired is whether a donor is paired with the child now.
	Paired bool `json:"paired"`
}

func (p *Pairing) profileView(ctx context.Context, r storage.OfferableProfile, counties map[string]string) (PairingProfileView, error) {
	code := r.RegionCode
	if len(code) > 6 {
		code = code[:6]
	}
	name, ok := counties[code]
	if !ok {
		var err error
		if name, err = p.countyName(ctx, code); err != nil {
			return PairingProfileView{}, err
		}
		counties[code] = name
	}
	// The consent date is shown as a month only: a day is one more thing
	// to match a child by.
	month := time.Date(r.ConsentedAt.Year(), r.ConsentedAt.Month(), 1, 0, 0, 0, 0, time.UTC)
	return PairingProfileView{ID: r.ID, Stage: stageOf(r.SchoolStage, r.SchoolGrade, r.BirthDate, p.d.Clock.Now()), CountyName: name,
		Need: r.Need, NeedBy: r.NeedBy, ConsentedAt: month, Paired: r.Paired}, nil
}

// Profiles lists the children that may be offered for pairing in the
// staff member's subtree: consent standing, still in school, household
// case approved. Newest first.
func (p *Pairing) Profiles(ctx context.Context, req model.PageRequest) (model.Page[PairingProfileView], error) {
	who, err := staffIn(ctx, model.ActPairingProfilesRead)
	if err != nil {
		return model.Page[PairingProfileView]{}, err
	}
	rows, err := p.d.DB.OfferableProfiles(ctx, scopeOf(who), req)
	if err != nil {
		return model.Page[PairingProfileView]{}, err
	}
	pg := model.NewPage(rows, req, func(r storage.OfferableProfile) string { return r.ID })
	out := model.Page[PairingProfileView]{Items: make([]PairingProfileView, 0, len(pg.Items)), NextCursor: pg.NextCursor}
	counties := map[string]string{}
	for _, r := range pg.Items {
		v, err := p.profileView(ctx, r, counties)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// SetNeed lets the community worker rewrite the need in words of a
// consenting child in their subtree (audited). Errors: 404 for a profile
// elsewhere or no longer offerable, 422 for a need that names the child.
func (p *Pairing) SetNeed(ctx context.Context, id, need string) (PairingProfileView, error) {
	who, err := staffIn(ctx, model.ActPairingNeedWrite)
	if err != nil {
		return PairingProfileView{}, err
	}
	now := p.d.Clock.Now()
	var out PairingProfileView
	err = p.d.DB.InTx(ctx, func(ctx context.Context) error {
		r, err := p.d.DB.OfferableProfile(ctx, id, scopeOf(who))
		if err != nil {
			return notFoundAs(err, "pairing_profile")
		}
		prof, err := p.d.DB.PairingProfileByID(ctx, id)
		if err != nil {
			return err
		}
		hh, err := p.d.DB.Household(ctx, prof.HouseholdID)
		if err != nil {
			return err
		}
		members, err := p.d.DB.Members(ctx, hh.ID)
		if err != nil {
			return err
		}
		clean, err := p.checkNeed(ctx, hh, members, need)
		if err != nil {
			return err
		}
		if err := p.d.DB.SetPairingNeed(ctx, id, clean, "community_worker", now); err != nil {
			return err
		}
		r.Need, r.NeedBy = clean, "community_worker"
		if out, err = p.profileView(ctx, r, map[string]string{}); err != nil {
			return err
		}
		return p.audit.Record(ctx, Event{Action: "pairing.need", TargetType: "pairing_profile", TargetID: id, RegionCode: hh.RegionCode})
	})
	return out, err
}

// callerHousehold is the household of the resident in ctx; ok is false
// when they have not registered one.
func (p *Pairing) callerHousehold(ctx context.Context) (hh model.Household, ok bool, err error) {
	who, err := residentOf(ctx)
	if err != nil {
		return model.Household{}, false, err
	}
	hh, err = p.d.DB.HouseholdOfResident(ctx, who.ID)
	if errors.Is(err, model.ErrNotFound) {
		return model.Household{}, false, nil
	}
	return hh, err == nil, err
}
