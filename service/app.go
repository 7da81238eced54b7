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
	MaxUploadBytes  int64
	ResidentIdleTTL time.Duration
	ResidentMaxTTL  time.Duration
	StaffIdleTTL    time.Duration
	StaffMaxTTL     time.Duration
	BureauName      string
	CityRegionCode  string

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
}

// Deps are the backends and sources every service is built from.
type Deps struct {
	DB       *storage.DB
	KV       storage.KV
	Blobs    storage.Blobs
	Limiter  storage.Limiter
	Keys     *Keys
	SMS      SMSSender
	Outbox   *Outbox // nil outside dev mode
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Logger   *slog.Logger
	Settings Settings
}

// App is the set of use cases the HTTP layer calls.
type App struct {
	deps        Deps
	Directory   *Directory
	Seeder      *Seeder
	Sessions    *Sessions
	Idempotency *Idempotency
	Audit       *Audit
	// Residents services (issue 3) are added below this line.
	Residents    *Residents
	Households   *Households
	Applications *Applications
	Documents    *Documents
	// Staff workflow services (issue 4) are added below this line.
	Staff    *StaffAccounts
	Workflow *Workflow
	Notices  *Notices
	// Publication and voucher services (issue 5) are added below this line.
	Publications *Publications
	Vouchers     *Vouchers
	Statements   *Statements
	// Statistics (issue 6) are added below this line.
	Stats *Stats
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
		Seeder:      &Seeder{d: d},
		Sessions:    NewSessions(d.KV, d.Keys, d.Clock, d.IDs),
		Idempotency: NewIdempotency(d.KV),
		Audit:       &Audit{db: d.DB, clock: d.Clock, ids: d.IDs},
	}
	// Residents services (issue 3) are constructed below this line.
	a.Residents = &Residents{d: d, sessions: a.Sessions}
	a.Households = &Households{d: d, audit: a.Audit}
	a.Applications = &Applications{d: d, audit: a.Audit}
	a.Documents = &Documents{d: d, apps: a.Applications, audit: a.Audit}
	// Staff workflow services (issue 4) are constructed below this line.
	a.Staff = NewStaffAccounts(d, a.Sessions, a.Audit)
	a.Workflow = NewWorkflow(d, a.Audit, a.Applications)
	a.Notices = NewNotices(d, a.Audit, a.Applications)
	// Publication and voucher services (issue 5) are constructed below this line.
	a.Publications = NewPublications(d, a.Audit)
	a.Vouchers = NewVouchers(d, a.Audit)
	a.Statements = NewStatements(d, a.Audit)
	a.Workflow.OnApproved = a.Vouchers.IssueForApplication
	// Statistics (issue 6) are constructed below this line.
	a.Stats = NewStats(d)
	return a
}

// Readiness names a backend and how to check it.
type Readiness struct {
	Name  string
	Check func(ctx context.Context) error
}

// ReadinessChecks lists what /readyz pings: the database, the session store
// and the blob store.
func (a *App) ReadinessChecks() []Readiness {
	return []Readiness{
		{Name: "database", Check: a.deps.DB.Ping},
		{Name: "session_store", Check: a.deps.KV.Ping},
		{Name: "blob_store", Check: a.deps.Blobs.Ping},
	}
}

// Outbox returns the dev outbox, or nil outside dev mode.
func (a *App) Outbox() *Outbox { return a.deps.Outbox }

// Settings returns the configuration the services run with.
func (a *App) Settings() Settings { return a.deps.Settings }
