// Package portal holds the Portal admin API contract (openapi.yaml). The
// generated models, server interface and client live in engine/portal/api,
// the client wrapper in engine/portal/client and the sandbox server in
// engine/portal/sandbox.
package portal

import (
	"context"
	_ "embed"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// OpenAPI is the contract document as written.
//
//go:embed openapi.yaml
var OpenAPI []byte

// LoadSpec parses and validates the contract, for request and response
// validation (tests, the sandbox's request checks).
func LoadSpec(ctx context.Context) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.Context = ctx
	doc, err := loader.LoadFromData(OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("load portal admin API contract: %w", err)
	}
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("validate portal admin API contract: %w", err)
	}
	return doc, nil
}
