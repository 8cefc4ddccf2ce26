package readiness

import (
	"fmt"
	"slices"
	"strings"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/engine/merge"
	"github.com/portal-id/migration-console/engine/ocm"
	"github.com/portal-id/migration-console/engine/workspace"
)

// currentRuns are the runs whose impacts and decisions the gate reads:
// each configured source's newest assessment run, when it is completed.
func currentRuns(tx Tx, in *input) ([]string, error) {
	st, err := assessment.ReadStatus(tx)
	if err != nil {
		return nil, err
	}
	var ids []string
	for sourceID, r := range st.Latest {
		if in.configured[sourceID] && r.Status == assessment.StatusCompleted {
			ids = append(ids, r.ID)
		}
	}
	slices.Sort(ids)
	return ids, nil
}

// readOCM: every OCM impact of the current runs must be acknowledged; one
// that changed since it was acknowledged needs review.
func readOCM(tx Tx, in *input) error {
	ids, err := currentRuns(tx, in)
	if err != nil || len(ids) == 0 {
		return err // none: not_started, and the assessment part blocks
	}
	st, err := ocm.ReadStatus(tx, ids)
	if err != nil {
		return err
	}
	in.sum.OCMStatus, in.sum.OCMReviewStatus = st.Status(), st.Review()
	if st.Pending > 0 {
		in.blockN(BlockerOCMUnacknowledged, st.Pending, fmt.Sprintf("Acknowledge %s.", count(st.Pending, "OCM impact")))
	}
	if st.NeedsReview > 0 {
		in.blockN(BlockerOCMNeedsReview, st.NeedsReview, fmt.Sprintf("Review %s that changed since acknowledged.", count(st.NeedsReview, "OCM impact")))
	}
	return nil
}

// readMerge: in merge_into_existing every decision of the current runs
// must be resolved and each run must have read the live target. In
// first_run_adoption the live target must be empty, as the runs read it.
func readMerge(tx Tx, in *input) error {
	ids, err := currentRuns(tx, in)
	if err != nil || len(ids) == 0 {
		return err
	}
	st, err := merge.ReadStatus(tx, ids)
	if err != nil {
		return err
	}
	if n := len(st.Unscanned); n > 0 {
		in.blockN(BlockerLiveTargetNotRead, n, fmt.Sprintf("%s ran before the live target was checked: run it again.", count(n, "current assessment")))
	}
	for _, sc := range st.Scans {
		switch sc.Status {
		case merge.ScanRead:
		case merge.ScanFailed:
			in.blockN(BlockerLiveTargetNotRead, 1, "The live target could not be read ("+sc.Reason+"): run the assessment again once it answers.")
		default:
			in.blockN(BlockerLiveTargetNotRead, 1, "The live target was not read: "+sc.Reason+".")
		}
	}
	if in.ws.Mode != workspace.ModeMergeIntoExisting {
		for _, sc := range st.Scans {
			if sc.Status == merge.ScanRead && !sc.Empty() {
				n, what := liveContents(sc)
				in.blockN(BlockerLiveTargetNotEmpty, n, "First-run adoption needs an empty target, but it holds "+what+
					": switch the workspace to merge_into_existing or clear the target.")
				break
			}
		}
		return nil
	}
	in.sum.PendingMergeDecisionCount, in.sum.ResolvedMergeDecisionCount = st.Pending, st.Resolved
	in.sum.MergeReviewStatus = st.Review()
	if st.Pending > 0 {
		in.blockN(BlockerMergePending, st.Pending, fmt.Sprintf("Decide %s.", count(st.Pending, "pending merge decision")))
	}
	return nil
}

// liveContents names what a scan found: counts per noun and a few names.
func liveContents(sc merge.Scan) (int, string) {
	total := 0
	var parts []string
	for _, noun := range []assessment.Noun{assessment.NounUpstreamProvider, assessment.NounRoutingRule, assessment.NounGroup,
		assessment.NounApplication, assessment.NounAppAssignment} {
		n := sc.Counts[noun]
		if n == 0 {
			continue
		}
		total += n
		part := count(n, strings.ReplaceAll(string(noun), "_", " "))
		if names := sc.Samples[noun]; len(names) > 0 {
			part += " (" + strings.Join(quoted(names), ", ")
			if n > len(names) {
				part += ", …"
			}
			part += ")"
		}
		parts = append(parts, part)
	}
	return total, strings.Join(parts, ", ")
}

func quoted(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
