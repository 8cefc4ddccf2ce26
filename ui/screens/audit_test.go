package screens

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/audit"
)

// TestDescribeVerdict: a break is red and says how the file was changed;
// an unanchored tail is a warning, not a break; a trail checked against
// its own chain only says so; an anchored one is green.
func TestDescribeVerdict(t *testing.T) {
	cases := []struct {
		v    audit.Verdict
		imp  widget.Importance
		says string
	}{
		{audit.Verdict{Entries: 5, Break: &audit.Break{Seq: 3, Kind: audit.BreakRolledBack, Reason: "rolled back: an older copy"}},
			widget.DangerImportance, "Trail broken at entry 3: rolled back: an older copy"},
		{audit.Verdict{Entries: 8, Anchor: audit.AnchorState{Status: audit.UnanchoredTail, Note: "Warning: entries 4–8 chain correctly"}},
			widget.WarningImportance, "Trail intact (8 entries). Warning: entries 4–8"},
		{audit.Verdict{Entries: 1, Anchor: audit.AnchorState{Status: audit.ChainOnly, Note: "Only the file's own chain was checked"}},
			widget.MediumImportance, "Trail intact (1 entry). Only the file's own chain"},
		{audit.Verdict{Entries: 2, Anchor: audit.AnchorState{Status: audit.Anchored}},
			widget.SuccessImportance, "anchored in this machine's keychain"},
	}
	for _, c := range cases {
		_, imp, text := describeVerdict(c.v)
		if imp != c.imp || !strings.Contains(text, c.says) {
			t.Errorf("%+v: importance %v, %q; want %v containing %q", c.v, imp, text, c.imp, c.says)
		}
	}
}
