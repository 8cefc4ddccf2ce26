package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
)

// auditVerification is what audit verify prints: the chain's verdict and
// how the trail compares with this machine's keychain.
type auditVerification struct {
	OK      bool              `json:"ok"`
	Entries int               `json:"entries"`
	Break   *audit.Break      `json:"break"`
	Anchor  audit.AnchorState `json:"anchor"`
	// FileChangedOutside: the file's bytes changed after the console last
	// closed it, without a console writing to it (other commands refuse
	// such a file as damaged).
	FileChangedOutside bool `json:"file_changed_outside_console"`
}

const changedOutside = "The workspace file changed after the console last closed it, and no console wrote to it since: other commands refuse it as damaged"

func newAuditVerification(v audit.Verdict, changed bool) auditVerification {
	return auditVerification{OK: v.OK(), Entries: v.Entries, Break: v.Break, Anchor: v.Anchor, FileChangedOutside: changed}
}

func (v auditVerification) human(w io.Writer) error {
	if v.Break != nil {
		return nil // the failure is reported on stderr
	}
	noun := "entries"
	if v.Entries == 1 {
		noun = "entry"
	}
	if v.FileChangedOutside {
		fmt.Fprintln(w, changedOutside+".")
	}
	_, err := fmt.Fprintf(w, "Audit trail intact: %d %s, each linked to the one before.\n%s\n", v.Entries, noun, v.Anchor.Note)
	return err
}

// failure is the error audit verify exits with, nil when nothing is
// broken (an unanchored tail is a warning in the output).
func (v auditVerification) failure() error {
	b := v.Break
	if b == nil {
		return nil
	}
	cause := "; the workspace file was changed outside the console"
	switch b.Kind {
	case audit.BreakEmptied, audit.BreakRewritten, audit.BreakRolledBack, audit.BreakCutShort, audit.BreakAnchorForged:
		cause = "" // the reason says how
	}
	if v.FileChangedOutside {
		cause += "; " + strings.ToLower(changedOutside[:1]) + changedOutside[1:]
	}
	if b.Kind == audit.BreakRolledBack {
		cause += "; if you restored this copy on purpose, run 'migctl audit accept --reason TEXT'"
	}
	return fmt.Errorf("the audit trail is broken at %w%s", *b, cause)
}

// auditAccepted is what audit accept prints: the finding it settled (null
// when the trail already matched its anchor) and the verdict after.
type auditAccepted struct {
	Accepted *audit.Break      `json:"accepted"`
	Verdict  auditVerification `json:"verdict"`
}

func (v auditAccepted) human(w io.Writer) error {
	if v.Accepted == nil {
		_, err := fmt.Fprintf(w, "Nothing to accept: the audit trail matches this machine's anchor.\n%s\n", v.Verdict.Anchor.Note)
		return err
	}
	_, err := fmt.Fprintf(w, "Accepted the trail as the file holds it (was: %s). The acceptance is entry %d, and the trail is anchored there.\n",
		v.Accepted.Reason, v.Verdict.Anchor.Seq)
	return err
}
