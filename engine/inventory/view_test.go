package inventory

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestTriReadsAndWritesWords(t *testing.T) {
	type doc struct {
		A, B, C Tri
	}
	b, err := json.Marshal(doc{A: Yes, B: No})
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"A":"yes","B":"no","C":"unknown"}` {
		t.Fatalf("marshal: %s", b)
	}
	var back doc
	if err := json.Unmarshal(b, &back); err != nil || back != (doc{A: Yes, B: No}) {
		t.Fatalf("unmarshal: %+v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`{"A":"maybe"}`), &back); err == nil {
		t.Fatal("a word other than yes, no or unknown was accepted")
	}
	if TriPtr(nil) != Unknown || TriPtr(new(bool)) != No || TriOf(true) != Yes {
		t.Fatal("TriPtr/TriOf")
	}
}

func samlApp() View {
	end := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return View{Application: &ApplicationView{
		Protocol: ProtocolSAML, VendorType: "SAML_2_0", Object: AppObjectOktaApp, State: StateActive,
		Catalogue: CatalogueCustom, Origin: OriginTenant, AssignmentRequired: Yes,
		SAML: &SAMLSettings{
			EntityIDs: []string{"https://sp.example.test"}, ACSURLs: []string{"https://sp.example.test/acs"},
			StatementsExposed:   Yes,
			AttributeStatements: []AttributeStatement{{Name: "dept", Values: []string{"user.department"}}},
			SigningCertificates: []Certificate{{KeyID: "k1", NotAfter: &end, Expired: No, PEM: "-----BEGIN CERTIFICATE-----"}},
		},
	}}
}

func TestViewSubtypeAndKindComeFromTheView(t *testing.T) {
	it := NewItem("0oa1", "HR", samlApp(), json.RawMessage(`{}`))
	if it.Kind != KindApplication || it.Subtype != "saml" {
		t.Fatalf("NewItem gave %s/%s", it.Kind, it.Subtype)
	}
	if p := CheckView(it); len(p) != 0 {
		t.Fatalf("a complete view has problems: %v", p)
	}
	for kind := range slices.Values(Kinds) {
		if len(Subtypes(kind)) == 0 {
			t.Errorf("kind %s has no subtypes", kind)
		}
	}
	pol := View{Policy: &PolicyView{Type: PolicyPassword, Rule: true, PolicyID: "p1", State: StateActive}}
	if pol.Subtype() != "password_rule" || !slices.Contains(Subtypes(KindPolicy), pol.Subtype()) {
		t.Fatalf("policy rule subtype %q", pol.Subtype())
	}
}

func TestCheckViewFindsWhatIsWrong(t *testing.T) {
	cases := map[string]struct {
		edit func(*Item)
		want string
	}{
		"missing":      {func(it *Item) { it.View = View{} }, "no view"},
		"wrong kind":   {func(it *Item) { it.Kind = KindGroup }, "item is group"},
		"subtype":      {func(it *Item) { it.Subtype = "SAML_2_0" }, "subtype"},
		"open subtype": {func(it *Item) { it.View.Application.Protocol = "saml2"; it.Subtype = "saml2" }, "not one of"},
		"no settings":  {func(it *Item) { it.View.Application.SAML = nil }, "no SAML settings"},
		"state":        {func(it *Item) { it.View.Application.State = "" }, "state"},
		"gap":          {func(it *Item) { it.View.Application.SAML.StatementsExposed = No }, "gap"},
		"plain secret": {func(it *Item) { it.View.Application.ClientSecret = SecretField{Present: Yes, Marker: "s3cr3t"} }, "not a redaction marker"},
		"two members":  {func(it *Item) { it.View.Group = &GroupView{Type: GroupTenant} }, "exactly one"},
		"unnamed assign": {func(it *Item) {
			*it = NewItem("a/g", "x", View{Assignment: &AssignmentView{Target: AssignGroup, AppID: "a", PrincipalID: "g", Direct: Yes}}, nil)
		}, "no application name"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			it := NewItem("0oa1", "HR", samlApp(), json.RawMessage(`{}`))
			c.edit(&it)
			p := CheckView(it)
			if !strings.Contains(strings.Join(p, "; "), c.want) {
				t.Fatalf("problems %q do not mention %q", p, c.want)
			}
		})
	}
}

func TestFactsAndSearchText(t *testing.T) {
	v := samlApp()
	facts := map[string]string{}
	for _, f := range v.Facts() {
		facts[f.Path] = f.Value
	}
	for path, want := range map[string]string{
		"application.protocol":                               "saml",
		"application.saml.acs_urls":                          "https://sp.example.test/acs",
		"application.saml.attribute_statements[0].values":    "user.department",
		"application.saml.response_signed":                   "unknown",
		"application.saml.signing_certificates[0].not_after": "2030-01-01T00:00:00Z",
	} {
		if facts[path] != want {
			t.Errorf("fact %s = %q, want %q", path, facts[path], want)
		}
	}
	if _, ok := facts["application.saml.signing_certificates[0].pem"]; ok {
		t.Error("the certificate body is listed as a fact")
	}
	text := v.SearchText()
	for _, want := range []string{"saml", "https://sp.example.test/acs", "user.department", "SAML_2_0"} {
		if !strings.Contains(text, want) {
			t.Errorf("search text %q lacks %q", text, want)
		}
	}
	if strings.Contains(text, "BEGIN CERTIFICATE") || strings.Contains(text, "unknown") {
		t.Errorf("search text holds a certificate body or a tri-state word: %q", text)
	}
	for range 20 {
		if samlApp().SearchText() != text {
			t.Fatal("search text is not deterministic")
		}
	}
}
