package inventory

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Secrets is the part of the keychain collection needs: the source
// credential, the workspace key (engine/keys) and the vendor secrets a
// migration needs (secrets.go).
type Secrets interface {
	Get(ctx context.Context, workspaceID, role string) (secret.Value, error)
	Set(ctx context.Context, workspaceID, role string, v secret.Value) error
}

// Progress is a collection's running tally, reported about ten times a
// second and once at the end.
type Progress struct {
	Pages map[string]int `json:"pages"` // by inventory domain
	Items map[Kind]int   `json:"items"`
	// Members counts the group memberships read (one per group and
	// member).
	Members int           `json:"members"`
	Waiting *Wait         `json:"waiting,omitempty"`
	Elapsed time.Duration `json:"elapsed"`
	Done    bool          `json:"done"`
}

// Service runs the inventory stage against one workspace file.
type Service struct {
	Store   Store
	Secrets Secrets
	// Incumbents opens each source kind's collector (the vendor registry)
	// and names the secret-bearing fields of its payloads, which the
	// evidence transport redacts (engine/redact).
	Incumbents Incumbents
	Actor      string
	Now        func() time.Time
	// BatchSize is the number of items written per transaction (default 500).
	BatchSize int
	// StaleAfter is how long a collecting snapshot may go without a
	// heartbeat before another collection declares it interrupted (default
	// 30 s; heartbeats are written every StaleAfter/6).
	StaleAfter time.Duration
	// Network bounds every request to an incumbent, token requests
	// included: its timeouts and the largest response body (zero fields
	// take netguard's defaults, docs/network.md). A collection's
	// CollectOptions.MaxBody overrides the body limit.
	Network netguard.Bounds
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) staleAfter() time.Duration {
	if s.StaleAfter > 0 {
		return s.StaleAfter
	}
	return 30 * time.Second
}

// ErrSourceNotReady is returned for archived workspaces and non-configured
// sources, which the migration contract forbids to collect
// (docs/migration-contract.md).
var ErrSourceNotReady = errors.New("source cannot collect")

// CollectOptions tune one collection.
type CollectOptions struct {
	// RateShare is the share of each rate-limit window the collection may
	// spend, leaving the rest to the customer's own integrations: more
	// than 0 and at most 1; 0 means DefaultShare. Pacer says what it means
	// for each vendor's kind of budget.
	RateShare float64
	// MaxDuration is the collection's overall budget: once it has run
	// this long it is stopped and recorded as failed, keeping every page
	// it fetched. 0 means DefaultMaxDuration.
	MaxDuration time.Duration
	// MaxWait bounds any single rate-limit wait the server asks for (a
	// window's reset, a Retry-After); a longer one fails the collection,
	// naming when the server said to come back. 0 means DefaultMaxWait.
	MaxWait time.Duration
	// MaxBody bounds one response body, decompressed; 0 takes the
	// Service's Network bound.
	MaxBody int64
}

// DefaultMaxDuration is a collection's budget unless the operator sets
// one: a collection paced at half of Okta's per-app windows reads the
// assignments of 10,000 apps in about three hours, so four times that is
// stuck, not slow (docs/network.md).
const DefaultMaxDuration = 12 * time.Hour

// ErrOverBudget is wrapped by the error of a collection stopped at its
// MaxDuration.
var ErrOverBudget = errors.New("collection over its time budget")

// budgetError ends a collection's context at its MaxDuration.
type budgetError struct{ budget time.Duration }

func (e budgetError) Error() string {
	return fmt.Sprintf("the collection ran for its whole time budget of %s and was stopped; it keeps every page fetched so far", e.budget)
}

func (e budgetError) Is(target error) bool {
	return target == ErrOverBudget || target == context.DeadlineExceeded
}

func (o CollectOptions) check() error {
	switch {
	case o.MaxDuration < 0:
		return fmt.Errorf("%w: a collection's time budget must be positive, not %s", workspace.ErrInvalid, o.MaxDuration)
	case o.MaxWait < 0:
		return fmt.Errorf("%w: the longest rate-limit wait must be positive, not %s", workspace.ErrInvalid, o.MaxWait)
	case o.MaxBody < 0:
		return fmt.Errorf("%w: the response size limit must be positive, not %d bytes", workspace.ErrInvalid, o.MaxBody)
	}
	return nil
}

func (o CollectOptions) budget() time.Duration {
	if o.MaxDuration > 0 {
		return o.MaxDuration
	}
	return DefaultMaxDuration
}

func (o CollectOptions) share() (float64, error) {
	if o.RateShare == 0 {
		return DefaultShare, nil
	}
	if err := CheckShare(o.RateShare); err != nil {
		return 0, fmt.Errorf("%w: %v", workspace.ErrInvalid, err)
	}
	return o.RateShare, nil
}

// Collect takes a snapshot of the named source. The snapshot is durable in
// state collecting before the first request leaves; it ends completed only
// after every item and page is persisted, and failed (with the error and
// all evidence kept) otherwise, cancellation included. progress may be nil.
func (s *Service) Collect(ctx context.Context, sourceName string, opts CollectOptions, progress func(Progress)) (Snapshot, error) {
	share, err := opts.share()
	if err != nil {
		return Snapshot{}, err
	}
	if err := opts.check(); err != nil {
		return Snapshot{}, err
	}
	inc, err := s.incumbent(ctx, sourceName)
	if err != nil {
		return Snapshot{}, fmt.Errorf("start collection from %q: %w", sourceName, err)
	}
	snap, ws, src, err := s.start(ctx, sourceName)
	if err != nil {
		return Snapshot{}, err
	}
	cred, err := s.Secrets.Get(ctx, ws.ID, workspace.SourceRole(src.Name))
	if err != nil {
		err = fmt.Errorf("read the source credential from the keychain: %w", err)
		return s.fail(snap, ws, err, inc, cred)
	}

	redactor, err := s.redactor(ctx, ws, inc.PayloadSecrets())
	if err != nil {
		return s.fail(snap, ws, err, inc, cred)
	}

	run := newRun(s, snap.ID, ws.ID, src.ID, progress)
	hbCtx, stopHeartbeat := context.WithCancel(context.Background())
	hbDone := make(chan struct{})
	go func() { defer close(hbDone); s.heartbeat(hbCtx, snap.ID) }()

	callerCtx := ctx
	ctx, stopBudget := context.WithTimeoutCause(ctx, opts.budget(), budgetError{opts.budget()})
	defer stopBudget()
	collectErr := func() error {
		// Pacing goes above the evidence transport, so it sees every
		// request, retries included, and evidence records every response
		// and redacts it before anything else sees it. The network bounds
		// go below both: evidence reads every body through the limit.
		pacing := inc.Pacing()
		pacing.Share, pacing.OnWait, pacing.MaxWait = share, run.onWait, opts.MaxWait
		bounds := s.Network
		if opts.MaxBody > 0 {
			bounds.MaxBody = opts.MaxBody
		}
		network := &netguard.Transport{Base: vendorTransport(), Bounds: bounds, Stop: ctx}
		client := &http.Client{Transport: NewPacer(NewEvidence(network, run, redactor, nil), pacing)}
		collector, err := inc.Open(ctx, src.Settings, cred, client)
		if err != nil {
			return fmt.Errorf("connect to %s source %q: %w", inc.Label(), src.Name, err)
		}
		if err := collector.Collect(ctx, run); err != nil {
			return err
		}
		return run.flush(ctx)
	}()
	stopHeartbeat()
	<-hbDone
	run.report(true)

	if collectErr != nil {
		switch over := context.Cause(ctx); {
		case callerCtx.Err() != nil && errors.Is(collectErr, callerCtx.Err()):
			collectErr = fmt.Errorf("collection cancelled: %w", collectErr)
		case errors.Is(over, ErrOverBudget):
			collectErr = over
		}
		return s.fail(snap, ws, collectErr, inc, cred)
	}
	return s.complete(snap, ws, src, share, run.secretFacts())
}

// incumbent finds the platform of the named source, so a source of a kind
// this build does not know is refused before a snapshot is started.
func (s *Service) incumbent(ctx context.Context, sourceName string) (Incumbent, error) {
	var src workspace.Source
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		src, err = findSource(tx, sourceName)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.Incumbents == nil {
		return nil, errors.New("this build offers no incumbent platforms")
	}
	return s.Incumbents.Incumbent(src.Kind)
}

func findSource(tx Tx, name string) (workspace.Source, error) {
	sources, err := tx.Sources()
	if err != nil {
		return workspace.Source{}, err
	}
	for _, o := range sources {
		if o.Name == name {
			return o, nil
		}
	}
	return workspace.Source{}, fmt.Errorf("source %q: %w", name, workspace.ErrSourceNotFound)
}

// vendorTransport is the network transport of one collection. The
// collectors run many workers against one host; the default transport keeps
// two idle connections per host, so most requests would open a new TLS
// connection.
func vendorTransport() http.RoundTripper {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

func (s *Service) start(ctx context.Context, sourceName string) (Snapshot, workspace.Workspace, workspace.Source, error) {
	var snap Snapshot
	var ws workspace.Workspace
	var src workspace.Source
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		if ws.Status == workspace.StatusArchived {
			return fmt.Errorf("%w: the workspace is archived", ErrSourceNotReady)
		}
		if src, err = findSource(tx, sourceName); err != nil {
			return err
		}
		if src.Status != workspace.SourceConfigured {
			return fmt.Errorf("%w: source %q is %s", ErrSourceNotReady, src.Name, src.Status)
		}
		if err := s.expireStale(tx, ws, src.ID); err != nil {
			return err
		}
		now := s.now()
		snap = Snapshot{
			ID: workspace.NewID(), SourceID: src.ID, SourceName: src.Name, SourceKind: src.Kind,
			Status: StatusCollecting, StartedAt: now, HeartbeatAt: now, Owner: owner(),
			Counts: map[Kind]int{},
		}
		return tx.InsertSnapshot(snap)
	})
	if err != nil {
		return Snapshot{}, ws, src, fmt.Errorf("start collection from %q: %w", sourceName, err)
	}
	return snap, ws, src, nil
}

// expireStale fails a collecting snapshot of the source whose process
// stopped heartbeating (killed, crashed, laptop closed), so it is never
// mistaken for a completed one and does not block the source forever.
func (s *Service) expireStale(tx Tx, ws workspace.Workspace, sourceID string) error {
	snaps, err := tx.Snapshots()
	if err != nil {
		return err
	}
	cutoff := s.now().Add(-s.staleAfter())
	for _, old := range snaps {
		if old.SourceID != sourceID || old.Status != StatusCollecting || old.HeartbeatAt.After(cutoff) {
			continue
		}
		now := s.now()
		old.Status, old.FinishedAt = StatusFailed, &now
		old.Error = fmt.Sprintf("interrupted: the collecting process (%s) stopped without finishing; last heartbeat %s", old.Owner, old.HeartbeatAt.Format(time.RFC3339))
		if err := countStored(tx, &old); err != nil {
			return err
		}
		if err := tx.UpdateSnapshot(old); err != nil {
			return err
		}
		if _, err := audit.Record(tx, s.entry(ws, audit.InventoryCollectionFailed, old, map[string]string{
			"error": old.Error, "pages_kept": fmt.Sprint(old.PageCount), "items_kept": fmt.Sprint(old.ItemCount),
		})); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) heartbeat(ctx context.Context, snapshotID string) {
	t := time.NewTicker(s.staleAfter() / 6)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			// A failed heartbeat is not fatal: the collection's own writes
			// will fail too if the file is gone, and a missed beat only
			// risks another process declaring this run stale.
			_ = s.Store.Update(ctx, func(tx Tx) error {
				snap, err := tx.Snapshot(snapshotID)
				if err != nil || snap.Status != StatusCollecting {
					return err
				}
				snap.HeartbeatAt = s.now()
				return tx.UpdateSnapshot(snap)
			})
		}
	}
}

// finalise runs the closing transaction with a fresh context: the caller's
// may be cancelled, and the outcome must still be written.
func (s *Service) finalise(fn func(tx Tx) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return s.Store.Update(ctx, fn)
}

func (s *Service) complete(snap Snapshot, ws workspace.Workspace, src workspace.Source, share float64, secretFacts map[string]string) (Snapshot, error) {
	err := s.finalise(func(tx Tx) error {
		cur, err := tx.Snapshot(snap.ID)
		if err != nil {
			return err
		}
		if cur.Status != StatusCollecting {
			return fmt.Errorf("snapshot %s was marked %s while collecting (%s)", snap.ID, cur.Status, cur.Error)
		}
		if err := resolveNames(tx, snap.ID); err != nil {
			return err
		}
		counts, pages, err := tx.CountItems(snap.ID)
		if err != nil {
			return err
		}
		now := s.now()
		snap = cur
		snap.Status, snap.FinishedAt, snap.HeartbeatAt = StatusCompleted, &now, now
		snap.Counts, snap.PageCount, snap.ItemCount = counts, pages, 0
		for _, n := range counts {
			snap.ItemCount += n
		}
		if err := tx.UpdateSnapshot(snap); err != nil {
			return err
		}
		sources, err := tx.Sources()
		if err != nil {
			return err
		}
		for _, o := range sources {
			if o.ID == src.ID {
				o.LastInventoryAt = &now
				if err := tx.SaveSource(o); err != nil {
					return err
				}
			}
		}
		membership, err := tx.MembershipSummary(snap.ID)
		if err != nil {
			return err
		}
		facts := map[string]string{"source": src.Name, "items": fmt.Sprint(snap.ItemCount), "pages": fmt.Sprint(pages),
			"rate_share": strconv.FormatFloat(share, 'f', -1, 64), "memberships": fmt.Sprint(membership.Memberships),
			"membership_groups_listed": fmt.Sprint(membership.Listed)}
		for k, n := range counts {
			facts["count."+string(k)] = fmt.Sprint(n)
		}
		for k, v := range secretFacts {
			facts[k] = v
		}
		_, err = audit.Record(tx, s.entry(ws, audit.InventoryCollected, snap, facts))
		return err
	})
	if err != nil {
		return Snapshot{}, fmt.Errorf("complete snapshot %s: %w", snap.ID, err)
	}
	return snap, nil
}

// fail records the snapshot as failed and returns it with the cause. The
// error text is scrubbed of the credential in case a transport echoed it.
func (s *Service) fail(snap Snapshot, ws workspace.Workspace, cause error, inc Incumbent, cred secret.Value) (Snapshot, error) {
	msg := inc.Scrub(cause.Error(), cred)
	err := s.finalise(func(tx Tx) error {
		cur, err := tx.Snapshot(snap.ID)
		if err != nil {
			return err
		}
		now := s.now()
		snap = cur
		snap.Status, snap.FinishedAt, snap.Error = StatusFailed, &now, msg
		if err := countStored(tx, &snap); err != nil {
			return err
		}
		if err := tx.UpdateSnapshot(snap); err != nil {
			return err
		}
		_, err = audit.Record(tx, s.entry(ws, audit.InventoryCollectionFailed, snap, map[string]string{
			"source": snap.SourceName, "error": msg, "pages_kept": fmt.Sprint(snap.PageCount), "items_kept": fmt.Sprint(snap.ItemCount),
		}))
		return err
	})
	if err != nil {
		return snap, fmt.Errorf("collection failed (%s) and the failure could not be recorded: %w", msg, err)
	}
	return snap, &failedError{msg: fmt.Sprintf("collection from %q failed: %s", snap.SourceName, msg), cause: cause}
}

// failedError is a failed collection's error: its text is scrubbed of the
// credential, and errors.Is still sees its cause's sentinels
// (ErrWaitTooLong, ErrOverBudget, netguard.ErrBodyLimit, context.Canceled),
// so each front end can say how to fix it. It does not unwrap: the cause's
// own text may hold what was scrubbed.
type failedError struct {
	msg   string
	cause error
}

func (e *failedError) Error() string        { return e.msg }
func (e *failedError) Is(target error) bool { return errors.Is(e.cause, target) }

func (s *Service) entry(ws workspace.Workspace, event string, snap Snapshot, facts map[string]string) audit.Entry {
	facts["source_id"], facts["source_kind"], facts["status"] = snap.SourceID, string(snap.SourceKind), string(snap.Status)
	return audit.Entry{At: s.now(), Event: event, Tenant: ws.Tenant, Actor: s.Actor, TargetID: snap.ID, Facts: facts}
}

func owner() string {
	host, _ := os.Hostname()
	return fmt.Sprintf("%s/pid %d", host, os.Getpid())
}

// Snapshots lists every snapshot, newest first. A collecting snapshot whose
// process stopped heartbeating is shown as failed (interrupted), with the
// items and pages it stored: it is never presented as in progress, and
// never as completed.
func (s *Service) Snapshots(ctx context.Context) ([]Snapshot, error) {
	var out []Snapshot
	cutoff := s.now().Add(-s.staleAfter())
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if out, err = tx.Snapshots(); err != nil {
			return err
		}
		for i, sn := range out {
			if sn.Status == StatusCollecting && !sn.HeartbeatAt.After(cutoff) {
				out[i].Status = StatusFailed
				out[i].Error = "interrupted: the collecting process stopped without finishing"
				if err := countStored(tx, &out[i]); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	return out, nil
}

// countStored sets a snapshot's counts to what the file holds for it: the
// items by kind and the evidence pages. A snapshot that did not complete
// says what it kept.
func countStored(tx Tx, snap *Snapshot) error {
	counts, pages, err := tx.CountItems(snap.ID)
	if err != nil {
		return err
	}
	snap.Counts, snap.PageCount, snap.ItemCount = counts, pages, 0
	for _, n := range counts {
		snap.ItemCount += n
	}
	return nil
}

// Snapshot returns one snapshot by id, or the newest when id is "".
func (s *Service) Snapshot(ctx context.Context, id string) (Snapshot, error) {
	snaps, err := s.Snapshots(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	for _, sn := range snaps {
		if id == "" || sn.ID == id {
			return sn, nil
		}
	}
	if id == "" {
		return Snapshot{}, fmt.Errorf("no inventory snapshot yet: %w", ErrSnapshotNotFound)
	}
	return Snapshot{}, fmt.Errorf("snapshot %s: %w", id, ErrSnapshotNotFound)
}

// Items runs an item query.
func (s *Service) Items(ctx context.Context, q ItemQuery) (ItemPage, error) {
	var page ItemPage
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		page, err = tx.QueryItems(q)
		return err
	})
	if err != nil {
		return ItemPage{}, fmt.Errorf("query items: %w", err)
	}
	return page, nil
}

// ItemDetail returns an item and the evidence page it came from.
func (s *Service) ItemDetail(ctx context.Context, snapshotID string, id int64) (StoredItem, []Page, error) {
	var item StoredItem
	var pages []Page
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if item, err = tx.Item(snapshotID, id); err != nil {
			return err
		}
		if item.EvidencePage != 0 {
			pages, err = tx.Pages(snapshotID, []int64{item.EvidencePage}, false)
		}
		return err
	})
	if err != nil {
		return StoredItem{}, nil, fmt.Errorf("item %d: %w", id, err)
	}
	return item, pages, nil
}

// run is one collection's sink: evidence pages and items go to the store in
// batched transactions, one writer at a time, and progress is tallied.
type run struct {
	s           *Service
	snapshotID  string
	workspaceID string
	sourceID    string
	progress    func(Progress)
	started     time.Time

	mu       sync.Mutex
	batch    []Item
	members  []Member
	listings []MemberListing
	pages    map[string]int
	items    map[Kind]int
	nMembers int
	waiting  *Wait
	reported time.Time
	writeMu  sync.Mutex

	secrets secretTally
}

func newRun(s *Service, snapshotID, workspaceID, sourceID string, progress func(Progress)) *run {
	return &run{s: s, snapshotID: snapshotID, workspaceID: workspaceID, sourceID: sourceID, progress: progress,
		started: time.Now(), pages: map[string]int{}, items: map[Kind]int{}}
}

func (r *run) batchSize() int {
	if r.s.BatchSize > 0 {
		return r.s.BatchSize
	}
	return 500
}

// SavePage implements PageSink: a page is durable before the SDK sees it,
// and the plain values of the secrets a migration needs are in the
// keychain before it is.
func (r *run) SavePage(ctx context.Context, p Page) error {
	// The vendor answered: keep its page, and the secrets the migration
	// needs from it, even when the collection is being stopped (another
	// listing failed, Ctrl-C), so a failed snapshot holds every answer it
	// got.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	r.keepSecrets(ctx, p.Redactions)
	r.writeMu.Lock()
	err := r.s.Store.Update(ctx, func(tx Tx) error { return tx.SavePages(r.snapshotID, []Page{p}) })
	r.writeMu.Unlock()
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.pages[p.Domain]++
	r.waiting = nil
	r.mu.Unlock()
	r.report(false)
	return nil
}

// Emit implements Emitter.
func (r *run) Emit(ctx context.Context, items ...Item) error {
	r.mu.Lock()
	r.batch = append(r.batch, items...)
	for _, it := range items {
		r.items[it.Kind]++
	}
	full := len(r.batch) >= r.batchSize()
	r.mu.Unlock()
	r.report(false)
	if full {
		return r.flush(ctx)
	}
	return nil
}

// EmitMembers implements MemberSink: members are batched like items.
func (r *run) EmitMembers(ctx context.Context, members ...Member) error {
	r.mu.Lock()
	r.members = append(r.members, members...)
	r.nMembers += len(members)
	full := len(r.members) >= r.batchSize()
	r.mu.Unlock()
	r.report(false)
	if full {
		return r.flush(ctx)
	}
	return nil
}

// MembersListed implements MemberSink: the listing joins the batch that
// holds (or follows) its last members, so it is stored with them.
func (r *run) MembersListed(ctx context.Context, l MemberListing) error {
	r.mu.Lock()
	r.listings = append(r.listings, l)
	full := len(r.listings) >= r.batchSize()
	r.mu.Unlock()
	if full {
		return r.flush(ctx)
	}
	return nil
}

// flush stores the items, members and listings gathered so far in one
// transaction. Taking all three under one lock keeps a listing in the same
// batch as its group's last members, or a later one.
func (r *run) flush(ctx context.Context) error {
	r.writeMu.Lock()
	defer r.writeMu.Unlock()
	r.mu.Lock()
	batch, members, listings := r.batch, r.members, r.listings
	r.batch, r.members, r.listings = nil, nil, nil
	r.mu.Unlock()
	if len(batch)+len(members)+len(listings) == 0 {
		return nil
	}
	err := r.s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SaveItems(r.snapshotID, batch); err != nil {
			return err
		}
		if err := tx.SaveMembers(r.snapshotID, members); err != nil {
			return err
		}
		return tx.SaveMemberListings(r.snapshotID, listings)
	})
	if err != nil {
		return fmt.Errorf("store %d items and %d group members: %w", len(batch), len(members), err)
	}
	return nil
}

func (r *run) onWait(w Wait) {
	r.mu.Lock()
	r.waiting = &w
	// A wait is news however recent the last report: without this, one
	// that starts within the throttle is never shown.
	r.reported = time.Time{}
	r.mu.Unlock()
	r.report(false)
}

// report sends progress at most ten times a second, and always when done.
func (r *run) report(done bool) {
	if r.progress == nil {
		return
	}
	r.mu.Lock()
	now := time.Now()
	if !done && now.Sub(r.reported) < 100*time.Millisecond {
		r.mu.Unlock()
		return
	}
	r.reported = now
	p := Progress{Pages: copyMap(r.pages), Items: copyMap(r.items), Members: r.nMembers, Elapsed: now.Sub(r.started), Done: done}
	if r.waiting != nil {
		w := *r.waiting
		p.Waiting = &w
	}
	r.mu.Unlock()
	r.progress(p)
}

func copyMap[K comparable](m map[K]int) map[K]int {
	out := make(map[K]int, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// SortedDomains returns a progress map's domains in a stable order.
func SortedDomains(pages map[string]int) []string {
	out := make([]string, 0, len(pages))
	for d := range pages {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}
