package oktareplay

import (
	"encoding/json"
	"fmt"
	"strings"
)

// The cases below give a synthetic org the objects a migration engineer
// checks by hand, each in the shape of Okta's published payloads: a
// directory app that imports groups, WS-Federation, a shared-credential
// vault, an inactive SAML app with encrypted assertions and single logout,
// an implicit-grant client with a wildcard redirect, a private_key_jwt
// service app; group rules; and the policies users meet at their first
// sign-in (password, authenticator enrolment, profile enrolment).

// directoryAppID is the Active Directory integration APP_GROUP groups
// come from.
var directoryAppID = fmt.Sprintf("0oa%017d", 990_000)

// specialAppIDs are the ids specialApps uses, in order.
var specialAppIDs = func() []string {
	ids := []string{directoryAppID}
	for i := 1; i <= 5; i++ {
		ids = append(ids, fmt.Sprintf("0oa%017d", 990_000+i))
	}
	return ids
}()

func specialApps(s Spec, ts, signingKid string) []json.RawMessage {
	host := func(name string) string { return "https://" + name + "." + s.EmailDomain }
	base := func(i int, name, label, mode, status string) map[string]any {
		aid := specialAppIDs[i]
		a := map[string]any{"id": aid, "name": name, "label": label, "status": status, "created": ts, "lastUpdated": ts,
			"features": []string{}, "visibility": map[string]any{"autoSubmitToolbar": false, "hide": map[string]bool{"iOS": false, "web": false}},
			"_links": map[string]any{"self": map[string]any{"href": "/api/v1/apps/" + aid}}}
		if mode != "" {
			a["signOnMode"] = mode
		}
		return a
	}
	var out []json.RawMessage

	dir := base(0, "active_directory", s.EmailDomain+" (Active Directory)", "", "ACTIVE")
	dir["visibility"] = map[string]any{"hide": map[string]bool{"iOS": true, "web": true}}
	dir["settings"] = map[string]any{"app": map[string]any{"namingContext": "corp." + s.EmailDomain}}
	out = append(out, element(dir))

	wsfed := base(1, "template_wsfed", "Legacy Intranet", "WS_FEDERATION", "ACTIVE")
	wsfed["settings"] = map[string]any{"app": map[string]any{"groupFilter": nil, "siteURL": host("intranet"),
		"authnContextClassRef": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport", "groupName": nil,
		"wReplyOverride": false, "digestAlgorithm": "SHA256", "signatureAlgorithm": "RSA_SHA256", "audienceRestriction": host("intranet"),
		"groupValueFormat": "windowsDomainQualifiedName", "nameIDFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
		"realm": host("intranet"), "wReplyURL": host("intranet") + "/_trust/", "usernameAttribute": "username",
		"attributeStatements": "email|${user.email}|urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"}}
	out = append(out, element(wsfed))

	vault := base(2, "template_sps", "Shared Vault", "SECURE_PASSWORD_STORE", "ACTIVE")
	vault["credentials"] = map[string]any{"scheme": "SHARED_USERNAME_AND_PASSWORD", "userNameTemplate": map[string]any{"template": "${source.login}", "type": "BUILT_IN"}}
	vault["settings"] = map[string]any{"app": map[string]any{"url": host("vault") + "/login", "passwordField": "#pw", "usernameField": "#user"}}
	out = append(out, element(vault))

	old := base(3, fmt.Sprintf("examplecorp_%s_1", "oldtimesheets"), "Old Timesheets", "SAML_2_0", "INACTIVE")
	old["credentials"] = map[string]any{"signing": map[string]any{"kid": signingKid},
		"userNameTemplate": map[string]any{"template": "${fn:substringBefore(source.login, \"@\")}", "type": "CUSTOM"}}
	old["settings"] = map[string]any{"app": map[string]any{}, "signOn": map[string]any{
		"ssoAcsUrl": host("timesheets") + "/saml/acs", "audience": host("timesheets"), "recipient": host("timesheets") + "/saml/acs",
		"destination": host("timesheets") + "/saml/acs", "subjectNameIdFormat": "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
		"subjectNameIdTemplate": "${user.userName}", "responseSigned": true, "assertionSigned": true,
		"signatureAlgorithm": "RSA_SHA256", "digestAlgorithm": "SHA256", "defaultRelayState": "/home",
		"slo":                 map[string]any{"enabled": true, "issuer": host("timesheets"), "logoutUrl": host("timesheets") + "/saml/logout"},
		"assertionEncryption": map[string]any{"enabled": true, "encryptionAlgorithm": "AES256_GCM", "keyTransportAlgorithm": "RSA_OAEP"},
		"attributeStatements": []map[string]any{{"type": "GROUP", "name": "groups", "namespace": "urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified",
			"filterType": "STARTS_WITH", "filterValue": "Time"}},
	}}
	out = append(out, element(old))

	implicit := base(4, "oidc_client", "Partner Dashboard", "OPENID_CONNECT", "ACTIVE")
	implicit["credentials"] = map[string]any{"oauthClient": map[string]any{"client_id": "0oaclientpartnerdash", "autoKeyRotation": true,
		"token_endpoint_auth_method": "none"}}
	implicit["settings"] = map[string]any{"app": map[string]any{}, "oauthClient": map[string]any{
		"redirect_uris": []string{"https://*.partner.example/callback"}, "response_types": []string{"token", "id_token"},
		"grant_types": []string{"implicit"}, "application_type": "browser", "wildcard_redirect": "SUBDOMAIN", "issuer_mode": "DYNAMIC"}}
	out = append(out, element(implicit))

	svc := base(5, "oidc_client", "Build Server", "OPENID_CONNECT", "ACTIVE")
	svc["credentials"] = map[string]any{"oauthClient": map[string]any{"client_id": "0oaclientbuildserver", "autoKeyRotation": false,
		"token_endpoint_auth_method": "private_key_jwt"}}
	svc["settings"] = map[string]any{"app": map[string]any{}, "oauthClient": map[string]any{
		"response_types": []string{"token"}, "grant_types": []string{"client_credentials"}, "application_type": "service",
		"jwks": map[string]any{"keys": []map[string]any{{"kty": "RSA", "kid": "build-server-key-1", "use": "sig", "status": "ACTIVE",
			"e": "AQAB", "n": "test-only-modulus"}}}}}
	out = append(out, element(svc))
	return out
}

// groupRules writes group rules in the shape of the Groups API's GroupRule:
// users join Engineering and one more group by an expression.
func groupRules(o *Org, groupIDs []string, ts string) {
	targets := []struct {
		name, expr string
		group      int
	}{
		{"Engineering by department", `user.department=="Engineering"`, 2},
		{"Contractors by type", `user.userType=="Contractor" AND String.stringContains(user.email, "contractor")`, 5},
	}
	for i, t := range targets {
		if t.group >= len(groupIDs) {
			continue
		}
		o.GroupRules = append(o.GroupRules, element(map[string]any{
			"type": "group_rule", "id": fmt.Sprintf("0pr%017d", 5000+i), "status": "ACTIVE", "name": t.name,
			"created": ts, "lastUpdated": ts,
			"conditions": map[string]any{"people": map[string]any{"users": map[string]any{"exclude": []any{}}},
				"expression": map[string]any{"value": t.expr, "type": "urn:okta:expression:1.0"}},
			"actions": map[string]any{"assignUserToGroups": map[string]any{"groupIds": []string{groupIDs[t.group]}}},
		}))
	}
}

// usersPolicies writes the password, authenticator-enrolment and
// profile-enrolment policies with their rules, their settings and actions
// in the shapes of the Policy API reference's examples.
func usersPolicies(o *Org, groupIDs []string, ts string) {
	everyone := []string{}
	if len(groupIDs) > 0 {
		everyone = []string{groupIDs[0]}
	}
	add := func(n int, typ, name string, system bool, conditions, settings map[string]any, rules ...map[string]any) {
		pid := fmt.Sprintf("00p%017d", 100+n)
		p := map[string]any{"id": pid, "type": typ, "name": name, "status": "ACTIVE", "priority": 1, "system": system,
			"description": name, "created": ts, "lastUpdated": ts}
		if conditions != nil {
			p["conditions"] = conditions
		}
		if settings != nil {
			p["settings"] = settings
		}
		o.Policies = append(o.Policies, element(p))
		for _, r := range rules {
			o.Rules[pid] = append(o.Rules[pid], element(r))
		}
	}
	anyone := map[string]any{"people": map[string]any{"users": map[string]any{"exclude": []any{}}}, "network": map[string]any{"connection": "ANYWHERE"}}

	add(0, "PASSWORD", "Default Policy", true,
		map[string]any{"people": map[string]any{"groups": map[string]any{"include": everyone}}, "authProvider": map[string]any{"provider": "OKTA"}},
		map[string]any{
			"password": map[string]any{
				"complexity": map[string]any{"minLength": 12, "minLowerCase": 1, "minUpperCase": 1, "minNumber": 1, "minSymbol": 1,
					"excludeUsername": true, "dictionary": map[string]any{"common": map[string]any{"exclude": true}}, "excludeAttributes": []string{"firstName", "lastName"}},
				"age":     map[string]any{"maxAgeDays": 90, "expireWarnDays": 14, "minAgeMinutes": 0, "historyCount": 5},
				"lockout": map[string]any{"maxAttempts": 10, "autoUnlockMinutes": 0, "showLockoutFailures": false},
			},
			"recovery": map[string]any{"factors": map[string]any{
				"okta_email": map[string]any{"status": "ACTIVE", "properties": map[string]any{"recoveryToken": map[string]any{"tokenLifetimeMinutes": 60}}},
				"okta_sms":   map[string]any{"status": "INACTIVE"},
			}},
		},
		rule(fmt.Sprintf("0pr%017d", 6000), "Default Rule", 1, "PASSWORD", anyone, map[string]any{
			"passwordChange": map[string]any{"access": "ALLOW"},
			"selfServicePasswordReset": map[string]any{"access": "ALLOW", "requirement": map[string]any{
				"primary": map[string]any{"methods": []string{"EMAIL", "PUSH"}}, "stepUp": map[string]any{"required": false}}},
			"selfServiceUnlock": map[string]any{"access": "DENY"},
		}, ts))

	add(1, "MFA_ENROLL", "Default Policy", true,
		map[string]any{"people": map[string]any{"groups": map[string]any{"include": everyone}}},
		map[string]any{"type": "AUTHENTICATORS", "authenticators": []map[string]any{
			{"key": "okta_verify", "enroll": map[string]any{"self": "REQUIRED"}},
			{"key": "phone_number", "enroll": map[string]any{"self": "OPTIONAL"}},
			{"key": "security_question", "enroll": map[string]any{"self": "NOT_ALLOWED"}},
		}},
		rule(fmt.Sprintf("0pr%017d", 6100), "Default Rule", 1, "MFA_ENROLL", anyone,
			map[string]any{"enroll": map[string]any{"self": "LOGIN"}}, ts))

	profile := map[string]any{"access": "ALLOW", "preRegistrationInlineHooks": nil,
		"profileAttributes": []map[string]any{
			{"name": "email", "label": "Email", "required": true},
			{"name": "department", "label": "Department", "required": false},
		},
		"targetGroupIds": nil, "unknownUserAction": "DENY", "activationRequirements": map[string]any{"emailVerification": true},
		"uiSchemaId": "uis00000000000000000", "enrollAuthenticators": nil}
	if len(groupIDs) > 2 {
		profile["targetGroupIds"] = []string{groupIDs[2]}
		profile["unknownUserAction"] = "REGISTER"
	}
	add(2, "PROFILE_ENROLLMENT", "Default Policy", true, nil, nil,
		rule(fmt.Sprintf("0pr%017d", 6200), "Catch-all Rule", 1, "PROFILE_ENROLLMENT", nil,
			map[string]any{"profileEnrollment": profile}, ts))
}

// slug makes a label an Okta-style app instance name part.
func slug(label string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(label) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}
