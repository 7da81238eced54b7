package service

import (
	"context"
	"fmt"
	"strings"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// RelativeInput is one declared close relative.
type RelativeInput struct {
	Name     string `json:"name"`
	IDNumber string `json:"id_number"`
	Relation string `json:"relation"`
}

// maxRelatives bounds one declaration.
const maxRelatives = 50

// SetRelatives replaces the caller's declared close relatives (audited).
// ID numbers are kept only as blind indexes, names masked. Errors: 422 for
// a missing name, a bad ID number or relation, or too many.
func (w *Workflow) SetRelatives(ctx context.Context, in []RelativeInput) ([]model.StaffRelative, error) {
	p, err := staffIn(ctx, model.ActRelativesDeclare)
	if err != nil {
		return nil, err
	}
	if len(in) > maxRelatives {
		return nil, model.Invalid("relatives", fmt.Sprintf("一次最多申报 %d 名近亲属", maxRelatives))
	}
	now := w.d.Clock.Now()
	rows := make([]model.StaffRelative, 0, len(in))
	seen := map[string]bool{}
	for i, r := range in {
		field := fmt.Sprintf("relatives[%d]", i)
		name := strings.TrimSpace(r.Name)
		if name == "" || len([]rune(name)) > 30 {
			return nil, model.Invalid(field+".name", "请填写亲属姓名（不超过 30 个字）")
		}
		id, err := model.ParseIDNumber(r.IDNumber, now)
		if err != nil {
			return nil, model.Invalid(field+".id_number", "身份证号码不正确，请核对后重新填写 18 位号码")
		}
		if !model.IsRelativeRelation(r.Relation) {
			return nil, model.Invalid(field+".relation", "请选择关系："+strings.Join(model.RelativeRelations, "、"))
		}
		idx := w.d.Keys.BlindIndex("id", id.Number)
		if seen[idx] {
			return nil, model.Invalid(field+".id_number", "同一名亲属只需申报一次")
		}
		seen[idx] = true
		rows = append(rows, model.StaffRelative{ID: w.d.IDs.New(), StaffID: p.ID, NameMasked: model.MaskName(name), IDIndex: idx, Relation: r.Relation, CreatedAt: now})
	}
	err = w.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := w.d.DB.ReplaceRelatives(ctx, p.ID, rows); err != nil {
			return err
		}
		return w.audit.Record(ctx, Event{Action: "staff.relatives.set", TargetType: "staff", TargetID: p.ID,
			Detail: fmt.Sprintf("declared %d close relatives", len(rows))})
	})
	if err != nil {
		return nil, err
	}
	return rows, nil
}

// Declarations lists the staff in the auditor's subtree who declared close
// relatives, with the relatives (names masked, no ID numbers).
func (w *Workflow) Declarations(ctx context.Context) ([]storage.Declaration, error) {
	p, err := staffIn(ctx, model.ActRelativesRead)
	if err != nil {
		return nil, err
	}
	return w.d.DB.Declarations(ctx, scopeOf(p))
}

// noConflict refuses a step by a staff member who declared a member of the
// case's household as a close relative: another worker at the same level
// or above must take it.
func (w *Workflow) noConflict(ctx context.Context, p model.Principal, a model.Application) error {
	return noConflict(ctx, w.d.DB, p, a)
}

// noConflict is 403 conflict_of_interest when the staff member p declared
// a member of a's household as a relative.
func noConflict(ctx context.Context, db *storage.DB, p model.Principal, a model.Application) error {
	has, err := db.HouseholdHasDeclaredRelative(ctx, a.HouseholdID, p.ID)
	if err != nil {
		return err
	}
	if has {
		return model.Forbidden("conflict_of_interest", "本案家庭中有您申报的近亲属，您需要回避；请由同级或上级其他工作人员办理")
	}
	return nil
}
