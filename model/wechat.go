package model

import "time"

// WeChatBinding ties a WeChat openid (of the bureau's 公众号) to a resident
// who proved their phone by SMS while signed in to WeChat. A resident has at
// most one binding and an openid belongs to one resident. The openid is
// kept sealed, with a blind index for the lookup at login; it is never shown,
// not even to its owner.
type WeChatBinding struct {
	ResidentID   string `gorm:"primaryKey"`
	OpenIDIndex  string `gorm:"column:openid_index"`
	OpenIDSealed string `gorm:"column:openid_sealed"`
	CreatedAt    time.Time
}

// TableName is the table of WeChat bindings.
func (WeChatBinding) TableName() string { return "wechat_bindings" }
