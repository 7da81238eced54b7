package api

import (
	"github.com/gin-gonic/gin"

	"github.com/jiuzhu/jiuzhu/model"
)

// voucherRoutes registers what happens after approval: published lists
// (public reads, staff publish and withdraw), education vouchers (caps,
// resident views, school preview and redemption, void and reissue), the
// statements and the medical contribution list.
func (s *Server) voucherRoutes(v1 *gin.RouterGroup) {
	pub := v1.Group("/public")
	pub.GET("/publications", s.handle(s.listPublications))
	// One route serves /{id}, /{id}.html and /{id}.xlsx: Gin cannot hold a
	// parameter route and a parameter-with-suffix route side by side.
	pub.GET("/publications/:id", s.handle(s.getPublication))

	staff := v1.Group("/staff", s.authenticate(model.PrincipalStaff), noStore())
	staff.POST("/publications", s.allow(model.ActPublicationsCreate), s.idempotent(), s.handle(s.createPublication))
	staff.POST("/publications/:id/withdraw", s.allow(model.ActPublicationsWithdraw), s.handle(s.withdrawPublication))
	staff.PUT("/voucher-caps", s.allow(model.ActVoucherCapsSet), s.handle(s.setVoucherCaps))
	staff.POST("/vouchers/:code/void", s.allow(model.ActVouchersManage), s.handle(s.voidVoucher))
	staff.POST("/vouchers/:code/reissue", s.allow(model.ActVouchersManage), s.idempotent(), s.handle(s.reissueVoucher))
	staff.GET("/statements", s.allow(model.ActStatementsReadAll), s.handle(s.regionStatement))
	staff.GET("/statements.xlsx", s.allow(model.ActStatementsReadAll), s.handle(s.regionStatementXLSX))
	staff.GET("/medical-list", s.allow(model.ActMedicalListRead), s.handle(s.medicalList))
	staff.GET("/medical-list.xlsx", s.allow(model.ActMedicalListRead), s.handle(s.medicalListXLSX))

	me := v1.Group("/me", s.authenticate(model.PrincipalResident), noStore())
	me.GET("/vouchers", s.handle(s.myVouchers))
	me.GET("/vouchers/:code/qr.png", s.handle(s.myVoucherQR))

	school := v1.Group("/school", s.authenticate(model.PrincipalStaff), noStore())
	school.GET("/vouchers/:code", s.allow(model.ActSchoolVouchersPreview), s.handle(s.previewVoucher))
	school.POST("/vouchers/:code/redemptions", s.allow(model.ActSchoolVouchersRedeem), s.idempotent(), s.handle(s.redeemVoucher))
	// The same with the code in the body or the X-Voucher-Code header, so
	// codes stay out of URLs (access logs, proxies, browser history).
	school.POST("/vouchers/preview", s.allow(model.ActSchoolVouchersPreview), s.handle(s.previewVoucherBody))
	school.POST("/redemptions", s.allow(model.ActSchoolVouchersRedeem), s.idempotent(), s.handle(s.redeemVoucherBody))
	school.GET("/statements", s.allow(model.ActSchoolStatementsRead), s.handle(s.schoolStatement))
	school.GET("/statements.xlsx", s.allow(model.ActSchoolStatementsRead), s.handle(s.schoolStatementXLSX))
}
