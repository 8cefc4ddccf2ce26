// Package okta holds the bundled demo Okta org: payload files written by
// engine/okta/oktareplay/gendemo (make generate), served on loopback by
// oktareplay.LoadFS.
package okta

import "embed"

// Payloads are the demo org's payload files.
//
//go:embed *.json
var Payloads embed.FS
