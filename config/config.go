// Package config is Jiuzhu's one typed configuration. The zero-setup default
// is the embedded mode (SQLite file, in-process sessions, local-disk blobs,
// demo data); a YAML file and JIUZHU_* environment variables override it.
// Load validates everything and names the offending variable on error.
package config

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"

	envlib "github.com/caarlos0/env/v11"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration. YAML keys are the lower-case names
// after the JIUZHU_ prefix (e.g. http_addr, db_driver).
type Config struct {
	HTTPAddr string `yaml:"http_addr" env:"JIUZHU_HTTP_ADDR"`
	DataDir  string `yaml:"data_dir" env:"JIUZHU_DATA_DIR"`
	// Dev enables demo data, the dev outbox and auto-migration. Nil means
	// "not set": on in embedded mode, refused with production backends.
	Dev *bool `yaml:"dev" env:"JIUZHU_DEV"`

	DBDriver          string        `yaml:"db_driver" env:"JIUZHU_DB_DRIVER"`
	DBDSN             string        `yaml:"db_dsn" secret:"dsn" env:"JIUZHU_DB_DSN"`
	DBMaxOpenConns    int           `yaml:"db_max_open_conns" env:"JIUZHU_DB_MAX_OPEN_CONNS"`
	DBMaxIdleConns    int           `yaml:"db_max_idle_conns" env:"JIUZHU_DB_MAX_IDLE_CONNS"`
	DBConnMaxLifetime time.Duration `yaml:"db_conn_max_lifetime" env:"JIUZHU_DB_CONN_MAX_LIFETIME"`
	// DBReplicaDSNs are read replicas of the MySQL primary (comma-separated
	// in the environment): the staff queue, the statistics and the audit
	// list read from them; everything else, and every read inside a
	// transaction, goes to the primary.
	DBReplicaDSNs []string `yaml:"db_replica_dsns" secret:"dsn" env:"JIUZHU_DB_REPLICA_DSNS"`

	RedisAddr     string `yaml:"redis_addr" env:"JIUZHU_REDIS_ADDR"`
	RedisPassword string `yaml:"redis_password" secret:"true" env:"JIUZHU_REDIS_PASSWORD"`
	RedisDB       int    `yaml:"redis_db" env:"JIUZHU_REDIS_DB"`
	RedisPrefix   string `yaml:"redis_prefix" env:"JIUZHU_REDIS_PREFIX"`

	S3Endpoint  string `yaml:"s3_endpoint" env:"JIUZHU_S3_ENDPOINT"`
	S3AccessKey string `yaml:"s3_access_key" secret:"true" env:"JIUZHU_S3_ACCESS_KEY"`
	S3SecretKey string `yaml:"s3_secret_key" secret:"true" env:"JIUZHU_S3_SECRET_KEY"`
	S3Bucket    string `yaml:"s3_bucket" env:"JIUZHU_S3_BUCKET"`
	S3Region    string `yaml:"s3_region" env:"JIUZHU_S3_REGION"`
	S3UseSSL    bool   `yaml:"s3_use_ssl" env:"JIUZHU_S3_USE_SSL"`

	// SecretKey is the key material for PII encryption, blind indexes and
	// token hashing. In dev mode it is generated once into the data dir.
	SecretKey string `yaml:"secret_key" secret:"true" env:"JIUZHU_SECRET_KEY"`

	// SMSWebhookURL is the bureau's SMS platform; empty means no gateway
	// (dev mode uses the outbox instead).
	SMSWebhookURL    string `yaml:"sms_webhook_url" env:"JIUZHU_SMS_WEBHOOK_URL"`
	SMSWebhookSecret string `yaml:"sms_webhook_secret" secret:"true" env:"JIUZHU_SMS_WEBHOOK_SECRET"`
	// ChecksURL is the city's data-sharing platform for the cross-department
	// checks (核对); empty: the demo driver in dev mode, otherwise every
	// source reports unavailable. ChecksTimeout bounds each source's call.
	ChecksURL     string        `yaml:"checks_url" env:"JIUZHU_CHECKS_URL"`
	ChecksSecret  string        `yaml:"checks_secret" secret:"true" env:"JIUZHU_CHECKS_SECRET"`
	ChecksTimeout time.Duration `yaml:"checks_timeout" env:"JIUZHU_CHECKS_TIMEOUT"`

	// Security holds the staff login limits and the /metrics protection.
	Security `yaml:",inline"`
	// WeChat is the 公众号 for WeChat login and status messages (off
	// without an app id).
	WeChat `yaml:",inline"`

	PublicityPeriod time.Duration `yaml:"workflow_publicity_period" env:"JIUZHU_WORKFLOW_PUBLICITY_PERIOD"`
	// BankCSVEncoding is the character set of the bank's batch file of a
	// payment roll: "gbk" (what most banks' batch systems read) or
	// "utf8-bom" (UTF-8 with a byte-order mark).
	BankCSVEncoding string        `yaml:"bank_csv_encoding" env:"JIUZHU_BANK_CSV_ENCODING"`
	MaxUploadBytes  int64         `yaml:"max_upload_bytes" env:"JIUZHU_MAX_UPLOAD_BYTES"`
	MaxJSONBytes    int64         `yaml:"max_json_bytes" env:"JIUZHU_MAX_JSON_BYTES"`
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout" env:"JIUZHU_SHUTDOWN_TIMEOUT"`
	// AuditSealDelay is how long an audit row may stay unsealed: `serve`
	// seals every sixth of it, and `audit verify` reports older rows.
	AuditSealDelay time.Duration `yaml:"audit_seal_delay" env:"JIUZHU_AUDIT_SEAL_DELAY"`
	// RequestTimeout bounds every JSON request, so a hung backend answers
	// 503 within seconds; LongRequestTimeout bounds uploads, document
	// downloads and exports.
	RequestTimeout     time.Duration `yaml:"request_timeout" env:"JIUZHU_REQUEST_TIMEOUT"`
	LongRequestTimeout time.Duration `yaml:"long_request_timeout" env:"JIUZHU_LONG_REQUEST_TIMEOUT"`
	// DataMinFreeBytes is the free space below which /readyz reports the
	// local data disk (SQLite file, local documents) as failed.
	DataMinFreeBytes int64         `yaml:"data_min_free_bytes" env:"JIUZHU_DATA_MIN_FREE_BYTES"`
	TrustedProxies   []string      `yaml:"trusted_proxies" env:"JIUZHU_TRUSTED_PROXIES" envSeparator:","`
	LogLevel         string        `yaml:"log_level" env:"JIUZHU_LOG_LEVEL"`
	KVMaxKeys        int           `yaml:"kv_max_keys" env:"JIUZHU_KV_MAX_KEYS"`
	OutboxSize       int           `yaml:"outbox_size" env:"JIUZHU_OUTBOX_SIZE"`
	ResidentIdleTTL  time.Duration `yaml:"resident_idle_ttl" env:"JIUZHU_RESIDENT_IDLE_TTL"`
	ResidentMaxTTL   time.Duration `yaml:"resident_max_ttl" env:"JIUZHU_RESIDENT_MAX_TTL"`
	StaffIdleTTL     time.Duration `yaml:"staff_idle_ttl" env:"JIUZHU_STAFF_IDLE_TTL"`
	StaffMaxTTL      time.Duration `yaml:"staff_max_ttl" env:"JIUZHU_STAFF_MAX_TTL"`
	BureauName       string        `yaml:"bureau_name" env:"JIUZHU_BUREAU_NAME"`
	// HelpLine is the telephone number the portal's guide and decisions
	// give residents for questions (民政服务热线).
	HelpLine       string `yaml:"help_line" env:"JIUZHU_HELP_LINE"`
	CityRegionCode string `yaml:"city_region_code" env:"JIUZHU_CITY_REGION_CODE"`
	// OTelEndpoint, when set, exports traces by OTLP/HTTP to this URL
	// (e.g. http://otel-collector:4318); empty means tracing is off.
	OTelEndpoint    string `yaml:"otel_endpoint" env:"JIUZHU_OTEL_ENDPOINT"`
	SecretKeyFile   string `yaml:"-"`
	secretGenerated bool

	// Documents: a quota per resident across all their applications, an
	// upload rate per resident, how long documents of withdrawn and
	// rejected cases are kept, how old an object without a row (or a spool
	// file) must be before the sweep removes it, and where uploads spool.
	DocumentQuotaBytes     int64         `yaml:"document_quota_bytes" env:"JIUZHU_DOCUMENT_QUOTA_BYTES"`
	DocumentQuotaCount     int           `yaml:"document_quota_count" env:"JIUZHU_DOCUMENT_QUOTA_COUNT"`
	DocumentUploadsPerHour int           `yaml:"document_uploads_per_hour" env:"JIUZHU_DOCUMENT_UPLOADS_PER_HOUR"`
	DocumentRetention      time.Duration `yaml:"document_retention" env:"JIUZHU_DOCUMENT_RETENTION"`
	DocumentOrphanGrace    time.Duration `yaml:"document_orphan_grace" env:"JIUZHU_DOCUMENT_ORPHAN_GRACE"`
	UploadSpoolDir         string        `yaml:"upload_spool_dir" env:"JIUZHU_UPLOAD_SPOOL_DIR"`
}

// Default returns the embedded-mode configuration.
func Default() Config {
	return Config{
		HTTPAddr:           ":8080",
		DataDir:            "./data",
		DBDriver:           "sqlite",
		DBMaxOpenConns:     20,
		DBMaxIdleConns:     10,
		DBConnMaxLifetime:  5 * time.Minute,
		S3Bucket:           "jiuzhu-documents",
		RedisPrefix:        "jiuzhu:",
		S3Region:           "us-east-1",
		Security:           defaultSecurity(),
		WeChat:             defaultWeChat(),
		PublicityPeriod:    168 * time.Hour,
		BankCSVEncoding:    "gbk",
		MaxUploadBytes:     10 << 20,
		MaxJSONBytes:       1 << 20,
		ShutdownTimeout:    20 * time.Second,
		AuditSealDelay:     time.Minute,
		RequestTimeout:     8 * time.Second,
		ChecksTimeout:      3 * time.Second,
		LongRequestTimeout: 2 * time.Minute,
		DataMinFreeBytes:   64 << 20,
		LogLevel:           "info",
		KVMaxKeys:          200_000,
		OutboxSize:         500,
		ResidentIdleTTL:    7 * 24 * time.Hour,
		ResidentMaxTTL:     30 * 24 * time.Hour,
		StaffIdleTTL:       30 * time.Minute,
		StaffMaxTTL:        12 * time.Hour,
		BureauName:         "湖州市民政局",
		HelpLine:           "12345",
		CityRegionCode:     "330500",

		DocumentQuotaBytes:     100 << 20,
		DocumentQuotaCount:     100,
		DocumentUploadsPerHour: 60,
		DocumentRetention:      180 * 24 * time.Hour,
		DocumentOrphanGrace:    24 * time.Hour,
	}
}

// IsDev reports whether dev mode is on (after Load resolved the default).
func (c Config) IsDev() bool { return c.Dev != nil && *c.Dev }

// Embedded reports whether every backend is the in-process default.
func (c Config) Embedded() bool {
	return c.DBDriver == "sqlite" && c.RedisAddr == "" && c.S3Endpoint == ""
}

// SQLitePath is the database file used when DBDSN is empty.
func (c Config) SQLitePath() string { return filepath.Join(c.DataDir, "jiuzhu.db") }

// BlobDir is the local document directory used when S3Endpoint is empty.
func (c Config) BlobDir() string { return filepath.Join(c.DataDir, "blobs") }

// SecretGenerated reports whether Load generated the dev secret key file.
func (c Config) SecretGenerated() bool { return c.secretGenerated }

// Load builds the configuration: defaults, then the YAML file at path (if
// path is not empty), then the environment given by getenv. It returns an
// error naming the variable for any bad value.
func Load(path string, getenv func(string) string) (Config, error) {
	c := Default()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config file: %w", err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		if err := dec.Decode(&c); err != nil && !errors.Is(err, io.EOF) {
			return Config{}, fmt.Errorf("config file %s: %w", path, err)
		}
	}
	if err := applyEnv(&c, getenv); err != nil {
		return Config{}, err
	}
	if err := c.resolve(); err != nil {
		return Config{}, err
	}
	return c, nil
}

// applyEnv reads the JIUZHU_* variables named in the fields' env tags
// (github.com/caarlos0/env): a variable that is empty or only spaces counts
// as unset, and an error names the variable.
func applyEnv(c *Config, getenv func(string) string) error {
	params, err := envlib.GetFieldParams(c)
	if err != nil {
		return fmt.Errorf("configuration fields: %w", err)
	}
	vars := make(map[string]string, len(params))
	for _, p := range params {
		if v := strings.TrimSpace(getenv(p.Key)); v != "" {
			vars[p.Key] = v
		}
	}
	if err := envlib.ParseWithOptions(c, envlib.Options{Environment: vars}); err != nil {
		return envError(err, vars)
	}
	c.TrustedProxies = splitList(strings.Join(c.TrustedProxies, ","))
	return nil
}

// envError names the variable a parse failed on, with what it wants.
func envError(err error, vars map[string]string) error {
	var agg envlib.AggregateError
	if errors.As(err, &agg) && len(agg.Errors) > 0 {
		err = agg.Errors[0]
	}
	var pe envlib.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("environment: %w", err)
	}
	name := envNameOf(reflect.TypeOf(Config{}), pe.Name)
	if name == "" {
		name = pe.Name
	}
	want := "a valid " + pe.Type.String()
	switch pe.Type {
	case reflect.TypeOf(time.Duration(0)):
		want = "a Go duration (e.g. 168h, 30m)"
	case reflect.TypeOf(true), reflect.TypeOf((*bool)(nil)):
		want = "a boolean (true/false)"
	case reflect.TypeOf(0), reflect.TypeOf(int64(0)):
		want = "an integer"
	}
	return fmt.Errorf("%s: not %s: %q", name, want, vars[name])
}

// envNameOf is the env tag of the field called field in t or a struct it
// embeds ("" when there is none).
func envNameOf(t reflect.Type, field string) string {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Name == field {
			if name := f.Tag.Get("env"); name != "" {
				return name
			}
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			if name := envNameOf(f.Type, field); name != "" {
				return name
			}
		}
	}
	return ""
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// resolve fills derived defaults (dev mode, the dev secret key) and validates.
func (c *Config) resolve() error {
	if c.Dev == nil {
		dev := c.Embedded()
		c.Dev = &dev
	}
	if err := c.Validate(); err != nil {
		return err
	}
	usesDataDir := c.DBDriver == "sqlite" || c.S3Endpoint == "" || (c.SecretKey == "" && c.IsDev())
	if usesDataDir {
		if err := c.checkDataDirOutsideSource(); err != nil {
			return err
		}
	}
	if c.SecretKey == "" && c.IsDev() {
		if err := c.loadOrCreateDevSecret(); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks every value; the error names the variable to fix.
func (c Config) Validate() error {
	var errs []error
	bad := func(name, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...)))
	}
	if c.OTelEndpoint != "" {
		if u, err := url.Parse(c.OTelEndpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("JIUZHU_OTEL_ENDPOINT", "want an http(s) URL of an OTLP/HTTP collector, got %q", c.OTelEndpoint)
		}
	}
	if c.HTTPAddr == "" || !strings.Contains(c.HTTPAddr, ":") {
		bad("JIUZHU_HTTP_ADDR", "want host:port or :port, got %q", c.HTTPAddr)
	} else if _, p, _ := strings.Cut(c.HTTPAddr[strings.LastIndex(c.HTTPAddr, ":"):], ":"); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 0 || n > 65535 {
			bad("JIUZHU_HTTP_ADDR", "bad port %q", p)
		}
	}
	if c.DataDir == "" {
		bad("JIUZHU_DATA_DIR", "must not be empty")
	}
	switch c.DBDriver {
	case "sqlite":
		if len(c.DBReplicaDSNs) > 0 {
			bad("JIUZHU_DB_REPLICA_DSNS", "read replicas need JIUZHU_DB_DRIVER=mysql")
		}
	case "mysql":
		if c.DBDSN == "" {
			bad("JIUZHU_DB_DSN", "required when JIUZHU_DB_DRIVER=mysql")
		}
		for _, r := range c.DBReplicaDSNs {
			if strings.TrimSpace(r) == "" {
				bad("JIUZHU_DB_REPLICA_DSNS", "an empty DSN in the list")
			}
		}
	default:
		bad("JIUZHU_DB_DRIVER", "want sqlite or mysql, got %q", c.DBDriver)
	}
	if c.DBMaxOpenConns < 1 {
		bad("JIUZHU_DB_MAX_OPEN_CONNS", "must be at least 1")
	}
	if c.DBMaxIdleConns < 0 || c.DBMaxIdleConns > c.DBMaxOpenConns {
		bad("JIUZHU_DB_MAX_IDLE_CONNS", "must be between 0 and JIUZHU_DB_MAX_OPEN_CONNS")
	}
	if c.DBConnMaxLifetime <= 0 || c.DBConnMaxLifetime > time.Hour {
		bad("JIUZHU_DB_CONN_MAX_LIFETIME", "must be positive and at most 1h (below the server's wait_timeout)")
	}
	if c.S3Endpoint != "" {
		if strings.Contains(c.S3Endpoint, "://") {
			bad("JIUZHU_S3_ENDPOINT", "give host:port without a scheme (use JIUZHU_S3_USE_SSL)")
		}
		if c.S3AccessKey == "" {
			bad("JIUZHU_S3_ACCESS_KEY", "required when JIUZHU_S3_ENDPOINT is set")
		}
		if c.S3SecretKey == "" {
			bad("JIUZHU_S3_SECRET_KEY", "required when JIUZHU_S3_ENDPOINT is set")
		}
		if c.S3Bucket == "" {
			bad("JIUZHU_S3_BUCKET", "required when JIUZHU_S3_ENDPOINT is set")
		}
	}
	if c.SMSWebhookURL != "" {
		if u, err := url.Parse(c.SMSWebhookURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("JIUZHU_SMS_WEBHOOK_URL", "want an absolute http(s) URL")
		}
		if len(c.SMSWebhookSecret) < 16 {
			bad("JIUZHU_SMS_WEBHOOK_SECRET", "required with JIUZHU_SMS_WEBHOOK_URL, at least 16 characters")
		}
	}
	if c.ChecksURL != "" {
		if u, err := url.Parse(c.ChecksURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("JIUZHU_CHECKS_URL", "want an absolute http(s) URL")
		}
		if len(c.ChecksSecret) < 16 {
			bad("JIUZHU_CHECKS_SECRET", "required with JIUZHU_CHECKS_URL, at least 16 characters")
		}
	}
	// The request's own deadline (JIUZHU_REQUEST_TIMEOUT) still bounds a
	// longer value.
	if c.ChecksTimeout < 100*time.Millisecond {
		bad("JIUZHU_CHECKS_TIMEOUT", "must be at least 100ms")
	}
	c.Security.validate(c.HTTPAddr, bad)
	c.WeChat.validate(c.IsDev(), bad)
	if c.BankCSVEncoding != "gbk" && c.BankCSVEncoding != "utf8-bom" {
		bad("JIUZHU_BANK_CSV_ENCODING", "want gbk or utf8-bom")
	}
	if c.PublicityPeriod <= 0 {
		bad("JIUZHU_WORKFLOW_PUBLICITY_PERIOD", "must be positive")
	}
	if c.MaxUploadBytes < 1024 || c.MaxUploadBytes > 1<<30 {
		bad("JIUZHU_MAX_UPLOAD_BYTES", "must be between 1 KiB and 1 GiB")
	}
	if c.MaxJSONBytes < 1024 {
		bad("JIUZHU_MAX_JSON_BYTES", "must be at least 1 KiB")
	}
	if c.ShutdownTimeout <= 0 {
		bad("JIUZHU_SHUTDOWN_TIMEOUT", "must be positive")
	}
	if c.AuditSealDelay < time.Second {
		bad("JIUZHU_AUDIT_SEAL_DELAY", "must be at least 1s")
	}
	if c.RequestTimeout < 100*time.Millisecond {
		bad("JIUZHU_REQUEST_TIMEOUT", "must be at least 100ms")
	}
	if c.LongRequestTimeout < c.RequestTimeout {
		bad("JIUZHU_LONG_REQUEST_TIMEOUT", "must not be below JIUZHU_REQUEST_TIMEOUT")
	}
	if c.DataMinFreeBytes < 0 {
		bad("JIUZHU_DATA_MIN_FREE_BYTES", "must not be negative")
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("JIUZHU_LOG_LEVEL", "want debug, info, warn or error, got %q", c.LogLevel)
	}
	if c.KVMaxKeys < 100 {
		bad("JIUZHU_KV_MAX_KEYS", "must be at least 100")
	}
	if c.OutboxSize < 1 {
		bad("JIUZHU_OUTBOX_SIZE", "must be at least 1")
	}
	for _, p := range []struct {
		name      string
		idle, max time.Duration
		maxName   string
	}{
		{"JIUZHU_RESIDENT_IDLE_TTL", c.ResidentIdleTTL, c.ResidentMaxTTL, "JIUZHU_RESIDENT_MAX_TTL"},
		{"JIUZHU_STAFF_IDLE_TTL", c.StaffIdleTTL, c.StaffMaxTTL, "JIUZHU_STAFF_MAX_TTL"},
	} {
		if p.idle <= 0 || p.idle > p.max {
			bad(p.name, "must be positive and not above %s", p.maxName)
		}
	}
	if len(c.CityRegionCode) != 6 {
		bad("JIUZHU_CITY_REGION_CODE", "want a 6-digit region code")
	}
	if c.DocumentQuotaBytes < 1024 {
		bad("JIUZHU_DOCUMENT_QUOTA_BYTES", "must be at least 1 KiB")
	}
	if c.DocumentQuotaCount < 1 {
		bad("JIUZHU_DOCUMENT_QUOTA_COUNT", "must be at least 1")
	}
	if c.DocumentUploadsPerHour < 1 {
		bad("JIUZHU_DOCUMENT_UPLOADS_PER_HOUR", "must be at least 1")
	}
	if c.DocumentRetention < 24*time.Hour {
		bad("JIUZHU_DOCUMENT_RETENTION", "must be at least 24h")
	}
	if c.DocumentOrphanGrace < time.Hour {
		bad("JIUZHU_DOCUMENT_ORPHAN_GRACE", "must be at least 1h (longer than any upload takes)")
	}
	dev := c.IsDev()
	if c.SecretKey != "" {
		if err := checkSecretStrength(c.SecretKey); err != nil {
			bad("JIUZHU_SECRET_KEY", "%v", err)
		}
	} else if !dev {
		bad("JIUZHU_SECRET_KEY", "required outside dev mode (at least 32 random bytes, e.g. `openssl rand -hex 32`)")
	}
	return errors.Join(errs...)
}

// checkSecretStrength refuses short or low-variety keys.
func checkSecretStrength(s string) error {
	if len(s) < 32 {
		return fmt.Errorf("too short (%d characters); use at least 32 random bytes, e.g. `openssl rand -hex 32`", len(s))
	}
	distinct := map[rune]bool{}
	for _, r := range s {
		distinct[r] = true
	}
	if len(distinct) < 10 {
		return errors.New("too little variety; use random bytes, e.g. `openssl rand -hex 32`")
	}
	if strings.Contains(strings.ToLower(s), "changeme") || strings.Contains(strings.ToLower(s), "secret") {
		return errors.New("looks like a placeholder; use random bytes")
	}
	return nil
}

// loadOrCreateDevSecret keeps a generated key in the data dir so dev data
// stays readable across restarts.
func (c *Config) loadOrCreateDevSecret() error {
	c.SecretKeyFile = filepath.Join(c.DataDir, "secret.key")
	b, err := os.ReadFile(c.SecretKeyFile)
	if err == nil {
		c.SecretKey = strings.TrimSpace(string(b))
		if err := checkSecretStrength(c.SecretKey); err != nil {
			return fmt.Errorf("JIUZHU_SECRET_KEY (from %s): %w", c.SecretKeyFile, err)
		}
		return nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("JIUZHU_SECRET_KEY: read %s: %w", c.SecretKeyFile, err)
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return fmt.Errorf("JIUZHU_DATA_DIR: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return fmt.Errorf("generate secret key: %w", err)
	}
	c.SecretKey = hex.EncodeToString(raw)
	f, err := os.OpenFile(c.SecretKeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("JIUZHU_SECRET_KEY: create %s: %w", c.SecretKeyFile, err)
	}
	if _, err := f.WriteString(c.SecretKey + "\n"); err != nil {
		f.Close()
		return fmt.Errorf("JIUZHU_SECRET_KEY: write %s: %w", c.SecretKeyFile, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("JIUZHU_SECRET_KEY: sync %s: %w", c.SecretKeyFile, err)
	}
	c.secretGenerated = true
	return f.Close()
}

// Redacted returns a copy safe to log or print: every field tagged
// `secret:"true"` replaced by "***" when set, and the password of every
// field tagged `secret:"dsn"` (a DSN or a list of them) hidden. The tags
// are the one list of secrets, so a new secret field is masked by its tag.
func (c Config) Redacted() Config {
	r := c
	redactFields(reflect.ValueOf(&r).Elem())
	return r
}

// redactFields masks the secret-tagged fields of the struct v, and of the
// structs it holds (Security is embedded).
func redactFields(v reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		f := v.Field(i)
		if !t.Field(i).IsExported() {
			continue
		}
		switch t.Field(i).Tag.Get("secret") {
		case "true":
			if f.Kind() == reflect.String && f.String() != "" {
				f.SetString("***")
			}
		case "dsn":
			switch f.Kind() {
			case reflect.String:
				f.SetString(redactDSN(f.String()))
			case reflect.Slice:
				masked := make([]string, f.Len())
				for j := range masked {
					masked[j] = redactDSN(f.Index(j).String())
				}
				f.Set(reflect.ValueOf(masked))
			}
		default:
			if f.Kind() == reflect.Struct {
				redactFields(f)
			}
		}
	}
}

// LogValue makes a Config log as its redacted fields.
func (c Config) LogValue() slog.Value {
	r := c.Redacted()
	return slog.GroupValue(
		slog.String("http_addr", r.HTTPAddr), slog.String("data_dir", r.DataDir), slog.Bool("dev", r.IsDev()),
		slog.String("db_driver", r.DBDriver), slog.String("db_dsn", r.DBDSN),
		slog.String("redis_addr", r.RedisAddr), slog.String("redis_password", r.RedisPassword),
		slog.String("s3_endpoint", r.S3Endpoint), slog.String("s3_access_key", r.S3AccessKey),
		slog.String("s3_secret_key", r.S3SecretKey), slog.String("s3_bucket", r.S3Bucket), slog.Bool("s3_use_ssl", r.S3UseSSL),
		slog.String("secret_key", r.SecretKey), slog.Duration("workflow_publicity_period", r.PublicityPeriod),
		slog.Int64("max_upload_bytes", r.MaxUploadBytes),
	)
}

// redactDSN hides the password of user:password@… DSNs.
func redactDSN(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	if at < 0 {
		return dsn
	}
	creds := dsn[:at]
	if i := strings.Index(creds, ":"); i >= 0 {
		return creds[:i] + ":***" + dsn[at:]
	}
	return dsn
}
