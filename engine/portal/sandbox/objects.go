package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
)

// meta is what a write stores beside an object's API representation.
type meta struct {
	unique     []string
	refs       []string
	secretHash string
	// facts are the non-secret facts the audit event records.
	facts map[string]string
}

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

func newID(prefix string) string {
	b := make([]byte, 15)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return prefix + "_" + idEncoding.EncodeToString(b)
}

func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:10]) + `"`
}

func uniqueKey(field, value string) string { return field + ":" + strings.ToLower(value) }

// claim refuses unique keys another object of the same kind already holds.
// Writes are serialised, so the check cannot race; the store's own unique
// index is the backstop.
func claim(tx Tx, tenant string, kind Kind, self string, keys []string) error {
	for _, k := range keys {
		owner, err := tx.Owner(tenant, kind, k)
		if errors.Is(err, ErrNotFound) || owner == self {
			continue
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", kind, err)
		}
		field, value, _ := strings.Cut(k, ":")
		if kind == KindRoutingRule {
			return problemf(http.StatusConflict, api.ProblemCodeRoutingConflict,
				"%s %s is already routed by rule %s; routing must stay deterministic", field, clip(value), owner)
		}
		return problemf(http.StatusConflict, api.ProblemCodeConflict, "%s %q is already taken by %s", field, clip(value), owner)
	}
	return nil
}

// mustExist checks a reference in a request body.
func mustExist(tx Tx, tenant string, kind Kind, id, field string) error {
	if _, err := tx.Get(tenant, kind, id); err != nil {
		if errors.Is(err, ErrNotFound) {
			return invalid("%s: no %s with id %q", field, strings.ReplaceAll(string(kind), "_", " "), clip(id))
		}
		return fmt.Errorf("read %s: %w", kind, err)
	}
	return nil
}

func storeErr(kind Kind, err error) error {
	if errors.Is(err, ErrConflict) {
		return problemf(http.StatusConflict, api.ProblemCodeConflict, "a %s with the same unique fields already exists", strings.ReplaceAll(string(kind), "_", " "))
	}
	return fmt.Errorf("write %s: %w", kind, err)
}

func (s *Server) audit(tx Tx, p TokenSpec, at time.Time, kind Kind, action, targetID string, facts map[string]string) error {
	return appendAudit(tx, p.Tenant, p.Actor, at, kind, action, targetID, facts)
}

// appendAudit records a write in the tenant's audit trail.
func appendAudit(tx Tx, tenant, actor string, at time.Time, kind Kind, action, targetID string, facts map[string]string) error {
	if facts == nil {
		facts = map[string]string{}
	}
	ev := api.AuditEvent{Id: newID("aud"), At: at, Event: "portal." + string(kind) + "." + action,
		Actor: actor, TargetType: string(kind), TargetId: targetID, Facts: facts}
	body, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode audit event: %w", err)
	}
	o := Object{Tenant: tenant, Kind: KindAuditEvent, ID: ev.Id, ETag: etagOf(body), Body: body}
	if err := tx.Insert(&o); err != nil {
		return fmt.Errorf("append audit event: %w", err)
	}
	return nil
}

// create runs build inside one write transaction and stores its result,
// with an audit event.
func create[T any](ctx context.Context, s *Server, kind Kind, prefix string, build func(tx Tx, id string, now time.Time) (T, meta, error)) (T, string, error) {
	p := principalFrom(ctx)
	var out T
	var etag string
	err := s.store.Update(ctx, func(tx Tx) error {
		id, now := newID(prefix), s.now()
		v, m, err := build(tx, id, now)
		if err != nil {
			return err
		}
		if err := claim(tx, p.Tenant, kind, id, m.unique); err != nil {
			return err
		}
		body, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", kind, err)
		}
		o := Object{Tenant: p.Tenant, Kind: kind, ID: id, ETag: etagOf(body), Body: body,
			SecretHash: m.secretHash, Unique: m.unique, Refs: m.refs}
		if err := tx.Insert(&o); err != nil {
			return storeErr(kind, err)
		}
		out, etag = v, o.ETag
		return s.audit(tx, p, now, kind, "created", id, m.facts)
	})
	return out, etag, err
}

// update replaces an object when ifMatch names its current version. An
// empty secretHash from build keeps the stored one.
func update[T any](ctx context.Context, s *Server, kind Kind, id, ifMatch, action string, build func(tx Tx, prev T, now time.Time) (T, meta, error)) (T, string, error) {
	p := principalFrom(ctx)
	var out T
	var etag string
	err := s.store.Update(ctx, func(tx Tx) error {
		o, prev, err := load[T](tx, p.Tenant, kind, id)
		if err != nil {
			return err
		}
		if !etagMatches(ifMatch, o.ETag) {
			return problemf(http.StatusPreconditionFailed, api.ProblemCodePreconditionFailed, "the %s changed since it was read (ETag %s)", strings.ReplaceAll(string(kind), "_", " "), o.ETag)
		}
		now := s.now()
		v, m, err := build(tx, prev, now)
		if err != nil {
			return err
		}
		if err := claim(tx, p.Tenant, kind, id, m.unique); err != nil {
			return err
		}
		body, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", kind, err)
		}
		o.ETag, o.Body, o.Unique, o.Refs = etagOf(body), body, m.unique, m.refs
		if m.secretHash != "" {
			o.SecretHash = m.secretHash
		}
		if err := tx.Replace(o); err != nil {
			return storeErr(kind, err)
		}
		out, etag = v, o.ETag
		return s.audit(tx, p, now, kind, action, id, m.facts)
	})
	return out, etag, err
}

func etagMatches(ifMatch, current string) bool {
	for _, t := range strings.Split(ifMatch, ",") {
		if t = strings.TrimSpace(t); t == "*" || t == current {
			return true
		}
	}
	return false
}

func load[T any](tx Tx, tenant string, kind Kind, id string) (Object, T, error) {
	var v T
	o, err := tx.Get(tenant, kind, id)
	if errors.Is(err, ErrNotFound) {
		return o, v, notFound(kind, id)
	}
	if err != nil {
		return o, v, fmt.Errorf("read %s: %w", kind, err)
	}
	if err := json.Unmarshal(o.Body, &v); err != nil {
		return o, v, fmt.Errorf("decode stored %s %s: %w", kind, id, err)
	}
	return o, v, nil
}

func get[T any](ctx context.Context, s *Server, kind Kind, id string) (T, string, error) {
	var v T
	var etag string
	err := s.store.View(ctx, func(tx Tx) error {
		o, got, err := load[T](tx, principalFrom(ctx).Tenant, kind, id)
		v, etag = got, o.ETag
		return err
	})
	return v, etag, err
}

func remove(ctx context.Context, s *Server, kind Kind, id string, ifMatch *string) error {
	p := principalFrom(ctx)
	return s.store.Update(ctx, func(tx Tx) error {
		o, err := tx.Get(p.Tenant, kind, id)
		if errors.Is(err, ErrNotFound) {
			return notFound(kind, id)
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", kind, err)
		}
		if ifMatch != nil && !etagMatches(*ifMatch, o.ETag) {
			return problemf(http.StatusPreconditionFailed, api.ProblemCodePreconditionFailed, "the %s changed since it was read (ETag %s)", strings.ReplaceAll(string(kind), "_", " "), o.ETag)
		}
		refs, err := tx.Referrers(p.Tenant, id)
		if err != nil {
			return fmt.Errorf("check references to %s: %w", id, err)
		}
		if len(refs) > 0 {
			return problemf(http.StatusConflict, api.ProblemCodeConflict, "%s is still referred to by %s", id, strings.Join(refs, ", "))
		}
		if err := tx.Delete(p.Tenant, kind, id); err != nil {
			return fmt.Errorf("delete %s: %w", kind, err)
		}
		return s.audit(tx, p, s.now(), kind, "deleted", id, nil)
	})
}

const defaultLimit = 100

// list reads one page. Cursors are the opaque Seq of the last item served.
func list[T any](ctx context.Context, s *Server, kind Kind, cursor *string, limit *int) ([]T, *string, error) {
	return listWhere[T](ctx, s, kind, cursor, limit, nil)
}

// listWhere reads one page of the objects keep accepts (all when nil). A
// page may hold fewer than limit items when keep skips some; next_cursor
// still says whether more remain.
func listWhere[T any](ctx context.Context, s *Server, kind Kind, cursor *string, limit *int, keep func(T) bool) ([]T, *string, error) {
	n := defaultLimit
	if limit != nil {
		n = *limit
	}
	var after int64
	if cursor != nil && *cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(*cursor)
		if err == nil {
			after, err = strconv.ParseInt(string(raw), 10, 64)
		}
		if err != nil || after < 0 {
			return nil, nil, invalid("cursor: not a cursor this server issued")
		}
	}
	items := make([]T, 0, n)
	var next *string
	err := s.store.View(ctx, func(tx Tx) error {
		objs, err := tx.List(principalFrom(ctx).Tenant, kind, after, n+1)
		if err != nil {
			return fmt.Errorf("list %s: %w", kind, err)
		}
		if len(objs) > n {
			objs = objs[:n]
			c := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(objs[n-1].Seq, 10)))
			next = &c
		}
		for _, o := range objs {
			var v T
			if err := json.Unmarshal(o.Body, &v); err != nil {
				return fmt.Errorf("decode stored %s %s: %w", kind, o.ID, err)
			}
			if keep == nil || keep(v) {
				items = append(items, v)
			}
		}
		return nil
	})
	return items, next, err
}
