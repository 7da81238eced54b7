package model

import (
	"strings"
	"time"
)

// ToBring is one thing a returned case (退回补正) needs from the resident: a
// document staff did not accept, with the reviewer's reason, or a required
// document the case does not have.
type ToBring struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	Reason string `json:"reason,omitempty"`
}

// ToBring lists what a case of p with docs lacks: each kind whose latest
// document staff rejected (with the reason) and, after them, each required
// kind with no pending or accepted document, in the catalogue's order.
func (p Program) ToBring(docs []Document) []ToBring {
	latest := map[string]Document{}
	var order []string
	for _, d := range docs {
		if d.Status == DocumentReplaced {
			continue
		}
		if _, seen := latest[d.Kind]; !seen {
			order = append(order, d.Kind)
		}
		// docs come oldest first: the last one of a kind stands.
		latest[d.Kind] = d
	}
	var out []ToBring
	listed := map[string]bool{}
	for _, k := range order {
		d := latest[k]
		if d.Status != DocumentRejected {
			continue
		}
		name, ok := documentKindName(k)
		if !ok {
			name = k
		}
		reason := ""
		if d.ReviewReason != nil {
			reason = strings.TrimSpace(*d.ReviewReason)
		}
		out = append(out, ToBring{Kind: k, Name: name, Reason: reason})
		listed[k] = true
	}
	for _, r := range p.RequiredDocuments {
		d, ok := latest[r.Kind]
		if listed[r.Kind] || (ok && (d.Status == DocumentPending || d.Status == DocumentAccepted)) {
			continue
		}
		out = append(out, ToBring{Kind: r.Kind, Name: r.Name})
	}
	return out
}

// ToBringText words the list for a message: 身份证（照片不清晰）、户口簿.
func ToBringText(items []ToBring) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Name
		if it.Reason != "" {
			parts[i] += "（" + it.Reason + "）"
		}
	}
	return strings.Join(parts, "、")
}

// LastDayBefore is the date (China time) of the last day of a deadline that
// runs out at due (the first instant after it), as a resident reads it:
// 2026年12月14日.
func LastDayBefore(due time.Time) string {
	return due.In(ChinaZone).Add(-time.Second).Format("2006年01月02日")
}
