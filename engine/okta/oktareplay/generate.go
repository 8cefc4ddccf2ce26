package oktareplay

import (
	"crypto/ed25519"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/portal-id/migration-console/engine/demoteams"
)

// Spec sizes a synthetic org.
type Spec struct {
	Apps, Groups, IdPs        int
	GroupsPerApp, UsersPerApp int
	// Users are synthetic member users, each in GroupsPerUser groups and in
	// Everyone; Teams are named groups with the people in them.
	Users, GroupsPerUser int
	Teams                []demoteams.Team
	Seed                 uint64
	// EmailDomain is the users' and routing rules' domain (default
	// example-corp.com).
	EmailDomain string
}

// DemoSpec is the bundled demo org (assets/demo/okta).
var DemoSpec = Spec{Apps: 56, Groups: 120, IdPs: 6, GroupsPerApp: 3, UsersPerApp: 4, Users: 120, GroupsPerUser: 2, Teams: demoteams.Teams, Seed: 2026}

// Generate builds a synthetic org in the shapes of Okta's payloads: apps of
// every common sign-on mode (custom and catalogue SAML apps, web and
// single-page OIDC clients), the cases of generate_cases.go,
// OKTA_GROUP/APP_GROUP/BUILT_IN groups and group rules, SAML2, OIDC and
// social IdPs with signing certificates (the first SAML2 one expired),
// IdP-discovery rules (domain suffixes, one regex, one dynamic, one limited
// to a zone and an app), sign-on, access, password, authenticator-enrolment
// and profile-enrolment policies with rules, domains, group and user
// assignments (some direct), and group members (see members). The same
// Spec always yields the same bytes. It
// always includes the group "Engineering", the app "Expense Portal" and the
// two groups a SCIM-provisioned target reserves for itself ("Everyone",
// "Admin Center Administrators"), which provisioning must not overwrite.
func Generate(s Spec) *Org {
	if s.EmailDomain == "" {
		s.EmailDomain = "example-corp.com"
	}
	r := rand.New(rand.NewPCG(s.Seed, 0x6f6b7461))
	o := NewOrg()
	created := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
	ts := created.Format("2006-01-02T15:04:05.000Z")
	id := func(prefix string, i int) string { return fmt.Sprintf("%s%017d", prefix, i) }

	groupIDs := make([]string, 0, s.Groups)
	groupNames := make([]string, 0, s.Groups)
	for i := range s.Groups {
		gid := id("00g", i)
		groupIDs = append(groupIDs, gid)
		name, typ := fmt.Sprintf("%s %d", groupWords[r.IntN(len(groupWords))], i), "OKTA_GROUP"
		switch {
		case i == 0:
			name, typ = "Everyone", "BUILT_IN"
		case i == 1:
			name = "Admin Center Administrators"
		case i == 2:
			name = "Engineering"
		case i%9 == 4:
			typ = "APP_GROUP"
		}
		g := map[string]any{
			"id": gid, "created": ts, "lastUpdated": ts, "lastMembershipUpdated": ts,
			"objectClass": []string{"okta:user_group"}, "type": typ,
			"profile": map[string]any{"name": name, "description": name + " members"},
			"_links":  map[string]any{"self": map[string]any{"href": "/api/v1/groups/" + gid}},
		}
		if typ == "APP_GROUP" {
			// Imported from Active Directory, as in Okta's list-groups
			// example.
			g["objectClass"] = []string{"okta:windows_security_principal"}
			g["profile"] = map[string]any{"name": name, "description": name + " members", "groupType": "Security",
				"samAccountName": name, "groupScope": "Global", "windowsDomainQualifiedName": `CORP\` + name,
				"dn": "CN=" + name + ",OU=Groups,DC=corp,DC=example-corp,DC=com"}
			g["_links"] = map[string]any{"self": map[string]any{"href": "/api/v1/groups/" + gid},
				"source": map[string]any{"href": "/api/v1/apps/" + directoryAppID}}
		}
		o.Groups = append(o.Groups, element(g))
		groupNames = append(groupNames, name)
	}

	appKid := "app-signing-key-1"
	o.AppKeys = map[string][]json.RawMessage{}
	appKey := jwk(appKid, certificate(s.Seed, "app signing", created, created.AddDate(10, 0, 0)))
	for i := range s.Apps {
		aid := id("0oa", i)
		mode := appModes[i%len(appModes)]
		label := fmt.Sprintf("%s %d", appWords[r.IntN(len(appWords))], i)
		if i == 0 {
			label, mode = "Expense Portal", "SAML_2_0"
		}
		app := map[string]any{
			"id": aid, "name": "examplecorp_" + slug(label) + "_1", "label": label, "status": "ACTIVE", "created": ts, "lastUpdated": ts,
			"signOnMode": mode, "features": []string{}, "visibility": map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}},
			"_links": map[string]any{"self": map[string]any{"href": "/api/v1/apps/" + aid}},
		}
		host := fmt.Sprintf("https://app%d.%s", i, s.EmailDomain)
		switch mode {
		case "SAML_2_0":
			app["credentials"] = map[string]any{"signing": map[string]any{"kid": appKid}, "userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}}
			o.AppKeys[aid] = []json.RawMessage{appKey}
			if i%2 == 1 {
				// A catalogue (OIN) app: Okta returns only its override
				// fields and an empty statement list.
				oin := oinApps[(i/2)%len(oinApps)]
				app["name"] = oin
				app["settings"] = map[string]any{"app": map[string]any{"siteURL": host}, "signOn": map[string]any{
					"defaultRelayState": nil, "ssoAcsUrlOverride": nil, "audienceOverride": nil, "recipientOverride": nil,
					"destinationOverride": nil, "attributeStatements": []any{}}}
				break
			}
			app["settings"] = map[string]any{"app": map[string]any{}, "signOn": map[string]any{
				"ssoAcsUrl": host + "/saml/acs", "audience": host + "/saml/metadata", "recipient": host + "/saml/acs", "destination": host + "/saml/acs",
				"subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress", "subjectNameIdTemplate": "${user.userName}",
				"signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256",
				"responseSigned": true, "assertionSigned": true, "honorForceAuthn": false, "samlSignedRequestEnabled": false,
				"slo": map[string]any{"enabled": false},
				"attributeStatements": []map[string]any{
					{"type": "EXPRESSION", "name": "email", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified", "values": []string{"user.email"}},
					{"type": "EXPRESSION", "name": "department", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:basic", "values": []string{`String.toUpperCase(user.department)`}},
				},
			}}
		case "OPENID_CONNECT":
			app["name"] = "oidc_client"
			// Okta returns a web app's client secret in plain text.
			app["credentials"] = map[string]any{"oauthClient": map[string]any{"client_id": "0oaclient" + aid[3:], "autoKeyRotation": true,
				"token_endpoint_auth_method": "client_secret_basic", "client_secret": "fake-app-client-secret-" + aid}}
			oauth := map[string]any{
				"redirect_uris": []string{host + "/oauth/callback"}, "post_logout_redirect_uris": []string{host + "/"},
				"response_types": []string{"code"}, "grant_types": []string{"authorization_code", "refresh_token"}, "application_type": "web",
				"issuer_mode": "ORG_URL", "consent_method": "TRUSTED", "wildcard_redirect": "DISABLED",
				"refresh_token": map[string]any{"rotation_type": "ROTATE", "leeway": 30},
			}
			if i%2 == 0 {
				// A single-page app: a public client with PKCE.
				app["credentials"] = map[string]any{"oauthClient": map[string]any{"client_id": "0oaclient" + aid[3:], "autoKeyRotation": true,
					"token_endpoint_auth_method": "none", "pkce_required": true}}
				oauth["application_type"] = "browser"
			}
			app["settings"] = map[string]any{"app": map[string]any{}, "oauthClient": oauth}
		case "BOOKMARK":
			app["name"] = "bookmark"
			app["settings"] = map[string]any{"app": map[string]any{"requestIntegration": false, "url": host + "/"}}
		case "AUTO_LOGIN":
			app["settings"] = map[string]any{"app": map[string]any{}, "signOn": map[string]any{"loginUrl": host + "/login", "redirectUrl": host + "/"}}
		case "BROWSER_PLUGIN":
			app["name"] = "template_swa"
			app["settings"] = map[string]any{"app": map[string]any{"buttonField": "btn-login", "passwordField": "#password", "usernameField": "#username", "url": host + "/login"}}
		}
		o.Apps = append(o.Apps, element(app))
		// Ids already assigned to this app: a set, since a synthetic
		// tenant may give each app hundreds.
		assigned := map[string]bool{}
		for g := 0; g < s.GroupsPerApp && len(groupIDs) > 0; g++ {
			gid := groupIDs[(i*s.GroupsPerApp+g)%len(groupIDs)]
			if g == 0 && i == 0 {
				gid = groupIDs[min(2, len(groupIDs)-1)] // Expense Portal ← Engineering
			}
			if assigned[gid] {
				continue
			}
			assigned[gid] = true
			o.AppGroups[aid] = append(o.AppGroups[aid], element(map[string]any{
				"id": gid, "lastUpdated": ts, "priority": g, "profile": map[string]any{},
				"_links": map[string]any{"app": map[string]any{"href": "/api/v1/apps/" + aid}, "group": map[string]any{"href": "/api/v1/groups/" + gid}},
			}))
		}
		for u := range s.UsersPerApp {
			uid := id("00u", (i*s.UsersPerApp+u)%max(1, s.Apps*s.UsersPerApp/2+1))
			if assigned[uid] {
				continue
			}
			assigned[uid] = true
			scope := "GROUP"
			if u%3 == 0 {
				scope = "USER" // a direct assignment
			}
			o.AppUsers[aid] = append(o.AppUsers[aid], element(map[string]any{
				"id": uid, "externalId": nil, "created": ts, "lastUpdated": ts, "scope": scope, "status": "ACTIVE",
				"statusChanged": ts, "passwordChanged": nil, "syncState": "DISABLED",
				"credentials": map[string]any{"userName": fmt.Sprintf("user%d@%s", (i*s.UsersPerApp+u)%max(1, s.Apps*s.UsersPerApp/2+1), s.EmailDomain)},
				"profile":     map[string]any{},
				"_links":      map[string]any{"app": map[string]any{"href": "/api/v1/apps/" + aid}, "user": map[string]any{"href": "/api/v1/users/" + uid}},
			}))
		}
	}

	o.Apps = append(o.Apps, specialApps(s, ts, appKid)...)
	for _, a := range o.Apps[len(o.Apps)-len(specialAppIDs):] {
		if field(a, "signOnMode") == "SAML_2_0" {
			o.AppKeys[idOf(a)] = []json.RawMessage{appKey}
		}
	}

	var samlIdPs []string
	for i := range s.IdPs {
		pid := id("0oi", i)
		typ := idpTypes[i%len(idpTypes)]
		idp := map[string]any{
			"id": pid, "type": typ, "name": fmt.Sprintf("%s partner %d", typ, i), "status": "ACTIVE", "created": ts, "lastUpdated": ts,
			"issuerMode": "ORG_URL",
			"policy":     map[string]any{"provisioning": map[string]any{"action": "AUTO"}, "subject": map[string]any{"matchType": "USERNAME"}},
			"_links":     map[string]any{"metadata": map[string]any{"href": "/api/v1/idps/" + pid + "/metadata.xml"}},
		}
		switch typ {
		case "SAML2":
			kid := "idp-key-" + pid
			notAfter := created.AddDate(10, 0, 0)
			if len(samlIdPs) == 0 {
				notAfter = created.AddDate(1, 0, 0) // the awkward case: an expired signing certificate
			}
			o.IdPKeys = append(o.IdPKeys, jwk(kid, certificate(s.Seed+uint64(i)+1, "idp "+pid, created, notAfter)))
			entity := fmt.Sprintf("https://idp%d.partner.example/saml", i)
			idp["protocol"] = map[string]any{"type": "SAML2",
				"endpoints": map[string]any{"sso": map[string]any{"url": entity + "/sso", "binding": "HTTP-POST", "destination": entity + "/sso"},
					"acs": map[string]any{"binding": "HTTP-POST", "type": "INSTANCE"}},
				"algorithms":  map[string]any{"request": map[string]any{"signature": map[string]any{"algorithm": "SHA-256", "scope": "REQUEST"}}, "response": map[string]any{"signature": map[string]any{"algorithm": "SHA-256", "scope": "ANY"}}},
				"credentials": map[string]any{"trust": map[string]any{"issuer": entity, "audience": "https://www.okta.com/saml2/service-provider/sp" + pid, "kid": kid}},
			}
			samlIdPs = append(samlIdPs, pid)
		case "OIDC":
			iss := fmt.Sprintf("https://oidc%d.partner.example", i)
			idp["protocol"] = map[string]any{"type": "OIDC", "scopes": []string{"openid", "email", "profile"},
				"endpoints": map[string]any{"authorization": map[string]any{"url": iss + "/authorize", "binding": "HTTP-REDIRECT"}, "token": map[string]any{"url": iss + "/token", "binding": "HTTP-POST"}},
				"issuer":    map[string]any{"url": iss},
				// Okta returns an OIDC or social IdP's client secret in
				// plain text; the console must redact it.
				"credentials": map[string]any{"client": map[string]any{"client_id": "partner-client-" + pid, "client_secret": "fake-idp-client-secret-" + pid}},
			}
		default:
			idp["protocol"] = map[string]any{"type": "OAUTH2", "scopes": []string{"openid", "email"},
				"credentials": map[string]any{"client": map[string]any{"client_id": "social-client-" + pid, "client_secret": "fake-idp-client-secret-" + pid}}}
		}
		o.IdPs = append(o.IdPs, element(idp))
	}

	discovery := id("00p", 0)
	o.Policies = append(o.Policies, element(map[string]any{"id": discovery, "type": "IDP_DISCOVERY", "name": "Idp Discovery Policy", "status": "ACTIVE", "priority": 1, "system": true, "created": ts, "lastUpdated": ts}))
	for i, pid := range samlIdPs {
		o.Rules[discovery] = append(o.Rules[discovery], element(rule(id("0pr", i), fmt.Sprintf("Route partner %d", i), i+1, "IDP_DISCOVERY",
			map[string]any{"userIdentifier": map[string]any{"type": "IDENTIFIER", "patterns": []map[string]any{{"matchType": "SUFFIX", "value": fmt.Sprintf("partner%d.%s", i, s.EmailDomain)}}}},
			map[string]any{"idp": map[string]any{"providers": []map[string]any{{"type": "SAML2", "id": pid}}, "idpSelectionType": "SPECIFIC"}}, ts)))
	}
	if len(samlIdPs) > 0 {
		o.Rules[discovery] = append(o.Rules[discovery], element(rule(id("0pr", 900), "Route contractors by pattern", len(samlIdPs)+1, "IDP_DISCOVERY",
			map[string]any{"userIdentifier": map[string]any{"type": "IDENTIFIER", "patterns": []map[string]any{{"matchType": "EXPRESSION", "value": `^[a-z0-9._-]+\.contractor@` + regexpQuote(s.EmailDomain) + `$`}}}},
			map[string]any{"idp": map[string]any{"providers": []map[string]any{{"type": "SAML2", "id": samlIdPs[len(samlIdPs)-1]}}, "idpSelectionType": "SPECIFIC"}}, ts)))
	}
	// Dynamic routing by the user's domain, as in Okta's published
	// dynamic-routing rule, and a rule limited to a network zone and one
	// app.
	o.Rules[discovery] = append(o.Rules[discovery], element(rule(id("0pr", 901), "Route by domain name", len(samlIdPs)+2, "IDP_DISCOVERY",
		map[string]any{"network": map[string]any{"connection": "ANYWHERE"}},
		map[string]any{"idp": map[string]any{"providers": []any{}, "idpSelectionType": "DYNAMIC", "shouldFallBackToOkta": true,
			"matchCriteria": []map[string]any{{"providerExpression": "login.identifier.substringAfter('@')", "propertyName": "name"}}}}, ts)))
	if len(samlIdPs) > 0 && s.Apps > 0 {
		o.Rules[discovery] = append(o.Rules[discovery], element(rule(id("0pr", 902), "Office network, Expense Portal only", len(samlIdPs)+3, "IDP_DISCOVERY",
			map[string]any{
				"network":        map[string]any{"connection": "ZONE", "include": []string{"nzo00000000000000001"}},
				"app":            map[string]any{"include": []map[string]any{{"type": "APP", "id": id("0oa", 0)}}, "exclude": []any{}},
				"userIdentifier": map[string]any{"type": "ATTRIBUTE", "attribute": "department", "patterns": []map[string]any{{"matchType": "EQUALS", "value": "Finance"}}},
			},
			map[string]any{"idp": map[string]any{"providers": []map[string]any{{"type": "SAML2", "id": samlIdPs[0]}}, "idpSelectionType": "SPECIFIC"}}, ts)))
	}
	o.Rules[discovery] = append(o.Rules[discovery], element(rule(id("0pr", 999), "Default Rule", 99, "IDP_DISCOVERY",
		map[string]any{"network": map[string]any{"connection": "ANYWHERE"}},
		map[string]any{"idp": map[string]any{"providers": []map[string]any{{"type": "OKTA"}}}}, ts)))

	for j, pt := range []struct{ typ, name, ruleType string }{
		{"OKTA_SIGN_ON", "Default Policy", "SIGN_ON"},
		{"ACCESS_POLICY", "Default Access Policy", "ACCESS_POLICY"},
	} {
		pid := id("00p", j+1)
		o.Policies = append(o.Policies, element(map[string]any{"id": pid, "type": pt.typ, "name": pt.name, "status": "ACTIVE", "priority": 1, "system": true, "created": ts, "lastUpdated": ts}))
		for k := range 2 {
			cond := map[string]any{"network": map[string]any{"connection": "ANYWHERE"}}
			if k == 0 && len(groupIDs) > 2 {
				cond["people"] = map[string]any{"groups": map[string]any{"include": []string{groupIDs[2]}}}
			}
			o.Rules[pid] = append(o.Rules[pid], element(rule(id("0pr", 1000+10*j+k), fmt.Sprintf("%s rule %d", pt.name, k+1), k+1, pt.ruleType, cond,
				map[string]any{"signon": map[string]any{"access": "ALLOW", "requireFactor": k == 0}}, ts)))
		}
	}

	usersPolicies(o, groupIDs, ts)
	groupRules(o, groupIDs, ts)
	members(o, s, groupNames, ts)

	for i, d := range []string{"login." + s.EmailDomain, "id." + s.EmailDomain} {
		did := id("OcD", i)
		o.Domains = append(o.Domains, element(map[string]any{"id": did, "domain": d, "certificateSourceType": "MANUAL", "validationStatus": "VERIFIED",
			"_links": map[string]any{"self": map[string]any{"href": "/api/v1/domains/" + did}}}))
	}
	return o
}

var (
	oinApps    = []string{"salesforce", "box", "zendesk", "workday", "slack", "servicenow_ud"}
	appModes   = []string{"SAML_2_0", "OPENID_CONNECT", "BOOKMARK", "AUTO_LOGIN", "BROWSER_PLUGIN", "SAML_2_0", "OPENID_CONNECT"}
	idpTypes   = []string{"SAML2", "OIDC", "GOOGLE", "SAML2", "MICROSOFT", "FACEBOOK"}
	appWords   = []string{"Payroll", "Wiki", "Ticketing", "CRM", "Travel Desk", "Code Review", "Analytics", "Benefits", "Learning Hub", "Status Board", "Design Studio", "Vendor Portal"}
	groupWords = []string{"Sales", "Finance", "Support", "Marketing", "Legal", "Operations", "Contractors", "Managers", "Interns", "Security", "Data Team", "Field Staff"}
)

func rule(rid, name string, priority int, typ string, conditions, actions map[string]any, ts string) map[string]any {
	r := map[string]any{"id": rid, "status": "ACTIVE", "name": name, "priority": priority, "created": ts, "lastUpdated": ts,
		"system": false, "type": typ, "actions": actions}
	if conditions != nil {
		r["conditions"] = conditions
	}
	return r
}

func element(v map[string]any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("generated payload does not encode: %v", err)) // maps of plain values always encode
	}
	return b
}

func regexpQuote(s string) string {
	out := make([]byte, 0, len(s)+4)
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// certificate makes a deterministic self-signed Ed25519 certificate (the
// same seed gives the same DER).
func certificate(seed uint64, cn string, notBefore, notAfter time.Time) []byte {
	var keySeed [ed25519.SeedSize]byte
	for i := range 8 {
		keySeed[i] = byte(seed >> (8 * i))
	}
	priv := ed25519.NewKeyFromSeed(keySeed[:])
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetUint64(seed + 1),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Example Corp"}},
		NotBefore:    notBefore, NotAfter: notAfter,
	}
	der, err := x509.CreateCertificate(nil, tmpl, tmpl, priv.Public(), priv)
	if err != nil {
		panic(fmt.Sprintf("self-signed certificate: %v", err)) // fixed template and key: cannot fail
	}
	return der
}

func jwk(kid string, der []byte) json.RawMessage {
	return element(map[string]any{"kid": kid, "kty": "OKP", "use": "sig", "created": "2021-03-04T05:06:07.000Z",
		"x5c": []string{base64.StdEncoding.EncodeToString(der)}})
}
