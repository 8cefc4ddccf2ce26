package rules

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	a "github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/okta"
)

func oktaRaw(t *testing.T, path string, n int) json.RawMessage {
	return vendorRaw(t, oktaVendor, path, n)
}

// oktaApp normalizes an Okta app payload, with the app signing keys of
// applications/list_app_key_credentials.json.
func oktaApp(raw json.RawMessage, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		keys := map[string]okta.SigningKey{}
		var arr []json.RawMessage
		if err := json.Unmarshal(vendorFile(t, oktaVendor, "applications/list_app_key_credentials.json"), &arr); err != nil {
			t.Fatal(err)
		}
		for _, r := range arr {
			k, err := okta.ParseSigningKey(r, collected)
			if err != nil {
				t.Fatal(err)
			}
			keys[k.Kid] = k
		}
		it, err := okta.NormalizeApp(raw, keys, collected)
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

// oidcApp is applications/oidc_native_app.json without its private-use
// redirect URI (the published example lists myapp://callback on a
// confidential client, which the Portal refuses), then patched by fn.
func oidcApp(t *testing.T, fn func(m map[string]any)) json.RawMessage {
	return patched(t, oktaRaw(t, "applications/oidc_native_app.json", 0), func(m map[string]any) {
		obj(m, "settings", "oauthClient")["redirect_uris"] = []any{"https://example.com/oauth2/callback"}
		if fn != nil {
			fn(m)
		}
	})
}

func oauthClient(m map[string]any) map[string]any { return obj(m, "settings", "oauthClient") }

func oktaIdP(raw json.RawMessage, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		var arr []json.RawMessage
		if err := json.Unmarshal(vendorFile(t, oktaVendor, "idps/list_idp_key_credentials.json"), &arr); err != nil {
			t.Fatal(err)
		}
		keys := map[string]okta.SigningKey{}
		for _, r := range arr {
			k, err := okta.ParseSigningKey(r, collected)
			if err != nil {
				t.Fatal(err)
			}
			keys[k.Kid] = k
		}
		it, err := okta.NormalizeIdP(raw, keys)
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

func oktaRouting(raw json.RawMessage, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		it, err := okta.NormalizeRoutingRule(raw, "00p1discovery")
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

func oktaPolicy(raw json.RawMessage, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		it, err := okta.NormalizePolicy(raw)
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

func oktaPolicyRule(raw json.RawMessage, policyType string, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		it, err := okta.NormalizePolicyRule(raw, "00p1policy", policyType)
		if ctx == nil {
			ctx = newSnap()
		}
		ctx.set(inventory.KindPolicy, "00p1policy", a.ImportWithApproximation, "OKTA-POLICY-SIGNON-001")
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

func oktaGroup(raw json.RawMessage, rules okta.GroupRules, ctx *snap) func(t *testing.T) *a.Subject {
	return func(t *testing.T) *a.Subject {
		it, err := okta.NormalizeGroup(raw, rules)
		return subject(t, it, err, a.VendorOkta, ctx)
	}
}

// specificRouting is policies/idp_discovery_rule_specific_routing.json with
// the SUFFIX patterns of policies/docs_idp_discovery_userIdentifier_suffix_fragment.json
// (Okta publishes the rule and its userIdentifier condition separately),
// routed to a SAML provider instead of Google, then patched by fn.
func specificRouting(t *testing.T, fn func(m map[string]any)) json.RawMessage {
	frag := map[string]any{}
	if err := json.Unmarshal(oktaRaw(t, "policies/docs_idp_discovery_userIdentifier_suffix_fragment.json", 0), &frag); err != nil {
		t.Fatal(err)
	}
	return patched(t, oktaRaw(t, "policies/idp_discovery_rule_specific_routing.json", 0), func(m map[string]any) {
		obj(m, "conditions")["userIdentifier"] = frag["userIdentifier"]
		obj(m, "actions", "idp")["providers"] = []any{map[string]any{"type": "SAML2", "id": "0oa1saml"}}
		if fn != nil {
			fn(m)
		}
	})
}

// routingSnap holds the SAML provider the routing rules route to, imported.
func routingSnap() *snap {
	return newSnap().set(inventory.KindProvider, "0oa1saml", a.NativeImport, "ANY-PROVIDER-SAML-001")
}

func fragment(t *testing.T, path, key string) any {
	m := map[string]any{}
	if err := json.Unmarshal(oktaRaw(t, path, 0), &m); err != nil {
		t.Fatal(err)
	}
	return m[key]
}

func oktaCases() []ruleCase {
	var cs []ruleCase
	add := func(c ...ruleCase) { cs = append(cs, c...) }
	withRaw := func(get func(t *testing.T) json.RawMessage, mk func(json.RawMessage, *snap) func(*testing.T) *a.Subject, ctx func() *snap) func(t *testing.T) *a.Subject {
		return func(t *testing.T) *a.Subject {
			var c *snap
			if ctx != nil {
				c = ctx()
			}
			return mk(get(t), c)(t)
		}
	}
	file := func(path string, n int) func(t *testing.T) json.RawMessage {
		return func(t *testing.T) json.RawMessage { return oktaRaw(t, path, n) }
	}

	// Applications.
	add(
		ruleCase{rule: "OKTA-APP-OIDC-001", source: "applications/oidc_native_app.json, private-use redirect URI removed",
			subject: withRaw(func(t *testing.T) json.RawMessage { return oidcApp(t, nil) }, oktaApp, nil), decides: true, class: a.NativeImport},
		ruleCase{rule: "ANY-APP-OIDC-REDIRECT-001", source: "applications/oidc_native_app.json (myapp://callback on a confidential client)",
			subject: withRaw(file("applications/oidc_native_app.json", 0), oktaApp, nil), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-APP-CREDENTIALS-001", source: "applications/oidc_native_app.json (client secret in the payload)",
			subject: withRaw(func(t *testing.T) json.RawMessage { return oidcApp(t, nil) }, oktaApp, nil)},
		ruleCase{rule: "ANY-APP-OIDC-IMPLICIT-001", source: "applications/oidc_native_app.json with implicit added beside authorization_code (no published example has both)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					oauthClient(m)["grant_types"] = []any{"authorization_code", "implicit"}
					oauthClient(m)["response_types"] = []any{"code", "token", "id_token"}
				})
			}, oktaApp, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-APP-OIDC-IMPLICIT-001", source: "applications/oidc_native_app.json made implicit-only (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					oauthClient(m)["grant_types"] = []any{"implicit"}
					oauthClient(m)["response_types"] = []any{"token", "id_token"}
				})
			}, oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-OIDC-WILDCARD-001", source: "applications/oidc_native_app.json with wildcard_redirect SUBDOMAIN and a wildcard URI (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					oauthClient(m)["wildcard_redirect"] = "SUBDOMAIN"
					oauthClient(m)["redirect_uris"] = []any{"https://*.example.com/oauth2/callback"}
				})
			}, oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-OIDC-GRANT-001", source: "applications/oidc_native_app.json with the password grant added (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					oauthClient(m)["grant_types"] = []any{"authorization_code", "password"}
				})
			}, oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-OIDC-CLIENTAUTH-001", source: "applications/oidc_native_app.json with private_key_jwt (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					obj(m, "credentials", "oauthClient")["token_endpoint_auth_method"] = "private_key_jwt"
				})
			}, oktaApp, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-APP-OIDC-REFRESH-001", source: "applications/oidc_native_app.json with refresh-token rotation (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					oauthClient(m)["grant_types"] = []any{"authorization_code", "refresh_token"}
					oauthClient(m)["refresh_token"] = map[string]any{"rotation_type": "ROTATE", "leeway": 30}
				})
			}, oktaApp, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-APP-OIDC-PKCE-001", source: "applications/oidc_native_app.json as a public client without PKCE (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					obj(m, "credentials", "oauthClient")["token_endpoint_auth_method"] = "none"
					obj(m, "credentials", "oauthClient")["pkce_required"] = false
					delete(obj(m, "credentials", "oauthClient"), "client_secret")
				})
			}, oktaApp, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-APP-CATALOGUE-001", source: "applications/oidc_native_app.json named after an OIN integration key (Okta publishes no OIN OIDC example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) { m["name"] = "slack" })
			}, oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-APP-USERNAME-001", source: "applications/oidc_native_app.json with a CUSTOM username template (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					obj(m, "credentials")["userNameTemplate"] = map[string]any{"template": "${fn:substringBefore(source.login, \"@\")}", "type": "CUSTOM"}
				})
			}, oktaApp, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-APP-NAME-001", source: "applications/oidc_native_app.json labelled with a bidirectional override (built to show a name the Portal refuses)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) { m["label"] = "Payroll\u202Egnp.exe" })
			}, oktaApp, nil), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-APP-NAMEDUP-001", source: "applications/oidc_native_app.json in a snapshot with a second client of its name",
			subject: withRaw(func(t *testing.T) json.RawMessage { return oidcApp(t, nil) }, oktaApp, func() *snap {
				s := newSnap()
				s.names[string(inventory.KindApplication)+"/"+a.FoldName("Sample Client profile")] = 2
				return s
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-APP-FALLBACK-001", source: "applications/oidc_native_app.json without token_endpoint_auth_method (confidential or public unknown)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return oidcApp(t, func(m map[string]any) {
					delete(obj(m, "credentials", "oauthClient"), "token_endpoint_auth_method")
					delete(obj(m, "credentials", "oauthClient"), "client_secret")
				})
			}, oktaApp, nil), decides: true, class: a.ManualRebuildRequired},

		ruleCase{rule: "ANY-APP-SAML-001", source: "applications/saml_2_0_app.json",
			subject: withRaw(file("applications/saml_2_0_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-SAML-IDPINIT-001", source: "applications/saml_2_0_app.json (dashboard tile)",
			subject: withRaw(file("applications/saml_2_0_app.json", 0), oktaApp, nil)},
		ruleCase{rule: "ANY-APP-SAML-SLO-001", source: "applications/saml_2_0_app.json (slo enabled)",
			subject: withRaw(file("applications/saml_2_0_app.json", 0), oktaApp, nil)},
		ruleCase{rule: "OKTA-APP-EL-001", source: "applications/saml_2_0_app.json (statement value \"Value\" is not a profile reference)",
			subject: withRaw(file("applications/saml_2_0_app.json", 0), oktaApp, nil)},
		ruleCase{rule: "ANY-APP-SAML-ATTRS-001", source: "applications/saml_2_0_app.json with plain profile references (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "applications/saml_2_0_app.json", 0), func(m map[string]any) {
					obj(m, "settings", "signOn")["attributeStatements"] = []any{
						map[string]any{"type": "EXPRESSION", "name": "email", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified", "values": []any{"user.email"}},
						map[string]any{"type": "EXPRESSION", "name": "firstName", "values": []any{"user.firstName"}},
					}
				})
			}, oktaApp, nil)},
		ruleCase{rule: "ANY-APP-SAML-ENCRYPT-001", source: "applications/saml_2_0_app.json with assertion encryption on (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "applications/saml_2_0_app.json", 0), func(m map[string]any) {
					obj(m, "settings", "signOn")["assertionEncryption"] = map[string]any{"enabled": true, "encryptionAlgorithm": "AES256_GCM", "keyTransportAlgorithm": "RSA_OAEP"}
				})
			}, oktaApp, nil)},
		ruleCase{rule: "ANY-APP-SAML-STATEMENTS-001", source: "applications/list_apps_filter_name.json (OIN Workday: statements come from its template)",
			subject: withRaw(file("applications/list_apps_filter_name.json", 0), oktaApp, nil), class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-SAML-CERT-001", source: "applications/saml_2_0_app.json signing with key SIMcCQ… of applications/list_app_key_credentials.json (expired 2017)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "applications/saml_2_0_app.json", 0), func(m map[string]any) {
					obj(m, "credentials", "signing")["kid"] = "SIMcCQNY3uwXoW3y0vf6VxiBb5n9pf8L2fK8d-FIbm4"
				})
			}, oktaApp, nil), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-APP-SAML-CERT-002", source: "applications/saml_2_0_app.json signing with key SIMcCQ… assessed a week before it expired",
			subject: func(t *testing.T) *a.Subject {
				s := oktaApp(patched(t, oktaRaw(t, "applications/saml_2_0_app.json", 0), func(m map[string]any) {
					obj(m, "credentials", "signing")["kid"] = "SIMcCQNY3uwXoW3y0vf6VxiBb5n9pf8L2fK8d-FIbm4"
				}), nil)(t)
				s.CollectedAt = *s.View.Application.SAML.SigningCertificates[0].NotAfter
				s.CollectedAt = s.CollectedAt.AddDate(0, 0, -7)
				return s
			}},
		ruleCase{rule: "OKTA-APP-WSFED-001", source: "applications/ws_federation_app.json",
			subject: withRaw(file("applications/ws_federation_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-PASSWORD-001", source: "applications/auto_login_app.json",
			subject: withRaw(file("applications/auto_login_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-PASSWORD-001", source: "applications/browser_plugin_swa_app.json",
			subject: withRaw(file("applications/browser_plugin_swa_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-PASSWORD-001", source: "applications/secure_password_store_app.json",
			subject: withRaw(file("applications/secure_password_store_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-PASSWORD-001", source: "applications/basic_auth_app.json",
			subject: withRaw(file("applications/basic_auth_app.json", 0), oktaApp, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-APP-BOOKMARK-001", source: "applications/bookmark_app.json",
			subject: withRaw(file("applications/bookmark_app.json", 0), oktaApp, nil), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "OKTA-APP-DIRECTORY-001", source: "applications/bookmark_app.json named as the Active Directory integration (Okta publishes no directory app example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "applications/bookmark_app.json", 0), func(m map[string]any) { m["name"] = "active_directory" })
			}, oktaApp, nil), class: a.VisibilityOnly},
		ruleCase{rule: "ANY-APP-INACTIVE-001", source: "applications/bookmark_app.json deactivated (no published example of an INACTIVE app)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "applications/bookmark_app.json", 0), func(m map[string]any) { m["status"] = "INACTIVE" })
			}, oktaApp, nil), class: a.VisibilityOnly},
	)

	// Identity providers.
	add(
		ruleCase{rule: "ANY-PROVIDER-SAML-001", source: "idps/saml2_idp.json with the keys of idps/list_idp_key_credentials.json",
			subject: withRaw(file("idps/saml2_idp.json", 0), oktaIdP, nil), decides: true, class: a.NativeImport},
		ruleCase{rule: "ANY-PROVIDER-SAML-002", source: "idps/saml2_idp.json assessed after its only certificate expired (2025-12-18)",
			subject: func(t *testing.T) *a.Subject {
				s := oktaIdP(oktaRaw(t, "idps/saml2_idp.json", 0), nil)(t)
				s.CollectedAt = collected.AddDate(6, 0, 0)
				return s
			}, decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-PROVIDER-CERT-001", source: "idps/saml2_idp.json assessed ten days before its certificate expires",
			subject: func(t *testing.T) *a.Subject {
				s := oktaIdP(oktaRaw(t, "idps/saml2_idp.json", 0), nil)(t)
				s.CollectedAt = *s.View.Provider.SigningCertificates[0].NotAfter
				s.CollectedAt = s.CollectedAt.AddDate(0, 0, -10)
				return s
			}, decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-PROVIDER-JIT-001", source: "idps/list_idps.json (Smart Card IdP: provisioning DISABLED)",
			subject: withRaw(file("idps/list_idps.json", 6), oktaIdP, nil)},
		ruleCase{rule: "OKTA-PROVIDER-JIT-001", source: "idps/saml2_idp.json with account linking DISABLED (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "idps/saml2_idp.json", 0), func(m map[string]any) {
					obj(m, "policy", "accountLink")["action"] = "DISABLED"
				})
			}, oktaIdP, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-PROVIDER-OIDC-001", source: "idps/oidc_idp.json",
			subject: withRaw(file("idps/oidc_idp.json", 0), oktaIdP, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-PROVIDER-SOCIAL-001", source: "idps/google_idp.json",
			subject: withRaw(file("idps/google_idp.json", 0), oktaIdP, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-PROVIDER-SOCIAL-001", source: "idps/microsoft_idp.json",
			subject: withRaw(file("idps/microsoft_idp.json", 0), oktaIdP, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "ANY-PROVIDER-SOCIAL-002", source: "idps/facebook_idp.json",
			subject: withRaw(file("idps/facebook_idp.json", 0), oktaIdP, nil), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-PROVIDER-X509-001", source: "idps/list_idps.json (Smart Card IdP)",
			subject: withRaw(file("idps/list_idps.json", 6), oktaIdP, nil), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-PROVIDER-INACTIVE-001", source: "idps/oidc_idp.json deactivated (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "idps/oidc_idp.json", 0), func(m map[string]any) { m["status"] = "INACTIVE" })
			}, oktaIdP, nil)},
		ruleCase{rule: "ANY-PROVIDER-NAME-001", source: "idps/saml2_idp.json in a snapshot with a second provider of its name",
			subject: withRaw(file("idps/saml2_idp.json", 0), oktaIdP, func() *snap {
				s := newSnap()
				s.names[string(inventory.KindProvider)+"/"+a.FoldName("Example SAML IdP")] = 2
				return s
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-PROVIDER-FALLBACK-001", source: "idps/oidc_idp.json of a type this build does not know (built to show the fallback)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "idps/oidc_idp.json", 0), func(m map[string]any) {
					m["type"] = "AgentlessDSSO"
					obj(m, "protocol")["type"] = "AgentlessDSSO"
				})
			}, oktaIdP, nil), decides: true, class: a.ManualRebuildRequired},
	)

	// Routing rules.
	routed := func(fn func(m map[string]any)) func(t *testing.T) json.RawMessage {
		return func(t *testing.T) json.RawMessage { return specificRouting(t, fn) }
	}
	add(
		ruleCase{rule: "OKTA-ROUTING-DOMAIN-001", source: "policies/idp_discovery_rule_specific_routing.json + docs_idp_discovery_userIdentifier_suffix_fragment.json, to a SAML provider",
			subject: withRaw(routed(nil), oktaRouting, routingSnap), decides: true, class: a.NativeImport},
		ruleCase{rule: "OKTA-ROUTING-CONFLICT-001", source: "idp_discovery_rule_specific_routing.json domain rule above in a snapshot where another rule routes example.com",
			subject: withRaw(routed(nil), oktaRouting, func() *snap {
				s := routingSnap()
				s.routes["gmail.com"] = []string{"0pr2other", "ruleId"}
				return s
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "OKTA-ROUTING-PROVIDER-001", source: "idp_discovery_rule_specific_routing.json domain rule above whose provider is not in the snapshot",
			subject: withRaw(routed(nil), oktaRouting, nil), decides: true, class: a.Blocked},
		ruleCase{rule: "OKTA-ROUTING-PROVIDER-001", source: "policies/idp_discovery_rule_specific_routing.json (to Google, which is rebuilt by hand)",
			subject: withRaw(file("policies/idp_discovery_rule_specific_routing.json", 0), oktaRouting, func() *snap {
				return newSnap().set(inventory.KindProvider, "0oa5ks3WmHLRh8Ivr0g4", a.ManualRebuildRequired, "ANY-PROVIDER-SOCIAL-001")
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "OKTA-ROUTING-REGEX-001", source: "idp_discovery_rule_specific_routing.json domain rule with docs_idp_discovery_userIdentifier_regex_fragment.json",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return specificRouting(t, func(m map[string]any) {
					obj(m, "conditions")["userIdentifier"] = fragment(t, "policies/docs_idp_discovery_userIdentifier_regex_fragment.json", "userIdentifier")
				})
			}, oktaRouting, routingSnap), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-ROUTING-ATTRIBUTE-001", source: "idp_discovery_rule_specific_routing.json domain rule with docs_idp_discovery_userIdentifier_attribute_fragment.json",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return specificRouting(t, func(m map[string]any) {
					obj(m, "conditions")["userIdentifier"] = fragment(t, "policies/docs_idp_discovery_userIdentifier_attribute_fragment.json", "userIdentifier")
				})
			}, oktaRouting, routingSnap), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-ROUTING-PATTERN-001", source: "idp_discovery_rule_specific_routing.json domain rule with a STARTS_WITH pattern (no published example)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "conditions", "userIdentifier")["patterns"] = []any{map[string]any{"matchType": "STARTS_WITH", "value": "contractor."}}
			}), oktaRouting, routingSnap), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-ROUTING-DYNAMIC-001", source: "policies/idp_discovery_rule_dynamic_routing.json",
			subject: withRaw(file("policies/idp_discovery_rule_dynamic_routing.json", 0), oktaRouting, nil), class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-ROUTING-CHOICE-001", source: "idp_discovery_rule_specific_routing.json domain rule offering two providers (no published example)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "actions", "idp")["providers"] = []any{map[string]any{"type": "SAML2", "id": "0oa1saml"}, map[string]any{"type": "GOOGLE", "id": "0oa2google"}}
			}), oktaRouting, routingSnap), class: a.Blocked},
		ruleCase{rule: "OKTA-ROUTING-LOCAL-001", source: "idp_discovery_rule_specific_routing.json domain rule routing to Okta itself",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "actions", "idp")["providers"] = []any{map[string]any{"type": "OKTA"}}
			}), oktaRouting, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-ROUTING-ZONE-001", source: "idp_discovery_rule_specific_routing.json domain rule limited to a network zone (no published example)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "conditions")["network"] = map[string]any{"connection": "ZONE", "include": []any{"nzo1corp"}}
			}), oktaRouting, routingSnap), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-ROUTING-APP-001", source: "idp_discovery_rule_specific_routing.json domain rule limited to one app (no published example)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "conditions")["app"] = map[string]any{"include": []any{map[string]any{"type": "APP", "id": "0oa1app"}}, "exclude": []any{}}
			}), oktaRouting, routingSnap), class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-ROUTING-PEOPLE-001", source: "idp_discovery_rule_specific_routing.json domain rule limited to mobile platforms (no published example)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "conditions")["platform"] = map[string]any{"include": []any{map[string]any{"type": "MOBILE", "os": map[string]any{"type": "IOS"}}}, "exclude": []any{}}
			}), oktaRouting, routingSnap), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-ROUTING-UNMODELED-001", source: "idp_discovery_rule_specific_routing.json domain rule with a condition the view does not model (built to show the case)",
			subject: withRaw(routed(func(m map[string]any) {
				obj(m, "conditions")["riskScore"] = map[string]any{"level": "HIGH"}
				obj(m, "conditions")["futureCondition"] = map[string]any{"x": 1}
			}), oktaRouting, routingSnap), class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-ROUTING-DEFAULT-001", source: "policies/idp_discovery_rules_list.json (the system rule)",
			subject: withRaw(file("policies/idp_discovery_rules_list.json", 0), oktaRouting, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-ROUTING-INACTIVE-001", source: "idp_discovery_rule_specific_routing.json domain rule deactivated",
			subject: withRaw(routed(func(m map[string]any) { m["status"] = "INACTIVE" }), oktaRouting, routingSnap), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-ROUTING-FALLBACK-001", source: "policies/idp_discovery_rule_specific_routing.json without patterns, to a SAML provider (matches nobody by identifier)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/idp_discovery_rule_specific_routing.json", 0), func(m map[string]any) {
					obj(m, "actions", "idp")["providers"] = []any{map[string]any{"type": "SAML2", "id": "0oa1saml"}}
				})
			}, oktaRouting, routingSnap), decides: true, class: a.ManualRebuildRequired},
	)

	// Policies.
	add(
		ruleCase{rule: "OKTA-POLICY-DEFAULT-001", source: "policies/okta_sign_on_list.json (the system policy)",
			subject: withRaw(file("policies/okta_sign_on_list.json", 0), oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-POLICY-REF-001", source: "policies/okta_sign_on_list.json as a non-default policy whose group is not in the snapshot",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_list.json", 0), func(m map[string]any) { m["system"] = false })
			}, oktaPolicy, nil), decides: true, class: a.Blocked},
		ruleCase{rule: "OKTA-POLICY-SIGNON-001", source: "policies/okta_sign_on_list.json as a non-default policy for Okta's built-in Everyone group (the whole tenant)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_list.json", 0), func(m map[string]any) { m["system"] = false })
			}, oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.VisibilityOnly, "OKTA-GROUP-BUILTIN-001")
			}), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-POLICY-SIGNON-001", source: "policies/okta_sign_on_rule_get.json",
			subject: withRaw(file("policies/okta_sign_on_rule_get.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "OKTA_SIGN_ON", s)
			}, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-POLICY-USERS-001", source: "policies/okta_sign_on_rule_get.json naming a user (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_rule_get.json", 0), func(m map[string]any) {
					obj(m, "conditions", "people")["users"] = map[string]any{"include": []any{"00u1alice"}, "exclude": []any{}}
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "OKTA_SIGN_ON", s)
			}, nil),
			decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-POLICY-USERS-002", source: "policies/okta_sign_on_rule_get.json exempting a user (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_rule_get.json", 0), func(m map[string]any) {
					obj(m, "conditions", "people")["users"] = map[string]any{"exclude": []any{"00u1breakglass"}}
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "OKTA_SIGN_ON", s)
			}, nil),
			class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-POLICY-NETWORK-001", source: "policies/access_policy_rule_platform_device_constraints.json (network ZONE)",
			subject: withRaw(file("policies/access_policy_rule_platform_device_constraints.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "ACCESS_POLICY", s)
			}, func() *snap {
				return newSnap().set(inventory.KindGroup, "00u7yq5goxNFTiMjW1d7", a.NativeImport, "ANY-GROUP-TENANT-001")
			})},
		ruleCase{rule: "OKTA-POLICY-EL-001", source: "policies/access_policy_rule_platform_device_constraints.json (elCondition)",
			subject: withRaw(file("policies/access_policy_rule_platform_device_constraints.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "ACCESS_POLICY", s)
			}, func() *snap {
				return newSnap().set(inventory.KindGroup, "00u7yq5goxNFTiMjW1d7", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), class: a.VisibilityOnly},
		ruleCase{rule: "ANY-POLICY-DEVICE-001", source: "policies/access_policy_rule_platform_device_constraints.json with a managed-device condition (the example's device constraints sit in its actions)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/access_policy_rule_platform_device_constraints.json", 0), func(m map[string]any) {
					obj(m, "conditions")["device"] = map[string]any{"registered": true, "managed": true}
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "ACCESS_POLICY", s)
			}, func() *snap {
				return newSnap().set(inventory.KindGroup, "00u7yq5goxNFTiMjW1d7", a.NativeImport, "ANY-GROUP-TENANT-001")
			})},
		ruleCase{rule: "ANY-POLICY-RISK-001", source: "policies/okta_sign_on_rule_get.json at high risk only (no published example)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_rule_get.json", 0), func(m map[string]any) {
					obj(m, "conditions")["riskScore"] = map[string]any{"level": "HIGH"}
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "OKTA_SIGN_ON", s)
			}, nil),
			decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-POLICY-INACTIVE-001", source: "policies/okta_sign_on_rule_get.json deactivated",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_rule_get.json", 0), func(m map[string]any) { m["status"] = "INACTIVE" })
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "OKTA_SIGN_ON", s)
			}, nil),
			decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "OKTA-POLICY-PASSWORD-001", source: "policies/composed_password_policy.json as a non-default policy",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/composed_password_policy.json", 0), func(m map[string]any) { m["system"] = false })
			}, oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-POLICY-PASSWORD-002", source: "policies/composed_password_policy.json for Active Directory passwords",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/composed_password_policy.json", 0), func(m map[string]any) {
					m["system"] = false
					obj(m, "conditions", "authProvider")["provider"] = "ACTIVE_DIRECTORY"
				})
			}, oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "OKTA-POLICY-MFAENROLL-001", source: "policies/composed_mfa_enroll_policy.json as a non-default policy",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/composed_mfa_enroll_policy.json", 0), func(m map[string]any) { m["system"] = false })
			}, oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-POLICY-PROFILE-001", source: "policies/composed_profile_enrollment_rule.json (access ALLOW)",
			subject: withRaw(file("policies/composed_profile_enrollment_rule.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "PROFILE_ENROLLMENT", s)
			}, nil), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "OKTA-POLICY-PROFILE-002", source: "policies/composed_profile_enrollment_rule.json with registration denied, not the catch-all",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/composed_profile_enrollment_rule.json", 0), func(m map[string]any) {
					m["system"] = false
					obj(m, "actions", "profileEnrollment")["access"] = "DENY"
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaPolicyRule(r, "PROFILE_ENROLLMENT", s)
			}, nil),
			decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "OKTA-POLICY-DISCOVERY-001", source: "policies/idp_discovery_get.json",
			subject: withRaw(file("policies/idp_discovery_get.json", 0), oktaPolicy, nil), class: a.VisibilityOnly},
		ruleCase{rule: "ANY-POLICY-FALLBACK-001", source: "policies/okta_sign_on_list.json of a type this build does not know (built to show the fallback)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "policies/okta_sign_on_list.json", 0), func(m map[string]any) {
					m["type"] = "ENTITY_RISK"
					m["system"] = false
				})
			}, oktaPolicy, func() *snap {
				return newSnap().set(inventory.KindGroup, "groupId", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.VisibilityOnly},
	)

	// Groups.
	add(
		ruleCase{rule: "ANY-GROUP-TENANT-001", source: "groups/list_groups.json (West Coast users), group rules read and none targets it",
			subject: withRaw(file("groups/list_groups.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, nil), decides: true, class: a.NativeImport},
		ruleCase{rule: "ANY-GROUP-FALLBACK-001", source: "groups/list_groups.json (West Coast users) without the org's group rules read",
			subject: withRaw(file("groups/list_groups.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, nil, s)
			}, nil), decides: true, class: a.ManualRebuildRequired},
		ruleCase{rule: "OKTA-GROUP-APPGROUP-001", source: "groups/list_groups.json (Engineering users, imported from AD)",
			subject: withRaw(file("groups/list_groups.json", 1), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, nil), decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-GROUP-RESERVED-001", source: "groups/list_groups.json renamed EVERYONE (an OKTA_GROUP may take any name)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "groups/list_groups.json", 0), func(m map[string]any) { obj(m, "profile")["name"] = "EVERYONE" })
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, nil),
			decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-GROUP-RESERVED-001", source: "groups/list_groups.json renamed \"admin center administrators \" (case and trailing space)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "groups/list_groups.json", 0), func(m map[string]any) {
					obj(m, "profile")["name"] = "admin center administrators "
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, nil),
			class: a.Blocked},
		ruleCase{rule: "OKTA-GROUP-BUILTIN-001", source: "groups/list_groups.json made the BUILT_IN Everyone group (Okta's published list shows none)",
			subject: withRaw(func(t *testing.T) json.RawMessage {
				return patched(t, oktaRaw(t, "groups/list_groups.json", 0), func(m map[string]any) {
					m["type"] = "BUILT_IN"
					m["objectClass"] = []any{"okta:user_group"}
					obj(m, "profile")["name"] = "Everyone"
				})
			}, func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, nil),
			decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "OKTA-GROUP-RULES-001", source: "groups/list_groups.json targeted by a group rule (Okta publishes no group-rule example among the fixtures)",
			subject: func(t *testing.T) *a.Subject {
				raw := oktaRaw(t, "groups/list_groups.json", 0)
				var g struct{ ID string }
				json.Unmarshal(raw, &g)
				return oktaGroup(raw, okta.GroupRules{g.ID: {`user.department=="Eng"`}}, nil)(t)
			}, decides: true, class: a.ImportWithApproximation},
		ruleCase{rule: "ANY-GROUP-NAME-001", source: "groups/list_groups.json in a snapshot with a second group of its name",
			subject: withRaw(file("groups/list_groups.json", 0), func(r json.RawMessage, s *snap) func(*testing.T) *a.Subject {
				return oktaGroup(r, okta.GroupRules{}, s)
			}, func() *snap {
				s := newSnap()
				s.names[string(inventory.KindGroup)+"/"+a.FoldName("West Coast users")] = 2
				return s
			}), decides: true, class: a.Blocked},
	)

	// Assignments.
	groupAssignment := func(ctx func() *snap) func(t *testing.T) *a.Subject {
		return func(t *testing.T) *a.Subject {
			it, err := okta.NormalizeAppGroup(oktaRaw(t, "app_group_assignments/list_app_groups.json", 0), okta.AppRef{ID: "0oa1app", Name: "Expense Tracker"})
			return subject(t, it, err, a.VendorOkta, ctx())
		}
	}
	userAssignment := func(fn func(m map[string]any)) func(t *testing.T) *a.Subject {
		return func(t *testing.T) *a.Subject {
			raw := oktaRaw(t, "app_user_assignments/list_app_users.json", 0)
			if fn != nil {
				raw = patched(t, raw, fn)
			}
			it, err := okta.NormalizeAppUser(raw, okta.AppRef{ID: "0oa1app", Name: "Expense Tracker"})
			return subject(t, it, err, a.VendorOkta, nil)
		}
	}
	add(
		ruleCase{rule: "ANY-ASSIGN-GROUP-001", source: "app_group_assignments/list_app_groups.json, app and group imported",
			subject: groupAssignment(func() *snap {
				return newSnap().set(inventory.KindApplication, "0oa1app", a.NativeImport, "OKTA-APP-OIDC-001").
					set(inventory.KindGroup, "00g15acRUy0SYb9GT0g4", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.NativeImport},
		ruleCase{rule: "ANY-ASSIGN-DEP-001", source: "app_group_assignments/list_app_groups.json whose app is a SAML app",
			subject: groupAssignment(func() *snap {
				return newSnap().set(inventory.KindApplication, "0oa1app", a.ManualRebuildRequired, "ANY-APP-SAML-001").
					set(inventory.KindGroup, "00g15acRUy0SYb9GT0g4", a.NativeImport, "ANY-GROUP-TENANT-001")
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-ASSIGN-DEP-001", source: "app_group_assignments/list_app_groups.json whose group is not in the snapshot",
			subject: groupAssignment(func() *snap {
				return newSnap().set(inventory.KindApplication, "0oa1app", a.NativeImport, "OKTA-APP-OIDC-001")
			}), decides: true, class: a.Blocked},
		ruleCase{rule: "ANY-ASSIGN-USER-001", source: "app_user_assignments/list_app_users.json (scope USER)",
			subject: userAssignment(nil), decides: true, class: a.Blocked},
		ruleCase{rule: "OKTA-ASSIGN-INHERITED-001", source: "app_user_assignments/list_app_users.json with scope GROUP (no published example)",
			subject: userAssignment(func(m map[string]any) { m["scope"] = "GROUP" }), decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-ASSIGN-FALLBACK-001", source: "app_user_assignments/list_app_users.json without a scope (direct or inherited unknown)",
			subject: func(t *testing.T) *a.Subject {
				s := userAssignment(nil)(t)
				v := *s.View.Assignment
				v.Direct = inventory.Unknown
				s.View.Assignment = &v
				return s
			}, decides: true, class: a.ManualRebuildRequired},
	)

	// Domains.
	add(
		ruleCase{rule: "OKTA-DOMAIN-SIGNIN-001", source: "domains/get_domain.json",
			subject: func(t *testing.T) *a.Subject {
				it, err := okta.NormalizeDomain(oktaRaw(t, "domains/get_domain.json", 0))
				return subject(t, it, err, a.VendorOkta, nil)
			}, decides: true, class: a.VisibilityOnly},
		ruleCase{rule: "ANY-DOMAIN-UNVERIFIED-001", source: "domains/get_domain.json not yet verified (validationStatus IN_PROGRESS)",
			subject: func(t *testing.T) *a.Subject {
				it, err := okta.NormalizeDomain(patched(t, oktaRaw(t, "domains/get_domain.json", 0), func(m map[string]any) {
					m["validationStatus"] = "IN_PROGRESS"
				}))
				return subject(t, it, err, a.VendorOkta, nil)
			}, decides: true, class: a.VisibilityOnly},
	)
	return cs
}

func vendorFile(t *testing.T, dir, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, path))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestOktaRulesOnVendorPayloads(t *testing.T) { runCases(t, oktaCases()) }
