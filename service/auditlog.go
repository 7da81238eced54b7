package service

import (
	"context"
	"strconv"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// AuditQuery are the filters of the audit listing.
type AuditQuery struct {
	RegionCode string
	ActorID    string
	Action     string
	TargetType string
	TargetID   string
}

// AuditLog pages through the audit trail of the auditor's region subtree,
// newest first. A region filter outside it is model.KindNotFound; a cursor
// this server did not issue model.KindInvalid.
func (w *Workflow) AuditLog(ctx context.Context, q AuditQuery, req model.PageRequest) (model.Page[model.AuditEntry], error) {
	p, err := staffIn(ctx, model.ActAuditRead)
	if err != nil {
		return model.Page[model.AuditEntry]{}, err
	}
	prefix := scopeOf(p)
	if q.RegionCode != "" {
		if !model.InRegion(p.RegionCode, q.RegionCode) {
			return model.Page[model.AuditEntry]{}, model.NotFound("region")
		}
		prefix = model.RegionPrefix(q.RegionCode)
	}
	if req.After != "" {
		if _, err := strconv.ParseInt(req.After, 10, 64); err != nil {
			return model.Page[model.AuditEntry]{}, model.Invalid("cursor", "not a cursor this server issued")
		}
	}
	rows, err := w.d.DB.AuditEntries(ctx, storage.AuditFilter{RegionPrefix: prefix, ActorID: q.ActorID, Action: q.Action, TargetType: q.TargetType, TargetID: q.TargetID}, req)
	if err != nil {
		return model.Page[model.AuditEntry]{}, err
	}
	return model.NewPage(rows, req, func(e model.AuditEntry) string { return strconv.FormatInt(e.Seq, 10) }), nil
}
