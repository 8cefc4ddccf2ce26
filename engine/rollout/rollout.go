// Package rollout is the progressive SSO rollout stage (docs/rollout.md):
// the pre-migration checklist, a pilot and then waves that move users
// LOCAL_ONLY -> SSO_PREFERRED, enforcement (SSO_PREFERRED -> SSO_REQUIRED)
// with a pre-flight that refuses whoever could be locked out, per-wave
// monitoring from the SSO event log and user readback, a one-action
// rollback, the SCIM deprovisioning toggle with its pre-flight, and role
// mapping with a simulator.
//
// The live truth (users, auth modes, SSO links, configurations) lives in the
// Portal and is read back through Target, never assumed. What the rollout
// decided and did lives in the workspace file through Tx: waves and their
// members, every previewed run with its steps, and the journal of each step
// written before its request and after its answer, so an apply interrupted
// at any point resumes without changing any user twice.
package rollout

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strconv"
	"time"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/portal/client"
	"github.com/portal-id/migration-console/engine/workspace"
)

// Target is the Portal admin API as the rollout uses it; *client.Client
// implements it.
type Target interface {
	ListUsers(ctx context.Context) ([]api.User, error)
	GetUser(ctx context.Context, userID string) (client.Versioned[api.User], error)
	ReplaceUser(ctx context.Context, userID, etag string, in api.UserInput) (client.Versioned[api.User], error)
	ListSsoConfigurations(ctx context.Context) ([]api.SsoConfiguration, error)
	GetSsoConfiguration(ctx context.Context, id string) (client.Versioned[api.SsoConfiguration], error)
	ReplaceSsoConfiguration(ctx context.Context, id, etag string, in api.SsoConfigurationInput) (client.Versioned[api.SsoConfiguration], error)
	ListUpstreamProviders(ctx context.Context) ([]api.UpstreamProvider, error)
	ListUserTemplates(ctx context.Context) ([]api.UserTemplate, error)
	ListRoles(ctx context.Context) ([]api.Role, error)
	ResolveRouting(ctx context.Context, identifier string) (api.RoutingResolution, error)
	SsoEventsSince(ctx context.Context, since time.Time) iter.Seq2[api.SsoEvent, error]
}

var _ Target = (*client.Client)(nil)

// Tx is what the rollout reads and writes in the workspace file inside one
// transaction.
type Tx interface {
	audit.Log
	Workspace() (workspace.Workspace, error)

	RolloutSettings() (Settings, error)
	SaveRolloutSettings(Settings) error

	// Waves lists every wave, oldest first, without members.
	Waves() ([]Wave, error)
	// Wave returns ErrWaveNotFound for an unknown id or name.
	Wave(idOrName string) (Wave, error)
	// InsertWave stores a new wave with its members; ErrWaveExists when
	// the name is taken.
	InsertWave(Wave) error
	UpdateWave(Wave) error

	// RolloutRuns lists every run, newest first, without steps.
	RolloutRuns() ([]Run, error)
	// RolloutRun returns ErrRunNotFound for an unknown id.
	RolloutRun(id string) (Run, error)
	// SaveRolloutRun inserts or updates a run and, when steps is not nil,
	// replaces its steps.
	SaveRolloutRun(run Run, steps []Step) error
	RolloutSteps(runID string) ([]Step, error)
	// SaveRolloutStep records one step's journal entry.
	SaveRolloutStep(Step) error

	RoleMapping() (RoleMapping, error)
	SaveRoleMapping(RoleMapping) error

	// The inventory snapshots the role-mapping simulator, the SCIM
	// pre-flight and waves chosen by incumbent group read.
	Snapshots() ([]inventory.Snapshot, error)
	QueryItems(inventory.ItemQuery) (inventory.ItemPage, error)
	inventory.MembershipTx
	// EachMember streams a snapshot's members of one type, each once with
	// the ids of the groups it is directly in; fn must not use the Tx.
	EachMember(snapshotID string, typ inventory.MemberType, fn func(m inventory.Member, groups []string) error) error
}

// Store is the workspace file as the rollout sees it.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
}

// Errors callers can tell apart.
var (
	ErrWaveNotFound = errors.New("no such wave")
	ErrWaveExists   = errors.New("a wave with that name already exists")
	ErrRunNotFound  = errors.New("no such run")
	// ErrStale means an apply named a preview that is no longer the latest
	// (or was already applied): preview again.
	ErrStale = errors.New("the preview is no longer current")
	// ErrRefused means a pre-flight found the operation unsafe; the error
	// says why.
	ErrRefused = errors.New("refused by pre-flight")
	// ErrInvalid is bad input (the workspace stage's, so entry points map
	// it to bad usage).
	ErrInvalid = workspace.ErrInvalid
)

// Settings are the rollout's own choices, kept in the workspace file.
type Settings struct {
	// SsoConfigurationID is the configuration the rollout moves users to;
	// empty means the tenant's only one.
	SsoConfigurationID string `json:"sso_configuration_id,omitempty"`
	// LinkedThreshold is the share (0..1) of enabled users that must be
	// SSO-linked before SCIM deprovisioning is offered.
	LinkedThreshold float64 `json:"linked_threshold"`
}

// DefaultLinkedThreshold is the SCIM pre-flight's default share.
const DefaultLinkedThreshold = 0.9

// Service runs the rollout stage against one workspace file and its Portal.
type Service struct {
	Store  Store
	Target Target
	// Actor is recorded on every audit entry and approval.
	Actor string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) entry(ws workspace.Workspace, event, targetID string, facts map[string]string) audit.Entry {
	return audit.Entry{At: s.now(), Event: event, Tenant: ws.Tenant, Actor: s.Actor, TargetID: targetID, Facts: facts}
}

// record appends one audit entry in tx.
func (s *Service) record(tx Tx, event, targetID string, facts map[string]string) error {
	ws, err := tx.Workspace()
	if err != nil {
		return err
	}
	_, err = audit.Record(tx, s.entry(ws, event, targetID, facts))
	return err
}

// Settings returns the rollout's settings with defaults filled in.
func (s *Service) Settings(ctx context.Context) (Settings, error) {
	var st Settings
	err := s.Store.View(ctx, func(tx Tx) error {
		var err error
		st, err = tx.RolloutSettings()
		return err
	})
	if st.LinkedThreshold == 0 {
		st.LinkedThreshold = DefaultLinkedThreshold
	}
	return st, err
}

// Configure chooses the SSO configuration the rollout moves users to (""
// keeps the current choice) and the linked share the SCIM pre-flight wants
// (0 keeps the current one).
func (s *Service) Configure(ctx context.Context, ssoConfigurationID string, threshold float64) (Settings, error) {
	if threshold < 0 || threshold > 1 {
		return Settings{}, fmt.Errorf("%w: the linked-user threshold %g must be between 0 and 1", ErrInvalid, threshold)
	}
	if ssoConfigurationID != "" {
		cfgs, err := s.Target.ListSsoConfigurations(ctx)
		if err != nil {
			return Settings{}, fmt.Errorf("read the Portal's SSO configurations: %w", err)
		}
		found := false
		for _, c := range cfgs {
			found = found || c.Id == ssoConfigurationID
		}
		if !found {
			return Settings{}, fmt.Errorf("%w: the Portal has no SSO configuration %q", ErrInvalid, ssoConfigurationID)
		}
	}
	var st Settings
	err := s.Store.Update(ctx, func(tx Tx) error {
		var err error
		if st, err = tx.RolloutSettings(); err != nil {
			return err
		}
		if ssoConfigurationID != "" {
			st.SsoConfigurationID = ssoConfigurationID
		}
		if threshold > 0 {
			st.LinkedThreshold = threshold
		}
		if st.LinkedThreshold == 0 {
			st.LinkedThreshold = DefaultLinkedThreshold
		}
		if err := tx.SaveRolloutSettings(st); err != nil {
			return err
		}
		return s.record(tx, audit.RolloutSettingsUpdated, "rollout", map[string]string{
			"sso_configuration_id": st.SsoConfigurationID, "linked_threshold": strconv.FormatFloat(st.LinkedThreshold, 'f', 2, 64)})
	})
	return st, err
}
