package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Assisted is the community worker's application for a resident who cannot
// apply alone (代办).
type Assisted struct {
	d          Deps
	audit      *Audit
	apps       *Applications
	households *Households
}

// NewAssisted builds the assisted-application service over the residents'
// household and application services (the same validation as their path).
func NewAssisted(d Deps, audit *Audit, apps *Applications, households *Households) *Assisted {
	return &Assisted{d: d, audit: audit, apps: apps, households: households}
}

// AssistedInput is an application keyed by a community worker.
type AssistedInput struct {
	Phone     string         `json:"phone"`
	Household HouseholdInput `json:"household"`
	Program   string         `json:"program"`
	Reason    string         `json:"reason"`
}

// AssistedResult is the application created and its resident.
type AssistedResult struct {
	Application ApplicationSummary `json:"application"`
	ResidentID  string             `json:"resident_id"`
}

// Apply finds (or creates) the resident by phone, saves the household and
// opens and submits an application in one transaction, with the household
// and application rules of the resident's own path. The timeline and the
// audit name the worker; the resident is told by message (and SMS) and
// finds the case after logging in with that phone. The documents are
// collected afterwards (the community returns the case for them, or
// reviews what the resident uploads). Errors: as PUT /me/household and
// POST /applications (422, 409); 404 for a household outside the worker's
// community.
func (s *Assisted) Apply(ctx context.Context, in AssistedInput) (AssistedResult, error) {
	p, err := staffIn(ctx, model.ActApplicationsAssist)
	if err != nil {
		return AssistedResult{}, err
	}
	phone, err := model.NormalizePhone(in.Phone)
	if err != nil {
		return AssistedResult{}, err
	}
	if in.Household.RegionCode != "" && !model.InRegion(p.RegionCode, in.Household.RegionCode) {
		return AssistedResult{}, model.NotFound("region")
	}
	var out AssistedResult
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		res, err := s.resident(ctx, phone)
		if err != nil {
			return err
		}
		if _, err := s.households.save(ctx, model.Principal{ID: res.ID}, in.Household); err != nil {
			return err
		}
		actor := p.ID
		app, _, err := s.apps.create(ctx, res.ID, ApplicationInput{Program: model.ProgramCode(in.Program), Reason: in.Reason}, string(p.Role), &actor, "社区工作人员代为填写申请（代办）")
		if err != nil {
			return err
		}
		now := s.d.Clock.Now()
		t := model.Transitions[model.ActionSubmit]
		if err := s.d.DB.UpdateApplicationStatus(ctx, app.ID, t.From, t.To, storage.StatusChange{At: now, SubmittedAt: &now}); err != nil {
			return err
		}
		app.Status, app.SubmittedAt, app.UpdatedAt = t.To, &now, now
		prog, _ := model.ProgramOf(app.Program)
		text := fmt.Sprintf("社区工作人员已为您代办%s申请（%s）并提交。请用本手机号登录“救助通”查看进度，按提示补充材料。", prog.Name, app.Number)
		if err := s.apps.RecordStep(ctx, &app, t.To, string(p.Role), &actor, "代办提交：由社区工作人员代为提交", text); err != nil {
			return err
		}
		if err := s.audit.Record(ctx, Event{Action: "application.assisted", TargetType: "application", TargetID: app.ID, RegionCode: app.RegionCode,
			Detail: "keyed by " + p.ID + " for resident " + res.ID}); err != nil {
			return err
		}
		out = AssistedResult{Application: summaryOf(app), ResidentID: res.ID}
		return nil
	})
	return out, err
}

// resident finds the resident with phone or creates them (they log in
// later with the phone).
func (s *Assisted) resident(ctx context.Context, phone string) (model.Resident, error) {
	idx := s.d.Keys.BlindIndex("phone", phone)
	res, err := s.d.DB.ResidentByPhoneIndex(ctx, idx)
	if !errors.Is(err, model.ErrNotFound) {
		return res, err
	}
	sealed, err := s.d.Keys.Seal(phone)
	if err != nil {
		return model.Resident{}, fmt.Errorf("seal phone: %w", err)
	}
	res = model.Resident{ID: s.d.IDs.New(), PhoneSealed: sealed, PhoneIndex: idx, PhoneMasked: model.MaskPhone(phone), CreatedAt: s.d.Clock.Now()}
	if err := s.d.DB.CreateResident(ctx, &res); err != nil {
		return model.Resident{}, fmt.Errorf("create resident: %w", err)
	}
	return res, nil
}
