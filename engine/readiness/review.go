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

// readAssessment: every configured source with a completed snapshot must
// have its newest assessment run completed, and of its newest completed
// snapshot. Those runs are the current ones the OCM and merge parts read.
// assessment_status is the newest run's state among configured sources.
func readAssessment(tx Tx, in *input) error {
	st, err := assessment.ReadStatus(tx)
	if err != nil {
		return err
	}
	var newest, newestDone *assessment.Run
	ids := make([]string, 0, len(in.inventoried))
	for id := range in.inventoried {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	names := sourceNames(in.sources)
	for _, sourceID := range ids {
		snap := in.inventoried[sourceID]
		latest, ok := st.Latest[sourceID]
		if ok && (newest == nil || latest.StartedAt.After(newest.StartedAt)) {
			r := latest
			newest = &r
		}
		if done, ok := st.LatestCompleted[sourceID]; ok && (newestDone == nil || done.FinishedAt.After(*newestDone.FinishedAt)) {
			r := done
			newestDone = &r
		}
		switch {
		case !ok:
			in.block(BlockerNoCompletedAssessment, fmt.Sprintf("Run a compatibility assessment of source %q.", names[sourceID]))
		case latest.Status == assessment.StatusAssessing:
			in.block(BlockerAssessmentRunning, fmt.Sprintf("The assessment of source %q is still running.", names[sourceID]))
		case latest.Status == assessment.StatusFailed:
			in.block(BlockerAssessmentFailed, fmt.Sprintf("The latest assessment of source %q failed (%s): run it again.", names[sourceID], latest.Error))
		default:
			in.current = append(in.current, latest)
			in.sum.UnavoidableChangeCount += latest.UnavoidableChangeCount
			if latest.SnapshotID != snap.ID {
				in.block(BlockerAssessmentOutdated, fmt.Sprintf("Source %q has a newer snapshot than its latest assessment: assess it.", names[sourceID]))
			}
		}
	}
	if len(in.inventoried) == 0 {
		in.block(BlockerNoCompletedAssessment, "Run a compatibility assessment on a completed snapshot.")
	}
	if newest != nil {
		in.sum.AssessmentStatus = string(newest.Status)
		t := newest.StartedAt
		in.sum.LatestAssessmentStartedAt = &t
	}
	if newestDone != nil {
		t := *newestDone.FinishedAt
		in.sum.LatestAssessmentCompletedAt = &t
	}
	return nil
}

func sourceNames(sources []workspace.Source) map[string]string {
	out := make(map[string]string, len(sources))
	for _, s := range sources {
		out[s.ID] = s.Name
	}
	return out
}

// readOCM: every OCM impact of the current runs must be acknowledged; one
// that changed since it was acknowledged needs review.
func readOCM(tx Tx, in *input) error {
	if len(in.current) == 0 {
		return nil // not_started; the assessment part blocks
	}
	st, err := ocm.ReadStatus(tx, in.currentIDs())
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
	if len(in.current) == 0 {
		return nil
	}
	st, err := merge.ReadStatus(tx, in.currentIDs())
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
