package inventory

import (
	"context"
	"fmt"
	"net/http"

	"github.com/portal-id/migration-console/engine/netguard"
	"github.com/portal-id/migration-console/engine/workspace"
)

// SourceTest is what a source test found: one check per inventory domain,
// in collection order.
type SourceTest struct {
	Source workspace.Source
	// Label is the incumbent platform's name ("Okta").
	Label  string
	Checks []DomainCheck
}

// Readable reports whether the credential can read every domain.
func (t SourceTest) Readable() bool {
	for _, c := range t.Checks {
		if !c.Readable {
			return false
		}
	}
	return true
}

// TestSource asks the named source, with the credential the keychain holds
// for it, for the least each inventory domain can return. It first checks
// that the source's endpoints answer at all, so a dead URL or an untrusted
// certificate fails at once with ErrUnreachable, before the credential is
// sent anywhere. It records no evidence and writes nothing to the
// workspace file; every message is scrubbed of the credential.
func (s *Service) TestSource(ctx context.Context, name string) (SourceTest, error) {
	var ws workspace.Workspace
	var src workspace.Source
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		if ws, err = tx.Workspace(); err != nil {
			return err
		}
		src, err = findSource(tx, name)
		return err
	})
	if err != nil {
		return SourceTest{}, fmt.Errorf("test source %q: %w", name, err)
	}
	if src.Status != workspace.SourceConfigured {
		return SourceTest{}, fmt.Errorf("test source %q: %w: it is %s, and its credential was removed", name, ErrSourceNotReady, src.Status)
	}
	if s.Incumbents == nil {
		return SourceTest{}, fmt.Errorf("test source %q: this build offers no incumbent platforms", name)
	}
	inc, err := s.Incumbents.Incumbent(src.Kind)
	if err != nil {
		return SourceTest{}, fmt.Errorf("test source %q: %w", name, err)
	}
	endpoints, err := inc.Endpoints(src.Settings)
	if err != nil {
		return SourceTest{}, fmt.Errorf("test source %q: %w", name, err)
	}
	transport := &netguard.Transport{Base: vendorTransport(), Bounds: s.Network, Stop: ctx}
	for _, e := range endpoints {
		if err := reach(ctx, transport, e); err != nil {
			return SourceTest{}, fmt.Errorf("test source %q: %w", name, err)
		}
	}
	cred, err := s.Secrets.Get(ctx, ws.ID, workspace.SourceRole(name))
	if err != nil {
		return SourceTest{}, fmt.Errorf("test source %q: read its credential from the keychain: %w", name, err)
	}
	// No evidence transport: a test is not a collection. The pacer still
	// goes on top, so a throttled test waits rather than fails, and spends
	// no more of a window than a collection would.
	client := &http.Client{Transport: NewPacer(transport, inc.Pacing())}
	checks, err := inc.Test(ctx, src.Settings, cred, client)
	if err != nil {
		return SourceTest{}, fmt.Errorf("test source %q: %s", name, inc.Scrub(err.Error(), cred))
	}
	for i := range checks {
		checks[i].Message = inc.Scrub(checks[i].Message, cred)
	}
	return SourceTest{Source: src, Label: inc.Label(), Checks: checks}, nil
}
