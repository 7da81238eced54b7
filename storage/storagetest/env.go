// Package storagetest finds the real backends the tests run against. Each
// backend is named by an environment variable; when it is missing the test
// is skipped, except under CI=true, where a missing backend fails the test
// so a green CI run always means the real backends were exercised.
package storagetest

import (
	"os"
	"strings"
	"testing"
)

// S3Env is where the S3 test server listens and how to log in to it.
type S3Env struct {
	Endpoint  string
	AccessKey string
	SecretKey string
	UseSSL    bool
}

func need(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set; CI must run every backend", name)
		}
		t.Skipf("%s not set; skipping the real-backend run", name)
	}
	return v
}

// MySQLDSN returns JIUZHU_TEST_MYSQL_DSN (a go-sql-driver DSN of a database
// the tests may fill and empty).
func MySQLDSN(t testing.TB) string {
	t.Helper()
	return need(t, "JIUZHU_TEST_MYSQL_DSN")
}

// RedisAddr returns JIUZHU_TEST_REDIS_ADDR (host:port).
func RedisAddr(t testing.TB) string {
	t.Helper()
	return need(t, "JIUZHU_TEST_REDIS_ADDR")
}

// RedisClusterAddrs returns JIUZHU_TEST_REDIS_CLUSTER split at commas: the
// seed nodes of a Redis Cluster (three masters) the tests may use.
func RedisClusterAddrs(t testing.TB) []string {
	t.Helper()
	return strings.Split(need(t, "JIUZHU_TEST_REDIS_CLUSTER"), ",")
}

// S3 returns the JIUZHU_TEST_S3_* settings.
func S3(t testing.TB) S3Env {
	t.Helper()
	return S3Env{
		Endpoint:  need(t, "JIUZHU_TEST_S3_ENDPOINT"),
		AccessKey: need(t, "JIUZHU_TEST_S3_ACCESS_KEY"),
		SecretKey: need(t, "JIUZHU_TEST_S3_SECRET_KEY"),
		UseSSL:    os.Getenv("JIUZHU_TEST_S3_USE_SSL") == "true",
	}
}
