package model

import "slices"

// Action is a staff action. Every staff endpoint names the one action it
// performs, and Permissions is the only place that says which role may
// perform it.
type Action string

// Staff actions.
const (
	ActApplicationsRead            Action = "applications.read"             // queue and masked detail
	ActApplicationsReveal          Action = "applications.reveal"           // full personal data (audited)
	ActDocumentsRead               Action = "documents.read"                // document content (audited)
	ActDocumentsReview             Action = "documents.review"              // accept/reject a document
	ActApplicationsAssess          Action = "applications.assess"           // income, amount, home visit
	ActApplicationAccept           Action = "application.accept"            // submitted → accepted
	ActApplicationInvestig         Action = "application.investigate"       // accepted → investigating
	ActApplicationReturn           Action = "application.return"            // → returned
	ActApplicationPublicize        Action = "application.publicize"         // investigating → publicizing
	ActApplicationApprove          Action = "application.approve"           // publicizing → approved
	ActApplicationReject           Action = "application.reject"            // → rejected
	ActApplicationRejectPublicized Action = "application.reject_publicized" // publicizing → rejected (county only)
	ActApplicationApproveUrgent    Action = "application.approve_urgent"    // investigating → approved, 急难型 without 公示
	ActPolicyRead                  Action = "policy.read"                   // policy figures of a county
	ActPolicySet                   Action = "policy.set"                    // policy figures of a county (audited)
	ActServiceRecordsWrite         Action = "service_records.write"         // 就业援助 records of an approved case
	ActDuplicateHitsRead           Action = "duplicate_hits.read"
	ActDuplicateHitsResolve        Action = "duplicate_hits.resolve"   // override or corrected, with a reason (audited)
	ActApplicationRecheck          Action = "application.recheck"      // 复核: approved stays approved
	ActApplicationSuspend          Action = "application.suspend"      // approved → suspended
	ActApplicationResume           Action = "application.resume"       // suspended → approved
	ActApplicationEnd              Action = "application.end"          // approved or suspended → ended
	ActApplicationGradualExit      Action = "application.gradual_exit" // approved stays approved, paid for the gradual-exit months
	ActObjectionsRead              Action = "objections.read"
	ActObjectionsResolve           Action = "objections.resolve"
	ActPublicationsCreate          Action = "publications.create"
	ActPublicationsWithdraw        Action = "publications.withdraw"
	ActStandardsSet                Action = "standards.set"
	ActVoucherCapsSet              Action = "voucher_caps.set"
	ActVouchersManage              Action = "vouchers.manage" // void, reissue, list in region
	ActStatementsReadAll           Action = "statements.read_all"
	ActMedicalListRead             Action = "medical_list.read"
	ActStatsRead                   Action = "stats.read"
	ActAuditRead                   Action = "audit.read"
	ActStaffManage                 Action = "staff.manage"
	ActSchoolVouchersPreview       Action = "school.vouchers.preview"
	ActSchoolVouchersRedeem        Action = "school.vouchers.redeem"
	ActSchoolStatementsRead        Action = "school.statements.read"
	ActDocumentsUpload             Action = "documents.upload" // a paper document handed to the community
	ActSpotChecksDraw              Action = "spot_checks.draw" // draw a month's sample and record outcomes (抽查)
	ActSpotChecksRead              Action = "spot_checks.read"
	ActReviewMeetingsRecord        Action = "review_meetings.record" // 民主评议
	ActPaymentRollsRead            Action = "payment_rolls.read"
	ActPaymentRollsCreate          Action = "payment_rolls.create"
	ActPaymentRollsApprove         Action = "payment_rolls.approve" // a different person than the maker
	ActPaymentRollsExport          Action = "payment_rolls.export"  // the bank file: full account numbers (audited)
	ActPaymentResultsRecord        Action = "payment_results.record"
	ActFundBudgetSet               Action = "fund_budget.set"
	ActFundLedgerRead              Action = "fund_ledger.read"
	ActChecksRun                   Action = "checks.run"          // cross-department checks (核对) of a case
	ActApplicationsAssist          Action = "applications.assist" // 代办: apply for a resident (community)
	ActRelativesDeclare            Action = "relatives.declare"   // a staff member's own close relatives (audited)
	ActRelativesRead               Action = "relatives.read"      // every declaration in the subtree
	ActCalendarSet                 Action = "calendar.set"        // working-day calendar of a year (audited)
	ActDeadlinesRead               Action = "deadlines.read"      // overdue cases and deadline reminders
	ActApplicationExtend           Action = "application.extend"  // whole case 30 → 45 working days, with a reason
	// Society (issue 15): volunteers and 结对助学 profiles.
	ActVolunteerActivitiesManage Action = "volunteer_activities.manage" // post activities, log hours (audited)
	ActVolunteerActivitiesRead   Action = "volunteer_activities.read"   // activities and their sign-ups in region
	ActPairingProfilesRead       Action = "pairing_profiles.read"       // consenting children, anonymised
	ActPairingNeedWrite          Action = "pairing_profiles.need"       // the need in words of a consenting child (audited)
	ActSocietyManage             Action = "society.manage"              // register donors and donation stations (audited)
	ActDonationsRead             Action = "donations.read"              // donations and allocations in the region
	ActDonationsAllocate         Action = "donations.allocate"          // allocate donated money and goods (audited)
	ActStationDonations          Action = "station.donations"           // a station records and lists its own donations
)

// Permissions maps each action to the roles that may perform it. Region
// scope is separate: a role acts only inside its own region subtree.
var Permissions = map[Action][]Role{
	ActApplicationsRead:            {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor, RoleAdmin},
	ActApplicationsReveal:          {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDocumentsRead:               {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDocumentsReview:             {RoleCommunityWorker},
	ActDocumentsUpload:             {RoleCommunityWorker},
	ActApplicationsAssess:          {RoleCommunityWorker},
	ActApplicationAccept:           {RoleCommunityWorker},
	ActApplicationInvestig:         {RoleCommunityWorker},
	ActApplicationReturn:           {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover},
	ActApplicationPublicize:        {RoleStreetReviewer},
	ActApplicationApprove:          {RoleCountyApprover},
	ActApplicationReject:           {RoleStreetReviewer, RoleCountyApprover},
	ActApplicationRejectPublicized: {RoleCountyApprover},
	ActApplicationApproveUrgent:    {RoleStreetReviewer, RoleCountyApprover},
	ActPolicyRead:                  {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor, RoleAdmin},
	ActPolicySet:                   {RoleCountyApprover},
	ActServiceRecordsWrite:         {RoleCommunityWorker},
	ActDuplicateHitsRead:           {RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDuplicateHitsResolve:        {RoleCountyApprover},
	ActApplicationRecheck:          {RoleCommunityWorker},
	ActApplicationSuspend:          {RoleCountyApprover},
	ActApplicationResume:           {RoleCountyApprover},
	ActApplicationEnd:              {RoleCountyApprover},
	ActApplicationGradualExit:      {RoleCountyApprover},
	ActObjectionsRead:              {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActObjectionsResolve:           {RoleStreetReviewer, RoleCountyApprover},
	ActPublicationsCreate:          {RoleStreetReviewer, RoleCountyApprover},
	ActPublicationsWithdraw:        {RoleStreetReviewer, RoleCountyApprover},
	ActStandardsSet:                {RoleCountyApprover},
	ActVoucherCapsSet:              {RoleEducationOfficer},
	ActVouchersManage:              {RoleEducationOfficer},
	ActStatementsReadAll:           {RoleEducationOfficer, RoleAuditor},
	ActMedicalListRead:             {RoleCountyApprover, RoleDepartmentOfficer, RoleAuditor},
	ActStatsRead:                   {RoleStreetReviewer, RoleCountyApprover, RoleDepartmentOfficer, RoleEducationOfficer, RoleAuditor, RoleAdmin},
	ActAuditRead:                   {RoleAuditor},
	ActStaffManage:                 {RoleAdmin},
	ActSchoolVouchersPreview:       {RoleSchoolOperator},
	ActSchoolVouchersRedeem:        {RoleSchoolOperator},
	ActSchoolStatementsRead:        {RoleSchoolOperator},
	ActPaymentRollsRead:            {RoleCountyApprover, RoleFinanceOfficer, RoleAuditor},
	ActPaymentRollsCreate:          {RoleCountyApprover, RoleFinanceOfficer},
	ActPaymentRollsApprove:         {RoleFinanceOfficer},
	ActPaymentRollsExport:          {RoleFinanceOfficer},
	ActPaymentResultsRecord:        {RoleFinanceOfficer},
	ActFundBudgetSet:               {RoleCountyApprover},
	ActFundLedgerRead:              {RoleCountyApprover, RoleFinanceOfficer, RoleAuditor},
	ActCalendarSet:                 {RoleAdmin},
	ActRelativesDeclare:            {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover},
	ActApplicationsAssist:          {RoleCommunityWorker},
	ActChecksRun:                   {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover},
	ActRelativesRead:               {RoleAuditor},
	ActDeadlinesRead:               {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActApplicationExtend:           {RoleCountyApprover},
	ActSpotChecksDraw:              {RoleCountyApprover},
	ActSpotChecksRead:              {RoleCountyApprover, RoleAuditor},
	ActReviewMeetingsRecord:        {RoleCommunityWorker},
	ActVolunteerActivitiesManage:   {RoleCommunityWorker},
	ActVolunteerActivitiesRead:     {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActPairingProfilesRead:         {RoleCountyApprover, RoleEducationOfficer},
	ActPairingNeedWrite:            {RoleCommunityWorker},
	// The civil-affairs bureau (民政, the county approver's role; bound to
	// the city node it is the city bureau) registers donors and stations
	// and decides allocations.
	ActSocietyManage:     {RoleCountyApprover},
	ActDonationsRead:     {RoleCountyApprover, RoleFinanceOfficer, RoleAuditor},
	ActDonationsAllocate: {RoleCountyApprover},
	ActStationDonations:  {RoleStation},
}

// Can reports whether role may perform action.
func Can(role Role, action Action) bool {
	for _, r := range Permissions[action] {
		if r == role {
			return true
		}
	}
	return false
}

// ActionsOf lists the actions role may perform, sorted (the portal shows
// what these allow; the server checks each request again).
func ActionsOf(role Role) []Action {
	out := []Action{}
	for action, roles := range Permissions {
		if slices.Contains(roles, role) {
			out = append(out, action)
		}
	}
	slices.Sort(out)
	return out
}

// StandIns are the steps of a level that the level above may take on a
// case where a staff member declared a close relative in the household
// (the case needs a second worker at the same level or the level above):
// the street for the community's steps, the county for the street's.
var StandIns = map[Action]Role{
	ActApplicationAccept:    RoleStreetReviewer,
	ActApplicationInvestig:  RoleStreetReviewer,
	ActDocumentsReview:      RoleStreetReviewer,
	ActApplicationsAssess:   RoleStreetReviewer,
	ActApplicationPublicize: RoleCountyApprover,
}

// CanStandIn reports whether role may take action on a case with a
// declared conflict of interest (StandIns).
func CanStandIn(role Role, action Action) bool {
	r, ok := StandIns[action]
	return ok && r == role
}
