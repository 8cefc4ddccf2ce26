package workspacedb

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/portal-id/migration-console/engine/assessment/synth"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/snapdiff"
	"github.com/portal-id/migration-console/engine/workspace"
)

func TestInventoryDiffNamesChangedFields(t *testing.T) {
	ctx := context.Background()
	f := newAssessFixture(t)
	first := f.snapshot(t, estate(400, 9))
	const marker = inventory.RedactedPrefix + ":client_secret:hmac-sha256:"
	var renamed, dropped, rekeyed string
	second := f.snapshot(t, func(emit func(inventory.Item) error) error {
		err := synth.Generate(400, 9, synth.Large, func(it inventory.Item) error {
			switch {
			case it.Kind == inventory.KindGroup && renamed == "":
				renamed = it.SourceID
				it.DisplayName, it.View.Group.Name = "Renamed team", "Renamed team"
			case it.Kind == inventory.KindGroup && dropped == "":
				dropped = it.SourceID
				return nil
			case it.Kind == inventory.KindApplication && it.View.Application.OIDC != nil && rekeyed == "":
				rekeyed = it.SourceID
				it.View.Application.ClientSecret = inventory.SecretField{Present: inventory.Yes, Marker: marker + "bbbb]"}
			}
			return emit(it)
		})
		if err != nil {
			return err
		}
		g := inventory.GroupView{Type: inventory.GroupTenant, Name: "New team", RuleBased: inventory.No, DirectorySynced: inventory.No}
		return emit(inventory.NewItem("00gnew", "New team", inventory.View{Group: &g}, []byte(`{}`)))
	})
	d, err := snapdiff.Compare(ctx, SnapDiffStore(f.db), first.ID, second.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	added, removed, changed := d.Buckets[0], d.Buckets[1], d.Buckets[2]
	if added.Count != 1 || added.Entries[0].SourceID != "00gnew" || removed.Count != 1 || removed.Entries[0].SourceID != dropped {
		t.Fatalf("added %+v removed %+v", added, removed)
	}
	if changed.Count != 2 || d.Unchanged != first.ItemCount-3 {
		t.Fatalf("changed %d, unchanged %d of %d", changed.Count, d.Unchanged, first.ItemCount)
	}
	for _, e := range changed.Entries {
		paths := make([]string, len(e.Fields))
		for i, fc := range e.Fields {
			paths[i] = fc.Path
		}
		switch e.SourceID {
		case renamed:
			if !slices.Equal(paths, []string{"display_name", "group.name"}) || e.Fields[0].To != "Renamed team" {
				t.Errorf("renamed group's changes %+v", e.Fields)
			}
		case rekeyed:
			i := slices.Index(paths, "application.client_secret.marker")
			if i < 0 || !e.Fields[i].Secret || strings.Contains(e.Fields[i].To, "bbbb") {
				t.Errorf("a changed secret must show as changed, value withheld: %+v", e.Fields)
			}
		default:
			t.Errorf("unexpected change %+v", e)
		}
	}
	// Another source's snapshot is refused.
	src, err := f.ws.AddSource(ctx, workspace.NewSource{Name: "okta-dev", Kind: "okta",
		Settings: map[string]string{"org_url": "https://acme-dev.okta.example"}, Credential: secret.New(fakeOktaToken)})
	if err != nil {
		t.Fatal(err)
	}
	other := f.snapshotOf(t, src, estate(50, 9))
	if _, err := snapdiff.Compare(ctx, SnapDiffStore(f.db), first.ID, other.ID, 10); !errors.Is(err, snapdiff.ErrDifferentSources) {
		t.Fatalf("snapshots of different sources: %v", err)
	}
}
