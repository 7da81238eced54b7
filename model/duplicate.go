package model

import "time"

// Duplicate-hit kinds (多头) and statuses.
const (
	HitExcludedPair = "excluded_pair" // a person would hold two programs that exclude each other
	HitOpen         = "open"
	HitOverridden   = "overridden"
	HitResolved     = "resolved"
)

// DuplicateHit is a finding that a benefit may be paid twice; while open it
// blocks the approval of its case.
type DuplicateHit struct {
	ID                 string     `json:"id"`
	Kind               string     `json:"kind"`
	ApplicationID      string     `json:"application_id"`
	OtherApplicationID *string    `json:"other_application_id"`
	RegionCode         string     `json:"region_code"`
	Detail             string     `json:"detail"`
	Status             string     `json:"status"`
	Resolution         *string    `json:"resolution"`
	ResolutionReason   *string    `json:"resolution_reason"`
	ResolvedBy         *string    `json:"-"`
	ResolvedAt         *time.Time `json:"resolved_at"`
	CreatedAt          time.Time  `json:"created_at"`
}

// TableName is the duplicate hits table.
func (DuplicateHit) TableName() string { return "duplicate_hits" }
