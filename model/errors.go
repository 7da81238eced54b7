// Package model holds Jiuzhu's domain types and rules: statuses and their
// transitions, masking, ID-number checks, voucher codes and the closed set
// of error kinds every layer speaks. It imports only the standard library.
package model

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Kind is the closed set of error categories. The HTTP layer maps each kind to
// exactly one status code; storage backends translate driver errors into them.
type Kind string

// The error kinds. Their HTTP statuses are fixed by the API contract.
const (
	KindMalformed       Kind = "malformed"          // 400: the request could not be parsed
	KindUnauthenticated Kind = "unauthenticated"    // 401: no, expired or revoked session
	KindForbidden       Kind = "forbidden"          // 403: known caller, not allowed
	KindNotFound        Kind = "not_found"          // 404: absent, or not the caller's
	KindMethod          Kind = "method_not_allowed" // 405: the path exists, the verb does not
	KindConflict        Kind = "conflict"           // 409: state conflict
	KindTooLarge        Kind = "too_large"          // 413
	KindUnsupported     Kind = "unsupported_type"   // 415
	KindInvalid         Kind = "invalid"            // 422: well-formed but invalid values
	KindRateLimited     Kind = "rate_limited"       // 429
	KindUnavailable     Kind = "unavailable"        // 503: a backing service is down
	KindInternal        Kind = "internal"           // 500: a bug; never shown in detail
)

// Error is the one error type that crosses layers. Code is a stable
// snake_case identifier for clients; Message is safe to show to a user; Fields
// names offending input fields. Err keeps the cause for logs only.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	Fields     map[string]string
	RetryAfter time.Duration
	// Subject names whom a field error is about in the caller's own words
	// (a household member's name as the resident typed it). It is shown
	// only back to the caller who sent it, never in staff or public views.
	Subject string
	Err     error
}

// Error implements error. It includes the cause so log lines carry context.
func (e *Error) Error() string {
	msg := e.Message
	if msg == "" {
		msg = string(e.Kind)
	}
	if e.Code != "" && e.Code != string(e.Kind) {
		msg = e.Code + ": " + msg
	}
	if e.Err != nil {
		return msg + ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, model.ErrNotFound) true for every error of that kind:
// a sentinel (no code) matches by kind, anything else by identity.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	if t.Code == "" && t.Message == "" {
		return t.Kind == e.Kind
	}
	return t == e
}

// WithField returns a copy of e that also names an offending field.
func (e *Error) WithField(field, why string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[field] = why
	return &c
}

// Wrap returns a copy of e that records cause for the logs.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// Sentinels for errors.Is; backends wrap them with %w.
var (
	ErrMalformed       = &Error{Kind: KindMalformed}
	ErrUnauthenticated = &Error{Kind: KindUnauthenticated}
	ErrForbidden       = &Error{Kind: KindForbidden}
	ErrNotFound        = &Error{Kind: KindNotFound}
	ErrConflict        = &Error{Kind: KindConflict}
	ErrTooLarge        = &Error{Kind: KindTooLarge}
	ErrUnsupported     = &Error{Kind: KindUnsupported}
	ErrInvalid         = &Error{Kind: KindInvalid}
	ErrRateLimited     = &Error{Kind: KindRateLimited}
	ErrUnavailable     = &Error{Kind: KindUnavailable}
)

// NewError builds an error of the given kind with a client-facing code and message.
func NewError(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid is a 422 error naming one field.
func Invalid(field, why string) *Error {
	return &Error{Kind: KindInvalid, Code: "invalid_field", Message: field + ": " + why, Fields: map[string]string{field: why}}
}

// NotFound is a 404 error for the named thing.
func NotFound(what string) *Error {
	return &Error{Kind: KindNotFound, Code: what + "_not_found", Message: what + " not found"}
}

// Conflict is a 409 error.
func Conflict(code, format string, args ...any) *Error {
	return NewError(KindConflict, code, format, args...)
}

// Forbidden is a 403 error.
func Forbidden(code, format string, args ...any) *Error {
	return NewError(KindForbidden, code, format, args...)
}

// Unavailable wraps a backend failure as a 503 naming the service.
func Unavailable(service string, cause error) *Error {
	return &Error{Kind: KindUnavailable, Code: strings.ReplaceAll(service, " ", "_") + "_unavailable", Message: service + " is unavailable", Err: cause}
}

// RateLimited is a 429 error telling the client when to retry.
func RateLimited(retryAfter time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: "too many requests; try again later", RetryAfter: retryAfter}
}

// KindOf returns the kind of err, KindInternal when err is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
