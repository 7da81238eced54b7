package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// testMAC stands in for the service's keyed MAC: the storage tests only
// need a deterministic function of the batch.
func testMAC(prev string, batch int64, rows []model.AuditEntry) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%d", prev, batch)
	for _, r := range rows {
		fmt.Fprintf(h, "|%d:%s", r.Seq, r.Digest())
	}
	return hex.EncodeToString(h.Sum(nil))
}

func auditRow(id string) *model.AuditEntry {
	return &model.AuditEntry{ID: id, At: time.Now(), ActorID: "s", ActorRole: "admin", RegionCode: "330500",
		Action: "test", TargetType: "t", TargetID: id, Outcome: model.OutcomeSuccess}
}

// testAuditSealing runs the sealing contract on two handles over one
// database (two instances).
func testAuditSealing(t *testing.T, open2 func(t *testing.T) (*DB, *DB), concurrentWriters bool) {
	ctx := context.Background()
	if concurrentWriters {
		t.Run("a row that commits late lands in a later batch", func(t *testing.T) {
			db, _ := open2(t)
			holding, release, done := make(chan int64), make(chan struct{}), make(chan error)
			go func() {
				done <- db.InTx(ctx, func(ctx context.Context) error {
					e := auditRow("late")
					if err := db.AppendAudit(ctx, e); err != nil {
						return err
					}
					holding <- e.Seq
					<-release
					return nil
				})
			}()
			lateSeq := <-holding
			early := auditRow("early")
			if err := db.AppendAudit(ctx, early); err != nil {
				t.Fatal(err)
			}
			if early.Seq <= lateSeq {
				t.Fatalf("seqs: late %d early %d; the test needs the late row to have the lower seq", lateSeq, early.Seq)
			}
			b1, ok, err := db.SealAuditBatch(ctx, 100, testMAC, time.Now())
			if err != nil || !ok || b1.RowCount != 1 || b1.FirstSeq != early.Seq {
				t.Fatalf("first seal: %+v %v %v (want only the committed row %d)", b1, ok, err, early.Seq)
			}
			close(release)
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			b2, ok, err := db.SealAuditBatch(ctx, 100, testMAC, time.Now())
			if err != nil || !ok || b2.Batch != 2 || b2.RowCount != 1 || b2.FirstSeq != lateSeq || b2.PrevMAC != b1.MAC {
				t.Fatalf("second seal: %+v %v %v (want the late row %d chained to batch 1)", b2, ok, err, lateSeq)
			}
			rows, err := db.AuditBatchRows(ctx, 2)
			if err != nil || len(rows) != 1 || testMAC(b1.MAC, 2, rows) != b2.MAC {
				t.Fatalf("batch 2 rows %v: %v", rows, err)
			}
		})
	}
	t.Run("two instances seal every row exactly once", func(t *testing.T) {
		a, b := open2(t)
		const n = 600
		var wg sync.WaitGroup
		stop := make(chan struct{})
		errs := make(chan error, 8)
		for w := range 4 { // writers on both instances
			wg.Add(1)
			go func() {
				defer wg.Done()
				db := []*DB{a, b}[w%2]
				for i := range n / 4 {
					if err := db.AppendAudit(ctx, auditRow(fmt.Sprintf("w%d-%d", w, i))); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		var sealers sync.WaitGroup
		for _, db := range []*DB{a, b} {
			sealers.Add(1)
			go func() {
				defer sealers.Done()
				for {
					_, _, err := db.SealAuditBatch(ctx, 50, testMAC, time.Now())
					if err != nil && !isConflict(err) {
						errs <- err
						return
					}
					select { // a sealer runs on a timer, not in a busy loop
					case <-stop:
						return
					case <-time.After(2 * time.Millisecond):
					}
				}
			}()
		}
		wg.Wait()
		close(stop)
		sealers.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		for { // what was left when the sealers stopped
			_, ok, err := a.SealAuditBatch(ctx, 50, testMAC, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
		}
		batches, err := a.AuditBatches(ctx, 0, 10000)
		if err != nil {
			t.Fatal(err)
		}
		prev, seen, total := model.GenesisMAC, map[int64]bool{}, 0
		for i, bt := range batches {
			rows, err := a.AuditBatchRows(ctx, bt.Batch)
			if err != nil {
				t.Fatal(err)
			}
			if bt.Batch != int64(i+1) || bt.PrevMAC != prev || testMAC(prev, bt.Batch, rows) != bt.MAC || len(rows) != bt.RowCount {
				t.Fatalf("batch %d (index %d) does not chain: %+v, %d rows", bt.Batch, i, bt, len(rows))
			}
			for _, r := range rows {
				if seen[r.Seq] {
					t.Fatalf("row %d sealed twice", r.Seq)
				}
				seen[r.Seq] = true
			}
			total += len(rows)
			prev = bt.MAC
		}
		old, orphaned, err := a.AuditUnsealed(ctx, time.Now().Add(time.Hour), int64(len(batches)))
		if total != n || old != 0 || orphaned != 0 || err != nil {
			t.Fatalf("sealed %d of %d rows; %d unsealed, %d orphaned: %v", total, n, old, orphaned, err)
		}
	})
}

func isConflict(err error) bool {
	var me *model.Error
	return errors.As(err, &me) && me.Kind == model.KindConflict
}

// twoInstances opens two handles over one database, migrated.
func twoInstances(t *testing.T, cfg DBConfig) (*DB, *DB) {
	t.Helper()
	open := func() *DB {
		db, err := OpenDB(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	a := open()
	if _, err := a.MigrateUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return a, open()
}

func TestSQLiteAuditSealing(t *testing.T) {
	t.Parallel()
	testAuditSealing(t, func(t *testing.T) (*DB, *DB) {
		return twoInstances(t, DBConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "j.db"), MaxOpenConns: 4, MaxIdleConns: 2, ConnMaxLifetime: time.Minute})
	}, false) // SQLite holds its write lock to commit: no row can commit out of seq order
}

func TestMySQLAuditSealing(t *testing.T) {
	t.Parallel()
	testAuditSealing(t, func(t *testing.T) (*DB, *DB) {
		return twoInstances(t, DBConfig{Driver: "mysql", DSN: storagetest.FreshMySQL(t), MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: time.Minute})
	}, true)
}
