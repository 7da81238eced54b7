package service

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// maxContactRunes caps the contact an objector leaves.
const maxContactRunes = 64

// Notices is the public side of 公示 (the open notices and objections to
// them) and the staff handling of objections.
type Notices struct {
	d     Deps
	audit *Audit
	apps  *Applications
}

// NewNotices builds the notices service.
func NewNotices(d Deps, audit *Audit, apps *Applications) *Notices {
	return &Notices{d: d, audit: audit, apps: apps}
}

// Public pages through the notices open now in a region subtree (every
// region when regionCode is empty). An unknown region is model.KindInvalid.
func (n *Notices) Public(ctx context.Context, regionCode string, req model.PageRequest) (model.Page[model.Notice], error) {
	prefix := ""
	if regionCode != "" {
		if _, err := n.d.DB.Region(ctx, regionCode); err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.Page[model.Notice]{}, model.Invalid("region_code", "unknown region code")
			}
			return model.Page[model.Notice]{}, err
		}
		prefix = model.RegionPrefix(regionCode)
	}
	rows, err := n.d.DB.PublicNotices(ctx, prefix, n.d.Clock.Now(), req)
	if err != nil {
		return model.Page[model.Notice]{}, err
	}
	return model.NewPage(rows, req, func(x model.Notice) string { return x.ID }), nil
}

// ObjectionInput is what a member of the public sends.
type ObjectionInput struct {
	Content string `json:"content"`
	Contact string `json:"contact"`
}

// ObjectionReceipt confirms an objection.
type ObjectionReceipt struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// Object files an objection to an open notice. Each client IP may file a
// few an hour (model.KindRateLimited past that); empty or over-long content
// is model.KindInvalid; a notice that is not open now model.KindNotFound.
// The contact is stored sealed.
func (n *Notices) Object(ctx context.Context, noticeID string, in ObjectionInput) (ObjectionReceipt, error) {
	// A few objections an hour per address, so nobody floods the board.
	limit := storage.Limit{Rate: 5, Period: time.Hour, Burst: 5}
	ip := model.RequestMetaFrom(ctx).ClientIP
	if err := allow(ctx, n.d.Limiter, "objection:ip:"+ip, limit); err != nil {
		return ObjectionReceipt{}, err
	}
	content := strings.TrimSpace(in.Content)
	if content == "" {
		return ObjectionReceipt{}, model.Invalid("content", "say what is wrong with the notice")
	}
	if utf8.RuneCountInString(content) > model.MaxObjectionRunes {
		return ObjectionReceipt{}, model.Invalid("content", "at most 2000 characters")
	}
	contact := strings.TrimSpace(in.Contact)
	if utf8.RuneCountInString(contact) > maxContactRunes {
		return ObjectionReceipt{}, model.Invalid("contact", "at most 64 characters")
	}
	now := n.d.Clock.Now()
	var out ObjectionReceipt
	err := n.d.DB.InTx(ctx, func(ctx context.Context) error {
		notice, err := n.d.DB.PublicNotice(ctx, noticeID, now)
		if err != nil {
			return notFoundAs(err, "notice")
		}
		o := model.Objection{ID: n.d.IDs.New(), NoticeID: notice.ID, ApplicationID: notice.ApplicationID, RegionCode: notice.RegionCode,
			Content: content, Status: model.ObjectionOpen, CreatedAt: now}
		if contact != "" {
			sealed, err := n.d.Keys.Seal(contact)
			if err != nil {
				return err
			}
			o.ContactSealed = &sealed
		}
		if err := n.d.DB.CreateObjection(ctx, &o); err != nil {
			return err
		}
		if err := n.audit.Record(ctx, Event{Action: "objection.create", TargetType: "objection", TargetID: o.ID, RegionCode: o.RegionCode}); err != nil {
			return err
		}
		out = ObjectionReceipt{ID: o.ID, Status: o.Status, CreatedAt: o.CreatedAt}
		return nil
	})
	return out, err
}

// ObjectionView is an objection as staff see it; the contact is masked.
type ObjectionView struct {
	ID            string     `json:"id"`
	NoticeID      string     `json:"notice_id"`
	ApplicationID string     `json:"application_id"`
	RegionCode    string     `json:"region_code"`
	Content       string     `json:"content"`
	ContactMasked *string    `json:"contact_masked"`
	Status        string     `json:"status"`
	Resolution    *string    `json:"resolution"`
	Upheld        *bool      `json:"upheld"`
	ResolvedAt    *time.Time `json:"resolved_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

func (n *Notices) viewOf(o model.Objection) (ObjectionView, error) {
	v := ObjectionView{ID: o.ID, NoticeID: o.NoticeID, ApplicationID: o.ApplicationID, RegionCode: o.RegionCode, Content: o.Content,
		Status: o.Status, Resolution: o.Resolution, Upheld: o.Upheld, ResolvedAt: o.ResolvedAt, CreatedAt: o.CreatedAt}
	if o.ContactSealed != nil {
		c, err := n.d.Keys.Open(*o.ContactSealed)
		if err != nil {
			return v, err
		}
		m := maskContact(c)
		v.ContactMasked = &m
	}
	return v, nil
}

// maskContact masks a phone number as phones are masked, anything else but
// its first character.
func maskContact(c string) string {
	if len(c) == 11 && strings.Trim(c, "0123456789") == "" {
		return model.MaskPhone(c)
	}
	r := []rune(c)
	if len(r) <= 1 {
		return "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-1)
}

// ObjectionQuery filters the staff list of objections.
type ObjectionQuery struct {
	Status        string
	ApplicationID string
}

// Objections pages through the objections in the staff member's region
// subtree. An unknown status is model.KindInvalid.
func (n *Notices) Objections(ctx context.Context, q ObjectionQuery, req model.PageRequest) (model.Page[ObjectionView], error) {
	p, err := staffIn(ctx, model.ActObjectionsRead)
	if err != nil {
		return model.Page[ObjectionView]{}, err
	}
	if q.Status != "" && q.Status != model.ObjectionOpen && q.Status != model.ObjectionResolved {
		return model.Page[ObjectionView]{}, model.Invalid("status", "open or resolved")
	}
	rows, err := n.d.DB.Objections(ctx, storage.ObjectionFilter{RegionPrefix: scopeOf(p), Status: q.Status, ApplicationID: q.ApplicationID}, req)
	if err != nil {
		return model.Page[ObjectionView]{}, err
	}
	page := model.NewPage(rows, req, func(o model.Objection) string { return o.ID })
	out := model.Page[ObjectionView]{Items: make([]ObjectionView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, o := range page.Items {
		v, err := n.viewOf(o)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// Resolution is a staff member's answer to an objection.
type Resolution struct {
	Resolution string `json:"resolution"`
	Upheld     *bool  `json:"upheld"`
}

// Resolve answers an objection in the staff member's region subtree. An
// upheld objection sends a publicized case back to investigating (its
// notice closes; the resident is told), in the same transaction. Out of
// region is model.KindNotFound; a missing resolution or upheld flag
// model.KindInvalid; an objection already resolved model.KindConflict.
func (n *Notices) Resolve(ctx context.Context, id string, in Resolution) (ObjectionView, error) {
	p, err := staffIn(ctx, model.ActObjectionsResolve)
	if err != nil {
		return ObjectionView{}, err
	}
	var out model.Objection
	err = n.d.DB.InTx(ctx, func(ctx context.Context) error {
		o, err := n.d.DB.ObjectionInRegion(ctx, id, scopeOf(p))
		if err != nil {
			return notFoundAs(err, "objection")
		}
		text := strings.TrimSpace(in.Resolution)
		if err := checkText("resolution", text, true); err != nil {
			return err
		}
		if in.Upheld == nil {
			return model.Invalid("upheld", "true or false")
		}
		now := n.d.Clock.Now()
		if err := n.d.DB.ResolveObjection(ctx, o.ID, text, *in.Upheld, p.ID, now); err != nil {
			return err
		}
		detail := "dismissed"
		if *in.Upheld {
			detail = "upheld"
			if err := n.reinvestigate(ctx, o, p, text, now); err != nil {
				return err
			}
		}
		if err := n.audit.Record(ctx, Event{Action: "objection.resolve", TargetType: "objection", TargetID: o.ID, RegionCode: o.RegionCode, Detail: detail}); err != nil {
			return err
		}
		out, err = n.d.DB.ObjectionInRegion(ctx, o.ID, scopeOf(p))
		return err
	})
	if err != nil {
		return ObjectionView{}, err
	}
	return n.viewOf(out)
}

// reinvestigate sends the case of an upheld objection back to
// investigating when it is still publicized; a case already decided or
// withdrawn stays as it is.
func (n *Notices) reinvestigate(ctx context.Context, o model.Objection, p model.Principal, note string, now time.Time) error {
	a, err := n.d.DB.Application(ctx, o.ApplicationID)
	if err != nil {
		return err
	}
	if a.Status != model.StatusPublicizing {
		return nil
	}
	if err := n.d.DB.UpdateApplicationStatus(ctx, a.ID, []model.Status{model.StatusPublicizing}, model.StatusInvestigating, storage.StatusChange{At: now}); err != nil {
		return err
	}
	if err := n.d.DB.CloseNotices(ctx, a.ID); err != nil {
		return err
	}
	actor := p.ID
	if err := n.apps.RecordStep(ctx, &a, model.StatusInvestigating, string(p.Role), &actor, "公示异议成立，重新调查："+note, ""); err != nil {
		return err
	}
	return n.audit.Record(ctx, Event{Action: "application.reinvestigate", TargetType: "application", TargetID: a.ID, RegionCode: a.RegionCode,
		Detail: string(model.StatusPublicizing + "->" + model.StatusInvestigating)})
}
