package okta

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/inventory"
)

// The normalizers read the vendor's bytes with their own small structs
// rather than the SDK's: they keep exactly the fields later stages need, and
// one odd field elsewhere in a payload cannot fail an item. Item.Raw is the
// element exactly as the org sent it.

var errNoID = errors.New("payload has no id")

type oktaApp struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Label       string `json:"label"`
	Status      string `json:"status"`
	SignOnMode  string `json:"signOnMode"`
	Credentials struct {
		Signing struct {
			Kid string `json:"kid"`
		} `json:"signing"`
		OAuthClient struct {
			ClientID                string `json:"client_id"`
			TokenEndpointAuthMethod string `json:"token_endpoint_auth_method"`
		} `json:"oauthClient"`
	} `json:"credentials"`
	Settings struct {
		App    map[string]any `json:"app"`
		SignOn struct {
			SsoAcsURL             string `json:"ssoAcsUrl"`
			Audience              string `json:"audience"`
			Recipient             string `json:"recipient"`
			Destination           string `json:"destination"`
			SubjectNameIDFormat   string `json:"subjectNameIdFormat"`
			SubjectNameIDTemplate string `json:"subjectNameIdTemplate"`
			AttributeStatements   []struct {
				Type      string   `json:"type"`
				Name      string   `json:"name"`
				Namespace string   `json:"namespace"`
				Values    []string `json:"values"`
			} `json:"attributeStatements"`
		} `json:"signOn"`
		OAuthClient struct {
			ApplicationType        string   `json:"application_type"`
			GrantTypes             []string `json:"grant_types"`
			ResponseTypes          []string `json:"response_types"`
			RedirectURIs           []string `json:"redirect_uris"`
			PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris"`
		} `json:"oauthClient"`
	} `json:"settings"`
}

// NormalizeApp turns one application payload into an application item.
// Attributes: name, status, sign_on_mode, and per mode: SAML (acs_url,
// audience, recipient, destination, name_id_format, attribute_statements,
// signing_kid), OIDC (client_id, application_type, grant_types,
// response_types, redirect_uris, post_logout_redirect_uris,
// token_endpoint_auth_method), or the app settings (settings_app).
func NormalizeApp(raw json.RawMessage) (inventory.Item, error) {
	var a oktaApp
	if err := json.Unmarshal(raw, &a); err != nil {
		return inventory.Item{}, fmt.Errorf("okta application: %w", err)
	}
	if a.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta application: %w", errNoID)
	}
	attrs := map[string]any{"name": a.Name, "status": a.Status, "sign_on_mode": a.SignOnMode}
	s := a.Settings
	switch a.SignOnMode {
	case "SAML_2_0", "SAML_1_1":
		statements := make([]map[string]any, 0, len(s.SignOn.AttributeStatements))
		for _, st := range s.SignOn.AttributeStatements {
			statements = append(statements, map[string]any{"type": st.Type, "name": st.Name, "namespace": st.Namespace, "values": nonNil(st.Values)})
		}
		attrs["acs_url"] = s.SignOn.SsoAcsURL
		attrs["audience"] = s.SignOn.Audience
		attrs["recipient"] = s.SignOn.Recipient
		attrs["destination"] = s.SignOn.Destination
		attrs["name_id_format"] = s.SignOn.SubjectNameIDFormat
		attrs["name_id_template"] = s.SignOn.SubjectNameIDTemplate
		attrs["attribute_statements"] = statements
		attrs["signing_kid"] = a.Credentials.Signing.Kid
	case "OPENID_CONNECT":
		attrs["client_id"] = a.Credentials.OAuthClient.ClientID
		attrs["token_endpoint_auth_method"] = a.Credentials.OAuthClient.TokenEndpointAuthMethod
		attrs["application_type"] = s.OAuthClient.ApplicationType
		attrs["grant_types"] = nonNil(s.OAuthClient.GrantTypes)
		attrs["response_types"] = nonNil(s.OAuthClient.ResponseTypes)
		attrs["redirect_uris"] = nonNil(s.OAuthClient.RedirectURIs)
		attrs["post_logout_redirect_uris"] = nonNil(s.OAuthClient.PostLogoutRedirectURIs)
	default:
		if len(s.App) > 0 {
			attrs["settings_app"] = s.App
		}
	}
	return inventory.Item{
		SourceID: a.ID, Kind: inventory.KindApplication, Subtype: a.SignOnMode,
		DisplayName: firstNonEmpty(a.Label, a.Name, a.ID), Attributes: attrs, Raw: raw,
	}, nil
}

// NormalizeGroup turns one group payload into a group item (subtype
// OKTA_GROUP, APP_GROUP or BUILT_IN).
func NormalizeGroup(raw json.RawMessage) (inventory.Item, error) {
	var g struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Profile struct {
			Name        string `json:"name"`
			Description string `json:"description"`
		} `json:"profile"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		return inventory.Item{}, fmt.Errorf("okta group: %w", err)
	}
	if g.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta group: %w", errNoID)
	}
	return inventory.Item{
		SourceID: g.ID, Kind: inventory.KindGroup, Subtype: g.Type,
		DisplayName: firstNonEmpty(g.Profile.Name, g.ID),
		Attributes:  map[string]any{"name": g.Profile.Name, "description": g.Profile.Description, "type": g.Type},
		Raw:         raw,
	}, nil
}

// SigningKey is a certificate parsed from a JSON Web Key's x5c.
type SigningKey struct {
	Kid               string    `json:"kid"`
	CertificatePEM    string    `json:"certificate_pem"`
	SHA256Fingerprint string    `json:"sha256_fingerprint"`
	Subject           string    `json:"subject"`
	NotBefore         time.Time `json:"not_before"`
	NotAfter          time.Time `json:"not_after"`
	Expired           bool      `json:"expired"`
	// Error says why the certificate could not be read; the key is kept.
	Error string `json:"error,omitempty"`
}

// ParseSigningKey reads one JWK payload (Okta's x5c is base64 DER). A bad
// certificate yields a key with Error set, never a failure: a garbage cert is
// an inventory finding, not a reason to lose the provider.
func ParseSigningKey(raw json.RawMessage, now time.Time) (SigningKey, error) {
	var k struct {
		Kid string   `json:"kid"`
		X5c []string `json:"x5c"`
	}
	if err := json.Unmarshal(raw, &k); err != nil {
		return SigningKey{}, fmt.Errorf("okta signing key: %w", err)
	}
	key := SigningKey{Kid: k.Kid}
	if len(k.X5c) == 0 {
		key.Error = "no x5c certificate"
		return key, nil
	}
	der, err := base64.StdEncoding.DecodeString(k.X5c[0])
	if err != nil {
		key.Error = "x5c is not base64: " + err.Error()
		return key, nil
	}
	sum := sha256.Sum256(der)
	key.SHA256Fingerprint = strings.ToUpper(hex.EncodeToString(sum[:]))
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		key.Error = "x5c is not an X.509 certificate: " + err.Error()
		return key, nil
	}
	key.CertificatePEM = "-----BEGIN CERTIFICATE-----\n" + wrap64(k.X5c[0]) + "-----END CERTIFICATE-----\n"
	key.Subject = cert.Subject.String()
	key.NotBefore, key.NotAfter = cert.NotBefore.UTC(), cert.NotAfter.UTC()
	key.Expired = now.After(cert.NotAfter)
	return key, nil
}

func wrap64(s string) string {
	var b strings.Builder
	for len(s) > 64 {
		b.WriteString(s[:64] + "\n")
		s = s[64:]
	}
	if s != "" {
		b.WriteString(s + "\n")
	}
	return b.String()
}

// NormalizeIdP turns one identity provider payload into a provider item
// (subtype SAML2, OIDC, GOOGLE, ...). keys are the org's IdP keys by kid: the
// trust key's certificate becomes signing_certificate.
func NormalizeIdP(raw json.RawMessage, keys map[string]SigningKey) (inventory.Item, error) {
	var p struct {
		ID         string `json:"id"`
		Type       string `json:"type"`
		Name       string `json:"name"`
		Status     string `json:"status"`
		IssuerMode string `json:"issuerMode"`
		Protocol   struct {
			Type      string `json:"type"`
			Endpoints struct {
				SSO struct {
					URL     string `json:"url"`
					Binding string `json:"binding"`
				} `json:"sso"`
				Authorization struct {
					URL string `json:"url"`
				} `json:"authorization"`
				Token struct {
					URL string `json:"url"`
				} `json:"token"`
			} `json:"endpoints"`
			Credentials struct {
				Trust struct {
					Issuer   string `json:"issuer"`
					Audience string `json:"audience"`
					Kid      string `json:"kid"`
				} `json:"trust"`
				Client struct {
					ClientID string `json:"client_id"`
				} `json:"client"`
			} `json:"credentials"`
			Issuer struct {
				URL string `json:"url"`
			} `json:"issuer"`
			Scopes []string `json:"scopes"`
		} `json:"protocol"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return inventory.Item{}, fmt.Errorf("okta identity provider: %w", err)
	}
	if p.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta identity provider: %w", errNoID)
	}
	pr := p.Protocol
	attrs := map[string]any{
		"name": p.Name, "status": p.Status, "type": p.Type, "protocol": pr.Type, "issuer_mode": p.IssuerMode,
	}
	switch pr.Type {
	case "SAML2":
		attrs["entity_id"] = pr.Credentials.Trust.Issuer
		attrs["audience"] = pr.Credentials.Trust.Audience
		attrs["sso_url"] = pr.Endpoints.SSO.URL
		attrs["sso_binding"] = pr.Endpoints.SSO.Binding
	default:
		attrs["issuer_url"] = pr.Issuer.URL
		attrs["authorization_url"] = pr.Endpoints.Authorization.URL
		attrs["token_url"] = pr.Endpoints.Token.URL
		attrs["client_id"] = pr.Credentials.Client.ClientID
		attrs["scopes"] = nonNil(pr.Scopes)
	}
	if kid := pr.Credentials.Trust.Kid; kid != "" {
		attrs["signing_kid"] = kid
		if k, ok := keys[kid]; ok {
			attrs["signing_certificate"] = k
			attrs["signing_certificate_expired"] = k.Expired
		}
	}
	return inventory.Item{
		SourceID: p.ID, Kind: inventory.KindProvider, Subtype: p.Type,
		DisplayName: firstNonEmpty(p.Name, p.ID), Attributes: attrs, Raw: raw,
	}, nil
}

type oktaRule struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
	Priority   int    `json:"priority"`
	System     bool   `json:"system"`
	Type       string `json:"type"`
	Conditions struct {
		UserIdentifier *struct {
			Type      string `json:"type"`
			Attribute string `json:"attribute"`
			Patterns  []struct {
				MatchType string `json:"matchType"`
				Value     string `json:"value"`
			} `json:"patterns"`
		} `json:"userIdentifier"`
		Network *struct {
			Connection string `json:"connection"`
		} `json:"network"`
		App *struct {
			Include []json.RawMessage `json:"include"`
		} `json:"app"`
		People *struct {
			Groups *struct {
				Include []string `json:"include"`
				Exclude []string `json:"exclude"`
			} `json:"groups"`
		} `json:"people"`
	} `json:"conditions"`
	Actions struct {
		IdP *struct {
			Providers []struct {
				Type string `json:"type"`
				ID   string `json:"id"`
			} `json:"providers"`
			SelectionType string `json:"idpSelectionType"`
		} `json:"idp"`
	} `json:"actions"`
}

// NormalizeRoutingRule turns one IDP_DISCOVERY rule of policyID into a
// routing_rule item. Attributes: priority, status, identifier_type,
// patterns (match_type SUFFIX, EQUALS, STARTS_WITH, CONTAINS or
// EXPRESSION — a regex — with value), domains (the SUFFIX values),
// providers, selection_type, network.
func NormalizeRoutingRule(raw json.RawMessage, policyID string) (inventory.Item, error) {
	var r oktaRule
	if err := json.Unmarshal(raw, &r); err != nil {
		return inventory.Item{}, fmt.Errorf("okta routing rule: %w", err)
	}
	if r.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta routing rule: %w", errNoID)
	}
	attrs := map[string]any{"name": r.Name, "priority": r.Priority, "status": r.Status, "system": r.System}
	patterns := []map[string]any{}
	domains := []string{}
	if ui := r.Conditions.UserIdentifier; ui != nil {
		attrs["identifier_type"] = ui.Type
		if ui.Attribute != "" {
			attrs["identifier_attribute"] = ui.Attribute
		}
		for _, p := range ui.Patterns {
			patterns = append(patterns, map[string]any{"match_type": p.MatchType, "value": p.Value})
			if p.MatchType == "SUFFIX" {
				domains = append(domains, strings.TrimPrefix(p.Value, "@"))
			}
		}
	}
	attrs["patterns"] = patterns
	attrs["domains"] = domains
	if n := r.Conditions.Network; n != nil {
		attrs["network"] = n.Connection
	}
	refs := []inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}
	providers := []map[string]any{}
	if idp := r.Actions.IdP; idp != nil {
		attrs["selection_type"] = idp.SelectionType
		for _, p := range idp.Providers {
			providers = append(providers, map[string]any{"type": p.Type, "id": p.ID})
			if p.ID != "" {
				refs = append(refs, inventory.Ref{Role: "provider", Kind: inventory.KindProvider, SourceID: p.ID})
			}
		}
	}
	attrs["providers"] = providers
	return inventory.Item{
		SourceID: r.ID, Kind: inventory.KindRoutingRule, Subtype: "IDP_DISCOVERY",
		DisplayName: firstNonEmpty(r.Name, r.ID), Attributes: attrs, Refs: refs, Raw: raw,
	}, nil
}

// NormalizePolicy turns one policy payload (OKTA_SIGN_ON, ACCESS_POLICY or
// IDP_DISCOVERY) into a policy item whose subtype is the policy type.
func NormalizePolicy(raw json.RawMessage) (inventory.Item, error) {
	var p struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Name     string `json:"name"`
		Status   string `json:"status"`
		Priority int    `json:"priority"`
		System   bool   `json:"system"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return inventory.Item{}, fmt.Errorf("okta policy: %w", err)
	}
	if p.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta policy: %w", errNoID)
	}
	return inventory.Item{
		SourceID: p.ID, Kind: inventory.KindPolicy, Subtype: p.Type,
		DisplayName: firstNonEmpty(p.Name, p.ID),
		Attributes:  map[string]any{"name": p.Name, "status": p.Status, "priority": p.Priority, "system": p.System, "type": p.Type},
		Raw:         raw,
	}, nil
}

// NormalizePolicyRule turns one rule of an OKTA_SIGN_ON or ACCESS_POLICY
// policy into a policy item with subtype "<policy type>_RULE" and a ref to
// its policy.
func NormalizePolicyRule(raw json.RawMessage, policyID, policyType string) (inventory.Item, error) {
	var r oktaRule
	if err := json.Unmarshal(raw, &r); err != nil {
		return inventory.Item{}, fmt.Errorf("okta policy rule: %w", err)
	}
	if r.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta policy rule: %w", errNoID)
	}
	attrs := map[string]any{"name": r.Name, "priority": r.Priority, "status": r.Status, "system": r.System, "rule_type": r.Type, "policy_id": policyID}
	refs := []inventory.Ref{{Role: "policy", Kind: inventory.KindPolicy, SourceID: policyID}}
	if n := r.Conditions.Network; n != nil {
		attrs["network"] = n.Connection
	}
	if pg := r.Conditions.People; pg != nil && pg.Groups != nil {
		attrs["groups_include"] = nonNil(pg.Groups.Include)
		attrs["groups_exclude"] = nonNil(pg.Groups.Exclude)
		for _, g := range pg.Groups.Include {
			refs = append(refs, inventory.Ref{Role: "group", Kind: inventory.KindGroup, SourceID: g})
		}
	}
	return inventory.Item{
		SourceID: r.ID, Kind: inventory.KindPolicy, Subtype: policyType + "_RULE",
		DisplayName: firstNonEmpty(r.Name, r.ID), Attributes: attrs, Refs: refs, Raw: raw,
	}, nil
}

// NormalizeDomain turns one custom domain payload into a domain item.
func NormalizeDomain(raw json.RawMessage) (inventory.Item, error) {
	var d struct {
		ID                    string `json:"id"`
		Domain                string `json:"domain"`
		ValidationStatus      string `json:"validationStatus"`
		CertificateSourceType string `json:"certificateSourceType"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return inventory.Item{}, fmt.Errorf("okta domain: %w", err)
	}
	if d.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta domain: %w", errNoID)
	}
	return inventory.Item{
		SourceID: d.ID, Kind: inventory.KindDomain, Subtype: "custom_domain",
		DisplayName: firstNonEmpty(d.Domain, d.ID),
		Attributes:  map[string]any{"domain": d.Domain, "validation_status": d.ValidationStatus, "certificate_source_type": d.CertificateSourceType},
		Raw:         raw,
	}, nil
}

// NormalizeAppGroup turns one app-group assignment of appID into an
// assignment item (subtype group, source id "<app>/<group>").
func NormalizeAppGroup(raw json.RawMessage, appID string) (inventory.Item, error) {
	var a struct {
		ID       string `json:"id"`
		Priority int    `json:"priority"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return inventory.Item{}, fmt.Errorf("okta app group assignment: %w", err)
	}
	if a.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta app group assignment: %w", errNoID)
	}
	return inventory.Item{
		SourceID: appID + "/" + a.ID, Kind: inventory.KindAssignment, Subtype: "group",
		DisplayName: appID + " ← group " + a.ID,
		Attributes:  map[string]any{"app_id": appID, "group_id": a.ID, "priority": a.Priority},
		Refs: []inventory.Ref{
			{Role: "app", Kind: inventory.KindApplication, SourceID: appID},
			{Role: "group", Kind: inventory.KindGroup, SourceID: a.ID},
		},
		Raw: raw,
	}, nil
}

// NormalizeAppUser turns one app-user assignment of appID into an
// assignment item (subtype user). scope USER is a direct assignment; GROUP
// means the user came through a group.
func NormalizeAppUser(raw json.RawMessage, appID string) (inventory.Item, error) {
	var u struct {
		ID          string `json:"id"`
		Scope       string `json:"scope"`
		Status      string `json:"status"`
		SyncState   string `json:"syncState"`
		Credentials struct {
			UserName string `json:"userName"`
		} `json:"credentials"`
	}
	if err := json.Unmarshal(raw, &u); err != nil {
		return inventory.Item{}, fmt.Errorf("okta app user assignment: %w", err)
	}
	if u.ID == "" {
		return inventory.Item{}, fmt.Errorf("okta app user assignment: %w", errNoID)
	}
	return inventory.Item{
		SourceID: appID + "/" + u.ID, Kind: inventory.KindAssignment, Subtype: "user",
		DisplayName: appID + " ← user " + firstNonEmpty(u.Credentials.UserName, u.ID),
		Attributes: map[string]any{
			"app_id": appID, "user_id": u.ID, "user_name": u.Credentials.UserName,
			"scope": u.Scope, "direct": u.Scope == "USER", "status": u.Status, "sync_state": u.SyncState,
		},
		Refs: []inventory.Ref{{Role: "app", Kind: inventory.KindApplication, SourceID: appID}},
		Raw:  raw,
	}, nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
