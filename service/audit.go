package service

import (
	"context"
	"fmt"
	"strconv"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Audit writes and checks the hash-chained audit trail.
type Audit struct {
	db    *storage.DB
	clock model.Clock
	ids   *model.IDs
}

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

// VerifyResult says whether the chain is intact and, if not, where it breaks.
type VerifyResult struct {
	Rows    int64
	OK      bool
	BadSeq  int64
	BadID   string
	Problem string
}

// Verify walks the chain from the first row and reports the first row whose
// hash or link does not match, or a missing row.
func (a *Audit) Verify(ctx context.Context) (VerifyResult, error) {
	res := VerifyResult{OK: true}
	prev := model.GenesisHash
	var want int64 = 1
	stop := fmt.Errorf("stop")
	err := a.db.WalkAudit(ctx, func(e model.AuditEntry) error {
		res.Rows++
		switch {
		case e.Seq != want:
			res.Problem = "row " + strconv.FormatInt(want, 10) + " is missing"
		case e.PrevHash != prev:
			res.Problem = "prev_hash does not link to the row before"
		case e.ComputeHash() != e.Hash:
			res.Problem = "content does not match its hash (the row was changed)"
		}
		if res.Problem != "" {
			res.OK, res.BadSeq, res.BadID = false, e.Seq, e.ID
			return stop
		}
		prev = e.Hash
		want++
		return nil
	})
	if err != nil && err != stop {
		return res, err
	}
	if res.OK {
		lastSeq, lastHash, err := a.db.AuditHead(ctx)
		if err != nil {
			return res, err
		}
		if lastSeq != want-1 || lastHash != prev {
			res.OK, res.BadSeq = false, want
			res.Problem = "rows after " + strconv.FormatInt(want-1, 10) + " were deleted (the chain head says " + strconv.FormatInt(lastSeq, 10) + ")"
		}
	}
	return res, nil
}
