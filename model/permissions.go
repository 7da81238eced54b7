package model

// Staff actions. Every staff endpoint names the one action it performs, and
// Permissions is the only place that says which role may perform it.
const (
	ActApplicationsRead            = "applications.read"             // queue and masked detail
	ActApplicationsReveal          = "applications.reveal"           // full personal data (audited)
	ActDocumentsRead               = "documents.read"                // document content (audited)
	ActDocumentsReview             = "documents.review"              // accept/reject a document
	ActApplicationsAssess          = "applications.assess"           // income, amount, home visit
	ActApplicationAccept           = "application.accept"            // submitted → accepted
	ActApplicationInvestig         = "application.investigate"       // accepted → investigating
	ActApplicationReturn           = "application.return"            // → returned
	ActApplicationPublicize        = "application.publicize"         // investigating → publicizing
	ActApplicationApprove          = "application.approve"           // publicizing → approved
	ActApplicationReject           = "application.reject"            // → rejected
	ActApplicationRejectPublicized = "application.reject_publicized" // publicizing → rejected (county only)
	ActApplicationApproveUrgent    = "application.approve_urgent"    // investigating → approved, 急难型 without 公示
	ActPolicyRead                  = "policy.read"                   // policy figures of a county
	ActPolicySet                   = "policy.set"                    // policy figures of a county (audited)
	ActDuplicateHitsRead           = "duplicate_hits.read"
	ActDuplicateHitsResolve        = "duplicate_hits.resolve" // override or corrected, with a reason (audited)
	ActApplicationRecheck          = "application.recheck"    // 复核: approved stays approved
	ActApplicationSuspend          = "application.suspend"    // approved → suspended
	ActApplicationResume           = "application.resume"     // suspended → approved
	ActApplicationEnd              = "application.end"        // approved or suspended → ended
	ActObjectionsRead              = "objections.read"
	ActObjectionsResolve           = "objections.resolve"
	ActPublicationsCreate          = "publications.create"
	ActPublicationsWithdraw        = "publications.withdraw"
	ActStandardsSet                = "standards.set"
	ActVoucherCapsSet              = "voucher_caps.set"
	ActVouchersManage              = "vouchers.manage" // void, reissue, list in region
	ActStatementsReadAll           = "statements.read_all"
	ActMedicalListRead             = "medical_list.read"
	ActStatsRead                   = "stats.read"
	ActAuditRead                   = "audit.read"
	ActStaffManage                 = "staff.manage"
	ActSchoolVouchersPreview       = "school.vouchers.preview"
	ActSchoolVouchersRedeem        = "school.vouchers.redeem"
	ActSchoolStatementsRead        = "school.statements.read"
	ActChecksRun                   = "checks.run"          // cross-department checks (核对) of a case
	ActApplicationsAssist          = "applications.assist" // 代办: apply for a resident (community)
	ActRelativesDeclare            = "relatives.declare"   // a staff member's own close relatives (audited)
	ActRelativesRead               = "relatives.read"      // every declaration in the subtree
	ActCalendarSet                 = "calendar.set"        // working-day calendar of a year (audited)
	ActDeadlinesRead               = "deadlines.read"      // overdue cases and deadline reminders
	ActApplicationExtend           = "application.extend"  // whole case 30 → 45 working days, with a reason
)

// Permissions maps each action to the roles that may perform it. Region
// scope is separate: a role acts only inside its own region subtree.
var Permissions = map[string][]string{
	ActApplicationsRead:            {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor, RoleAdmin},
	ActApplicationsReveal:          {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDocumentsRead:               {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDocumentsReview:             {RoleCommunityWorker},
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
	ActDuplicateHitsRead:           {RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActDuplicateHitsResolve:        {RoleCountyApprover},
	ActApplicationRecheck:          {RoleCommunityWorker},
	ActApplicationSuspend:          {RoleCountyApprover},
	ActApplicationResume:           {RoleCountyApprover},
	ActApplicationEnd:              {RoleCountyApprover},
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
	ActCalendarSet:                 {RoleAdmin},
	ActRelativesDeclare:            {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover},
	ActApplicationsAssist:          {RoleCommunityWorker},
	ActChecksRun:                   {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover},
	ActRelativesRead:               {RoleAuditor},
	ActDeadlinesRead:               {RoleCommunityWorker, RoleStreetReviewer, RoleCountyApprover, RoleAuditor},
	ActApplicationExtend:           {RoleCountyApprover},
}

// Can reports whether role may perform action.
func Can(role, action string) bool {
	for _, r := range Permissions[action] {
		if r == role {
			return true
		}
	}
	return false
}
