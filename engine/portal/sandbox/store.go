package sandbox

import (
	"context"
	"errors"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// Kind names a noun of the admin API as the store files it.
type Kind string

// The kinds the sandbox keeps.
const (
	KindUpstreamProvider Kind = "upstream_provider"
	KindRoutingRule      Kind = "routing_rule"
	KindGroup            Kind = "group"
	KindApplication      Kind = "application"
	KindAppAssignment    Kind = "app_assignment"
	KindSsoConfiguration Kind = "sso_configuration"
	KindUser             Kind = "user"
	KindUserTemplate     Kind = "user_template"
	KindAuditEvent       Kind = "audit_event"
	KindSsoEvent         Kind = "sso_event"
)

// Object is one stored API object. Body is its API representation as JSON;
// the store treats it as opaque.
type Object struct {
	Tenant string
	Kind   Kind
	ID     string
	// Seq orders lists; the store assigns it on insert and keeps it on replace.
	Seq  int64
	ETag string
	Body []byte
	// SecretHash is the hex SHA-256 of an application's client secret; the
	// plaintext is never stored.
	SecretHash string
	// Unique are keys no other object of the same tenant and kind may hold
	// (a lower-cased name, an email, a routed domain).
	Unique []string
	// Refs are the ids of objects this one depends on; an object with
	// referrers cannot be deleted.
	Refs []string
}

// TokenSpec is what an admin API token stands for.
type TokenSpec struct {
	Tenant         string
	Actor          string
	SessionContext api.SessionContext
	Permissions    []api.Permission
	// ExpiresAt is zero for a token that does not expire.
	ExpiresAt time.Time
}

// IdempotencyRecord is the stored answer to a create, replayed when the
// same key comes back with the same request.
type IdempotencyRecord struct {
	Tenant      string
	Key         string
	Fingerprint string
	Status      int
	ContentType string
	ETag        string
	Body        []byte
	CreatedAt   time.Time
}

// Errors a Store returns (wrapped) so the server can tell them apart.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("unique key or id already taken")
)

// Store is the sandbox's durable state. Update runs fn in one serialised
// write transaction; View in a read-only one.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Tx is what the server reads and writes inside a transaction.
type Tx interface {
	// Get returns ErrNotFound when the tenant has no such object of kind.
	Get(tenant string, kind Kind, id string) (Object, error)
	// List returns up to limit objects with Seq > afterSeq, in Seq order.
	List(tenant string, kind Kind, afterSeq int64, limit int) ([]Object, error)
	// Insert stores a new object and sets its Seq; ErrConflict when the id
	// or one of its Unique keys is taken.
	Insert(o *Object) error
	// Replace overwrites an object's ETag, Body, SecretHash, Unique and Refs.
	Replace(o Object) error
	Delete(tenant string, kind Kind, id string) error
	// Owner returns the id of the object holding a unique key, or ErrNotFound.
	Owner(tenant string, kind Kind, key string) (string, error)
	// Referrers returns the ids of objects whose Refs name id.
	Referrers(tenant, id string) ([]string, error)

	// Token looks a token up by its SHA-256 (hex); ErrNotFound if unknown.
	Token(hash string) (TokenSpec, error)
	SaveToken(hash string, spec TokenSpec) error

	// Idempotency returns ErrNotFound when no record exists.
	Idempotency(tenant, key string) (IdempotencyRecord, error)
	SaveIdempotency(rec IdempotencyRecord) error
	PurgeIdempotency(before time.Time) error
}
