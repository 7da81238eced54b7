package model

import "time"

// Resident is a person who logs in with a phone number. The phone is kept
// sealed (encrypted), found through its blind index and shown masked.
type Resident struct {
	ID          string
	PhoneSealed string
	PhoneIndex  string
	PhoneMasked string
	CreatedAt   time.Time
	LastLoginAt *time.Time
}

// TableName is the table of residents.
func (Resident) TableName() string { return "residents" }

// Household is a resident's registered household (one per resident).
type Household struct {
	ID            string
	ResidentID    string
	RegionCode    string
	AddressSealed string
	Hukou         string
	// The household's bank account for payments (one card per household):
	// the number sealed, shown only as "**** 1234".
	BankName          *string
	BankAccountSealed *string
	BankAccountMasked *string
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// TableName is the table of households.
func (Household) TableName() string { return "households" }

// Member relations to the applicant.
const (
	RelationSelf   = "self"
	RelationSpouse = "spouse"
	RelationChild  = "child"
	RelationParent = "parent"
	RelationOther  = "other"
)

// Work abilities.
const (
	WorkAbilityFull    = "full"
	WorkAbilityPartial = "partial"
	WorkAbilityNone    = "none"
)

// Member is one person of a household. Name, ID number and disability are
// sealed; IDIndex is the blind index that keeps one ID number in one
// household.
type Member struct {
	ID          string
	HouseholdID string
	Position    int
	NameSealed  string
	NameMasked  string
	IDSealed    string `gorm:"column:id_sealed"`
	IDIndex     string `gorm:"column:id_index"`
	IDMasked    string `gorm:"column:id_masked"`
	// ClaimVerified says staff accepted a case of the household on the ID
	// card's evidence; until then the claim of the ID number is provisional
	// and another household may claim the same number (a conflict the
	// community worker sees; the verified claim wins).
	ClaimVerified    bool
	BirthDate        string
	Sex              string
	Relation         string
	MonthlyIncome    int64
	Incomes          *string // JSON of []Income, nil when not declared by kind
	WorkAbility      *string
	DisabilitySealed *string
	HasDisability    bool
	SchoolID         *string
	SchoolStage      *string
	SchoolGrade      *string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// TableName is the table of members.
func (Member) TableName() string { return "members" }
