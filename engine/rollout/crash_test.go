package rollout_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/engine/workspace"
)

var errCrash = errors.New("simulated crash: the process died here")

// Where a crash strikes, counted over the workspace file's write
// transactions and the Portal writes.
const (
	// crashBeforeCommit dies while a workspace write is in flight: it
	// never commits.
	crashBeforeCommit = iota
	// crashAfterCommit dies right after a workspace write committed.
	crashAfterCommit
	// crashAnswerLost dies after the Portal made a write, before its
	// answer is read.
	crashAnswerLost
	crashModes
)

// crash is one process's death: at event number at, in mode. After it,
// every store and Portal call fails, as nothing of a dead process runs.
type crash struct {
	mu   sync.Mutex
	at   int
	mode int
	n    int
	dead bool
}

// tick counts an event of kind and reports whether the process is dead
// and whether this event is the one that kills it.
func (c *crash) tick(portalWrite bool) (dead, strikes bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return true, false
	}
	if portalWrite != (c.mode == crashAnswerLost) {
		return false, false
	}
	c.n++
	return false, c.n == c.at
}

func (c *crash) die() {
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
}

func (c *crash) isDead() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

type crashStore struct {
	rollout.Store
	c *crash
}

func (s crashStore) Update(ctx context.Context, fn func(rollout.Tx) error) error {
	dead, strikes := s.c.tick(false)
	switch {
	case dead:
		return errCrash
	case strikes && s.c.mode == crashBeforeCommit:
		s.c.die()
		return errCrash
	}
	err := s.Store.Update(ctx, fn)
	if strikes {
		s.c.die()
		return errCrash
	}
	return err
}

func (s crashStore) View(ctx context.Context, fn func(rollout.Tx) error) error {
	if s.c.isDead() {
		return errCrash
	}
	return s.Store.View(ctx, fn)
}

type crashTarget struct {
	rollout.Target
	c *crash
}

func (t crashTarget) GetUser(ctx context.Context, id string) (client.Versioned[api.User], error) {
	if t.c.isDead() {
		return client.Versioned[api.User]{}, errCrash
	}
	return t.Target.GetUser(ctx, id)
}

func (t crashTarget) ReplaceUser(ctx context.Context, id, etag string, in api.UserInput) (client.Versioned[api.User], error) {
	dead, strikes := t.c.tick(true)
	if dead {
		return client.Versioned[api.User]{}, errCrash
	}
	v, err := t.Target.ReplaceUser(ctx, id, etag, in)
	if strikes {
		t.c.die()
		return client.Versioned[api.User]{}, errCrash
	}
	return v, err
}

// TestKillAndResumeAThousandUserWave crashes the apply of a 1,000-user wave
// at random journal points (a workspace write lost or just committed, a
// Portal write made but its answer lost), resumes it with a fresh service
// each time, and checks every user was changed exactly once and none was
// missed. make test runs a sample; make soak (PMC_SOAK=1) the full matrix.
func TestKillAndResumeAThousandUserWave(t *testing.T) {
	users, crashes := 1000, 3
	soak := os.Getenv("PMC_SOAK") != ""
	if soak {
		crashes = 30
	}
	if testing.Short() {
		users = 200
	}
	ctx := context.Background()
	tn := newPortal(t).tenant()
	tn.healthy(users)
	if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, Domains: []string{"example.test"}}); err != nil {
		t.Fatal(err)
	}
	p, err := tn.svc.PreviewWave(ctx, "pilot")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes()) != users {
		t.Fatalf("%d planned changes, want %d", len(p.Changes()), users)
	}
	rng := rand.New(rand.NewPCG(uint64(users), uint64(crashes)))
	var run rollout.Run
	for i := 0; ; i++ {
		cur, steps, err := tn.svc.RunDetail(ctx, p.Run.ID)
		if err != nil {
			t.Fatal(err)
		}
		left := 0
		for _, s := range steps {
			if !s.State.Final() {
				left++
			}
		}
		// Each remaining user costs two workspace writes and one Portal
		// write; strike somewhere among them.
		// A sample strikes anywhere; the soak strikes early and cycles the
		// modes, so a thousand users see every kind of crash many times.
		window, mode := 2*left+3, rng.IntN(crashModes)
		if soak {
			window, mode = min(window, 90), i%crashModes
		}
		c := &crash{at: 1 + rng.IntN(window), mode: mode}
		if c.mode == crashAnswerLost {
			c.at = 1 + rng.IntN(max(min(left, window/2), 1))
		}
		if i >= crashes || left == 0 {
			c.at = -1 // the last process lives
		}
		svc := &rollout.Service{Store: crashStore{tn.svc.Store, c}, Target: crashTarget{tn.c, c}, Actor: "consultant"}
		if cur.Status == rollout.RunPreviewed {
			run, _, err = svc.Apply(ctx, p.Run.ID, p.Run.Token, nil)
		} else {
			run, _, err = svc.Resume(ctx, p.Run.ID, nil)
		}
		if err == nil {
			break
		}
		if !errors.Is(err, errCrash) {
			t.Fatalf("process %d (crash at %d, mode %d): %v", i, c.at, c.mode, err)
		}
		t.Logf("process %d died at event %d of mode %d with %d users left", i, c.at, c.mode, left)
	}
	if run.Status != rollout.RunCompleted || run.Counts.Applied != users {
		t.Fatalf("final run: %s, %+v", run.Status, run.Counts)
	}
	updates := tn.userUpdates()
	for id, u := range tn.users() {
		if u.BreakGlass {
			continue
		}
		if u.AuthMode != api.SSOPREFERRED {
			t.Errorf("%s missed: %s", label(u), u.AuthMode)
		}
		if updates[id] != 1 {
			t.Errorf("%s was changed %d times", label(u), updates[id])
		}
	}
	_, steps, err := tn.svc.RunDetail(ctx, run.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range steps {
		if s.State != rollout.StepApplied && s.State != rollout.StepRefused {
			t.Errorf("journal: %s is %s", s.Label, s.State)
		}
	}
	trail, brk, err := (&workspace.Service{Store: tn.db}).AuditTrail(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit trail: %v %v", err, brk)
	}
	applied := 0
	for _, e := range trail {
		if e.Event == "migration.rollout_step.applied" {
			applied++
		}
	}
	if applied != users {
		t.Errorf("%d step entries in the audit trail, want %d", applied, users)
	}
}
