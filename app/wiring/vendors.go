package wiring

import (
	"github.com/portal-id/migration-console/engine/entra"
	"github.com/portal-id/migration-console/engine/okta"
	"github.com/portal-id/migration-console/engine/vendor"
)

// Vendors is every incumbent platform the console migrates from, in the
// order migctl and the GUI offer them. Adding one is a package implementing
// vendor.Vendor and one line here (see engine/vendor).
func Vendors() vendor.Registry {
	return vendor.NewRegistry(
		okta.Vendor{},
		entra.Vendor{},
	)
}
