package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestDefaultsAreEmbeddedDevMode(t *testing.T) {
	dir := t.TempDir()
	c, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": dir}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Embedded() || !c.IsDev() || c.HTTPAddr != ":8080" || c.PublicityPeriod != 168*time.Hour {
		t.Fatalf("defaults: %+v", c)
	}
	if !c.SecretGenerated() || len(c.SecretKey) < 32 {
		t.Fatal("dev mode should generate a secret key")
	}
	again, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": dir}))
	if err != nil || again.SecretKey != c.SecretKey || again.SecretGenerated() {
		t.Fatal("the dev secret key must be kept in the data dir and reused")
	}
	if fi, err := os.Stat(filepath.Join(dir, "secret.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secret key file: %v %v", fi, err)
	}
}

func TestBadValuesNameTheVariable(t *testing.T) {
	good := "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{"JIUZHU_WORKFLOW_PUBLICITY_PERIOD": "a week"}, "JIUZHU_WORKFLOW_PUBLICITY_PERIOD"},
		{map[string]string{"JIUZHU_WORKFLOW_PUBLICITY_PERIOD": "-1h"}, "JIUZHU_WORKFLOW_PUBLICITY_PERIOD"},
		{map[string]string{"JIUZHU_DEV": "maybe"}, "JIUZHU_DEV"},
		{map[string]string{"JIUZHU_DB_DRIVER": "postgres"}, "JIUZHU_DB_DRIVER"},
		{map[string]string{"JIUZHU_DB_DRIVER": "mysql", "JIUZHU_SECRET_KEY": good}, "JIUZHU_DB_DSN"},
		{map[string]string{"JIUZHU_HTTP_ADDR": "8080"}, "JIUZHU_HTTP_ADDR"},
		{map[string]string{"JIUZHU_HTTP_ADDR": ":99999"}, "JIUZHU_HTTP_ADDR"},
		{map[string]string{"JIUZHU_S3_ENDPOINT": "http://minio:9000", "JIUZHU_SECRET_KEY": good}, "JIUZHU_S3_ENDPOINT"},
		{map[string]string{"JIUZHU_S3_ENDPOINT": "minio:9000", "JIUZHU_SECRET_KEY": good}, "JIUZHU_S3_ACCESS_KEY"},
		{map[string]string{"JIUZHU_S3_USE_SSL": "yes please"}, "JIUZHU_S3_USE_SSL"},
		{map[string]string{"JIUZHU_MAX_UPLOAD_BYTES": "ten"}, "JIUZHU_MAX_UPLOAD_BYTES"},
		{map[string]string{"JIUZHU_SMS_WEBHOOK_URL": "sms.gov.cn/send", "JIUZHU_SMS_WEBHOOK_SECRET": good}, "JIUZHU_SMS_WEBHOOK_URL"},
		{map[string]string{"JIUZHU_SMS_WEBHOOK_URL": "https://sms.example/send"}, "JIUZHU_SMS_WEBHOOK_SECRET"},
		{map[string]string{"JIUZHU_REDIS_ADDR": "redis:6379"}, "JIUZHU_SECRET_KEY"},             // production backends need a key
		{map[string]string{"JIUZHU_SECRET_KEY": "short"}, "JIUZHU_SECRET_KEY"},                  // too short
		{map[string]string{"JIUZHU_SECRET_KEY": strings.Repeat("ab", 20)}, "JIUZHU_SECRET_KEY"}, // no variety
		{map[string]string{"JIUZHU_METRICS_ADDR": ":8080"}, "JIUZHU_METRICS_ADDR"},              // the app port
		{map[string]string{"JIUZHU_METRICS_ADDR": "9090"}, "JIUZHU_METRICS_ADDR"},
		{map[string]string{"JIUZHU_METRICS_TOKEN": "short"}, "JIUZHU_METRICS_TOKEN"},
		{map[string]string{"JIUZHU_STAFF_LOGIN_MAX_HASHES": "0"}, "JIUZHU_STAFF_LOGIN_MAX_HASHES"},
		{map[string]string{"JIUZHU_STAFF_LOGIN_HASH_WAIT": "-1s"}, "JIUZHU_STAFF_LOGIN_HASH_WAIT"},
		{map[string]string{"JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE": "0"}, "JIUZHU_STAFF_LOGIN_PER_IP_PER_MINUTE"},
	}
	for _, tc := range cases {
		tc.vars["JIUZHU_DATA_DIR"] = t.TempDir()
		_, err := Load("", env(tc.vars))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.vars, err, tc.want)
		}
	}
}

func TestProductionBackendsTurnDevOff(t *testing.T) {
	key := "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"
	c, err := Load("", env(map[string]string{"JIUZHU_REDIS_ADDR": "redis:6379", "JIUZHU_SECRET_KEY": key, "JIUZHU_DATA_DIR": t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	if c.IsDev() {
		t.Fatal("dev mode must be off by default with production backends")
	}
	c, err = Load("", env(map[string]string{"JIUZHU_REDIS_ADDR": "redis:6379", "JIUZHU_SECRET_KEY": key, "JIUZHU_DEV": "true", "JIUZHU_DATA_DIR": t.TempDir()}))
	if err != nil || !c.IsDev() {
		t.Fatalf("explicit JIUZHU_DEV=true: %v %v", c.IsDev(), err)
	}
}

func TestFileThenEnvironment(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "jiuzhu.yaml")
	yaml := "http_addr: 127.0.0.1:9000\nworkflow_publicity_period: 48h\ndata_dir: " + dir + "\n"
	if err := os.WriteFile(path, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path, env(map[string]string{"JIUZHU_HTTP_ADDR": "127.0.0.1:9001"}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HTTPAddr != "127.0.0.1:9001" || c.PublicityPeriod != 48*time.Hour {
		t.Fatalf("file then env: %s %s", c.HTTPAddr, c.PublicityPeriod)
	}
	if err := os.WriteFile(path, []byte("no_such_key: 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path, env(nil)); err == nil {
		t.Fatal("an unknown key in the file should be refused")
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml"), env(nil)); err == nil {
		t.Fatal("a missing config file should be refused")
	}
}

func TestSecretsAreMaskedWhenLogged(t *testing.T) {
	c := Default()
	c.SecretKey = "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"
	c.S3SecretKey = "minio-secret-value"
	c.RedisPassword = "redis-pass"
	c.SMSWebhookSecret = "sms-platform-secret"
	c.DBDSN = "jiuzhu:db-password@tcp(db:3306)/jiuzhu"
	for _, s := range []string{
		func() string { r := c.Redacted(); return r.SecretKey + r.S3SecretKey + r.RedisPassword + r.DBDSN }(),
		c.LogValue().String(),
	} {
		for _, secret := range []string{c.SecretKey, c.S3SecretKey, c.RedisPassword, c.SMSWebhookSecret, "db-password"} {
			if strings.Contains(s, secret) {
				t.Errorf("secret %q visible in %q", secret, s)
			}
		}
	}
}

// A data dir inside a checkout (a go.mod or .git above it) is refused with
// a message that says why and what to do; the dev key is never written
// there.
func TestDataDirInsideSourceTreeRefused(t *testing.T) {
	for _, marker := range []string{"go.mod", ".git"} {
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, marker), []byte("module x\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		data := filepath.Join(root, "cmd", "jiuzhu", "data")
		_, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": data}))
		if err == nil || !strings.Contains(err.Error(), "JIUZHU_DATA_DIR") || !strings.Contains(err.Error(), "source tree") {
			t.Fatalf("%s above the data dir: err %v", marker, err)
		}
		if _, err := os.Stat(filepath.Join(data, "secret.key")); !os.IsNotExist(err) {
			t.Fatalf("%s: a secret key was written inside the source tree (%v)", marker, err)
		}
	}
	// Production backends with a key of their own do not use the data dir.
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": filepath.Join(root, "data"), "JIUZHU_DB_DRIVER": "mysql",
		"JIUZHU_DB_DSN": "u:p@tcp(db:3306)/j", "JIUZHU_S3_ENDPOINT": "s3:9000", "JIUZHU_S3_ACCESS_KEY": "a", "JIUZHU_S3_SECRET_KEY": "b",
		"JIUZHU_SECRET_KEY": "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"}))
	if err != nil {
		t.Fatalf("data dir unused: %v", err)
	}
}

// TestEveryKeyHasItsVariable: each YAML key is also read from
// JIUZHU_<KEY> (the env tag the library reads), so a new key cannot be
// left out of the environment.
func TestEveryKeyHasItsVariable(t *testing.T) {
	var walk func(reflect.Type)
	walk = func(tp reflect.Type) {
		for i := 0; i < tp.NumField(); i++ {
			f := tp.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			if key == "" || key == "-" {
				continue
			}
			if want := "JIUZHU_" + strings.ToUpper(key); f.Tag.Get("env") != want {
				t.Errorf("field %s (yaml %q) has env tag %q, want %q", f.Name, key, f.Tag.Get("env"), want)
			}
		}
	}
	walk(reflect.TypeOf(Config{}))

	c, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": t.TempDir(), "JIUZHU_DEV": " true ", "JIUZHU_TRUSTED_PROXIES": "10.0.0.1, 10.0.0.2,,",
		"JIUZHU_REQUEST_TIMEOUT": "7s", "JIUZHU_REDIS_DB": ""}))
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev == nil || !*c.Dev || strings.Join(c.TrustedProxies, "|") != "10.0.0.1|10.0.0.2" || c.RequestTimeout != 7*time.Second {
		t.Fatalf("from the environment: dev %v, proxies %q, timeout %v", c.Dev, c.TrustedProxies, c.RequestTimeout)
	}
}

// TestEverySecretFieldIsRedacted: each field tagged `secret` is masked in
// what `jiuzhu config check` prints (ChecksSecret once was not).
func TestEverySecretFieldIsRedacted(t *testing.T) {
	c := Default()
	var secrets []string
	var fill func(v reflect.Value)
	fill = func(v reflect.Value) {
		for i := range v.NumField() {
			f, sf := v.Field(i), v.Type().Field(i)
			tag := sf.Tag.Get("secret")
			if tag == "" {
				if f.Kind() == reflect.Struct && sf.IsExported() {
					fill(f)
				}
				continue
			}
			value := "value-of-" + sf.Name + "-x9"
			if tag == "dsn" {
				value = "jiuzhu:pw-" + sf.Name + "-x9@tcp(db:3306)/jiuzhu"
			}
			switch f.Kind() {
			case reflect.String:
				f.SetString(value)
			case reflect.Slice:
				f.Set(reflect.ValueOf([]string{value, value}))
			default:
				t.Fatalf("secret field %s of kind %s", sf.Name, f.Kind())
			}
			secrets = append(secrets, "-"+sf.Name+"-x9")
		}
	}
	fill(reflect.ValueOf(&c).Elem())
	if len(secrets) < 8 {
		t.Fatalf("only %d secret fields found", len(secrets))
	}
	printed := fmt.Sprintf("%+v", c.Redacted())
	for _, s := range secrets {
		if strings.Contains(printed, s) {
			t.Errorf("secret %q visible in the redacted config", s)
		}
	}
	if r := c.Redacted(); len(r.DBReplicaDSNs) != 2 || !strings.Contains(r.DBReplicaDSNs[0], "@tcp(db:3306)") {
		t.Errorf("replica DSNs lost their host: %v", r.DBReplicaDSNs)
	}
	if c.DBReplicaDSNs[0] == c.Redacted().DBReplicaDSNs[0] {
		t.Error("Redacted changed the original's slice or did not mask it")
	}
}

// TestReplicaDSNs: read replicas come comma-separated from the
// environment, only with the mysql driver.
func TestReplicaDSNs(t *testing.T) {
	dir := t.TempDir()
	c, err := Load("", env(map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DB_DRIVER": "mysql", "JIUZHU_DB_DSN": "u:p@tcp(db:3306)/j",
		"JIUZHU_DB_REPLICA_DSNS": "u:p@tcp(r1:3306)/j,u:p@tcp(r2:3306)/j", "JIUZHU_SECRET_KEY": "k3J9x-2mQp7Lr8vT1wZ4yN6bC0dF5gH-aE"}))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.DBReplicaDSNs) != 2 || c.DBReplicaDSNs[1] != "u:p@tcp(r2:3306)/j" {
		t.Fatalf("replicas %v", c.DBReplicaDSNs)
	}
	_, err = Load("", env(map[string]string{"JIUZHU_DATA_DIR": dir, "JIUZHU_DB_REPLICA_DSNS": "u:p@tcp(r1:3306)/j"}))
	if err == nil || !strings.Contains(err.Error(), "JIUZHU_DB_REPLICA_DSNS") {
		t.Fatalf("sqlite with replicas: %v", err)
	}
}
