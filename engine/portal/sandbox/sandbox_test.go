package sandbox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/sandbox"
)

func TestSandboxSessionRules(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	group := mustJSON(t, api.GroupInput{Name: "Finance Team"})
	cases := []struct {
		name       string
		tok        string
		method     string
		path       string
		body       []byte
		wantStatus int
		wantCode   api.ProblemCode
		// offContract marks a request that breaks the contract on purpose.
		offContract bool
	}{
		{"no token", "", "GET", "/api/v1/groups", nil, 401, api.ProblemCodeUnauthorized, true},
		{"unknown token", "fake-unknown-token-for-tests", "GET", "/api/v1/groups", nil, 401, api.ProblemCodeUnauthorized, false},
		{"guest reads", h.token(api.GuestAccess, api.PortalMigrationsView), "GET", "/api/v1/groups", nil, 403, api.ProblemCodeForbiddenContext, false},
		{"support writes", h.token(api.SupportAccess, api.PortalMigrationsView, api.PortalMigrationsManage), "POST", "/api/v1/groups", group, 403, api.ProblemCodeForbiddenContext, false},
		{"viewer writes", h.token(api.VendorTenant, api.PortalMigrationsView), "POST", "/api/v1/groups", group, 403, api.ProblemCodeMissingPermission, false},
		{"no permission reads", h.token(api.OperatorTenant), "GET", "/api/v1/groups", nil, 403, api.ProblemCodeMissingPermission, false},
		{"viewer reads", h.token(api.VendorTenant, api.PortalMigrationsView), "GET", "/api/v1/groups", nil, 200, "", false},
		{"unknown route", h.admin(), "GET", "/api/v1/nothing-here", nil, 404, api.ProblemCodeNotFound, true},
		{"wrong method", h.admin(), "PATCH", "/api/v1/groups", nil, 405, api.ProblemCodeMethodNotAllowed, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			do := h.do
			if c.offContract {
				do = h.doBad
			}
			a := do(c.tok, c.method, c.path, c.body, "Idempotency-Key", "k-"+c.name)
			if a.status != c.wantStatus {
				t.Fatalf("status = %d, want %d: %s", a.status, c.wantStatus, a.body)
			}
			if c.wantCode != "" {
				if got := a.problem(t).Code; got != c.wantCode {
					t.Errorf("code = %s, want %s", got, c.wantCode)
				}
			}
		})
	}
}

func TestSandboxWhoamiAnswersEveryContext(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	for _, sc := range []api.SessionContext{api.OperatorTenant, api.CustomerTenant, api.VendorTenant, api.GuestAccess, api.SupportAccess} {
		var w api.Whoami
		a := h.do(h.token(sc, api.PortalMigrationsView), "GET", "/api/v1/whoami", nil)
		if a.status != 200 {
			t.Fatalf("%s: whoami = %d: %s", sc, a.status, a.body)
		}
		a.decode(t, &w)
		if w.SessionContext != sc || w.TenantId != sbxTenant || len(w.Permissions) != 1 || w.Permissions[0] != api.PortalMigrationsView {
			t.Errorf("%s: whoami = %+v", sc, w)
		}
	}
}

func TestSandboxETagsAndIfMatch(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	created := h.do(tok, "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: "Finance Team"}), "Idempotency-Key", "g1")
	if created.status != 201 {
		t.Fatalf("create = %d: %s", created.status, created.body)
	}
	var g api.Group
	created.decode(t, &g)
	etag := created.header.Get("ETag")
	path := "/api/v1/groups/" + g.Id

	if got := h.do(tok, "GET", path, nil); got.header.Get("ETag") != etag {
		t.Errorf("GET ETag %q != create ETag %q", got.header.Get("ETag"), etag)
	}
	desc := "Finance and accounting"
	replacement := mustJSON(t, api.GroupInput{Name: "Finance Team", Description: &desc})
	if a := h.doBad(tok, "PUT", path, replacement); a.status != 428 || a.problem(t).Code != api.ProblemCodePreconditionRequired {
		t.Errorf("PUT without If-Match = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "PUT", path, replacement, "If-Match", `"stale"`); a.status != 412 || a.problem(t).Code != api.ProblemCodePreconditionFailed {
		t.Errorf("PUT with a stale If-Match = %d %s", a.status, a.body)
	}
	updated := h.do(tok, "PUT", path, replacement, "If-Match", etag)
	if updated.status != 200 || updated.header.Get("ETag") == etag {
		t.Fatalf("PUT = %d, ETag %q (was %q): %s", updated.status, updated.header.Get("ETag"), etag, updated.body)
	}
	if a := h.do(tok, "DELETE", path, nil, "If-Match", etag); a.status != 412 {
		t.Errorf("DELETE with the old ETag = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "DELETE", path, nil, "If-Match", updated.header.Get("ETag")); a.status != 204 {
		t.Errorf("DELETE = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "GET", path, nil); a.status != 404 || a.problem(t).Code != api.ProblemCodeNotFound {
		t.Errorf("GET after delete = %d %s", a.status, a.body)
	}
}

func TestSandboxPagination(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	const n = 230
	for i := range n {
		a := h.do(tok, "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: fmt.Sprintf("Group %03d", i)}), "Idempotency-Key", fmt.Sprint("page-", i))
		if a.status != 201 {
			t.Fatalf("create %d = %d %s", i, a.status, a.body)
		}
	}
	seen := map[string]bool{}
	var pages []int
	cursor := ""
	for {
		var page api.GroupList
		h.do(tok, "GET", "/api/v1/groups?limit=100&cursor="+cursor, nil).decode(t, &page)
		pages = append(pages, len(page.Items))
		for _, g := range page.Items {
			if seen[g.Id] {
				t.Fatalf("group %s served twice", g.Id)
			}
			seen[g.Id] = true
		}
		if page.NextCursor == nil {
			break
		}
		cursor = *page.NextCursor
	}
	if len(seen) != n || fmt.Sprint(pages) != "[100 100 30]" {
		t.Errorf("served %d groups in pages %v, want %d in [100 100 30]", len(seen), pages, n)
	}
	if a := h.do(tok, "GET", "/api/v1/groups?cursor=not-a-cursor", nil); a.status != 400 {
		t.Errorf("bad cursor = %d %s", a.status, a.body)
	}
	if a := h.doBad(tok, "GET", "/api/v1/groups?limit=100000", nil); a.status != 400 {
		t.Errorf("limit over the maximum = %d %s", a.status, a.body)
	}
}

func TestSandboxReferencesAndUniqueness(t *testing.T) {
	h := newSbx(t, sandbox.Options{})
	tok := h.admin()
	var app api.ApplicationWithSecret
	h.do(tok, "POST", "/api/v1/applications", mustJSON(t, api.ApplicationInput{Name: "Expense Tracker", ClientType: api.Public,
		GrantTypes: []api.GrantType{api.AuthorizationCode}, RedirectUris: []string{"com.example.expenses:/callback"}}), "Idempotency-Key", "a").decode(t, &app)
	var g api.Group
	h.do(tok, "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: "Finance Team"}), "Idempotency-Key", "g").decode(t, &g)
	if app.ClientSecret != nil {
		t.Error("a public client got a secret")
	}
	if a := h.do(tok, "POST", "/api/v1/groups", mustJSON(t, api.GroupInput{Name: "finance team"}), "Idempotency-Key", "g2"); a.status != 409 || a.problem(t).Code != api.ProblemCodeConflict {
		t.Errorf("a second group with the same name = %d %s", a.status, a.body)
	}
	asg := mustJSON(t, api.AppAssignmentInput{AppId: app.Id, GroupId: g.Id})
	if a := h.do(tok, "POST", "/api/v1/app-assignments", asg, "Idempotency-Key", "asg"); a.status != 201 {
		t.Fatalf("assign = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "POST", "/api/v1/app-assignments", asg, "Idempotency-Key", "asg-again"); a.status != 409 {
		t.Errorf("the same assignment twice = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "DELETE", "/api/v1/groups/"+g.Id, nil); a.status != 409 {
		t.Errorf("deleting an assigned group = %d %s", a.status, a.body)
	}
	missing := mustJSON(t, api.AppAssignmentInput{AppId: app.Id, GroupId: "grp_missing"})
	if a := h.do(tok, "POST", "/api/v1/app-assignments", missing, "Idempotency-Key", "asg-missing"); a.status != 400 {
		t.Errorf("assigning a missing group = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "POST", "/api/v1/applications/"+app.Id+"/client-secret", nil, "Idempotency-Key", "rot", "If-Match", "*"); a.status != 409 {
		t.Errorf("rotating a public client's secret = %d %s", a.status, a.body)
	}
	if a := h.do(tok, "GET", "/api/v1/groups/"+g.Id, nil, "Authorization", "Bearer "+tok); a.status != http.StatusOK {
		t.Errorf("GET group = %d", a.status)
	}
}
