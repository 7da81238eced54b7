package model

import (
	"encoding/base64"
	"strconv"
)

// Page sizes of list endpoints.
const (
	DefaultPageLimit = 20
	MaxPageLimit     = 100
)

// PageRequest is a validated ?limit=&cursor= pair. After is the id the
// previous page ended on (decoded from the opaque cursor); lists are ordered
// newest first by id.
type PageRequest struct {
	Limit int
	After string
}

// Page is one page of a list; NextCursor is nil on the last page.
type Page[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// ParsePageRequest validates the raw query values (422 on bad ones).
func ParsePageRequest(limit, cursor string) (PageRequest, error) {
	req := PageRequest{Limit: DefaultPageLimit}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageLimit {
			return req, Invalid("limit", "must be a whole number from 1 to 100")
		}
		req.Limit = n
	}
	if cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || len(b) == 0 || len(b) > 64 {
			return req, Invalid("cursor", "not a cursor this server issued")
		}
		req.After = string(b)
	}
	return req, nil
}

// EncodeCursor makes the opaque cursor for the id a page ended on.
func EncodeCursor(id string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(id))
}

// NewPage builds a page from up to Limit+1 rows fetched in order: the extra
// row only signals that another page exists. idOf returns a row's id.
func NewPage[T any](rows []T, req PageRequest, idOf func(T) string) Page[T] {
	p := Page[T]{Items: rows}
	if len(rows) > req.Limit {
		p.Items = rows[:req.Limit]
		c := EncodeCursor(idOf(p.Items[len(p.Items)-1]))
		p.NextCursor = &c
	}
	if p.Items == nil {
		p.Items = []T{}
	}
	return p
}
