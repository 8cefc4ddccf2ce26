package client

import (
	"errors"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// Stable problem codes of the admin API contract. Branch on these (or on the
// Err… sentinels), never on a problem's title or detail.
const (
	CodeUnauthorized         = string(api.ProblemCodeUnauthorized)
	CodeForbiddenContext     = string(api.ProblemCodeForbiddenContext)
	CodeMissingPermission    = string(api.ProblemCodeMissingPermission)
	CodeNotFound             = string(api.ProblemCodeNotFound)
	CodeValidationFailed     = string(api.ProblemCodeValidationFailed)
	CodeConflict             = string(api.ProblemCodeConflict)
	CodeIdempotencyKeyReused = string(api.ProblemCodeIdempotencyKeyReused)
	CodePreconditionFailed   = string(api.ProblemCodePreconditionFailed)
	CodePreconditionRequired = string(api.ProblemCodePreconditionRequired)
	CodeRoutingConflict      = string(api.ProblemCodeRoutingConflict)
	CodeRateLimited          = string(api.ProblemCodeRateLimited)
	CodeUnavailable          = string(api.ProblemCodeUnavailable)
	CodePayloadTooLarge      = string(api.ProblemCodePayloadTooLarge)
	CodeUnsupportedMediaType = string(api.ProblemCodeUnsupportedMediaType)
	CodeMethodNotAllowed     = string(api.ProblemCodeMethodNotAllowed)
	CodeInternalError        = string(api.ProblemCodeInternalError)
)

// Sentinels matched by code rather than status: each narrows a status
// sentinel (a routing conflict is also ErrConflict).
var (
	ErrIdempotencyConflict = errors.New("idempotency key reused with a different request")
	ErrRoutingConflict     = errors.New("domain already routed by another rule")
	ErrForbiddenContext    = errors.New("session context refused: migration needs membership-backed tenant context")
	ErrMissingPermission   = errors.New("token lacks the permission this call needs")
)

var codeSentinels = map[string]error{
	CodeIdempotencyKeyReused: ErrIdempotencyConflict,
	CodeRoutingConflict:      ErrRoutingConflict,
	CodeForbiddenContext:     ErrForbiddenContext,
	CodeMissingPermission:    ErrMissingPermission,
}
