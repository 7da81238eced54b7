package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// TestMySQLReadReplicas: with a read replica configured, the staff queue,
// the statistics and the audit list read from it, and every other read,
// every write and every read inside a transaction from the primary. The
// "replica" here is a second database that does not replicate, so each
// read shows where it went: the primary holds one application, the
// replica another.
func TestMySQLReadReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := func(dsn string, replicas ...string) DBConfig {
		return DBConfig{Driver: "mysql", DSN: dsn, MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Minute, ReplicaDSNs: replicas}
	}
	primaryDSN, replicaDSN := storagetest.FreshMySQL(t), storagetest.FreshMySQL(t)
	for _, dsn := range []string{primaryDSN, replicaDSN} {
		db, err := OpenDB(ctx, cfg(dsn))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.MigrateUp(ctx); err != nil {
			t.Fatal(err)
		}
		id := "PRIMARY0000000000000000000"
		if dsn == replicaDSN {
			id = "REPLICA0000000000000000000"
		}
		if err := db.InTx(ctx, func(ctx context.Context) error {
			c := db.conn(ctx)
			if err := c.Exec("SET SESSION foreign_key_checks = 0").Error; err != nil {
				return err
			}
			return c.Exec(`INSERT INTO applications (id, number, household_id, resident_id, program, status, reason, region_code, created_at, updated_at)
				VALUES (?, ?, 'h', 'r', 'dibao', 'submitted', '', '330502001001', NOW(6), NOW(6))`, id, "N-"+id[:7]).Error
		}); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}

	db, err := OpenDB(ctx, cfg(primaryDSN, replicaDSN))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	queue := func(ctx context.Context) string {
		t.Helper()
		rows, err := db.StaffQueue(ctx, QueueFilter{RegionPrefix: "330502"}, model.PageRequest{Limit: 10})
		if err != nil || len(rows) != 1 {
			t.Fatalf("queue: %d rows, %v", len(rows), err)
		}
		return rows[0].ID[:7]
	}
	if got := queue(ctx); got != "REPLICA" {
		t.Errorf("the queue read the %s, want the replica", strings.ToLower(got))
	}
	if _, err := db.Application(ctx, "PRIMARY0000000000000000000"); err != nil {
		t.Errorf("a plain read did not go to the primary: %v", err)
	}
	if err := db.InTx(ctx, func(ctx context.Context) error {
		if got := queue(ctx); got != "PRIMARY" {
			t.Errorf("the queue inside a transaction read the %s, want the primary", strings.ToLower(got))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDB(ctx, DBConfig{Driver: "sqlite", Path: t.TempDir() + "/x.db", MaxOpenConns: 1, ReplicaDSNs: []string{replicaDSN}}); err == nil {
		t.Error("sqlite with read replicas opened")
	}
	bad := cfg(primaryDSN, "root@tcp(127.0.0.1:1)/jiuzhu")
	if _, err := OpenDB(ctx, bad); model.KindOf(err) != model.KindUnavailable {
		t.Errorf("an unreachable replica: %v, want unavailable", err)
	}
}
