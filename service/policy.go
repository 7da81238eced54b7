package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jiuzhu/jiuzhu/model"
)

// PolicyFiguresView is a county's policy figures for a year; Custom says
// whether the county set its own (otherwise they are the defaults).
type PolicyFiguresView struct {
	RegionCode string        `json:"region_code"`
	Year       int           `json:"year"`
	Custom     bool          `json:"custom"`
	Figures    model.Figures `json:"figures"`
}

// PolicyFiguresInput sets a county's figures for a year.
type PolicyFiguresInput struct {
	RegionCode string         `json:"region_code"`
	Year       int            `json:"year"`
	Figures    *model.Figures `json:"figures"`
}

// countyYear checks a county code in the caller's region (or, for
// reading, the caller's own county) and a year.
func countyYear(p model.Principal, region string, year int, ownCounty bool) error {
	if model.LevelOfCode(region) != model.LevelCounty {
		return model.Invalid("region_code", "政策数据按县（区）设定，请填写 6 位县（区）代码")
	}
	if !model.InRegion(p.RegionCode, region) && !(ownCounty && countyOf(p.RegionCode) == region) {
		return model.NotFound("region")
	}
	if year < 2000 || year > 2100 {
		return model.Invalid("year", "请填写 2000 到 2100 之间的年份")
	}
	return nil
}

// PolicyFigures returns a county's figures for a year (its own, or the
// defaults). Errors: 422 for a bad county code or year; 404 for a county
// outside the caller's region.
func (w *Workflow) PolicyFigures(ctx context.Context, region, yearText string) (PolicyFiguresView, error) {
	p, err := staffIn(ctx, model.ActPolicyRead)
	if err != nil {
		return PolicyFiguresView{}, err
	}
	year := w.d.Clock.Now().Year()
	if yearText != "" {
		if year, err = strconv.Atoi(yearText); err != nil {
			return PolicyFiguresView{}, model.Invalid("year", "请填写年份，例如 2027")
		}
	}
	if region == "" {
		region = countyOf(p.RegionCode)
	}
	if err := countyYear(p, region, year, true); err != nil {
		return PolicyFiguresView{}, err
	}
	_, err = w.d.DB.PolicyFigures(ctx, region, year)
	custom := err == nil
	if err != nil && model.KindOf(err) != model.KindNotFound {
		return PolicyFiguresView{}, err
	}
	f, err := w.figures(ctx, region, year)
	if err != nil {
		return PolicyFiguresView{}, err
	}
	return PolicyFiguresView{RegionCode: region, Year: year, Custom: custom, Figures: f}, nil
}

// SetPolicyFigures sets the county approver's own county's figures for a
// year (audited). Amounts decided before keep their figures; assessments
// made after use the new ones. Errors: 422 for bad figures, a county code
// or a year; 404 for another county.
func (w *Workflow) SetPolicyFigures(ctx context.Context, in PolicyFiguresInput) (PolicyFiguresView, error) {
	p, err := staffIn(ctx, model.ActPolicySet)
	if err != nil {
		return PolicyFiguresView{}, err
	}
	if err := countyYear(p, in.RegionCode, in.Year, false); err != nil {
		return PolicyFiguresView{}, err
	}
	if in.Figures == nil {
		return PolicyFiguresView{}, model.Invalid("figures", "请提交完整的政策数据")
	}
	if err := in.Figures.Validate(); err != nil {
		return PolicyFiguresView{}, err
	}
	b, err := json.Marshal(in.Figures)
	if err != nil {
		return PolicyFiguresView{}, fmt.Errorf("encode figures: %w", err)
	}
	by := p.ID
	row := model.PolicyFigures{RegionCode: in.RegionCode, Year: in.Year, Figures: string(b), UpdatedAt: w.d.Clock.Now(), UpdatedBy: &by}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.UpsertPolicyFigures(ctx, row); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "policy.set", TargetType: "policy_figures", TargetID: row.String(),
			RegionCode: row.RegionCode, Detail: string(b)})
	})
	if err != nil {
		return PolicyFiguresView{}, err
	}
	return PolicyFiguresView{RegionCode: row.RegionCode, Year: row.Year, Custom: true, Figures: *in.Figures}, nil
}

// DuplicateHits pages through the duplicate hits (多头) in the caller's
// subtree, optionally of a region below it and one status. Errors: 422 for
// an unknown status; 404 for a region outside the caller's.
func (w *Workflow) DuplicateHits(ctx context.Context, region, status string, req model.PageRequest) (model.Page[model.DuplicateHit], error) {
	p, err := staffIn(ctx, model.ActDuplicateHitsRead)
	if err != nil {
		return model.Page[model.DuplicateHit]{}, err
	}
	switch status {
	case "", model.HitOpen, model.HitOverridden, model.HitResolved:
	default:
		return model.Page[model.DuplicateHit]{}, model.Invalid("status", "open、overridden 或 resolved")
	}
	prefix := scopeOf(p)
	if region != "" {
		if !model.InRegion(p.RegionCode, region) {
			return model.Page[model.DuplicateHit]{}, model.NotFound("region")
		}
		prefix = model.RegionPrefix(region)
	}
	rows, err := w.d.DB.DuplicateHits(ctx, prefix, status, req)
	if err != nil {
		return model.Page[model.DuplicateHit]{}, err
	}
	return model.NewPage(rows, req, func(h model.DuplicateHit) string { return h.ID }), nil
}
