package rules

import (
	"encoding/json"
	"strings"
	"testing"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/inventory"
)

// entraItem normalizes a Graph payload with the Entra normalizer (through
// its rebuild entry point, which reads the raw payload alone). kind and
// subtype say which normalizer: an app registration or a service
// principal for applications. The assignment's service principal is
// "sp1".
func entraItem(kind inventory.Kind, subtype string, raw json.RawMessage, ctx func() *snap, edit func(v *inventory.View)) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		it, err := entra.RebuildView(inventory.LegacyItem{StoredItem: inventory.StoredItem{Item: inventory.Item{
			Kind: kind, Subtype: subtype, SourceID: "sp1/assignment", Raw: raw}}, SourceKind: "entra", CollectedAt: collected})
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			edit(&it.View)
		}
		var c *snap
		if ctx != nil {
			c = ctx()
		}
		return subject(t, it, nil, a.VendorEntra, c)
	}
}

func entraRaw(t *testing.T, path string, n int) json.RawMessage {
	return vendorRaw(t, entraVendor, path, n)
}

// entraPatched is entraRaw changed by fn.
func entraPatched(path string, n int, fn func(m map[string]any)) func(t *testing.T) json.RawMessage {
	return func(t *testing.T) json.RawMessage { return patched(t, entraRaw(t, path, n), fn) }
}

func entraFile(path string, n int) func(t *testing.T) json.RawMessage {
	return func(t *testing.T) json.RawMessage { return entraRaw(t, path, n) }
}

// galleryApp is the application (n 0) or service principal (n 1) of
// servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json.
func galleryApp(t *testing.T, n int) json.RawMessage {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(vendorFile(t, entraVendor, "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json"), &m); err != nil {
		t.Fatal(err)
	}
	return []json.RawMessage{m["application"], m["servicePrincipal"]}[n]
}

func entraCase(rule, source string, kind inventory.Kind, subtype string, raw func(t *testing.T) json.RawMessage, ctx func() *snap,
	edit func(v *inventory.View), decides bool, class a.Class) ruleCase {
	return ruleCase{rule: rule, source: source, decides: decides, class: class, subject: func(t *testing.T) *a.Subject {
		return entraItem(kind, subtype, raw(t), ctx, edit)(t)
	}}
}

// fittingRegistration is application/get_application.json made a
// single-tenant confidential web client (the published example signs in
// personal accounts and has no platform or credential).
func fittingRegistration(fn func(m map[string]any)) func(t *testing.T) json.RawMessage {
	return entraPatched("application/get_application.json", 0, func(m map[string]any) {
		m["signInAudience"] = "AzureADMyOrg"
		obj(m, "web")["redirectUris"] = []any{"https://expenses.example.test/signin-oidc"}
		m["passwordCredentials"] = []any{map[string]any{"keyId": "f0b0b335-1d71-4883-8f98-567911bfdca6", "displayName": "prod",
			"hint": "fak", "startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}}
		delete(obj(m, "api"), "oauth2PermissionScopes")
		if fn != nil {
			fn(m)
		}
	})
}

func entraCases() []ruleCase {
	const (
		appReg = "app_registration"
		sp     = "service_principal"
		app    = inventory.KindApplication
	)
	tenantOwned := func(v *inventory.View) { v.Application.Origin = inventory.OriginTenant }
	return []ruleCase{
		// App registrations.
		entraCase("ENTRA-APPREG-OIDC-001", "application/get_application.json made single-tenant with a web platform and a secret",
			app, appReg, fittingRegistration(nil), nil, nil, true, a.NativeImport),
		entraCase("ANY-APP-CREDENTIALS-001", "get_application.json fitting registration above (a password credential)",
			app, appReg, fittingRegistration(nil), nil, nil, false, a.NativeImport),
		entraCase("ENTRA-APPREG-AUDIENCE-001", "get_application.json fitting registration made multi-tenant",
			app, appReg, fittingRegistration(func(m map[string]any) { m["signInAudience"] = "AzureADMultipleOrgs" }), nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-APPREG-AUDIENCE-002", "application/get_application.json (AzureADandPersonalMicrosoftAccount)",
			app, appReg, entraFile("application/get_application.json", 0), nil, nil, true, a.ManualRebuildRequired),
		entraCase("ANY-APP-OIDC-IMPLICIT-001", "get_application.json fitting registration with implicit ID tokens on",
			app, appReg, fittingRegistration(func(m map[string]any) {
				obj(m, "web", "implicitGrantSettings")["enableIdTokenIssuance"] = true
			}), nil, nil, true, a.ImportWithApproximation),
		entraCase("ANY-APP-OIDC-WILDCARD-001", "get_application.json fitting registration with a wildcard reply URL (allowed for work accounts, per the redirect URI docs)",
			app, appReg, fittingRegistration(func(m map[string]any) {
				obj(m, "web")["redirectUris"] = []any{"https://*.expenses.example.test/signin-oidc"}
			}), nil, nil, true, a.ManualRebuildRequired),
		entraCase("ANY-APP-OIDC-CLIENTAUTH-001", "get_application.json fitting registration with a certificate credential only",
			app, appReg, fittingRegistration(func(m map[string]any) {
				m["passwordCredentials"] = []any{}
				m["keyCredentials"] = []any{map[string]any{"keyId": "c1", "type": "AsymmetricX509Cert", "usage": "Verify", "displayName": "CN=client",
					"startDateTime": "2024-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}}
			}), nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-APPREG-ROLES-001", "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json (its application's roles)",
			app, appReg, func(t *testing.T) json.RawMessage { return galleryApp(t, 0) }, nil, nil, false, a.ManualRebuildRequired),
		entraCase("ENTRA-APPREG-API-001", "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json (user_impersonation scope)",
			app, appReg, func(t *testing.T) json.RawMessage { return galleryApp(t, 0) }, nil, nil, false, a.ManualRebuildRequired),
		entraCase("ANY-APP-CATALOGUE-001", "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json (gallery template)",
			app, appReg, func(t *testing.T) json.RawMessage { return galleryApp(t, 0) }, nil, nil, false, a.ManualRebuildRequired),
		entraCase("ENTRA-APPREG-CLAIMS-001", "get_application.json fitting registration with group and optional claims",
			app, appReg, fittingRegistration(func(m map[string]any) {
				m["groupMembershipClaims"] = "SecurityGroup"
				m["optionalClaims"] = map[string]any{"idToken": []any{map[string]any{"name": "upn", "essential": false}}}
			}), nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-APPREG-PERMS-001", "application/get_application_by_appid_select.json (Microsoft Graph permissions)",
			app, appReg, entraFile("application/get_application_by_appid_select.json", 0), nil, nil, false, a.VisibilityOnly),
		entraCase("ENTRA-APPREG-NOSIGNIN-001", "application/get_application_by_appid_select.json (no platform, no credential)",
			app, appReg, entraFile("application/get_application_by_appid_select.json", 0), nil, nil, true, a.VisibilityOnly),

		// Service principals.
		entraCase("ENTRA-SP-MSFT-001", "servicePrincipal/get_serviceprincipal_select_msgraph.json with the owner tenant the $select left out (Microsoft Services)",
			app, sp, entraPatched("servicePrincipal/get_serviceprincipal_select_msgraph.json", 0, func(m map[string]any) {
				m["appOwnerOrganizationId"] = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
				m["accountEnabled"] = true
			}), nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-SP-MI-001", "servicePrincipal/list_serviceprincipals.json as a managed identity",
			app, sp, entraPatched("servicePrincipal/list_serviceprincipals.json", 0, func(m map[string]any) { m["servicePrincipalType"] = "ManagedIdentity" }),
			nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-SP-OIDC-001", "servicePrincipal/list_serviceprincipals.json in OIDC mode, of the tenant's own registration (the tenant context comes from the collection, not the payload)",
			app, sp, entraPatched("servicePrincipal/list_serviceprincipals.json", 0, func(m map[string]any) { m["preferredSingleSignOnMode"] = "oidc" }),
			func() *snap {
				s := newSnap().set(app, "appreg1", a.NativeImport, "ENTRA-APPREG-OIDC-001")
				s.carriers["foo"] = "appreg1"
				return s
			}, tenantOwned, true, a.ManualRebuildRequired),
		entraCase("ENTRA-SP-THIRDPARTY-001", "servicePrincipal/get_serviceprincipal.json, another organisation's app (origin from the collection's tenant context)",
			app, sp, entraFile("servicePrincipal/get_serviceprincipal.json", 0), nil,
			func(v *inventory.View) { v.Application.Origin = inventory.OriginOtherTenant }, true, a.ManualRebuildRequired),
		entraCase("ANY-APP-SAML-001", "servicePrincipal/instantiate_saml_gallery_app_applicationServicePrincipal.json switched to SAML sign-on",
			app, sp, func(t *testing.T) json.RawMessage {
				return patched(t, galleryApp(t, 1), func(m map[string]any) { m["preferredSingleSignOnMode"] = "saml" })
			}, nil, nil, true, a.ManualRebuildRequired),
		entraCase("ANY-APP-SAML-STATEMENTS-001", "the SAML enterprise app above (claims only through Graph beta)",
			app, sp, func(t *testing.T) json.RawMessage {
				return patched(t, galleryApp(t, 1), func(m map[string]any) { m["preferredSingleSignOnMode"] = "saml" })
			}, nil, nil, false, a.ManualRebuildRequired),
		entraCase("ANY-APP-SAML-CERT-001", "instantiate_saml_gallery_app_applicationServicePrincipal.json SAML app with a signing key that expired before the snapshot",
			app, sp, func(t *testing.T) json.RawMessage {
				return patched(t, galleryApp(t, 1), func(m map[string]any) {
					m["preferredSingleSignOnMode"] = "saml"
					m["keyCredentials"] = []any{map[string]any{"keyId": "k1", "type": "AsymmetricX509Cert", "usage": "Verify", "displayName": "CN=Microsoft Azure Federated SSO Certificate",
						"startDateTime": "2017-01-01T00:00:00Z", "endDateTime": "2020-01-01T00:00:00Z"}}
				})
			}, nil, nil, true, a.Blocked),
		entraCase("ANY-APP-INACTIVE-001", "servicePrincipal/list_serviceprincipals.json disabled",
			app, sp, entraPatched("servicePrincipal/list_serviceprincipals.json", 0, func(m map[string]any) { m["accountEnabled"] = false }),
			nil, tenantOwned, false, a.ManualRebuildRequired),

		// Groups.
		entraCase("ANY-GROUP-TENANT-001", "group/create_security_group_response.json",
			inventory.KindGroup, "", entraFile("group/create_security_group_response.json", 0), nil, nil, true, a.NativeImport),
		entraCase("ENTRA-GROUP-M365-001", "group/list_groups.json (Golf Assist)",
			inventory.KindGroup, "", entraFile("group/list_groups.json", 0), nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-GROUP-DISTRIBUTION-001", "group/list_groups.json (Golf Discussion)",
			inventory.KindGroup, "", entraFile("group/list_groups.json", 1), nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-GROUP-ROLE-001", "group/create_role_assignable_m365_group_response.json",
			inventory.KindGroup, "", entraFile("group/create_role_assignable_m365_group_response.json", 0), nil, nil, false, a.ImportWithApproximation),
		entraCase("ENTRA-GROUP-DYNAMIC-001", "group/get_dynamic_group_beta_select.json with the display name its $select left out",
			inventory.KindGroup, "", entraPatched("group/get_dynamic_group_beta_select.json", 0, func(m map[string]any) { m["displayName"] = "All enabled users" }),
			nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-GROUP-MAILSEC-001", "group/create_security_group_response.json mail-enabled",
			inventory.KindGroup, "", entraPatched("group/create_security_group_response.json", 0, func(m map[string]any) {
				m["mailEnabled"] = true
				m["mail"] = "operations@example.test"
			}), nil, nil, true, a.ImportWithApproximation),
		entraCase("ANY-GROUP-SYNCED-001", "group/create_security_group_response.json synced from on-premises",
			inventory.KindGroup, "", entraPatched("group/create_security_group_response.json", 0, func(m map[string]any) { m["onPremisesSyncEnabled"] = true }),
			nil, nil, true, a.ImportWithApproximation),

		// Domains.
		entraCase("ENTRA-DOMAIN-001", "domain/get_domain.json",
			inventory.KindDomain, "", entraFile("domain/get_domain.json", 0), nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-DOMAIN-FEDERATED-001", "domain/get_domain.json federated",
			inventory.KindDomain, "", entraPatched("domain/get_domain.json", 0, func(m map[string]any) { m["authenticationType"] = "Federated" }),
			nil, nil, true, a.VisibilityOnly),
		entraCase("ANY-DOMAIN-UNVERIFIED-001", "domain/list_domains.json (isVerified absent: unknown)",
			inventory.KindDomain, "", entraFile("domain/list_domains.json", 0), nil, nil, true, a.VisibilityOnly),
		entraCase("ANY-DOMAIN-FALLBACK-001", "domain/get_domain.json with its authentication type left out",
			inventory.KindDomain, "", entraPatched("domain/get_domain.json", 0, func(m map[string]any) { delete(m, "authenticationType") }),
			nil, nil, true, a.VisibilityOnly),

		// Conditional access.
		entraCase("ANY-POLICY-INACTIVE-001", "conditionalAccessPolicy/list_policies.json (SimplePolicy1, disabled)",
			inventory.KindPolicy, "", entraFile("conditionalAccessPolicy/list_policies.json", 0), nil, nil, true, a.VisibilityOnly),
		entraCase("ANY-POLICY-INACTIVE-001", "conditionalAccessPolicy/list_policies.json (SimplePolicy2) in report-only mode",
			inventory.KindPolicy, "", entraPatched("conditionalAccessPolicy/list_policies.json", 1, func(m map[string]any) { m["state"] = "enabledForReportingButNotEnforced" }),
			nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-CA-001", "conditionalAccessPolicy/list_policies.json (SimplePolicy2, MFA) enabled",
			inventory.KindPolicy, "", entraPatched("conditionalAccessPolicy/list_policies.json", 1, func(m map[string]any) { m["state"] = "enabled" }),
			nil, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-CA-LEGACY-001", "conditionalAccessPolicy/list_policies.json (SimplePolicy1) enabled for legacy clients only",
			inventory.KindPolicy, "", entraPatched("conditionalAccessPolicy/list_policies.json", 0, func(m map[string]any) {
				m["state"] = "enabled"
				obj(m, "conditions")["clientAppTypes"] = []any{"exchangeActiveSync", "other"}
			}), nil, nil, true, a.VisibilityOnly),
		entraCase("ENTRA-CA-ROLES-001", "conditionalAccessPolicy/get_policy.json enabled (directory roles)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, false, a.Blocked),
		entraCase("ANY-POLICY-USERS-001", "conditionalAccessPolicy/get_policy.json enabled (includes one user)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, true, a.Blocked),
		entraCase("ANY-POLICY-USERS-002", "conditionalAccessPolicy/get_policy.json enabled (excludes one user)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, false, a.Blocked),
		entraCase("ANY-POLICY-NETWORK-001", "conditionalAccessPolicy/get_policy.json enabled (trusted locations)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, false, a.Blocked),
		entraCase("ANY-POLICY-DEVICE-001", "conditionalAccessPolicy/get_policy.json enabled (compliant or domain-joined device)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, false, a.Blocked),
		entraCase("ANY-POLICY-RISK-001", "conditionalAccessPolicy/get_policy.json enabled (sign-in risk medium, low)",
			inventory.KindPolicy, "", enabledPolicy, nil, nil, false, a.Blocked),
		entraCase("ANY-POLICY-REF-001", "conditionalAccessPolicy/list_policies.json (SimplePolicy2) enabled for a group the snapshot lacks",
			inventory.KindPolicy, "", entraPatched("conditionalAccessPolicy/list_policies.json", 1, func(m map[string]any) {
				m["state"] = "enabled"
				obj(m, "conditions", "users")["includeGroups"] = []any{"00000000-0000-0000-0000-0000000000aa"}
			}), nil, nil, true, a.Blocked),

		// Assignments.
		entraCase("ANY-ASSIGN-USER-001", "appRoleAssignment/list_approleassignedto.json (a user)",
			inventory.KindAssignment, "", entraFile("appRoleAssignment/list_approleassignedto.json", 0), nil, nil, true, a.Blocked),
		entraCase("ANY-ASSIGN-GROUP-001", "appRoleAssignment/list_approleassignedto.json to a group, the service principal's registration imported",
			inventory.KindAssignment, "", asGroup, func() *snap {
				s := newSnap().set(app, "appreg1", a.NativeImport, "ENTRA-APPREG-OIDC-001").
					set(inventory.KindGroup, "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", a.NativeImport, "ANY-GROUP-TENANT-001")
				s.carriers["sp1"] = "appreg1"
				return s
			}, nil, true, a.NativeImport),
		entraCase("ANY-ASSIGN-DEP-001", "appRoleAssignment/list_approleassignedto.json to a group, of a service principal without a registration in the tenant",
			inventory.KindAssignment, "", asGroup, func() *snap {
				return newSnap().set(app, "sp1", a.ManualRebuildRequired, "ENTRA-SP-THIRDPARTY-001").
					set(inventory.KindGroup, "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", a.NativeImport, "ANY-GROUP-TENANT-001")
			}, nil, true, a.Blocked),
		entraCase("ENTRA-ASSIGN-ROLE-001", "appRoleAssignment/list_approleassignedto.json to a group with an app role",
			inventory.KindAssignment, "", entraPatched("appRoleAssignment/list_approleassignedto.json", 0, func(m map[string]any) {
				m["principalType"] = "Group"
				m["appRoleId"] = "8774f594-1d59-4279-b9d9-59ef09a23530"
			}), func() *snap {
				s := newSnap().set(app, "appreg1", a.NativeImport, "ENTRA-APPREG-OIDC-001").
					set(inventory.KindGroup, "cdb555e3-b33e-4fd5-a427-17fadacbdfa7", a.NativeImport, "ANY-GROUP-TENANT-001")
				s.carriers["sp1"] = "appreg1"
				return s
			}, nil, true, a.ImportWithApproximation),
		entraCase("ENTRA-ASSIGN-SP-001", "appRoleAssignment/list_approleassignedto.json to a service principal",
			inventory.KindAssignment, "", entraPatched("appRoleAssignment/list_approleassignedto.json", 0, func(m map[string]any) {
				m["principalType"] = "ServicePrincipal"
			}), nil, nil, true, a.ManualRebuildRequired),
	}
}

func enabledPolicy(t *testing.T) json.RawMessage {
	return entraPatched("conditionalAccessPolicy/get_policy.json", 0, func(m map[string]any) { m["state"] = "enabled" })(t)
}

func asGroup(t *testing.T) json.RawMessage {
	return entraPatched("appRoleAssignment/list_approleassignedto.json", 0, func(m map[string]any) { m["principalType"] = "Group" })(t)
}

func TestEntraRulesOnVendorPayloads(t *testing.T) { runCases(t, entraCases()) }

// Items the built-in rules decide: built by hand, as no normalizer makes
// them.
func builtinCases() []ruleCase {
	return []ruleCase{
		{rule: a.NoViewID, source: "built by hand: an item stored before views whose view could not be rebuilt",
			subject: func(t *testing.T) *a.Subject {
				return &a.Subject{SourceID: "0oa1", Kind: inventory.KindApplication, DisplayName: "Legacy app", Vendor: a.VendorOkta,
					View: inventory.View{Unbuilt: "the raw payload is not JSON"}, CollectedAt: collected, Snapshot: newSnap()}
			}, decides: true, class: a.Blocked},
	}
}

// Every rule of the catalogue is shown matching at least one item; the
// rule-error rule is raised by the classifier itself (engine/assessment's
// own tests show it).
func TestEveryRuleHasACase(t *testing.T) {
	cat, err := Catalogue()
	if err != nil {
		t.Fatal(err)
	}
	runCases(t, builtinCases())
	covered := map[string]bool{a.RuleErrorID: true}
	for _, c := range append(append(oktaCases(), entraCases()...), builtinCases()...) {
		covered[c.rule] = true
		if !strings.Contains(c.source, ".json") && !strings.HasPrefix(c.source, "built by hand") && !strings.Contains(c.source, "above") {
			t.Errorf("case %s does not name its payload file or say it was built by hand: %q", c.rule, c.source)
		}
	}
	for _, r := range cat.Rules() {
		if !covered[r.ID] {
			t.Errorf("rule %s has no case", r.ID)
		}
	}
}
