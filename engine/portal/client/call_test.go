package client

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// The sandbox always hands out fresh cursors; these cases need a server
// that misbehaves on purpose.

func TestWalkStopsOnARepeatedCursor(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"items":[{"id":"grp_1","name":"g","description":"","created_at":"2025-03-04T09:30:00Z","updated_at":"2025-03-04T09:30:00Z"}],"next_cursor":"same"}`)
	})
	c := newTestClient(t, srv.URL)
	groups, err := c.ListGroups(context.Background())
	var loop *netguard.LoopError
	if !errors.As(err, &loop) || loop.Next != "same" || loop.After != 2 {
		t.Fatalf("want a repeated-cursor error, got %v (%d groups)", err, len(groups))
	}
	if n := len(rec.all()); n != 2 {
		t.Errorf("sent %d list requests, want 2", n)
	}
}

func TestWalkStopsWhenTheCallerStops(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(n int, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"items":[{"id":"grp_%d","name":"g","description":"","created_at":"2025-03-04T09:30:00Z","updated_at":"2025-03-04T09:30:00Z"}],"next_cursor":"c%d"}`, n, n)
	})
	c := newTestClient(t, srv.URL)
	for g, err := range c.Groups(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		if g.Id == "grp_1" {
			break
		}
	}
	if n := len(rec.all()); n != 1 {
		t.Errorf("fetched %d pages after the caller stopped at the first item", n)
	}
}

func TestCreatesNeedAKeyAndUpdatesAnETag(t *testing.T) {
	var rec recorder
	srv := rec.serve(t, func(_ int, w http.ResponseWriter, _ *http.Request) {})
	c := newTestClient(t, srv.URL)
	if _, err := c.CreateGroup(context.Background(), "", api.GroupInput{Name: "g"}); err == nil {
		t.Error("a create without an idempotency key was accepted")
	}
	if _, err := c.ReplaceGroup(context.Background(), "grp_1", "", api.GroupInput{Name: "g"}); err == nil {
		t.Error("a replace without an ETag was accepted")
	}
	if n := len(rec.all()); n != 0 {
		t.Errorf("%d requests reached the server", n)
	}
	if err := c.RequireManage(); !errors.Is(err, errNotConnected) {
		t.Errorf("RequireManage before Connect: %v", err)
	}
}
