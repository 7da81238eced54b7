package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// findHits runs the duplicate rules (model.DuplicateRules) for a case and
// returns its findings as new open hits, leaving out those the county
// already overrode.
func (w *Workflow) findHits(ctx context.Context, a model.Application, policy model.Policy, now time.Time) ([]*model.DuplicateHit, error) {
	held, err := w.d.DB.CoveringBenefits(ctx, a.HouseholdID, a.ID)
	if err != nil {
		return nil, err
	}
	checks, err := w.d.DB.CheckResults(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	latest := map[string]model.CheckResult{}
	for _, c := range checks {
		latest[c.Source] = c
	}
	in := model.DuplicateInput{ApplicationID: a.ID, Program: a.Program, HouseholdID: a.HouseholdID, RegionCode: a.RegionCode,
		Excludes: policy.Excludes(), Held: held}
	for _, src := range model.CheckSources() {
		if c, ok := latest[src]; ok {
			in.Checks = append(in.Checks, c)
		}
	}
	var out []*model.DuplicateHit
	for _, f := range model.RunDuplicateRules(in) {
		var other *string
		if f.OtherApplicationID != "" {
			o := f.OtherApplicationID
			other = &o
		}
		done, err := w.d.DB.HitOverridden(ctx, a.ID, f.Kind, other)
		if err != nil {
			return nil, err
		}
		if !done {
			out = append(out, &model.DuplicateHit{ID: w.d.IDs.New(), Kind: f.Kind, ApplicationID: a.ID, OtherApplicationID: other,
				RegionCode: a.RegionCode, Detail: f.Detail, Status: model.HitOpen, CreatedAt: now})
		}
	}
	return out, nil
}

// keepHits stores hits in a transaction of their own; it returns how many
// were new.
func (w *Workflow) keepHits(ctx context.Context, hits []*model.DuplicateHit) (int, error) {
	n := 0
	err := w.d.DB.InTx(ctx, func(ctx context.Context) error {
		n = 0
		for _, h := range hits {
			added, err := w.d.DB.CreateDuplicateHit(ctx, h)
			if err != nil {
				return err
			}
			if added {
				n++
			}
		}
		return nil
	})
	return n, err
}

// ResolveHitInput is the county's decision on a duplicate hit.
type ResolveHitInput struct {
	Resolution string `json:"resolution"`
	Reason     string `json:"reason"`
}

// ResolveHit lets a county approver close an open hit in the region:
// override (both benefits stand; the same finding is not raised again) or
// corrected (the data was put right; a finding that still stands is raised
// anew on the next approval or scan). Audited. Errors: 422 for an unknown
// resolution or no reason; 404 out of region; 409 when it is not open.
func (w *Workflow) ResolveHit(ctx context.Context, id string, in ResolveHitInput) (model.DuplicateHit, error) {
	p, err := staffIn(ctx, model.ActDuplicateHitsResolve)
	if err != nil {
		return model.DuplicateHit{}, err
	}
	status := map[string]string{model.ResolutionOverride: model.HitOverridden, model.ResolutionCorrected: model.HitResolved}[in.Resolution]
	if status == "" {
		return model.DuplicateHit{}, model.Invalid("resolution", "请选择 override（说明理由后放行）或 corrected（已更正）")
	}
	reason := strings.TrimSpace(in.Reason)
	if reason == "" {
		return model.DuplicateHit{}, model.Invalid("reason", "请填写处理理由")
	}
	if err := checkText("reason", reason, true); err != nil {
		return model.DuplicateHit{}, err
	}
	var out model.DuplicateHit
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		h, err := w.d.DB.DuplicateHitInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "duplicate_hit")
		}
		if err := w.d.DB.ResolveDuplicateHit(ctx, h.ID, status, in.Resolution, reason, p.ID, w.d.Clock.Now()); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "duplicate_hit.resolve", TargetType: "duplicate_hit", TargetID: h.ID, RegionCode: h.RegionCode,
			Detail: in.Resolution + ": " + reason}); err != nil {
			return err
		}
		out, err = w.d.DB.DuplicateHitInRegion(ctx, h.ID, scopeOf(p))
		return err
	})
	return out, err
}

// ScanResult says what a nightly duplicate scan did.
type ScanResult struct {
	Day     string
	Scanned int
	Hits    int
	Skipped bool // another instance ran (or is running) today's scan
}

// ScanDuplicates runs the duplicate rules over every active benefit
// (approved or suspended) and keeps what they find as open hits against the
// later of the two cases, so a benefit already being paid is listed for the
// county. It runs once a day across instances (a KV lock per China-time
// day); a hit is recorded once however often it is found (open_key).
func (w *Workflow) ScanDuplicates(ctx context.Context) (ScanResult, error) {
	now := w.d.Clock.Now()
	res := ScanResult{Day: now.In(model.ChinaZone).Format(time.DateOnly)}
	skipped, err := onceAcross(ctx, w.d.KV, "duplicates:scan:"+res.Day, now, 25*time.Hour, func() error {
		return w.scanDuplicates(ctx, now, &res)
	})
	res.Skipped = skipped
	return res, err
}

func (w *Workflow) scanDuplicates(ctx context.Context, now time.Time, res *ScanResult) error {
	active, err := w.d.DB.ActiveBenefits(ctx)
	if err != nil {
		return err
	}
	for _, a := range active {
		policy, ok := model.PolicyOf(a.Program)
		if !ok {
			return fmt.Errorf("application %s has unknown program %q", a.ID, a.Program)
		}
		hits, err := w.findHits(ctx, a, policy, now)
		if err != nil {
			return err
		}
		res.Scanned++
		var later []*model.DuplicateHit
		for _, h := range hits {
			// Each pair once: against the case decided later.
			if h.OtherApplicationID == nil || *h.OtherApplicationID < a.ID {
				later = append(later, h)
			}
		}
		n, err := w.keepHits(ctx, later)
		if err != nil {
			return err
		}
		res.Hits += n
	}
	return nil
}
