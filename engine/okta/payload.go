package okta

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/inventory/payload"
)

// obj reads one object of an Okta payload tolerantly (see package payload).
type obj = payload.Object

var errNoID = errors.New("payload has no id")

// parseObject decodes raw as an object with a non-empty string "id".
func parseObject(raw json.RawMessage) (obj, error) {
	o, err := payload.Parse(raw)
	if err != nil {
		return nil, err
	}
	if o.Str("id") == "" {
		return nil, errNoID
	}
	return o, nil
}

// state maps an Okta status to a vendor-neutral state.
func state(status string) inventory.State {
	switch strings.ToUpper(status) {
	case "ACTIVE":
		return inventory.StateActive
	case "INACTIVE":
		return inventory.StateInactive
	}
	return inventory.StateUnknown
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

func wrapErr(what string, err error) error { return fmt.Errorf("okta %s: %w", what, err) }
