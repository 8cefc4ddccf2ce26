package sandbox

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// LoginSimulation is the sandbox-only switch that rehearses a rollout end to
// end: it plays the SSO logins of the people whose auth_mode lets them try
// SSO, links those who succeed (issuer and subject, last login), lets some
// fail, now and then logs in someone the Portal does not know (JIT), and
// writes all of it to the SSO event log. It is not part of the admin API
// contract: a real Portal sees real logins.
type LoginSimulation struct {
	// Every is how often a round runs; 0 turns the switch off. A round runs
	// on a tenant's first request once Every has passed since its last one,
	// so the simulation advances while a console watches.
	Every time.Duration
	// FailureRate is the share (0..1) of attempts that fail at the provider
	// or at binding.
	FailureRate float64
	// JITRate is the chance (0..1), per round, that someone the Portal does
	// not know logs in through a routed domain.
	JITRate float64
}

// Enabled reports whether the switch is on.
func (l LoginSimulation) Enabled() bool { return l.Every > 0 }

// LoginRound is what one round did.
type LoginRound struct {
	Attempts int            `json:"attempts"`
	Linked   int            `json:"linked"`
	Failed   int            `json:"failed"`
	JIT      int            `json:"jit_created"`
	Events   []api.SsoEvent `json:"events"`
}

// Failure reasons a round draws from, as a provider or the Portal reports
// them.
var (
	loginFailures   = []string{"user_not_assigned_to_app", "mfa_denied", "signature_invalid"}
	bindingFailures = []string{"subject_missing_from_assertion"}
)

// SimulateLogins runs one round for tenant at now, drawing from rng.
// Users the login page would not redirect (LOCAL_ONLY, no email, unrouted
// or ambiguous domain, no enabled SSO configuration) do not try SSO. Users
// who share an email up to case and Unicode form always fail binding: the
// Portal cannot tell which account the upstream identity is.
func SimulateLogins(ctx context.Context, store Store, tenant string, sim LoginSimulation, now time.Time, rng *rand.Rand) (LoginRound, error) {
	var round LoginRound
	now = now.UTC().Truncate(time.Millisecond)
	err := store.Update(ctx, func(tx Tx) error {
		round = LoginRound{}
		rt, err := loadRoutes(tx, tenant)
		if err != nil {
			return err
		}
		objs, users, err := allUsers(tx, tenant)
		if err != nil {
			return err
		}
		canonical := map[string]int{}
		for _, u := range users {
			if u.Email != nil {
				canonical[CanonicalEmail(*u.Email)]++
			}
		}
		for i := range users {
			u := &users[i]
			if u.Email == nil || u.AuthMode == api.LOCALONLY {
				continue
			}
			switch {
			case u.SsoLink != nil && rng.IntN(4) != 0:
				continue // linked people log in now and then, not every round
			case u.SsoLink == nil && (away(*u.Email) || rng.IntN(3) == 0):
				continue // not everyone logs in as soon as they may; some are away
			}
			res := rt.resolveEmail(api.RoutingResolution{}, *u.Email)
			if res.Outcome != api.Routed {
				continue
			}
			round.Attempts++
			ev, linked := attempt(rt, u, *res.ProviderId, canonical[CanonicalEmail(*u.Email)] > 1, sim, now, rng)
			for _, e := range ev {
				if err := appendSsoEvent(tx, tenant, e); err != nil {
					return err
				}
			}
			round.Events = append(round.Events, ev...)
			if ev[len(ev)-1].Outcome == api.Failure {
				round.Failed++
				continue
			}
			if linked {
				round.Linked++
			}
			if err := saveUser(tx, objs[i], *u); err != nil {
				return err
			}
		}
		if sim.JITRate > 0 && rng.Float64() < sim.JITRate {
			ev, err := jitLogin(tx, tenant, rt, len(users), now)
			if err != nil {
				return err
			}
			if ev.Type == api.JitProvisioned {
				round.JIT++
			} else {
				round.Failed++
			}
			round.Events = append(round.Events, ev)
		}
		return nil
	})
	return round, err
}

// attempt plays one user's login and returns its events and whether it
// linked the user; on success u carries the new link and last login.
func attempt(rt routes, u *api.User, providerID string, duplicate bool, sim LoginSimulation, now time.Time, rng *rand.Rand) ([]api.SsoEvent, bool) {
	issuer := rt.issuer(providerID)
	subject := pseudoSubject(issuer, *u.Email)
	fail := func(t api.SsoEventType, reason string) []api.SsoEvent {
		ev := ssoEvent(providerID, u, now, t, reason)
		ev.Issuer, ev.Subject = &issuer, &subject
		return []api.SsoEvent{ev}
	}
	switch {
	case u.AccountState != api.Active:
		return fail(api.LoginFailed, "account_"+string(u.AccountState)), false
	case duplicate && u.SsoLink == nil:
		return fail(api.BindingFailed, "email_matches_several_users"), false
	case sim.FailureRate > 0 && rng.Float64() < sim.FailureRate:
		if u.SsoLink == nil && rng.IntN(3) == 0 {
			return fail(api.BindingFailed, bindingFailures[rng.IntN(len(bindingFailures))]), false
		}
		return fail(api.LoginFailed, loginFailures[rng.IntN(len(loginFailures))]), false
	}
	var events []api.SsoEvent
	linked := u.SsoLink == nil
	if linked {
		u.SsoLink = &api.SsoLink{Issuer: issuer, Subject: subject}
		ev := ssoEvent(providerID, u, now, api.IdentityLinked, "")
		ev.Issuer, ev.Subject = &issuer, &subject
		events = append(events, ev)
	}
	u.LastSsoLoginAt = &now
	ev := ssoEvent(providerID, u, now, api.LoginSucceeded, "")
	ev.Issuer, ev.Subject = &u.SsoLink.Issuer, &u.SsoLink.Subject
	return append(events, ev), linked
}

// jitLogin is the first login of someone the Portal does not know: created
// from the SSO configuration's user template, or refused without one.
func jitLogin(tx Tx, tenant string, rt routes, n int, now time.Time) (api.SsoEvent, error) {
	var domain, providerID string
	for _, r := range rt.rules {
		if cfg, ok := rt.configs[r.ProviderId]; ok && cfg.Enabled {
			domain, providerID = r.Domains[0], r.ProviderId
			break
		}
	}
	if domain == "" {
		return api.SsoEvent{}, nil
	}
	email := fmt.Sprintf("new.hire.%d.%s@%s", n+1, now.Format("150405"), domain)
	issuer := rt.issuer(providerID)
	subject := pseudoSubject(issuer, email)
	cfg := rt.configs[providerID]
	if cfg.UserTemplateId == nil {
		ev := api.SsoEvent{Id: newID("sev"), At: now, Type: api.ProvisioningFailed, ProviderId: providerID, Email: &email,
			Issuer: &issuer, Subject: &subject, Outcome: api.Failure, Reason: ptr("no_user_template")}
		return ev, appendSsoEvent(tx, tenant, ev)
	}
	_, tpl, err := load[api.UserTemplate](tx, tenant, KindUserTemplate, *cfg.UserTemplateId)
	if err != nil {
		return api.SsoEvent{}, err
	}
	username := strings.SplitN(email, "@", 2)[0]
	u := api.User{Id: newID("usr"), Email: &email, Username: username, AuthMode: tpl.DefaultAuthMode, AccountState: api.Active,
		Origin: api.Jit, SsoLink: &api.SsoLink{Issuer: issuer, Subject: subject}, LastSsoLoginAt: &now, CreatedAt: now, UpdatedAt: now}
	body, err := json.Marshal(u)
	if err != nil {
		return api.SsoEvent{}, fmt.Errorf("encode user: %w", err)
	}
	o := Object{Tenant: tenant, Kind: KindUser, ID: u.Id, ETag: etagOf(body), Body: body,
		Unique: []string{emailKey(email), uniqueKey("username", username)}, Refs: []string{tpl.Id}}
	if err := tx.Insert(&o); err != nil {
		return api.SsoEvent{}, storeErr(KindUser, err)
	}
	if err := appendAudit(tx, tenant, "sso-login", now, KindUser, "created", u.Id,
		map[string]string{"email": email, "origin": string(api.Jit), "user_template_id": tpl.Id}); err != nil {
		return api.SsoEvent{}, err
	}
	ev := ssoEvent(providerID, &u, now, api.JitProvisioned, "")
	ev.Issuer, ev.Subject = &issuer, &subject
	return ev, appendSsoEvent(tx, tenant, ev)
}

func allUsers(tx Tx, tenant string) ([]Object, []api.User, error) {
	var objs []Object
	var users []api.User
	var after int64
	for {
		page, err := tx.List(tenant, KindUser, after, 500)
		if err != nil {
			return nil, nil, fmt.Errorf("list users: %w", err)
		}
		for _, o := range page {
			var u api.User
			if err := json.Unmarshal(o.Body, &u); err != nil {
				return nil, nil, fmt.Errorf("decode stored user %s: %w", o.ID, err)
			}
			objs, users, after = append(objs, o), append(users, u), o.Seq
		}
		if len(page) < 500 {
			return objs, users, nil
		}
	}
}

// saveUser writes a login's effect on a user: a new version, same keys.
func saveUser(tx Tx, o Object, u api.User) error {
	full, err := tx.Get(o.Tenant, KindUser, o.ID)
	if err != nil {
		return fmt.Errorf("read user %s: %w", o.ID, err)
	}
	body, err := json.Marshal(u)
	if err != nil {
		return fmt.Errorf("encode user: %w", err)
	}
	full.Body, full.ETag = body, etagOf(body)
	return tx.Replace(full)
}

func ssoEvent(providerID string, u *api.User, at time.Time, t api.SsoEventType, reason string) api.SsoEvent {
	ev := api.SsoEvent{Id: newID("sev"), At: at, Type: t, ProviderId: providerID, UserId: &u.Id, Email: u.Email, Outcome: api.Success}
	if reason != "" {
		ev.Outcome, ev.Reason = api.Failure, &reason
	}
	return ev
}

func appendSsoEvent(tx Tx, tenant string, ev api.SsoEvent) error {
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode sso event: %w", err)
	}
	return tx.Insert(&Object{Tenant: tenant, Kind: KindSsoEvent, ID: ev.Id, ETag: etagOf(body), Body: body})
}

// away marks about one person in five as away (on leave, travelling): they
// do not log in while the simulation runs, so a rehearsal always has users
// enforcement must refuse.
func away(email string) bool {
	sum := sha256.Sum256([]byte(strings.ToLower(email)))
	return sum[0]%5 == 0
}

// pseudoSubject is a stable upstream subject for an email at an issuer, as
// an IdP's opaque user id would be.
func pseudoSubject(issuer, email string) string {
	sum := sha256.Sum256([]byte(issuer + "\x00" + strings.ToLower(email)))
	return "sub-" + hex.EncodeToString(sum[:8])
}

// CanonicalEmail is an email as a login matches it: Unicode NFC, then case
// folded. Two accounts with the same canonical email cannot be told apart
// by an SSO login.
func CanonicalEmail(email string) string {
	return cases.Fold().String(norm.NFC.String(strings.TrimSpace(email)))
}

func ptr[T any](v T) *T { return &v }

// simulated runs a login round for the request's tenant when one is due.
func (s *Server) simulated(next http.Handler) http.Handler {
	if !s.opts.Logins.Enabled() {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenant := principalFrom(r.Context()).Tenant
		s.simMu.Lock()
		now := s.opts.Now()
		if last, ok := s.lastRound[tenant]; !ok || now.Sub(last) >= s.opts.Logins.Every {
			s.lastRound[tenant] = now
			s.randMu.Lock()
			if _, err := SimulateLogins(r.Context(), s.store, tenant, s.opts.Logins, now, s.rand); err != nil {
				s.log.Error("sandbox login simulation failed", "err", err)
			}
			s.randMu.Unlock()
		}
		s.simMu.Unlock()
		next.ServeHTTP(w, r)
	})
}
