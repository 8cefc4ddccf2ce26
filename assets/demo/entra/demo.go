// Package entra holds the bundled demo Entra tenant: payload files written
// by engine/entra/graphreplay/gendemo (make generate), served on loopback by
// graphreplay.Load.
package entra

import "embed"

// Payloads are the demo tenant's payload files.
//
//go:embed *.json
var Payloads embed.FS
