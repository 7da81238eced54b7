package service

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// closedStatuses are the statuses whose documents the retention job
// deletes once JIUZHU_DOCUMENT_RETENTION has passed since the decision.
var closedStatuses = []model.Status{model.StatusWithdrawn, model.StatusRejected}

// sweepBatch is how many rows or keys one round of the sweep handles.
const sweepBatch = 200

// documentsPrefix is where every document object lives in the blob store.
const documentsPrefix = "documents/"

// systemPrincipal is who the audit trail names for the scheduled jobs.
var systemPrincipal = model.Principal{Kind: "system", ID: "system", Role: "system"}

// SweepResult says what a sweep did.
type SweepResult struct {
	// Skipped is true when another instance holds this period's lock: the
	// retention and orphan work ran (or runs) there. Spool files are this
	// machine's and are swept on every instance.
	Skipped bool
	// Purged counts the documents of closed cases deleted (row and object).
	Purged int
	// Orphans counts objects without a row deleted from the blob store.
	Orphans int
	// SpoolFiles counts temporary files of killed uploads removed.
	SpoolFiles int
}

// Sweep is the periodic clean-up of stored documents, run from the schedule
// on every instance. It removes this machine's spool files of uploads that
// were killed; then, once per period across instances (a KV lock per
// period), it deletes the documents of withdrawn and rejected cases decided
// more than the retention period ago — the row with an audit entry as a
// system action, then the object — and the document objects older than the
// orphan grace period that no row refers to. A failed run releases its lock
// so the next tick retries.
func (d *Documents) Sweep(ctx context.Context, period time.Duration) (SweepResult, error) {
	var res SweepResult
	n, err := d.sweepSpool()
	res.SpoolFiles = n
	if err != nil {
		return res, err
	}
	now := d.d.Clock.Now()
	lock := "documents:sweep:" + strconv.FormatInt(now.Truncate(period).Unix(), 10)
	got, err := d.d.KV.SetNX(ctx, lock, []byte(now.Format(time.RFC3339)), period)
	if err != nil {
		return res, fmt.Errorf("document sweep lock: %w", err)
	}
	if !got {
		res.Skipped = true
		return res, nil
	}
	res.Purged, err = d.purgeClosed(ctx, now.Add(-d.d.Settings.DocumentRetention))
	if err == nil {
		res.Orphans, err = d.sweepOrphans(ctx, now.Add(-d.d.Settings.DocumentOrphanGrace))
	}
	if err != nil {
		_ = d.d.KV.Delete(context.WithoutCancel(ctx), lock)
	}
	return res, err
}

// purgeClosed deletes the documents of cases closed before cutoff.
func (d *Documents) purgeClosed(ctx context.Context, cutoff time.Time) (int, error) {
	ctx = model.WithPrincipal(ctx, systemPrincipal)
	purged := 0
	for {
		docs, err := d.d.DB.ExpiredDocuments(ctx, closedStatuses, cutoff, sweepBatch)
		if err != nil {
			return purged, err
		}
		for _, doc := range docs {
			err := d.d.DB.InTx(ctx, func(ctx context.Context) error {
				if err := d.d.DB.DeleteDocument(ctx, doc.ID); err != nil {
					return err
				}
				return d.audit.Record(ctx, Event{Action: "document.purge", TargetType: "document", TargetID: doc.ID,
					RegionCode: doc.RegionCode, Detail: "retention: application closed before " + cutoff.UTC().Format(time.DateOnly)})
			})
			if errors.Is(err, model.ErrNotFound) {
				continue // purged meanwhile by another run
			}
			if err != nil {
				return purged, fmt.Errorf("purge document %s: %w", doc.ID, err)
			}
			purged++
			// The row is gone; an object that cannot be deleted now is an
			// orphan the next sweep removes.
			if err := d.d.Blobs.Delete(ctx, doc.BlobKey); err != nil {
				d.d.Logger.Warn("purged document's object not deleted; the orphan sweep will", "key", doc.BlobKey, "error", err.Error())
			}
		}
		if len(docs) < sweepBatch {
			return purged, nil
		}
	}
}

// sweepOrphans deletes document objects last modified before cutoff that no
// row refers to: left by an upload whose outcome was unknown, or by a
// purge whose object delete failed.
func (d *Documents) sweepOrphans(ctx context.Context, cutoff time.Time) (int, error) {
	deleted := 0
	var batch []string
	flush := func() error {
		known, err := d.d.DB.DocumentBlobKeys(ctx, batch)
		if err != nil {
			return err
		}
		for _, key := range batch {
			if known[key] {
				continue
			}
			if err := d.d.Blobs.Delete(ctx, key); err != nil {
				return fmt.Errorf("delete orphan: %w", err)
			}
			d.d.Logger.Info("orphaned document object deleted", "key", key)
			deleted++
		}
		batch = batch[:0]
		return nil
	}
	err := d.d.Blobs.List(ctx, documentsPrefix, func(info storage.BlobInfo) error {
		if !info.ModTime.Before(cutoff) {
			return nil
		}
		batch = append(batch, info.Key)
		if len(batch) < sweepBatch {
			return nil
		}
		return flush()
	})
	if err == nil && len(batch) > 0 {
		err = flush()
	}
	if err != nil {
		return deleted, fmt.Errorf("orphan sweep: %w", err)
	}
	return deleted, nil
}

// sweepSpool removes the spool files of uploads older than the orphan grace
// period: a live upload writes or reads its file within seconds, so an old
// one belongs to a process that was killed.
func (d *Documents) sweepSpool() (int, error) {
	dir := d.spoolDir()
	names, err := filepath.Glob(filepath.Join(dir, spoolPattern))
	if err != nil {
		return 0, fmt.Errorf("spool sweep: %w", err)
	}
	cutoff := d.d.Clock.Now().Add(-d.d.Settings.DocumentOrphanGrace)
	removed := 0
	for _, name := range names {
		fi, err := os.Lstat(name)
		if err != nil || !fi.Mode().IsRegular() || !fi.ModTime().Before(cutoff) {
			continue
		}
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("spool sweep: %w", err)
		}
		removed++
	}
	return removed, nil
}
