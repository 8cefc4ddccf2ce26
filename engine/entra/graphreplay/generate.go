package graphreplay

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
)

// Size is how big a synthetic tenant is.
type Size struct {
	Applications      int
	ServicePrincipals int
	Groups            int
	Policies          int
	Domains           int
	// AssignmentsPerSP is how many appRoleAssignedTo entries each service
	// principal gets (alternating group, user and service principal).
	AssignmentsPerSP int
}

// Synthetic builds a tenant of the given size in the vendor's shapes. It is
// deterministic: the same size gives the same bytes.
func Synthetic(size Size) *Tenant {
	t := &Tenant{AppRoleAssignedTo: map[string][]json.RawMessage{}}
	for i := range size.Domains {
		t.Domains = append(t.Domains, mustJSON(domainEntity(fmt.Sprintf("domain%d.example.com", i), i == 0, i%7 != 6)))
	}
	for i := range size.Applications {
		name := fmt.Sprintf("Synthetic app %d", i)
		t.Applications = append(t.Applications, mustJSON(applicationEntity(appSpec{
			name: name, id: guid("app", i), appID: guid("appid", i), audience: "AzureADMyOrg",
			web:         []string{fmt.Sprintf("https://app%d.example.com/signin-oidc", i)},
			passwordEnd: "2027-06-30T00:00:00Z",
		})))
	}
	modes := []string{"saml", "oidc", "password", "notSupported", ""}
	for i := range size.ServicePrincipals {
		spID := guid("sp", i)
		t.ServicePrincipals = append(t.ServicePrincipals, mustJSON(servicePrincipalEntity(spSpec{
			id: spID, appID: guid("spapp", i), name: fmt.Sprintf("Synthetic service %d", i),
			mode: modes[i%len(modes)], replyURL: fmt.Sprintf("https://svc%d.example.com/sso/acs", i),
			certEnd: "2028-01-31T00:00:00Z", assignmentRequired: i%2 == 0,
		})))
		for j := range size.AssignmentsPerSP {
			kinds := []string{"Group", "User", "ServicePrincipal"}
			kind := kinds[j%3]
			t.AppRoleAssignedTo[spID] = append(t.AppRoleAssignedTo[spID], mustJSON(assignmentEntity(
				guid("asg", i*size.AssignmentsPerSP+j), kind, guid(strings.ToLower(kind), j), fmt.Sprintf("Synthetic %s %d", strings.ToLower(kind), j),
				spID, fmt.Sprintf("Synthetic service %d", i))))
		}
	}
	for i := range size.Groups {
		kinds := []string{"security", "m365", "dynamic"}
		t.Groups = append(t.Groups, mustJSON(groupEntity(guid("group", i), fmt.Sprintf("Synthetic group %d", i), kinds[i%3], `user.department -eq "Dept`+fmt.Sprint(i)+`"`)))
	}
	for i := range size.Policies {
		t.Policies = append(t.Policies, mustJSON(policyEntity(guid("policy", i), fmt.Sprintf("Synthetic policy %d", i), "enabledForReportingButNotEnforced", []string{guid("group", i)}, []string{"All"}, []string{"mfa"})))
	}
	return t
}

// guid derives a stable GUID from a namespace and a number.
func guid(ns string, n int) string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", ns, n)))
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}

// thumbprint derives a stable SHA-1-length certificate thumbprint.
func thumbprint(seed string) string {
	h := sha256.Sum256([]byte("cert/" + seed))
	return strings.ToUpper(hex.EncodeToString(h[:20]))
}

func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("graphreplay: encode generated entity: %v", err))
	}
	return b
}

type appSpec struct {
	name, id, appID, audience string
	web, spa, public          []string
	identifierURIs            []string
	passwordEnd, certEnd      string
}

// applicationEntity has the field order and nullability of Graph's
// application resource.
func applicationEntity(a appSpec) any {
	var passwords, keys []any
	if a.passwordEnd != "" {
		passwords = append(passwords, map[string]any{
			"customKeyIdentifier": nil, "displayName": "deployment secret", "endDateTime": a.passwordEnd,
			"hint": "Q~a", "keyId": guid("pwd", len(a.name)+len(a.id)), "secretText": nil, "startDateTime": "2025-01-01T00:00:00Z",
		})
	}
	if a.certEnd != "" {
		keys = append(keys, keyCredential(a.appID, a.certEnd, "Verify"))
	}
	return struct {
		ID                     string         `json:"id"`
		DeletedDateTime        any            `json:"deletedDateTime"`
		AppID                  string         `json:"appId"`
		CreatedDateTime        string         `json:"createdDateTime"`
		DisplayName            string         `json:"displayName"`
		IdentifierURIs         []string       `json:"identifierUris"`
		PublisherDomain        string         `json:"publisherDomain"`
		SignInAudience         string         `json:"signInAudience"`
		Tags                   []string       `json:"tags"`
		KeyCredentials         []any          `json:"keyCredentials"`
		PasswordCredentials    []any          `json:"passwordCredentials"`
		PublicClient           map[string]any `json:"publicClient"`
		Spa                    map[string]any `json:"spa"`
		Web                    map[string]any `json:"web"`
		RequiredResourceAccess []any          `json:"requiredResourceAccess"`
	}{
		ID: a.id, AppID: a.appID, CreatedDateTime: "2024-02-12T09:30:00Z", DisplayName: a.name,
		IdentifierURIs: nonNil(a.identifierURIs), PublisherDomain: "example-corp.com", SignInAudience: a.audience,
		Tags: []string{}, KeyCredentials: nonNilAny(keys), PasswordCredentials: nonNilAny(passwords),
		PublicClient: map[string]any{"redirectUris": nonNil(a.public)},
		Spa:          map[string]any{"redirectUris": nonNil(a.spa)},
		Web: map[string]any{"homePageUrl": nil, "logoutUrl": nil, "redirectUris": nonNil(a.web),
			"implicitGrantSettings": map[string]any{"enableAccessTokenIssuance": false, "enableIdTokenIssuance": len(a.spa) > 0}},
		RequiredResourceAccess: []any{map[string]any{"resourceAppId": "00000003-0000-0000-c000-000000000000",
			"resourceAccess": []any{map[string]any{"id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope"}}}},
	}
}

func keyCredential(seed, end, usage string) map[string]any {
	tp := thumbprint(seed + end + usage)
	return map[string]any{
		"customKeyIdentifier": tp, "displayName": "CN=Microsoft Azure Federated SSO Certificate",
		"endDateTime": end, "key": nil, "keyId": guid("key/"+seed+usage, len(end)),
		"startDateTime": "2023-01-31T00:00:00Z", "type": "AsymmetricX509Cert", "usage": usage,
	}
}

type spSpec struct {
	id, appID, name, mode, replyURL, certEnd string
	relayState                               string
	assignmentRequired                       bool
	// owner is appOwnerOrganizationId ("" for the demo tenant's own);
	// spType is servicePrincipalType ("" for Application).
	owner, spType string
}

// demoHomeTenant owns the demo tenant's own applications.
const demoHomeTenant = "0a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"

// servicePrincipalEntity has the shape of Graph's servicePrincipal
// resource; mode "" is a null preferredSingleSignOnMode.
func servicePrincipalEntity(s spSpec) any {
	var mode, thumb, saml any
	var keys []any
	replies := []string{}
	if s.mode != "" {
		mode = s.mode
	}
	switch s.mode {
	case "saml":
		k := keyCredential(s.id, s.certEnd, "Sign")
		keys = append(keys, k, keyCredential(s.id, s.certEnd, "Verify"))
		thumb = k["customKeyIdentifier"]
		saml = map[string]any{"relayState": nilIfEmpty(s.relayState)}
		replies = append(replies, s.replyURL)
	case "oidc":
		replies = append(replies, strings.Replace(s.replyURL, "/sso/acs", "/oauth2/callback", 1))
	}
	return struct {
		ID                                 string   `json:"id"`
		DeletedDateTime                    any      `json:"deletedDateTime"`
		AccountEnabled                     bool     `json:"accountEnabled"`
		AppDisplayName                     string   `json:"appDisplayName"`
		AppID                              string   `json:"appId"`
		AppOwnerOrganizationID             string   `json:"appOwnerOrganizationId"`
		AppRoleAssignmentRequired          bool     `json:"appRoleAssignmentRequired"`
		DisplayName                        string   `json:"displayName"`
		Homepage                           any      `json:"homepage"`
		LoginURL                           any      `json:"loginUrl"`
		LogoutURL                          any      `json:"logoutUrl"`
		NotificationEmailAddresses         []string `json:"notificationEmailAddresses"`
		PreferredSingleSignOnMode          any      `json:"preferredSingleSignOnMode"`
		PreferredTokenSigningKeyThumbprint any      `json:"preferredTokenSigningKeyThumbprint"`
		ReplyURLs                          []string `json:"replyUrls"`
		SamlSingleSignOnSettings           any      `json:"samlSingleSignOnSettings"`
		ServicePrincipalNames              []string `json:"servicePrincipalNames"`
		ServicePrincipalType               string   `json:"servicePrincipalType"`
		SignInAudience                     string   `json:"signInAudience"`
		Tags                               []string `json:"tags"`
		AppRoles                           []any    `json:"appRoles"`
		KeyCredentials                     []any    `json:"keyCredentials"`
		PasswordCredentials                []any    `json:"passwordCredentials"`
	}{
		ID: s.id, AccountEnabled: true, AppDisplayName: s.name, AppID: s.appID,
		AppOwnerOrganizationID: cmp.Or(s.owner, demoHomeTenant), AppRoleAssignmentRequired: s.assignmentRequired,
		DisplayName: s.name, NotificationEmailAddresses: []string{"identity-team@example-corp.com"},
		PreferredSingleSignOnMode: mode, PreferredTokenSigningKeyThumbprint: thumb, ReplyURLs: replies,
		SamlSingleSignOnSettings: saml, ServicePrincipalNames: []string{s.appID}, ServicePrincipalType: cmp.Or(s.spType, "Application"),
		SignInAudience: "AzureADMyOrg", Tags: []string{"WindowsAzureActiveDirectoryIntegratedApp"},
		AppRoles: []any{map[string]any{"allowedMemberTypes": []string{"User"}, "description": "User", "displayName": "User",
			"id": "18d14569-c3bd-439b-9a66-3a2aee01d14f", "isEnabled": true, "origin": "Application", "value": nil}},
		KeyCredentials: nonNilAny(keys), PasswordCredentials: []any{},
	}
}

// groupEntity: kind is "security", "m365" or "dynamic" (a dynamic
// security group with rule).
func groupEntity(id, name, kind, rule string) any {
	types := []string{}
	mailEnabled, securityEnabled := false, true
	var mail, membershipRule, state, visibility any
	nick := strings.ToLower(strings.NewReplacer(" ", "", "-", "", "&", "", "(", "", ")", "").Replace(name))
	switch kind {
	case "m365":
		types = []string{"Unified"}
		mailEnabled, securityEnabled = true, false
		mail = nick + "@example-corp.com"
		visibility = "Private"
	case "dynamic":
		types = []string{"DynamicMembership"}
		membershipRule, state = rule, "On"
	}
	return struct {
		ID                            string   `json:"id"`
		DeletedDateTime               any      `json:"deletedDateTime"`
		Classification                any      `json:"classification"`
		CreatedDateTime               string   `json:"createdDateTime"`
		Description                   any      `json:"description"`
		DisplayName                   string   `json:"displayName"`
		GroupTypes                    []string `json:"groupTypes"`
		IsAssignableToRole            any      `json:"isAssignableToRole"`
		Mail                          any      `json:"mail"`
		MailEnabled                   bool     `json:"mailEnabled"`
		MailNickname                  string   `json:"mailNickname"`
		MembershipRule                any      `json:"membershipRule"`
		MembershipRuleProcessingState any      `json:"membershipRuleProcessingState"`
		OnPremisesSyncEnabled         any      `json:"onPremisesSyncEnabled"`
		SecurityEnabled               bool     `json:"securityEnabled"`
		Visibility                    any      `json:"visibility"`
	}{
		ID: id, CreatedDateTime: "2023-05-04T08:00:00Z", DisplayName: name, GroupTypes: types,
		Mail: mail, MailEnabled: mailEnabled, MailNickname: nick, MembershipRule: membershipRule,
		MembershipRuleProcessingState: state, SecurityEnabled: securityEnabled, Visibility: visibility,
	}
}

func domainEntity(name string, isDefault, verified bool) any {
	return struct {
		AuthenticationType string   `json:"authenticationType"`
		AvailabilityStatus any      `json:"availabilityStatus"`
		ID                 string   `json:"id"`
		IsAdminManaged     bool     `json:"isAdminManaged"`
		IsDefault          bool     `json:"isDefault"`
		IsInitial          bool     `json:"isInitial"`
		IsRoot             bool     `json:"isRoot"`
		IsVerified         bool     `json:"isVerified"`
		SupportedServices  []string `json:"supportedServices"`
	}{"Managed", nil, name, true, isDefault, strings.HasSuffix(name, ".onmicrosoft.com"), true, verified, []string{"Email", "OfficeCommunicationsOnline"}}
}

// policyEntity targets groups, or every user when groups is ["All"].
func policyEntity(id, name, state string, groups, apps, controls []string) any {
	users := []string{}
	if len(groups) == 1 && groups[0] == "All" {
		users, groups = groups, []string{}
	}
	return map[string]any{
		"id": id, "templateId": nil, "displayName": name, "createdDateTime": "2024-03-01T10:00:00Z",
		"modifiedDateTime": "2025-02-11T16:20:00Z", "state": state, "sessionControls": nil,
		"conditions": map[string]any{
			"clientAppTypes": []string{"all"}, "signInRiskLevels": []string{}, "userRiskLevels": []string{},
			"platforms": nil, "locations": nil,
			"applications": map[string]any{"includeApplications": apps, "excludeApplications": []string{}, "includeUserActions": []string{}},
			"users": map[string]any{"includeUsers": users, "excludeUsers": []string{}, "includeGroups": groups,
				"excludeGroups": []string{}, "includeRoles": []string{}, "excludeRoles": []string{}},
		},
		"grantControls": map[string]any{"operator": "OR", "builtInControls": controls, "customAuthenticationFactors": []string{}, "termsOfUse": []string{}},
	}
}

func assignmentEntity(id, principalType, principalID, principalName, resourceID, resourceName string) any {
	return struct {
		ID                   string `json:"id"`
		DeletedDateTime      any    `json:"deletedDateTime"`
		AppRoleID            string `json:"appRoleId"`
		CreatedDateTime      string `json:"createdDateTime"`
		PrincipalDisplayName string `json:"principalDisplayName"`
		PrincipalID          string `json:"principalId"`
		PrincipalType        string `json:"principalType"`
		ResourceDisplayName  string `json:"resourceDisplayName"`
		ResourceID           string `json:"resourceId"`
	}{id, nil, "18d14569-c3bd-439b-9a66-3a2aee01d14f", "2024-06-10T12:00:00Z", principalName, principalID, principalType, resourceName, resourceID}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilAny(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
