package model

import "strings"

// Region levels, from the city down to the community (组织网络).
const (
	LevelCity      = "city"
	LevelCounty    = "county"
	LevelStreet    = "street"
	LevelCommunity = "community"
)

// Region is one node of the administrative tree. Codes follow the national
// division-code style: 6 digits for city and county, 9 for a street, 12 for
// a community; a child's code starts with its parent's significant prefix.
type Region struct {
	Code       string  `json:"code" gorm:"primaryKey"`
	Name       string  `json:"name"`
	Level      string  `json:"level"`
	ParentCode *string `json:"parent_code"`
}

// TableName is the table of regions.
func (Region) TableName() string { return "regions" }

// RegionPrefix is the code prefix every region in code's subtree shares: a
// city "330500" → "3305", a county "330502" → "330502", a street and a
// community their whole code. Subtree queries use `code LIKE prefix%`.
func RegionPrefix(code string) string {
	if len(code) == 6 && strings.HasSuffix(code, "00") {
		if strings.HasSuffix(code, "0000") {
			return code[:2]
		}
		return code[:4]
	}
	return code
}

// InRegion reports whether code lies in the subtree rooted at root.
func InRegion(root, code string) bool {
	if root == "" || code == "" {
		return false
	}
	return strings.HasPrefix(code, RegionPrefix(root))
}

// LevelOfCode derives a level from a code's length and shape.
func LevelOfCode(code string) string {
	switch len(code) {
	case 6:
		if strings.HasSuffix(code, "00") {
			return LevelCity
		}
		return LevelCounty
	case 9:
		return LevelStreet
	case 12:
		return LevelCommunity
	}
	return ""
}
