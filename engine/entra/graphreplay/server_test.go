package graphreplay

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testToken = "fake-graph-token-for-tests"

func start(t *testing.T, opts Options) *Server {
	t.Helper()
	if opts.Tenant == nil {
		opts.Tenant = Synthetic(Size{Groups: 25, ServicePrincipals: 3, AssignmentsPerSP: 2})
	}
	if opts.AccessTokens == nil {
		opts.AccessTokens = []string{testToken}
	}
	s, err := Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func get(t *testing.T, s *Server, rawURL, token string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, rawURL, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

type listPage struct {
	NextLink string            `json:"@odata.nextLink"`
	Value    []json.RawMessage `json:"value"`
}

func TestPagingHonoursTopAndSelect(t *testing.T) {
	s := start(t, Options{})
	next := s.URL() + "/v1.0/groups?$top=10&$select=id,displayName"
	var ids []string
	pages := 0
	for next != "" {
		resp, body := get(t, s, next, testToken)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
		var p listPage
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		if len(p.Value) > 10 {
			t.Fatalf("page of %d items despite $top=10", len(p.Value))
		}
		for _, v := range p.Value {
			var fields map[string]any
			_ = json.Unmarshal(v, &fields)
			if len(fields) != 2 {
				t.Fatalf("$select=id,displayName gave %v", fields)
			}
			ids = append(ids, fields["id"].(string))
		}
		if p.NextLink != "" && !strings.Contains(p.NextLink, "%24select=id%2CdisplayName") {
			t.Fatalf("nextLink drops $select: %s", p.NextLink)
		}
		next = p.NextLink
		pages++
	}
	if pages != 3 || len(ids) != 25 {
		t.Fatalf("got %d items in %d pages, want 25 in 3", len(ids), pages)
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s served twice", id)
		}
		seen[id] = true
	}
}

func TestThrottleAnswers429WithRetryAfter(t *testing.T) {
	s := start(t, Options{Limits: []Limit{{Collection: Groups, Requests: 2, Window: time.Hour}}})
	for i := range 3 {
		resp, body := get(t, s, s.URL()+"/v1.0/groups", testToken)
		if i < 2 {
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("request %d: status %d", i, resp.StatusCode)
			}
			continue
		}
		if resp.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("third request: status %d, want 429", resp.StatusCode)
		}
		secs, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64)
		if err != nil || secs < 3500 || secs > 3600 {
			t.Fatalf("Retry-After %q, want about an hour", resp.Header.Get("Retry-After"))
		}
		if string(body) != string(throttledBody) || !strings.Contains(string(body), `"TooManyRequests"`) {
			t.Fatalf("429 body is not Microsoft's published one: %s", body)
		}
	}
	// Another collection has its own budget.
	if resp, _ := get(t, s, s.URL()+"/v1.0/domains", testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("domains throttled by the groups limit: %d", resp.StatusCode)
	}
	reqs := s.Requests()
	if len(reqs) != 4 || reqs[2].Status != http.StatusTooManyRequests || reqs[2].Collection != Groups {
		t.Fatalf("request log %+v", reqs)
	}
}

func TestFaults(t *testing.T) {
	s := start(t, Options{})
	s.Inject(Fault{Collection: Groups, Times: 1, Status: http.StatusServiceUnavailable})
	if resp, _ := get(t, s, s.URL()+"/v1.0/groups", testToken); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d, want 503", resp.StatusCode)
	}
	if resp, _ := get(t, s, s.URL()+"/v1.0/groups", testToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("fault outlived its Times: %d", resp.StatusCode)
	}
	s.Inject(Fault{Times: 1, Truncate: true})
	req, _ := http.NewRequest(http.MethodGet, s.URL()+"/v1.0/groups", nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	resp, err := s.Client().Do(req)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if err == nil {
		t.Fatal("truncated response read without error")
	}
}

func TestAuthErrors(t *testing.T) {
	s := start(t, Options{Denied: []string{Policies}})
	check := func(token, path string, status int, code string) {
		t.Helper()
		resp, body := get(t, s, s.URL()+path, token)
		if resp.StatusCode != status || !strings.Contains(string(body), `"code":"`+code+`"`) {
			t.Fatalf("GET %s: %d %s, want %d %s", path, resp.StatusCode, body, status, code)
		}
	}
	check("", "/v1.0/groups", 401, "InvalidAuthenticationToken")
	check("not-a-token", "/v1.0/groups", 401, "InvalidAuthenticationToken")
	check(testToken, "/v1.0/identity/conditionalAccess/policies", 403, "Authorization_RequestDenied")
	s.Revoke(testToken)
	check(testToken, "/v1.0/groups", 401, "InvalidAuthenticationToken")
}

func TestTokenEndpoint(t *testing.T) {
	s := start(t, Options{TLS: true, TenantID: "tenant-a", ClientID: "client-a", ClientSecret: "fake-client-secret-for-tests"})
	post := func(secret string) (int, map[string]any) {
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {"client-a"}, "client_secret": {secret}, "scope": {s.URL() + "/.default"}}
		resp, err := s.Client().PostForm(s.URL()+"/tenant-a/oauth2/v2.0/token", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if status, out := post("wrong-secret"); status != 401 || out["error"] != "invalid_client" {
		t.Fatalf("wrong secret: %d %v", status, out)
	}
	status, out := post("fake-client-secret-for-tests")
	token, _ := out["access_token"].(string)
	if status != 200 || token == "" {
		t.Fatalf("token grant: %d %v", status, out)
	}
	if resp, body := get(t, s, s.URL()+"/v1.0/domains", token); resp.StatusCode != 200 {
		t.Fatalf("issued token refused: %d %s", resp.StatusCode, body)
	}
}

func TestVendorPayloadSetLoads(t *testing.T) {
	tenant, err := LoadVendor("../testdata/vendor")
	if err != nil {
		t.Fatal(err)
	}
	c := tenant.Counts()
	want := map[string]int{Applications: 3, ServicePrincipals: 4, Domains: 2, Groups: 7, Policies: 3, AppRoleAssignedTo: 0}
	for k, v := range want {
		if c[k] != v {
			t.Errorf("%s: %d, want %d", k, c[k], v)
		}
	}
	if len(tenant.AppRoleAssignedTo["8e881353-1735-45af-af21-ee1344582a4d"]) != 1 {
		t.Error("the published appRoleAssignedTo entry is not filed under its resourceId")
	}
}

func TestAnyTokenStillHonoursRevocation(t *testing.T) {
	s := start(t, Options{AnyToken: true, AccessTokens: []string{}})
	if resp, body := get(t, s, s.URL()+"/v1.0/domains", "fake-demo-token"); resp.StatusCode != 200 {
		t.Fatalf("AnyToken refused a token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := get(t, s, s.URL()+"/v1.0/domains", ""); resp.StatusCode != 401 {
		t.Fatalf("AnyToken accepted an empty token: %d", resp.StatusCode)
	}
	s.Revoke("fake-demo-token")
	if resp, _ := get(t, s, s.URL()+"/v1.0/domains", "fake-demo-token"); resp.StatusCode != 401 {
		t.Fatalf("revoked token accepted: %d", resp.StatusCode)
	}
}

func TestExpiredToken(t *testing.T) {
	s := start(t, Options{TokenLifetime: time.Nanosecond})
	resp, body := get(t, s, s.URL()+"/v1.0/groups", testToken)
	if resp.StatusCode != 401 || !strings.Contains(string(body), "Lifetime validation failed, the token is expired.") {
		t.Fatalf("expired token: %d %s", resp.StatusCode, body)
	}
}
