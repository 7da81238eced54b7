package model

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Publication statuses. A publication is never edited; it can only be
// withdrawn, and then says so where it was.
const (
	PublicationPublished = "published"
	PublicationWithdrawn = "withdrawn"
)

// Publication is a published list of approved recipients (张榜公布): an
// immutable, numbered snapshot of one program in one region subtree for one
// month.
type Publication struct {
	ID              string
	RegionCode      string
	Program         ProgramCode
	Period          string
	Seq             int
	Number          string
	PublishedAt     time.Time
	PublishedBy     string
	EntryCount      int
	ContentHash     string
	Status          string
	WithdrawnReason *string
	WithdrawnAt     *time.Time
	WithdrawnBy     *string
	BenefitKind     BenefitKind
}

// TableName is the publications table.
func (Publication) TableName() string { return "publications" }

// PublicationEntry is one recipient on a published list: only the fields
// the public may see.
type PublicationEntry struct {
	PublicationID string `json:"-"`
	Position      int    `json:"-"`
	NameMasked    string `json:"name_masked"`
	HouseholdSize int    `json:"household_size"`
	MonthlyAmount int64  `json:"monthly_amount"`
	RegionCode    string `json:"region_code"`
}

// TableName is the publication entries table.
func (PublicationEntry) TableName() string { return "publication_entries" }

// PublicationHash is SHA-256 over the canonical content of a publication:
// its number, region, program, period, publication time (UTC, milliseconds)
// and every entry in order, each field length-prefixed so no two contents
// encode alike. Anyone holding a printed sheet can recompute it.
func PublicationHash(p Publication, entries []PublicationEntry) string {
	var b strings.Builder
	put := func(s string) {
		b.WriteString(strconv.Itoa(len(s)))
		b.WriteByte(':')
		b.WriteString(s)
		b.WriteByte('|')
	}
	put("jiuzhu-publication-v1")
	put(p.Number)
	put(p.RegionCode)
	put(string(p.Program))
	put(p.Period)
	put(p.PublishedAt.UTC().Truncate(time.Millisecond).Format("2006-01-02T15:04:05.000Z"))
	put(strconv.Itoa(len(entries)))
	for _, e := range entries {
		put(strconv.Itoa(e.Position))
		put(e.NameMasked)
		put(strconv.Itoa(e.HouseholdSize))
		put(strconv.FormatInt(e.MonthlyAmount, 10))
		put(e.RegionCode)
	}
	sum := sha256.Sum256([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// ParsePeriod checks a publication period "YYYY-MM" and returns the first
// instant after it (UTC), or a model.KindInvalid error.
func ParsePeriod(period string) (time.Time, error) {
	t, err := time.Parse("2006-01", period)
	if err != nil || len(period) != 7 {
		return time.Time{}, Invalid("period", "must be a month as YYYY-MM")
	}
	return t.AddDate(0, 1, 0), nil
}
