package client

// Stable problem codes of the admin API contract.
const (
	CodeIdempotencyKeyReused = "idempotency_key_reused"
)
