// Package storage holds Jiuzhu's backends: the database (GORM over SQLite or
// MySQL/MariaDB), blobs (local disk or S3) and the key-value store (memory or
// Redis). Every backend translates its errors into model errors.
package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	mysqldrv "github.com/go-sql-driver/mysql"
	"github.com/libtnb/sqlite"
	"github.com/pressly/goose/v3"
	"go.opentelemetry.io/otel/trace"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
	"gorm.io/plugin/dbresolver"

	"github.com/jiuzhu/jiuzhu/model"
)

//go:embed migrations
var migrationsFS embed.FS

// DBConfig selects and tunes the database.
type DBConfig struct {
	Driver string // "sqlite" or "mysql"
	// DSN for mysql; for sqlite either a DSN or empty, then Path is used.
	DSN             string
	Path            string
	MaxOpenConns    int
	MaxIdleConns    int
	ConnMaxLifetime time.Duration
	// ReplicaDSNs are MySQL read replicas of DSN (each pooled like the
	// primary). Only the reads that may lag go to them (see DB.read).
	ReplicaDSNs []string
}

// DB is the database handle. Store methods read the transaction carried in
// the context (see InTx) so they join it when there is one.
type DB struct {
	gorm    *gorm.DB
	sql     *sql.DB
	dialect string
	// reader, with read replicas configured, is a second handle on the
	// primary's pool whose reads dbresolver sends to a replica; nil
	// without replicas. replicas are their pools, closed with the DB.
	reader   *gorm.DB
	replicas []*sql.DB
	// tracer, set by UseTracing, spans each transaction (InTx).
	tracer trace.Tracer
}

// OpenDB connects to the database and tunes the pool. It does not migrate.
func OpenDB(ctx context.Context, cfg DBConfig) (*DB, error) {
	var dialector gorm.Dialector
	switch cfg.Driver {
	case "sqlite":
		dsn := cfg.DSN
		if dsn == "" {
			if err := os.MkdirAll(filepath.Dir(cfg.Path), 0o700); err != nil {
				return nil, fmt.Errorf("create database dir: %w", err)
			}
			dsn = SQLiteDSN(cfg.Path)
		}
		dialector = sqlite.Open(dsn)
	case "mysql":
		dialector = mysql.New(mysql.Config{DSN: MySQLDSN(cfg.DSN)})
	default:
		return nil, fmt.Errorf("unknown database driver %q (want sqlite or mysql)", cfg.Driver)
	}
	if len(cfg.ReplicaDSNs) > 0 && cfg.Driver != "mysql" {
		return nil, fmt.Errorf("read replicas need the mysql driver, not %q", cfg.Driver)
	}
	g, err := gorm.Open(dialector, gormConfig())
	if err != nil {
		return nil, model.Unavailable("database", fmt.Errorf("open %s: %w", cfg.Driver, err))
	}
	sqlDB, err := g.DB()
	if err != nil {
		return nil, fmt.Errorf("database handle: %w", err)
	}
	sqlDB.SetMaxOpenConns(cfg.MaxOpenConns)
	sqlDB.SetMaxIdleConns(cfg.MaxIdleConns)
	sqlDB.SetConnMaxLifetime(cfg.ConnMaxLifetime)
	sqlDB.SetConnMaxIdleTime(cfg.ConnMaxLifetime / 2)
	db := &DB{gorm: g, sql: sqlDB, dialect: cfg.Driver}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		_ = sqlDB.Close()
		return nil, err
	}
	if cfg.Driver == "mysql" {
		// Connections must be retired before the server drops them, or the
		// pool hands out dead connections after a quiet night.
		var waitTimeout int64
		if err := sqlDB.QueryRowContext(pingCtx, "SELECT @@wait_timeout").Scan(&waitTimeout); err == nil && waitTimeout > 0 {
			if limit := time.Duration(waitTimeout) * time.Second; cfg.ConnMaxLifetime >= limit {
				sqlDB.SetConnMaxLifetime(limit / 2)
				sqlDB.SetConnMaxIdleTime(limit / 4)
			}
		}
	}
	if len(cfg.ReplicaDSNs) > 0 {
		if err := db.openReplicas(pingCtx, cfg); err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

func gormConfig() *gorm.Config {
	return &gorm.Config{
		Logger:                 logger.Discard,
		TranslateError:         true,
		SkipDefaultTransaction: true,
		NowFunc:                func() time.Time { return time.Now().UTC() },
	}
}

// openReplicas connects to each read replica (pinged, pooled like the
// primary) and builds db.reader: the primary's pool with dbresolver
// routing its reads to a replica picked at random.
func (db *DB) openReplicas(ctx context.Context, cfg DBConfig) error {
	dialectors := make([]gorm.Dialector, 0, len(cfg.ReplicaDSNs))
	for i, dsn := range cfg.ReplicaDSNs {
		r, err := sql.Open("mysql", MySQLDSN(dsn))
		if err != nil {
			return fmt.Errorf("read replica %d: %w", i+1, err)
		}
		db.replicas = append(db.replicas, r)
		r.SetMaxOpenConns(cfg.MaxOpenConns)
		r.SetMaxIdleConns(cfg.MaxIdleConns)
		r.SetConnMaxLifetime(cfg.ConnMaxLifetime)
		r.SetConnMaxIdleTime(cfg.ConnMaxLifetime / 2)
		if err := r.PingContext(ctx); err != nil {
			return model.Unavailable("database", fmt.Errorf("read replica %d: %w", i+1, err))
		}
		dialectors = append(dialectors, mysql.New(mysql.Config{Conn: r}))
	}
	reader, err := gorm.Open(mysql.New(mysql.Config{Conn: db.sql}), gormConfig())
	if err != nil {
		return fmt.Errorf("reader handle: %w", err)
	}
	if err := reader.Use(dbresolver.Register(dbresolver.Config{Replicas: dialectors, Policy: dbresolver.RandomPolicy{}})); err != nil {
		return fmt.Errorf("read replicas: %w", err)
	}
	db.reader = reader
	return nil
}

// SQLiteDSN is the DSN for a SQLite file with the settings concurrent
// writers need: immediate transactions (so read-then-write transactions
// queue instead of failing with SQLITE_BUSY), a busy timeout, WAL and
// foreign keys.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_txlock=immediate&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_timezone=UTC"
}

// The MySQL connection limits MySQLDSN adds when the DSN does not set them.
const (
	mysqlDialTimeout = 5 * time.Second
	mysqlIOTimeout   = 30 * time.Second
)

// MySQLDSN adds the parameters Jiuzhu relies on (parseTime, utf8mb4, UTC)
// to a go-sql-driver DSN when they are missing.
func MySQLDSN(dsn string) string {
	add := func(k, v string) {
		if !strings.Contains(dsn, k+"=") {
			sep := "?"
			if strings.Contains(dsn, "?") {
				sep = "&"
			}
			dsn += sep + k + "=" + v
		}
	}
	add("parseTime", "true")
	add("charset", "utf8mb4")
	add("loc", "UTC")
	// RowsAffected counts matched rows, as on SQLite, so a conditional
	// update that writes the values a row already has is not a conflict.
	add("clientFoundRows", "true")
	// Send each statement with its arguments in one round trip instead of
	// prepare, execute and close (three). The driver escapes the values; it
	// refuses only multibyte charsets other than UTF-8, and ours is utf8mb4.
	add("interpolateParams", "true")
	// A server that stops answering (paused, or gone without a FIN) must
	// fail the call instead of holding the request until TCP gives up.
	// Requests carry shorter deadlines of their own; these bound what runs
	// without one (migrations, the scheduler, exports).
	add("timeout", mysqlDialTimeout.String())
	add("readTimeout", mysqlIOTimeout.String())
	add("writeTimeout", mysqlIOTimeout.String())
	return dsn
}

// Dialect is "sqlite" or "mysql".
func (db *DB) Dialect() string { return db.dialect }

// Close closes the pool and the replicas' pools.
func (db *DB) Close() error {
	errs := []error{db.sql.Close()}
	for _, r := range db.replicas {
		errs = append(errs, r.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.sql.PingContext(ctx); err != nil {
		return model.Unavailable("database", err)
	}
	return nil
}

type txKey struct{}

// InTx runs fn in a transaction carried in the context it passes on. When ctx
// already carries one, fn joins it (no nested transaction), so services can
// compose. The transaction commits when fn returns nil and rolls back
// otherwise; fn's error is returned as it is. Never hold a transaction across
// a blob upload or an outside call.
func (db *DB) InTx(ctx context.Context, fn func(ctx context.Context) error) error {
	if _, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return fn(ctx)
	}
	if db.tracer != nil {
		var span trace.Span
		ctx, span = db.tracer.Start(ctx, "db.transaction")
		defer span.End()
	}
	var err error
	var hooks *commitHooks
	for attempt := 1; ; attempt++ {
		// A retried attempt starts with no hooks: only the attempt that
		// commits runs its own.
		hooks = &commitHooks{}
		err = db.gorm.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			return fn(context.WithValue(context.WithValue(ctx, txKey{}, tx), commitHooksKey{}, hooks))
		})
		// A deadlock victim's transaction was rolled back whole; running it
		// again is safe and is what MySQL asks for.
		if attempt < 6 && isRetryable(err) && ctx.Err() == nil {
			// Back off with jitter so the same transactions do not collide again.
			time.Sleep(time.Duration(attempt*attempt)*5*time.Millisecond + time.Duration(rand.IntN(10))*time.Millisecond)
			continue
		}
		break
	}
	if err != nil {
		var me *model.Error
		if errors.As(err, &me) {
			return err
		}
		return translate("transaction", err)
	}
	hooks.run()
	return nil
}

type commitHooksKey struct{}

// commitHooks are what AfterCommit deferred in one transaction.
type commitHooks struct {
	mu  sync.Mutex
	fns []func()
}

func (h *commitHooks) add(fn func()) {
	h.mu.Lock()
	h.fns = append(h.fns, fn)
	h.mu.Unlock()
}

func (h *commitHooks) run() {
	h.mu.Lock()
	fns := h.fns
	h.fns = nil
	h.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// AfterCommit runs fn once the transaction carried in ctx has committed,
// and never when it rolls back; outside a transaction it runs fn at once.
// It is for what must not happen inside a transaction or before its data
// is visible: outside calls such as a message to a resident's WeChat. fn
// runs on the committing goroutine, so it should be quick or start its own.
func (db *DB) AfterCommit(ctx context.Context, fn func()) {
	if h, ok := ctx.Value(commitHooksKey{}).(*commitHooks); ok {
		h.add(fn)
		return
	}
	fn()
}

// conn returns the transaction in ctx, or the pool bound to ctx.
func (db *DB) conn(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	return db.gorm.WithContext(ctx)
}

// read is conn for the reads that may lag the primary by the replication
// delay: the staff queue, the statistics and the audit list. With read
// replicas configured they go to one; inside a transaction, or without
// replicas, they are conn's. Never use it for a read a write depends on.
func (db *DB) read(ctx context.Context) *gorm.DB {
	if tx, ok := ctx.Value(txKey{}).(*gorm.DB); ok {
		return tx
	}
	if db.reader != nil {
		return db.reader.WithContext(ctx).Clauses(dbresolver.Read)
	}
	return db.gorm.WithContext(ctx)
}

// translate maps driver and GORM errors to model errors, keeping the cause.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var me *model.Error
	if errors.As(err, &me) {
		return err
	}
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound), errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: %w", op, model.ErrNotFound)
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return fmt.Errorf("%s: %w", op, &model.Error{Kind: model.KindConflict, Code: "duplicate", Message: "already exists", Err: err})
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return fmt.Errorf("%s: %w", op, &model.Error{Kind: model.KindInvalid, Code: "unknown_reference", Message: "refers to something that does not exist", Err: err})
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("%s: %w", op, model.Unavailable("database", err))
	case lostConnection(err):
		return fmt.Errorf("%s: %w", op, model.Unavailable("database", err))
	}
	return fmt.Errorf("%s: %w", op, err)
}

// createIfAbsent inserts row unless a unique key of it exists, and reports
// whether it inserted. Not ON CONFLICT DO NOTHING: on MySQL that is ON
// DUPLICATE KEY UPDATE, which reports a duplicate as one row affected
// under clientFoundRows (which the conditional updates rely on). A
// duplicate fails only its statement, also inside a transaction.
func (db *DB) createIfAbsent(ctx context.Context, what string, row any) (bool, error) {
	err := db.conn(ctx).Create(row).Error
	if errors.Is(err, gorm.ErrDuplicatedKey) {
		return false, nil
	}
	if err != nil {
		return false, translate(what, err)
	}
	return true, nil
}

// isRetryable reports MySQL deadlocks and lock-wait timeouts.
func isRetryable(err error) bool {
	var me *mysqldrv.MySQLError
	if errors.As(err, &me) {
		return me.Number == 1213 || me.Number == 1205
	}
	return false
}

// migrationsFor returns the migration folder of the dialect.
func (db *DB) migrationsFor() (fs.FS, goose.Dialect, error) {
	sub, err := fs.Sub(migrationsFS, "migrations/"+db.dialect)
	if err != nil {
		return nil, "", fmt.Errorf("migrations for %s: %w", db.dialect, err)
	}
	if db.dialect == "mysql" {
		return sub, goose.DialectMySQL, nil
	}
	return sub, goose.DialectSQLite3, nil
}

func (db *DB) provider() (*goose.Provider, error) {
	fsys, dialect, err := db.migrationsFor()
	if err != nil {
		return nil, err
	}
	p, err := goose.NewProvider(dialect, db.sql, fsys)
	if err != nil {
		return nil, fmt.Errorf("migration provider: %w", err)
	}
	return p, nil
}

// MigrationStatus is one migration and whether it is applied.
type MigrationStatus struct {
	Version   int64
	Name      string
	Applied   bool
	AppliedAt time.Time
}

// MigrateUp applies every pending migration and returns the versions applied.
func (db *DB) MigrateUp(ctx context.Context) ([]int64, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrate up: %w", err)
	}
	out := make([]int64, 0, len(res))
	for _, r := range res {
		out = append(out, r.Source.Version)
	}
	return out, nil
}

// MigrationStatuses lists every known migration with its state.
func (db *DB) MigrationStatuses(ctx context.Context) ([]MigrationStatus, error) {
	p, err := db.provider()
	if err != nil {
		return nil, err
	}
	st, err := p.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration status: %w", err)
	}
	out := make([]MigrationStatus, 0, len(st))
	for _, s := range st {
		out = append(out, MigrationStatus{
			Version:   s.Source.Version,
			Name:      filepath.Base(s.Source.Path),
			Applied:   s.State == goose.StateApplied,
			AppliedAt: s.AppliedAt,
		})
	}
	return out, nil
}

// HasPendingMigrations reports whether the schema is behind the binary.
func (db *DB) HasPendingMigrations(ctx context.Context) (bool, error) {
	p, err := db.provider()
	if err != nil {
		return false, err
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return false, fmt.Errorf("migration check: %w", err)
	}
	return pending, nil
}
