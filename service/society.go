package service

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
)

// Society is society's part of assistance (issue 15): the civil-affairs
// bureau registers donors and donation stations and allocates what was
// given; a station records the donations it receives and prints receipts;
// a donor traces a receipt to where it went; the public reads the totals.
// Nothing a donor or the public reads names a recipient.
type Society struct {
	d     SocietyDeps
	audit *Audit
}

// NewSociety builds the society service.
func NewSociety(d SocietyDeps, audit *Audit) *Society { return &Society{d: d, audit: audit} }

// Trace lookups: how many failures an address or a receipt may have in
// the window before further lookups are refused until it ends.
const (
	traceFailWindow     = time.Hour
	traceFailsPerIP     = 10
	traceFailsPerNumber = 5
	// largestDonors is how many named donors the public page lists.
	largestDonors = 10
)

// traceDomain keys the hash of trace codes; phoneDomain the donors' phone
// blind index.
const (
	traceDomain = "donation-trace"
	donorPhone  = "donor-phone"
)

// ---- Donors (bureau).

// DonorInput registers a donor.
type DonorInput struct {
	Kind       model.DonorKind `json:"kind"`
	Name       string          `json:"name"`
	Phone      string          `json:"phone"`
	MayBeNamed bool            `json:"may_be_named"`
	RegionCode string          `json:"region_code"`
}

// DonorView is a donor as staff and stations see it: an organisation's
// name in full, a person's masked, the phone masked.
type DonorView struct {
	ID          string          `json:"id"`
	Kind        model.DonorKind `json:"kind"`
	KindName    string          `json:"kind_name"`
	Name        string          `json:"name"`
	PhoneMasked string          `json:"phone_masked"`
	MayBeNamed  bool            `json:"may_be_named"`
	RegionCode  string          `json:"region_code"`
	CreatedAt   time.Time       `json:"created_at"`
}

func donorView(d model.Donor) DonorView {
	return DonorView{ID: d.ID, Kind: d.Kind, KindName: model.DonorKinds[d.Kind], Name: d.NameMasked, PhoneMasked: d.PhoneMasked,
		MayBeNamed: d.MayBeNamed, RegionCode: d.RegionCode, CreatedAt: d.CreatedAt}
}

// RegisterDonor registers an organisation or a person as a donor in the
// caller's region (or a region under it); audited. A person's name and
// every phone are sealed. Bad values are model.KindInvalid; a region
// outside the caller's model.KindNotFound.
func (s *Society) RegisterDonor(ctx context.Context, in DonorInput) (DonorView, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return DonorView{}, err
	}
	if _, ok := model.DonorKinds[in.Kind]; !ok {
		return DonorView{}, model.Invalid("kind", "请选择捐赠方类型：慈善总会、红十字会、工会、企业或个人")
	}
	name := strings.TrimSpace(in.Name)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return DonorView{}, model.Invalid("name", "请填写捐赠方名称（不超过 100 个字）")
	}
	phone, err := model.NormalizePhone(in.Phone)
	if err != nil {
		return DonorView{}, model.Invalid("phone", "请填写 11 位手机号码")
	}
	region, err := s.regionIn(ctx, pr, in.RegionCode)
	if err != nil {
		return DonorView{}, err
	}
	d := model.Donor{ID: s.d.IDs.New(), Kind: in.Kind, PhoneIndex: s.d.Keys.BlindIndex(donorPhone, phone), PhoneMasked: model.MaskPhone(phone),
		MayBeNamed: in.MayBeNamed, RegionCode: region, CreatedBy: pr.ID, CreatedAt: s.d.Clock.Now()}
	if d.PhoneSealed, err = s.d.Keys.Seal(phone); err != nil {
		return DonorView{}, err
	}
	if in.Kind == model.DonorIndividual {
		sealed, err := s.d.Keys.Seal(name)
		if err != nil {
			return DonorView{}, err
		}
		d.NameSealed, d.NameMasked = &sealed, model.MaskName(name)
	} else {
		d.NamePublic, d.NameMasked = &name, name
	}
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.DB.CreateDonor(ctx, &d); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: "donor.register", TargetType: "donor", TargetID: d.ID, RegionCode: d.RegionCode,
			Detail: "kind=" + string(d.Kind) + " may_be_named=" + strconv.FormatBool(d.MayBeNamed)})
	})
	return donorView(d), err
}

// Donors lists the donors registered in the caller's region.
func (s *Society) Donors(ctx context.Context, req model.PageRequest) (model.Page[DonorView], error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return model.Page[DonorView]{}, err
	}
	rows, err := s.d.DB.DonorsInRegion(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[DonorView]{}, err
	}
	return viewPage(rows, req, func(d model.Donor) string { return d.ID }, donorView), nil
}

// viewPage pages rows and turns each into its view.
func viewPage[T, V any](rows []T, req model.PageRequest, idOf func(T) string, view func(T) V) model.Page[V] {
	p := model.NewPage(rows, req, idOf)
	out := model.Page[V]{Items: make([]V, 0, len(p.Items)), NextCursor: p.NextCursor}
	for _, r := range p.Items {
		out.Items = append(out.Items, view(r))
	}
	return out
}

// regionIn is code (the caller's own region when empty) after checking it
// exists and lies in the caller's subtree (model.KindNotFound otherwise).
func (s *Society) regionIn(ctx context.Context, pr model.Principal, code string) (string, error) {
	if code == "" {
		return pr.RegionCode, nil
	}
	if !model.InRegion(pr.RegionCode, code) {
		return "", model.NotFound("region")
	}
	if _, err := s.d.DB.Region(ctx, code); err != nil {
		return "", notFoundAs(err, "region")
	}
	return code, nil
}

// ---- Stations (bureau).

// StationInput opens a donation station run by a station account.
type StationInput struct {
	Name          string `json:"name"`
	Address       string `json:"address"`
	StaffUsername string `json:"staff_username"`
}

// CreateStation opens a donation station at the region of the station
// account named (role station, in the caller's region) that runs it;
// audited. An account of another role is model.KindInvalid, one that runs a
// station already model.KindConflict station_exists, one outside the
// caller's region (or none) model.KindNotFound.
func (s *Society) CreateStation(ctx context.Context, in StationInput) (model.DonationStation, error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return model.DonationStation{}, err
	}
	name, address := strings.TrimSpace(in.Name), strings.TrimSpace(in.Address)
	if name == "" || utf8.RuneCountInString(name) > 100 {
		return model.DonationStation{}, model.Invalid("name", "请填写站点名称（不超过 100 个字）")
	}
	if utf8.RuneCountInString(address) > 200 {
		return model.DonationStation{}, model.Invalid("address", "地址不能超过 200 个字")
	}
	acct, err := s.d.DB.StaffByUsername(ctx, strings.ToLower(strings.TrimSpace(in.StaffUsername)))
	if err != nil || !model.InRegion(pr.RegionCode, acct.RegionCode) {
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return model.DonationStation{}, err
		}
		return model.DonationStation{}, model.NotFound("staff")
	}
	if acct.Role != model.RoleStation {
		return model.DonationStation{}, model.Invalid("staff_username", "请填写一个“捐赠站点”角色的工作人员账号")
	}
	st := model.DonationStation{ID: s.d.IDs.New(), Name: name, RegionCode: acct.RegionCode, Address: address, StaffID: acct.ID,
		CreatedBy: pr.ID, CreatedAt: s.d.Clock.Now()}
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if _, err := s.d.DB.StationOfStaff(ctx, acct.ID); err == nil {
			return model.Conflict("station_exists", "this account already runs a station")
		} else if !errors.Is(err, model.ErrNotFound) {
			return err
		}
		if err := s.d.DB.CreateStation(ctx, &st); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("station_exists", "this account already runs a station")
			}
			return err
		}
		return s.audit.Record(ctx, Event{Action: "station.create", TargetType: "donation_station", TargetID: st.ID, RegionCode: st.RegionCode,
			Detail: "staff=" + acct.ID})
	})
	return st, err
}

// Stations lists the donation stations in the caller's region.
func (s *Society) Stations(ctx context.Context, req model.PageRequest) (model.Page[model.DonationStation], error) {
	pr, err := staffIn(ctx, model.ActSocietyManage)
	if err != nil {
		return model.Page[model.DonationStation]{}, err
	}
	rows, err := s.d.DB.StationsInRegion(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[model.DonationStation]{}, err
	}
	return model.NewPage(rows, req, func(st model.DonationStation) string { return st.ID }), nil
}

// ---- Station.

// myStation is the station the caller runs; an account that runs none gets
// model.KindForbidden no_station.
func (s *Society) myStation(ctx context.Context) (model.DonationStation, error) {
	pr, err := staffIn(ctx, model.ActStationDonations)
	if err != nil {
		return model.DonationStation{}, err
	}
	st, err := s.d.DB.StationOfStaff(ctx, pr.ID)
	if errors.Is(err, model.ErrNotFound) {
		return st, model.Forbidden("no_station", "this account runs no donation station")
	}
	return st, err
}

// MyStation returns the station the caller runs.
func (s *Society) MyStation(ctx context.Context) (model.DonationStation, error) {
	return s.myStation(ctx)
}

// FindDonors returns the donors registered with a phone number, masked
// (a station finds who is giving).
func (s *Society) FindDonors(ctx context.Context, phone string) ([]DonorView, error) {
	if _, err := s.myStation(ctx); err != nil {
		return nil, err
	}
	p, err := model.NormalizePhone(phone)
	if err != nil {
		return nil, model.Invalid("phone", "请填写 11 位手机号码")
	}
	rows, err := s.d.DB.DonorsByPhone(ctx, s.d.Keys.BlindIndex(donorPhone, p))
	if err != nil {
		return nil, err
	}
	out := make([]DonorView, 0, len(rows))
	for _, d := range rows {
		out = append(out, donorView(d))
	}
	return out, nil
}

// DonationInput records a donation: money (amount in fen) or goods
// (description, quantity, unit, estimated value in fen). No donor is an
// anonymous gift.
type DonationInput struct {
	DonorID        string `json:"donor_id"`
	Kind           string `json:"kind"`
	Amount         int64  `json:"amount"`
	Description    string `json:"description"`
	Quantity       int64  `json:"quantity"`
	Unit           string `json:"unit"`
	EstimatedValue int64  `json:"estimated_value"`
	Note           string `json:"note"`
}

// maxDonation bounds one donation's value (10 亿元 in fen).
const maxDonation = 100_000_000_000

// validate checks the input and fills the donation's amounts.
func (in DonationInput) validate(d *model.Donation) error {
	switch in.Kind {
	case model.DonationMoney:
		if in.Amount <= 0 || in.Amount > maxDonation {
			return model.Invalid("amount", "请填写捐赠金额（单位：分，大于 0）")
		}
		if in.Quantity != 0 || in.Description != "" || in.EstimatedValue != 0 {
			return model.Invalid("kind", "捐款不填物品名称、数量和估价")
		}
		d.Amount, d.Value = in.Amount, in.Amount
	case model.DonationGoods:
		desc, unit := strings.TrimSpace(in.Description), strings.TrimSpace(in.Unit)
		if desc == "" || utf8.RuneCountInString(desc) > 200 {
			return model.Invalid("description", "请填写物品名称和规格（不超过 200 个字）")
		}
		if in.Quantity <= 0 || in.Quantity > 10_000_000 {
			return model.Invalid("quantity", "请填写物品数量（大于 0 的整数）")
		}
		if unit == "" || utf8.RuneCountInString(unit) > 8 {
			return model.Invalid("unit", "请填写计量单位，如 袋、件、箱")
		}
		if in.EstimatedValue < 0 || in.EstimatedValue > maxDonation {
			return model.Invalid("estimated_value", "请填写估价（单位：分，不小于 0）")
		}
		if in.Amount != 0 {
			return model.Invalid("amount", "捐物不填捐赠金额，请填估价")
		}
		d.Description, d.Quantity, d.Unit, d.EstimatedValue, d.Value = desc, in.Quantity, unit, in.EstimatedValue, in.EstimatedValue
	default:
		return model.Invalid("kind", "请选择捐款（money）或捐物（goods）")
	}
	return checkText("note", in.Note, false)
}

// DonationReceipt is a donation recorded at a station, with what its
// printed receipt shows: the station, the donor's name (a person's masked)
// and the trace code the donor uses on the trace page.
type DonationReceipt struct {
	model.Donation
	StationName string `json:"station_name"`
	RegionName  string `json:"region_name"`
	DonorName   string `json:"donor_name"`
	TraceCode   string `json:"trace_code"`
}

// RecordDonation records a donation received at the caller's station and
// gives it the next receipt number and a fresh trace code; audited. An
// unknown donor is model.KindInvalid; bad amounts model.KindInvalid.
func (s *Society) RecordDonation(ctx context.Context, in DonationInput) (DonationReceipt, error) {
	st, err := s.myStation(ctx)
	if err != nil {
		return DonationReceipt{}, err
	}
	pr, _ := model.PrincipalFrom(ctx)
	now := s.d.Clock.Now()
	d := model.Donation{ID: s.d.IDs.New(), StationID: st.ID, RegionCode: st.RegionCode, Kind: in.Kind, Note: in.Note,
		Period: model.MonthOf(now), ReceivedAt: now, RecordedBy: pr.ID}
	if err := in.validate(&d); err != nil {
		return DonationReceipt{}, err
	}
	donorName := "匿名"
	if in.DonorID != "" {
		donor, err := s.d.DB.Donor(ctx, in.DonorID)
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return DonationReceipt{}, model.Invalid("donor_id", "没有这个捐赠方，请先查找或请民政部门登记")
			}
			return DonationReceipt{}, err
		}
		d.DonorID, donorName = &donor.ID, donor.NameMasked
	}
	code, err := model.NewTraceCode(s.d.Random)
	if err != nil {
		return DonationReceipt{}, err
	}
	d.TraceHash = s.d.Keys.TokenHash(traceDomain, code)
	if d.TraceSealed, err = s.d.Keys.Seal(code); err != nil {
		return DonationReceipt{}, err
	}
	// The number is taken before the transaction (one autocommitted
	// statement); a failed create leaves a gap, never a repeat.
	county, year := st.RegionCode[:6], now.In(chinaZone).Format("2006")
	n, err := s.d.DB.AllocateNumber(ctx, "donation:"+county+":"+year)
	if err != nil {
		return DonationReceipt{}, err
	}
	d.ReceiptNumber = fmt.Sprintf("JZ%s-%s-%06d", county, year, n)
	err = s.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := s.d.DB.CreateDonation(ctx, &d); err != nil {
			return err
		}
		return s.audit.Record(ctx, Event{Action: "donation.record", TargetType: "donation", TargetID: d.ID, RegionCode: d.RegionCode,
			Detail: "receipt=" + d.ReceiptNumber + " kind=" + d.Kind + " value=" + strconv.FormatInt(d.Value, 10)})
	})
	if err != nil {
		return DonationReceipt{}, err
	}
	return DonationReceipt{Donation: d, StationName: st.Name, RegionName: s.regionName(ctx, st.RegionCode), DonorName: donorName, TraceCode: code}, nil
}

// StationDonations lists the caller's station's donations, newest first.
func (s *Society) StationDonations(ctx context.Context, req model.PageRequest) (model.Page[model.Donation], error) {
	st, err := s.myStation(ctx)
	if err != nil {
		return model.Page[model.Donation]{}, err
	}
	rows, err := s.d.DB.DonationsOfStation(ctx, st.ID, req)
	if err != nil {
		return model.Page[model.Donation]{}, err
	}
	return model.NewPage(rows, req, func(d model.Donation) string { return d.ID }), nil
}

// Receipt is what the printed receipt of one of the caller's station's
// donations shows (another station's is model.KindNotFound).
func (s *Society) Receipt(ctx context.Context, id string) (DonationReceipt, error) {
	st, err := s.myStation(ctx)
	if err != nil {
		return DonationReceipt{}, err
	}
	d, err := s.d.DB.DonationOfStation(ctx, id, st.ID)
	if err != nil {
		return DonationReceipt{}, notFoundAs(err, "donation")
	}
	code, err := s.d.Keys.Open(d.TraceSealed)
	if err != nil {
		return DonationReceipt{}, err
	}
	name := "匿名"
	if d.DonorID != nil {
		donor, err := s.d.DB.Donor(ctx, *d.DonorID)
		if err != nil {
			return DonationReceipt{}, err
		}
		name = donor.NameMasked
	}
	return DonationReceipt{Donation: d, StationName: st.Name, RegionName: s.regionName(ctx, st.RegionCode), DonorName: name, TraceCode: code}, nil
}

// regionName is a region's name ("" when unknown).
func (s *Society) regionName(ctx context.Context, code string) string {
	r, err := s.d.DB.Region(ctx, code)
	if err != nil {
		return ""
	}
	return r.Name
}

// ---- Donations and allocations (bureau).

// DonationView is a donation with its allocations, as the bureau sees it.
type DonationView struct {
	model.Donation
	Unallocated int64                      `json:"unallocated"`
	Allocations []model.DonationAllocation `json:"allocations"`
}

// Donations lists the donations received in the caller's region.
func (s *Society) Donations(ctx context.Context, req model.PageRequest) (model.Page[model.Donation], error) {
	pr, err := staffIn(ctx, model.ActDonationsRead)
	if err != nil {
		return model.Page[model.Donation]{}, err
	}
	rows, err := s.d.DB.DonationsInRegion(ctx, scopeOf(pr), req)
	if err != nil {
		return model.Page[model.Donation]{}, err
	}
	return model.NewPage(rows, req, func(d model.Donation) string { return d.ID }), nil
}

// Donation returns a donation received in the caller's region with its
// allocations (model.KindNotFound otherwise).
func (s *Society) Donation(ctx context.Context, id string) (DonationView, error) {
	pr, err := staffIn(ctx, model.ActDonationsRead)
	if err != nil {
		return DonationView{}, err
	}
	return s.donationView(ctx, id, scopeOf(pr))
}

func (s *Society) donationView(ctx context.Context, id, scope string) (DonationView, error) {
	d, err := s.d.DB.DonationInRegion(ctx, id, scope, false)
	if err != nil {
		return DonationView{}, notFoundAs(err, "donation")
	}
	allocs, err := s.d.DB.AllocationsOf(ctx, d.ID)
	if err != nil {
		return DonationView{}, err
	}
	if allocs == nil {
		allocs = []model.DonationAllocation{}
	}
	return DonationView{Donation: d, Unallocated: d.Value - d.Allocated, Allocations: allocs}, nil
}

// AllocationInput allocates (part of) a donation: to a program in a region
// (a county or below), or to one approved case (its program and region).
// Money takes Amount (fen), goods Quantity.
type AllocationInput struct {
	Program       model.ProgramCode `json:"program"`
	RegionCode    string            `json:"region_code"`
	ApplicationID string            `json:"application_id"`
	Amount        int64             `json:"amount"`
	Quantity      int64             `json:"quantity"`
	Note          string            `json:"note"`
}

// Allocate decides the use of (part of) a donation received in the
// caller's region; audited. The donation's row is locked and moved by a
// conditional update, so concurrent allocations never give out more than
// was received: what is left is model.KindConflict over_allocated. A
// case that is not approved is model.KindConflict case_not_approved; a
// donation, case or region outside the caller's model.KindNotFound; bad
// values model.KindInvalid.
func (s *Society) Allocate(ctx context.Context, id string, in AllocationInput) (DonationView, error) {
	pr, err := staffIn(ctx, model.ActDonationsAllocate)
	if err != nil {
		return DonationView{}, err
	}
	if err := checkText("note", in.Note, false); err != nil {
		return DonationView{}, err
	}
	a := model.DonationAllocation{ID: s.d.IDs.New(), DonationID: id, Program: in.Program, Note: in.Note,
		Period: model.MonthOf(s.d.Clock.Now()), DecidedBy: pr.ID, CreatedAt: s.d.Clock.Now()}
	if in.ApplicationID != "" {
		app, err := s.d.DB.ApplicationInRegion(ctx, in.ApplicationID, scopeOf(pr))
		if err != nil {
			return DonationView{}, notFoundAs(err, "application")
		}
		if app.Status != model.StatusApproved {
			return DonationView{}, model.Conflict("case_not_approved", "only an approved case can receive donations")
		}
		if in.Program != "" && in.Program != app.Program {
			return DonationView{}, model.Invalid("program", "定向捐助的项目与该案件的救助项目不一致")
		}
		if in.RegionCode != "" && in.RegionCode != app.RegionCode {
			return DonationView{}, model.Invalid("region_code", "定向捐助不填地区，地区取该案件所在社区")
		}
		a.Program, a.RegionCode, a.ApplicationID = app.Program, app.RegionCode, &app.ID
	} else {
		if _, ok := model.ProgramOf(in.Program); !ok {
			return DonationView{}, model.Invalid("program", "请选择救助项目")
		}
		if len(in.RegionCode) < 6 {
			return DonationView{}, model.Invalid("region_code", "请填写县（区）或以下的地区代码")
		}
		if a.RegionCode, err = s.regionIn(ctx, pr, in.RegionCode); err != nil {
			return DonationView{}, err
		}
	}
	a.CountyCode = a.RegionCode[:6]
	if err := s.commitAllocation(ctx, scopeOf(pr), &a, in, nil); err != nil {
		return DonationView{}, err
	}
	return s.donationView(ctx, id, scopeOf(pr))
}

// commitAllocation locks the donation (in scope), fills the allocation's
// amount or quantity from in, runs check (when given) on the locked
// donation, stores the allocation by the conditional update and audits
// it, in one transaction.
func (s *Society) commitAllocation(ctx context.Context, scope string, a *model.DonationAllocation, in AllocationInput,
	check func(ctx context.Context, d model.Donation) error) error {
	id := a.DonationID
	return s.d.DB.InTx(ctx, func(ctx context.Context) error {
		d, err := s.d.DB.DonationInRegion(ctx, id, scope, true)
		if err != nil {
			return notFoundAs(err, "donation")
		}
		if check != nil {
			if err := check(ctx, d); err != nil {
				return err
			}
		}
		a.Kind = d.Kind
		switch d.Kind {
		case model.DonationMoney:
			if in.Quantity != 0 {
				return model.Invalid("quantity", "捐款按金额分配，不填数量")
			}
			if in.Amount <= 0 {
				return model.Invalid("amount", "请填写分配金额（单位：分，大于 0）")
			}
			a.Amount = in.Amount
		default:
			if in.Amount != 0 {
				return model.Invalid("amount", "捐物按数量分配，不填金额")
			}
			if in.Quantity <= 0 {
				return model.Invalid("quantity", "请填写分配数量（大于 0 的整数）")
			}
			a.Quantity = in.Quantity
			if d.AllocatedQuantity+in.Quantity <= d.Quantity {
				a.Amount = model.GoodsShare(d.EstimatedValue, d.Quantity, d.AllocatedQuantity, in.Quantity)
			}
		}
		if d.Allocated+a.Amount > d.Value || d.AllocatedQuantity+a.Quantity > d.Quantity {
			return model.Conflict("over_allocated", "only %d fen (%d items) of this donation are left to allocate",
				d.Value-d.Allocated, d.Quantity-d.AllocatedQuantity)
		}
		if err := s.d.DB.AddAllocation(ctx, a, d.Allocated, d.AllocatedQuantity); err != nil {
			return err
		}
		detail := "program=" + string(a.Program) + " region=" + a.RegionCode + " amount=" + strconv.FormatInt(a.Amount, 10) +
			" quantity=" + strconv.FormatInt(a.Quantity, 10)
		if a.ApplicationID != nil {
			detail += " application=" + *a.ApplicationID
		}
		if a.PairingID != nil {
			detail += " pairing=" + *a.PairingID
		}
		return s.audit.Record(ctx, Event{Action: "donation.allocate", TargetType: "donation", TargetID: d.ID, RegionCode: a.RegionCode, Detail: detail})
	})
}

// ---- The donor's trace (public).

// TraceInput is what the donor types from the receipt.
type TraceInput struct {
	ReceiptNumber string `json:"receipt_number"`
	TraceCode     string `json:"trace_code"`
}

// Distribution is one use of a donation in words, without any recipient:
// a program, a region (a named case shows only its county) and a month.
type Distribution struct {
	Program     model.ProgramCode `json:"program"`
	ProgramName string            `json:"program_name"`
	RegionName  string            `json:"region_name"`
	Period      string            `json:"period"`
	Amount      int64             `json:"amount"`
	Quantity    int64             `json:"quantity"`
	Text        string            `json:"text"`
}

// TraceView is a donation as its donor traces it.
type TraceView struct {
	ReceiptNumber string         `json:"receipt_number"`
	Kind          string         `json:"kind"`
	Value         int64          `json:"value"`
	Description   string         `json:"description"`
	Quantity      int64          `json:"quantity"`
	Unit          string         `json:"unit"`
	StationName   string         `json:"station_name"`
	ReceivedOn    string         `json:"received_on"`
	Allocated     int64          `json:"allocated"`
	Unallocated   int64          `json:"unallocated"`
	Distributions []Distribution `json:"distributions"`
	Summary       string         `json:"summary"`
}

// errTraceMismatch is what a donor sees for a receipt number and code that
// do not match (the same whether the number exists or not).
var errTraceMismatch = model.NewError(model.KindNotFound, "trace_not_found", "no donation matches this receipt number and trace code")

// Trace shows a donor where a donation went, from the receipt number and
// the trace code printed on the receipt (compared in constant time). A
// wrong pair is model.KindNotFound trace_not_found and counts against the
// address and the receipt number: past traceFailsPerIP (or
// traceFailsPerNumber) failures in traceFailWindow further lookups are
// model.KindRateLimited until the window ends.
func (s *Society) Trace(ctx context.Context, in TraceInput, clientIP string) (TraceView, error) {
	number := strings.ToUpper(strings.TrimSpace(in.ReceiptNumber))
	blocks, err := s.codeBlocks(ctx, "donations:trace", number, clientIP)
	if err != nil {
		return TraceView{}, err
	}
	d, err := s.d.DB.DonationByReceipt(ctx, number)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return TraceView{}, err
	}
	if !s.codeMatches(ctx, traceDomain, in.TraceCode, d.TraceHash, blocks) {
		return TraceView{}, errTraceMismatch
	}
	return s.traceView(ctx, d)
}

// codeBlocks are the block keys of a donor's number + code lookups under
// prefix (per address and per number); a block in force is
// model.KindRateLimited until its window ends.
func (s *Society) codeBlocks(ctx context.Context, prefix, number, clientIP string) ([]string, error) {
	blocks := []string{prefix + ":block:ip:" + clientIP, prefix + ":block:no:" + number}
	for _, k := range blocks {
		if until, err := s.d.KV.Get(ctx, k); err == nil {
			return nil, model.RateLimited(s.retryAfter(string(until)))
		} else if !errors.Is(err, model.ErrNotFound) {
			return nil, fmt.Errorf("code block: %w", err)
		}
	}
	return blocks, nil
}

// codeMatches compares a typed code with the stored hash in constant time
// (a missing record has stored "" and is compared against a dummy, so it
// takes the same work); a mismatch counts against the blocks.
func (s *Society) codeMatches(ctx context.Context, domain, typed, stored string, blocks []string) bool {
	code := model.CanonicalTraceCode(typed)
	found := stored != ""
	if !found {
		stored = s.d.Keys.TokenHash(domain, "no such record")
	}
	given := s.d.Keys.TokenHash(domain, code)
	if subtle.ConstantTimeCompare([]byte(given), []byte(stored)) != 1 || !found || code == "" {
		s.countTraceFailure(ctx, blocks, []int64{traceFailsPerIP, traceFailsPerNumber})
		return false
	}
	return true
}

// retryAfter is how long until an RFC 3339 time (a minute when unreadable).
func (s *Society) retryAfter(until string) time.Duration {
	t, err := time.Parse(time.RFC3339Nano, until)
	if err != nil || !t.After(s.d.Clock.Now()) {
		return time.Minute
	}
	return t.Sub(s.d.Clock.Now())
}

// countTraceFailure counts a failed lookup against each block key's
// counter and sets the block once a limit is reached.
func (s *Society) countTraceFailure(ctx context.Context, blocks []string, limits []int64) {
	ctx = context.WithoutCancel(ctx)
	for i, b := range blocks {
		n, resetIn, err := s.d.KV.IncrWindow(ctx, strings.Replace(b, ":block:", ":fail:", 1), traceFailWindow)
		if err != nil {
			s.d.Logger.Warn("trace failure not counted", "error", err.Error())
			continue
		}
		if n >= limits[i] {
			until := s.d.Clock.Now().Add(resetIn).UTC().Format(time.RFC3339Nano)
			if _, err := s.d.KV.SetNX(ctx, b, []byte(until), resetIn); err != nil {
				s.d.Logger.Warn("trace block not set", "error", err.Error())
			}
		}
	}
}

func (s *Society) traceView(ctx context.Context, d model.Donation) (TraceView, error) {
	st, err := s.d.DB.Station(ctx, d.StationID)
	if err != nil {
		return TraceView{}, err
	}
	allocs, err := s.d.DB.AllocationsOf(ctx, d.ID)
	if err != nil {
		return TraceView{}, err
	}
	names, err := s.regionNames(ctx)
	if err != nil {
		return TraceView{}, err
	}
	v := TraceView{ReceiptNumber: d.ReceiptNumber, Kind: d.Kind, Value: d.Value, Description: d.Description, Quantity: d.Quantity, Unit: d.Unit,
		StationName: st.Name, ReceivedOn: d.ReceivedAt.In(chinaZone).Format("2006-01-02"), Allocated: d.Allocated, Unallocated: d.Value - d.Allocated,
		Distributions: make([]Distribution, 0, len(allocs))}
	for _, a := range allocs {
		region := a.RegionCode
		if a.ApplicationID != nil {
			region = a.CountyCode // a named case shows its county only
		}
		prog, _ := model.ProgramOf(a.Program)
		dist := Distribution{Program: a.Program, ProgramName: prog.Name, RegionName: names[region], Period: a.Period, Amount: a.Amount, Quantity: a.Quantity}
		what := model.YuanWords(a.Amount)
		if d.Kind == model.DonationGoods {
			what = fmt.Sprintf("%s %d %s（折价 %s）", d.Description, a.Quantity, d.Unit, model.YuanWords(a.Amount))
		}
		dist.Text = fmt.Sprintf("您捐赠的 %s 已于 %s 用于%s的%s", what, a.Period, dist.RegionName, prog.Name)
		v.Distributions = append(v.Distributions, dist)
	}
	switch {
	case d.Kind == model.DonationGoods:
		v.Summary = fmt.Sprintf("您捐赠的 %s %d %s，已分配 %d %s，尚余 %d %s 待分配。", d.Description, d.Quantity, d.Unit,
			d.AllocatedQuantity, d.Unit, d.Quantity-d.AllocatedQuantity, d.Unit)
	default:
		v.Summary = fmt.Sprintf("您捐赠的 %s，已分配 %s，尚余 %s 待分配。", model.YuanWords(d.Value), model.YuanWords(d.Allocated), model.YuanWords(d.Value-d.Allocated))
	}
	return v, nil
}

// regionNames maps every region code to its name.
func (s *Society) regionNames(ctx context.Context) (map[string]string, error) {
	rs, err := s.d.DB.Regions(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(rs))
	for _, r := range rs {
		out[r.Code] = r.Name
	}
	return out, nil
}

// ---- The public page.

// ReceivedLine is one county and month of donations received.
type ReceivedLine struct {
	RegionCode string `json:"region_code"`
	RegionName string `json:"region_name"`
	Period     string `json:"period"`
	Money      int64  `json:"money"`
	GoodsValue int64  `json:"goods_value"`
	Donations  int    `json:"donations"`
}

// AllocatedLine is one county, program and month of allocations.
type AllocatedLine struct {
	RegionCode  string            `json:"region_code"`
	RegionName  string            `json:"region_name"`
	Program     model.ProgramCode `json:"program"`
	ProgramName string            `json:"program_name"`
	Period      string            `json:"period"`
	Money       int64             `json:"money"`
	GoodsValue  int64             `json:"goods_value"`
}

// NamedDonor is one of the largest donors who agreed to be named.
type NamedDonor struct {
	Name     string          `json:"name"`
	Kind     model.DonorKind `json:"kind"`
	KindName string          `json:"kind_name"`
	Total    int64           `json:"total"`
}

// DonationTotals are the sums of the lines.
type DonationTotals struct {
	MoneyReceived  int64 `json:"money_received"`
	GoodsReceived  int64 `json:"goods_received"`
	MoneyAllocated int64 `json:"money_allocated"`
	GoodsAllocated int64 `json:"goods_allocated"`
}

// PublicDonations is the public page of society's donations.
type PublicDonations struct {
	RegionCode    string          `json:"region_code"`
	Year          int             `json:"year"`
	Received      []ReceivedLine  `json:"received"`
	Allocated     []AllocatedLine `json:"allocated"`
	Totals        DonationTotals  `json:"totals"`
	LargestDonors []NamedDonor    `json:"largest_donors"`
}

// Public returns, without any recipient, the donations received at the
// stations of a region subtree (the city when empty) and the allocations
// to its counties in a year, per county, program and month, and the
// largest donors who agreed to be named. Every total is the sum of its
// lines; money allocated per county, program and month equals the fund
// ledger's donated column. An unknown region is model.KindInvalid.
func (s *Society) Public(ctx context.Context, regionCode string, year int) (PublicDonations, error) {
	if regionCode == "" {
		regionCode = s.d.Settings.CityRegionCode
	}
	if _, err := s.d.DB.Region(ctx, regionCode); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return PublicDonations{}, model.Invalid("region_code", "没有这个地区")
		}
		return PublicDonations{}, err
	}
	if year == 0 {
		year = s.d.Clock.Now().In(chinaZone).Year()
	}
	if year < 2000 || year > 2100 {
		return PublicDonations{}, model.Invalid("year", "请填写 2000 到 2100 之间的年份")
	}
	prefix := model.RegionPrefix(regionCode)
	names, err := s.regionNames(ctx)
	if err != nil {
		return PublicDonations{}, err
	}
	out := PublicDonations{RegionCode: regionCode, Year: year, Received: []ReceivedLine{}, Allocated: []AllocatedLine{}, LargestDonors: []NamedDonor{}}
	in, err := s.d.DB.DonationsReceived(ctx, prefix, year)
	if err != nil {
		return PublicDonations{}, err
	}
	byIn := map[[2]string]int{}
	for _, r := range in {
		k := [2]string{r.RegionCode, r.Period}
		i, ok := byIn[k]
		if !ok {
			out.Received = append(out.Received, ReceivedLine{RegionCode: r.RegionCode, RegionName: names[r.RegionCode], Period: r.Period})
			i = len(out.Received) - 1
			byIn[k] = i
		}
		line := &out.Received[i]
		line.Donations += r.Count
		if r.Kind == model.DonationMoney {
			line.Money += r.Value
			out.Totals.MoneyReceived += r.Value
		} else {
			line.GoodsValue += r.Value
			out.Totals.GoodsReceived += r.Value
		}
	}
	outs, err := s.d.DB.AllocationsOut(ctx, prefix, year)
	if err != nil {
		return PublicDonations{}, err
	}
	byOut := map[[3]string]int{}
	for _, r := range outs {
		k := [3]string{r.RegionCode, string(r.Program), r.Period}
		i, ok := byOut[k]
		if !ok {
			prog, _ := model.ProgramOf(r.Program)
			out.Allocated = append(out.Allocated, AllocatedLine{RegionCode: r.RegionCode, RegionName: names[r.RegionCode], Program: r.Program,
				ProgramName: prog.Name, Period: r.Period})
			i = len(out.Allocated) - 1
			byOut[k] = i
		}
		line := &out.Allocated[i]
		if r.Kind == model.DonationMoney {
			line.Money += r.Amount
			out.Totals.MoneyAllocated += r.Amount
		} else {
			line.GoodsValue += r.Amount
			out.Totals.GoodsAllocated += r.Amount
		}
	}
	top, err := s.d.DB.LargestNamedDonors(ctx, prefix, year, largestDonors)
	if err != nil {
		return PublicDonations{}, err
	}
	for _, t := range top {
		d, err := s.d.DB.Donor(ctx, t.DonorID)
		if err != nil {
			return PublicDonations{}, err
		}
		name := d.NameMasked
		switch {
		case d.NamePublic != nil:
			name = *d.NamePublic
		case d.NameSealed != nil:
			// The donor agreed to be named: the name in full.
			if name, err = s.d.Keys.Open(*d.NameSealed); err != nil {
				return PublicDonations{}, err
			}
		}
		out.LargestDonors = append(out.LargestDonors, NamedDonor{Name: name, Kind: d.Kind, KindName: model.DonorKinds[d.Kind], Total: t.Total})
	}
	return out, nil
}
