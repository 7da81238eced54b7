package model

// Fee items an education voucher can waive (PRODUCT.md's voucher rules).
const (
	ItemMiscFee     = "misc_fee"     // 杂费
	ItemCustodyFee  = "custody_fee"  // 代管费
	ItemBoardingFee = "boarding_fee" // 住宿费
	ItemTransferFee = "transfer_fee" // 借读费
	ItemTuition     = "tuition"      // 学费
	ItemNurseryFee  = "nursery_fee"  // 保育费
)

// StageItems lists, per school stage, the fee items a voucher waives (in
// full or at discretion); an item not listed for a stage has no cap and
// cannot be redeemed for it.
var StageItems = map[string][]string{
	StageCompulsory: {ItemMiscFee, ItemCustodyFee, ItemBoardingFee, ItemTransferFee},
	StageSeniorHigh: {ItemTuition, ItemCustodyFee, ItemBoardingFee},
	StageSpecial:    {ItemCustodyFee, ItemNurseryFee, ItemBoardingFee},
}

// StageWaives reports whether stage's vouchers cover item.
func StageWaives(stage, item string) bool {
	for _, it := range StageItems[stage] {
		if it == item {
			return true
		}
	}
	return false
}
