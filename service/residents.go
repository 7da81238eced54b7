package service

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// SMS login rules.
const (
	// SMSCodeTTL is how long a login code stays valid.
	SMSCodeTTL = 10 * time.Minute
	// SMSCodeMaxTries is how many wrong codes burn the code.
	SMSCodeMaxTries = 5
)

// The limits on sending login codes and on trying them.
var (
	limitCodePerPhoneMinute = storage.Limit{Rate: 1, Period: time.Minute, Burst: 1}
	limitCodePerPhoneDay    = storage.Limit{Rate: 10, Period: 24 * time.Hour, Burst: 10}
	limitCodePerIPHour      = storage.Limit{Rate: 20, Period: time.Hour, Burst: 20}
	limitLoginPerIPHour     = storage.Limit{Rate: 60, Period: time.Hour, Burst: 60}
)

var (
	errCodeWrong = model.NewError(model.KindUnauthenticated, "code_invalid",
		"the code is wrong or has expired; check it or request a new one")
	errCodeBurned = model.NewError(model.KindUnauthenticated, "code_burned",
		"too many wrong codes; request a new one")
)

// Residents is SMS login for residents: it sends one-time codes, checks
// them and opens sessions, creating the resident on first login. Codes are
// kept only as keyed hashes in the KV store; phone numbers only sealed and
// as blind indexes.
type Residents struct {
	d        ResidentsDeps
	sessions *Sessions
}

// CodeSent says how long the code just sent is valid.
type CodeSent struct {
	ExpiresIn int `json:"expires_in"`
}

type smsCodeRecord struct {
	Hash    string    `json:"h"`
	Expires time.Time `json:"exp"`
}

func (r *Residents) allow(ctx context.Context, key string, l storage.Limit) error {
	return allow(ctx, r.d.Limiter, key, l)
}

// RequestCode sends a 6-digit login code to phone. It returns a
// model.KindInvalid error for a number that is not a mainland mobile
// number, model.KindRateLimited past 1 code a minute or 10 a day per phone
// or 20 an hour per client IP, and the sender's error (model.KindUnavailable
// without a gateway) when the text cannot be sent.
func (r *Residents) RequestCode(ctx context.Context, rawPhone string) (CodeSent, error) {
	phone, err := model.NormalizePhone(rawPhone)
	if err != nil {
		return CodeSent{}, err
	}
	idx := r.d.Keys.BlindIndex("phone", phone)
	ip := model.RequestMetaFrom(ctx).ClientIP
	if err := r.allow(ctx, "sms:ip:"+ip, limitCodePerIPHour); err != nil {
		return CodeSent{}, err
	}
	if err := r.allow(ctx, "sms:phone:min:"+idx, limitCodePerPhoneMinute); err != nil {
		return CodeSent{}, err
	}
	if err := r.allow(ctx, "sms:phone:day:"+idx, limitCodePerPhoneDay); err != nil {
		return CodeSent{}, err
	}
	n, err := rand.Int(r.random(), big.NewInt(1_000_000))
	if err != nil {
		return CodeSent{}, fmt.Errorf("login code: %w", err)
	}
	code := fmt.Sprintf("%06d", n.Int64())
	rec, err := json.Marshal(smsCodeRecord{Hash: r.codeHash(idx, code), Expires: r.d.Clock.Now().Add(SMSCodeTTL)})
	if err != nil {
		return CodeSent{}, fmt.Errorf("encode login code: %w", err)
	}
	if err := r.d.KV.Set(ctx, "sms:code:"+idx, rec, SMSCodeTTL); err != nil {
		return CodeSent{}, fmt.Errorf("store login code: %w", err)
	}
	if err := r.d.KV.Delete(ctx, "sms:tries:"+idx); err != nil {
		return CodeSent{}, fmt.Errorf("reset login tries: %w", err)
	}
	text := "【" + r.bureau() + "】您的登录验证码是 " + code + "，10分钟内有效。请勿告诉他人。"
	if err := r.d.SMS.Send(ctx, phone, text, code); err != nil {
		_ = r.d.KV.Delete(ctx, "sms:code:"+idx)
		return CodeSent{}, fmt.Errorf("send login code: %w", err)
	}
	return CodeSent{ExpiresIn: int(SMSCodeTTL / time.Second)}, nil
}

func (r *Residents) bureau() string {
	if r.d.Settings.BureauName != "" {
		return r.d.Settings.BureauName
	}
	return "救助通"
}

func (r *Residents) random() io.Reader {
	if r.d.Random != nil {
		return r.d.Random
	}
	return rand.Reader
}

func (r *Residents) codeHash(phoneIndex, code string) string {
	return r.d.Keys.TokenHash("sms-code", phoneIndex+":"+code)
}

// ResidentView is a resident as the API shows them.
type ResidentView struct {
	ID          string `json:"id"`
	PhoneMasked string `json:"phone_masked"`
}

// Login is the result of a successful login.
type Login struct {
	Token     string       `json:"token"`
	ExpiresAt time.Time    `json:"expires_at"`
	Resident  ResidentView `json:"resident"`
}

// Login checks the code sent to phone and opens a resident session,
// creating the resident on first login. A code is single use and valid for
// SMSCodeTTL; the fifth wrong code burns it. It returns a model.KindInvalid
// error for a malformed phone or code, a model.KindUnauthenticated error for
// a wrong, expired, used or burned code, and model.KindRateLimited past 60
// attempts an hour from one client IP.
func (r *Residents) Login(ctx context.Context, rawPhone, code string) (Login, error) {
	res, err := r.verifyCode(ctx, rawPhone, code)
	if err != nil {
		return Login{}, err
	}
	return r.openSession(ctx, res)
}

// openSession starts a resident session for res.
func (r *Residents) openSession(ctx context.Context, res model.Resident) (Login, error) {
	sess, err := r.sessions.Create(ctx, model.Principal{Kind: model.PrincipalResident, ID: res.ID},
		r.d.Settings.ResidentIdleTTL, r.d.Settings.ResidentMaxTTL)
	if err != nil {
		return Login{}, err
	}
	return Login{Token: sess.Token, ExpiresAt: sess.ExpiresAt, Resident: ResidentView{ID: res.ID, PhoneMasked: res.PhoneMasked}}, nil
}

// verifyCode checks the login code sent to phone (the rules and errors of
// Login) and returns the resident, created on first login.
func (r *Residents) verifyCode(ctx context.Context, rawPhone, code string) (model.Resident, error) {
	phone, err := model.NormalizePhone(rawPhone)
	if err != nil {
		return model.Resident{}, err
	}
	code = strings.TrimSpace(code)
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return model.Resident{}, model.Invalid("code", "must be the 6 digits of the text message")
	}
	if err := r.allow(ctx, "login:ip:"+model.RequestMetaFrom(ctx).ClientIP, limitLoginPerIPHour); err != nil {
		return model.Resident{}, err
	}
	idx := r.d.Keys.BlindIndex("phone", phone)
	codeKey, triesKey := "sms:code:"+idx, "sms:tries:"+idx
	b, err := r.d.KV.Get(ctx, codeKey)
	if errors.Is(err, model.ErrNotFound) {
		return model.Resident{}, errCodeWrong
	}
	if err != nil {
		return model.Resident{}, fmt.Errorf("load login code: %w", err)
	}
	var rec smsCodeRecord
	if err := json.Unmarshal(b, &rec); err != nil || !r.d.Clock.Now().Before(rec.Expires) {
		_ = r.d.KV.Delete(ctx, codeKey, triesKey)
		return model.Resident{}, errCodeWrong
	}
	tries, _, err := r.d.KV.IncrWindow(ctx, triesKey, SMSCodeTTL)
	if err != nil {
		return model.Resident{}, fmt.Errorf("count login tries: %w", err)
	}
	if tries > SMSCodeMaxTries {
		_ = r.d.KV.Delete(ctx, codeKey)
		return model.Resident{}, errCodeBurned
	}
	if !hmac.Equal([]byte(rec.Hash), []byte(r.codeHash(idx, code))) {
		if tries >= SMSCodeMaxTries {
			_ = r.d.KV.Delete(ctx, codeKey)
			return model.Resident{}, errCodeBurned
		}
		return model.Resident{}, errCodeWrong
	}
	// Single use: of two concurrent logins with the same code only the one
	// that claims it goes on.
	claimed, err := r.d.KV.SetNX(ctx, "sms:used:"+rec.Hash, []byte("1"), SMSCodeTTL)
	if err != nil {
		return model.Resident{}, fmt.Errorf("claim login code: %w", err)
	}
	if !claimed {
		return model.Resident{}, errCodeWrong
	}
	_ = r.d.KV.Delete(ctx, codeKey, triesKey)

	return r.findOrCreate(ctx, phone, idx)
}

// findOrCreate returns the resident with the phone, creating them on first
// login, and records the login.
func (r *Residents) findOrCreate(ctx context.Context, phone, idx string) (model.Resident, error) {
	now := r.d.Clock.Now()
	res, err := r.d.DB.ResidentByPhoneIndex(ctx, idx)
	if errors.Is(err, model.ErrNotFound) {
		sealed, serr := r.d.Keys.Seal(phone)
		if serr != nil {
			return model.Resident{}, fmt.Errorf("seal phone: %w", serr)
		}
		res = model.Resident{ID: r.d.IDs.New(), PhoneSealed: sealed, PhoneIndex: idx, PhoneMasked: model.MaskPhone(phone), CreatedAt: now, LastLoginAt: &now}
		err = r.d.DB.CreateResident(ctx, &res)
		if model.KindOf(err) == model.KindConflict {
			// A concurrent first login created them.
			res, err = r.d.DB.ResidentByPhoneIndex(ctx, idx)
		}
		if err != nil {
			return model.Resident{}, fmt.Errorf("create resident: %w", err)
		}
		return res, nil
	}
	if err != nil {
		return model.Resident{}, fmt.Errorf("find resident: %w", err)
	}
	if err := r.d.DB.TouchResidentLogin(ctx, res.ID, now); err != nil {
		return model.Resident{}, err
	}
	return res, nil
}

// residentOf returns the resident principal in ctx, or a
// model.KindUnauthenticated error.
func residentOf(ctx context.Context) (model.Principal, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || p.Kind != model.PrincipalResident {
		return model.Principal{}, model.ErrUnauthenticated
	}
	return p, nil
}

// CurrentSession is the caller's own session without its token.
type CurrentSession struct {
	ExpiresAt time.Time    `json:"expires_at"`
	Resident  ResidentView `json:"resident"`
}

// Current describes the calling resident's session (for the portal after
// a login that answered with a redirect, such as WeChat's).
func (r *Residents) Current(ctx context.Context) (CurrentSession, error) {
	p, err := residentOf(ctx)
	if err != nil {
		return CurrentSession{}, err
	}
	res, err := r.d.DB.Resident(ctx, p.ID)
	if err != nil {
		return CurrentSession{}, err
	}
	return CurrentSession{ExpiresAt: p.ExpiresAt, Resident: ResidentView{ID: res.ID, PhoneMasked: res.PhoneMasked}}, nil
}
