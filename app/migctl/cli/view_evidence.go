package cli

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/portal-id/migration-console/engine/evidence"
)

// evidencePlanRow is one plan in evidence show's list.
type evidencePlanRow struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
	Executed  bool      `json:"executed"`
	Met       bool      `json:"handoff_criteria_met"`
}

// evidencePlans is what evidence show prints without --plan.
type evidencePlans struct {
	Plans []evidencePlanRow `json:"plans"`
}

func (v evidencePlans) human(w io.Writer) error {
	if len(v.Plans) == 0 {
		_, err := fmt.Fprintln(w, "No cutover plan exists in this workspace yet; evidence is recorded on one.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PLAN\tSTATUS\tCREATED\tAPPLIED\tHANDOFF CRITERIA")
	for _, p := range v.Plans {
		met := "not met"
		if p.Met {
			met = "met"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.ID, p.Status, formatTime(&p.CreatedAt), yesNo(p.Executed), met)
	}
	return tw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// evidenceShown is what evidence show --plan prints.
type evidenceShown struct{ evidence.View }

func (v evidenceShown) human(w io.Writer) error { return writeEvidence(w, v.View) }

// evidenceSaved is what set-rollback and set-completion print: what
// changed, then the plan's evidence as it now stands.
type evidenceSaved struct {
	Form    string            `json:"form"`
	Changes []evidence.Change `json:"changes"`
	evidence.View
}

func (v evidenceSaved) human(w io.Writer) error {
	if len(v.Changes) == 0 {
		fmt.Fprintf(w, "Nothing changed: the %s form already holds these values.\n\n", v.Form)
	} else {
		fmt.Fprintf(w, "Recorded the %s form of plan %s:\n", v.Form, v.Plan.ID)
		for _, c := range v.Changes {
			fmt.Fprintf(w, "  %s\n", c)
		}
		fmt.Fprintln(w)
	}
	return writeEvidence(w, v.View)
}

func orNotRecorded(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

func writeEvidence(w io.Writer, v evidence.View) error {
	p, r := v.Plan, v.Record
	fmt.Fprintf(w, "Cutover plan %s (%s, created %s)\n", p.ID, p.Status, formatTime(&p.CreatedAt))
	if p.Execution != nil {
		fmt.Fprintf(w, "Execution: run %s, %s, started %s\n", p.Execution.ID, p.Execution.Status, formatTime(&p.Execution.StartedAt))
	} else {
		fmt.Fprintln(w, "Execution: not applied")
	}
	met := "NOT MET"
	if v.Met {
		met = "met"
	}
	fmt.Fprintf(w, "\nHandoff criteria: %s\n", met)
	for _, c := range v.Criteria {
		mark := "[ ]"
		if c.Met {
			mark = "[x]"
		}
		fmt.Fprintf(w, "  %s %s: %s\n", mark, c.Label, c.Why)
	}
	if len(p.Blocked)+len(p.ManualFollowUp) > 0 {
		fmt.Fprintln(w, "\nBlocked and manual-follow-up steps (they stay listed):")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, s := range p.Blocked {
			fmt.Fprintf(tw, "  blocked\t%s\t%s\n", s.Name, s.Reason)
		}
		for _, s := range p.ManualFollowUp {
			fmt.Fprintf(tw, "  manual_follow_up\t%s\t%s\n", s.Name, s.Reason)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nRollback guidance (recorded by the operator%s)\n", by(r.RollbackUpdatedBy, r.RollbackUpdatedAt))
	fmt.Fprintf(w, "  Summary: %s\n  Owner:   %s\n", orNotRecorded(r.Rollback.Summary), orNotRecorded(r.Rollback.Owner))
	for i, s := range r.Rollback.Steps {
		fmt.Fprintf(w, "  %d. %s\n", i+1, s)
	}
	c := r.Completion
	fmt.Fprintf(w, "\nCompletion evidence (recorded by the operator%s)\n", by(r.CompletionUpdatedBy, r.CompletionUpdatedAt))
	fmt.Fprintf(w, "  Communications complete: %s\n  Communications summary:  %s\n  Artifact or ticket:      %s\n",
		yesNo(c.CommunicationsComplete), orNotRecorded(c.CommunicationsSummary), orNotRecorded(c.ArtifactReference))
	fmt.Fprintf(w, "  Manual validation:       %s\n  Follow-up reviewed:      %s\n  Follow-up summary:       %s\n",
		orNotRecorded(c.ManualValidationSummary), yesNo(c.FollowUpReviewed), orNotRecorded(c.FollowUpSummary))
	fmt.Fprintln(w, "\nProbe results (collected by the console, not entered)")
	if len(p.Probes) == 0 {
		_, err := fmt.Fprintln(w, "  none recorded")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, pr := range p.Probes {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", pr.Name, strings.ToUpper(pr.Outcome), formatTime(&pr.At), pr.Detail)
	}
	return tw.Flush()
}

func by(who string, at *time.Time) string {
	if at == nil {
		return "; nothing yet"
	}
	return fmt.Sprintf(" %s, %s", who, formatTime(at))
}
