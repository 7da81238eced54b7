// Package service holds Jiuzhu's use cases. It owns transactions (through
// storage.DB.InTx), knows nothing of HTTP, and returns model errors.
package service

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Settings are the configuration values the use cases need.
type Settings struct {
	Dev             bool
	PublicityPeriod time.Duration
	// BankCSVEncoding is "gbk" or "utf8-bom": the bank batch file's
	// character set.
	BankCSVEncoding string
	MaxUploadBytes  int64
	ResidentIdleTTL time.Duration
	ResidentMaxTTL  time.Duration
	StaffIdleTTL    time.Duration
	StaffMaxTTL     time.Duration
	BureauName      string
	CityRegionCode  string
	// StaffLogin bounds what staff logins may cost (DefaultLoginLimits
	// when zero).
	StaffLogin LoginLimits
	// AuditSealDelay is how long an audit row may stay unsealed before
	// `audit verify` reports it (DefaultAuditSealDelay when zero); the
	// scheduler seals several times within it.
	AuditSealDelay time.Duration

	// Documents: UploadSpoolDir holds uploads while they arrive ("" is the
	// system's temporary directory); the quota per resident, the upload
	// rate per resident, how long documents of closed cases are kept and
	// how old an unreferenced object or spool file must be to be swept.
	UploadSpoolDir         string
	DocumentQuotaBytes     int64
	DocumentQuotaCount     int64
	DocumentUploadsPerHour int
	DocumentRetention      time.Duration
	DocumentOrphanGrace    time.Duration

	// WeChat: the portal's public origin WeChat sends residents back to
	// ("" in dev mode: the request's host), the subscription-message
	// template of status messages ("" sends none) and the bound on each
	// send.
	WeChatPublicURL  string
	WeChatTemplateID string
	WeChatTimeout    time.Duration
}

// Deps are the backends and sources every service is built from.
type Deps struct {
	DB      *storage.DB
	KV      storage.KV
	Blobs   storage.Blobs
	Limiter storage.Limiter
	// DataDisk is the local data directory when the database or the
	// documents live on it; nil when every backend is remote.
	DataDisk *storage.DataDisk
	Keys     *Keys
	SMS      SMSSender
	// StepTexts, when set, also texts each case message to the resident
	// (the dev outbox); nil sends none.
	StepTexts SMSSender
	Outbox    *Outbox // nil outside dev mode
	// WeChatOAuth is the 公众号's 网页授权 (nil: WeChat login is off);
	// WeChatMessenger sends its subscription messages (nil: none).
	WeChatOAuth     WeChatOAuth
	WeChatMessenger WeChatMessenger
	// Checkers are the cross-department check sources (核对), one each.
	Checkers []Checker
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Logger   *slog.Logger
	Settings Settings
	// Hasher checks and makes staff password hashes (Argon2Hasher when nil).
	Hasher PasswordHasher
}

// App is the set of use cases the HTTP layer calls.
type App struct {
	deps        Deps
	Directory   *Directory
	Seeder      *Seeder
	Sessions    *Sessions
	Idempotency *Idempotency
	Audit       *Audit
	// Residents.
	Residents    *Residents
	WeChat       *WeChatLogin
	Households   *Households
	Applications *Applications
	Documents    *Documents
	// Staff workflow.
	Staff    *StaffAccounts
	Workflow *Workflow
	Notices  *Notices
	Assisted *Assisted
	// Publications and vouchers.
	Publications *Publications
	Vouchers     *Vouchers
	Statements   *Statements
	// Statistics.
	Stats *Stats
	// Payment rolls and the public fund totals.
	Payments *Payments
	// Society: volunteers and the family side of 结对助学.
	Volunteers *Volunteers
	Pairing    *Pairing
	// Society: donors, stations, donations and their allocations.
	Society *Society
}

// NewApp builds every service from the same dependencies.
func NewApp(d Deps) *App {
	if d.Clock == nil {
		d.Clock = model.SystemClock{}
	}
	if d.IDs == nil {
		d.IDs = model.NewIDs(d.Clock, d.Random)
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	a := &App{
		deps:        d,
		Directory:   &Directory{db: d.DB},
		Seeder:      &Seeder{d: d.seeder()},
		Sessions:    NewSessions(d.KV, d.Keys, d.Clock, d.IDs),
		Idempotency: NewIdempotency(d.KV),
		Audit:       NewAudit(d.DB, d.Clock, d.IDs, d.Keys, d.Blobs, d.Settings.AuditSealDelay),
	}
	// Residents.
	a.Residents = &Residents{d: d.residents(), sessions: a.Sessions}
	a.WeChat = NewWeChatLogin(d.wechat(), d.WeChatOAuth, a.Residents, a.Audit)
	appDeps := d.applications()
	if d.WeChatMessenger != nil && d.Settings.WeChatTemplateID != "" {
		appDeps.Steps = NewWeChatSteps(d.wechat(), d.WeChatMessenger, d.Settings.WeChatTemplateID, d.Settings.WeChatTimeout)
	}
	a.Applications = &Applications{d: appDeps, audit: a.Audit}
	a.Households = &Households{d: d.households(), audit: a.Audit, apps: a.Applications}
	a.Documents = &Documents{d: d.documents(), apps: a.Applications, audit: a.Audit}
	// Staff workflow.
	hasher := d.Hasher
	if hasher == nil {
		hasher = Argon2Hasher{Random: d.Random}
	}
	limits := d.Settings.StaffLogin
	if limits == (LoginLimits{}) {
		limits = DefaultLoginLimits()
	}
	a.Staff = NewStaffAccounts(d.staffAccounts(), a.Sessions, a.Audit, hasher, limits)
	a.Workflow = NewWorkflow(d.workflow(), a.Audit, a.Applications)
	a.Notices = NewNotices(d.notices(), a.Audit, a.Applications)
	a.Assisted = NewAssisted(d, a.Audit, a.Applications, a.Households)
	// Publications and vouchers.
	a.Publications = NewPublications(d.publications(), a.Audit)
	a.Vouchers = NewVouchers(d.vouchers(), a.Audit)
	a.Statements = NewStatements(d.statements(), a.Audit)
	a.Workflow.OnApproved = a.Vouchers.IssueForApplication
	// Statistics.
	a.Stats = NewStats(d.stats())
	a.Payments = NewPayments(d, a.Audit)
	a.Volunteers = NewVolunteers(d.volunteers(), a.Audit)
	a.Pairing = NewPairing(d.pairing(), a.Audit)
	a.Society = NewSociety(d.society(), a.Audit)
	return a
}

// Readiness names a backend and how to check it.
type Readiness struct {
	Name  string
	Check func(ctx context.Context) error
}

// ReadinessChecks lists what /readyz pings: the database, the session store,
// the blob store and, when one is in use, the local data disk.
func (a *App) ReadinessChecks() []Readiness {
	checks := []Readiness{
		{Name: "database", Check: a.deps.DB.Ping},
		{Name: "session_store", Check: a.deps.KV.Ping},
		{Name: "blob_store", Check: a.deps.Blobs.Ping},
	}
	if a.deps.DataDisk != nil {
		checks = append(checks, Readiness{Name: "data_disk", Check: a.deps.DataDisk.Ping})
	}
	return checks
}

// Outbox returns the dev outbox, or nil outside dev mode.
func (a *App) Outbox() *Outbox { return a.deps.Outbox }

// Settings returns the configuration the services run with.
func (a *App) Settings() Settings { return a.deps.Settings }
