package service

import (
	"context"
	"strings"

	"github.com/jiuzhu/jiuzhu/model"
)

// ServiceRecordInput is one record of a service case (就业援助).
type ServiceRecordInput struct {
	Kind          string `json:"kind"`
	Note          string `json:"note"`
	WithoutReason bool   `json:"without_reason"`
}

// ServiceRecordsView lists a service case's records and counts the
// suitable offers refused without a reason: at model.RefusedOffersLimit the
// county may reduce or stop the household's dibao.
type ServiceRecordsView struct {
	Items                []model.ServiceRecord `json:"items"`
	RefusedWithoutReason int                   `json:"refused_without_reason"`
	MayReduceDibao       bool                  `json:"may_reduce_dibao"`
}

// AddServiceRecord records a registration, training, referral, outcome or
// refused offer on an approved case of a service program in the community
// worker's subtree (audited). Out of region is model.KindNotFound; a case
// that is not an approved service case model.KindConflict; bad input
// model.KindInvalid.
func (w *Workflow) AddServiceRecord(ctx context.Context, id string, in ServiceRecordInput) (ServiceRecordsView, error) {
	p, err := staffIn(ctx, model.ActServiceRecordsWrite)
	if err != nil {
		return ServiceRecordsView{}, err
	}
	in.Note = strings.TrimSpace(in.Note)
	if !model.IsServiceKind(in.Kind) {
		return ServiceRecordsView{}, model.Invalid("kind", "请选择：registration（登记）、training（培训）、referral（岗位推荐）、outcome（就业结果）或 offer_refused（拒绝推荐岗位）")
	}
	if in.WithoutReason && in.Kind != model.ServiceOfferRefused {
		return ServiceRecordsView{}, model.Invalid("without_reason", "只有拒绝推荐岗位的记录才标注是否无正当理由")
	}
	if err := checkText("note", in.Note, true); err != nil {
		return ServiceRecordsView{}, err
	}
	var out ServiceRecordsView
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		a, err := w.d.DB.LockApplicationInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "application")
		}
		if err := serviceCase(a); err != nil {
			return err
		}
		r := model.ServiceRecord{ID: w.d.IDs.New(), ApplicationID: a.ID, Kind: in.Kind, Note: in.Note, WithoutReason: in.WithoutReason,
			RecordedBy: p.ID, RecordedAt: w.d.Clock.Now()}
		if err := w.d.DB.CreateServiceRecord(ctx, &r); err != nil {
			return err
		}
		if err := w.audit.Record(ctx, Event{Action: "application.service_record", TargetType: "application", TargetID: a.ID,
			RegionCode: a.RegionCode, Detail: r.Kind}); err != nil {
			return err
		}
		out, err = w.serviceRecords(ctx, a.ID)
		return err
	})
	return out, err
}

// ServiceRecords lists the records of a service case in the staff
// member's subtree (404 out of region; 409 for a case that is not one).
func (w *Workflow) ServiceRecords(ctx context.Context, id string) (ServiceRecordsView, error) {
	p, err := staffIn(ctx, model.ActApplicationsRead)
	if err != nil {
		return ServiceRecordsView{}, err
	}
	a, err := w.d.DB.ApplicationInRegion(ctx, id, scopeOf(p))
	if err != nil {
		return ServiceRecordsView{}, notFoundAs(err, "application")
	}
	if err := serviceCase(a); err != nil {
		return ServiceRecordsView{}, err
	}
	return w.serviceRecords(ctx, a.ID)
}

// serviceCase checks a is an approved case of a service program.
func serviceCase(a model.Application) error {
	policy, ok := model.PolicyOf(a.Program)
	if !ok || policy.Kind() != model.BenefitService || a.Status != model.StatusApproved {
		return model.Conflict("not_a_service_case", "只有已批准的就业援助等服务类救助才能记录服务情况")
	}
	return nil
}

func (w *Workflow) serviceRecords(ctx context.Context, applicationID string) (ServiceRecordsView, error) {
	rs, err := w.d.DB.ServiceRecords(ctx, applicationID)
	if err != nil {
		return ServiceRecordsView{}, err
	}
	v := ServiceRecordsView{Items: rs}
	if v.Items == nil {
		v.Items = []model.ServiceRecord{}
	}
	for _, r := range rs {
		if r.Kind == model.ServiceOfferRefused && r.WithoutReason {
			v.RefusedWithoutReason++
		}
	}
	v.MayReduceDibao = v.RefusedWithoutReason >= model.RefusedOffersLimit
	return v, nil
}
