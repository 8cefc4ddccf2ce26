package audit

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// memLog is an in-memory Log: the chain logic is pure, so the unit tests
// need no database (storage/workspacedb tests the same attacks on a file).
type memLog struct {
	entries []Entry
	head    Head
}

func (m *memLog) AuditHead() (Head, error) { return m.head, nil }
func (m *memLog) AppendAudit(e Entry) error {
	m.entries = append(m.entries, e)
	m.head = Head{Seq: e.Seq, Hash: e.Hash}
	return nil
}

func trail(t *testing.T, n int) *memLog {
	t.Helper()
	log := &memLog{}
	at := time.Date(2026, 11, 23, 9, 0, 0, 123456789, time.UTC)
	for i := 0; i < n; i++ {
		_, err := Record(log, Entry{
			At: at.Add(time.Duration(i) * time.Minute), Event: SourceCreated, Tenant: "acme",
			Actor: "consultant", TargetID: fmt.Sprintf("src-%d", i),
			Facts: map[string]string{"name": fmt.Sprintf("source-%d", i), "kind": "okta"},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return log
}

func TestRecordChainsEntries(t *testing.T) {
	log := trail(t, 3)
	if got := log.entries[0].PrevHash; got != GenesisHash {
		t.Fatalf("first entry's prev hash = %s, want genesis", got)
	}
	for i := 1; i < 3; i++ {
		if log.entries[i].PrevHash != log.entries[i-1].Hash {
			t.Fatalf("entry %d is not linked to entry %d", i+1, i)
		}
		if log.entries[i].Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, log.entries[i].Seq)
		}
	}
	if b := Verify(log.entries, log.head); b != nil {
		t.Fatalf("clean trail reported broken: %v", b)
	}
}

func TestVerifyFindsTampering(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func(l *memLog)
		wantSeq int64
		reason  string
	}{
		{"edited fact", func(l *memLog) { l.entries[2].Facts["kind"] = "entra" }, 3, "edited"},
		{"edited actor", func(l *memLog) { l.entries[0].Actor = "someone-else" }, 1, "edited"},
		{"edited and rehashed", func(l *memLog) {
			l.entries[1].TargetID = "forged"
			l.entries[1].Hash = l.entries[1].ComputeHash()
		}, 3, "does not follow"},
		{"deleted middle", func(l *memLog) { l.entries = append(l.entries[:1], l.entries[2:]...) }, 2, "missing"},
		{"inserted forged entry", func(l *memLog) {
			forged := l.entries[1]
			forged.Facts = map[string]string{"name": "forged"}
			forged.Hash = forged.ComputeHash()
			l.entries = append(l.entries[:2], append([]Entry{forged}, l.entries[2:]...)...)
		}, 2, "out of order"},
		{"reordered", func(l *memLog) { l.entries[1], l.entries[2] = l.entries[2], l.entries[1] }, 2, "missing"},
		{"renumbered after reorder", func(l *memLog) {
			l.entries[1], l.entries[2] = l.entries[2], l.entries[1]
			l.entries[1].Seq, l.entries[2].Seq = 2, 3
		}, 2, "edited"},
		{"truncated end", func(l *memLog) { l.entries = l.entries[:4] }, 5, "ends at entry 4"},
		{"head moved back", func(l *memLog) { l.head = Head{Seq: 4, Hash: l.entries[3].Hash} }, 5, "not recorded"},
		{"head hash altered", func(l *memLog) { l.head.Hash = strings.Repeat("2", 64) }, 5, "last entry does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := trail(t, 5)
			tc.tamper(log)
			b := Verify(log.entries, log.head)
			if b == nil {
				t.Fatal("tampering not detected")
			}
			if b.Seq != tc.wantSeq || !strings.Contains(b.Reason, tc.reason) {
				t.Fatalf("break = %d %q, want %d containing %q", b.Seq, b.Reason, tc.wantSeq, tc.reason)
			}
		})
	}
}

func TestHashCoversEveryField(t *testing.T) {
	base := trail(t, 1).entries[0]
	mutations := map[string]func(*Entry){
		"seq":       func(e *Entry) { e.Seq++ },
		"at":        func(e *Entry) { e.At = e.At.Add(time.Nanosecond) },
		"event":     func(e *Entry) { e.Event = WorkspaceCreated },
		"tenant":    func(e *Entry) { e.Tenant = "other" },
		"actor":     func(e *Entry) { e.Actor = "other" },
		"target":    func(e *Entry) { e.TargetID = "other" },
		"facts":     func(e *Entry) { e.Facts = map[string]string{"name": "source-0"} },
		"prev_hash": func(e *Entry) { e.PrevHash = strings.Repeat("1", 64) },
	}
	for name, mutate := range mutations {
		e := base
		e.Facts = map[string]string{"name": "source-0", "kind": "okta"}
		mutate(&e)
		if e.ComputeHash() == base.Hash {
			t.Errorf("changing %s does not change the hash", name)
		}
	}
}

func TestEmptyTrailVerifies(t *testing.T) {
	if b := Verify(nil, Head{}); b != nil {
		t.Fatalf("empty trail: %v", b)
	}
	if b := Verify(nil, Head{Seq: 2, Hash: "x"}); b == nil {
		t.Fatal("a head pointing past an empty trail must be reported")
	}
}

func TestFormatFacts(t *testing.T) {
	for _, c := range []struct {
		facts map[string]string
		want  string
	}{
		{nil, ""},
		{map[string]string{"status": "draft", "mode": "merge_into_existing"}, "mode=merge_into_existing status=draft"},
		{map[string]string{"error": "HTTP 500: a=b", "source": "okta-prod"}, `error="HTTP 500: a=b" source=okta-prod`},
		{map[string]string{"client_id": "", "note": `say "hi"`, "raw": "line\nbreak"}, `client_id="" note="say \"hi\"" raw="line\nbreak"`},
		{map[string]string{"name": "Ünïcode-team"}, "name=Ünïcode-team"},
	} {
		if got := FormatFacts(c.facts); got != c.want {
			t.Errorf("FormatFacts(%v) = %s, want %s", c.facts, got, c.want)
		}
	}
}
