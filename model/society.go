package model

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// DonorKind is what kind of donor gives: an organisation (慈善总会, 红十字会,
// 工会, a company) or an individual.
type DonorKind string

// Donor kinds.
const (
	DonorCharityFederation DonorKind = "charity_federation"
	DonorRedCross          DonorKind = "red_cross"
	DonorUnion             DonorKind = "union"
	DonorCompany           DonorKind = "company"
	DonorIndividual        DonorKind = "individual"
)

// DonorKinds lists every donor kind with its name in words.
var DonorKinds = map[DonorKind]string{
	DonorCharityFederation: "慈善总会",
	DonorRedCross:          "红十字会",
	DonorUnion:             "工会",
	DonorCompany:           "企业",
	DonorIndividual:        "个人",
}

// Donor is an organisation or a person registered by the civil-affairs
// bureau. An organisation's name is public (NamePublic); a person's is
// sealed (NameSealed) and shown masked. The phone is sealed, found by its
// blind index and shown masked.
type Donor struct {
	ID          string    `json:"id"`
	Kind        DonorKind `json:"kind"`
	NamePublic  *string   `json:"-"`
	NameSealed  *string   `json:"-"`
	NameMasked  string    `json:"name_masked"`
	PhoneSealed string    `json:"-"`
	PhoneIndex  string    `json:"-"`
	PhoneMasked string    `json:"phone_masked"`
	// MayBeNamed is the donor's consent to appear among the largest donors
	// on the public page.
	MayBeNamed bool      `json:"may_be_named"`
	RegionCode string    `json:"region_code"`
	CreatedBy  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName is the table of donors.
func (Donor) TableName() string { return "donors" }

// DonationStation is a place that receives donations (社会捐赠工作站点),
// under a node of the region tree, run by one staff account of the role
// RoleStation.
type DonationStation struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	RegionCode string    `json:"region_code"`
	Address    string    `json:"address"`
	StaffID    string    `json:"staff_id"`
	CreatedBy  string    `json:"-"`
	CreatedAt  time.Time `json:"created_at"`
}

// TableName is the table of donation stations.
func (DonationStation) TableName() string { return "donation_stations" }

// Donation kinds.
const (
	DonationMoney = "money"
	DonationGoods = "goods"
)

// Donation is one gift received at a station, with its receipt number. Value
// is what it is worth in fen: the amount of money, or the estimated value
// of goods. Allocated is how much of Value has been allocated (for goods
// also AllocatedQuantity of Quantity); never more than received.
type Donation struct {
	ID                string    `json:"id"`
	ReceiptNumber     string    `json:"receipt_number"`
	StationID         string    `json:"station_id"`
	RegionCode        string    `json:"region_code"`
	DonorID           *string   `json:"donor_id"`
	Kind              string    `json:"kind"`
	Amount            int64     `json:"amount"` // money: fen
	Description       string    `json:"description"`
	Quantity          int64     `json:"quantity"`
	Unit              string    `json:"unit"`
	EstimatedValue    int64     `json:"estimated_value"` // goods: fen
	Value             int64     `json:"value"`
	Allocated         int64     `json:"allocated"`
	AllocatedQuantity int64     `json:"allocated_quantity"`
	TraceHash         string    `json:"-"`
	TraceSealed       string    `json:"-"`
	Note              string    `json:"note"`
	Period            string    `json:"period"` // the month received (China time)
	ReceivedAt        time.Time `json:"received_at"`
	RecordedBy        string    `json:"-"`
}

// TableName is the table of donations.
func (Donation) TableName() string { return "donations" }

// DonationAllocation is a staff decision to use (part of) a donation for a
// program in a region, or for one named case. CountyCode is the county the
// money enters the fund ledger of; Period the month of the decision.
type DonationAllocation struct {
	ID            string      `json:"id"`
	DonationID    string      `json:"donation_id"`
	Kind          string      `json:"kind"`
	Program       ProgramCode `json:"program"`
	RegionCode    string      `json:"region_code"`
	CountyCode    string      `json:"county_code"`
	ApplicationID *string     `json:"application_id"`
	Period        string      `json:"period"`
	Amount        int64       `json:"amount"` // fen: money, or the goods' share of the estimated value
	Quantity      int64       `json:"quantity"`
	Note          string      `json:"note"`
	// PairingID marks a 结对助学 payment: the paired donor's money to the
	// child's approved case.
	PairingID *string   `json:"pairing_id"`
	DecidedBy string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
}

// TableName is the table of allocations.
func (DonationAllocation) TableName() string { return "donation_allocations" }

// GoodsShare is the part of a goods donation's estimated value that moves
// with an allocation taking its quantity from allocated to allocated+take:
// the difference of the cumulative shares, so the shares of allocations
// that take the whole quantity sum to exactly the estimated value.
func GoodsShare(value, quantity, allocated, take int64) int64 {
	if quantity <= 0 {
		return 0
	}
	return value*(allocated+take)/quantity - value*allocated/quantity
}

// traceAlphabet is Crockford's base 32: no I, L, O or U.
const traceAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewTraceCode returns a fresh donor trace code (80 random bits, 16
// characters printed in groups of four, e.g. 7K3M-9QXD-2WHP-R4TZ) from
// random (crypto/rand when nil).
func NewTraceCode(random io.Reader) (string, error) {
	b, err := RandomToken(random, 10)
	if err != nil {
		return "", fmt.Errorf("trace code: %w", err)
	}
	var out strings.Builder
	var acc uint64
	bits, n := 0, 0
	for _, x := range b {
		acc = acc<<8 | uint64(x)
		bits += 8
		for bits >= 5 {
			bits -= 5
			if n > 0 && n%4 == 0 {
				out.WriteByte('-')
			}
			out.WriteByte(traceAlphabet[(acc>>uint(bits))&31])
			n++
		}
	}
	return out.String(), nil
}

// CanonicalTraceCode reads a trace code as a person types it (any case,
// dashes and spaces, O for 0, I or L for 1) and returns it in printed form,
// or "" when it cannot be one.
func CanonicalTraceCode(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || !strings.ContainsRune(traceAlphabet, r) {
			return ""
		}
		b.WriteRune(r)
	}
	body := b.String()
	if len(body) != 16 {
		return ""
	}
	return body[0:4] + "-" + body[4:8] + "-" + body[8:12] + "-" + body[12:16]
}

// YuanWords prints fen as yuan for a sentence: 50000 → "500 元",
// 12345 → "123.45 元".
func YuanWords(fen int64) string {
	if fen%100 == 0 {
		return fmt.Sprintf("%d 元", fen/100)
	}
	return fmt.Sprintf("%d.%02d 元", fen/100, fen%100)
}
