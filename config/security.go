package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Security is the part of the configuration that bounds what an attacker
// can cost or see: staff login limits and how /metrics is protected.
type Security struct {
	// StaffLoginPerIPPerMinute and StaffLoginPerMinute are the login
	// attempts allowed per client address and in total, checked before any
	// password is hashed.
	StaffLoginPerIPPerMinute int `yaml:"staff_login_per_ip_per_minute" env:"JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE"`
	StaffLoginPerMinute      int `yaml:"staff_login_per_minute" env:"JIUZHU_STAFF_LOGIN_PER_MINUTE"`
	// StaffLoginMaxHashes bounds the argon2id password checks running at
	// once (each takes ~19 MiB and a core); StaffLoginHashWait is how long
	// a login waits for a slot before 429 login_busy.
	StaffLoginMaxHashes int           `yaml:"staff_login_max_hashes" env:"JIUZHU_STAFF_LOGIN_MAX_HASHES"`
	StaffLoginHashWait  time.Duration `yaml:"staff_login_hash_wait" env:"JIUZHU_STAFF_LOGIN_HASH_WAIT"`
	// MetricsAddr, when set, serves /metrics on its own listener and not on
	// the app port; MetricsToken, when set, requires
	// "Authorization: Bearer <token>" for /metrics on the app port. With
	// neither, /metrics is not served.
	MetricsAddr  string `yaml:"metrics_addr" env:"JIUZHU_METRICS_ADDR"`
	MetricsToken string `yaml:"metrics_token" secret:"true" env:"JIUZHU_METRICS_TOKEN"`
}

func defaultSecurity() Security {
	return Security{
		StaffLoginPerIPPerMinute: 60,
		StaffLoginPerMinute:      1200,
		StaffLoginMaxHashes:      4,
		StaffLoginHashWait:       2 * time.Second,
	}
}

// validate reports bad values through bad (named by their variable).
func (s Security) validate(httpAddr string, bad func(name, format string, args ...any)) {
	if s.StaffLoginPerIPPerMinute < 1 {
		bad("JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE", "must be at least 1")
	}
	if s.StaffLoginPerMinute < s.StaffLoginPerIPPerMinute {
		bad("JIUZHU_STAFF_LOGIN_PER_MINUTE", "must be at least JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE")
	}
	if s.StaffLoginMaxHashes < 1 || s.StaffLoginMaxHashes > 256 {
		bad("JIUZHU_STAFF_LOGIN_MAX_HASHES", "must be between 1 and 256 (each check holds ~19 MiB)")
	}
	if s.StaffLoginHashWait <= 0 || s.StaffLoginHashWait > time.Minute {
		bad("JIUZHU_STAFF_LOGIN_HASH_WAIT", "must be positive and at most 1m")
	}
	if s.MetricsAddr != "" {
		if !strings.Contains(s.MetricsAddr, ":") {
			bad("JIUZHU_METRICS_ADDR", "want host:port or :port, got %q", s.MetricsAddr)
		} else if s.MetricsAddr == httpAddr {
			bad("JIUZHU_METRICS_ADDR", "must differ from JIUZHU_HTTP_ADDR: metrics are not served on the app port")
		}
	}
	if s.MetricsToken != "" {
		if err := checkSecretStrength(s.MetricsToken); err != nil {
			bad("JIUZHU_METRICS_TOKEN", "%v", err)
		}
	}
}

// sourceTreeAbove returns the first directory at or above dir that holds a
// go.mod or a .git, or "" when there is none. The data dir holds the
// SQLite database, residents' documents and the dev secret key: inside a
// checkout they end up committed (a dev secret.key once was).
func sourceTreeAbove(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("JIUZHU_DATA_DIR: %w", err)
	}
	for d := abs; ; {
		for _, marker := range []string{"go.mod", ".git"} {
			if _, err := os.Stat(filepath.Join(d, marker)); err == nil {
				return d, nil
			}
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", nil
		}
		d = parent
	}
}

// checkDataDirOutsideSource refuses a data dir inside a source tree.
func (c Config) checkDataDirOutsideSource() error {
	tree, err := sourceTreeAbove(c.DataDir)
	if err != nil {
		return err
	}
	if tree != "" {
		return fmt.Errorf("JIUZHU_DATA_DIR: %s lies inside the source tree %s (it holds a go.mod or .git); "+
			"the data dir keeps the database, documents and the secret key, which must never be committed: "+
			"set JIUZHU_DATA_DIR to a directory outside any checkout (make run uses ~/.local/share/jiuzhu)", c.DataDir, tree)
	}
	return nil
}
