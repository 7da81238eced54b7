package model

import (
	"fmt"
	"time"
)

// Spot-check outcomes (抽查).
const (
	SpotConfirmed   = "confirmed"   // the case was as approved
	SpotDiscrepancy = "discrepancy" // something did not hold: the county re-checks it
)

// SpotCheckDraw is a county's draw of a month's approved cases for spot
// checks: one per county and month.
type SpotCheckDraw struct {
	RegionCode string    `json:"region_code" gorm:"primaryKey"`
	Period     string    `json:"period" gorm:"primaryKey"`
	Permille   int64     `json:"permille"`
	Population int       `json:"population"` // cases approved in the month
	SampleSize int       `json:"sample_size"`
	DrawnBy    string    `json:"-"`
	DrawnAt    time.Time `json:"drawn_at"`
}

// TableName is the spot-check draws table.
func (SpotCheckDraw) TableName() string { return "spot_check_draws" }

// SpotCheck is one drawn case and, once checked, its outcome.
type SpotCheck struct {
	ID                string      `json:"id"`
	RegionCode        string      `json:"region_code"` // the county
	Period            string      `json:"period"`
	ApplicationID     string      `json:"application_id"`
	ApplicationNumber string      `json:"application_number"`
	Program           ProgramCode `json:"program"`
	Outcome           *string     `json:"outcome"`
	Note              *string     `json:"note,omitempty"`
	DecidedBy         *string     `json:"-"`
	DecidedAt         *time.Time  `json:"decided_at,omitempty"`
	CreatedAt         time.Time   `json:"created_at"`
}

// TableName is the spot checks table.
func (SpotCheck) TableName() string { return "spot_checks" }

// SampleSize is how many of population cases a draw at permille takes:
// rounded up, so a county that samples draws at least one case of a month
// that had any.
func SampleSize(population int, permille int64) int {
	if population <= 0 || permille <= 0 {
		return 0
	}
	return int((int64(population)*permille + 999) / 1000)
}

// DrawSample picks size distinct indexes of [0, n) uniformly, using intn
// (a uniform draw in [0, k)); a partial Fisher–Yates shuffle.
func DrawSample(n, size int, intn func(k int) (int, error)) ([]int, error) {
	if size > n {
		size = n
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	for i := 0; i < size; i++ {
		j, err := intn(n - i)
		if err != nil {
			return nil, fmt.Errorf("draw sample: %w", err)
		}
		idx[i], idx[i+j] = idx[i+j], idx[i]
	}
	return idx[:size], nil
}

// ReviewMeeting is a community 民主评议 of a case: who attended and how
// they voted. Passed says a majority of those present agreed.
type ReviewMeeting struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"-"`
	HeldOn        string    `json:"held_on"` // YYYY-MM-DD
	Attendees     int       `json:"attendees"`
	Agree         int       `json:"agree"`
	Disagree      int       `json:"disagree"`
	Abstain       int       `json:"abstain"`
	Passed        bool      `json:"passed"`
	Note          string    `json:"note"`
	RecordedBy    string    `json:"-"`
	CreatedAt     time.Time `json:"created_at"`
}

// TableName is the review meetings table.
func (ReviewMeeting) TableName() string { return "review_meetings" }

// CheckVotes validates a meeting's numbers and sets Passed.
func (m *ReviewMeeting) CheckVotes() error {
	if m.Attendees < 1 || m.Attendees > 1000 {
		return Invalid("attendees", "请填写 1 到 1000 之间的参会人数")
	}
	for field, v := range map[string]int{"agree": m.Agree, "disagree": m.Disagree, "abstain": m.Abstain} {
		if v < 0 {
			return Invalid(field, "票数不能为负")
		}
	}
	if m.Agree+m.Disagree+m.Abstain > m.Attendees {
		return Invalid("attendees", "同意、不同意和弃权的票数合计不能多于参会人数")
	}
	m.Passed = m.Agree*2 > m.Attendees
	return nil
}
