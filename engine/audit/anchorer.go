package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"
)

// AnchorStore keeps each workspace's anchor outside its file, in the OS
// keychain (storage/keychain implements it).
type AnchorStore interface {
	// LoadAnchor returns the stored anchor, or an error wrapping
	// ErrNoAnchor when there is none, or ErrAnchorMalformed.
	LoadAnchor(ctx context.Context, workspaceID string) (Head, error)
	SaveAnchor(ctx context.Context, workspaceID string, h Head) error
}

// Tail is the end of the stored trail.
type Tail struct {
	Head Head
	// Last is the highest sequence number stored, 0 when there is none,
	// and LastHash that entry's hash.
	Last     int64
	LastHash string
	// Entries are the stored entries from the asked sequence number on, in
	// sequence order.
	Entries []Entry
}

// TrailReader reads the stored trail (the workspace file).
type TrailReader interface {
	TrailFrom(ctx context.Context, from int64) (Tail, error)
}

// DefaultAnchorInterval is the shortest time between two anchor writes. A
// keychain write costs milliseconds (a D-Bus round trip to the Secret
// Service: about 17 ms on a loaded CI machine, BenchmarkSet in
// storage/keychain), so anchoring each of a 10,000-step apply's entries
// would add minutes; anchoring at most twice a second costs a few percent
// of one background goroutine, and a crash leaves at most the last half
// second of entries unanchored (they are still sealed in the file, and the
// next open anchors them).
const DefaultAnchorInterval = 500 * time.Millisecond

// AnchorerConfig is what an Anchorer works with.
type AnchorerConfig struct {
	WorkspaceID string
	Sealer      *Sealer
	Store       AnchorStore
	Trail       TrailReader
	// Note appends an AuditTrailAnchored entry with facts to the trail, in
	// its own transaction.
	Note func(ctx context.Context, facts map[string]string) error
	// Interval is the least time between two background anchor writes
	// (DefaultAnchorInterval when 0).
	Interval time.Duration
	// Timeout bounds one background anchoring (10 s when 0); the keychain
	// has its own, shorter, per-call timeout.
	Timeout time.Duration
}

// Anchorer keeps the keychain's anchor in step with one workspace's trail.
// Call Committed after every transaction that appended entries: it anchors
// in the background, at most once per Interval. Close anchors what is left.
// It never moves the anchor to a trail that does not extend the anchored
// one: once it finds a break it stops, so the keychain keeps the evidence.
type Anchorer struct {
	cfg AnchorerConfig
	run sync.Mutex // one anchoring at a time

	mu       sync.Mutex
	anchored *Head // the keychain's anchor, as last read or written
	halted   *Break
	pending  bool
	timer    *time.Timer
	lastRun  time.Time
	closed   bool
	err      error // the last background anchoring's failure
}

// NewAnchorer returns an anchorer that has not read the keychain yet: call
// Resume when opening a workspace, or AnchorNow right after creating one.
func NewAnchorer(cfg AnchorerConfig) *Anchorer {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultAnchorInterval
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Anchorer{cfg: cfg}
}

// Resume compares the trail with the keychain's anchor and returns what it
// found, before doing anything about it. Then: a trail that extends the
// anchor is anchored at its head (adopting, with an AuditTrailAnchored
// entry, entries appended without the key); a workspace never anchored on
// this machine is anchored after its whole chain verifies, with such an
// entry; a trail that does not extend the anchor (emptied, rewritten,
// rolled back) halts the anchorer, leaving the keychain as it was. The
// error is for a keychain or file that could not be read.
func (a *Anchorer) Resume(ctx context.Context) (Verdict, error) {
	a.run.Lock()
	defer a.run.Unlock()
	stored, err := a.cfg.Store.LoadAnchor(ctx, a.cfg.WorkspaceID)
	switch {
	case errors.Is(err, ErrNoAnchor):
		return a.firstAnchor(ctx)
	case errors.Is(err, ErrAnchorMalformed):
		v := Check(nil, Head{}, Witness{Sealer: a.cfg.Sealer, AnchorErr: err})
		a.halt(v.Break)
		return v, nil
	case err != nil:
		return Verdict{}, fmt.Errorf("read the audit trail's anchor: %w", err)
	}
	a.setAnchored(stored)
	tail, err := a.cfg.Trail.TrailFrom(ctx, max(stored.Seq, 1))
	if err != nil {
		return Verdict{}, err
	}
	v := a.checkTail(stored, tail)
	switch {
	case v.Break != nil:
		a.halt(v.Break)
	case v.Anchor.Status == UnanchoredTail && v.Anchor.Sealed:
		err = a.save(ctx, tail.Head)
	case v.Anchor.Status == UnanchoredTail:
		err = a.noteAndAnchor(ctx, map[string]string{
			"reason":              AnchorAdopted,
			"previous_anchor_seq": strconv.FormatInt(stored.Seq, 10),
			"adopted_from":        strconv.FormatInt(v.Anchor.TailFrom, 10),
			"adopted_to":          strconv.FormatInt(v.Anchor.TailTo, 10),
		})
	}
	return v, err
}

// firstAnchor anchors a trail the keychain holds no anchor for, once its
// whole chain verifies.
func (a *Anchorer) firstAnchor(ctx context.Context) (Verdict, error) {
	tail, err := a.cfg.Trail.TrailFrom(ctx, 1)
	if err != nil {
		return Verdict{}, err
	}
	v := Check(tail.Entries, tail.Head, Witness{Sealer: a.cfg.Sealer})
	if v.Break != nil {
		a.halt(v.Break)
		return v, nil
	}
	if tail.Last == 0 {
		return v, nil // nothing to anchor until the workspace is created
	}
	seal := "absent"
	if v.Anchor.Sealed {
		seal = "valid"
	} else if tail.Head.Seal != "" {
		seal = "other_key"
	}
	return v, a.noteAndAnchor(ctx, map[string]string{
		"reason":       AnchorFirst,
		"entries":      strconv.FormatInt(tail.Last, 10),
		"head_seal":    seal,
		"head_hash":    tail.Head.Hash,
		"anchor_store": "os_keychain",
	})
}

// noteAndAnchor records an AuditTrailAnchored entry, then anchors the head
// it made, after checking nothing else slipped in between.
func (a *Anchorer) noteAndAnchor(ctx context.Context, facts map[string]string) error {
	if err := a.cfg.Note(ctx, facts); err != nil {
		return fmt.Errorf("record the audit trail's anchoring: %w", err)
	}
	return a.anchorLocked(ctx)
}

// checkTail compares the trail's end (read from the anchored entry on)
// with the anchor.
func (a *Anchorer) checkTail(anchor Head, tail Tail) Verdict {
	v := Verdict{Entries: int(tail.Last)}
	if !a.cfg.Sealer.Valid(anchor) {
		return Check(nil, tail.Head, Witness{Sealer: a.cfg.Sealer, Anchor: &anchor})
	}
	sealed := a.cfg.Sealer.Valid(tail.Head)
	var at *Entry
	if len(tail.Entries) > 0 && tail.Entries[0].Seq == anchor.Seq {
		at = &tail.Entries[0]
	}
	if b := compareWithAnchor(anchor, at, tail.Last, sealedEnd(sealed, tail.Head, tail.Last, tail.LastHash), tail.Last == 0); b != nil {
		v.Break = b
		v.Anchor = AnchorState{Status: Mismatch, Seq: anchor.Seq, Sealed: sealed, Note: "The file does not hold the trail this machine's keychain anchored."}
		return v
	}
	rest := tail.Entries
	if at != nil {
		rest = rest[1:]
	}
	v.Break = verifyFrom(anchor, rest, tail.Head)
	v.Anchor = tailState(anchor, tail.Last, sealed)
	return v
}

// AnchorNow anchors the trail's head if it is sealed and extends the
// anchored trail (or, with none anchored yet, verifies from the first
// entry). A workspace's creation calls it so its first entry is anchored
// without an AuditTrailAnchored entry.
func (a *Anchorer) AnchorNow(ctx context.Context) error {
	a.run.Lock()
	defer a.run.Unlock()
	return a.anchorLocked(ctx)
}

func (a *Anchorer) anchorLocked(ctx context.Context) error {
	if a.Halted() != nil {
		return nil
	}
	a.mu.Lock()
	from := Head{Hash: GenesisHash}
	if a.anchored != nil {
		from = *a.anchored
	}
	a.mu.Unlock()
	tail, err := a.cfg.Trail.TrailFrom(ctx, max(from.Seq, 1))
	if err != nil {
		return err
	}
	var st AnchorState
	if from.Seq == 0 {
		if b := Verify(tail.Entries, tail.Head); b != nil {
			a.halt(b)
			return nil
		}
		st = tailState(from, tail.Last, a.cfg.Sealer.Valid(tail.Head))
	} else {
		v := a.checkTail(from, tail)
		if v.Break != nil {
			a.halt(v.Break)
			return nil
		}
		st = v.Anchor
	}
	if st.Status != UnanchoredTail || !st.Sealed {
		// Nothing new, or entries appended without the key: the next
		// open adopts them with an entry that says so.
		return nil
	}
	return a.save(ctx, tail.Head)
}

func (a *Anchorer) save(ctx context.Context, h Head) error {
	if err := a.cfg.Store.SaveAnchor(ctx, a.cfg.WorkspaceID, h); err != nil {
		return fmt.Errorf("save the audit trail's anchor in the keychain: %w", err)
	}
	a.setAnchored(h)
	return nil
}

func (a *Anchorer) setAnchored(h Head) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.anchored = &h
}

func (a *Anchorer) halt(b *Break) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.halted == nil {
		a.halted = b
	}
}

// Accept makes the file's trail, as it is now, the anchored one: after a
// consultant restored a backup on purpose, say. The trail's own chain must
// verify. An AuditTrailAnchored entry (reason AnchorAccepted, with facts
// and the anchor it replaces) records who accepted what; then its head is
// anchored and anchoring resumes. The caller seals appends again first.
func (a *Anchorer) Accept(ctx context.Context, facts map[string]string) error {
	a.run.Lock()
	defer a.run.Unlock()
	tail, err := a.cfg.Trail.TrailFrom(ctx, 1)
	if err != nil {
		return err
	}
	if b := Verify(tail.Entries, tail.Head); b != nil {
		return fmt.Errorf("the file's own chain is broken at %w; only a trail whose chain verifies can be accepted", *b)
	}
	all := map[string]string{"reason": AnchorAccepted}
	for k, v := range facts {
		all[k] = v
	}
	if prev, err := a.cfg.Store.LoadAnchor(ctx, a.cfg.WorkspaceID); err == nil {
		all["previous_anchor_seq"], all["previous_anchor_hash"] = strconv.FormatInt(prev.Seq, 10), prev.Hash
	}
	if err := a.cfg.Note(ctx, all); err != nil {
		return fmt.Errorf("record the acceptance: %w", err)
	}
	if tail, err = a.cfg.Trail.TrailFrom(ctx, 1); err != nil {
		return err
	}
	if b := Verify(tail.Entries, tail.Head); b != nil || !a.cfg.Sealer.Valid(tail.Head) {
		return fmt.Errorf("the trail changed while it was being accepted; try again")
	}
	if err := a.save(ctx, tail.Head); err != nil {
		return err
	}
	a.mu.Lock()
	a.halted = nil
	a.mu.Unlock()
	return nil
}

// Halted returns the break that stopped anchoring, nil while it runs.
func (a *Anchorer) Halted() *Break {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.halted
}

// Committed says a transaction that appended entries has committed. The
// anchor follows within Interval, in the background.
func (a *Anchorer) Committed() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed || a.halted != nil {
		return
	}
	a.pending = true
	if a.timer != nil {
		return // an anchoring is already scheduled; it will see this commit
	}
	wait := max(a.cfg.Interval-time.Since(a.lastRun), 0)
	a.timer = time.AfterFunc(wait, a.fire)
}

func (a *Anchorer) fire() {
	a.run.Lock()
	defer a.run.Unlock()
	a.mu.Lock()
	a.timer = nil
	pending := a.pending
	a.pending = false
	if pending {
		a.lastRun = time.Now()
	}
	a.mu.Unlock()
	if !pending {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), a.cfg.Timeout)
	defer cancel()
	err := a.anchorLocked(ctx)
	a.mu.Lock()
	a.err = err
	a.mu.Unlock()
}

// Close anchors whatever is still pending and stops. It returns the last
// anchoring's failure: the entries stay sealed in the file and the next
// open anchors them.
func (a *Anchorer) Close(ctx context.Context) error {
	a.mu.Lock()
	a.closed = true
	if a.timer != nil {
		a.timer.Stop()
		a.timer = nil
	}
	pending := a.pending
	a.pending = false
	a.mu.Unlock()
	a.run.Lock() // wait for an anchoring in flight
	defer a.run.Unlock()
	if pending {
		return a.anchorLocked(ctx)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.err
}

// Witness reads what the keychain holds now: the anchor, with the sealer.
// A keychain that cannot be read leaves only the file's own chain to check.
func (a *Anchorer) Witness(ctx context.Context) Witness {
	w := Witness{Sealer: a.cfg.Sealer}
	h, err := a.cfg.Store.LoadAnchor(ctx, a.cfg.WorkspaceID)
	switch {
	case err == nil:
		w.Anchor = &h
	case errors.Is(err, ErrNoAnchor):
	case errors.Is(err, ErrAnchorMalformed):
		w.AnchorErr = err
	default:
		return Witness{Missing: fmt.Sprintf("the keychain could not be read (%v)", err)}
	}
	return w
}
