package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/jiuzhu/jiuzhu/model"
	"github.com/jiuzhu/jiuzhu/storage"
)

// Password rules for staff accounts.
const (
	minPasswordRunes = 10
	maxPasswordRunes = 128
)

// totpIssuer names Jiuzhu in authenticator apps.
const totpIssuer = "Jiuzhu"

var usernamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{2,63}$`)

var (
	errBadCredentials = model.NewError(model.KindUnauthenticated, "invalid_credentials", "wrong username or password")
	errTOTPRequired   = model.NewError(model.KindUnauthenticated, "totp_required", "this account needs its authenticator code: send totp_code")
	errBadTOTP        = model.NewError(model.KindUnauthenticated, "invalid_totp_code", "the authenticator code is wrong or already used")
	errDisabled       = model.NewError(model.KindForbidden, "account_disabled", "this account is disabled; ask an administrator")
	errStaffOnly      = model.NewError(model.KindUnauthenticated, "unauthenticated", "log in as staff first")
)

// StaffAccounts is staff login, logout, account administration and TOTP
// enrolment. Logins, failed logins and every account change are audited.
type StaffAccounts struct {
	d        StaffAccountsDeps
	sessions *Sessions
	audit    *Audit
	hasher   PasswordHasher
	limits   LoginLimits
	gate     *hashGate

	// dummyHash is checked against when a username does not exist, so a
	// login for an unknown account takes as long as one for a known one.
	dummyOnce sync.Once
	dummyHash string
}

// NewStaffAccounts builds the staff account service. hasher checks and
// makes password hashes (Argon2Hasher in production); limits bound what
// logins may cost.
func NewStaffAccounts(d StaffAccountsDeps, sessions *Sessions, audit *Audit, hasher PasswordHasher, limits LoginLimits) *StaffAccounts {
	return &StaffAccounts{d: d, sessions: sessions, audit: audit, hasher: hasher, limits: limits, gate: newHashGate(limits.MaxHashes, limits.HashWait)}
}

// StaffView is a staff account as the API shows it.
type StaffView struct {
	ID          string     `json:"id"`
	Username    string     `json:"username"`
	Role        model.Role `json:"role"`
	RegionCode  string     `json:"region_code"`
	SchoolID    *string    `json:"school_id,omitempty"`
	DisplayName string     `json:"display_name"`
	Disabled    bool       `json:"disabled"`
	TOTPEnabled bool       `json:"totp_enabled"`
	CreatedAt   time.Time  `json:"created_at"`
}

func viewOfStaff(s model.Staff) StaffView {
	return StaffView{ID: s.ID, Username: s.Username, Role: s.Role, RegionCode: s.RegionCode, SchoolID: s.SchoolID,
		DisplayName: s.DisplayName, Disabled: s.Disabled, TOTPEnabled: s.TOTPEnabled, CreatedAt: s.CreatedAt}
}

// StaffLogin is what a staff member sends to log in.
type StaffLogin struct {
	Username string `json:"username"`
	Password string `json:"password"`
	TOTPCode string `json:"totp_code"`
}

// StaffSession is a new staff session. When TOTPEnrolmentRequired is true
// the session carries no role: it can only enrol TOTP (and log out) until
// the staff member logs in again with a code.
type StaffSession struct {
	Token                 string    `json:"token"`
	ExpiresAt             time.Time `json:"expires_at"`
	Staff                 StaffView `json:"staff"`
	TOTPEnrolmentRequired bool      `json:"totp_enrolment_required"`
	// Permissions is what the session may do (none while it can only enrol
	// TOTP): the portal shows the menus these allow.
	Permissions []model.Action `json:"permissions"`
}

func (a *StaffAccounts) dummy() string {
	a.dummyOnce.Do(func() {
		a.dummyHash, _ = a.hasher.Hash("not-a-password-of-anyone")
	})
	return a.dummyHash
}

// staffPrincipal is the principal of a staff account, for the audit rows
// of a login before any session exists.
func staffPrincipal(s model.Staff) model.Principal {
	return model.Principal{Kind: model.PrincipalStaff, ID: s.ID, Role: s.Role, RegionCode: s.RegionCode, SchoolID: s.SchoolID}
}

// Login checks a username, password and (when the account has TOTP) an
// authenticator code, and starts a session with the staff idle and absolute
// lifetimes. Before any password is hashed it applies the per-IP and global
// login limits and the backoff of this (username, IP) pair
// (model.KindRateLimited: login_rate_limited, login_throttled); at most
// LoginLimits.MaxHashes passwords are checked at once (login_busy past
// HashWait). Wrong credentials are model.KindUnauthenticated
// (invalid_credentials, totp_required, invalid_totp_code); a disabled
// account is model.KindForbidden. Every outcome is audited.
func (a *StaffAccounts) Login(ctx context.Context, in StaffLogin) (StaffSession, error) {
	username := strings.ToLower(strings.TrimSpace(in.Username))
	if username == "" || in.Password == "" {
		return StaffSession{}, errBadCredentials
	}
	if len(username) > 64 || len(in.Password) > 4*maxPasswordRunes {
		return StaffSession{}, errBadCredentials
	}
	if err := a.allowAttempt(ctx); err != nil {
		return StaffSession{}, err
	}
	st, err := a.d.DB.StaffByUsername(ctx, username)
	known := err == nil
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return StaffSession{}, err
	}
	actx := ctx
	if known {
		actx = model.WithPrincipal(ctx, staffPrincipal(st))
	}
	fail := func(outcome, detail string, cause error) (StaffSession, error) {
		if aerr := a.audit.RecordAlone(actx, Event{Action: "staff.login", TargetType: "staff", TargetID: st.ID, Outcome: outcome, Detail: detail}); aerr != nil {
			return StaffSession{}, aerr
		}
		return StaffSession{}, cause
	}
	failKey, waitKey, err := a.throttleKeys(ctx, username)
	if err != nil {
		return StaffSession{}, err
	}
	if left, err := a.throttledFor(ctx, waitKey); err != nil {
		return StaffSession{}, err
	} else if left > 0 {
		return fail(model.OutcomeDenied, "throttled after repeated failures from this address", rateLimited(errLoginThrottled, left))
	}
	countAndFail := func(detail string, cause error) (StaffSession, error) {
		backoff, err := a.countFailure(ctx, failKey, waitKey)
		if err != nil {
			return StaffSession{}, err
		}
		if backoff > 0 {
			detail += "; address throttled for " + backoff.String()
		}
		return fail(model.OutcomeFailure, detail, cause)
	}
	encoded := a.dummy()
	if known {
		encoded = st.PasswordHash
	}
	ok, err := a.check(ctx, encoded, in.Password)
	if err != nil {
		return StaffSession{}, err
	}
	if !known {
		return countAndFail("unknown account", errBadCredentials)
	}
	if !ok {
		return countAndFail("wrong password", errBadCredentials)
	}
	if st.TOTPEnabled {
		if in.TOTPCode == "" {
			return fail(model.OutcomeFailure, "authenticator code missing", errTOTPRequired)
		}
		ok, err := a.checkTOTP(ctx, st, in.TOTPCode)
		if err != nil {
			return StaffSession{}, err
		}
		if !ok {
			return countAndFail("wrong authenticator code", errBadTOTP)
		}
	}
	if st.Disabled {
		return fail(model.OutcomeDenied, "account disabled", errDisabled)
	}
	if err := a.d.KV.Delete(ctx, failKey, waitKey); err != nil {
		return StaffSession{}, fmt.Errorf("reset failed logins: %w", err)
	}
	p := staffPrincipal(st)
	out := StaffSession{Staff: viewOfStaff(st)}
	if !st.TOTPEnabled {
		required, err := a.d.DB.RoleRequiresTOTP(ctx, st.Role)
		if err != nil {
			return StaffSession{}, err
		}
		if required {
			// A session without a role passes no permission check: it can
			// only enrol TOTP.
			p.Role = ""
			out.TOTPEnrolmentRequired = true
		}
	}
	sess, err := a.sessions.Create(ctx, p, a.d.Settings.StaffIdleTTL, a.d.Settings.StaffMaxTTL)
	if err != nil {
		return StaffSession{}, err
	}
	detail := ""
	if out.TOTPEnrolmentRequired {
		detail = "enrolment-only session: the role requires TOTP"
	}
	if err := a.audit.RecordAlone(model.WithPrincipal(ctx, staffPrincipal(st)), Event{Action: "staff.login", TargetType: "staff", TargetID: st.ID, Detail: detail}); err != nil {
		return StaffSession{}, err
	}
	out.Token, out.ExpiresAt, out.Permissions = sess.Token, sess.ExpiresAt, model.ActionsOf(p.Role)
	return out, nil
}

// Logout ends the session of token and audits it.
func (a *StaffAccounts) Logout(ctx context.Context, token string) error {
	if err := a.sessions.Revoke(ctx, token); err != nil {
		return err
	}
	p, _ := model.PrincipalFrom(ctx)
	return a.audit.RecordAlone(ctx, Event{Action: "staff.logout", TargetType: "staff", TargetID: p.ID})
}

// checkTOTP validates code against the account's secret at the injected
// clock's time, allowing one 30-second step of drift, and refuses a code
// that was already used (replay).
func (a *StaffAccounts) checkTOTP(ctx context.Context, st model.Staff, code string) (bool, error) {
	if st.TOTPSecret == nil || len(code) != 6 {
		return false, nil
	}
	secret, err := a.d.Keys.Open(*st.TOTPSecret)
	if err != nil {
		return false, fmt.Errorf("open totp secret: %w", err)
	}
	ok, err := totp.ValidateCustom(code, secret, a.d.Clock.Now(), totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil || !ok {
		return false, nil
	}
	fresh, err := a.d.KV.SetNX(ctx, "staff:totp:used:"+st.ID+":"+code, []byte("1"), 2*time.Minute)
	if err != nil {
		return false, fmt.Errorf("record totp use: %w", err)
	}
	return fresh, nil
}

// TOTPEnrolment is a freshly generated authenticator secret, shown once.
type TOTPEnrolment struct {
	Secret     string `json:"secret"`
	OTPAuthURL string `json:"otpauth_url"`
}

// current loads the account of the staff principal in ctx.
func (a *StaffAccounts) current(ctx context.Context) (model.Staff, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || !p.IsStaff() {
		return model.Staff{}, errStaffOnly
	}
	return a.d.DB.StaffByID(ctx, p.ID)
}

// Me is the logged-in staff member's own account (totp_enabled tells the
// portal whether to offer enrolment). It works in an enrolment-only
// session too.
func (a *StaffAccounts) Me(ctx context.Context) (StaffView, error) {
	st, err := a.current(ctx)
	if err != nil {
		return StaffView{}, err
	}
	return viewOfStaff(st), nil
}

// BeginTOTP generates a new authenticator secret for the logged-in staff
// member and keeps it sealed until ConfirmTOTP. An account whose TOTP is
// already on is model.KindConflict (an admin resets it first).
func (a *StaffAccounts) BeginTOTP(ctx context.Context) (TOTPEnrolment, error) {
	st, err := a.current(ctx)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if st.TOTPEnabled {
		return TOTPEnrolment{}, model.Conflict("totp_already_enabled", "TOTP is already on for this account")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: st.Username, Rand: a.d.Random})
	if err != nil {
		return TOTPEnrolment{}, fmt.Errorf("generate totp secret: %w", err)
	}
	sealed, err := a.d.Keys.Seal(key.Secret())
	if err != nil {
		return TOTPEnrolment{}, err
	}
	err = a.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := a.d.DB.UpdateStaff(ctx, st.ID, storage.StaffChange{TOTPSecret: &sealed, TOTPEnabled: ptr(false)}, a.d.Clock.Now()); err != nil {
			return err
		}
		return a.audit.Record(ctx, Event{Action: "staff.totp_begin", TargetType: "staff", TargetID: st.ID, RegionCode: st.RegionCode})
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: key.Secret(), OTPAuthURL: key.URL()}, nil
}

// ConfirmTOTP turns TOTP on once the staff member proves their app
// produces the right code. No pending secret is model.KindConflict; a
// wrong code model.KindInvalid.
func (a *StaffAccounts) ConfirmTOTP(ctx context.Context, code string) (StaffView, error) {
	st, err := a.current(ctx)
	if err != nil {
		return StaffView{}, err
	}
	if st.TOTPEnabled {
		return StaffView{}, model.Conflict("totp_already_enabled", "TOTP is already on for this account")
	}
	if st.TOTPSecret == nil || *st.TOTPSecret == "" {
		return StaffView{}, model.Conflict("totp_not_started", "start TOTP enrolment first")
	}
	ok, err := a.checkTOTP(ctx, st, strings.TrimSpace(code))
	if err != nil {
		return StaffView{}, err
	}
	if !ok {
		return StaffView{}, model.Invalid("code", "not the current code of the authenticator")
	}
	err = a.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := a.d.DB.UpdateStaff(ctx, st.ID, storage.StaffChange{TOTPEnabled: ptr(true)}, a.d.Clock.Now()); err != nil {
			return err
		}
		return a.audit.Record(ctx, Event{Action: "staff.totp_enable", TargetType: "staff", TargetID: st.ID, RegionCode: st.RegionCode})
	})
	if err != nil {
		return StaffView{}, err
	}
	st.TOTPEnabled = true
	return viewOfStaff(st), nil
}

// NewStaff is what an admin sends to create an account.
type NewStaff struct {
	Username    string     `json:"username"`
	Password    string     `json:"password"`
	Role        model.Role `json:"role"`
	RegionCode  string     `json:"region_code"`
	SchoolID    *string    `json:"school_id"`
	DisplayName string     `json:"display_name"`
}

func validPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < minPasswordRunes || n > maxPasswordRunes {
		return model.Invalid(field, fmt.Sprintf("must be %d to %d characters", minPasswordRunes, maxPasswordRunes))
	}
	return nil
}

// admin returns the admin principal in ctx.
func adminOf(ctx context.Context) (model.Principal, error) {
	p, ok := model.PrincipalFrom(ctx)
	if !ok || !p.IsStaff() {
		return p, errStaffOnly
	}
	if !model.Can(p.Role, model.ActStaffManage) {
		return p, model.Forbidden("not_permitted", "your role may not manage staff accounts")
	}
	return p, nil
}

// Create makes a staff account inside the admin's region subtree. Invalid
// fields are model.KindInvalid; a region or school outside the admin's
// subtree model.KindNotFound; a taken username model.KindConflict.
//
// An admin or county approver account is not created at once: the result
// is a PendingGrant that another admin confirms (ConfirmGrant).
func (a *StaffAccounts) Create(ctx context.Context, in NewStaff) (StaffView, *PendingGrant, error) {
	st, err := a.newAccount(ctx, in)
	if err != nil {
		return StaffView{}, nil, err
	}
	if privilegedRole(st.Role) {
		g, err := a.requestGrant(ctx, grantCreate, st, "")
		return StaffView{}, g, err
	}
	v, err := a.insertStaff(ctx, st)
	return v, nil, err
}

// newAccount validates in and builds the account (password hashed).
func (a *StaffAccounts) newAccount(ctx context.Context, in NewStaff) (model.Staff, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return model.Staff{}, err
	}
	in.Username = strings.ToLower(strings.TrimSpace(in.Username))
	if !usernamePattern.MatchString(in.Username) {
		return model.Staff{}, model.Invalid("username", "3 to 64 lower-case letters, digits, '.', '_' or '-'")
	}
	if err := validPassword("password", in.Password); err != nil {
		return model.Staff{}, err
	}
	if !isRole(in.Role) {
		return model.Staff{}, model.Invalid("role", "not a staff role")
	}
	if utf8.RuneCountInString(in.DisplayName) > 64 {
		return model.Staff{}, model.Invalid("display_name", "at most 64 characters")
	}
	if _, err := a.d.DB.Region(ctx, in.RegionCode); err != nil || !model.InRegion(p.RegionCode, in.RegionCode) {
		if err != nil && !errors.Is(err, model.ErrNotFound) {
			return model.Staff{}, err
		}
		return model.Staff{}, model.NotFound("region")
	}
	if in.Role == model.RoleSchoolOperator {
		if in.SchoolID == nil || *in.SchoolID == "" {
			return model.Staff{}, model.Invalid("school_id", "a school operator needs a school")
		}
		sc, err := a.d.DB.School(ctx, *in.SchoolID)
		if err != nil || !model.InRegion(in.RegionCode, sc.RegionCode) {
			if err != nil && !errors.Is(err, model.ErrNotFound) {
				return model.Staff{}, err
			}
			return model.Staff{}, model.NotFound("school")
		}
	} else if in.SchoolID != nil {
		return model.Staff{}, model.Invalid("school_id", "only school operators are bound to a school")
	}
	hash, err := a.hasher.Hash(in.Password)
	if err != nil {
		return model.Staff{}, err
	}
	now := a.d.Clock.Now()
	st := model.Staff{ID: a.d.IDs.New(), Username: in.Username, PasswordHash: hash, Role: in.Role, RegionCode: in.RegionCode,
		SchoolID: in.SchoolID, DisplayName: in.DisplayName, CreatedAt: now, UpdatedAt: now}
	if st.DisplayName == "" {
		st.DisplayName = st.Username
	}
	return st, nil
}

// insertStaff stores a new account with its audit row.
func (a *StaffAccounts) insertStaff(ctx context.Context, st model.Staff) (StaffView, error) {
	err := a.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := a.d.DB.CreateStaff(ctx, &st); err != nil {
			if model.KindOf(err) == model.KindConflict {
				return model.Conflict("username_taken", "that username is taken")
			}
			return err
		}
		return a.audit.Record(ctx, Event{Action: "staff.create", TargetType: "staff", TargetID: st.ID, RegionCode: st.RegionCode, Detail: "role " + string(st.Role)})
	})
	if err != nil {
		return StaffView{}, err
	}
	return viewOfStaff(st), nil
}

func isRole(r model.Role) bool {
	for _, x := range model.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// List pages through the accounts in the admin's region subtree.
func (a *StaffAccounts) List(ctx context.Context, req model.PageRequest) (model.Page[StaffView], error) {
	p, err := adminOf(ctx)
	if err != nil {
		return model.Page[StaffView]{}, err
	}
	rows, err := a.d.DB.ListStaff(ctx, model.RegionPrefix(p.RegionCode), req)
	if err != nil {
		return model.Page[StaffView]{}, err
	}
	page := model.NewPage(rows, req, func(s model.Staff) string { return s.ID })
	out := model.Page[StaffView]{Items: make([]StaffView, 0, len(page.Items)), NextCursor: page.NextCursor}
	for _, s := range page.Items {
		out.Items = append(out.Items, viewOfStaff(s))
	}
	return out, nil
}

// change applies cols to an account in the admin's subtree inside one
// transaction with its audit row, then revokes the account's sessions when
// revoke is set. An account outside the subtree is model.KindNotFound.
func (a *StaffAccounts) change(ctx context.Context, id, action string, cols storage.StaffChange, revoke bool) (StaffView, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return StaffView{}, err
	}
	var st model.Staff
	err = a.d.DB.InTx(ctx, func(ctx context.Context) error {
		st, err = a.d.DB.StaffInRegion(ctx, id, model.RegionPrefix(p.RegionCode))
		if err != nil {
			if errors.Is(err, model.ErrNotFound) {
				return model.NotFound("staff")
			}
			return err
		}
		if st.ID == p.ID && revoke {
			return model.Conflict("own_account", "use another admin account to change your own access")
		}
		if err := a.d.DB.UpdateStaff(ctx, st.ID, cols, a.d.Clock.Now()); err != nil {
			return err
		}
		return a.audit.Record(ctx, Event{Action: action, TargetType: "staff", TargetID: st.ID, RegionCode: st.RegionCode})
	})
	if err != nil {
		return StaffView{}, err
	}
	if revoke {
		if err := a.sessions.RevokeAll(ctx, model.PrincipalStaff, st.ID); err != nil {
			return StaffView{}, err
		}
	}
	st, err = a.d.DB.StaffByID(ctx, st.ID)
	if err != nil {
		return StaffView{}, err
	}
	return viewOfStaff(st), nil
}

// Disable turns an account off and ends its sessions at once.
func (a *StaffAccounts) Disable(ctx context.Context, id string) (StaffView, error) {
	return a.change(ctx, id, "staff.disable", storage.StaffChange{Disabled: ptr(true)}, true)
}

// Enable turns a disabled account back on.
func (a *StaffAccounts) Enable(ctx context.Context, id string) (StaffView, error) {
	return a.change(ctx, id, "staff.enable", storage.StaffChange{Disabled: ptr(false)}, false)
}

// ResetPassword sets a new password and ends the account's sessions. A
// password outside the length rules is model.KindInvalid. The password of
// an admin or county approver is not reset at once: the result is a
// PendingGrant that another admin confirms.
func (a *StaffAccounts) ResetPassword(ctx context.Context, id, password string) (StaffView, *PendingGrant, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return StaffView{}, nil, err
	}
	if err := validPassword("password", password); err != nil {
		return StaffView{}, nil, err
	}
	st, err := a.d.DB.StaffInRegion(ctx, id, model.RegionPrefix(p.RegionCode))
	if errors.Is(err, model.ErrNotFound) {
		return StaffView{}, nil, model.NotFound("staff")
	}
	if err != nil {
		return StaffView{}, nil, err
	}
	hash, err := a.hasher.Hash(password)
	if err != nil {
		return StaffView{}, nil, err
	}
	if privilegedRole(st.Role) {
		g, err := a.requestGrant(ctx, grantPasswordReset, st, hash)
		return StaffView{}, g, err
	}
	v, err := a.resetPasswordNow(ctx, id, hash)
	return v, nil, err
}

func (a *StaffAccounts) resetPasswordNow(ctx context.Context, id, hash string) (StaffView, error) {
	return a.change(ctx, id, "staff.password_reset", storage.StaffChange{PasswordHash: &hash}, true)
}

// ResetTOTP clears an account's authenticator (a lost phone) and ends its
// sessions; the staff member enrols again at the next login.
func (a *StaffAccounts) ResetTOTP(ctx context.Context, id string) (StaffView, error) {
	return a.change(ctx, id, "staff.totp_reset", storage.StaffChange{ClearTOTP: true}, true)
}

// RoleSettings says whether a role must use TOTP.
type RoleSettings struct {
	Role        model.Role `json:"role"`
	RequireTOTP bool       `json:"require_totp"`
}

// SetRoleSettings makes TOTP mandatory (or not) for every account of a
// role. Making it mandatory ends the live sessions of the role's accounts
// without an authenticator, so nobody keeps working on a password alone.
// The setting is city-wide, so only an admin bound to the city may change
// it (model.KindForbidden otherwise); an unknown role is
// model.KindNotFound.
func (a *StaffAccounts) SetRoleSettings(ctx context.Context, in RoleSettings) (RoleSettings, error) {
	p, err := adminOf(ctx)
	if err != nil {
		return RoleSettings{}, err
	}
	if !isRole(in.Role) {
		return RoleSettings{}, model.NotFound("role")
	}
	if model.LevelOfCode(p.RegionCode) != model.LevelCity {
		return RoleSettings{}, model.Forbidden("city_admin_only", "role settings apply city-wide; a city admin changes them")
	}
	err = a.d.DB.InTx(ctx, func(ctx context.Context) error {
		if err := a.d.DB.SetRoleRequiresTOTP(ctx, in.Role, in.RequireTOTP, a.d.Clock.Now()); err != nil {
			return err
		}
		return a.audit.Record(ctx, Event{Action: "staff.role_settings", TargetType: "role", TargetID: string(in.Role), Detail: fmt.Sprintf("require_totp=%t", in.RequireTOTP)})
	})
	if err != nil {
		return RoleSettings{}, err
	}
	if in.RequireTOTP {
		ids, err := a.d.DB.StaffIDsWithoutTOTP(ctx, in.Role)
		if err != nil {
			return RoleSettings{}, err
		}
		for _, id := range ids {
			if err := a.sessions.RevokeAll(ctx, model.PrincipalStaff, id); err != nil {
				return RoleSettings{}, err
			}
		}
	}
	return in, nil
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }
