package entra

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/portal-id/migration-console/engine/inventory"
)

func vendorJSON(t *testing.T, path string, pick func(map[string]json.RawMessage) json.RawMessage) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(vendorDir, path))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if pick == nil {
		return b
	}
	return pick(m)
}

func nth(n int) func(map[string]json.RawMessage) json.RawMessage {
	return func(m map[string]json.RawMessage) json.RawMessage {
		var arr []json.RawMessage
		json.Unmarshal(m["value"], &arr)
		return arr[n]
	}
}

func checked(t *testing.T, it inventory.Item, err error) inventory.View {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if p := inventory.CheckView(it); len(p) > 0 {
		t.Fatalf("view problems: %v", p)
	}
	return it.View
}

// Each case reads one Microsoft-published payload (the file is named) and
// checks the facts a rule relies on.
func TestViewsFromPublishedPayloads(t *testing.T) {
	tc := tenantContext{TenantID: "1bc1c026-2f7b-48a5-98da-afa2fd8bc7bc", Now: fuzzNow}
	t.Run("app registration (application/get_application.json)", func(t *testing.T) {
		it, err := normalizeApplication(vendorJSON(t, "application/get_application.json", nil), tc)
		a := checked(t, it, err).Application
		if a.Object != inventory.AppObjectEntraAppRegistration || a.Protocol != inventory.ProtocolNone || a.SignInAudience != "AzureADandPersonalMicrosoftAccount" {
			t.Fatalf("%+v", a)
		}
		if a.Publisher != "publisher_contoso" || a.OIDC.ImplicitIDToken != inventory.No || a.OIDC.AccessTokenVersion != 2 || a.OIDC.Confidential != inventory.Unknown {
			t.Errorf("publisher %q implicit %s version %d confidential %s", a.Publisher, a.OIDC.ImplicitIDToken, a.OIDC.AccessTokenVersion, a.OIDC.Confidential)
		}
	})
	t.Run("app registration behind a SAML service principal", func(t *testing.T) {
		raw := vendorJSON(t, "application/get_application.json", nil)
		it, err := normalizeApplication(raw, tenantContext{Now: fuzzNow, SSOModes: map[string]string{"631a96bc-a705-4eda-9f99-fdaf9f54f6a2": "saml"}})
		a := checked(t, it, err).Application
		if a.Protocol != inventory.ProtocolSAML || a.SAML.StatementsExposed != inventory.No || a.SAML.StatementsGap == "" {
			t.Fatalf("%+v", a)
		}
	})
	t.Run("gallery service principal (servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json)", func(t *testing.T) {
		raw := vendorJSON(t, "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json",
			func(m map[string]json.RawMessage) json.RawMessage { return m["servicePrincipal"] })
		it, err := normalizeServicePrincipal(raw, tc)
		a := checked(t, it, err).Application
		if a.Catalogue != inventory.CatalogueListed || a.CatalogueID != "21ed01d2-ec13-4e9e-86c1-cd546719ebc4" || a.Origin != inventory.OriginOtherTenant {
			t.Fatalf("catalogue %s %q origin %s", a.Catalogue, a.CatalogueID, a.Origin)
		}
		// preferredSingleSignOnMode is still null right after
		// instantiation: no sign-on yet.
		if a.Protocol != inventory.ProtocolNone || a.AssignmentRequired != inventory.Yes || len(a.AppRoles) != 2 || a.HiddenFromUsers != inventory.No {
			t.Errorf("protocol %s assignment required %s roles %d hidden %s", a.Protocol, a.AssignmentRequired, len(a.AppRoles), a.HiddenFromUsers)
		}
	})
	t.Run("conditional access (conditionalAccessPolicy/list_policies.json)", func(t *testing.T) {
		it, err := normalizePolicy(vendorJSON(t, "conditionalAccessPolicy/list_policies.json", nth(0)))
		p := checked(t, it, err).Policy
		if p.State != inventory.StateInactive || p.Actions.Access != "deny" || !slices.Equal(p.Conditions.ClientAppTypes, []string{"all"}) {
			t.Fatalf("%+v", p)
		}
		if len(it.Refs) != 0 {
			t.Errorf("'None' is not a user to reference: %+v", it.Refs)
		}
		it, err = normalizePolicy(vendorJSON(t, "conditionalAccessPolicy/list_policies.json", nth(1)))
		if p = checked(t, it, err).Policy; p.Actions.RequireMFA != inventory.Yes || p.Actions.Access != "allow" {
			t.Errorf("mfa policy %+v", p.Actions)
		}
	})
	t.Run("domain (domain/get_domain.json)", func(t *testing.T) {
		it, err := normalizeDomain(vendorJSON(t, "domain/get_domain.json", nil))
		d := checked(t, it, err).Domain
		if d.Verified != inventory.Yes || d.Initial != inventory.Yes || d.AuthType != "managed" || len(d.SupportedServices) != 2 {
			t.Errorf("%+v", d)
		}
	})
	t.Run("role-assignable Microsoft 365 group (group/create_role_assignable_m365_group_response.json)", func(t *testing.T) {
		it, err := normalizeGroup(vendorJSON(t, "group/create_role_assignable_m365_group_response.json", nil))
		g := checked(t, it, err).Group
		if g.Type != inventory.GroupMicrosoft365 || g.RoleAssignable != inventory.Yes || g.RuleBased != inventory.No {
			t.Errorf("%+v", g)
		}
	})
	t.Run("assignment (appRoleAssignment/list_approleassignedto.json)", func(t *testing.T) {
		it, err := normalizeAssignment("8e881353-1735-45af-af21-ee1344582a4d", vendorJSON(t, "appRoleAssignment/list_approleassignedto.json", nth(0)))
		a := checked(t, it, err).Assignment
		if a.Target != inventory.AssignUser || a.AppName == "" || a.PrincipalName == "" || a.Direct != inventory.Yes || len(a.Unresolved) != 0 {
			t.Errorf("%+v", a)
		}
	})
}

// A service principal's origin: a managed identity, Microsoft's own apps,
// the tenant's and another tenant's (built by hand: the published
// examples hold no managed identity or first-party principal).
func TestServicePrincipalOrigin(t *testing.T) {
	tc := tenantContext{TenantID: "aaaaaaaa-0000-0000-0000-000000000001", Now: fuzzNow}
	for raw, want := range map[string]inventory.Origin{
		`{"id":"1","servicePrincipalType":"ManagedIdentity","appOwnerOrganizationId":"aaaaaaaa-0000-0000-0000-000000000001"}`: inventory.OriginManagedIdentity,
		`{"id":"2","appOwnerOrganizationId":"f8cdef31-a31e-4b4a-93e4-5f571e91255a"}`:                                          inventory.OriginMicrosoft,
		`{"id":"3","appOwnerOrganizationId":"AAAAAAAA-0000-0000-0000-000000000001"}`:                                          inventory.OriginTenant,
		`{"id":"4","appOwnerOrganizationId":"bbbbbbbb-0000-0000-0000-000000000002"}`:                                          inventory.OriginOtherTenant,
		`{"id":"5"}`: inventory.OriginUnknown,
	} {
		it, err := normalizeServicePrincipal(json.RawMessage(raw), tc)
		if got := checked(t, it, err).Application.Origin; got != want {
			t.Errorf("%s: origin %s, want %s", raw, got, want)
		}
	}
	// A tenant configured by domain name: its own registrations, and the
	// owner learned from them, tell its apps from other tenants'.
	byDomain := tenantContext{TenantID: "example.onmicrosoft.com", Registered: map[string]bool{"app-1": true}, Now: fuzzNow}
	for raw, want := range map[string]inventory.Origin{
		`{"id":"1","appId":"app-1","appOwnerOrganizationId":"cccccccc-0000-0000-0000-000000000003"}`: inventory.OriginTenant,
		`{"id":"2","appId":"app-2","appOwnerOrganizationId":"cccccccc-0000-0000-0000-000000000003"}`: inventory.OriginUnknown,
	} {
		it, err := normalizeServicePrincipal(json.RawMessage(raw), byDomain)
		if got := checked(t, it, err).Application.Origin; got != want {
			t.Errorf("by domain %s: origin %s, want %s", raw, got, want)
		}
	}
	byDomain.HomeTenant = "cccccccc-0000-0000-0000-000000000003"
	it, err := normalizeServicePrincipal(json.RawMessage(`{"id":"3","appId":"app-3","appOwnerOrganizationId":"dddddddd-0000-0000-0000-000000000004"}`), byDomain)
	if got := checked(t, it, err).Application.Origin; got != inventory.OriginOtherTenant {
		t.Errorf("another tenant's app once the home tenant is known: %s", got)
	}
}
