package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/okta/okta-sdk-golang/v2/okta"
	"golang.org/x/sync/errgroup"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/netguard"
)

// Collect reads the org and emits its items and group memberships.
// Independent listings run concurrently, and each app's signing keys, group
// assignments and user assignments, and each group's member users, are
// separate queues with their own Workers, fed as the app and group listings
// stream in: each rate-limit group always has work queued, so one group
// waiting for its window's reset never starves another.
func (c *Collector) Collect(ctx context.Context, emit inventory.Emitter) error {
	// A private-key source's token comes first, once: the SDK fetches it
	// without the listings' context, so a token endpoint that fails would
	// otherwise fail each concurrent listing in turn, each after its own
	// retries.
	if _, err := c.sdk.CloneRequestExecutor().NewRequest(http.MethodGet, "/api/v1/apps", nil); err != nil {
		return fmt.Errorf("authenticate to the okta org: %w", apiError(err))
	}
	g, ctx := errgroup.WithContext(ctx)
	workers := c.Workers
	if workers <= 0 {
		workers = 8
	}
	// Buffers of a few app pages absorb the groups' different paces while
	// keeping memory flat however many apps the org holds.
	signed := make(chan inventory.Item, 4*appsPageLimit)
	groups := make(chan AppRef, 4*appsPageLimit)
	users := make(chan AppRef, 4*appsPageLimit)
	g.Go(func() error {
		defer close(signed)
		defer close(groups)
		defer close(users)
		return c.listApps(ctx, emit, signed, groups, users)
	})
	pool := func(work func() error) {
		for range workers {
			g.Go(work)
		}
	}
	pool(func() error {
		for app := range signed {
			if err := c.collectAppKeys(ctx, emit, app); err != nil {
				return err
			}
		}
		return nil
	})
	pool(func() error {
		for app := range groups {
			if err := c.collectAppGroups(ctx, emit, app); err != nil {
				return err
			}
		}
		return nil
	})
	pool(func() error {
		for app := range users {
			if err := c.collectAppUsers(ctx, emit, app); err != nil {
				return err
			}
		}
		return nil
	})
	members := make(chan string, groupsPageLimit)
	g.Go(func() error {
		defer close(members)
		return c.collectGroups(ctx, emit, members)
	})
	pool(func() error {
		for id := range members {
			if err := c.collectMembers(ctx, emit, id); err != nil {
				return err
			}
		}
		return nil
	})
	g.Go(func() error { return c.collectIdPs(ctx, emit) })
	g.Go(func() error { return c.collectPolicies(ctx, emit) })
	g.Go(func() error { return c.collectDomains(ctx, emit) })
	return g.Wait()
}

// listApps emits each listed app page's apps, except SAML apps, which go to
// signed to have their signing certificate read first, and queues every
// app's assignments.
func (c *Collector) listApps(ctx context.Context, emit inventory.Emitter, signed chan<- inventory.Item, groups, users chan<- AppRef) error {
	err := list[[]okta.Application](ctx, c, DomainApplications, fmt.Sprintf("/api/v1/apps?limit=%d", appsPageLimit), jsonArray,
		func(raws []json.RawMessage, pageID int64) error {
			now := time.Now()
			items, err := normalizeAll(raws, pageID, func(raw json.RawMessage) (inventory.Item, error) { return NormalizeApp(raw, nil, now) })
			if err != nil {
				return err
			}
			ready := items[:0:0]
			for _, it := range items {
				if appSigningKid(it.Raw) != "" {
					if err := send(ctx, signed, it); err != nil {
						return err
					}
					continue
				}
				ready = append(ready, it)
			}
			if len(ready) > 0 {
				if err := emit.Emit(ctx, ready...); err != nil {
					return err
				}
			}
			for _, it := range items {
				app := AppRef{ID: it.SourceID, Name: it.DisplayName}
				if err := send(ctx, groups, app); err != nil {
					return err
				}
				if err := send(ctx, users, app); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("collect okta applications: %w", err)
	}
	return nil
}

func send[T any](ctx context.Context, ch chan<- T, v T) error {
	select {
	case ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// collectAppKeys emits a SAML application normalized again with its key
// credentials, so its view carries its signing certificate.
func (c *Collector) collectAppKeys(ctx context.Context, emit inventory.Emitter, app inventory.Item) error {
	keys, err := c.signingKeys(ctx, DomainApplications, "/api/v1/apps/"+app.SourceID+"/credentials/keys")
	if err != nil {
		return fmt.Errorf("collect okta application %s signing keys: %w", app.SourceID, err)
	}
	withKeys, err := NormalizeApp(app.Raw, keys, time.Now())
	if err != nil {
		return err
	}
	withKeys.EvidencePage = app.EvidencePage
	return emit.Emit(ctx, withKeys)
}

// collectAppGroups lists an app's group assignments with each group
// embedded (expand=group), so an assignment carries its group's name.
func (c *Collector) collectAppGroups(ctx context.Context, emit inventory.Emitter, app AppRef) error {
	err := list[[]okta.ApplicationGroupAssignment](ctx, c, DomainAppGroupAssignments,
		fmt.Sprintf("/api/v1/apps/%s/groups?limit=%d&expand=group", app.ID, appGroupsPageLimit), jsonArray,
		emitEach(ctx, emit, func(raw json.RawMessage) (inventory.Item, error) { return NormalizeAppGroup(raw, app) }))
	if err != nil {
		return fmt.Errorf("collect okta application %s group assignments: %w", app.ID, err)
	}
	return nil
}

func (c *Collector) collectAppUsers(ctx context.Context, emit inventory.Emitter, app AppRef) error {
	err := list[[]okta.AppUser](ctx, c, DomainAppUserAssignments,
		fmt.Sprintf("/api/v1/apps/%s/users?limit=%d", app.ID, appUsersPageLimit), jsonArray,
		emitEach(ctx, emit, func(raw json.RawMessage) (inventory.Item, error) { return NormalizeAppUser(raw, app) }))
	if err != nil {
		return fmt.Errorf("collect okta application %s user assignments: %w", app.ID, err)
	}
	return nil
}

// groupRulesPageLimit is GET /api/v1/groups/rules' largest page.
const groupRulesPageLimit = 200

// collectGroups reads the org's group rules first, so each group says
// whether a rule maintains its membership, then lists the groups, queueing
// each for its member listing.
func (c *Collector) collectGroups(ctx context.Context, emit inventory.Emitter, members chan<- string) error {
	rules := GroupRules{}
	err := list[[]okta.GroupRule](ctx, c, DomainGroups, fmt.Sprintf("/api/v1/groups/rules?limit=%d", groupRulesPageLimit), jsonArray,
		func(raws []json.RawMessage, _ int64) error {
			for _, raw := range raws {
				if err := rules.add(raw); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("collect okta group rules: %w", err)
	}
	normalize := emitEach(ctx, emit, func(raw json.RawMessage) (inventory.Item, error) { return NormalizeGroup(raw, rules) })
	err = list[[]okta.Group](ctx, c, DomainGroups, fmt.Sprintf("/api/v1/groups?limit=%d", groupsPageLimit), jsonArray,
		func(raws []json.RawMessage, pageID int64) error {
			if err := normalize(raws, pageID); err != nil {
				return err
			}
			for _, raw := range raws {
				if err := send(ctx, members, idOf(raw)); err != nil {
					return err
				}
			}
			return nil
		})
	if err != nil {
		return fmt.Errorf("collect okta groups: %w", err)
	}
	return nil
}

func (c *Collector) collectIdPs(ctx context.Context, emit inventory.Emitter) error {
	keys, err := c.signingKeys(ctx, DomainIdentityProviders, "/api/v1/idps/credentials/keys")
	if err != nil {
		return fmt.Errorf("collect okta identity provider keys: %w", err)
	}
	err = list[[]okta.IdentityProvider](ctx, c, DomainIdentityProviders, fmt.Sprintf("/api/v1/idps?limit=%d", idpsPageLimit), jsonArray,
		emitEach(ctx, emit, func(raw json.RawMessage) (inventory.Item, error) { return NormalizeIdP(raw, keys) }))
	if err != nil {
		return fmt.Errorf("collect okta identity providers: %w", err)
	}
	return nil
}

// signingKeys lists JSON Web Keys and parses their certificates by kid.
func (c *Collector) signingKeys(ctx context.Context, domain, path string) (map[string]SigningKey, error) {
	keys := map[string]SigningKey{}
	now := time.Now()
	err := list[[]okta.JsonWebKey](ctx, c, domain, path, jsonArray, func(raws []json.RawMessage, _ int64) error {
		for _, raw := range raws {
			k, err := ParseSigningKey(raw, now)
			if err != nil {
				return err
			}
			keys[k.Kid] = k
		}
		return nil
	})
	return keys, err
}

// policyTypes are the policy types collected, with the domain of their
// evidence: IdP-discovery rules are the routing rules. Password, MFA
// enrolment and profile enrolment policies decide what users see at their
// first sign-in on the target, so they are collected too.
var policyTypes = []struct{ typ, domain string }{
	{"IDP_DISCOVERY", DomainRoutingRules},
	{"OKTA_SIGN_ON", DomainPolicies},
	{"ACCESS_POLICY", DomainPolicies},
	{"PASSWORD", DomainPolicies},
	{"MFA_ENROLL", DomainPolicies},
	{"PROFILE_ENROLLMENT", DomainPolicies},
}

func (c *Collector) collectPolicies(ctx context.Context, emit inventory.Emitter) error {
	for _, pt := range policyTypes {
		var policies []inventory.Item
		// okta.Policy's time fields reject payloads whose dates the
		// normalizer does not need (Okta's own published examples carry
		// "createdDate" placeholders): read policies as raw JSON through the
		// SDK's request executor, like their rules.
		err := list[[]json.RawMessage](ctx, c, pt.domain, "/api/v1/policies?type="+pt.typ, jsonArray,
			func(raws []json.RawMessage, pageID int64) error {
				items, err := normalizeAll(raws, pageID, NormalizePolicy)
				if err != nil {
					return err
				}
				policies = append(policies, items...)
				return emit.Emit(ctx, items...)
			})
		if err != nil {
			return fmt.Errorf("collect okta %s policies: %w", pt.typ, err)
		}
		for _, p := range policies {
			policyID := p.SourceID
			normalize := func(raw json.RawMessage) (inventory.Item, error) {
				return NormalizePolicyRule(raw, policyID, pt.typ)
			}
			if pt.typ == "IDP_DISCOVERY" {
				normalize = func(raw json.RawMessage) (inventory.Item, error) { return NormalizeRoutingRule(raw, policyID) }
			}
			// The v2 SDK's PolicyRule type lacks the access-policy and
			// IdP-discovery rule shapes.
			err := list[[]json.RawMessage](ctx, c, pt.domain, "/api/v1/policies/"+policyID+"/rules", jsonArray, emitEach(ctx, emit, normalize))
			if err != nil {
				return fmt.Errorf("collect okta %s policy %s rules: %w", pt.typ, policyID, err)
			}
		}
	}
	return nil
}

func (c *Collector) collectDomains(ctx context.Context, emit inventory.Emitter) error {
	err := list[okta.DomainListResponse](ctx, c, DomainDomains, "/api/v1/domains", domainsArray, emitEach(ctx, emit, NormalizeDomain))
	if err != nil {
		return fmt.Errorf("collect okta domains: %w", err)
	}
	return nil
}

// list reads every page of one listing through the SDK's request executor:
// the SDK authenticates, decodes each page into T (so a payload the SDK
// cannot read fails the collection) and finds the Link rel="next" page. The
// page's exact bytes, which the SDK leaves in the response body, are split
// into elements for each item's raw payload. A next link to a page the
// listing already read stops it (*netguard.LoopError).
func list[T any](ctx context.Context, c *Collector, domain, url string, split func([]byte) ([]json.RawMessage, error), page func(raws []json.RawMessage, pageID int64) error) error {
	ctx, trace := inventory.WithPageTrace(inventory.WithListing(ctx, domain))
	rq := c.sdk.CloneRequestExecutor().WithAccept("application/json").WithContentType("application/json")
	pages := netguard.NewPages("okta " + strings.SplitN(url, "?", 2)[0])
	for next := url; next != ""; {
		if err := pages.Visit(next); err != nil {
			return err
		}
		req, err := rq.NewRequest(http.MethodGet, next, nil)
		if err != nil {
			return apiError(err)
		}
		trace.Reset()
		var typed T
		resp, err := rq.Do(ctx, req, &typed)
		if err != nil {
			return apiError(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("read %s page: %w", domain, err)
		}
		raws, err := split(body)
		if err != nil {
			return fmt.Errorf("split %s page: %w", domain, err)
		}
		if err := page(raws, trace.Last()); err != nil {
			return err
		}
		next = resp.NextPage
	}
	return nil
}

func jsonArray(body []byte) ([]json.RawMessage, error) {
	var raws []json.RawMessage
	if err := json.Unmarshal(body, &raws); err != nil {
		return nil, err
	}
	return raws, nil
}

// domainsArray splits GET /api/v1/domains, which wraps its list in an
// object.
func domainsArray(body []byte) ([]json.RawMessage, error) {
	var wrap struct {
		Domains []json.RawMessage `json:"domains"`
	}
	if err := json.Unmarshal(body, &wrap); err != nil {
		return nil, err
	}
	return wrap.Domains, nil
}

func normalizeAll(raws []json.RawMessage, pageID int64, normalize func(json.RawMessage) (inventory.Item, error)) ([]inventory.Item, error) {
	items := make([]inventory.Item, 0, len(raws))
	for _, raw := range raws {
		it, err := normalize(raw)
		if err != nil {
			return nil, err
		}
		it.EvidencePage = pageID
		items = append(items, it)
	}
	return items, nil
}

// emitEach normalizes and emits a page's elements in one batch.
func emitEach(ctx context.Context, emit inventory.Emitter, normalize func(json.RawMessage) (inventory.Item, error)) func([]json.RawMessage, int64) error {
	return func(raws []json.RawMessage, pageID int64) error {
		items, err := normalizeAll(raws, pageID, normalize)
		if err != nil {
			return err
		}
		if len(items) == 0 {
			return nil
		}
		return emit.Emit(ctx, items...)
	}
}
