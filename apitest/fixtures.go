package apitest

import (
	"context"
	"fmt"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
)

// FixtureHousehold is an approved household written straight to the
// database (personal data sealed with the server's keys), for tests of what
// happens after approval that do not walk the whole workflow.
type FixtureHousehold struct {
	RegionCode    string
	Phone         string
	Address       string
	Program       string
	MonthlyAmount int64  // the amount: monthly or once, by the program's benefit kind
	Status        string // model.StatusApproved when empty
	Hukou         string // model.HukouUrban when empty
	Members       []FixtureMember
}

// FixtureMember is one member of a FixtureHousehold; SchoolID and Stage
// set an enrolment.
type FixtureMember struct {
	Name, IDNumber, Relation string
	HasDisability            bool
	SchoolID, Stage          string
}

// FixtureIDs are the ids InsertHousehold created.
type FixtureIDs struct {
	ResidentID, HouseholdID, ApplicationID string
	MemberIDs                              []string
}

// InsertHousehold writes a FixtureHousehold with its application decided
// now and eligible (it does not issue vouchers).
func (e *Env) InsertHousehold(ctx context.Context, f FixtureHousehold) (FixtureIDs, error) {
	keys, err := service.NewKeys(e.Config.SecretKey, nil)
	if err != nil {
		return FixtureIDs{}, err
	}
	ids := model.NewIDs(e.Clock, nil)
	now := e.Clock.Now()
	out := FixtureIDs{ResidentID: ids.New(), HouseholdID: ids.New(), ApplicationID: ids.New()}
	var sealErr error
	seal := func(s string) string {
		v, err := keys.Seal(s)
		if err != nil {
			sealErr = err
		}
		return v
	}
	res := model.Resident{ID: out.ResidentID, PhoneSealed: seal(f.Phone), PhoneIndex: keys.BlindIndex("phone", f.Phone),
		PhoneMasked: model.MaskPhone(f.Phone), CreatedAt: now}
	hh := model.Household{ID: out.HouseholdID, ResidentID: out.ResidentID, RegionCode: f.RegionCode, AddressSealed: seal(f.Address),
		Hukou: f.Hukou, CreatedAt: now, UpdatedAt: now}
	if hh.Hukou == "" {
		hh.Hukou = model.HukouUrban
	}
	var members []model.Member
	for i, m := range f.Members {
		id := ids.New()
		out.MemberIDs = append(out.MemberIDs, id)
		mm := model.Member{ID: id, Position: i, NameSealed: seal(m.Name), NameMasked: model.MaskName(m.Name), IDSealed: seal(m.IDNumber),
			IDIndex: keys.BlindIndex("id", m.IDNumber), IDMasked: model.MaskID(m.IDNumber), BirthDate: "2010-01-01", Sex: model.SexFemale,
			Relation: m.Relation, HasDisability: m.HasDisability, CreatedAt: now, UpdatedAt: now}
		if m.SchoolID != "" {
			school, stage := m.SchoolID, m.Stage
			mm.SchoolID, mm.SchoolStage = &school, &stage
		}
		members = append(members, mm)
	}
	if sealErr != nil {
		return out, fmt.Errorf("fixture: %w", sealErr)
	}
	policy, ok := model.PolicyOf(f.Program)
	if !ok {
		return out, fmt.Errorf("fixture: unknown program %q", f.Program)
	}
	status := f.Status
	if status == "" {
		status = model.StatusApproved
	}
	amount, eligible, persons, kind := f.MonthlyAmount, true, len(f.Members), policy.Kind()
	slot := model.OpenSlotOf(out.HouseholdID, f.Program)
	app := model.Application{ID: out.ApplicationID, Number: "FX-" + out.ApplicationID, HouseholdID: out.HouseholdID,
		ResidentID: out.ResidentID, Program: f.Program, Status: status, Reason: "fixture", RegionCode: f.RegionCode,
		BenefitKind: &kind, Eligible: &eligible, PersonsCovered: &persons, AssessedAt: &now,
		DecidedAt: &now, CreatedAt: now, UpdatedAt: now}
	if model.IsOpen(status) {
		app.OpenSlot = &slot
	}
	switch {
	case kind.IsMonthly():
		app.MonthlyAmount = &amount
	case kind.IsOneOff():
		app.Amount = &amount
	}
	db := e.Backends.DB
	err = db.InTx(ctx, func(ctx context.Context) error {
		if err := db.CreateResident(ctx, &res); err != nil {
			return err
		}
		if err := db.SaveHousehold(ctx, &hh, true, members); err != nil {
			return err
		}
		if err := db.CreateApplication(ctx, &app); err != nil {
			return err
		}
		if status == model.StatusApproved || status == model.StatusSuspended {
			return db.RecordBenefitPersons(ctx, app.ID, hh.ID)
		}
		return nil
	})
	return out, err
}
