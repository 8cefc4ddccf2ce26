package graphreplay

import (
	"encoding/json"
	"fmt"
	"strings"
)

// demoApps are the demo tenant's enterprise apps (service principals) and
// their single sign-on modes. "Expense Portal" is shared with the sandbox
// demo tenant, so merge review has something to match.
var demoApps = []struct{ name, mode string }{
	{"Expense Portal", "saml"}, {"Salesforce", "saml"}, {"ServiceNow", "saml"}, {"Workday", "saml"},
	{"Slack", "saml"}, {"Zoom", "saml"}, {"GitHub Enterprise Cloud", "saml"}, {"Atlassian Cloud", "saml"},
	{"AWS IAM Identity Center", "saml"}, {"Box", "saml"}, {"DocuSign", "saml"}, {"Adobe Creative Cloud", "saml"},
	{"Tableau Cloud", "saml"}, {"Zendesk", "saml"}, {"SAP Concur", "saml"}, {"Coupa", "saml"},
	{"NetSuite", "saml"}, {"Snowflake", "saml"}, {"Datadog", "saml"}, {"PagerDuty", "saml"},
	{"Splunk Cloud", "saml"}, {"Smartsheet", "saml"}, {"Greenhouse", "saml"}, {"Legacy Intranet (SAML)", "saml"},
	{"Miro", "oidc"}, {"Figma", "oidc"}, {"Asana", "oidc"}, {"Notion", "oidc"}, {"Lucidchart", "oidc"},
	{"Airtable", "oidc"}, {"Calendly", "oidc"}, {"Gong", "oidc"}, {"Customer Support Console", "oidc"},
	{"Field Service Mobile", "oidc"}, {"Partner Analytics", "oidc"}, {"Benefits Hub", "oidc"},
	{"Payroll Archive", "password"}, {"Vendor Portal (Shared Login)", "password"}, {"Travel Booking", "password"},
	{"Facilities Booking", "password"}, {"Trade Press Subscriptions", "password"},
	{"Microsoft Graph Command Line Tools", "notSupported"}, {"Build Agent Automation", "notSupported"},
	{"Backup Service Connector", "notSupported"}, {"Teams Meeting Bot", "notSupported"},
	{"Monitoring Webhook Receiver", "notSupported"},
	{"HR Data Sync", ""}, {"Inventory Batch Importer", ""}, {"Marketing Site CMS", ""}, {"Learning Portal", ""},
	{"Security Scanner", ""}, {"Data Warehouse Loader", ""},
}

// demoOwners own the apps of other tenants the demo tenant has consented
// to: Microsoft's first-party tenant and multi-tenant SaaS vendors (an
// app the demo tenant registered itself is owned by demoHomeTenant).
var demoOwners = map[string]string{
	"Microsoft Graph Command Line Tools": "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
	"Teams Meeting Bot":                  "f8cdef31-a31e-4b4a-93e4-5f571e91255a",
	"Miro":                               "3b9d6c1e-0000-4000-8000-00000000a001",
	"Figma":                              "3b9d6c1e-0000-4000-8000-00000000a002",
	"Asana":                              "3b9d6c1e-0000-4000-8000-00000000a003",
	"Notion":                             "3b9d6c1e-0000-4000-8000-00000000a004",
}

// demoRegistrations are app registrations the demo tenant owns: OIDC and
// API apps later stages can recreate.
var demoRegistrations = []struct {
	name, audience   string
	web, spa, public []string
	identifierURI    string
}{
	{"Expense Portal", "AzureADMyOrg", []string{"https://expenses.example-corp.com/signin-oidc"}, nil, nil, "api://expenses.example-corp.com"},
	{"Customer Support Console", "AzureADMyOrg", []string{"https://support.example-corp.com/auth/callback"}, nil, nil, ""},
	{"Field Service Mobile", "AzureADMyOrg", nil, nil, []string{"msauth.com.example-corp.field://auth", "com.example-corp.field://oauth/redirect"}, ""},
	{"Partner Analytics", "AzureADMultipleOrgs", []string{"https://partners.example-corp.com/signin"}, nil, nil, ""},
	{"Benefits Hub", "AzureADMyOrg", nil, []string{"https://benefits.example-corp.com/", "http://localhost:3000/"}, nil, ""},
	{"HR Data Sync", "AzureADMyOrg", nil, nil, nil, "api://hr-sync.example-corp.com"},
	{"Inventory Batch Importer", "AzureADMyOrg", nil, nil, nil, ""},
	{"Marketing Site CMS", "AzureADMyOrg", []string{"https://www.example-corp.com/umbraco/oidc"}, nil, nil, ""},
	{"Learning Portal", "AzureADandPersonalMicrosoftAccount", []string{"https://learn.example-corp.com/login/callback"}, nil, nil, ""},
	{"Data Warehouse Loader", "AzureADMyOrg", nil, nil, nil, "api://dwh-loader.example-corp.com"},
	{"Internal Tools CLI", "AzureADMyOrg", nil, nil, []string{"http://localhost"}, ""},
	{"Orders API", "AzureADMyOrg", nil, nil, nil, "api://orders.example-corp.com"},
}

var demoDepartments = []string{
	"Engineering", "Sales", "Marketing", "Finance", "Human Resources", "Legal", "Customer Support",
	"Operations", "Product", "Design", "Security", "IT", "Facilities", "Procurement", "Data Science",
	"Research", "Partnerships", "Executive Office", "Internal Audit", "Quality Assurance",
}

var demoOffices = []string{"London", "Berlin", "Paris", "Madrid", "New York", "Austin", "Toronto", "Singapore", "Sydney", "Tokyo"}

// Demo builds the bundled demo tenant (assets/demo/entra): about 50 enterprise
// apps of every SSO mode, 12 app registrations, over 100 groups (security,
// Microsoft 365 and dynamic), conditional-access policies, verified domains
// including example-corp.com, group, direct-user and service-principal
// app-role assignments, one SAML app whose signing certificate expired, and
// group members (demoMembers).
func Demo() *Tenant {
	t := &Tenant{AppRoleAssignedTo: map[string][]json.RawMessage{}}
	for _, d := range []struct {
		name              string
		isDefault, verify bool
	}{
		{"example-corp.onmicrosoft.com", false, true}, {"example-corp.com", true, true},
		{"example-corp.co.uk", false, true}, {"eu.example-corp.com", false, true}, {"example-corp-legacy.net", false, false},
	} {
		t.Domains = append(t.Domains, mustJSON(domainEntity(d.name, d.isDefault, d.verify)))
	}

	var groupIDs []string
	var groupNames []string
	addGroup := func(name, kind, rule string) {
		id := guid("demo-group", len(groupIDs))
		groupIDs, groupNames = append(groupIDs, id), append(groupNames, name)
		t.Groups = append(t.Groups, mustJSON(groupEntity(id, name, kind, rule)))
	}
	for _, d := range demoDepartments {
		addGroup(d, "security", "")
		addGroup(d+" Team", "m365", "")
		addGroup("All "+d+" (dynamic)", "dynamic", fmt.Sprintf(`(user.department -eq "%s") and (user.accountEnabled -eq true)`, d))
	}
	for _, o := range demoOffices {
		addGroup("Office - "+o, "dynamic", fmt.Sprintf(`user.physicalDeliveryOfficeName -eq "%s"`, o))
		addGroup(o+" Social", "m365", "")
	}
	for _, a := range demoApps[:24] {
		addGroup("App - "+a.name+" Users", "security", "")
	}
	addGroup("All Employees", "dynamic", `user.employeeType -eq "Employee"`)
	addGroup("All Contractors", "dynamic", `user.employeeType -in ["Contractor","Vendor"]`)
	addGroup("Break Glass Accounts", "security", "")
	addGroup("Conditional Access Exclusions", "security", "")

	for i, r := range demoRegistrations {
		var uris []string
		if r.identifierURI != "" {
			uris = []string{r.identifierURI}
		}
		spec := appSpec{
			name: r.name, id: guid("demo-app", i), appID: guid("demo-appid", i), audience: r.audience,
			web: r.web, spa: r.spa, public: r.public, identifierURIs: uris, passwordEnd: "2027-03-31T00:00:00Z",
		}
		if i%4 == 3 {
			spec.passwordEnd, spec.certEnd = "", "2027-09-30T00:00:00Z"
		}
		t.Applications = append(t.Applications, mustJSON(applicationEntity(spec)))
	}

	principals := 0
	for i, a := range demoApps {
		spID := guid("demo-sp", i)
		appID := guid("demo-spapp", i)
		for j, r := range demoRegistrations {
			if r.name == a.name {
				appID = guid("demo-appid", j)
			}
		}
		slug := strings.ToLower(strings.NewReplacer(" ", "-", "(", "", ")", "").Replace(a.name))
		certEnd := "2028-06-30T00:00:00Z"
		if a.name == "Legacy Intranet (SAML)" {
			certEnd = "2025-01-15T00:00:00Z" // the expired signing certificate
		}
		owner, spType := demoOwners[a.name], ""
		if a.name == "Backup Service Connector" {
			spType = "ManagedIdentity"
		}
		t.ServicePrincipals = append(t.ServicePrincipals, mustJSON(servicePrincipalEntity(spSpec{
			id: spID, appID: appID, name: a.name, mode: a.mode, replyURL: "https://" + slug + ".example-saas.com/sso/acs",
			certEnd: certEnd, assignmentRequired: a.mode == "saml" || a.mode == "oidc", owner: owner, spType: spType,
		})))
		if a.mode == "notSupported" || a.mode == "" {
			continue
		}
		assign := func(kind, id, name string) {
			t.AppRoleAssignedTo[spID] = append(t.AppRoleAssignedTo[spID], mustJSON(assignmentEntity(guid("demo-asg", principals), kind, id, name, spID, a.name)))
			principals++
		}
		if i < 24 {
			g := len(demoDepartments)*3 + len(demoOffices)*2 + i
			assign("Group", groupIDs[g], groupNames[g])
		}
		d := (i * 3) % (len(demoDepartments) * 3)
		assign("Group", groupIDs[d], groupNames[d])
		if i%5 == 0 {
			assign("User", guid("demo-user", i), fmt.Sprintf("Demo User %02d", i))
		}
		if i%11 == 0 {
			assign("ServicePrincipal", guid("demo-sp", 42), demoApps[42].name)
		}
	}

	t.Policies = append(t.Policies,
		mustJSON(policyEntity(guid("demo-ca", 0), "Require MFA for all users", "enabled", []string{"All"}, []string{"All"}, []string{"mfa"})),
		mustJSON(policyEntity(guid("demo-ca", 1), "Block legacy authentication", "enabled", []string{"All"}, []string{"All"}, []string{"block"})),
		mustJSON(policyEntity(guid("demo-ca", 2), "Require compliant device for Finance apps", "enabled", []string{groupIDs[9]}, []string{guid("demo-spapp", 14), guid("demo-spapp", 16)}, []string{"compliantDevice", "domainJoinedDevice"})),
		mustJSON(policyEntity(guid("demo-ca", 3), "Engineering - MFA for GitHub and AWS", "enabled", []string{groupIDs[0]}, []string{guid("demo-spapp", 6), guid("demo-spapp", 8)}, []string{"mfa"})),
		mustJSON(policyEntity(guid("demo-ca", 4), "Contractors - require approved client app", "enabledForReportingButNotEnforced", []string{groupIDs[len(groupIDs)-3]}, []string{"Office365"}, []string{"approvedApplication"})),
		mustJSON(policyEntity(guid("demo-ca", 5), "Admins - phishing-resistant MFA (pilot)", "disabled", []string{groupIDs[33]}, []string{"All"}, []string{"mfa"})),
	)
	demoMembers(t, groupIDs, groupNames)
	return t
}
