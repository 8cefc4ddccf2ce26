package inventory

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/portal-id/migration-console/engine/redact"
	"github.com/portal-id/migration-console/engine/secret"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Incumbent is an incumbent platform as collection and source tests use
// it. engine/vendor's Vendor has these methods among its others; the
// vendor registry in app/wiring hands them to the Service.
type Incumbent interface {
	// Label is the platform's name for people ("Okta").
	Label() string
	// Pacing is how the platform's rate limits are grouped and read; the
	// Service adds the share and the wait reporting.
	Pacing() PacingOptions
	// Endpoints are the base URLs a source's settings point at, checked
	// for reachability before a test sends the credential anywhere.
	Endpoints(settings json.RawMessage) ([]string, error)
	// Open builds a collector for a source's settings and credential.
	// client carries every inventory request through the evidence and
	// pacing transports: the collector's SDK must use it and run no retries
	// of its own.
	Open(ctx context.Context, settings json.RawMessage, cred secret.Value, client *http.Client) (Collector, error)
	// Test asks each inventory domain for the least a read can fetch,
	// through client (paced, no evidence), and reports one DomainCheck
	// per domain in collection order.
	Test(ctx context.Context, settings json.RawMessage, cred secret.Value, client *http.Client) ([]DomainCheck, error)
	// Scrub removes every form of cred the platform's SDKs and APIs may
	// echo from text (an error message, a transport's complaint).
	Scrub(text string, cred secret.Value) string
	// PayloadSecrets is the catalogue of the secret-bearing fields of the
	// platform's payloads, which the evidence transport redacts before a
	// page is stored (docs/evidence.md).
	PayloadSecrets() []redact.Field
}

// Incumbents finds the Incumbent of a source kind.
type Incumbents interface {
	Incumbent(kind workspace.SourceKind) (Incumbent, error)
}

// DomainCheck is one row of a source test, the same for every incumbent:
// whether the credential can read one inventory domain, or the API's own
// refusal (its HTTP status, error code and message) or the transport's
// error. A readable domain may carry a note (e.g. nothing to read
// assignments of).
type DomainCheck struct {
	Domain   string `json:"domain"`
	Readable bool   `json:"readable"`
	Status   int    `json:"status,omitempty"`
	Code     string `json:"code,omitempty"`
	Message  string `json:"message,omitempty"`
	// Needs names the permission or OAuth scope that reads the domain, so
	// a refusal says what to grant.
	Needs string `json:"needs,omitempty"`
}

// DomainProbe asks one inventory domain whether the credential can read
// it.
type DomainProbe struct {
	Domain string
	Check  func(ctx context.Context) DomainCheck
}

// probeWorkers bounds how many domain probes of one test run at once: a
// test is a handful of requests, and the pacer still spaces each group.
const probeWorkers = 4

// CheckDomains runs probes at most probeWorkers at a time and returns
// their checks in the probes' order. A probe's Check names its own domain
// in the check it returns.
func CheckDomains(ctx context.Context, probes []DomainProbe) []DomainCheck {
	out := make([]DomainCheck, len(probes))
	sem := make(chan struct{}, probeWorkers)
	done := make(chan struct{})
	for i, pr := range probes {
		go func() {
			sem <- struct{}{}
			defer func() { <-sem; done <- struct{}{} }()
			c := pr.Check(ctx)
			c.Domain = pr.Domain
			out[i] = c
		}()
	}
	for range probes {
		<-done
	}
	return out
}
