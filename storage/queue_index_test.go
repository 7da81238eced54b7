package storage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// TestMySQLQueueUsesItsIndex: with 20,000 applications, mostly approved,
// the queue of a rare status in a county is answered from
// idx_applications_queue, not by walking the primary key backwards past
// every newer row (checked with EXPLAIN on MariaDB).
func TestMySQLQueueUsesItsIndex(t *testing.T) {
	t.Parallel()
	db, err := OpenDB(context.Background(), DBConfig{Driver: "mysql", DSN: storagetest.FreshMySQL(t), MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	err = db.InTx(ctx, func(ctx context.Context) error {
		c := db.conn(ctx)
		if err := c.Exec("SET SESSION foreign_key_checks = 0").Error; err != nil {
			return err
		}
		// Ids sort by creation like model.IDs; the older three quarters
		// are approved, the newest quarter in work (1 in 50 submitted), in
		// one of 20 communities of two counties.
		return c.Exec(`INSERT INTO applications (id, number, household_id, resident_id, program, status, reason, region_code, created_at, updated_at)
			SELECT LPAD(seq, 26, '0'), CONCAT('N-', seq), 'h', 'r', 'dibao',
			       IF(seq <= 15000, 'approved', IF(seq % 50 = 0, 'submitted', 'investigating')), '',
			       CONCAT(IF(seq % 2 = 0, '330502', '330503'), '0010', LPAD(seq % 10, 2, '0')), NOW(6), NOW(6)
			FROM seq_1_to_20000`).Error
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.conn(ctx).Exec("ANALYZE TABLE applications").Error; err != nil {
		t.Fatal(err)
	}
	type plan struct {
		Key   *string
		Rows  int64
		Extra string
	}
	for _, status := range []model.Status{model.StatusSubmitted, model.StatusApproved} {
		var p plan
		// The query StaffQueue sends for ?status= in a county.
		err = db.conn(ctx).Raw("EXPLAIN SELECT * FROM applications FORCE INDEX (idx_applications_queue) WHERE (region_code LIKE ? AND status <> ?) AND status = ? ORDER BY id DESC LIMIT 21",
			"330502%", model.StatusDraft, status).Scan(&p).Error
		if err != nil {
			t.Fatal(err)
		}
		if p.Key == nil || *p.Key != "idx_applications_queue" || strings.Contains(p.Extra, "filesort") {
			key := "<none>"
			if p.Key != nil {
				key = *p.Key
			}
			t.Fatalf("queue plan for %s uses key %s (%s); want idx_applications_queue, newest first without a sort", status, key, p.Extra)
		}
	}
	// And the storage method answers from it, newest first, reading only
	// rows of the status (Handler_read_* of this session).
	for _, status := range []model.Status{model.StatusSubmitted, model.StatusApproved} {
		err := db.InTx(ctx, func(ctx context.Context) error {
			c := db.conn(ctx)
			if err := c.Exec("FLUSH STATUS").Error; err != nil {
				return err
			}
			rows, err := db.StaffQueue(ctx, QueueFilter{RegionPrefix: "330502", Status: status}, model.PageRequest{Limit: 20})
			if err != nil || len(rows) != 21 || rows[0].ID <= rows[1].ID || rows[0].Status != status {
				t.Fatalf("queue %s: %d rows, %v", status, len(rows), err)
			}
			var read struct{ Value int64 }
			if err := c.Raw("SELECT SUM(VARIABLE_VALUE) AS value FROM information_schema.SESSION_STATUS WHERE VARIABLE_NAME IN ('HANDLER_READ_PREV', 'HANDLER_READ_NEXT', 'HANDLER_READ_RND_NEXT', 'HANDLER_READ_KEY', 'HANDLER_READ_LAST')").Scan(&read).Error; err != nil {
				return err
			}
			// 21 rows of the county with the status, and as many of the other
			// county passed on the way; the primary key walk read thousands.
			if read.Value > 200 {
				t.Errorf("queue %s read %d index entries for one page", status, read.Value)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
