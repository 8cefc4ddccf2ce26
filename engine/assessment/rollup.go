package assessment

import (
	"context"
	"fmt"
	"maps"
	"sort"

	"github.com/portal-id/migration-console/engine/inventory"
)

// Readiness is a completed run's readiness roll-up, per kind and per
// application, with the what-if dispositions applied: a disposed finding no
// longer counts as outstanding. The rules' verdicts are unchanged (Counts);
// only the outstanding counts move.
type Readiness struct {
	RunID string       `json:"run_id"`
	Kinds []KindRollup `json:"kinds"`
	Apps  []AppRollup  `json:"apps"`
	Total KindRollup   `json:"total"`
	// SignInPath is the effective class of the tenant-wide sign-in path:
	// the routing rules not conditioned on an application, and every
	// provider ("" when nothing is outstanding). It concerns the users of
	// the domains those rules route, so it is reported beside the
	// applications rather than folded into each.
	SignInPath Class `json:"sign_in_path"`
	// Disposed counts the run's dispositions by kind of disposition.
	Disposed map[DispositionKind]int `json:"disposed"`
}

// KindRollup counts one kind's items (or, as Readiness.Total, every item).
type KindRollup struct {
	Kind inventory.Kind `json:"kind,omitempty"`
	// Counts are the items by the class their rules gave.
	Counts map[Class]int `json:"counts"`
	// Outstanding are the items by effective class: the most restrictive
	// class among findings not disposed. Resolved are items all of whose
	// restrictive findings are disposed.
	Outstanding map[Class]int `json:"outstanding"`
	Resolved    int           `json:"resolved"`
	// Ready counts items that will move: effective class native_import or
	// import_with_approximation, or resolved.
	Ready int `json:"ready"`
	Items int `json:"items"`
}

// AppRollup is one application's readiness: the application itself with
// its assignments (and, for Entra, its service principals and theirs), and
// the routing rules and policies conditioned on it. The tenant-wide sign-in
// path is Readiness.SignInPath.
type AppRollup struct {
	ItemID   int64  `json:"item_id"`
	SourceID string `json:"source_id"`
	Name     string `json:"name"`
	// Class is the application's own verdict.
	Class Class `json:"class"`
	// Own is the effective class of the application and its members;
	// SignIn that of the routing rules and policies conditioned on it;
	// Effective the worse of the two. "" means nothing is outstanding.
	Own       Class `json:"own"`
	SignIn    Class `json:"sign_in"`
	Effective Class `json:"effective"`
	// Ready: Effective is "", native_import or import_with_approximation.
	Ready bool `json:"ready"`
	// Members counts the application and its members by effective class
	// (resolved members under "").
	Members map[Class]int `json:"members"`
	// Related is how many items belong to the application (its
	// assignments, and for Entra its service principals and theirs).
	Related int `json:"related"`
}

// Effective is the most restrictive class among a result's findings that
// carry no disposition, or "" when every restrictive finding is disposed
// (native_import when a proving rule remains).
func Effective(r Result) Class {
	best := Class("")
	restrictive := false
	for _, f := range r.Findings {
		if f.Class != NativeImport {
			restrictive = true
		}
		if f.Disposition != nil {
			continue
		}
		if best == "" || f.Class.Rank() > best.Rank() {
			best = f.Class
		}
	}
	if best == NativeImport && restrictive {
		// Every restrictive finding is disposed; the proving rule's class
		// stands.
		return NativeImport
	}
	return best
}

func worse(a, b Class) Class {
	if b != "" && (a == "" || b.Rank() > a.Rank()) {
		return b
	}
	return a
}

func readyClass(c Class) bool { return c == "" || c.Imports() }

// Readiness computes the roll-up of a completed run (runID "" for the
// newest completed run).
func (s *Service) Readiness(ctx context.Context, runID string) (Readiness, error) {
	run, err := s.completedRun(ctx, runID)
	if err != nil {
		return Readiness{}, err
	}
	out := Readiness{RunID: run.ID, Disposed: map[DispositionKind]int{}}
	err = s.Store.View(ctx, func(tx Tx) error {
		// Counts by kind are the run's own; the store counts by application.
		byKind := run.KindCounts
		byApp, err := tx.AssessmentAppClassCounts(run.ID)
		if err != nil {
			return err
		}
		ds, err := tx.AssessmentDispositions(run.ID)
		if err != nil {
			return err
		}
		var ids []int64
		seen := map[int64]bool{}
		for _, d := range ds {
			out.Disposed[d.Disposition]++
			if !seen[d.ItemID] {
				seen[d.ItemID] = true
				ids = append(ids, d.ItemID)
			}
		}
		disposed, err := tx.AssessmentResultsOf(run.ID, ids)
		if err != nil {
			return err
		}
		attach(disposed, ds)
		// effective holds the effective class of every disposed item; the
		// others' effective class is their verdict.
		effective := map[int64]Class{}
		for _, r := range disposed {
			effective[r.ItemID] = Effective(r)
		}

		kinds := map[inventory.Kind]*KindRollup{}
		for k, counts := range byKind {
			kr := &KindRollup{Kind: k, Counts: maps.Clone(counts), Outstanding: map[Class]int{}}
			for c, n := range counts {
				kr.Outstanding[c] += n
				kr.Items += n
			}
			kinds[k] = kr
		}
		appMembers := map[string]map[Class]int{}
		for app, counts := range byApp {
			m := map[Class]int{}
			for c, n := range counts {
				m[c] += n
			}
			appMembers[app] = m
		}
		for _, r := range disposed {
			e := effective[r.ItemID]
			kr := kinds[r.Kind]
			kr.Outstanding[r.Class]--
			if e == "" {
				kr.Resolved++
			} else {
				kr.Outstanding[e]++
			}
			if m := appMembers[r.AppKey]; r.AppKey != "" && m != nil {
				m[r.Class]--
				m[e]++
			}
		}
		for _, k := range inventory.Kinds {
			kr := kinds[k]
			if kr == nil {
				continue
			}
			for c, n := range kr.Outstanding {
				if n == 0 {
					delete(kr.Outstanding, c)
				}
			}
			kr.Ready = kr.Resolved + kr.Outstanding[NativeImport] + kr.Outstanding[ImportWithApproximation]
			out.Kinds = append(out.Kinds, *kr)
		}
		out.Total = total(out.Kinds)

		// The sign-in path every application shares: routing rules not
		// conditioned on an application, and every provider.
		links, err := tx.AssessmentAppMembers(run.ID, nil)
		if err != nil {
			return err
		}
		linked := map[int64]bool{}
		linkedTo := map[string]Class{}
		for _, l := range links {
			linked[l.Result.ItemID] = true
			linkedTo[l.App] = worse(linkedTo[l.App], effectiveOf(l.Result, effective))
		}
		shared := Class("")
		apps := []Result{}
		err = headsOf(tx, run.ID, func(r Result) {
			switch r.Kind {
			case inventory.KindRoutingRule:
				if !linked[r.ItemID] {
					shared = worse(shared, effectiveOf(r, effective))
				}
			case inventory.KindProvider:
				shared = worse(shared, effectiveOf(r, effective))
			case inventory.KindApplication:
				if r.AppKey == "" {
					apps = append(apps, r)
				}
			}
		}, inventory.KindApplication, inventory.KindProvider, inventory.KindRoutingRule)
		if err != nil {
			return err
		}
		for _, a := range apps {
			own := effectiveOf(a, effective)
			members := map[Class]int{own: 1}
			related := 0
			for c, n := range appMembers[a.SourceID] {
				if n > 0 {
					members[c] += n
					own = worse(own, c)
				}
			}
			for _, n := range byApp[a.SourceID] {
				related += n
			}
			for c, n := range members {
				if n == 0 {
					delete(members, c)
				}
			}
			signIn := linkedTo[a.SourceID]
			eff := worse(own, signIn)
			out.Apps = append(out.Apps, AppRollup{ItemID: a.ItemID, SourceID: a.SourceID, Name: a.DisplayName, Class: a.Class,
				Own: own, SignIn: signIn, Effective: eff, Ready: readyClass(eff), Members: members, Related: related})
		}
		out.SignInPath = shared
		sort.SliceStable(out.Apps, func(i, j int) bool {
			a, b := out.Apps[i], out.Apps[j]
			if ra, rb := a.Effective.Rank(), b.Effective.Rank(); ra != rb {
				return ra > rb
			}
			if a.Name != b.Name {
				return a.Name < b.Name
			}
			return a.SourceID < b.SourceID
		})
		return nil
	})
	if err != nil {
		return Readiness{}, fmt.Errorf("readiness of run %s: %w", run.ID, err)
	}
	return out, nil
}

func effectiveOf(r Result, disposed map[int64]Class) Class {
	if e, ok := disposed[r.ItemID]; ok {
		return e
	}
	return r.Class
}

func total(kinds []KindRollup) KindRollup {
	t := KindRollup{Counts: map[Class]int{}, Outstanding: map[Class]int{}}
	for _, k := range kinds {
		for c, n := range k.Counts {
			t.Counts[c] += n
		}
		for c, n := range k.Outstanding {
			t.Outstanding[c] += n
		}
		t.Resolved += k.Resolved
		t.Ready += k.Ready
		t.Items += k.Items
	}
	return t
}

// headsOf calls fn for the result head of every item of the given kinds.
func headsOf(tx Tx, runID string, fn func(Result), kinds ...inventory.Kind) error {
	for _, k := range kinds {
		heads, err := tx.AssessmentResultHeads(runID, k)
		if err != nil {
			return err
		}
		for _, r := range heads {
			fn(r)
		}
	}
	return nil
}
