package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// problemError is an answer the server gives on purpose; handlers return
// it and the error handlers render it as application/problem+json.
type problemError struct {
	status int
	code   api.ProblemCode
	detail string
}

func (e *problemError) Error() string { return string(e.code) + ": " + e.detail }

func problemf(status int, code api.ProblemCode, format string, args ...any) *problemError {
	return &problemError{status: status, code: code, detail: fmt.Sprintf(format, args...)}
}

func invalid(format string, args ...any) *problemError {
	return problemf(http.StatusBadRequest, api.ProblemCodeValidationFailed, format, args...)
}

func notFound(kind Kind, id string) *problemError {
	return problemf(http.StatusNotFound, api.ProblemCodeNotFound, "no %s with id %q", strings.ReplaceAll(string(kind), "_", " "), clip(id))
}

var titles = map[api.ProblemCode]string{
	api.ProblemCodeUnauthorized:         "Unauthorized",
	api.ProblemCodeForbiddenContext:     "Session context not allowed",
	api.ProblemCodeMissingPermission:    "Missing permission",
	api.ProblemCodeNotFound:             "Not found",
	api.ProblemCodeValidationFailed:     "Validation failed",
	api.ProblemCodeConflict:             "Conflict",
	api.ProblemCodeIdempotencyKeyReused: "Idempotency key reused",
	api.ProblemCodePreconditionFailed:   "Precondition failed",
	api.ProblemCodePreconditionRequired: "Precondition required",
	api.ProblemCodeRoutingConflict:      "Routing conflict",
	api.ProblemCodeRateLimited:          "Too many requests",
	api.ProblemCodeUnavailable:          "Service unavailable",
	api.ProblemCodePayloadTooLarge:      "Payload too large",
	api.ProblemCodeUnsupportedMediaType: "Unsupported media type",
	api.ProblemCodeMethodNotAllowed:     "Method not allowed",
	api.ProblemCodeInternalError:        "Internal error",
}

func writeProblem(w http.ResponseWriter, p *problemError) {
	detail := p.detail
	body, err := json.Marshal(api.Problem{
		Type:   "https://portal.example.com/problems/" + string(p.code),
		Title:  titles[p.code],
		Status: p.status,
		Code:   p.code,
		Detail: &detail,
	})
	if err != nil { // a Problem always encodes; keep the answer well-formed anyway
		body = []byte(`{"type":"about:blank","title":"Internal error","status":500,"code":"internal_error"}`)
		p.status = http.StatusInternalServerError
	}
	if p.code == api.ProblemCodeRateLimited || p.code == api.ProblemCodeUnavailable {
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "0")
		}
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.status)
	_, _ = w.Write(body)
}

// clip keeps caller-supplied text in a detail short and printable, so a
// problem never echoes a megabyte or a control character back.
func clip(s string) string {
	const max = 120
	var b strings.Builder
	n := 0
	for _, r := range s {
		if n == max {
			b.WriteString("…")
			break
		}
		if r == utf8.RuneError || unicode.IsControl(r) || isBidiControl(r) {
			r = '?'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}
