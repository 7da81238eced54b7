package service

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// relationNames are the relations in words.
var relationNames = map[string]string{
	model.RelationSelf: "本人", model.RelationSpouse: "配偶", model.RelationChild: "子女", model.RelationParent: "父母", model.RelationOther: "其他",
}

// householdChanges lists, in words and masked, what a save changes of what
// decisions rest on: the community, the hukou type, members joining or
// leaving, and each member's relation, incomes and work ability. The
// address is left out (it changes nothing the benefit rests on).
func (h *Households) householdChanges(ctx context.Context, before model.Household, old map[string]model.Member, after model.Household, members []model.Member) ([]string, error) {
	var out []string
	if before.RegionCode != after.RegionCode {
		from, err := h.d.DB.Region(ctx, before.RegionCode)
		if err != nil {
			return nil, err
		}
		to, err := h.d.DB.Region(ctx, after.RegionCode)
		if err != nil {
			return nil, err
		}
		out = append(out, fmt.Sprintf("所在社区：%s → %s", from.Name, to.Name))
	}
	if before.Hukou != after.Hukou {
		out = append(out, fmt.Sprintf("户口类型：%s → %s", hukouName(before.Hukou), hukouName(after.Hukou)))
	}
	kept := map[string]bool{}
	for _, m := range members {
		o, ok := old[m.ID]
		if !ok {
			out = append(out, fmt.Sprintf("新增成员：%s（%s），月收入 %s 元", m.NameMasked, relationNames[m.Relation], model.Yuan(m.MonthlyIncome)))
			continue
		}
		kept[m.ID] = true
		if o.Relation != m.Relation {
			out = append(out, fmt.Sprintf("%s与申请人关系：%s → %s", m.NameMasked, relationNames[o.Relation], relationNames[m.Relation]))
		}
		switch {
		case o.MonthlyIncome != m.MonthlyIncome:
			out = append(out, fmt.Sprintf("%s的月收入：%s 元 → %s 元", m.NameMasked, model.Yuan(o.MonthlyIncome), model.Yuan(m.MonthlyIncome)))
		case deref(o.Incomes) != deref(m.Incomes):
			out = append(out, m.NameMasked+"的收入构成有变化（合计不变）")
		}
		if deref(o.WorkAbility) != deref(m.WorkAbility) {
			out = append(out, m.NameMasked+"的劳动能力有变化")
		}
	}
	for id, o := range old {
		if !kept[id] {
			out = append(out, fmt.Sprintf("减少成员：%s（%s）", o.NameMasked, relationNames[o.Relation]))
		}
	}
	return out, nil
}

// reportChanges files a change report on every case of the household with
// an active (or suspended) benefit: the case shows when and what changed,
// joins the community's re-check queue (?changed=true), and the resident
// is told that the community will re-check and that payments follow the
// household as assessed until then.
func (h *Households) reportChanges(ctx context.Context, hh model.Household, residentID string, changes []string, now time.Time) error {
	if len(changes) == 0 {
		return nil
	}
	held, err := h.d.DB.HeldBenefits(ctx, hh.ID, "")
	if err != nil {
		return err
	}
	summary := strings.Join(changes, "\n")
	for _, a := range held {
		if !a.IsEligible() {
			continue
		}
		if err := h.d.DB.ReportChange(ctx, a.ID, now, summary); err != nil {
			return err
		}
		prog, _ := model.ProgramOf(a.Program)
		text := fmt.Sprintf("您更新了家庭信息。您的%s（%s）将由社区重新核实（复核），核实前仍按原认定的家庭情况发放；社区可能会联系您或上门了解情况。", prog.Name, a.Number)
		by := residentID
		if err := h.apps.RecordStep(ctx, &a, a.Status, "resident", &by, "居民报告家庭情况变化，待社区复核："+strings.Join(changes, "；"), text); err != nil {
			return err
		}
		if err := h.audit.Record(ctx, Event{Action: "application.change_reported", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
			Detail: fmt.Sprintf("changes=%d", len(changes))}); err != nil {
			return err
		}
	}
	return nil
}
