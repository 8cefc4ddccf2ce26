package entra

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/microsoft/kiota-abstractions-go/serialization"
	msgraphsdk "github.com/microsoftgraph/msgraph-sdk-go"
	msgraphcore "github.com/microsoftgraph/msgraph-sdk-go-core"
	"github.com/microsoftgraph/msgraph-sdk-go/applications"
	"github.com/microsoftgraph/msgraph-sdk-go/groups"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
	"golang.org/x/sync/errgroup"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Inventory domains of an Entra tenant, as evidence pages and source tests
// name them.
const (
	DomainApplications       = "applications"
	DomainServicePrincipals  = "service_principals"
	DomainDomains            = "domains"
	DomainGroups             = "groups"
	DomainConditionalAccess  = "conditional_access_policies"
	DomainAppRoleAssignments = "app_role_assignments"
	DomainGroupMembers       = "group_members"
)

// Domains lists the inventory domains in collection order.
var Domains = []string{DomainApplications, DomainServicePrincipals, DomainDomains, DomainGroups, DomainConditionalAccess,
	DomainAppRoleAssignments, DomainGroupMembers}

// pageSize is Graph's largest page for directory objects.
var pageSize int32 = 999

// defaultAssignmentWorkers keeps enough appRoleAssignedTo listings (one
// request per service principal) in flight that Graph's budget, not its
// latency, sets the pace; the pacer holds them all back on a 429.
const defaultAssignmentWorkers = 16

// emitBatch is how many items the collector hands the emitter at once.
const emitBatch = 500

var (
	// The $select lists name every property the views read (see
	// normalize.go); keyCredentials come without their "key" in listings.
	applicationFields = []string{"id", "appId", "displayName", "signInAudience", "publisherDomain", "identifierUris",
		"web", "spa", "publicClient", "passwordCredentials", "keyCredentials", "createdDateTime", "tags",
		"appRoles", "optionalClaims", "groupMembershipClaims", "requiredResourceAccess", "isFallbackPublicClient", "api",
		"tokenEncryptionKeyId", "applicationTemplateId", "samlMetadataUrl", "verifiedPublisher"}
	servicePrincipalFields = []string{"id", "appId", "displayName", "appDisplayName", "accountEnabled", "servicePrincipalType",
		"preferredSingleSignOnMode", "samlSingleSignOnSettings", "replyUrls", "preferredTokenSigningKeyThumbprint",
		"keyCredentials", "appRoleAssignmentRequired", "loginUrl", "homepage", "logoutUrl", "appOwnerOrganizationId",
		"notificationEmailAddresses", "tags", "appRoles", "servicePrincipalNames", "tokenEncryptionKeyId", "publisherName",
		"signInAudience", "applicationTemplateId", "passwordCredentials", "verifiedPublisher"}
	groupFields = []string{"id", "displayName", "description", "groupTypes", "membershipRule", "membershipRuleProcessingState",
		"securityEnabled", "mailEnabled", "mail", "mailNickname", "onPremisesSyncEnabled", "isAssignableToRole", "createdDateTime",
		"onPremisesSamAccountName"}
)

// Collector reads one Entra tenant (inventory.Collector).
type Collector struct {
	client  *msgraphsdk.GraphServiceClient
	adapter *msgraphsdk.GraphRequestAdapter
	workers int
	// memberWorkers is how many groups' member listings run at once.
	memberWorkers int
	now           func() time.Time
	tenantID      string
}

// New builds a collector from cfg; it sends nothing until Collect or Test.
func New(cfg Config) (*Collector, error) {
	client, adapter, err := newGraphClient(cfg)
	if err != nil {
		return nil, err
	}
	workers := cfg.AssignmentWorkers
	if workers <= 0 {
		workers = defaultAssignmentWorkers
	}
	memberWorkers := cfg.MemberWorkers
	if memberWorkers <= 0 {
		memberWorkers = defaultMemberWorkers
	}
	return &Collector{client: client, adapter: adapter, workers: workers, memberWorkers: memberWorkers, now: time.Now,
		tenantID: cfg.Settings.TenantID}, nil
}

// Collect reads every domain, independent ones concurrently, and emits
// their items and each group's members. The first failure (or ctx ending) stops the others. App
// registrations are listed once the service principals are (their
// assignments still being read), so each registration knows its service
// principal's sign-on mode: a SAML gallery app has a registration too.
func (c *Collector) Collect(ctx context.Context, emit inventory.Emitter) error {
	out := &batcher{emit: emit}
	g, ctx := errgroup.WithContext(ctx)
	modes := &ssoModes{m: map[string]string{}, listed: make(chan struct{})}
	g.Go(func() error {
		select {
		case <-modes.listed:
		case <-ctx.Done():
			return ctx.Err()
		}
		return c.applications(ctx, out, modes.m)
	})
	g.Go(func() error { return c.servicePrincipals(ctx, out, modes) })
	g.Go(func() error { return c.domains(ctx, out) })
	g.Go(func() error { return c.groups(ctx, out, emit) })
	g.Go(func() error { return c.policies(ctx, out) })
	if err := g.Wait(); err != nil {
		return err
	}
	return out.flush(ctx)
}

// registeredAppIDs reads the appIds of the tenant's app registrations (a
// $select=id,appId pass, recorded as evidence like every page), so each
// service principal can say whether the tenant owns it.
func (c *Collector) registeredAppIDs(ctx context.Context) (map[string]bool, error) {
	ctx = withPages(inventory.WithListing(ctx, DomainApplications), "registered app ids")
	first, err := c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
		QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Top: &pageSize, Select: []string{"id", "appId"}},
	})
	if err != nil {
		return nil, fmt.Errorf("collect entra %s: %w", DomainApplications, graphError(err))
	}
	it, err := msgraphcore.NewPageIterator[models.Applicationable](first, c.adapter, models.CreateApplicationCollectionResponseFromDiscriminatorValue)
	if err != nil {
		return nil, fmt.Errorf("collect entra %s: %w", DomainApplications, err)
	}
	ids := map[string]bool{}
	if err := it.Iterate(ctx, func(a models.Applicationable) bool { ids[str(a.GetAppId())] = true; return true }); err != nil {
		return nil, fmt.Errorf("collect entra %s: %w", DomainApplications, graphError(err))
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("collect entra %s: %w", DomainApplications, err)
	}
	return ids, nil
}

// ssoModes collects each service principal's preferredSingleSignOnMode by
// appId; listed is closed once the listing is complete, after which m is
// only read.
type ssoModes struct {
	m      map[string]string
	listed chan struct{}
}

func (c *Collector) context(modes map[string]string) tenantContext {
	return tenantContext{TenantID: c.tenantID, SSOModes: modes, Now: c.now()}
}

func (c *Collector) applications(ctx context.Context, out *batcher, modes map[string]string) error {
	tc := c.context(modes)
	return list(ctx, c, DomainApplications, func(ctx context.Context) (serialization.Parsable, error) {
		return c.client.Applications().Get(ctx, &applications.ApplicationsRequestBuilderGetRequestConfiguration{
			QueryParameters: &applications.ApplicationsRequestBuilderGetQueryParameters{Top: &pageSize, Select: applicationFields},
		})
	}, models.CreateApplicationCollectionResponseFromDiscriminatorValue, func(_ models.Applicationable, raw json.RawMessage) (inventory.Item, error) {
		return normalizeApplication(raw, tc)
	}, out, nil)
}

// servicePrincipals lists the enterprise apps and, as each arrives, hands
// its id to the workers that list its appRoleAssignedTo.
func (c *Collector) servicePrincipals(ctx context.Context, out *batcher, modes *ssoModes) error {
	g, ctx := errgroup.WithContext(ctx)
	// A page of ids queued lets the listing fetch its next page while the
	// workers drain this one; unbuffered, they idled at every page turn.
	ids := make(chan string, pageSize)
	for range c.workers {
		g.Go(func() error {
			for id := range ids {
				if err := c.assignments(ctx, id, out); err != nil {
					return err
				}
			}
			return nil
		})
	}
	tc := c.context(nil)
	registered, err := c.registeredAppIDs(ctx)
	if err != nil {
		return err
	}
	tc.Registered = registered
	g.Go(func() error {
		defer close(ids)
		err := list(ctx, c, DomainServicePrincipals, func(ctx context.Context) (serialization.Parsable, error) {
			return c.client.ServicePrincipals().Get(ctx, &serviceprincipals.ServicePrincipalsRequestBuilderGetRequestConfiguration{
				QueryParameters: &serviceprincipals.ServicePrincipalsRequestBuilderGetQueryParameters{Top: &pageSize, Select: servicePrincipalFields},
			})
		}, models.CreateServicePrincipalCollectionResponseFromDiscriminatorValue, func(sp models.ServicePrincipalable, raw json.RawMessage) (inventory.Item, error) {
			appID := str(sp.GetAppId())
			modes.m[appID] = str(sp.GetPreferredSingleSignOnMode())
			if owner := uuidStr(sp.GetAppOwnerOrganizationId()); tc.HomeTenant == "" && owner != "" && registered[appID] {
				tc.HomeTenant = owner
			}
			return normalizeServicePrincipal(raw, tc)
		}, out, func(ctx context.Context, sp models.ServicePrincipalable) error {
			select {
			case ids <- str(sp.GetId()):
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		if err == nil {
			close(modes.listed)
		}
		return err
	})
	return g.Wait()
}

func (c *Collector) assignments(ctx context.Context, spID string, out *batcher) error {
	return list(ctx, c, DomainAppRoleAssignments, func(ctx context.Context) (serialization.Parsable, error) {
		return c.client.ServicePrincipals().ByServicePrincipalId(spID).AppRoleAssignedTo().Get(ctx, &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetRequestConfiguration{
			QueryParameters: &serviceprincipals.ItemAppRoleAssignedToRequestBuilderGetQueryParameters{Top: &pageSize},
		})
	}, models.CreateAppRoleAssignmentCollectionResponseFromDiscriminatorValue, func(_ models.AppRoleAssignmentable, raw json.RawMessage) (inventory.Item, error) {
		return normalizeAssignment(spID, raw)
	}, out, nil)
}

// domains: GET /domains takes no paging or $select options.
func (c *Collector) domains(ctx context.Context, out *batcher) error {
	return list(ctx, c, DomainDomains, func(ctx context.Context) (serialization.Parsable, error) {
		return c.client.Domains().Get(ctx, nil)
	}, models.CreateDomainCollectionResponseFromDiscriminatorValue, rawOnly[models.Domainable](normalizeDomain), out, nil)
}

// groups lists the groups and, as each arrives, hands its id to the
// workers that list its members.
func (c *Collector) groups(ctx context.Context, out *batcher, members inventory.MemberSink) error {
	g, ctx := errgroup.WithContext(ctx)
	ids := make(chan string, pageSize)
	for range c.memberWorkers {
		g.Go(func() error {
			for id := range ids {
				if err := c.members(ctx, id, members); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(ids)
		return list(ctx, c, DomainGroups, func(ctx context.Context) (serialization.Parsable, error) {
			return c.client.Groups().Get(ctx, &groups.GroupsRequestBuilderGetRequestConfiguration{
				QueryParameters: &groups.GroupsRequestBuilderGetQueryParameters{Top: &pageSize, Select: groupFields},
			})
		}, models.CreateGroupCollectionResponseFromDiscriminatorValue, rawOnly[models.Groupable](normalizeGroup), out,
			func(ctx context.Context, grp models.Groupable) error {
				select {
				case ids <- str(grp.GetId()):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
	})
	return g.Wait()
}

// policies: conditional-access policies come in one listing without $top.
func (c *Collector) policies(ctx context.Context, out *batcher) error {
	return list(ctx, c, DomainConditionalAccess, func(ctx context.Context) (serialization.Parsable, error) {
		return c.client.Identity().ConditionalAccess().Policies().Get(ctx, nil)
	}, models.CreateConditionalAccessPolicyCollectionResponseFromDiscriminatorValue, rawOnly[models.ConditionalAccessPolicyable](normalizePolicy), out, nil)
}

type entity interface{ GetId() *string }

// rawOnly adapts a normalizer of raw bytes to list's signature.
func rawOnly[T entity](normalize func(json.RawMessage) (inventory.Item, error)) func(T, json.RawMessage) (inventory.Item, error) {
	return func(_ T, raw json.RawMessage) (inventory.Item, error) { return normalize(raw) }
}

// list runs one paged listing: the first page from get, the rest through
// the SDK's PageIterator (@odata.nextLink), each element normalized with
// the bytes Graph sent for it. each, when set, sees every element after it
// is queued for emission.
func list[T entity](ctx context.Context, c *Collector, domain string,
	get func(context.Context) (serialization.Parsable, error), ctor serialization.ParsableFactory,
	normalize func(T, json.RawMessage) (inventory.Item, error), out *batcher,
	each func(context.Context, T) error,
) error {
	return walk(ctx, c, domain, get, ctor, func(v T, raw json.RawMessage, pageID int64) error {
		item, err := normalize(v, raw)
		if err != nil {
			return fmt.Errorf("element %q: %w", str(v.GetId()), err)
		}
		item.EvidencePage = pageID
		if err := out.add(ctx, item); err != nil {
			return err
		}
		if each != nil {
			return each(ctx, v)
		}
		return nil
	})
}

// walk runs one paged listing and hands visit each element with the bytes
// Graph sent for it and the evidence page they came in.
func walk[T entity](ctx context.Context, c *Collector, domain string,
	get func(context.Context) (serialization.Parsable, error), ctor serialization.ParsableFactory,
	visit func(v T, raw json.RawMessage, pageID int64) error,
) error {
	ctx = withPages(inventory.WithListing(ctx, domain), domain)
	ctx, _ = inventory.WithPageTrace(ctx)
	ctx, page := withListingPage(ctx)
	first, err := get(ctx)
	if err != nil {
		return fmt.Errorf("collect entra %s: %w", domain, graphError(err))
	}
	it, err := msgraphcore.NewPageIterator[T](first, c.adapter, ctor)
	if err != nil {
		return fmt.Errorf("collect entra %s: %w", domain, err)
	}
	var failed error
	err = it.Iterate(ctx, func(v T) bool {
		raw, pageID, err := page.raw(str(v.GetId()))
		if err == nil {
			err = visit(v, raw, pageID)
		}
		if err != nil {
			failed = fmt.Errorf("collect entra %s: %w", domain, err)
			return false
		}
		return true
	})
	if failed != nil {
		return failed
	}
	if err != nil {
		return fmt.Errorf("collect entra %s: %w", domain, graphError(err))
	}
	// The iterator stops quietly on a cancelled context between pages.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("collect entra %s: %w", domain, err)
	}
	return nil
}

// batcher gathers items from every listing and hands them to the emitter in
// batches, one call at a time (the emitter need not be safe for concurrent
// use).
type batcher struct {
	mu    sync.Mutex
	emit  inventory.Emitter
	items []inventory.Item
}

func (b *batcher) add(ctx context.Context, item inventory.Item) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.items = append(b.items, item)
	if len(b.items) < emitBatch {
		return nil
	}
	return b.flushLocked(ctx)
}

func (b *batcher) flush(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.flushLocked(ctx)
}

func (b *batcher) flushLocked(ctx context.Context) error {
	if len(b.items) == 0 {
		return nil
	}
	if err := b.emit.Emit(ctx, b.items...); err != nil {
		return fmt.Errorf("collect entra: emit items: %w", err)
	}
	// A fresh slice: the emitter may keep the one it was given.
	b.items = make([]inventory.Item, 0, emitBatch)
	return nil
}

func uuidStr(p *uuid.UUID) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}
