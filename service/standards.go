package service

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jiuzhu/jiuzhu/model"
)

// StandardInput sets one 低保 standard.
type StandardInput struct {
	RegionCode    string `json:"region_code"`
	Year          int    `json:"year"`
	Hukou         string `json:"hukou"`
	MonthlyAmount int64  `json:"monthly_amount"`
}

// SetStandard sets the 低保 standard of the approver's own county for a
// year and hukou type. Another county is model.KindNotFound; bad values
// model.KindInvalid.
func (w *Workflow) SetStandard(ctx context.Context, in StandardInput) (model.Standard, error) {
	p, err := staffIn(ctx, model.ActStandardsSet)
	if err != nil {
		return model.Standard{}, err
	}
	if !model.InRegion(p.RegionCode, in.RegionCode) {
		return model.Standard{}, model.NotFound("region")
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return model.Standard{}, model.Invalid("region_code", "standards are set per county")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return model.Standard{}, model.Invalid("year", "a year from 2000 to 2100")
	}
	if in.Hukou != model.HukouUrban && in.Hukou != model.HukouRural {
		return model.Standard{}, model.Invalid("hukou", "urban or rural")
	}
	if in.MonthlyAmount <= 0 || in.MonthlyAmount > 10_000_000 {
		return model.Standard{}, model.Invalid("monthly_amount", "fen per person per month, above 0")
	}
	by := p.ID
	s := model.Standard{RegionCode: in.RegionCode, Year: in.Year, Hukou: in.Hukou, MonthlyAmount: in.MonthlyAmount, UpdatedAt: w.d.Clock.Now(), UpdatedBy: &by}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.UpsertStandard(ctx, s); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "standard.set", TargetType: "standard", TargetID: fmt.Sprintf("%s/%d/%s", s.RegionCode, s.Year, s.Hukou),
			RegionCode: s.RegionCode, Detail: "monthly_amount=" + strconv.FormatInt(s.MonthlyAmount, 10)})
	})
	return s, err
}
