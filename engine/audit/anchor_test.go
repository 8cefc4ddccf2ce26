package audit

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/keys"
)

// sealedLog is a trail in memory that seals its head on every append, as
// the workspace file does once the console has the workspace's key.
// storage/workspacedb runs the same attacks on a real file with the real
// keychain.
type sealedLog struct {
	mu      sync.Mutex
	entries []Entry
	head    Head
	sealer  *Sealer // nil: appends without the key
}

func (l *sealedLog) AuditHead() (Head, error) { return l.head, nil }
func (l *sealedLog) AppendAudit(e Entry) error {
	l.entries = append(l.entries, e)
	l.head = Head{Seq: e.Seq, Hash: e.Hash}
	if l.sealer != nil {
		l.head.Seal = l.sealer.Seal(l.head)
	}
	return nil
}

func (l *sealedLog) TrailFrom(_ context.Context, from int64) (Tail, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := Tail{Head: l.head}
	for _, e := range l.entries {
		if e.Seq > t.Last {
			t.Last, t.LastHash = e.Seq, e.Hash
		}
		if e.Seq >= from {
			t.Entries = append(t.Entries, e)
		}
	}
	return t, nil
}

func (l *sealedLog) add(t testing.TB, n int) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := 0; i < n; i++ {
		if _, err := Record(l, Entry{At: time.Date(2026, 11, 23, 9, 0, len(l.entries), 0, time.UTC), Event: SourceCreated,
			Tenant: "acme", Actor: "consultant", TargetID: fmt.Sprintf("src-%d", len(l.entries))}); err != nil {
			t.Fatal(err)
		}
	}
}

// copyOf is the file as it is now: what a backup would hold.
func (l *sealedLog) copyOf() *sealedLog {
	l.mu.Lock()
	defer l.mu.Unlock()
	return &sealedLog{entries: append([]Entry(nil), l.entries...), head: l.head, sealer: l.sealer}
}

type memAnchors struct {
	mu    sync.Mutex
	m     map[string]Head
	saves int
}

func (s *memAnchors) LoadAnchor(_ context.Context, ws string) (Head, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.m[ws]
	if !ok {
		return Head{}, ErrNoAnchor
	}
	return h, nil
}

func (s *memAnchors) SaveAnchor(_ context.Context, ws string, h Head) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Head{}
	}
	s.m[ws] = h
	s.saves++
	return nil
}

func testSealer(t testing.TB, fill byte) *Sealer {
	t.Helper()
	m, err := keys.FromBytes(bytes.Repeat([]byte{fill}, 32))
	if err != nil {
		t.Fatal(err)
	}
	return NewSealer(m, "ws-test")
}

func anchorerFor(log *sealedLog, store *memAnchors) *Anchorer {
	return NewAnchorer(AnchorerConfig{
		WorkspaceID: "ws-test", Sealer: log.sealer, Store: store, Trail: log,
		Note: func(_ context.Context, facts map[string]string) error {
			log.mu.Lock()
			defer log.mu.Unlock()
			_, err := Record(log, Entry{At: time.Now(), Event: AuditTrailAnchored, Tenant: "acme", Actor: "console", TargetID: "ws-test", Facts: facts})
			return err
		},
		Interval: 20 * time.Millisecond,
	})
}

func (l *sealedLog) check(store *memAnchors) Verdict {
	w := Witness{Sealer: l.sealer}
	if h, err := store.LoadAnchor(context.Background(), "ws-test"); err == nil {
		w.Anchor = &h
	}
	return Check(l.entries, l.head, w)
}

// anchoredTrail is a sealed trail of n entries anchored in store.
func anchoredTrail(t *testing.T, n int) (*sealedLog, *memAnchors) {
	t.Helper()
	log := &sealedLog{sealer: testSealer(t, 7)}
	log.add(t, n)
	store := &memAnchors{}
	if err := anchorerFor(log, store).AnchorNow(context.Background()); err != nil {
		t.Fatal(err)
	}
	if store.saves != 1 || store.m["ws-test"].Seq != int64(n) {
		t.Fatalf("AnchorNow saved %d anchors, at %+v", store.saves, store.m["ws-test"])
	}
	return log, store
}

func TestCheckNamesWhatHappenedToTheFile(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(t *testing.T, l *sealedLog) *sealedLog
		kind   string
		seq    int64
		says   string
	}{
		{"emptied, head reset", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries, l.head = nil, Head{}
			return l
		}, BreakEmptied, 1, "emptied"},
		{"emptied, sealed head left", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries = nil
			return l
		}, BreakEmptied, 1, "anchored 6"},
		{"full rewrite after an edit", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries[1].TargetID = "forged"
			prev := l.entries[0].Hash
			for i := 1; i < len(l.entries); i++ {
				l.entries[i].PrevHash = prev
				l.entries[i].Hash = l.entries[i].ComputeHash()
				prev = l.entries[i].Hash
			}
			l.head = Head{Seq: 6, Hash: prev} // no key, so no seal
			return l
		}, BreakRewritten, 6, "recomputed after an edit"},
		{"full rewrite keeping the old seal", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries[4].Actor = "someone-else"
			prev := l.entries[3].Hash
			for i := 4; i < len(l.entries); i++ {
				l.entries[i].PrevHash = prev
				l.entries[i].Hash = l.entries[i].ComputeHash()
				prev = l.entries[i].Hash
			}
			l.head = Head{Seq: 6, Hash: prev, Seal: l.head.Seal}
			return l
		}, BreakRewritten, 6, "rewritten"},
		{"rolled back to an older copy", func(t *testing.T, l *sealedLog) *sealedLog {
			return older(t, 4)
		}, BreakRolledBack, 5, "older copy"},
		{"rolled back, then worked on", func(t *testing.T, l *sealedLog) *sealedLog {
			o := older(t, 4)
			for i := 0; i < 3; i++ {
				if _, err := Record(o, Entry{At: time.Now(), Event: WorkspaceArchived, Tenant: "acme", Actor: "consultant"}); err != nil {
					t.Fatal(err)
				}
			}
			return o
		}, BreakRolledBack, 6, "restored"},
		{"cut short without the key", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries = l.entries[:3]
			l.head = Head{Seq: 3, Hash: l.entries[2].Hash}
			return l
		}, BreakCutShort, 4, "entries 4 to 6"},
		{"cut short, sealed head left", func(_ *testing.T, l *sealedLog) *sealedLog {
			l.entries = l.entries[:5]
			return l
		}, BreakCutShort, 6, "entries 6 to 6"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log, store := anchoredTrail(t, 6)
			f := c.tamper(t, log)
			got := f.check(store)
			b := got.Break
			if b == nil {
				t.Fatalf("not detected: %+v", got)
			}
			if b.Kind != c.kind || b.Seq != c.seq || !strings.Contains(b.Reason, c.says) {
				t.Fatalf("break = %d %s %q, want %d %s containing %q", b.Seq, b.Kind, b.Reason, c.seq, c.kind, c.says)
			}
			if !strings.HasSuffix(c.name, "head left") {
				// Each was made to pass the file's own chain: only the
				// anchor finds it.
				if ib := Verify(f.entries, f.head); ib != nil {
					t.Fatalf("the tampering should pass the file's own check, got %v", ib)
				}
			}
		})
	}
}

// older builds, with the same key and clock, the file as it was after n
// entries: a copy taken before the rest were appended.
func older(t *testing.T, n int) *sealedLog {
	o := &sealedLog{sealer: testSealer(t, 7)}
	o.add(t, n)
	return o
}

func TestCheckWithoutTheKeychainSaysChainOnly(t *testing.T) {
	log, _ := anchoredTrail(t, 3)
	v := Check(log.entries, log.head, Witness{})
	if v.Break != nil || v.Anchor.Status != ChainOnly || !strings.Contains(v.Anchor.Note, "another machine") {
		t.Fatalf("copied file: %+v", v)
	}
	// A rewrite passes, and the verdict says it could not have told.
	log.entries[0].Actor = "forged"
	log.entries[0].Hash = log.entries[0].ComputeHash()
	for i := 1; i < 3; i++ {
		log.entries[i].PrevHash = log.entries[i-1].Hash
		log.entries[i].Hash = log.entries[i].ComputeHash()
	}
	log.head = Head{Seq: 3, Hash: log.entries[2].Hash}
	v = Check(log.entries, log.head, Witness{Missing: "the keychain could not be read (test-only)"})
	if v.Break != nil || v.Anchor.Status != ChainOnly || !strings.Contains(v.Anchor.Note, "cannot be told") {
		t.Fatalf("rewritten copy without the keychain: %+v", v)
	}
}

func TestCheckAnchoredAndTails(t *testing.T) {
	log, store := anchoredTrail(t, 4)
	if v := log.check(store); v.Break != nil || v.Anchor.Status != Anchored || v.Anchor.Seq != 4 {
		t.Fatalf("anchored trail: %+v", v)
	}
	log.add(t, 3) // the console appended, then stopped before anchoring
	v := log.check(store)
	if v.Break != nil || v.Anchor.Status != UnanchoredTail || v.Anchor.TailFrom != 5 || v.Anchor.TailTo != 7 || !v.Anchor.Sealed {
		t.Fatalf("sealed tail: %+v", v)
	}
	if !strings.Contains(v.Anchor.Note, "entries 5–7 chain correctly from the anchored head but were not anchored: the console stopped") {
		t.Fatalf("note: %s", v.Anchor.Note)
	}
	log.sealer = nil // appended without the key
	log.add(t, 1)
	log.sealer = testSealer(t, 7)
	v = log.check(store)
	if v.Break != nil || v.Anchor.Status != UnanchoredTail || v.Anchor.Sealed || !strings.Contains(v.Anchor.Note, "appended outside the console") {
		t.Fatalf("unsealed tail: %+v", v)
	}
}

func TestCheckRefusesAForgedAnchor(t *testing.T) {
	log, store := anchoredTrail(t, 3)
	forged := store.m["ws-test"]
	forged.Seq = 2
	store.m["ws-test"] = forged
	if v := log.check(store); v.Break == nil || v.Break.Kind != BreakAnchorForged {
		t.Fatalf("forged anchor: %+v", v)
	}
	other := testSealer(t, 9) // another machine's key
	if v := Check(log.entries, log.head, Witness{Sealer: other, Anchor: &Head{Seq: 3, Hash: log.head.Hash, Seal: log.head.Seal}}); v.Break == nil || v.Break.Kind != BreakAnchorForged {
		t.Fatalf("anchor under another key: %+v", v)
	}
}

func TestResumeAnchorsAnOldWorkspaceOnceWithAnEntry(t *testing.T) {
	log := &sealedLog{} // written before anchoring existed: no seals
	log.add(t, 5)
	log.sealer = testSealer(t, 7)
	store := &memAnchors{}
	v, err := anchorerFor(log, store).Resume(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.Break != nil || v.Anchor.Status != NotAnchored {
		t.Fatalf("found at open: %+v", v)
	}
	if len(log.entries) != 6 || log.entries[5].Event != AuditTrailAnchored || log.entries[5].Facts["reason"] != AnchorFirst ||
		log.entries[5].Facts["head_seal"] != "absent" || log.entries[5].Facts["entries"] != "5" {
		t.Fatalf("anchoring entry: %+v", log.entries[len(log.entries)-1])
	}
	if a := store.m["ws-test"]; a.Seq != 6 || store.saves != 1 {
		t.Fatalf("anchor %+v after %d saves, want entry 6 once", a, store.saves)
	}
	// The next open finds it anchored and writes nothing.
	if v, err := anchorerFor(log, store).Resume(context.Background()); err != nil || v.Anchor.Status != Anchored || len(log.entries) != 6 || store.saves != 1 {
		t.Fatalf("second open: %+v %v, %d entries, %d saves", v, err, len(log.entries), store.saves)
	}
}

func TestResumeReanchorsACrashTailAndAdoptsAnUnsealedOne(t *testing.T) {
	log, store := anchoredTrail(t, 100)
	log.add(t, 5) // the console crashed before anchoring these
	v, err := anchorerFor(log, store).Resume(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.Break != nil || v.Anchor.Status != UnanchoredTail || v.Anchor.TailFrom != 101 || v.Anchor.TailTo != 105 {
		t.Fatalf("found at open: %+v", v)
	}
	if !strings.Contains(v.Anchor.Note, "entries 101–105 chain correctly from the anchored head but were not anchored") {
		t.Fatalf("note: %s", v.Anchor.Note)
	}
	if store.m["ws-test"].Seq != 105 || len(log.entries) != 105 {
		t.Fatalf("sealed tail re-anchored at %d with %d entries; want 105 without a new entry", store.m["ws-test"].Seq, len(log.entries))
	}

	log.sealer = nil
	log.add(t, 2) // appended by something without the key
	log.sealer = testSealer(t, 7)
	if _, err := anchorerFor(log, store).Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := log.entries[len(log.entries)-1]
	if last.Event != AuditTrailAnchored || last.Facts["reason"] != AnchorAdopted || last.Facts["adopted_from"] != "106" || last.Facts["adopted_to"] != "107" {
		t.Fatalf("adoption entry: %+v", last)
	}
	if store.m["ws-test"].Seq != 108 {
		t.Fatalf("anchor at %d, want 108", store.m["ws-test"].Seq)
	}
}

func TestResumeNeverMovesTheAnchorOffABrokenTrail(t *testing.T) {
	_, store := anchoredTrail(t, 6)
	before := store.m["ws-test"]
	copyBack := older(t, 3)
	a := anchorerFor(copyBack, store)
	v, err := a.Resume(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if v.Break == nil || v.Break.Kind != BreakRolledBack {
		t.Fatalf("rollback at open: %+v", v)
	}
	copyBack.add(t, 5)
	a.Committed()
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := store.m["ws-test"]; got != before || store.saves != 1 {
		t.Fatalf("anchor moved to %+v (%d saves) after a rollback was found", got, store.saves)
	}
	if a.Halted() == nil {
		t.Fatal("anchorer not halted")
	}
}

func TestCommittedCoalescesAndCloseFlushes(t *testing.T) {
	log, store := anchoredTrail(t, 1)
	a := anchorerFor(log, store)
	if _, err := a.Resume(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for i := 0; i < 2000; i++ {
		log.add(t, 1)
		a.Committed()
	}
	elapsed := time.Since(start)
	if err := a.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := store.m["ws-test"].Seq; got != 2001 {
		t.Fatalf("after Close the anchor is at %d, want 2001", got)
	}
	// One save at AnchorNow, then at most one per interval plus the one at
	// Close (and one for a timer racing Close).
	limit := 1 + int(elapsed/(20*time.Millisecond)) + 3
	if store.saves > limit {
		t.Fatalf("%d anchor saves for 2000 appends in %v; coalescing allows %d", store.saves, elapsed, limit)
	}
	a.Committed() // after Close: nothing scheduled
	time.Sleep(50 * time.Millisecond)
	if store.m["ws-test"].Seq != 2001 {
		t.Fatal("anchored after Close")
	}
}

func TestSealBindsWorkspaceAndHead(t *testing.T) {
	s := testSealer(t, 7)
	h := Head{Seq: 3, Hash: strings.Repeat("a", 64)}
	h.Seal = s.Seal(h)
	if !s.Valid(h) {
		t.Fatal("own seal invalid")
	}
	for name, m := range map[string]Head{
		"seq":  {Seq: 4, Hash: h.Hash, Seal: h.Seal},
		"hash": {Seq: 3, Hash: strings.Repeat("b", 64), Seal: h.Seal},
		"none": {Seq: 3, Hash: h.Hash},
	} {
		if s.Valid(m) {
			t.Errorf("seal valid with %s changed", name)
		}
	}
	m, _ := keys.FromBytes(bytes.Repeat([]byte{7}, 32))
	if NewSealer(m, "other-workspace").Valid(h) {
		t.Error("a seal is valid for another workspace")
	}
}
