package model

import (
	"context"
	"time"
)

// Principal kinds.
const (
	PrincipalResident = "resident"
	PrincipalStaff    = "staff"
)

// Principal is who a session belongs to, as loaded once per request.
type Principal struct {
	Kind       string  `json:"kind"`
	ID         string  `json:"id"`
	Role       Role    `json:"role,omitempty"` // staff only
	RegionCode string  `json:"region_code,omitempty"`
	SchoolID   *string `json:"school_id,omitempty"`
	SessionID  string  `json:"sid"`
	// CreatedAt is when the session began; ExpiresAt its absolute end.
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IsStaff reports whether p is a staff member.
func (p Principal) IsStaff() bool { return p.Kind == PrincipalStaff }

// RequestMeta is what the audit trail records about the request behind an
// action. The HTTP layer puts it in the context.
type RequestMeta struct {
	RequestID string
	ClientIP  string
}

type principalKey struct{}
type metaKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the principal in ctx, if any.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// WithRequestMeta returns ctx carrying m.
func WithRequestMeta(ctx context.Context, m RequestMeta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// RequestMetaFrom returns the request metadata in ctx (zero when absent).
func RequestMetaFrom(ctx context.Context) RequestMeta {
	m, _ := ctx.Value(metaKey{}).(RequestMeta)
	return m
}
