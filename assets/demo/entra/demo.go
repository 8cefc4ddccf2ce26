// Package entra holds the bundled demo Entra tenant: payload files written
// by engine/entra/graphreplay's Demo generator, served on loopback by
// graphreplay.Load.
package entra

import "embed"

// Payloads are the demo tenant's payload files.
//
//go:embed *.json
var Payloads embed.FS
