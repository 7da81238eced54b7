package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/jiuzhu/jiuzhu/model"
)

// StandardInput sets one 低保 standard. EffectiveFrom (YYYY-MM) is the
// month from which the benefits that follow the standard are re-rated:
// by default January of the standard's year when that is still ahead, the
// next month otherwise.
type StandardInput struct {
	RegionCode    string `json:"region_code"`
	Year          int    `json:"year"`
	Hukou         string `json:"hukou"`
	MonthlyAmount int64  `json:"monthly_amount"`
	EffectiveFrom string `json:"effective_from"`
	// DryRun previews the re-rating without saving anything.
	DryRun bool `json:"-"`
}

// StandardResult is the standard set and the benefits re-rated by it.
type StandardResult struct {
	model.Standard
	EffectiveFrom string `json:"effective_from"`
	Rerated       int    `json:"rerated"`
	DryRun        bool   `json:"dry_run"`
	// Changes lists each re-rated benefit (all of them in a preview).
	Changes []Rerating `json:"changes"`
}

// Rerating is one benefit's new amount version.
type Rerating struct {
	ApplicationNumber string `json:"application_number"`
	NameMasked        string `json:"name_masked"`
	FromMonth         string `json:"from_month"`
	OldAmount         int64  `json:"old_amount"`
	NewAmount         int64  `json:"new_amount"`
}

// SetStandard sets the 低保 standard of the approver's own county for a
// year and hukou type and re-rates, in the same audited transaction, every
// active or suspended benefit of that county and hukou type whose amount
// follows the standard: the program's rule is applied again to the
// household as assessed with the new standard, and a changed amount
// becomes a new amount version from the effective month. With DryRun
// nothing is saved. Another county is model.KindNotFound; bad values
// (an effective month in the past or outside the standard's year)
// model.KindInvalid.
func (w *Workflow) SetStandard(ctx context.Context, in StandardInput) (StandardResult, error) {
	p, err := staffIn(ctx, model.ActStandardsSet)
	if err != nil {
		return StandardResult{}, err
	}
	if !model.InRegion(p.RegionCode, in.RegionCode) {
		return StandardResult{}, model.NotFound("region")
	}
	if model.LevelOfCode(in.RegionCode) != model.LevelCounty {
		return StandardResult{}, model.Invalid("region_code", "standards are set per county")
	}
	if in.Year < 2000 || in.Year > 2100 {
		return StandardResult{}, model.Invalid("year", "a year from 2000 to 2100")
	}
	if in.Hukou != model.HukouUrban && in.Hukou != model.HukouRural {
		return StandardResult{}, model.Invalid("hukou", "urban or rural")
	}
	if in.MonthlyAmount <= 0 || in.MonthlyAmount > 10_000_000 {
		return StandardResult{}, model.Invalid("monthly_amount", "fen per person per month, above 0")
	}
	now := w.d.Clock.Now()
	from, err := effectiveFrom(in, model.MonthOf(now))
	if err != nil {
		return StandardResult{}, err
	}
	by := p.ID
	s := model.Standard{RegionCode: in.RegionCode, Year: in.Year, Hukou: in.Hukou, MonthlyAmount: in.MonthlyAmount, UpdatedAt: now, UpdatedBy: &by}
	out := StandardResult{Standard: s, EffectiveFrom: from, DryRun: in.DryRun, Changes: []Rerating{}}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		changes, versions, err := w.rerate(ctx, s, from)
		if err != nil {
			return err
		}
		if changes != nil {
			out.Changes, out.Rerated = changes, len(changes)
		}
		if in.DryRun {
			return nil
		}
		if err := w.d.DB.UpsertStandard(ctx, s); err != nil {
			return err
		}
		for i := range versions {
			if err := w.d.DB.PutBenefitAmount(ctx, &versions[i]); err != nil {
				return err
			}
		}
		return w.audit.Record(ctx, Event{Action: "standard.set", TargetType: "standard", TargetID: fmt.Sprintf("%s/%d/%s", s.RegionCode, s.Year, s.Hukou),
			RegionCode: s.RegionCode, Detail: "monthly_amount=" + strconv.FormatInt(s.MonthlyAmount, 10) + " effective_from=" + from +
				" rerated=" + strconv.Itoa(len(versions))})
	})
	return out, err
}

// effectiveFrom is the month a standard re-rates benefits from: the one
// given (this month or later, within the standard's year), else January of
// its year when that is ahead, else the next month.
func effectiveFrom(in StandardInput, current string) (string, error) {
	year := strconv.Itoa(in.Year)
	if in.EffectiveFrom == "" {
		if jan := year + "-01"; jan > current {
			return jan, nil
		}
		next := model.AddMonths(current, 1)
		if next[:4] != year {
			return current, nil
		}
		return next, nil
	}
	if _, err := model.ParsePeriod(in.EffectiveFrom); err != nil {
		return "", model.Invalid("effective_from", "请按 YYYY-MM 填写生效月份")
	}
	if in.EffectiveFrom[:4] != year {
		return "", model.Invalid("effective_from", "生效月份须在该标准的年度内")
	}
	if in.EffectiveFrom < current {
		return "", model.Invalid("effective_from", "生效月份不能早于本月；已发放的月份不追溯调整")
	}
	return in.EffectiveFrom, nil
}

// rerate computes the new amount versions a standard gives from a month:
// for each benefit that follows it, the program's rule on the household as
// assessed with the new standard; unchanged amounts are left out.
func (w *Workflow) rerate(ctx context.Context, s model.Standard, from string) ([]Rerating, []model.BenefitAmount, error) {
	bs, err := w.d.DB.BenefitsFollowingStandard(ctx, s.RegionCode, s.Hukou)
	if err != nil || len(bs) == 0 {
		return nil, nil, err
	}
	ids := make([]string, 0, len(bs))
	for _, b := range bs {
		ids = append(ids, b.ID)
	}
	versions, err := w.d.DB.BenefitAmounts(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	figures, err := w.figures(ctx, s.RegionCode, s.Year)
	if err != nil {
		return nil, nil, err
	}
	now := w.d.Clock.Now()
	changes := []Rerating{}
	var out []model.BenefitAmount
	for _, b := range bs {
		month := max(from, b.FirstMonth)
		if b.EndMonth != nil && month >= *b.EndMonth {
			continue
		}
		amount, err := w.rerated(b, s.MonthlyAmount, figures)
		if err != nil {
			return nil, nil, err
		}
		old, _ := model.AmountIn(versions[b.ID], month)
		if amount == old || amount <= 0 {
			continue
		}
		changes = append(changes, Rerating{ApplicationNumber: b.ApplicationNumber, NameMasked: b.NameMasked, FromMonth: month, OldAmount: old, NewAmount: amount})
		out = append(out, model.BenefitAmount{ID: w.d.IDs.New(), BenefitID: b.ID, FromMonth: month, Amount: amount, Reason: "rerate", CreatedAt: now})
	}
	return changes, out, nil
}

// rerated is a benefit's amount under a new standard: its program's rule
// applied to the household and assessment it was decided on (0 when the
// rule now finds it not eligible: the amount then stays until the
// re-check decides).
func (w *Workflow) rerated(b model.Benefit, standard int64, f model.Figures) (int64, error) {
	policy, ok := model.PolicyOf(b.Program)
	if !ok {
		return 0, fmt.Errorf("benefit %s has unknown program %q", b.ID, b.Program)
	}
	plain, err := w.d.Keys.Open(b.SnapshotSealed)
	if err != nil {
		return 0, fmt.Errorf("open benefit snapshot: %w", err)
	}
	var snap model.BenefitSnapshot
	if err := json.Unmarshal([]byte(plain), &snap); err != nil {
		return 0, fmt.Errorf("benefit snapshot %s: %w", b.ID, err)
	}
	snap.Case.Standard = standard
	d, err := policy.Decide(snap.Case, snap.Input, f)
	if err != nil || !d.Eligible {
		// A snapshot the rule no longer accepts keeps its amount; the
		// re-check decides.
		return 0, nil
	}
	return d.Computed, nil
}
