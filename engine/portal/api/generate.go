// Package api is generated from engine/portal/openapi.yaml: the Portal admin
// API's models, its std-http strict server interface and its client
// (ClientWithResponses). Edit the contract, never this package's .gen.go;
// `make generate` regenerates it and `make test` fails while it is stale.
package api

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi.yaml
