package service

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
)

// Privileged grants (creating an admin or county approver, resetting their
// password) need two admins: the first one's request is kept as a pending
// grant for grantTTL, and another admin with the account's region in their
// subtree confirms it. Both steps are audited.
const (
	grantCreate        = "create"
	grantPasswordReset = "password_reset"
	grantTTL           = 24 * time.Hour
)

// privilegedRole reports whether granting role needs a second admin.
func privilegedRole(role model.Role) bool {
	return role == model.RoleAdmin || role == model.RoleCountyApprover
}

// PendingGrant is a privileged account change waiting for a second admin.
type PendingGrant struct {
	ID          string     `json:"id"`
	Kind        string     `json:"kind"` // create | password_reset
	Status      string     `json:"status"`
	StaffID     string     `json:"staff_id"`
	Username    string     `json:"username"`
	Role        model.Role `json:"role"`
	RegionCode  string     `json:"region_code"`
	RequestedBy string     `json:"requested_by"`
	ExpiresAt   time.Time  `json:"expires_at"`
}

// storedGrant is a pending grant with what confirming it applies: the new
// account (password hashed) or the new password hash.
type storedGrant struct {
	PendingGrant
	Account      model.Staff `json:"account"`
	PasswordHash string      `json:"password_hash"`
}

func grantKey(id string) string { return "staff:grant:" + id }

// requestGrant keeps a privileged change for a second admin and audits the
// request. For grantCreate st is the new account; for grantPasswordReset
// the target account and hash the new password hash.
func (a *StaffAccounts) requestGrant(ctx context.Context, kind string, st model.Staff, hash string) (*PendingGrant, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return nil, err
	}
	g := storedGrant{PendingGrant: PendingGrant{ID: a.d.IDs.New(), Kind: kind, Status: "pending", StaffID: st.ID, Username: st.Username,
		Role: st.Role, RegionCode: st.RegionCode, RequestedBy: p.ID, ExpiresAt: a.d.Clock.Now().Add(grantTTL)}, PasswordHash: hash}
	if kind == grantCreate {
		g.Account = st
	}
	b, err := json.Marshal(g)
	if err != nil {
		return nil, fmt.Errorf("encode grant: %w", err)
	}
	sealed, err := a.d.Keys.Seal(string(b))
	if err != nil {
		return nil, err
	}
	if err := a.d.KV.Set(ctx, grantKey(g.ID), []byte(sealed), grantTTL); err != nil {
		return nil, fmt.Errorf("store grant: %w", err)
	}
	if err := a.audit.RecordAlone(ctx, Event{Action: "staff.grant_request", TargetType: "grant", TargetID: g.ID, RegionCode: st.RegionCode,
		Detail: kind + " role " + string(st.Role) + " account " + st.ID}); err != nil {
		return nil, err
	}
	return &g.PendingGrant, nil
}

// ConfirmGrant applies a pending privileged change as a second admin and
// audits the confirmation. The requesting admin is refused
// (model.KindForbidden second_admin_required); an unknown, expired or
// already confirmed grant, or one outside the admin's subtree, is
// model.KindNotFound.
func (a *StaffAccounts) ConfirmGrant(ctx context.Context, id string) (StaffView, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return StaffView{}, err
	}
	raw, err := a.d.KV.Get(ctx, grantKey(id))
	if errors.Is(err, model.ErrNotFound) {
		return StaffView{}, model.NotFound("grant")
	}
	if err != nil {
		return StaffView{}, fmt.Errorf("read grant: %w", err)
	}
	plain, err := a.d.Keys.Open(string(raw))
	if err != nil {
		return StaffView{}, fmt.Errorf("open grant: %w", err)
	}
	var g storedGrant
	if err := json.Unmarshal([]byte(plain), &g); err != nil {
		return StaffView{}, fmt.Errorf("decode grant: %w", err)
	}
	if !model.InRegion(p.RegionCode, g.RegionCode) || a.d.Clock.Now().After(g.ExpiresAt) {
		return StaffView{}, model.NotFound("grant")
	}
	if g.RequestedBy == p.ID {
		return StaffView{}, model.Forbidden("second_admin_required", "another admin must confirm a grant you requested")
	}
	fresh, err := a.d.KV.SetNX(ctx, grantKey(id)+":done", []byte(p.ID), grantTTL)
	if err != nil {
		return StaffView{}, fmt.Errorf("claim grant: %w", err)
	}
	if !fresh {
		return StaffView{}, model.NotFound("grant")
	}
	var v StaffView
	if g.Kind == grantCreate {
		v, err = a.insertStaff(ctx, g.Account)
	} else {
		v, err = a.resetPasswordNow(ctx, g.StaffID, g.PasswordHash)
	}
	if err != nil {
		_ = a.d.KV.Delete(context.WithoutCancel(ctx), grantKey(id)+":done")
		return StaffView{}, err
	}
	if err := a.d.KV.Delete(ctx, grantKey(id)); err != nil {
		return StaffView{}, fmt.Errorf("drop grant: %w", err)
	}
	return v, a.audit.RecordAlone(ctx, Event{Action: "staff.grant_confirm", TargetType: "grant", TargetID: id, RegionCode: g.RegionCode,
		Detail: g.Kind + " requested by " + g.RequestedBy + " account " + v.ID})
}
