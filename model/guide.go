package model

// Guide is what a resident is told before starting and after a decision:
// whom to call, how long each step may take, and how to challenge a
// decision. The time limits are the defaults of the national 低保
// procedure (民发〔2021〕57号); the appeal periods are those of the 行政复议法
// (60 days) and the 行政诉讼法 (6 months).
type Guide struct {
	BureauName string       `json:"bureau_name"`
	HelpLine   string       `json:"help_line"`
	TimeLimits TimeLimits   `json:"time_limits"`
	Appeal     AppealRights `json:"appeal"`
	// WorkingAge is the age from which the household form asks a member's
	// work ability (AsksWorkAbility): the portal applies it to an ID number
	// as it is typed, before the household is saved.
	WorkingAge int `json:"working_age"`
}

// TimeLimits are the procedure's time limits.
type TimeLimits struct {
	// InvestigateWorkingDays: investigation starts within this many working
	// days of acceptance.
	InvestigateWorkingDays int `json:"investigate_working_days"`
	// NoticeDays: the public notice (公示) runs this many days.
	NoticeDays int `json:"notice_days"`
	// DecideWorkingDays: the whole case is decided within this many working
	// days (more when extended with a reason).
	DecideWorkingDays int `json:"decide_working_days"`
	// ReturnWorkingDays: a case returned for more documents (退回补正) is to
	// be completed by the resident within this many working days.
	ReturnWorkingDays int `json:"return_working_days"`
}

// AppealRights are the periods for challenging a decision, counted from
// the day the resident learns of it.
type AppealRights struct {
	ReconsiderationDays int `json:"reconsideration_days"` // 行政复议
	LitigationMonths    int `json:"litigation_months"`    // 行政诉讼
}

// DefaultGuide is the guide with the procedure's default time limits and
// the notice (公示) period in days (7 when less than one is given).
func DefaultGuide(bureauName, helpLine string, noticeDays int) Guide {
	if noticeDays < 1 {
		noticeDays = 7
	}
	return Guide{
		BureauName: bureauName, HelpLine: helpLine,
		TimeLimits: TimeLimits{InvestigateWorkingDays: 3, NoticeDays: noticeDays, DecideWorkingDays: 30, ReturnWorkingDays: ReturnDays},
		Appeal:     AppealRights{ReconsiderationDays: 60, LitigationMonths: 6},
		WorkingAge: WorkingAge,
	}
}
