// Package okta is the Okta vendor (engine/vendor): its source settings, and
// a read-only inventory of an Okta org through okta-sdk-golang/v2. The SDK's
// cache and its own rate-limit retries are off: the shared pacing transport
// owns retries (the SDK caps its wait at 30 s and gives up on a 429 without
// a Date header), and the evidence transport below it records every page
// the org sends.
package okta

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/okta/okta-sdk-golang/v2/okta"

	"github.com/portal-id/migration-console/engine/endpoint"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/secret"
)

// Inventory domains: the evidence pages' Domain and the rows of a source
// test.
const (
	DomainApplications        = "applications"
	DomainGroups              = "groups"
	DomainIdentityProviders   = "identity_providers"
	DomainRoutingRules        = "routing_rules"
	DomainPolicies            = "policies"
	DomainDomains             = "domains"
	DomainAppGroupAssignments = "app_group_assignments"
	DomainAppUserAssignments  = "app_user_assignments"
	DomainGroupMembers        = "group_members"
)

// Domains lists every inventory domain in collection order.
var Domains = []string{
	DomainApplications, DomainGroups, DomainIdentityProviders, DomainRoutingRules,
	DomainPolicies, DomainDomains, DomainAppGroupAssignments, DomainAppUserAssignments, DomainGroupMembers,
}

// Scopes are the read-only OAuth scopes a private-key service app needs:
// okta.groups.read covers groups, group rules and each group's member
// users, okta.users.read the users themselves.
var Scopes = []string{
	"okta.apps.read", "okta.groups.read", "okta.idps.read",
	"okta.policies.read", "okta.domains.read", "okta.users.read",
}

// Largest page each listing may ask for.
const (
	appsPageLimit      = 200
	groupsPageLimit    = 10000
	appGroupsPageLimit = 200
	appUsersPageLimit  = 500
	idpsPageLimit      = 200
)

// Collector reads one Okta org. It implements inventory.Collector.
type Collector struct {
	sdk *okta.Client
	// Workers is how many apps each per-app listing (signing keys, group
	// assignments, user assignments), and how many groups the member
	// listing, reads at once (default 8).
	Workers int
}

// New builds a Collector for the org in settings, authenticated with cred
// (an API token, or the PEM private key of a service app). Every request
// goes through client, whose transport holds the evidence and pacing round
// trippers.
func New(ctx context.Context, settings Settings, cred secret.Value, client *http.Client) (*Collector, error) {
	u, err := endpoint.Parse(settings.OrgURL)
	if err != nil {
		return nil, fmt.Errorf("okta org URL: %w", err)
	}
	if cred.IsEmpty() {
		return nil, errors.New("okta credential is empty")
	}
	if client == nil {
		return nil, errors.New("okta collector needs an http client")
	}
	opts := []okta.ConfigSetter{
		okta.WithOrgUrl(u.String()),
		okta.WithCache(false),
		okta.WithHttpClientPtr(client),
		okta.WithRateLimitMaxRetries(0),
		okta.WithRequestTimeout(0),
		// endpoint.Parse allowed plain http only for a loopback host.
		okta.WithTestingDisableHttpsCheck(u.Scheme == "http"),
	}
	switch settings.Auth {
	case AuthAPIToken, "":
		opts = append(opts, okta.WithAuthorizationMode("SSWS"), okta.WithToken(cred.Reveal()))
	case AuthPrivateKey:
		scopes := settings.Scopes
		if len(scopes) == 0 {
			scopes = Scopes
		}
		opts = append(opts, okta.WithAuthorizationMode("PrivateKey"), okta.WithClientId(settings.ClientID),
			okta.WithScopes(scopes), okta.WithPrivateKey(cred.Reveal()))
	default:
		return nil, fmt.Errorf("okta auth mode %q is not supported", settings.Auth)
	}
	_, sdk, err := okta.NewClient(ctx, opts...)
	if err != nil {
		// The SDK's validation messages never echo the token.
		return nil, fmt.Errorf("configure the okta sdk: %w", err)
	}
	return &Collector{sdk: sdk}, nil
}

// RateGroup names the Okta rate-limit bucket of a path: its endpoint family,
// with ids replaced, e.g. /api/v1/apps/{id}/groups.
func RateGroup(path string) string {
	rest, ok := strings.CutPrefix(path, "/api/v1/")
	if !ok {
		return path
	}
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	for i := 1; i < len(segs); i += 2 {
		if !pathWords[segs[i]] {
			segs[i] = "{id}"
		}
	}
	return "/api/v1/" + strings.Join(segs, "/")
}

// pathWords are fixed segments that sit where an id usually does.
var pathWords = map[string]bool{"credentials": true, "keys": true, "me": true, "rules": true}

// apiError renders an SDK error with Okta's own code and summary, or the
// transport's error without net/http's quote of the whole URL (a token
// request's URL carries its signed client assertion).
func apiError(err error) error {
	var e *okta.Error
	if errors.As(err, &e) && e.ErrorCode != "" {
		return fmt.Errorf("%s (%s)", e.ErrorSummary, e.ErrorCode)
	}
	return netguard.Unquote(err)
}
