package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// Seeds a sandbox can start from.
const (
	SeedEmpty = "empty"
	SeedDemo  = "demo"
)

// The demo tenant's live state. It deliberately overlaps the demo incumbent
// tenants (assets/ Okta org and Entra tenant): they must use these same
// names, so merge review has real collisions to decide.
const (
	DemoTenant = "demo-tenant"
	// DemoSharedDomain is the staff email domain both the incumbent and the
	// Portal already route; a second routing rule for it is refused.
	DemoSharedDomain    = "example-corp.com"
	DemoRoutingRule     = "Example Corp staff to Okta"
	DemoProviderName    = "Okta Corporate SAML"
	DemoSAMLEntityID    = "http://www.okta.com/exk1demo0000000000"
	DemoSAMLSSOURL      = "https://example-corp.okta.com/app/example-corp_portal_1/exk1demo0000000000/sso/saml"
	DemoGroupName       = "Engineering"
	DemoAppName         = "Expense Portal"
	DemoAppRedirect     = "https://expenses.example-corp.com/oauth/callback"
	DemoTemplateName    = "Okta federated staff"
	DemoSSOAudience     = "https://portal.example.com/saml/demo-tenant"
	DemoBreakGlassEmail = "breakglass-admin@example-corp.com"
	// DemoActor is who the demo seed's writes are recorded as.
	DemoActor = "sandbox-seed"
)

// DemoSAMLCertificate is the demo provider's signing certificate: a
// self-signed test certificate (CN=example-corp.okta.com) whose private key
// was discarded.
const DemoSAMLCertificate = `
-----BEGIN CERTIFICATE-----
MIIDTzCCAjegAwIBAgIUWOWdIZ4OBnDjEqy5YbLM2xAUgM0wDQYJKoZIhvcNAQEL
BQAwNzEeMBwGA1UEAwwVZXhhbXBsZS1jb3JwLm9rdGEuY29tMRUwEwYDVQQKDAxF
eGFtcGxlIENvcnAwHhcNMjYxMTIzMTQ1NDEyWhcNMzYxMTIwMTQ1NDEyWjA3MR4w
HAYDVQQDDBVleGFtcGxlLWNvcnAub2t0YS5jb20xFTATBgNVBAoMDEV4YW1wbGUg
Q29ycDCCASIwDQYJKoZIhvcNAQEBBQADggEPADCCAQoCggEBAOrADKkvFBh5DADo
d6Xh8tbEHjouinOaZhlVab6SaBnvjeYWULK5l3qv/NlP2mIIXZtpJ/YApxxSwrHG
LuX+f4JODWLScUNBupj6Hqj/n4K31CEJ/69LUZWEbKnSmfM4QG70ADJbEvFS5wBe
0wx88jTveXCVjyoHyIVAJh+bAp/OQ8nyk1TQdP3NKOBpZ+30bivASRjkT+fomVd3
LOk59tmBHjzqGPI7B2XUTOR3HYzMbkR3pKdhp4TndRNIcsVhlsEwXp63MqDYUmwY
pmzNCiIgD79rgjGyR25BKnKDjagZc2g2jXkZ4aSuWWBld2wmw9MWljihwqx9lCfI
HHDKsZUCAwEAAaNTMFEwHQYDVR0OBBYEFP/yobzP6Uvxgwu23CnJKa2YnVCVMB8G
A1UdIwQYMBaAFP/yobzP6Uvxgwu23CnJKa2YnVCVMA8GA1UdEwEB/wQFMAMBAf8w
DQYJKoZIhvcNAQELBQADggEBAAC5DuXRa6dgOYd2DSlj8rfXqNn69rzgKjCgDRn0
g+7H5pnWs9JmsfkyYQS3wc6J5aVW9bzLzjhLGQvDKk5WbPhCzTpsRpTWnUUim8Xb
NGWTK1e6kwbhkVajzMRyf2Tolf3ZGVcuGOOSMJNcEfTR9LF6EndjLFz32s0u/MOG
DPRMkb3CCKusk5iki/QXhjr098pknTvoBFQ66+biqBdfn5x0hT3+DQ+gDQLT+faj
Kp5w0vGgX/WJaLY6sJ+CYemykAXV1rP2nAOK95CTUO+Y3nHaRZgSp37degfdxM6t
v7hMqArsR6e2y6F+e7kenBP/Fx02XkhGSvFU6+FXpwkm45g=
-----END CERTIFICATE-----
`

// demoUser is one seeded user; linked users carry an SSO link to the demo
// provider and a last login. An empty email seeds a user without one.
type demoUser struct {
	email, username, display string
	mode                     api.AuthMode
	state                    api.AccountState
	breakGlass, service      bool
	linked                   bool
	origin                   api.UserOrigin
}

// demoUsers is a tenant mid-way to SSO, as a rollout finds it: every
// auth_mode and account_state, linked and unlinked users, a user without an
// email, two accounts whose emails differ only in case, a test account, a
// service account, one break-glass admin, a user a JIT login created, a user
// on a subdomain the staff rule covers and one on a domain no rule routes.
// The LOCAL_ONLY staff of example-corp.com are the ones a pilot and a wave
// move.
var demoUsers = append([]demoUser{
	{"maria.garcia@example-corp.com", "maria.garcia", "Maria Garcia", api.SSOREQUIRED, api.Active, false, false, true, api.Admin},
	{"james.chen@example-corp.com", "james.chen", "James Chen", api.SSOPREFERRED, api.Active, false, false, true, api.Admin},
	{"priya.patel@example-corp.com", "priya.patel", "Priya Patel", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"tom.okafor@example-corp.com", "tom.okafor", "Tom Okafor", api.SSOPREFERRED, api.Suspended, false, false, true, api.Admin},
	{DemoBreakGlassEmail, "breakglass-admin", "Break-glass Administrator", api.LOCALONLY, api.Active, true, false, false, api.Admin},
	{"svc-provisioning@example-corp.com", "svc-provisioning", "Provisioning service", api.LOCALONLY, api.Active, false, true, false, api.Admin},
	{"olivia.brown@example-corp.com", "olivia.brown", "Olivia Brown", api.SSOPREFERRED, api.Active, false, false, false, api.Admin},
	{"jit.contractor@example-corp.com", "jit.contractor", "Contractor (created at first SSO login)", api.SSOPREFERRED, api.Active, false, false, true, api.Jit},
	{"new.starter@example-corp.com", "new.starter", "New Starter", api.LOCALONLY, api.Staged, false, false, false, api.Admin},
	{"former.employee@example-corp.com", "former.employee", "Former Employee", api.LOCALONLY, api.Deprovisioned, false, false, true, api.Admin},
	{"Alex.Kim@example-corp.com", "alex.kim", "Alex Kim", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"alex.kim@example-corp.com", "akim2", "Alex Kim (second account)", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"", "warehouse.lead", "Warehouse Lead (no email)", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"qa-test-user@example-corp.com", "qa-test-user", "QA test user", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"lena.fischer@eu.example-corp.com", "lena.fischer", "Lena Fischer", api.LOCALONLY, api.Active, false, false, false, api.Admin},
	{"lab.researcher@example-labs.com", "lab.researcher", "Lab Researcher", api.LOCALONLY, api.Active, false, false, false, api.Admin},
}, demoStaff()...)

// demoStaff are LOCAL_ONLY, active, unlinked staff of example-corp.com.
func demoStaff() []demoUser {
	names := []string{"Aisha Khan", "Ben Carter", "Chloe Martin", "Daniel Novak", "Elena Rossi", "Farid Haddad",
		"Grace Liu", "Hugo Lefevre", "Ines Duarte", "Jonas Berg", "Kenji Sato", "Laura Smith", "Mateo Silva",
		"Nora Jensen", "Omar Farouk", "Paula Weber", "Quinn Taylor", "Rosa Mendes", "Samir Gupta", "Tara Walsh",
		"Umar Ali", "Vera Ivanova", "Will Turner", "Yara Haddad"}
	out := make([]demoUser, len(names))
	for i, n := range names {
		first, last, _ := strings.Cut(n, " ")
		u := strings.ToLower(first + "." + last)
		out[i] = demoUser{u + "@" + DemoSharedDomain, u, n, api.LOCALONLY, api.Active, false, false, false, api.Admin}
	}
	return out
}

// AdminTokenSpec is a full-access token for tenant: a customer_tenant
// session with both migration permissions.
func AdminTokenSpec(tenant, actor string) TokenSpec {
	return TokenSpec{Tenant: tenant, Actor: actor, SessionContext: api.CustomerTenant,
		Permissions: []api.Permission{api.PortalMigrationsView, api.PortalMigrationsManage}}
}

// Seed fills store with the named seed. Seeding demo twice is a no-op.
func Seed(ctx context.Context, store Store, seed string, now time.Time) error {
	switch seed {
	case SeedEmpty:
		return nil
	case SeedDemo:
		if err := seedDemo(ctx, store, now); err != nil {
			return fmt.Errorf("seed demo tenant: %w", err)
		}
		return nil
	}
	return fmt.Errorf("unknown seed %q (want %s or %s)", seed, SeedEmpty, SeedDemo)
}

// seedDemo writes through the server's own handlers, so the seed obeys
// every rule a client does.
func seedDemo(ctx context.Context, store Store, now time.Time) error {
	var seeded bool
	err := store.View(ctx, func(tx Tx) error {
		_, err := tx.Owner(DemoTenant, KindGroup, uniqueKey("name", DemoGroupName))
		seeded = err == nil
		if errors.Is(err, ErrNotFound) {
			return nil
		}
		return err
	})
	if err != nil || seeded {
		return err
	}
	s := newServer(store, Options{Now: func() time.Time { return now }})
	ctx = context.WithValue(ctx, principalKey{}, AdminTokenSpec(DemoTenant, DemoActor))

	cert := DemoSAMLCertificate[1:]
	prov, err := s.CreateUpstreamProvider(ctx, api.CreateUpstreamProviderRequestObject{Body: &api.UpstreamProviderInput{
		Name: DemoProviderName, Type: api.Saml,
		Saml: &api.SamlSettings{EntityId: DemoSAMLEntityID, SsoUrl: DemoSAMLSSOURL, SigningCertificate: cert}}})
	if err != nil {
		return err
	}
	providerID := prov.(api.CreateUpstreamProvider201JSONResponse).Body.Id
	if _, err := s.CreateRoutingRule(ctx, api.CreateRoutingRuleRequestObject{Body: &api.RoutingRuleInput{
		Name: DemoRoutingRule, Domains: []string{DemoSharedDomain}, ProviderId: providerID, Priority: 10}}); err != nil {
		return err
	}
	desc := "Finance and accounting staff"
	grp, err := s.CreateGroup(ctx, api.CreateGroupRequestObject{Body: &api.GroupInput{Name: DemoGroupName, Description: &desc}})
	if err != nil {
		return err
	}
	app, err := s.CreateApplication(ctx, api.CreateApplicationRequestObject{Body: &api.ApplicationInput{
		Name: DemoAppName, ClientType: api.Confidential, RedirectUris: []string{DemoAppRedirect},
		GrantTypes: []api.GrantType{api.AuthorizationCode, api.RefreshToken}}})
	if err != nil {
		return err
	}
	if _, err := s.CreateAppAssignment(ctx, api.CreateAppAssignmentRequestObject{Body: &api.AppAssignmentInput{
		AppId: app.(api.CreateApplication201JSONResponse).Body.Id, GroupId: grp.(api.CreateGroup201JSONResponse).Body.Id}}); err != nil {
		return err
	}
	tdesc := "Users arriving through the Okta SAML provider"
	tpl, err := s.CreateUserTemplate(ctx, api.CreateUserTemplateRequestObject{Body: &api.UserTemplateInput{
		Name: DemoTemplateName, Description: &tdesc, DefaultAuthMode: api.SSOPREFERRED}})
	if err != nil {
		return err
	}
	tplID := tpl.(api.CreateUserTemplate201JSONResponse).Body.Id
	if _, err := s.CreateSsoConfiguration(ctx, api.CreateSsoConfigurationRequestObject{Body: &api.SsoConfigurationInput{
		ProviderId: providerID, Audience: DemoSSOAudience, UserTemplateId: &tplID, ScimDeprovisioningEnabled: false, Enabled: true}}); err != nil {
		return err
	}
	for i, u := range demoUsers {
		if err := seedUser(ctx, s, u, providerID, now.Add(-time.Duration(i+1)*time.Hour)); err != nil {
			return err
		}
	}
	return seedDemoOverlaps(ctx, s)
}

func seedUser(ctx context.Context, s *Server, u demoUser, providerID string, lastLogin time.Time) error {
	display := u.display
	in := api.UserInput{Username: u.username, DisplayName: &display, AuthMode: u.mode, AccountState: u.state,
		BreakGlass: &u.breakGlass, ServiceAccount: &u.service}
	if u.email != "" {
		in.Email = &u.email
	}
	res, err := s.CreateUser(ctx, api.CreateUserRequestObject{Body: &in})
	if err != nil || !u.linked {
		return err
	}
	created := res.(api.CreateUser201JSONResponse)
	subject := pseudoSubject(DemoSAMLEntityID, u.email)
	_, _, err = update(ctx, s, KindUser, created.Body.Id, created.Headers.ETag, "sso_linked", func(_ Tx, prev api.User, _ time.Time) (api.User, meta, error) {
		prev.SsoLink = &api.SsoLink{Issuer: DemoSAMLEntityID, Subject: subject}
		prev.LastSsoLoginAt = &lastLogin
		prev.Origin = u.origin
		return prev, meta{unique: []string{emailKey(*prev.Email), uniqueKey("username", prev.Username)},
			facts: map[string]string{"issuer": DemoSAMLEntityID}}, nil
	})
	if err != nil {
		return err
	}
	return s.store.Update(ctx, func(tx Tx) error {
		ev := ssoEvent(providerID, &created.Body, lastLogin, api.LoginSucceeded, "")
		if u.origin == api.Jit {
			ev.Type = api.JitProvisioned
		}
		if u.state == api.Suspended {
			ev = ssoEvent(providerID, &created.Body, lastLogin, api.LoginFailed, "account_suspended")
		}
		ev.Issuer, ev.Subject = ptr(DemoSAMLEntityID), &subject
		return appendSsoEvent(tx, DemoTenant, ev)
	})
}

// The demo's overlaps with the incumbents beyond the shared names above, one
// per noun merge review decides, each against an item the demo assessment
// moves: a provider trusting the same SAML entity id as the Okta IdP
// "SAML2 partner 3", a routing rule for the domain Okta's "Route partner 1"
// routes, groups named like the Okta group "Security 3" and the Entra group
// "Finance" but for case, applications registered for the redirect URIs of
// Okta's "Design Studio 1" and Entra's "Customer Support Console" under other
// names, and the Design Studio assignment to the Security 3 group.
const (
	DemoOverlapEntityID      = "https://idp3.partner.example/saml"
	DemoOverlapProviderName  = "Partner 3 federation"
	DemoOverlapDomain        = "partner1.example-corp.com"
	DemoOverlapRuleName      = "Partner 1 staff"
	DemoOverlapOktaGroup     = "SECURITY 3"
	DemoOverlapEntraGroup    = "FINANCE"
	DemoOverlapOktaApp       = "Design Studio"
	DemoOverlapOktaRedirect  = "https://app1.example-corp.com/oauth/callback"
	DemoOverlapEntraApp      = "Support Console"
	DemoOverlapEntraRedirect = "https://support.example-corp.com/auth/callback"
)

// seedDemoOverlaps adds the overlaps above through the server's handlers.
func seedDemoOverlaps(ctx context.Context, s *Server) error {
	prov, err := s.CreateUpstreamProvider(ctx, api.CreateUpstreamProviderRequestObject{Body: &api.UpstreamProviderInput{
		Name: DemoOverlapProviderName, Type: api.Saml,
		Saml: &api.SamlSettings{EntityId: DemoOverlapEntityID, SsoUrl: "https://idp3.partner.example/saml/sso", SigningCertificate: DemoSAMLCertificate[1:]}}})
	if err != nil {
		return err
	}
	if _, err := s.CreateRoutingRule(ctx, api.CreateRoutingRuleRequestObject{Body: &api.RoutingRuleInput{
		Name: DemoOverlapRuleName, Domains: []string{DemoOverlapDomain},
		ProviderId: prov.(api.CreateUpstreamProvider201JSONResponse).Body.Id, Priority: 20}}); err != nil {
		return err
	}
	groups := map[string]string{}
	for _, name := range []string{DemoOverlapOktaGroup, DemoOverlapEntraGroup} {
		g, err := s.CreateGroup(ctx, api.CreateGroupRequestObject{Body: &api.GroupInput{Name: name}})
		if err != nil {
			return err
		}
		groups[name] = g.(api.CreateGroup201JSONResponse).Body.Id
	}
	apps := map[string]string{}
	for name, redirect := range map[string]string{DemoOverlapOktaApp: DemoOverlapOktaRedirect, DemoOverlapEntraApp: DemoOverlapEntraRedirect} {
		a, err := s.CreateApplication(ctx, api.CreateApplicationRequestObject{Body: &api.ApplicationInput{
			Name: name, ClientType: api.Confidential, RedirectUris: []string{redirect},
			GrantTypes: []api.GrantType{api.AuthorizationCode, api.RefreshToken}}})
		if err != nil {
			return err
		}
		apps[name] = a.(api.CreateApplication201JSONResponse).Body.Id
	}
	_, err = s.CreateAppAssignment(ctx, api.CreateAppAssignmentRequestObject{Body: &api.AppAssignmentInput{
		AppId: apps[DemoOverlapOktaApp], GroupId: groups[DemoOverlapOktaGroup]}})
	return err
}
