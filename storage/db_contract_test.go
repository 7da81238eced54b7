package storage

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage/storagetest"
)

// testDB is the database contract: every dialect must pass it.
func testDB(t *testing.T, open func(t *testing.T) *DB) {
	t.Run("migrations are versioned and idempotent", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ctx := context.Background()
		applied, err := db.MigrateUp(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) == 0 {
			t.Fatal("first migrate applied nothing")
		}
		again, err := db.MigrateUp(ctx)
		if err != nil || len(again) != 0 {
			t.Fatalf("second migrate: %v %v", again, err)
		}
		st, err := db.MigrationStatuses(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range st {
			if !s.Applied {
				t.Errorf("migration %d not applied", s.Version)
			}
		}
		if pending, err := db.HasPendingMigrations(ctx); err != nil || pending {
			t.Fatalf("pending=%v err=%v", pending, err)
		}
	})

	t.Run("transactions commit, roll back and join", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		ctx := context.Background()
		region := func(code string) model.Region {
			return model.Region{Code: code, Name: "r" + code, Level: model.LevelOfCode(code)}
		}
		boom := errors.New("boom")
		err := db.InTx(ctx, func(ctx context.Context) error {
			if err := db.UpsertRegion(ctx, region("110000")); err != nil {
				return err
			}
			// A nested InTx joins: its error rolls back the whole.
			return db.InTx(ctx, func(ctx context.Context) error {
				if err := db.UpsertRegion(ctx, region("120000")); err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("InTx returned %v, want the callback's error", err)
		}
		for _, code := range []string{"110000", "120000"} {
			if _, err := db.Region(ctx, code); !errors.Is(err, model.ErrNotFound) {
				t.Fatalf("region %s after rollback: %v", code, err)
			}
		}
		if err := db.InTx(ctx, func(ctx context.Context) error { return db.UpsertRegion(ctx, region("130000")) }); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Region(ctx, "130000"); err != nil {
			t.Fatalf("committed region: %v", err)
		}
	})

	t.Run("after-commit hooks run once the data is committed, never on rollback", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		ctx := context.Background()
		region := model.Region{Code: "140000", Name: "r140000", Level: model.LevelOfCode("140000")}
		var ran []string
		err := db.InTx(ctx, func(ctx context.Context) error {
			db.AfterCommit(ctx, func() { ran = append(ran, "rolled back") })
			return errors.New("boom")
		})
		if err == nil || len(ran) != 0 {
			t.Fatalf("a rolled-back transaction ran its hooks: %v %v", ran, err)
		}
		err = db.InTx(ctx, func(ctx context.Context) error {
			if err := db.UpsertRegion(ctx, region); err != nil {
				return err
			}
			// A joined InTx defers to the outermost commit.
			return db.InTx(ctx, func(ctx context.Context) error {
				db.AfterCommit(ctx, func() {
					// The hook sees the committed row from outside the transaction.
					if _, err := db.Region(context.Background(), region.Code); err != nil {
						ran = append(ran, "before commit")
						return
					}
					ran = append(ran, "committed")
				})
				if len(ran) != 0 {
					t.Error("a hook ran inside the transaction")
				}
				return nil
			})
		})
		if err != nil || len(ran) != 1 || ran[0] != "committed" {
			t.Fatalf("hooks after commit: %v %v", ran, err)
		}
		db.AfterCommit(ctx, func() { ran = append(ran, "no transaction") })
		if len(ran) != 2 {
			t.Fatal("outside a transaction a hook runs at once")
		}
	})

	t.Run("errors become model errors", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		ctx := context.Background()
		if _, err := db.Region(ctx, "999999"); !errors.Is(err, model.ErrNotFound) {
			t.Fatalf("absent region: %v", err)
		}
		if err := db.UpsertRegion(ctx, model.Region{Code: "140000", Name: "x", Level: "city"}); err != nil {
			t.Fatal(err)
		}
		dup := db.conn(ctx).Exec("INSERT INTO regions (code, name, level) VALUES ('140000', 'y', 'city')").Error
		if err := translate("insert", dup); !errors.Is(err, model.ErrConflict) {
			t.Fatalf("duplicate key: %v", err)
		}
		parent := "000000"
		err := db.UpsertRegion(ctx, model.Region{Code: "150100", Name: "z", Level: "county", ParentCode: &parent})
		if model.KindOf(err) != model.KindInvalid {
			t.Fatalf("foreign key violation: %v", err)
		}
	})

	t.Run("numbers are allocated outside the caller's transaction", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		if db.dialect != "mysql" {
			t.Skip("SQLite has one writer: a transaction holds the write lock from its start, so there is nothing to gain")
		}
		ctx := context.Background()
		holding, release := make(chan int64), make(chan struct{})
		done := make(chan error)
		go func() {
			done <- db.InTx(ctx, func(ctx context.Context) error {
				v, err := db.AllocateNumber(ctx, "n")
				if err != nil {
					return err
				}
				holding <- v
				<-release
				return errors.New("roll back")
			})
		}()
		first := <-holding
		// While that transaction is still open, another allocation of the
		// same counter finishes at once.
		actx, cancel := context.WithTimeout(ctx, 3*time.Second)
		second, err := db.AllocateNumber(actx, "n")
		cancel()
		close(release)
		if txErr := <-done; txErr == nil || err != nil || first != 1 || second != 2 {
			t.Fatalf("first %d, second %d (%v); tx %v", first, second, err, txErr)
		}
		// The rolled-back caller's number stays taken: a gap, never a repeat.
		if third, err := db.AllocateNumber(ctx, "n"); err != nil || third != 3 {
			t.Fatalf("after the rollback: %d %v", third, err)
		}
	})

	t.Run("sequences are distinct under concurrency", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		const n = 24
		got := make([]int64, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				v, err := db.NextSequence(context.Background(), "test")
				if err != nil {
					errs <- err
				}
				got[i] = v
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		sort.Slice(got, func(i, j int) bool { return got[i] < got[j] })
		for i, v := range got {
			if v != int64(i+1) {
				t.Fatalf("sequence values %v, want 1..%d", got, n)
			}
		}
	})

	t.Run("concurrent read-then-write transactions all succeed", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		ctx := context.Background()
		if err := db.conn(ctx).Exec("INSERT INTO sequences (name, value) VALUES ('rw', 0)").Error; err != nil {
			t.Fatal(err)
		}
		const workers, each = 8, 10
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range each {
					errs <- db.InTx(ctx, func(ctx context.Context) error {
						var v int64
						if err := db.conn(ctx).Raw("SELECT value FROM sequences WHERE name = 'rw'").Scan(&v).Error; err != nil {
							return err
						}
						if db.Dialect() == "mysql" {
							if err := db.conn(ctx).Raw("SELECT value FROM sequences WHERE name = 'rw' FOR UPDATE").Scan(&v).Error; err != nil {
								return err
							}
						}
						return db.conn(ctx).Exec("UPDATE sequences SET value = ? WHERE name = 'rw'", v+1).Error
					})
				}
			}()
		}
		wg.Wait()
		close(errs)
		failed := 0
		for err := range errs {
			if err != nil {
				failed++
				t.Log(err)
			}
		}
		var v int64
		db.conn(ctx).Raw("SELECT value FROM sequences WHERE name = 'rw'").Scan(&v)
		if failed != 0 || v != workers*each {
			t.Fatalf("%d of %d transactions failed; counter %d", failed, workers*each, v)
		}
	})

	t.Run("audit rows append concurrently with distinct seqs", func(t *testing.T) {
		t.Parallel()
		db := migrated(t, open)
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := &model.AuditEntry{ID: string(rune('A'+i)) + "-audit", At: time.Now(), ActorID: "s", ActorRole: "admin",
					RegionCode: "330500", Action: "test", TargetType: "t", TargetID: "x", Outcome: "success"}
				if err := db.AppendAudit(ctx, e); err != nil || e.Seq == 0 || e.Hash != e.Digest() {
					t.Errorf("append: seq %d hash %q: %v", e.Seq, e.Hash, err)
				}
			}()
		}
		wg.Wait()
		rows, err := db.AuditEntries(ctx, AuditFilter{}, model.PageRequest{Limit: 50})
		if err != nil || len(rows) != 10 {
			t.Fatalf("listed %d rows: %v", len(rows), err)
		}
		seen := map[int64]bool{}
		for _, r := range rows {
			if seen[r.Seq] || r.Batch != 0 {
				t.Errorf("row seq %d batch %d: duplicate seq or sealed on append", r.Seq, r.Batch)
			}
			seen[r.Seq] = true
		}
	})
}

func migrated(t *testing.T, open func(t *testing.T) *DB) *DB {
	t.Helper()
	db := open(t)
	if _, err := db.MigrateUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func openSQLite(t *testing.T) *DB {
	t.Helper()
	db, err := OpenDB(context.Background(), DBConfig{Driver: "sqlite", Path: filepath.Join(t.TempDir(), "j.db"), MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestSQLiteDB(t *testing.T) {
	t.Parallel()
	testDB(t, openSQLite)
}

func TestMySQLDB(t *testing.T) {
	t.Parallel()
	testDB(t, func(t *testing.T) *DB {
		dsn := storagetest.FreshMySQL(t)
		db, err := OpenDB(context.Background(), DBConfig{Driver: "mysql", DSN: dsn, MaxOpenConns: 8, MaxIdleConns: 4, ConnMaxLifetime: time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

func TestSQLiteKeepsDataAcrossRestart(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.db")
	cfg := DBConfig{Driver: "sqlite", Path: path, MaxOpenConns: 2, MaxIdleConns: 1, ConnMaxLifetime: time.Minute}
	ctx := context.Background()
	db, err := OpenDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MigrateUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := db.UpsertRegion(ctx, model.Region{Code: "330500", Name: "湖州市", Level: "city"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	db, err = OpenDB(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if r, err := db.Region(ctx, "330500"); err != nil || r.Name != "湖州市" {
		t.Fatalf("after reopen: %+v %v", r, err)
	}
}

func TestUnreachableMySQLIsUnavailable(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	_, err := OpenDB(ctx, DBConfig{Driver: "mysql", DSN: "root:@tcp(127.0.0.1:1)/x?timeout=1s", MaxOpenConns: 1, ConnMaxLifetime: time.Minute})
	if !errors.Is(err, model.ErrUnavailable) {
		t.Fatalf("got %v, want unavailable", err)
	}
}

func TestUnknownDriverRefused(t *testing.T) {
	t.Parallel()
	if _, err := OpenDB(context.Background(), DBConfig{Driver: "postgres"}); err == nil {
		t.Fatal("unknown driver accepted")
	}
}

func TestLocalBlobsSurviveRestart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx := context.Background()
	b, err := NewLocalBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Put(ctx, "docs/a", strings.NewReader("proof"), PutOptions{ContentType: "application/pdf", Size: 5}); err != nil {
		t.Fatal(err)
	}
	again, err := NewLocalBlobs(dir)
	if err != nil {
		t.Fatal(err)
	}
	rc, info, err := again.Get(ctx, "docs/a")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if string(got) != "proof" || info.ContentType != "application/pdf" {
		t.Fatalf("after reopen: %q %+v", got, info)
	}
}
