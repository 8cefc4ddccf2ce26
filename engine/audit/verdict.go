package audit

import "fmt"

// Witness is what this machine knows about a trail from outside its file.
type Witness struct {
	// Sealer is nil when this machine has no key for the workspace.
	Sealer *Sealer
	// Anchor is the keychain's anchor, nil when none is stored.
	Anchor *Head
	// Missing says why Sealer or Anchor could not be had: the keychain
	// holds no key for the workspace, or it could not be read. Empty when
	// both were read (or the keychain simply holds no anchor yet).
	Missing string
	// AnchorErr is set when the keychain's anchor could not be decoded
	// (wrapping ErrAnchorMalformed).
	AnchorErr error
}

// Anchor statuses.
const (
	// Anchored: the trail ends at the head the keychain anchored.
	Anchored = "anchored"
	// UnanchoredTail: entries after the anchored head chain from it but
	// were not anchored (a warning, not a break).
	UnanchoredTail = "unanchored_tail"
	// NotAnchored: this machine has the workspace's key but no anchor yet.
	NotAnchored = "not_anchored"
	// ChainOnly: no key here (a copied file, or the keychain unreachable):
	// only the file's own chain was checked.
	ChainOnly = "chain_only"
	// Mismatch: the file does not hold the trail the keychain anchored
	// (the verdict's Break says how).
	Mismatch = "mismatch"
)

// AnchorState is the outcome of comparing the trail with the keychain.
type AnchorState struct {
	Status string `json:"status"`
	// Seq is the sequence number the keychain anchored (0: none).
	Seq int64 `json:"anchored_seq"`
	// TailFrom and TailTo bound an unanchored tail.
	TailFrom int64 `json:"unanchored_from,omitempty"`
	TailTo   int64 `json:"unanchored_to,omitempty"`
	// Sealed reports whether the file's head carries a valid seal.
	Sealed bool `json:"head_sealed"`
	// Note says in a sentence what was and was not proven.
	Note string `json:"note"`
}

// Verdict is the whole check of a trail: its own chain, then the anchor.
type Verdict struct {
	Entries int         `json:"entries"`
	Break   *Break      `json:"break"`
	Anchor  AnchorState `json:"anchor"`
}

// OK reports whether nothing is broken (an unanchored tail is a warning).
func (v Verdict) OK() bool { return v.Break == nil }

// Check verifies the trail's chain and compares it with what w knows: an
// emptied trail, a full rewrite and a rollback to an older copy of the
// file are each found and named when the keychain holds an anchor.
func Check(entries []Entry, head Head, w Witness) Verdict {
	v := Verdict{Entries: len(entries)}
	internal := Verify(entries, head)
	if w.Sealer == nil {
		v.Break = internal
		v.Anchor = AnchorState{Status: ChainOnly, Note: chainOnlyNote(w.Missing)}
		return v
	}
	sealed := w.Sealer.Valid(head)
	v.Anchor.Sealed = sealed
	if w.AnchorErr != nil {
		v.Break = &Break{Seq: 1, Kind: BreakAnchorForged, Reason: fmt.Sprintf("the keychain's anchor for this workspace cannot be trusted (%v): it was altered outside the console", w.AnchorErr)}
		v.Anchor.Status, v.Anchor.Note = Mismatch, "The keychain's anchor could not be read."
		return v
	}
	if w.Anchor == nil {
		v.Break = internal
		v.Anchor.Status = NotAnchored
		v.Anchor.Note = "Not anchored yet: this machine's keychain has the workspace's key but no anchor for its trail, so only the file's own chain was checked; opening the workspace in the console anchors it."
		if sealed {
			v.Anchor.Note = "Not anchored: the file's head carries this workspace's seal, but the keychain's anchor is gone (removed from the keychain), so only the file's own chain was checked; opening the workspace in the console anchors it again."
		}
		return v
	}
	a := *w.Anchor
	v.Anchor.Seq = a.Seq
	if !w.Sealer.Valid(a) {
		v.Break = &Break{Seq: a.Seq, Kind: BreakAnchorForged, Reason: "the keychain's anchor for this workspace does not carry the workspace's seal: it was altered outside the console"}
		v.Anchor.Status, v.Anchor.Note = Mismatch, "The keychain's anchor is not authentic."
		return v
	}
	var last int64
	var lastHash string
	if len(entries) > 0 {
		last, lastHash = entries[len(entries)-1].Seq, entries[len(entries)-1].Hash
	}
	if b := compareWithAnchor(a, entryAt(entries, a.Seq), last, sealedEnd(sealed, head, last, lastHash), len(entries) == 0); b != nil {
		v.Break = b
		v.Anchor.Status, v.Anchor.Note = Mismatch, "The file does not hold the trail this machine's keychain anchored."
		return v
	}
	v.Break = internal
	v.Anchor = tailState(a, last, sealed)
	return v
}

// sealedEnd reports whether the file ends where its sealed head says: the
// mark of a file the console itself last wrote (an older copy, say), as
// opposed to one whose entries were removed or rewritten by hand.
func sealedEnd(sealed bool, head Head, last int64, lastHash string) bool {
	return sealed && head.Seq == last && head.Hash == lastHash
}

// compareWithAnchor names what happened to the file when its trail does not
// reach, or no longer holds, the anchored head. at is the file's entry at
// the anchor's sequence number (nil when the file ends before it); last is
// the file's last sequence number; sealed says the file ends at a head the
// console sealed (sealedEnd).
func compareWithAnchor(a Head, at *Entry, last int64, sealed, empty bool) *Break {
	switch {
	case a.Seq == 0:
		return nil
	case empty:
		return &Break{Seq: 1, Kind: BreakEmptied, Reason: fmt.Sprintf("emptied: the file holds no audit entries, but this machine's keychain anchored %d; the trail was deleted from the file", a.Seq)}
	case at == nil && last >= a.Seq:
		return &Break{Seq: a.Seq, Kind: BreakMissing, Reason: fmt.Sprintf("missing: entry %d, the head this machine's keychain anchored, is gone from the file", a.Seq)}
	case at == nil && sealed:
		return &Break{Seq: last + 1, Kind: BreakRolledBack, Reason: fmt.Sprintf("rolled back: the file's trail ends at entry %d, but this machine's keychain anchored entry %d; this is an older copy of the workspace file (its head carries the workspace's seal from when it ended there)", last, a.Seq)}
	case at == nil:
		return &Break{Seq: last + 1, Kind: BreakCutShort, Reason: fmt.Sprintf("cut short: entries %d to %d, which this machine's keychain anchored, are gone from the file, and its head was rewritten without the workspace's key", last+1, a.Seq)}
	case at.Hash != a.Hash && sealed:
		return &Break{Seq: a.Seq, Kind: BreakRolledBack, Reason: fmt.Sprintf("rolled back: entry %d is not the one this machine's keychain anchored, yet the file's head carries the workspace's seal: an older copy of the file was restored and written to by a console holding this workspace's key", a.Seq)}
	case at.Hash != a.Hash:
		return &Break{Seq: a.Seq, Kind: BreakRewritten, Reason: fmt.Sprintf("rewritten: entry %d no longer matches the entry this machine's keychain anchored; the chain was recomputed after an edit at or before entry %d", a.Seq, a.Seq)}
	}
	return nil
}

// entryAt returns the entry with sequence number seq, nil if there is none.
// The trail is read in sequence order, so it is normally at seq-1.
func entryAt(entries []Entry, seq int64) *Entry {
	if i := seq - 1; i >= 0 && i < int64(len(entries)) && entries[i].Seq == seq {
		return &entries[i]
	}
	for i := range entries {
		if entries[i].Seq == seq {
			return &entries[i]
		}
	}
	return nil
}

// tailState describes a trail that holds the anchored head: anchored, or
// with entries after it that were not anchored.
func tailState(a Head, last int64, sealed bool) AnchorState {
	st := AnchorState{Status: Anchored, Seq: a.Seq, Sealed: sealed}
	if last <= a.Seq {
		st.Note = fmt.Sprintf("Anchored: the trail ends at entry %d, the head this machine's keychain anchored, so it was neither rewritten, emptied nor replaced by an older copy.", a.Seq)
		return st
	}
	st.Status, st.TailFrom, st.TailTo = UnanchoredTail, a.Seq+1, last
	span, verb, them, they := fmt.Sprintf("entries %d–%d", a.Seq+1, last), "chain correctly from the anchored head but were", "them", "they were"
	if a.Seq+1 == last {
		span, verb, them, they = fmt.Sprintf("entry %d", last), "chains correctly from the anchored head but was", "it", "it was"
	}
	if sealed {
		st.Note = fmt.Sprintf("Warning: %s %s not anchored: the console stopped before anchoring %s (the file's head carries the workspace's seal, so the console wrote %s). Opening the workspace anchors %s.", span, verb, them, them, them)
	} else {
		st.Note = fmt.Sprintf("Warning: %s %s not anchored: %s appended outside the console, or by a console that could not reach this machine's keychain (the file's head carries no valid seal). Opening the workspace anchors %s and records that it did.", span, verb, they, them)
	}
	return st
}

func chainOnlyNote(missing string) string {
	if missing == "" {
		missing = "this machine's keychain holds no key for this workspace (a copy made on another machine, or one never opened here with the keychain)"
	}
	return "Only the file's own chain was checked: " + missing + ". A trail rewritten as a whole, emptied, or an older copy of the file cannot be told from the real one without the keychain that anchored it."
}
