package model

import "time"

// Relations a staff member declares (近亲属).
var RelativeRelations = []string{"spouse", "parent", "child", "sibling", "grandparent", "grandchild", "in_law", "other"}

// StaffRelative is a close relative a staff member declared; the ID number
// is kept only as its blind index.
type StaffRelative struct {
	ID         string    `json:"-"`
	StaffID    string    `json:"-"`
	NameMasked string    `json:"name_masked"`
	IDIndex    string    `json:"-" gorm:"column:id_index"`
	Relation   string    `json:"relation"`
	CreatedAt  time.Time `json:"declared_at"`
}

// TableName is the declared relatives table.
func (StaffRelative) TableName() string { return "staff_relatives" }

// IsRelativeRelation reports whether r is a declarable relation.
func IsRelativeRelation(r string) bool {
	for _, x := range RelativeRelations {
		if x == r {
			return true
		}
	}
	return false
}
