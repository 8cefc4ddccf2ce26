package rollout

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
)

// UserRef names a user the way a consultant reads it.
type UserRef struct {
	ID       string       `json:"id"`
	Label    string       `json:"label"` // email, else username
	Email    string       `json:"email,omitempty"`
	Username string       `json:"username"`
	AuthMode api.AuthMode `json:"auth_mode"`
	// Why this user is named, when an item or a refusal says more than its
	// title.
	Why string `json:"why,omitempty"`
}

func refOf(u api.User, why string) UserRef {
	r := UserRef{ID: u.Id, Label: label(u), Username: u.Username, AuthMode: u.AuthMode, Why: why}
	if u.Email != nil {
		r.Email = *u.Email
	}
	return r
}

func label(u api.User) string {
	if u.Email != nil && *u.Email != "" {
		return *u.Email
	}
	return u.Username
}

func emailOf(u api.User) string {
	if u.Email == nil {
		return ""
	}
	return *u.Email
}

// CanonicalEmail is an email as an SSO login matches it: Unicode NFC, then
// case folded. Two accounts with the same canonical email cannot be told
// apart by a login, so neither may move to SSO until one is fixed. It is
// the inventory's, so incumbent group members and Portal users are keyed
// alike.
func CanonicalEmail(email string) string { return inventory.CanonicalEmail(email) }

// domainOf is an email's domain, lower-cased ("" without one).
func domainOf(email string) string {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return ""
	}
	return strings.ToLower(email[at+1:])
}

// testWords mark an account as a test account when one of them is a whole
// word of its username or email's local part (qa-test-user, demo.account),
// never a substring (Celeste Testa is a person).
var testWords = map[string]bool{"test": true, "tester": true, "testing": true, "qa": true, "demo": true, "dummy": true, "sandbox": true}

// isTestAccount reports a name that reads as a test account.
func isTestAccount(u api.User) bool {
	local := emailOf(u)
	if at := strings.LastIndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	for _, name := range []string{u.Username, local} {
		words := strings.FieldsFunc(strings.ToLower(name), func(r rune) bool { return !unicode.IsLetter(r) })
		for _, w := range words {
			if testWords[w] {
				return true
			}
		}
	}
	return false
}

// linked reports an SSO-linked user: an issuer and subject recorded and a
// successful SSO login.
func linked(u api.User) bool {
	return u.SsoLink != nil && u.SsoLink.Issuer != "" && u.SsoLink.Subject != "" && u.LastSsoLoginAt != nil
}

// inputOf is the full replacement of u's writable fields, unchanged.
func inputOf(u api.User) api.UserInput {
	bg, svc := u.BreakGlass, u.ServiceAccount
	return api.UserInput{Email: u.Email, Username: u.Username, DisplayName: u.DisplayName, AuthMode: u.AuthMode,
		AccountState: u.AccountState, BreakGlass: &bg, ServiceAccount: &svc}
}

func configInput(c api.SsoConfiguration) api.SsoConfigurationInput {
	return api.SsoConfigurationInput{ProviderId: c.ProviderId, Audience: c.Audience, UserTemplateId: c.UserTemplateId,
		ScimDeprovisioningEnabled: c.ScimDeprovisioningEnabled, Enabled: c.Enabled, RoleMapping: c.RoleMapping}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
