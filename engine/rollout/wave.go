package rollout

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/workspace"
)

// WaveKind tells the pilot from the waves after it.
type WaveKind string

const (
	KindPilot WaveKind = "pilot"
	KindWave  WaveKind = "wave"
)

// WaveStatus follows a wave's move run (LOCAL_ONLY -> SSO_PREFERRED).
type WaveStatus string

const (
	WaveDraft               WaveStatus = "draft"
	WavePreviewed           WaveStatus = "previewed"
	WaveApplying            WaveStatus = "applying"
	WaveApplied             WaveStatus = "applied"
	WaveAppliedWithFailures WaveStatus = "applied_with_failures"
	// WaveInterrupted is a wave whose apply was cancelled or stopped by a
	// crash; resume continues it.
	WaveInterrupted WaveStatus = "interrupted"
)

// Selection is how a wave's members were chosen.
type Selection string

const (
	ByDomain Selection = "domain"
	ByList   Selection = "list"
	ByHand   Selection = "manual"
	// ByGroup: the members of incumbent groups in an inventory snapshot.
	ByGroup Selection = "group"
)

// Wave is a pilot or a wave: a named set of users, frozen when it is
// created, moved together.
type Wave struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Kind      WaveKind  `json:"kind"`
	Selection Selection `json:"selection"`
	Criteria  []string  `json:"criteria"` // the domains, the list's name, the identifiers typed, the groups
	// SnapshotID is the inventory snapshot a wave chosen by group read.
	SnapshotID string     `json:"snapshot_id,omitempty"`
	Status     WaveStatus `json:"status"`
	CreatedAt  time.Time  `json:"created_at"`
	CreatedBy  string     `json:"created_by"`
	// StartedAt is when its first apply started: monitoring counts from
	// there.
	StartedAt   *time.Time `json:"started_at,omitempty"`
	FinishedAt  *time.Time `json:"finished_at,omitempty"`
	MemberCount int        `json:"member_count"`
	Members     []Member   `json:"members,omitempty"`
	// Unmatched are the people of a wave's incumbent groups it does not
	// move, with why (no Portal account: JIT will create one; an email
	// two accounts share; ...).
	Unmatched []Unmatched `json:"unmatched,omitempty"`
	// Notes say what the operator should know of how the members were
	// found (nested groups that loop); not stored.
	Notes []string `json:"notes,omitempty"`
}

// Member is one user of a wave.
type Member struct {
	UserID string `json:"user_id"`
	Label  string `json:"label"`
	// SetEmail is an email the operator supplied for a user without one;
	// the wave sets it before the auth mode.
	SetEmail string `json:"set_email,omitempty"`
	// MatchedFrom is the incumbent member a wave chosen by group matched
	// to this user, and the group path that reached them.
	MatchedFrom string `json:"matched_from,omitempty"`
}

// NewWave asks for a wave. Exactly one selection is filled: Domains,
// List (with ListName), Users (emails, usernames or user ids), or Groups
// (incumbent group names or ids, in SnapshotID or, when it is empty, the
// one latest completed snapshot that holds them).
type NewWave struct {
	Name       string
	Kind       WaveKind
	Domains    []string
	List       io.Reader
	ListName   string
	Users      []string
	Groups     []string
	SnapshotID string
}

var waveNamePattern = regexp.MustCompile(`^[\p{L}\p{N}][\p{L}\p{N} ._-]{0,63}$`)

// CreateWave resolves the selection against the live users and stores the
// wave with its members. Identifiers that name no user, or name several,
// are refused all together, so the operator fixes the list once.
func (s *Service) CreateWave(ctx context.Context, req NewWave) (Wave, error) {
	name := strings.TrimSpace(req.Name)
	if !waveNamePattern.MatchString(name) {
		return Wave{}, fmt.Errorf("%w: wave name %q must be 1-64 letters, digits, spaces, '.', '_' or '-'", ErrInvalid, req.Name)
	}
	if req.Kind != KindPilot && req.Kind != KindWave {
		return Wave{}, fmt.Errorf("%w: wave kind %q must be pilot or wave", ErrInvalid, req.Kind)
	}
	given := 0
	for _, ok := range []bool{len(req.Domains) > 0, req.List != nil, len(req.Users) > 0, len(req.Groups) > 0} {
		if ok {
			given++
		}
	}
	if given != 1 {
		return Wave{}, fmt.Errorf("%w: choose the wave's users one way: by email domain, by incumbent group, by a list (CSV), or by hand", ErrInvalid)
	}
	if req.SnapshotID != "" && len(req.Groups) == 0 {
		return Wave{}, fmt.Errorf("%w: a snapshot is read only for a wave chosen by incumbent group", ErrInvalid)
	}
	users, err := s.Target.ListUsers(ctx)
	if err != nil {
		return Wave{}, fmt.Errorf("read the Portal's users: %w", err)
	}
	w := Wave{ID: workspace.NewID(), Name: name, Kind: req.Kind, Status: WaveDraft, CreatedAt: s.now(), CreatedBy: s.Actor}
	switch {
	case len(req.Domains) > 0:
		w.Selection = ByDomain
		w.Members, w.Criteria, err = byDomain(users, req.Domains)
	case len(req.Groups) > 0:
		w.Selection = ByGroup
		var gw groupSelection
		if gw, err = s.groupWave(ctx, users, req.Groups, req.SnapshotID); err == nil {
			w.SnapshotID, w.Members, w.Unmatched, w.Notes = gw.snapshot.ID, gw.members, gw.unmatched, gw.notes
			for _, g := range gw.roots {
				w.Criteria = append(w.Criteria, g.Name)
			}
			if len(w.Members) == 0 {
				err = fmt.Errorf("%w: no one in %s has a Portal account to move: %s", ErrInvalid, strings.Join(w.Criteria, ", "), UnmatchedSummary(w.Unmatched))
			}
		}
	case req.List != nil:
		w.Selection = ByList
		w.Criteria = []string{req.ListName}
		var rows []listRow
		if rows, err = parseList(req.List); err == nil {
			w.Members, err = resolveRows(users, rows)
		}
	default:
		w.Selection = ByHand
		w.Criteria = req.Users
		rows := make([]listRow, len(req.Users))
		for i, u := range req.Users {
			rows[i] = listRow{line: i + 1, id: strings.TrimSpace(u)}
		}
		w.Members, err = resolveRows(users, rows)
	}
	if err != nil {
		return Wave{}, err
	}
	if len(w.Members) == 0 {
		return Wave{}, fmt.Errorf("%w: the selection names no user", ErrInvalid)
	}
	w.MemberCount = len(w.Members)
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.InsertWave(w); err != nil {
			return err
		}
		facts := map[string]string{
			"name": w.Name, "kind": string(w.Kind), "selection": string(w.Selection),
			"criteria": strings.Join(w.Criteria, ","), "members": strconv.Itoa(len(w.Members))}
		if w.Selection == ByGroup {
			facts["snapshot_id"] = w.SnapshotID
			for reason, n := range unmatchedCounts(w.Unmatched) {
				facts["unmatched."+reason] = strconv.Itoa(n)
			}
		}
		return s.record(tx, audit.RolloutWaveCreated, w.ID, facts)
	})
	if err != nil {
		return Wave{}, fmt.Errorf("create wave %q: %w", name, err)
	}
	return w, nil
}

func byDomain(users []api.User, domains []string) ([]Member, []string, error) {
	var crit []string
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(d), "@")))
		if d == "" || !strings.Contains(d, ".") {
			return nil, nil, fmt.Errorf("%w: %q is not an email domain", ErrInvalid, d)
		}
		crit = append(crit, d)
	}
	var out []Member
	for _, u := range users {
		ud := domainOf(emailOf(u))
		for _, d := range crit {
			if ud == d || strings.HasSuffix(ud, "."+d) {
				out = append(out, Member{UserID: u.Id, Label: label(u)})
				break
			}
		}
	}
	return out, crit, nil
}

// listRow is one line of an imported or typed list.
type listRow struct {
	line     int
	id       string // email, username or user id
	setEmail string
}

// maxListRows bounds an imported list.
const maxListRows = 100_000

// parseList reads a CSV list: one identifier (email, username or user id)
// per row, with an optional header naming the columns (email, username,
// user_id or identifier, and set_email for users without one).
func parseList(r io.Reader) ([]listRow, error) {
	cr := csv.NewReader(io.LimitReader(r, 16<<20))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	records, err := cr.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%w: the list is not valid CSV: %v", ErrInvalid, err)
	}
	idCol, setCol, start := 0, -1, 0
	if len(records) > 0 {
		for i, h := range records[0] {
			switch strings.ToLower(strings.TrimSpace(h)) {
			case "email", "username", "user_id", "identifier", "user":
				idCol, start = i, 1
			case "set_email":
				setCol, start = i, 1
			}
		}
	}
	if len(records)-start > maxListRows {
		return nil, fmt.Errorf("%w: the list has %d rows; split it into waves of at most %d", ErrInvalid, len(records)-start, maxListRows)
	}
	var rows []listRow
	for i := start; i < len(records); i++ {
		rec := records[i]
		if len(rec) == 0 || (len(rec) == 1 && strings.TrimSpace(rec[0]) == "") {
			continue
		}
		row := listRow{line: i + 1}
		if idCol < len(rec) {
			row.id = strings.TrimSpace(rec[idCol])
		}
		if setCol >= 0 && setCol < len(rec) {
			row.setEmail = strings.TrimSpace(rec[setCol])
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// resolveRows finds each row's user: by id, exact email, canonical email
// (when only one account has it) or username.
func resolveRows(users []api.User, rows []listRow) ([]Member, error) {
	byID, byEmail, byCanon, byName := map[string]api.User{}, map[string]api.User{}, map[string][]api.User{}, map[string]api.User{}
	for _, u := range users {
		byID[u.Id], byName[strings.ToLower(u.Username)] = u, u
		if e := emailOf(u); e != "" {
			byEmail[e] = u
			byCanon[CanonicalEmail(e)] = append(byCanon[CanonicalEmail(e)], u)
		}
	}
	var problems []string
	seen := map[string]bool{}
	var out []Member
	for _, r := range rows {
		if r.id == "" {
			problems = append(problems, fmt.Sprintf("line %d: no identifier", r.line))
			continue
		}
		u, ok := byID[r.id]
		if !ok {
			u, ok = byEmail[r.id]
		}
		if !ok {
			switch c := byCanon[CanonicalEmail(r.id)]; len(c) {
			case 1:
				u, ok = c[0], true
			case 0:
			default:
				problems = append(problems, fmt.Sprintf("line %d: %q matches %d accounts that differ only in case; give the exact email or the user id", r.line, r.id, len(c)))
				continue
			}
		}
		if !ok {
			u, ok = byName[strings.ToLower(r.id)]
		}
		if !ok {
			problems = append(problems, fmt.Sprintf("line %d: no user %q", r.line, r.id))
			continue
		}
		m := Member{UserID: u.Id, Label: label(u)}
		if r.setEmail != "" {
			if emailOf(u) != "" {
				problems = append(problems, fmt.Sprintf("line %d: %s already has an email; set_email is only for users without one", r.line, label(u)))
				continue
			}
			if domainOf(r.setEmail) == "" || strings.ContainsAny(r.setEmail, " \t<>") {
				problems = append(problems, fmt.Sprintf("line %d: set_email %q is not an email address", r.line, r.setEmail))
				continue
			}
			m.SetEmail = r.setEmail
		}
		if seen[u.Id] {
			continue
		}
		seen[u.Id] = true
		out = append(out, m)
	}
	if len(problems) > 0 {
		shown := problems
		if len(shown) > 10 {
			shown = append(shown[:10:10], fmt.Sprintf("and %d more", len(problems)-10))
		}
		return nil, fmt.Errorf("%w: the list does not resolve: %s", ErrInvalid, strings.Join(shown, "; "))
	}
	return out, nil
}

func unmatchedCounts(us []Unmatched) map[string]int {
	out := map[string]int{}
	for _, u := range us {
		out[u.Reason]++
	}
	return out
}

// UnmatchedSummary says in a sentence how many people each reason left
// out.
func UnmatchedSummary(us []Unmatched) string {
	if len(us) == 0 {
		return "the groups hold no one"
	}
	words := map[string][2]string{
		UnmatchedNoAccount:      {"has no Portal account (JIT will create it at the first SSO login)", "have no Portal account (JIT will create them at their first SSO login)"},
		UnmatchedAmbiguous:      {"shares an email with another Portal account", "share an email with another Portal account"},
		UnmatchedNoEmail:        {"has no email", "have no email"},
		UnmatchedInactive:       {"is not active in the incumbent", "are not active in the incumbent"},
		UnmatchedNotPerson:      {"is not a person", "are not people"},
		UnmatchedGroupNotListed: {"is a nested group whose members are unknown", "are nested groups whose members are unknown"},
	}
	counts := unmatchedCounts(us)
	var parts []string
	for _, r := range unmatchedOrder {
		if n := counts[r]; n > 0 {
			w := words[r][1]
			if n == 1 {
				w = words[r][0]
			}
			parts = append(parts, fmt.Sprintf("%d %s", n, w))
		}
	}
	return strings.Join(parts, ", ")
}

// Waves lists the waves, oldest first.
func (s *Service) Waves(ctx context.Context) ([]Wave, error) {
	var ws []Wave
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		ws, err = tx.Waves()
		return err
	})
	return ws, err
}

// Wave returns a wave with its members, by id or name.
func (s *Service) Wave(ctx context.Context, ref string) (Wave, error) {
	var w Wave
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		w, err = tx.Wave(ref)
		return err
	})
	if err != nil {
		return Wave{}, fmt.Errorf("wave %q: %w", ref, err)
	}
	return w, nil
}

// WaveCard is one wave on the board: its live counts per auth_mode.
type WaveCard struct {
	Wave     Wave                 `json:"wave"`
	AuthMode map[api.AuthMode]int `json:"auth_mode"`
	Linked   int                  `json:"linked"`
	Missing  int                  `json:"missing"` // members no longer in the Portal
	// Enforcement is the status of the wave's latest enforcement run, if
	// any.
	Enforcement RunStatus `json:"enforcement,omitempty"`
}

// Board is the wave board: the tenant's counts per auth_mode and each wave
// as the Portal sees its members now.
type Board struct {
	At       time.Time            `json:"at"`
	AuthMode map[api.AuthMode]int `json:"auth_mode"`
	Linked   int                  `json:"linked"`
	Users    int                  `json:"users"`
	Waves    []WaveCard           `json:"waves"`
	// Interrupted are the runs a crash or a cancel stopped: resume them.
	Interrupted []Run `json:"interrupted"`
}

// Board reads the live users once and counts every wave's members.
func (s *Service) Board(ctx context.Context) (Board, error) {
	users, err := s.Target.ListUsers(ctx)
	if err != nil {
		return Board{}, fmt.Errorf("read the Portal's users: %w", err)
	}
	b := Board{At: s.now(), AuthMode: map[api.AuthMode]int{}, Users: len(users), Waves: []WaveCard{}, Interrupted: []Run{}}
	for _, u := range users {
		b.AuthMode[u.AuthMode]++
		if linked(u) {
			b.Linked++
		}
	}
	byID := usersByID(users)
	err = s.Store.View(ctx, func(tx Tx) error {
		waves, err := tx.Waves()
		if err != nil {
			return err
		}
		runs, err := tx.RolloutRuns()
		if err != nil {
			return err
		}
		for _, r := range runs {
			if r.Status == RunApplying || r.Status == RunCancelled {
				b.Interrupted = append(b.Interrupted, r)
			}
		}
		for _, w := range waves {
			full, err := tx.Wave(w.ID)
			if err != nil {
				return err
			}
			card := WaveCard{Wave: w, AuthMode: map[api.AuthMode]int{}}
			for _, m := range full.Members {
				u, ok := byID[m.UserID]
				if !ok {
					card.Missing++
					continue
				}
				card.AuthMode[u.AuthMode]++
				if linked(u) {
					card.Linked++
				}
			}
			for _, r := range runs { // newest first
				if r.Op == OpEnforce && r.WaveID == w.ID && r.Status != RunSuperseded {
					card.Enforcement = r.Status
					break
				}
			}
			b.Waves = append(b.Waves, card)
		}
		return nil
	})
	return b, err
}
