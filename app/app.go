// Package app is Jiuzhu's composition root: it opens the backends a Config
// names and wires the services and the HTTP server from them. Only cmd and
// the tests' harness use it; it is the one place allowed to import every
// layer.
package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel/trace"

	"github.com/jiuzhu/jiuzhu/api"
	"github.com/jiuzhu/jiuzhu/config"
	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/service"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Backends are the opened stores.
type Backends struct {
	DB      *storage.DB
	KV      storage.KV
	Limiter storage.Limiter
	Blobs   storage.Blobs
	// Redis is the client behind KV and Limiter, nil in embedded mode
	// (for its pool metrics).
	Redis redis.UniversalClient
	// DataDisk is the local data directory, nil when no backend uses it.
	DataDisk *storage.DataDisk
	closers  []func() error
}

// Close closes every backend, returning the errors joined.
func (b *Backends) Close() error {
	var errs []error
	for i := len(b.closers) - 1; i >= 0; i-- {
		errs = append(errs, b.closers[i]())
	}
	return errors.Join(errs...)
}

// OpenBackends opens the database, the KV store and limiter, and the blob
// store the configuration names. An unknown or unreachable backend is an
// error; there is no silent fallback.
func OpenBackends(ctx context.Context, cfg config.Config) (*Backends, error) {
	b := &Backends{}
	db, err := storage.OpenDB(ctx, storage.DBConfig{
		Driver: cfg.DBDriver, DSN: cfg.DBDSN, Path: cfg.SQLitePath(),
		MaxOpenConns: cfg.DBMaxOpenConns, MaxIdleConns: cfg.DBMaxIdleConns, ConnMaxLifetime: cfg.DBConnMaxLifetime,
		ReplicaDSNs: cfg.DBReplicaDSNs,
	})
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	b.DB = db
	b.closers = append(b.closers, db.Close)

	if cfg.RedisAddr == "" {
		kv := storage.NewMemoryKV(cfg.KVMaxKeys, nil)
		b.KV = kv
		b.Limiter = storage.NewMemoryLimiter(cfg.KVMaxKeys, nil)
		b.closers = append(b.closers, kv.Close)
	} else {
		client := storage.NewRedisClient(storage.RedisConfig{
			Addrs: strings.Split(cfg.RedisAddr, ","), Password: cfg.RedisPassword, DB: cfg.RedisDB,
		})
		b.KV = storage.NewRedisKV(client, cfg.RedisPrefix)
		b.Limiter = storage.NewRedisLimiter(client, cfg.RedisPrefix)
		b.Redis = client
		b.closers = append(b.closers, client.Close)
		if err := b.KV.Ping(ctx); err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("redis %s: %w", cfg.RedisAddr, err)
		}
	}

	if cfg.S3Endpoint == "" {
		blobs, err := storage.NewLocalBlobs(cfg.BlobDir())
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("local blobs: %w", err)
		}
		b.Blobs = blobs
	} else {
		blobs, err := storage.NewS3Blobs(ctx, storage.S3Config{
			Endpoint: cfg.S3Endpoint, AccessKey: cfg.S3AccessKey, SecretKey: cfg.S3SecretKey,
			Bucket: cfg.S3Bucket, Region: cfg.S3Region, UseSSL: cfg.S3UseSSL,
		})
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("s3 %s: %w", cfg.S3Endpoint, err)
		}
		b.Blobs = blobs
	}
	if cfg.DBDriver == "sqlite" || cfg.S3Endpoint == "" {
		b.DataDisk = &storage.DataDisk{Dir: cfg.DataDir, MinFree: cfg.DataMinFreeBytes}
	}
	return b, nil
}

// Options are what a caller may inject instead of the real sources.
type Options struct {
	Clock  model.Clock
	Random io.Reader
	// SMS replaces the sender (the dev outbox in dev mode, otherwise the
	// "no gateway" sender).
	SMS service.SMSSender
	// Hasher replaces the argon2id password hasher (tests observe it).
	Hasher service.PasswordHasher
	// Build is exported as the jiuzhu_build_info metric.
	Build BuildInfo
	// TracerProvider, when set, traces requests, transactions, queries and
	// Redis commands (NewTracing builds it from JIUZHU_OTEL_ENDPOINT).
	TracerProvider trace.TracerProvider
}

// BuildInfo names the running binary: version, commit and build time as
// stamped by the Makefile's -ldflags, and the Go release.
type BuildInfo struct {
	Version, Commit, Time, GoVersion string
}

// Built is a wired application.
type Built struct {
	App      *service.App
	Server   *api.Server
	Registry *prometheus.Registry
	// Jobs records scheduled jobs' successes (jiuzhu_job_last_success_timestamp_seconds).
	Jobs *Jobs
}

// Build wires the services and the HTTP server over opened backends.
func Build(cfg config.Config, b *Backends, log *slog.Logger, opts Options) (*Built, error) {
	clock := opts.Clock
	if clock == nil {
		clock = model.SystemClock{}
	}
	if cfg.UploadSpoolDir != "" {
		if err := os.MkdirAll(cfg.UploadSpoolDir, 0o700); err != nil {
			return nil, fmt.Errorf("JIUZHU_UPLOAD_SPOOL_DIR: %w", err)
		}
	}
	keys, err := service.NewKeys(cfg.SecretKey, opts.Random)
	if err != nil {
		return nil, fmt.Errorf("JIUZHU_SECRET_KEY: %w", err)
	}
	reg := prometheus.NewRegistry()
	smsCount, err := newSMSCounters(reg)
	if err != nil {
		return nil, err
	}
	limiter, err := newCountingLimiter(reg, b.Limiter)
	if err != nil {
		return nil, err
	}
	jobs, err := newJobs(reg)
	if err != nil {
		return nil, err
	}
	var outbox *service.Outbox
	// StepTexts mirrors each case message to the resident's phone: the dev
	// outbox shows them; production sends none (residents read them in the
	// portal).
	var stepTexts service.SMSSender
	var sms service.SMSSender = service.NoSMSGateway{}
	driver := "none"
	if cfg.SMSWebhookURL != "" {
		sms, driver = service.NewWebhookSMS(cfg.SMSWebhookURL, cfg.SMSWebhookSecret, nil, clock), "webhook"
	}
	if cfg.IsDev() {
		outbox = service.NewOutbox(cfg.OutboxSize, clock)
		sms, stepTexts, driver = outbox, smsCount.wrap(outbox, "outbox"), "outbox"
	}
	if opts.SMS != nil {
		sms, driver = opts.SMS, "injected"
	}
	checkers := service.UnconfiguredCheckers()
	switch {
	case cfg.ChecksURL != "":
		checkers = service.NewHTTPCheckers(cfg.ChecksURL, cfg.ChecksSecret, cfg.ChecksTimeout, clock)
	case cfg.IsDev():
		checkers = service.NewDevCheckers()
	}
	sms = smsCount.wrap(sms, driver)
	// WeChat: login when the 公众号 is configured; status messages too
	// when it has a template, counted with the SMS families as driver
	// "wechat".
	var wxOAuth service.WeChatOAuth
	var wxMessenger service.WeChatMessenger
	if cfg.WeChatEnabled() {
		wx := service.NewWeChatHTTP(service.WeChatAccount{
			AppID: cfg.WeChatAppID, Secret: cfg.WeChatSecret, OAuthURL: cfg.WeChatOAuthURL, APIURL: cfg.WeChatAPIURL, Timeout: cfg.WeChatTimeout,
		}, nil, b.KV, keys, clock)
		wxOAuth = wx
		if cfg.WeChatTemplateID != "" {
			wxMessenger = smsCount.wrapWeChat(wx)
		}
	}
	a := service.NewApp(service.Deps{
		DB: b.DB, KV: b.KV, Blobs: b.Blobs, Limiter: limiter, DataDisk: b.DataDisk, Keys: keys, SMS: sms, StepTexts: stepTexts, Outbox: outbox, Checkers: checkers,
		WeChatOAuth: wxOAuth, WeChatMessenger: wxMessenger,
		Clock: clock, IDs: model.NewIDs(clock, opts.Random), Random: opts.Random, Logger: log,
		Settings: service.Settings{
			Dev: cfg.IsDev(), PublicityPeriod: cfg.PublicityPeriod, BankCSVEncoding: cfg.BankCSVEncoding, MaxUploadBytes: cfg.MaxUploadBytes,
			UploadSpoolDir: cfg.UploadSpoolDir, DocumentQuotaBytes: cfg.DocumentQuotaBytes, DocumentQuotaCount: int64(cfg.DocumentQuotaCount),
			DocumentUploadsPerHour: cfg.DocumentUploadsPerHour, DocumentRetention: cfg.DocumentRetention, DocumentOrphanGrace: cfg.DocumentOrphanGrace,
			ResidentIdleTTL: cfg.ResidentIdleTTL, ResidentMaxTTL: cfg.ResidentMaxTTL,
			StaffIdleTTL: cfg.StaffIdleTTL, StaffMaxTTL: cfg.StaffMaxTTL,
			BureauName: cfg.BureauName, CityRegionCode: cfg.CityRegionCode,
			AuditSealDelay:  cfg.AuditSealDelay,
			WeChatPublicURL: cfg.WeChatPublicURL, WeChatTemplateID: cfg.WeChatTemplateID, WeChatTimeout: cfg.WeChatTimeout,
			StaffLogin: service.LoginLimits{
				PerIP:     storage.Limit{Rate: cfg.StaffLoginPerIPPerMinute, Period: time.Minute, Burst: cfg.StaffLoginPerIPPerMinute},
				Global:    storage.Limit{Rate: cfg.StaffLoginPerMinute, Period: time.Minute, Burst: max(cfg.StaffLoginPerMinute/10, cfg.StaffLoginPerIPPerMinute)},
				MaxHashes: cfg.StaffLoginMaxHashes, HashWait: cfg.StaffLoginHashWait,
			},
		},
		Hasher: opts.Hasher,
	})
	if err := registerMetrics(reg, b, opts.Build, log); err != nil {
		return nil, err
	}
	if opts.TracerProvider != nil {
		if err := instrumentBackends(b, opts.TracerProvider); err != nil {
			return nil, err
		}
	}
	if err := reg.Register(collectors.NewGoCollector()); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	if err := reg.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	srv, err := api.New(a, log, reg, api.Options{
		MaxJSONBytes: cfg.MaxJSONBytes, MaxUploadBytes: cfg.MaxUploadBytes,
		TrustedProxies: cfg.TrustedProxies, Dev: cfg.IsDev(), MetricsToken: cfg.MetricsToken,
		RequestTimeout: cfg.RequestTimeout, LongRequestTimeout: cfg.LongRequestTimeout,
		Guide:          model.DefaultGuide(cfg.BureauName, cfg.HelpLine, int((cfg.PublicityPeriod+23*time.Hour)/(24*time.Hour))),
		TracerProvider: opts.TracerProvider,
	})
	if err != nil {
		return nil, fmt.Errorf("http: %w", err)
	}
	return &Built{App: a, Server: srv, Registry: reg, Jobs: jobs}, nil
}
