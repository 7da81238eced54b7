package model

import "time"

// Service-record kinds of a service benefit (就业援助).
const (
	ServiceRegistration = "registration" // 失业登记 / 求职登记
	ServiceTraining     = "training"     // 免费培训
	ServiceReferral     = "referral"     // 岗位推荐
	ServiceOutcome      = "outcome"      // 就业结果
	ServiceOfferRefused = "offer_refused"
)

// IsServiceKind reports whether kind is a service-record kind.
func IsServiceKind(kind string) bool {
	switch kind {
	case ServiceRegistration, ServiceTraining, ServiceReferral, ServiceOutcome, ServiceOfferRefused:
		return true
	}
	return false
}

// ServiceRecord is one thing done for an approved service case.
type ServiceRecord struct {
	ID            string    `json:"id"`
	ApplicationID string    `json:"application_id"`
	Kind          string    `json:"kind"`
	Note          string    `json:"note"`
	WithoutReason bool      `json:"without_reason"` // an offer refused without a reason
	RecordedBy    string    `json:"-"`
	RecordedAt    time.Time `json:"recorded_at"`
}

// TableName is the service records table.
func (ServiceRecord) TableName() string { return "service_records" }
