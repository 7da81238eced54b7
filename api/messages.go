package api

import (
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/jiuzhu/jiuzhu/model"
)

// messages is the one catalogue of what an error says to a person: plain
// Chinese that tells them what to do next, keyed by the stable error code
// (and, for field errors, by the field name). The renderer (writeError)
// applies it to every error body, so API clients get the same text as the
// portal. A message written in Chinese at its source is more specific than
// the catalogue's (it may carry a date or an amount) and is kept.
type messages struct {
	codes  map[string]string // error code → message
	fields map[string]string // field name (last path segment) → the field in words
}

// newMessages builds the catalogue. messages_test.go walks the code base
// and fails on any error code or field name missing from it.
func newMessages() messages {
	return messages{codes: map[string]string{
		// The kinds, for errors that carry no code of their own.
		"malformed":          "请求的格式不对，请刷新页面后重试。",
		"unauthenticated":    "请先登录，再继续操作。",
		"forbidden":          "您没有权限进行这项操作。如有疑问，请联系社区工作人员。",
		"not_found":          "没有找到要找的内容，可能已被删除或链接有误。请返回上一页重新进入。",
		"method_not_allowed": "这个地址不支持这种操作，请刷新页面后重试。",
		"conflict":           "情况已经发生了变化，请刷新页面看看最新状态后再操作。",
		"too_large":          "提交的内容太大，请减少内容或压缩文件后重试。",
		"unsupported_type":   "文件类型不支持，请上传 JPG、PNG 照片或 PDF 文件。",
		"invalid":            "填写的内容有误，请检查后重新提交。",
		"rate_limited":       "操作太频繁了，请稍等一会儿再试。",
		"unavailable":        "系统暂时忙不过来，请过几分钟再试。",
		"internal":           "系统出了点问题，请稍后再试；如果一直不行，请把页面上的请求编号告诉工作人员。",

		// Requests and sessions.
		"malformed_json":          "提交的内容格式不对，请刷新页面后重新填写提交。",
		"unsupported_media_type":  "提交的内容格式不对，请刷新页面后重新提交。",
		"body_too_large":          "提交的内容太多，请删减后重试。",
		"route_not_found":         "没有这个页面或接口，请检查地址，或回到首页重新进入。",
		"session_invalid":         "登录已过期，请重新登录。",
		"residents_only":          "这项功能只对居民开放，请用手机号登录居民端。",
		"staff_only":              "这项功能只对工作人员开放，请用工作人员账号登录。",
		"metrics_token_required":  "请提供监控访问令牌。",
		"idempotency_key_reused":  "这次提交和之前的一次重复了，请刷新页面后重新提交。",
		"idempotency_in_progress": "上一次提交还在处理中，请稍等几秒再看结果，不要重复提交。",
		"invalid_field":           "填写的内容有误，请按提示修改后重新提交。",
		"duplicate":               "这条记录已经存在，请刷新页面查看。",
		"unknown_reference":       "填写的内容指向了不存在的记录，请重新选择。",
		"audit_race":              "系统正忙，请再点一次。",

		// Resident login.
		"code_invalid":            "验证码不对或已过期，请检查后重新输入，或重新获取验证码。",
		"code_burned":             "验证码输错次数太多已失效，请重新获取验证码。",
		"login_busy":              "登录的人太多，请稍等几秒再试。",
		"wechat_disabled":         "这里暂不支持微信登录，请用手机号和短信验证码登录。",
		"wechat_state_invalid":    "微信登录已过期或不是在这个页面发起的，请回到救助通登录页重新点“微信登录”。",
		"wechat_code_invalid":     "微信授权已失效，请回到救助通登录页重新点“微信登录”。",
		"wechat_code_missing":     "没有收到微信的授权，请回到救助通登录页重新点“微信登录”。",
		"wechat_bind_expired":     "微信绑定已超时，请回到救助通登录页重新点“微信登录”，再验证手机号。",
		"wechat_not_bound":        "这个账号还没有绑定微信。",
		"wechat_unavailable":      "微信暂时连不上，请过几分钟再试，或用手机号和短信验证码登录。",
		"login_rate_limited":      "登录尝试太频繁，请稍后再试。",
		"login_throttled":         "这个账号密码错误次数太多，请稍后再试，或请管理员解锁。",
		"sms_gateway_unavailable": "短信暂时发不出去，请过几分钟再获取验证码。",

		// Household and applications.
		"household_required":     "请先填写家庭信息，再提交申请。",
		"household_locked":       "申请正在审核中，暂时不能修改家庭信息。如情况有变，请联系社区工作人员。",
		"id_number_registered":   "家庭中有人的身份证号已登记在另一个家庭里，请带上身份证到社区办理。",
		"member_in_use":          "这位成员已有教育券或其他记录，不能删除。如情况有变，请联系社区工作人员。",
		"application_open":       "您家已经有一份这个项目的申请在办理中，请在“我的申请”里查看，不用重复申请。",
		"wrong_status":           "这份申请现在的状态不能进行这项操作，请刷新页面看看最新状态。",
		"documents_missing":      "还缺少必须上传的材料，请补齐后再提交。",
		"documents_closed":       "申请已提交，不能再添加材料；如需补充，请等待工作人员退回补正。",
		"document_delete_closed": "申请已提交，正在办理中，材料不能再删除。如需更正，请联系社区工作人员。",
		"document_accepted":      "这份材料已经审核通过，不能删除。如有疑问，请联系社区工作人员。",
		"document_replaced":      "这份材料已经被新上传的材料替换，不用再删除。请刷新页面。",
		"too_many_documents":     "这份申请上传的材料已达上限，请删除不需要的再上传。",
		"file_too_large":         "文件太大，请压缩或重新拍得小一些后再上传。",
		"blob_too_large":         "文件太大，请压缩或重新拍得小一些后再上传。",
		"unsupported_file_type":  "文件类型不支持，请上传 JPG、PNG 照片或 PDF 文件。",
		"multipart_required":     "文件上传方式不对，请刷新页面后重新选择文件上传。",
		"malformed_upload":       "文件没有传完整，可能是网络不稳定，请重新上传。",
		"one_file":               "一次只能上传一个文件，请逐个上传。",
		"status_changed":         "情况已经发生了变化，请刷新页面看看最新状态后再操作。",
		"objection_resolved":     "这条异议已经处理过了，请刷新页面查看。",

		// Not found, by thing.
		"application_not_found": "没有找到这份申请，请回到“我的申请”重新进入。",
		"document_not_found":    "没有找到这份材料，可能已被删除，请刷新页面。",
		"household_not_found":   "还没有填写家庭信息，请先填写。",
		"notice_not_found":      "没有找到这条公示，可能已经结束，请刷新页面。",
		"objection_not_found":   "没有找到这条异议，请刷新页面。",
		"region_not_found":      "没有找到这个地区，请重新选择。",
		"publication_not_found": "没有找到这份公布名单，请刷新页面。",
		"voucher_not_found":     "没有找到这张教育券，请核对券码后重新输入。",
		"session_not_found":     "没有找到这个登录会话，可能已退出，请刷新页面。",
		"staff_not_found":       "没有找到这个工作人员账号，请核对后重试。",
		"role_not_found":        "没有这个角色，请重新选择。",
		"school_not_found":      "没有找到这所学校，请重新选择。",
		"grant_not_found":       "没有找到这项授权申请，可能已过期，请重新申请。",
		"spot_check_not_found":  "没有找到这条抽查记录，请刷新页面。",

		// Backends.
		"database_unavailable":      "系统暂时忙不过来，请过几分钟再试。",
		"session_store_unavailable": "登录服务暂时不可用，请过几分钟再试。",
		"blob_store_unavailable":    "材料存储暂时不可用，已选的文件请过几分钟再上传。",
		"data_disk_unavailable":     "材料存储空间暂时不可用，请过几分钟再上传。",
		"rate_limiter_unavailable":  "系统暂时忙不过来，请过几分钟再试。",

		// School vouchers.
		"invalid_voucher_code":      "券码不对，请核对教育券上的券码后重新输入（字母不区分大小写）。",
		"voucher_already_redeemed":  "这张教育券已经使用过了，不能重复核销。",
		"voucher_void":              "这张教育券已作废，不能使用。请让家长联系社区。",
		"voucher_expired":           "这张教育券已过有效学期，不能使用。请让家长联系社区。",
		"voucher_of_another_school": "这张教育券不是发给本校的，请让家长到就读学校使用。",
		"voucher_not_issued":        "只有已发放、未使用的教育券才能作废。",
		"voucher_live":              "这名学生本学期已经有一张有效的教育券了。",
		"student_not_enrolled":      "这名学生没有登记就读学校，不能发教育券。请先补全学校信息。",
		"not_a_school_operator":     "只有绑定了学校的核销员可以进行这项操作，请联系管理员。",

		// Staff workflow.
		"invalid_credentials":     "用户名或密码不对，请重新输入。",
		"totp_required":           "这个账号需要动态验证码，请输入身份验证器上的 6 位数字。",
		"invalid_totp_code":       "动态验证码不对或已用过，请等下一个验证码再输入。",
		"account_disabled":        "这个账号已停用，请联系管理员。",
		"totp_already_enabled":    "这个账号已经开启了动态验证码。",
		"totp_not_started":        "请先开始设置动态验证码。",
		"username_taken":          "这个用户名已被使用，请换一个。",
		"own_account":             "不能修改自己账号的权限，请用另一个管理员账号操作。",
		"second_admin_required":   "这项授权需要另一位管理员确认。",
		"not_permitted":           "您的岗位不能进行这项操作。",
		"wrong_level":             "这项操作不属于您这一级的职责。",
		"wrong_state":             "这份申请现在的状态不能进行这项操作，请刷新页面查看。",
		"own_work":                "您经办过这个案件，需要由另一位工作人员审批。",
		"not_in_review":           "案件不在审核阶段，不能审核材料。",
		"not_assessable":          "只有已受理或调查核实中的申请可以录入评估。",
		"assessment_missing":      "请先录入入户调查评估。",
		"documents_not_accepted":  "还有材料没有审核通过，请先审核全部必需材料。",
		"not_eligible":            "评估结果为不符合条件，不能公示或批准；可重新评估或作出不予批准的决定。",
		"document_quota_bytes":    "您上传的材料总量已达上限。请删除不需要的材料，或压缩照片后再上传。",
		"document_quota_count":    "您上传的材料份数已达上限。请删除不需要的材料后再上传。",
		"id_number_conflict":      "本户有成员的身份证号已在另一户核实登记，请核对身份证原件后处理。",
		"line_settled":            "这笔发放已有结果，不能再次登记。",
		"no_gradual_exit":         "本县（区）没有设定渐退期，不能按渐退处理。",
		"no_monthly_benefit":      "只有按月发放的救助才能渐退。",
		"own_roll":                "发放名册须由制作人以外的另一人审核。",
		"payment_roll_not_found":  "没有找到这份发放名册。",
		"roll_approved":           "发放名册已经审核，不能再改。",
		"roll_busy":               "另一份发放名册正在生成，请稍后重试。",
		"roll_exists":             "本县（区）这个项目这个月的发放名册已经生成。",
		"roll_not_approved":       "发放名册审核通过后才能导出银行文件或登记结果。",
		"calendar_missing":        "这一年的工作日历还没有设定，请系统管理员先设定节假日和调休。",
		"checks_unavailable":      "部门核对暂时无法进行，请稍后再试。",
		"duplicate_hit_not_found": "没有找到这条重复享受提示。",
		"hit_not_open":            "这条重复享受提示已经处理过了。",
		"not_extendable":          "这个案件现在不能延长办理期限。",
		"audit_sealed":            "审计记录正在封存，请稍后重试。",
		"not_a_service_case":      "只有已批准的就业援助等服务类救助才能记录服务情况。",
		"duplicate_hit":           "本案有未处理的重复享受（多头）提示，请先处理。",
		"notice_missing":          "这个案件没有公示记录，请重新公示。",
		"publicity_running":       "公示期还没有结束，请公示期满后再审批。",
		"open_objection":          "还有未处理的异议，请先处理异议。",
		"standard_missing":        "本县（区）还没有设定低保标准，请县级民政部门先设定。",
		"publication_withdrawn":   "这份名单已经撤回了。",
		"publisher_level_above":   "这份名单由上一级发布，只能由发布层级或更高层级撤回。",
		"city_education_only":     "教育券额度全市统一，由市教育部门设定。",
		"city_admin_only":         "角色设置全市统一，由市级管理员修改。",
		"csrf_check_failed":       "为了您的账户安全，这次操作没有完成。请回到救助通页面重新操作。",
		"conflict_of_interest":    "您申报的亲属在这个家庭中，需要回避，请由其他工作人员办理。",
		"donation_not_found":      "没有找到这笔捐赠，请核对后重试。",
		"over_allocated":          "这笔捐赠剩余可分配的金额或数量不够了，请刷新后按剩余数重新分配。",
		"case_not_approved":       "只有已批准的救助案件才能接受定向捐助，请选择其他案件或按项目分配。",
		"station_exists":          "这个账号已经负责一个捐赠站点了，请换一个“捐赠站点”账号。",
		"no_station":              "您的账号还没有对应的捐赠站点，请联系民政部门开设站点。",
		"trace_not_found":         "没有查到这笔捐赠。请核对收据上的收据编号和查询码后重新输入。",
		"sample_exists":           "这个月的抽查已经抽取过了，请在抽查列表中查看。",
		"spot_check_decided":      "这一抽查已记录结果，不能再改。",
		"review_meeting_not_used": "本县（区）没有采用民主评议，无需记录。",
		"consent_missing":         "还没有申请人签字的《家庭经济状况核对授权书》，请先上传授权书后再核对。",
		// Society: volunteers and 结对助学.
		"volunteer_not_found":       "您还没有登记为志愿者，请先填写志愿者登记。",
		"activity_not_found":        "没有找到这个志愿活动，可能已被取消，请刷新页面。",
		"activity_full":             "这个活动的名额已经报满了，请看看其他活动。",
		"activity_closed":           "这个活动已经开始或结束，不能再报名了。",
		"already_signed_up":         "您已经报名了这个活动，不用重复报名。",
		"activity_not_started":      "活动还没有开始，开始后才能登记服务时长。",
		"hours_logged":              "这名志愿者在这个活动的服务时长已经登记过了。",
		"signup_not_found":          "这名志愿者没有报名这个活动，请核对后再登记。",
		"child_not_found":           "没有找到这个孩子，请回到家庭信息核对。",
		"pairing_not_eligible":      "家庭的救助申请批准后，孩子才能参加结对助学。",
		"pairing_consent_exists":    "您已经同意过这个孩子参加结对助学了；如要修改，请先撤回再重新同意。",
		"pairing_consent_not_found": "没有找到这份同意书，请刷新页面。",
		"pairing_not_active":        "这份同意已经撤回了，不用再撤回。",
		"pairing_profile_not_found": "没有找到这个结对助学档案，可能监护人已撤回同意，请刷新页面。",
		"pairing_exists":            "这个孩子已经有结对的捐赠人了，请选择其他孩子。",
		"pairing_ended":             "这个结对已经结束（监护人撤回了同意），不能再捐助或通信。",
		"pairing_not_found":         "没有查到这个结对。请核对结对编号和查询码后重新输入。",
		"letters_closed":            "这个结对现在不能通信：需要监护人和捐赠人都同意通信，且民政部门没有停止通信。",
		"letters_stopped":           "这个结对的通信已经停止了，不用再停止。",
		"consent_revoked":           "这份同意已经撤回，不能再修改通信设置；如要重新参加，请重新同意。",
	}, fields: map[string]string{
		"staff_username":      "站点工作人员账号",
		"description":         "说明",
		"quantity":            "数量",
		"unit":                "计量单位",
		"estimated_value":     "估价",
		"note":                "备注",
		"donor_id":            "捐赠方",
		"donation_id":         "捐款",
		"profile_id":          "结对助学档案",
		"effective_from":      "生效月份",
		"gradual_exit_months": "渐退期月数",
		"spot_check_permille": "抽查比例",
		"attendees":           "参会人数",
		"held_on":             "评议日期",
		"outcome":             "抽查结果",
		"line_id":             "发放明细",
		"results":             "发放结果",
		"checkpoint":          "审计检查点",
		"without_reason":      "是否无正当理由",
		"prefix":              "存储前缀",
		"phone":               "手机号", "code": "验证码", "id_number": "身份证号", "name": "姓名", "relation": "与申请人关系",
		"monthly_income": "月收入", "work_ability": "劳动能力", "disability_level": "残疾等级", "incomes": "收入",
		"kind": "类别", "monthly_amount": "月金额", "school": "就读学校", "school_id": "学校", "stage": "学段",
		"grade": "年级", "members": "家庭成员", "region_code": "所在社区", "address": "家庭住址", "hukou": "户口类型",
		"id": "成员", "program": "救助项目", "reason": "原因", "file": "文件", "content": "内容", "contact": "联系方式",
		"bank_account": "银行账户", "bank": "开户银行", "account_number": "银行账号",
		"Idempotency-Key": "提交编号", "cursor": "翻页位置", "limit": "每页条数", "year": "年份", "term": "学期",
		"items": "项目", "period": "期间", "status": "状态", "action": "操作", "decision": "审核结果",
		"amount": "金额", "amount_reason": "金额说明", "per_capita_income": "人均收入", "income_reason": "收入说明",
		"home_visit": "入户调查", "date": "日期", "care_level": "护理等级", "support_mode": "供养方式",
		"mode": "保障方式", "bills_total": "医疗费用总额", "insurance_paid": "医保报销金额", "upheld": "是否成立",
		"username": "用户名", "password": "密码", "new_password": "新密码", "role": "角色", "display_name": "显示名称",
		"up_to": "截止时间", "key": "文件编号", "body": "上传内容", "sha256": "文件校验值", "figures": "政策参数",
		"disregarded_incomes": "不计入的收入", "care_amounts": "护理补贴标准", "temporary_max_months": "临时救助倍数上限",
		"tekun_basic_permille": "特困基本生活标准比例", "elderly_age": "老年人年龄", "totp_code": "动态验证码",
		"resolution": "处理结果", "relatives": "亲属", "holidays": "节假日", "workdays": "调休工作日",
		"skills": "特长", "availability": "空闲时间", "title": "活动名称", "place": "集合地点",
		"ends_at": "结束时间", "slots": "名额", "hours": "服务时长", "need": "需要的帮助", "member_id": "孩子",
	}}
}

// localize returns the error's message and field reasons as a person
// reads them. The error's Subject is shown as it is: by model.Error's
// contract it is the caller's own input (a member's name the resident
// typed), never data of someone else.
func (m messages) localize(e *model.Error) (string, map[string]string) {
	code := e.Code
	if code == "" {
		code = string(e.Kind)
	}
	msg := e.Message
	if !hasHan(msg) {
		msg = m.codes[code]
		if msg == "" {
			msg = m.codes[string(e.Kind)]
		}
	}
	if len(e.Fields) == 0 {
		return msg, nil
	}
	fields := make(map[string]string, len(e.Fields))
	var first string
	for _, name := range sortedKeys(e.Fields) {
		why := e.Fields[name]
		if !hasHan(why) {
			why = "请检查后重新填写"
		}
		if words := m.fieldWords(name, e.Subject); words != "" {
			why = words + "：" + why
		}
		fields[name] = why
		if first == "" {
			first = fields[name]
		}
	}
	if e.Kind == model.KindInvalid && len(fields) == 1 {
		// One field: the message names it, so a client showing only the
		// message still tells the person what to fix.
		msg = first + "。"
	}
	return msg, fields
}

// fieldWords names a field path such as members[1].incomes[0].kind in
// words: 成员 2（李建国）的第 1 项收入的类别. It is empty when a part of the
// path has no words (a document kind such as hukou_book: the reason then
// names the document itself).
func (m messages) fieldWords(path, subject string) string {
	var parts []string
	for _, seg := range strings.Split(path, ".") {
		name, idx := seg, -1
		if open := strings.IndexByte(seg, '['); open > 0 && strings.HasSuffix(seg, "]") {
			if n, err := strconv.Atoi(seg[open+1 : len(seg)-1]); err == nil {
				name, idx = seg[:open], n
			}
		}
		switch {
		case name == "members" && idx >= 0:
			w := "成员 " + strconv.Itoa(idx+1)
			if subject != "" {
				w += "（" + subject + "）"
			}
			parts = append(parts, w)
		case idx >= 0:
			l, ok := m.fields[name]
			if !ok {
				return ""
			}
			parts = append(parts, "第 "+strconv.Itoa(idx+1)+" 项"+l)
		default:
			l, ok := m.fields[name]
			if !ok {
				return ""
			}
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, "的")
}

// hasHan reports whether s holds a Chinese character.
func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// sortedKeys returns the keys of f in order, so the first field named
// in a message is stable.
func sortedKeys(f map[string]string) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
