package service

import (
	"io"
	"log/slog"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Each service takes the few dependencies it uses, named in its own small
// struct; Deps is only the wiring bag NewApp splits into them.

// ApplicationsDeps are what Applications uses.
type ApplicationsDeps struct {
	DB        *storage.DB
	Keys      *Keys
	StepTexts SMSSender
	// Steps, when set, also tells the resident of each step by another
	// channel (WeChat subscription messages).
	Steps StepNotifier
	Clock model.Clock
	IDs   *model.IDs
}

func (d Deps) applications() ApplicationsDeps {
	return ApplicationsDeps{DB: d.DB, Keys: d.Keys, StepTexts: d.StepTexts, Clock: d.Clock, IDs: d.IDs}
}

// DocumentsDeps are what Documents uses.
type DocumentsDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Blobs    storage.Blobs
	Limiter  storage.Limiter
	Keys     *Keys
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Logger   *slog.Logger
	Settings Settings
}

func (d Deps) documents() DocumentsDeps {
	return DocumentsDeps{DB: d.DB, KV: d.KV, Blobs: d.Blobs, Limiter: d.Limiter, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs, Random: d.Random, Logger: d.Logger, Settings: d.Settings}
}

// HouseholdsDeps are what Households uses.
type HouseholdsDeps struct {
	DB      *storage.DB
	Limiter storage.Limiter
	Keys    *Keys
	Clock   model.Clock
	IDs     *model.IDs
}

func (d Deps) households() HouseholdsDeps {
	return HouseholdsDeps{DB: d.DB, Limiter: d.Limiter, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs}
}

// NoticesDeps are what Notices uses.
type NoticesDeps struct {
	DB      *storage.DB
	Limiter storage.Limiter
	Keys    *Keys
	Clock   model.Clock
	IDs     *model.IDs
}

func (d Deps) notices() NoticesDeps {
	return NoticesDeps{DB: d.DB, Limiter: d.Limiter, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs}
}

// PublicationsDeps are what Publications uses.
type PublicationsDeps struct {
	DB       *storage.DB
	Clock    model.Clock
	IDs      *model.IDs
	Settings Settings
}

func (d Deps) publications() PublicationsDeps {
	return PublicationsDeps{DB: d.DB, Clock: d.Clock, IDs: d.IDs, Settings: d.Settings}
}

// ResidentsDeps are what Residents uses.
type ResidentsDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Limiter  storage.Limiter
	Keys     *Keys
	SMS      SMSSender
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Settings Settings
}

func (d Deps) residents() ResidentsDeps {
	return ResidentsDeps{DB: d.DB, KV: d.KV, Limiter: d.Limiter, Keys: d.Keys, SMS: d.SMS, Clock: d.Clock, IDs: d.IDs, Random: d.Random, Settings: d.Settings}
}

// SeederDeps are what Seeder uses.
type SeederDeps struct {
	DB     *storage.DB
	Clock  model.Clock
	IDs    *model.IDs
	Random io.Reader
}

func (d Deps) seeder() SeederDeps {
	return SeederDeps{DB: d.DB, Clock: d.Clock, IDs: d.IDs, Random: d.Random}
}

// StaffAccountsDeps are what StaffAccounts uses.
type StaffAccountsDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Limiter  storage.Limiter
	Keys     *Keys
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Settings Settings
}

func (d Deps) staffAccounts() StaffAccountsDeps {
	return StaffAccountsDeps{DB: d.DB, KV: d.KV, Limiter: d.Limiter, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs, Random: d.Random, Settings: d.Settings}
}

// StatementsDeps are what Statements uses.
type StatementsDeps struct {
	DB    *storage.DB
	Keys  *Keys
	Clock model.Clock
}

func (d Deps) statements() StatementsDeps {
	return StatementsDeps{DB: d.DB, Keys: d.Keys, Clock: d.Clock}
}

// StatsDeps are what Stats uses.
type StatsDeps struct {
	DB    *storage.DB
	Clock model.Clock
}

func (d Deps) stats() StatsDeps {
	return StatsDeps{DB: d.DB, Clock: d.Clock}
}

// VouchersDeps are what Vouchers uses.
type VouchersDeps struct {
	DB      *storage.DB
	KV      storage.KV
	Limiter storage.Limiter
	Clock   model.Clock
	IDs     *model.IDs
	Random  io.Reader
	Logger  *slog.Logger
}

func (d Deps) vouchers() VouchersDeps {
	return VouchersDeps{DB: d.DB, KV: d.KV, Limiter: d.Limiter, Clock: d.Clock, IDs: d.IDs, Random: d.Random, Logger: d.Logger}
}

// WorkflowDeps are what Workflow uses.
type WorkflowDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Random   io.Reader
	Checkers []Checker
	Logger   *slog.Logger
	Keys     *Keys
	Clock    model.Clock
	IDs      *model.IDs
	Settings Settings
}

func (d Deps) workflow() WorkflowDeps {
	return WorkflowDeps{DB: d.DB, KV: d.KV, Random: d.Random, Checkers: d.Checkers, Logger: d.Logger, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs, Settings: d.Settings}
}

// SocietyDeps are what Society uses.
type SocietyDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Keys     *Keys
	Clock    model.Clock
	IDs      *model.IDs
	Random   io.Reader
	Logger   *slog.Logger
	Settings Settings
}

func (d Deps) society() SocietyDeps {
	return SocietyDeps{DB: d.DB, KV: d.KV, Keys: d.Keys, Clock: d.Clock, IDs: d.IDs, Random: d.Random, Logger: d.Logger, Settings: d.Settings}
}

// WeChatDeps are what WeChatLogin and WeChatSteps use.
type WeChatDeps struct {
	DB       *storage.DB
	KV       storage.KV
	Limiter  storage.Limiter
	Keys     *Keys
	Clock    model.Clock
	Random   io.Reader
	Logger   *slog.Logger
	Settings Settings
}

func (d Deps) wechat() WeChatDeps {
	return WeChatDeps{DB: d.DB, KV: d.KV, Limiter: d.Limiter, Keys: d.Keys, Clock: d.Clock, Random: d.Random, Logger: d.Logger, Settings: d.Settings}
}
