package ocm

// OCM states as the workspace summary reports them.
const (
	// ocm_status: whether the current runs raised impacts.
	OCMNoImpacts     = "no_impacts"
	OCMImpactsRaised = "impacts_raised"
	// ocm_review_status: how far their acknowledgement is.
	ReviewNotRequired  = "not_required"
	ReviewPending      = "pending_acknowledgement"
	ReviewNeedsReview  = "needs_review"
	ReviewAcknowledged = "acknowledged"
)

// StageStatus is the OCM stage's part of the workspace summary over the
// current runs.
type StageStatus struct {
	Total        int
	Acknowledged int
	Pending      int
	NeedsReview  int
}

// ReadStatus counts the impact rows of the given current runs by
// acknowledgement status, inside the caller's transaction.
func ReadStatus(tx StatusTx, runIDs []string) (StageStatus, error) {
	var st StageStatus
	for _, id := range runIDs {
		counts, err := tx.AckCounts(id)
		if err != nil {
			return st, err
		}
		st.Acknowledged += counts[StatusAcknowledged]
		st.Pending += counts[StatusPending]
		st.NeedsReview += counts[StatusNeedsReview]
	}
	st.Total = st.Acknowledged + st.Pending + st.NeedsReview
	return st, nil
}

// Status is ocm_status.
func (st StageStatus) Status() string {
	if st.Total == 0 {
		return OCMNoImpacts
	}
	return OCMImpactsRaised
}

// Review is ocm_review_status: needs review wins over pending, since a
// changed impact must be looked at again before anything else.
func (st StageStatus) Review() string {
	switch {
	case st.Total == 0:
		return ReviewNotRequired
	case st.NeedsReview > 0:
		return ReviewNeedsReview
	case st.Pending > 0:
		return ReviewPending
	}
	return ReviewAcknowledged
}
