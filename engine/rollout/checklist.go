package rollout

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// CheckStatus is a checklist item's verdict.
type CheckStatus string

const (
	CheckPass  CheckStatus = "pass"
	CheckWarn  CheckStatus = "warn"
	CheckBlock CheckStatus = "block"
)

func worse(a, b CheckStatus) CheckStatus {
	rank := map[CheckStatus]int{CheckPass: 0, CheckWarn: 1, CheckBlock: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// Checklist item ids.
const (
	CheckEnabledUsers     = "enabled_users"
	CheckBreakGlass       = "break_glass"
	CheckEmails           = "users_without_email"
	CheckDuplicateEmails  = "duplicate_emails"
	CheckServiceAndTest   = "service_and_test_accounts"
	CheckSsoConfiguration = "sso_configuration"
	CheckRouting          = "routing_determinism"
)

// Scope says what a blocking item stops. A tenant item stops every wave
// until it is fixed; a users item excludes the users it names from every
// wave and enforcement.
type Scope string

const (
	ScopeTenant Scope = "tenant"
	ScopeUsers  Scope = "users"
)

// CheckItem is one line of the pre-migration checklist.
type CheckItem struct {
	ID      string        `json:"id"`
	Title   string        `json:"title"`
	Status  CheckStatus   `json:"status"`
	Scope   Scope         `json:"scope"`
	Summary string        `json:"summary"`
	Users   []UserRef     `json:"users"`
	Domains []DomainRoute `json:"domains,omitempty"`
}

// DomainRoute is where one email domain of the tenant's users routes.
type DomainRoute struct {
	Domain        string             `json:"domain"`
	Users         int                `json:"users"`
	Outcome       api.RoutingOutcome `json:"outcome"`
	Deterministic bool               `json:"deterministic"`
	Provider      string             `json:"provider,omitempty"`
	Reason        string             `json:"reason"`
}

// Checklist is the pre-migration checklist, computed from the live target.
type Checklist struct {
	At     time.Time   `json:"at"`
	Status CheckStatus `json:"status"`
	// TenantBlocked is set when a tenant-scope item blocks: no wave may be
	// applied until it passes or warns.
	TenantBlocked bool        `json:"tenant_blocked"`
	AllUsers      int         `json:"all_users"`
	EnabledUsers  int         `json:"enabled_users"`
	Items         []CheckItem `json:"items"`
}

// Item returns the item with id.
func (c Checklist) Item(id string) (CheckItem, bool) {
	for _, it := range c.Items {
		if it.ID == id {
			return it, true
		}
	}
	return CheckItem{}, false
}

// live is the target's state one computation reads.
type live struct {
	users     []api.User
	configs   []api.SsoConfiguration
	templates map[string]api.UserTemplate
	config    *api.SsoConfiguration // the rollout's configuration, if it resolves
	configErr string                // why it does not
	routes    map[string]api.RoutingResolution
	canonical map[string][]api.User
}

func (s *Service) readLive(ctx context.Context) (*live, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	l := &live{templates: map[string]api.UserTemplate{}, routes: map[string]api.RoutingResolution{}, canonical: map[string][]api.User{}}
	if l.users, err = s.Target.ListUsers(ctx); err != nil {
		return nil, fmt.Errorf("read the Portal's users: %w", err)
	}
	if l.configs, err = s.Target.ListSsoConfigurations(ctx); err != nil {
		return nil, fmt.Errorf("read the Portal's SSO configurations: %w", err)
	}
	tpls, err := s.Target.ListUserTemplates(ctx)
	if err != nil {
		return nil, fmt.Errorf("read the Portal's user templates: %w", err)
	}
	for _, t := range tpls {
		l.templates[t.Id] = t
	}
	switch {
	case st.SsoConfigurationID != "":
		for i := range l.configs {
			if l.configs[i].Id == st.SsoConfigurationID {
				l.config = &l.configs[i]
			}
		}
		if l.config == nil {
			l.configErr = fmt.Sprintf("the rollout's SSO configuration %s no longer exists in the Portal; choose another", st.SsoConfigurationID)
		}
	case len(l.configs) == 1:
		l.config = &l.configs[0]
	case len(l.configs) == 0:
		l.configErr = "the Portal has no SSO configuration: create one for the audience, with a user template, before any user moves"
	default:
		l.configErr = fmt.Sprintf("the Portal has %d SSO configurations: choose the one this rollout moves users to", len(l.configs))
	}
	for _, u := range l.users {
		if e := emailOf(u); e != "" {
			c := CanonicalEmail(e)
			l.canonical[c] = append(l.canonical[c], u)
		}
	}
	return l, nil
}

// route resolves an email's domain once per computation: routing depends
// on the domain alone.
func (s *Service) route(ctx context.Context, l *live, email string) (api.RoutingResolution, error) {
	d := domainOf(email)
	if r, ok := l.routes[d]; ok {
		return r, nil
	}
	r, err := s.Target.ResolveRouting(ctx, email)
	if err != nil {
		return r, fmt.Errorf("resolve routing for domain %s: %w", d, err)
	}
	l.routes[d] = r
	return r, nil
}

func (l *live) duplicate(u api.User) bool {
	e := emailOf(u)
	return e != "" && len(l.canonical[CanonicalEmail(e)]) > 1
}

func enabled(u api.User) bool { return u.AccountState == api.Active }

// Checklist computes the pre-migration checklist from the live target.
func (s *Service) Checklist(ctx context.Context) (Checklist, error) {
	l, err := s.readLive(ctx)
	if err != nil {
		return Checklist{}, err
	}
	c := Checklist{At: s.now(), AllUsers: len(l.users)}
	for _, u := range l.users {
		if enabled(u) {
			c.EnabledUsers++
		}
	}
	routing, err := s.checkRouting(ctx, l)
	if err != nil {
		return Checklist{}, err
	}
	c.Items = []CheckItem{
		checkEnabled(l, c), checkBreakGlass(l), checkEmails(l), checkDuplicates(l), checkServiceAndTest(l),
		checkConfiguration(l), routing,
	}
	c.Status = CheckPass
	for i, it := range c.Items {
		if it.Users == nil {
			c.Items[i].Users = []UserRef{}
		}
		c.Status = worse(c.Status, it.Status)
		if it.Status == CheckBlock && it.Scope == ScopeTenant {
			c.TenantBlocked = true
		}
	}
	return c, nil
}

func checkEnabled(l *live, c Checklist) CheckItem {
	it := CheckItem{ID: CheckEnabledUsers, Title: "Enabled users, counted apart from all users", Scope: ScopeTenant, Status: CheckPass,
		Summary: fmt.Sprintf("%d of %d users are enabled (active); count these for billing, not all users.", c.EnabledUsers, c.AllUsers)}
	for _, u := range l.users {
		if enabled(u) && u.Origin == api.Jit {
			it.Users = append(it.Users, refOf(u, "created by a first SSO login (JIT)"))
		}
	}
	if len(it.Users) > 0 {
		it.Status = CheckWarn
		it.Summary += fmt.Sprintf(" %s created by SSO logins (JIT): check each should have access.", plural(len(it.Users), "enabled user was", "enabled users were"))
	}
	return it
}

func checkBreakGlass(l *live) CheckItem {
	it := CheckItem{ID: CheckBreakGlass, Title: "At least one break-glass administrator", Scope: ScopeTenant}
	for _, u := range l.users {
		if u.BreakGlass && enabled(u) {
			it.Users = append(it.Users, refOf(u, ""))
		}
	}
	switch len(it.Users) {
	case 0:
		it.Status = CheckBlock
		it.Summary = "BREAK_GLASS_REQUIRED: no enabled break-glass administrator. Designate at least one administrator who keeps the local login before anyone moves to SSO."
	case 1:
		it.Status = CheckWarn
		it.Summary = "One enabled break-glass administrator: if that account is unavailable when the identity provider fails, nobody can get in. Designate a second."
	default:
		it.Status = CheckPass
		it.Summary = fmt.Sprintf("%d enabled break-glass administrators keep the local login.", len(it.Users))
	}
	return it
}

func checkEmails(l *live) CheckItem {
	it := CheckItem{ID: CheckEmails, Title: "Users without an email", Scope: ScopeUsers, Status: CheckPass,
		Summary: "Every user has an email, so every user can be routed."}
	required := 0
	for _, u := range l.users {
		if emailOf(u) != "" {
			continue
		}
		why := "no email: cannot be routed to SSO until one is set"
		if u.AuthMode == api.SSOREQUIRED {
			why, required = "SSO_REQUIRED without an email: nothing routes them to SSO, so they cannot log in", required+1
		}
		it.Users = append(it.Users, refOf(u, why))
	}
	switch {
	case required > 0:
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("%s SSO_REQUIRED without an email and cannot log in; set their email or put them back to LOCAL_ONLY.", plural(required, "user is", "users are"))
	case len(it.Users) > 0:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("%s no email; a wave moves them only when the operator supplies one (CSV column set_email).", plural(len(it.Users), "user has", "users have"))
	}
	return it
}

func checkDuplicates(l *live) CheckItem {
	it := CheckItem{ID: CheckDuplicateEmails, Title: "Duplicate canonical emails (case and Unicode form folded)", Scope: ScopeUsers, Status: CheckPass,
		Summary: "No two accounts share an email once case and Unicode form are folded."}
	keys := make([]string, 0, len(l.canonical))
	for k, us := range l.canonical {
		if len(us) > 1 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	enabledDup := false
	for _, k := range keys {
		for _, u := range l.canonical[k] {
			others := []string{}
			for _, o := range l.canonical[k] {
				if o.Id != u.Id {
					others = append(others, label(o))
				}
			}
			it.Users = append(it.Users, refOf(u, "same email as "+strings.Join(others, ", ")))
			enabledDup = enabledDup || enabled(u)
		}
	}
	switch {
	case len(keys) > 0 && enabledDup:
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("%s shared by several accounts: an SSO login cannot tell them apart, so these users are excluded from every wave until one account's email is changed or it is removed.", plural(len(keys), "email is", "emails are"))
	case len(keys) > 0:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("%s shared by several accounts, none of them enabled; clean them up before they are re-enabled.", plural(len(keys), "email is", "emails are"))
	}
	return it
}

func checkServiceAndTest(l *live) CheckItem {
	it := CheckItem{ID: CheckServiceAndTest, Title: "Service and test accounts (never moved to SSO)", Scope: ScopeUsers, Status: CheckPass,
		Summary: "No service or test accounts."}
	required := 0
	for _, u := range l.users {
		var why string
		switch {
		case u.ServiceAccount:
			why = "service account"
		case isTestAccount(u):
			why = "test account (by its name)"
		default:
			continue
		}
		if u.AuthMode == api.SSOREQUIRED {
			why += ", SSO_REQUIRED: a non-interactive account cannot complete an SSO login"
			required++
		}
		it.Users = append(it.Users, refOf(u, why))
	}
	switch {
	case required > 0:
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("%s SSO_REQUIRED; put them back to LOCAL_ONLY.", plural(required, "service or test account is", "service or test accounts are"))
	case len(it.Users) > 0:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("%s excluded from every wave and from enforcement.", plural(len(it.Users), "service or test account is", "service or test accounts are"))
	}
	return it
}

func checkConfiguration(l *live) CheckItem {
	it := CheckItem{ID: CheckSsoConfiguration, Title: "An SSO configuration for the audience, with a user template", Scope: ScopeTenant}
	c := l.config
	switch {
	case c == nil:
		it.Status, it.Summary = CheckBlock, sentence(l.configErr)
	case c.UserTemplateId == nil:
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("SSO configuration %s (audience %s) has no user template: users created at their first SSO login would get no permissions. Select an Operations User template.", c.Id, c.Audience)
	case l.templates[*c.UserTemplateId].Id == "":
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("SSO configuration %s names user template %s, which does not exist.", c.Id, *c.UserTemplateId)
	case !c.Enabled:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("SSO configuration %s (audience %s, template %q) is disabled: nobody is redirected to SSO until it is enabled.", c.Id, c.Audience, l.templates[*c.UserTemplateId].Name)
	case c.ScimDeprovisioningEnabled:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("SSO configuration %s already has SCIM deprovisioning enabled; enable it only once the rollout is stable and users are linked.", c.Id)
	default:
		it.Status = CheckPass
		it.Summary = fmt.Sprintf("SSO configuration %s (audience %s) is enabled; JIT users get template %q.", c.Id, c.Audience, l.templates[*c.UserTemplateId].Name)
	}
	return it
}

func (s *Service) checkRouting(ctx context.Context, l *live) (CheckItem, error) {
	it := CheckItem{ID: CheckRouting, Title: "Routing determinism: exactly one provider per email domain", Scope: ScopeTenant, Status: CheckPass}
	byDomain := map[string][]api.User{}
	var domains []string
	for _, u := range l.users {
		d := domainOf(emailOf(u))
		if d == "" || !enabled(u) {
			continue
		}
		if _, ok := byDomain[d]; !ok {
			domains = append(domains, d)
		}
		byDomain[d] = append(byDomain[d], u)
	}
	sort.Strings(domains)
	var blocked, unrouted []string
	for _, d := range domains {
		users := byDomain[d]
		r, err := s.route(ctx, l, emailOf(users[0]))
		if err != nil {
			return it, err
		}
		dr := DomainRoute{Domain: d, Users: len(users), Outcome: r.Outcome, Deterministic: r.Deterministic, Reason: r.Reason}
		if r.ProviderName != nil {
			dr.Provider = *r.ProviderName
		}
		it.Domains = append(it.Domains, dr)
		switch {
		case !r.Deterministic:
			blocked = append(blocked, d)
			for _, u := range users {
				it.Users = append(it.Users, refOf(u, "routing for "+d+" is ambiguous"))
			}
		case r.Outcome == api.Routed && l.config != nil && r.SsoConfigurationId != nil && *r.SsoConfigurationId != l.config.Id:
			blocked = append(blocked, d)
			for _, u := range users {
				it.Users = append(it.Users, refOf(u, d+" routes to another SSO configuration than the rollout's"))
			}
		case r.Outcome != api.Routed:
			unrouted = append(unrouted, d)
			for _, u := range users {
				if u.AuthMode != api.LOCALONLY {
					it.Users = append(it.Users, refOf(u, string(u.AuthMode)+" but "+d+" is not routed to an enabled SSO configuration"))
				}
			}
		}
	}
	switch {
	case len(blocked) > 0:
		it.Status = CheckBlock
		it.Summary = fmt.Sprintf("Routing is not deterministic for %s: fix the routing rules before rollout.", strings.Join(blocked, ", "))
	case len(unrouted) > 0:
		it.Status = CheckWarn
		it.Summary = fmt.Sprintf("%s not routed to an enabled SSO configuration (%s): their users stay local and are skipped by waves.", plural(len(unrouted), "domain is", "domains are"), strings.Join(unrouted, ", "))
	default:
		it.Summary = fmt.Sprintf("Each of the %s of enabled users routes to exactly one provider.", plural(len(domains), "email domain", "email domains"))
	}
	return it, nil
}

// Route is the test-identifier tool: where an email or username routes,
// and why, as the Portal resolves it.
func (s *Service) Route(ctx context.Context, identifier string) (api.RoutingResolution, error) {
	identifier = strings.TrimSpace(identifier)
	if identifier == "" {
		return api.RoutingResolution{}, fmt.Errorf("%w: type an email or a username to test", ErrInvalid)
	}
	r, err := s.Target.ResolveRouting(ctx, identifier)
	if err != nil {
		return r, fmt.Errorf("resolve routing for %q: %w", identifier, err)
	}
	return r, nil
}

// excluded reports why u may never be moved by the rollout, or "".
func (l *live) excluded(u api.User) string {
	switch {
	case u.BreakGlass:
		return "break-glass administrator: keeps the local login, never moved to SSO"
	case u.ServiceAccount:
		return "service account: never moved to SSO"
	case isTestAccount(u):
		return "test account (by its name): never moved to SSO"
	case l.duplicate(u):
		return "shares its email with another account (up to case and Unicode form): a login could not tell them apart"
	}
	return ""
}

func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// usersByID indexes users.
func usersByID(users []api.User) map[string]api.User {
	m := make(map[string]api.User, len(users))
	for _, u := range users {
		m[u.Id] = u
	}
	return m
}
