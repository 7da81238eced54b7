package storage

import (
	"context"

	"github.com/jiuzhu/jiuzhu/model"
)

// BindWeChat stores b as the one binding of its resident and of its openid:
// an earlier binding of the same resident or of the same openid is
// replaced (a WeChat account follows the last phone verified in it). Run
// it inside a transaction.
func (db *DB) BindWeChat(ctx context.Context, b *model.WeChatBinding) error {
	err := db.conn(ctx).Where("resident_id = ? OR openid_index = ?", b.ResidentID, b.OpenIDIndex).
		Delete(&model.WeChatBinding{}).Error
	if err != nil {
		return translate("replace wechat binding", err)
	}
	return translate("bind wechat", db.conn(ctx).Create(b).Error)
}

// WeChatBindingOf returns the binding of a resident (model.ErrNotFound
// when there is none).
func (db *DB) WeChatBindingOf(ctx context.Context, residentID string) (model.WeChatBinding, error) {
	var b model.WeChatBinding
	err := db.conn(ctx).Where("resident_id = ?", residentID).Take(&b).Error
	return b, translate("get wechat binding", err)
}

// WeChatBindingByOpenID returns the binding whose openid has the blind
// index idx (model.ErrNotFound when there is none).
func (db *DB) WeChatBindingByOpenID(ctx context.Context, idx string) (model.WeChatBinding, error) {
	var b model.WeChatBinding
	err := db.conn(ctx).Where("openid_index = ?", idx).Take(&b).Error
	return b, translate("find wechat binding", err)
}

// DeleteWeChatBinding removes the resident's binding and reports whether
// there was one.
func (db *DB) DeleteWeChatBinding(ctx context.Context, residentID string) (bool, error) {
	res := db.conn(ctx).Where("resident_id = ?", residentID).Delete(&model.WeChatBinding{})
	return res.RowsAffected > 0, translate("delete wechat binding", res.Error)
}
