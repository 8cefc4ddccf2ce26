package rollout_test

import (
	"context"
	"testing"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/rollout"
)

// BenchmarkWaveApply applies a 200-user wave through the journal and
// compares it with its floor, measured in the same run on a twin tenant:
// the same reads and conditional writes sent straight through the client,
// with no journal and no audit. The ratio is what durability costs.
func BenchmarkWaveApply(b *testing.B) {
	const users = 200
	ctx := context.Background()
	p := newPortal(b)
	var applied, floor time.Duration
	for i := 0; i < b.N; i++ {
		tn := p.tenant()
		tn.healthy(users)
		if _, err := tn.svc.CreateWave(ctx, rollout.NewWave{Name: "pilot", Kind: rollout.KindPilot, Domains: []string{"example.test"}}); err != nil {
			b.Fatal(err)
		}
		pv, err := tn.svc.PreviewWave(ctx, "pilot")
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if _, _, err := tn.svc.Apply(ctx, pv.Run.ID, pv.Run.Token, nil); err != nil {
			b.Fatal(err)
		}
		applied += time.Since(start)

		twin := p.tenant()
		twin.healthy(users)
		list, err := twin.c.ListUsers(ctx)
		if err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		for _, u := range list {
			if u.BreakGlass {
				continue
			}
			v, err := twin.c.GetUser(ctx, u.Id)
			if err != nil {
				b.Fatal(err)
			}
			in := api.UserInput{Email: v.Value.Email, Username: v.Value.Username, AuthMode: api.SSOPREFERRED, AccountState: v.Value.AccountState}
			if _, err := twin.c.ReplaceUser(ctx, u.Id, v.ETag, in); err != nil {
				b.Fatal(err)
			}
		}
		floor += time.Since(start)
	}
	b.ReportMetric(float64(applied.Milliseconds())/float64(b.N*users), "ms/user")
	b.ReportMetric(float64(floor.Milliseconds())/float64(b.N*users), "floor-ms/user")
	b.ReportMetric(float64(applied)/float64(floor), "x-floor")
}
