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
	Program       model.ProgramCode
	MonthlyAmount int64        // the amount: monthly or once, by the program's benefit kind
	Status        model.Status // model.StatusApproved when empty
	Hukou         string       // model.HukouUrban when empty
	BankAccount   string       // the household's bank account number; none when empty
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
	if f.BankAccount != "" {
		bank, sealed, masked := "湖州银行", seal(f.BankAccount), model.MaskAccount(f.BankAccount)
		hh.BankName, hh.BankAccountSealed, hh.BankAccountMasked = &bank, &sealed, &masked
	}
	var members []model.Member
	for i, m := range f.Members {
		id := ids.New()
		out.MemberIDs = append(out.MemberIDs, id)
		mm := model.Member{ID: id, Position: i, NameSealed: seal(m.Name), NameMasked: model.MaskName(m.Name), IDSealed: seal(m.IDNumber),
			IDIndex: keys.BlindIndex("id", m.IDNumber), IDMasked: model.MaskID(m.IDNumber), ClaimVerified: true, BirthDate: "2010-01-01", Sex: model.SexFemale,
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

// FixtureBenefit is a benefit written straight to the database for an
// application of a FixtureHousehold: its amount versions by first month.
type FixtureBenefit struct {
	IDs        FixtureIDs
	Program    model.ProgramCode
	RegionCode string
	FirstMonth string
	Versions   map[string]int64 // first month → amount
}

// InsertBenefit writes a FixtureBenefit (active, no snapshot) and returns
// its id.
func (e *Env) InsertBenefit(ctx context.Context, f FixtureBenefit) (string, error) {
	ids, err := e.InsertBenefits(ctx, []FixtureBenefit{f})
	if err != nil {
		return "", err
	}
	return ids[0], nil
}

// InsertBenefits writes FixtureBenefits in batches and returns their ids.
func (e *Env) InsertBenefits(ctx context.Context, fs []FixtureBenefit) ([]string, error) {
	ids := model.NewIDs(e.Clock, nil)
	now := e.Clock.Now()
	bs := make([]model.Benefit, 0, len(fs))
	var vs []model.BenefitAmount
	out := make([]string, 0, len(fs))
	for i, f := range fs {
		policy, ok := model.PolicyOf(f.Program)
		if !ok {
			return nil, fmt.Errorf("fixture: unknown program %q", f.Program)
		}
		appID := f.IDs.ApplicationID
		if appID == "" {
			appID = ids.New()
		}
		b := model.Benefit{ID: ids.New(), ApplicationID: appID, ApplicationNumber: fmt.Sprintf("FX-%d-%s", i, appID[len(appID)-6:]), HouseholdID: f.IDs.HouseholdID,
			Program: f.Program, RegionCode: f.RegionCode, CountyCode: f.RegionCode[:6], Hukou: model.HukouUrban, Kind: policy.Kind(), PersonsCovered: 1,
			Status: model.BenefitStatusActive, FirstMonth: f.FirstMonth, NameMasked: "王*", HouseholdSize: 1, ApprovedAt: now, CreatedAt: now, UpdatedAt: now}
		bs = append(bs, b)
		out = append(out, b.ID)
		for from, amount := range f.Versions {
			vs = append(vs, model.BenefitAmount{ID: ids.New(), BenefitID: b.ID, FromMonth: from, Amount: amount, Reason: "fixture", CreatedAt: now})
		}
	}
	return out, e.Backends.DB.CreateBenefits(ctx, bs, vs)
}

// InsertApprovedApplications writes n more approved, eligible applications
// of program decided now, spread over the given fixture households (with
// no open slot, so a household may hold many), in batches: the rows a
// published list of n recipients reads.
func (e *Env) InsertApprovedApplications(ctx context.Context, households []FixtureIDs, program model.ProgramCode, regionCode string, n int, amount int64) error {
	policy, ok := model.PolicyOf(program)
	if !ok {
		return fmt.Errorf("fixture: unknown program %q", program)
	}
	if len(households) == 0 {
		return fmt.Errorf("fixture: no households")
	}
	ids := model.NewIDs(e.Clock, nil)
	now := e.Clock.Now()
	kind, eligible, persons := policy.Kind(), true, 1
	apps := make([]model.Application, 0, n)
	for i := range n {
		h := households[i%len(households)]
		a := model.Application{ID: ids.New(), HouseholdID: h.HouseholdID, ResidentID: h.ResidentID, Program: program,
			Status: model.StatusApproved, Reason: "fixture", RegionCode: regionCode, BenefitKind: &kind, Eligible: &eligible,
			PersonsCovered: &persons, AssessedAt: &now, DecidedAt: &now, CreatedAt: now, UpdatedAt: now}
		a.Number = "FX-" + a.ID
		amt := amount
		if kind.IsOneOff() {
			a.Amount = &amt
		} else {
			a.MonthlyAmount = &amt
		}
		apps = append(apps, a)
	}
	return e.Backends.DB.CreateApplications(ctx, apps)
}
