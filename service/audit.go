package service

import (
	"bytes"
	"context"
	"crypto/hmac"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Audit writes, seals and checks the audit trail. Record appends a row with
// no shared lock; Seal (run by every instance's scheduler, serialised in
// the database) puts unsealed rows into batches whose keyed MACs chain, and
// writes a signed checkpoint of the head to the blob store; Verify checks
// both.
type Audit struct {
	db    *storage.DB
	clock model.Clock
	ids   *model.IDs
	keys  *Keys
	blobs storage.Blobs
	// sealDelay is how long a row may stay unsealed before Verify reports it.
	sealDelay time.Duration
}

// AuditCheckpointKey is the blob key of the signed audit checkpoint.
const AuditCheckpointKey = "audit/checkpoint.json"

// DefaultAuditSealDelay is how long a row may stay unsealed before Verify
// reports it, when the settings name none.
const DefaultAuditSealDelay = time.Minute

// auditSealBatch is the most rows one batch seals.
const auditSealBatch = 1000

// NewAudit builds the audit trail over db, keyed by keys, with its
// checkpoint in blobs.
func NewAudit(db *storage.DB, clock model.Clock, ids *model.IDs, keys *Keys, blobs storage.Blobs, sealDelay time.Duration) *Audit {
	if sealDelay <= 0 {
		sealDelay = DefaultAuditSealDelay
	}
	return &Audit{db: db, clock: clock, ids: ids, keys: keys, blobs: blobs, sealDelay: sealDelay}
}

// SealDelay is how long a row may stay unsealed; the scheduler seals more
// often than that.
func (a *Audit) SealDelay() time.Duration { return a.sealDelay }

// Event is what a service says about an action; Record fills in who, when
// and from where from the context.
type Event struct {
	Action     string
	TargetType string
	TargetID   string
	RegionCode string // the region of the target; the actor's region when empty
	Outcome    string // model.OutcomeSuccess when empty
	Detail     string // never personal data
}

// Record appends an audit row for the principal in ctx. Call it inside the
// transaction of the action it records, so both land or neither does.
func (a *Audit) Record(ctx context.Context, ev Event) error {
	p, _ := model.PrincipalFrom(ctx)
	meta := model.RequestMetaFrom(ctx)
	e := model.AuditEntry{
		ID: a.ids.New(), At: a.clock.Now(), ActorID: p.ID, ActorRole: string(p.Role), RegionCode: ev.RegionCode,
		Action: ev.Action, TargetType: ev.TargetType, TargetID: ev.TargetID, Outcome: ev.Outcome,
		RequestID: meta.RequestID, ClientIP: meta.ClientIP, Detail: ev.Detail,
	}
	if e.ActorRole == "" {
		e.ActorRole = p.Kind
	}
	if e.ActorID == "" {
		e.ActorID = "anonymous"
		e.ActorRole = "public"
	}
	if e.RegionCode == "" {
		e.RegionCode = p.RegionCode
	}
	if e.Outcome == "" {
		e.Outcome = model.OutcomeSuccess
	}
	if err := a.db.AppendAudit(ctx, &e); err != nil {
		return fmt.Errorf("audit %s: %w", ev.Action, err)
	}
	return nil
}

// RecordAlone records an event in its own transaction: for failures and
// reads whose action transaction rolled back or never existed.
func (a *Audit) RecordAlone(ctx context.Context, ev Event) error {
	return a.db.InTx(context.WithoutCancel(ctx), func(ctx context.Context) error { return a.Record(ctx, ev) })
}

// SealResult says what one Seal did.
type SealResult struct {
	Batches int
	Rows    int
	Head    int64 // the last batch number after sealing (0: none yet)
}

// Seal seals every committed unsealed row into batches of at most 1,000
// and, when it sealed any, writes the signed checkpoint of the new head.
// Other instances may seal at the same time: a batch another sealer won is
// model.KindConflict inside, and Seal just stops for this round.
func (a *Audit) Seal(ctx context.Context) (SealResult, error) {
	var res SealResult
	for {
		b, ok, err := a.db.SealAuditBatch(ctx, auditSealBatch, a.keys.AuditBatchMAC, a.clock.Now())
		if errors.Is(err, model.ErrConflict) {
			break
		}
		if err != nil {
			return res, fmt.Errorf("seal audit: %w", err)
		}
		if !ok {
			break
		}
		res.Batches++
		res.Rows += b.RowCount
		res.Head = b.Batch
		if b.RowCount < auditSealBatch {
			break
		}
	}
	if res.Batches > 0 {
		if err := a.WriteCheckpoint(ctx); err != nil {
			return res, err
		}
	}
	return res, nil
}

// auditCheckpoint is the signed head of the batch chain kept outside the
// database: deleting the newest batches, or rewriting the chain, leaves
// the database disagreeing with it.
type auditCheckpoint struct {
	Batch   int64     `json:"batch"`
	MAC     string    `json:"mac"`
	LastSeq int64     `json:"last_seq"`
	At      time.Time `json:"at"`
	Sig     string    `json:"sig"`
}

func (c auditCheckpoint) signed() []byte {
	return []byte(fmt.Sprintf("%d|%s|%d|%s", c.Batch, c.MAC, c.LastSeq, c.At.UTC().Format(time.RFC3339Nano)))
}

// WriteCheckpoint writes the signed head of the batch chain to the blob
// store, unless the checkpoint there is already at that batch or later
// (another instance may have sealed further).
func (a *Audit) WriteCheckpoint(ctx context.Context) error {
	head, ok, err := a.db.AuditLastBatch(ctx)
	if err != nil || !ok {
		return err
	}
	cur, found, err := a.readCheckpoint(ctx)
	if err != nil {
		return err
	}
	if found && cur.Batch >= head.Batch {
		return nil
	}
	cp := auditCheckpoint{Batch: head.Batch, MAC: head.MAC, LastSeq: head.LastSeq, At: a.clock.Now().UTC()}
	cp.Sig = a.keys.CheckpointMAC(cp.signed())
	body, err := json.Marshal(cp)
	if err != nil {
		return fmt.Errorf("audit checkpoint: %w", err)
	}
	if _, err := a.blobs.Put(ctx, AuditCheckpointKey, bytes.NewReader(body), storage.PutOptions{ContentType: "application/json", Size: int64(len(body))}); err != nil {
		return fmt.Errorf("write audit checkpoint: %w", err)
	}
	return nil
}

func (a *Audit) readCheckpoint(ctx context.Context) (auditCheckpoint, bool, error) {
	rc, _, err := a.blobs.Get(ctx, AuditCheckpointKey)
	if errors.Is(err, model.ErrNotFound) {
		return auditCheckpoint{}, false, nil
	}
	if err != nil {
		return auditCheckpoint{}, false, fmt.Errorf("read audit checkpoint: %w", err)
	}
	defer rc.Close()
	var cp auditCheckpoint
	if err := json.NewDecoder(io.LimitReader(rc, 4096)).Decode(&cp); err != nil {
		return auditCheckpoint{}, true, fmt.Errorf("read audit checkpoint: %w", model.Invalid("checkpoint", "not a checkpoint"))
	}
	return cp, true, nil
}

// VerifyResult says whether the trail is intact and, if not, where it
// breaks.
type VerifyResult struct {
	Rows       int64 // sealed rows checked
	Batches    int64
	Unsealed   int64 // rows older than the sealing delay still unsealed
	OK         bool
	BadBatch   int64
	BadSeq     int64
	BadID      string
	Problem    string
	Checkpoint int64 // the batch the checkpoint names (0: none)
}

// Verify checks every sealed batch in order (numbering, link to the
// previous batch, its keyed MAC over its rows), that no row claims a batch
// that is gone, that no row older than the sealing delay is unsealed, and
// that the signed checkpoint in the blob store names a batch the database
// holds with the same MAC. A changed row is named when its digest no
// longer matches the one recorded at insert.
func (a *Audit) Verify(ctx context.Context) (VerifyResult, error) {
	res := VerifyResult{OK: true}
	fail := func(batch int64, problem string) {
		res.OK, res.BadBatch, res.Problem = false, batch, problem
	}
	cp, found, cpErr := a.readCheckpoint(ctx)
	if cpErr != nil && !errors.Is(cpErr, model.ErrInvalid) {
		return res, cpErr
	}
	prev := model.AuditBatch{MAC: model.GenesisMAC}
	cpMAC := "" // the database's MAC of the batch the checkpoint names
	var after int64
walk:
	for {
		batches, err := a.db.AuditBatches(ctx, after, 500)
		if err != nil {
			return res, err
		}
		if len(batches) == 0 {
			break
		}
		for _, b := range batches {
			after = b.Batch
			res.Batches++
			if b.Batch != prev.Batch+1 {
				fail(prev.Batch+1, "batch "+strconv.FormatInt(prev.Batch+1, 10)+" is missing")
				break walk
			}
			if b.PrevMAC != prev.MAC {
				fail(b.Batch, "the batch does not link to the batch before")
				break walk
			}
			rows, err := a.db.AuditBatchRows(ctx, b.Batch)
			if err != nil {
				return res, err
			}
			res.Rows += int64(len(rows))
			if a.keys.AuditBatchMAC(b.PrevMAC, b.Batch, rows) != b.MAC {
				fail(b.Batch, "the batch's rows do not match its keyed MAC (a row was changed, deleted or moved, or the chain was recomputed without the key)")
				for _, r := range rows {
					if r.Digest() != r.Hash {
						res.BadSeq, res.BadID = r.Seq, r.ID
						res.Problem = "content does not match its hash (the row was changed)"
						break
					}
				}
				break walk
			}
			if found && b.Batch == cp.Batch {
				cpMAC = b.MAC
			}
			prev = b
		}
	}
	if !res.OK {
		return res, nil
	}
	old, orphaned, err := a.db.AuditUnsealed(ctx, a.clock.Now().Add(-a.sealDelay), prev.Batch)
	if err != nil {
		return res, err
	}
	res.Unsealed = old
	switch {
	case orphaned > 0:
		fail(prev.Batch+1, strconv.FormatInt(orphaned, 10)+" rows claim batches after the last one (batches were deleted)")
		return res, nil
	case old > 0:
		fail(0, strconv.FormatInt(old, 10)+" rows older than "+a.sealDelay.String()+" are not sealed (is the sealer running?)")
		return res, nil
	}
	switch {
	case cpErr != nil:
		fail(0, "the checkpoint in the blob store is unreadable")
	case !found && prev.Batch > 0:
		fail(0, "no checkpoint in the blob store, but "+strconv.FormatInt(prev.Batch, 10)+" batches are sealed")
	case !found:
	case !hmac.Equal([]byte(a.keys.CheckpointMAC(cp.signed())), []byte(cp.Sig)):
		fail(cp.Batch, "the checkpoint's signature is wrong (written without the key)")
	case cp.Batch > prev.Batch:
		res.Checkpoint = cp.Batch
		fail(prev.Batch+1, "the checkpoint names batch "+strconv.FormatInt(cp.Batch, 10)+" but the database ends at "+strconv.FormatInt(prev.Batch, 10)+" (batches were deleted)")
	case cpMAC != cp.MAC:
		res.Checkpoint = cp.Batch
		fail(cp.Batch, "the batch the checkpoint names has another MAC (the chain was rewritten)")
	default:
		res.Checkpoint = cp.Batch
	}
	return res, nil
}
