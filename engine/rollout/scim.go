package rollout

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/portal-id/migration-console/engine/audit"
	"github.com/portal-id/migration-console/engine/inventory"
)

// ReservedGroupNames are the groups the target reserves for itself
// (docs/rollout.md): an incumbent app must not push them.
var ReservedGroupNames = []string{"Everyone", "Admin Center Administrators"}

// ReservedGroup is a reserved group an incumbent app is assigned to, and so
// would provision.
type ReservedGroup struct {
	Group      string `json:"group"`
	GroupID    string `json:"group_id"`
	App        string `json:"app"`
	AppID      string `json:"app_id"`
	Source     string `json:"source"`
	SnapshotID string `json:"snapshot_id"`
}

// ScimPreflight is what enabling SCIM deprovisioning would do, and whether
// the rollout is stable enough to offer it (docs/rollout.md, SCIM).
type ScimPreflight struct {
	ConfigurationID string `json:"sso_configuration_id,omitempty"`
	// CurrentlyEnabled is the configuration's SCIM deprovisioning now.
	CurrentlyEnabled bool     `json:"currently_enabled"`
	Stable           bool     `json:"stable"`
	Unstable         []string `json:"unstable"`
	EnabledUsers     int      `json:"enabled_users"`
	LinkedEnabled    int      `json:"linked_enabled_users"`
	LinkedShare      float64  `json:"linked_share"`
	Threshold        float64  `json:"threshold"`
	// WouldDisable are SSO-linked users: removing or disabling them in the
	// identity provider disables their Portal account.
	WouldDisable []UserRef `json:"would_disable"`
	// NoOp are users never SSO-linked: a deprovisioning request for them
	// changes nothing.
	NoOp           []UserRef       `json:"no_op"`
	ReservedGroups []ReservedGroup `json:"reserved_groups"`
}

// ScimPreflight computes the SCIM deprovisioning pre-flight.
func (s *Service) ScimPreflight(ctx context.Context) (ScimPreflight, error) {
	st, err := s.Settings(ctx)
	if err != nil {
		return ScimPreflight{}, err
	}
	l, err := s.readLive(ctx)
	if err != nil {
		return ScimPreflight{}, err
	}
	pf := ScimPreflight{Threshold: st.LinkedThreshold, Unstable: []string{}, WouldDisable: []UserRef{}, NoOp: []UserRef{}, ReservedGroups: []ReservedGroup{}}
	if l.config == nil {
		pf.Unstable = append(pf.Unstable, sentence(l.configErr))
	} else {
		pf.ConfigurationID, pf.CurrentlyEnabled = l.config.Id, l.config.ScimDeprovisioningEnabled
		if !l.config.Enabled {
			pf.Unstable = append(pf.Unstable, "The SSO configuration is disabled.")
		}
	}
	for _, u := range l.users {
		if !enabled(u) {
			continue
		}
		pf.EnabledUsers++
		if linked(u) {
			pf.LinkedEnabled++
			pf.WouldDisable = append(pf.WouldDisable, refOf(u, "SSO-linked: deprovisioning in the identity provider disables this account"))
		} else {
			pf.NoOp = append(pf.NoOp, refOf(u, "never SSO-linked: a deprovisioning request is a no-op"))
		}
	}
	if pf.EnabledUsers > 0 {
		pf.LinkedShare = float64(pf.LinkedEnabled) / float64(pf.EnabledUsers)
	}
	if pf.LinkedShare < pf.Threshold {
		pf.Unstable = append(pf.Unstable, fmt.Sprintf("%.0f%% of enabled users are SSO-linked (%d of %d), below the %.0f%% threshold.",
			100*pf.LinkedShare, pf.LinkedEnabled, pf.EnabledUsers, 100*pf.Threshold))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		waves, err := tx.Waves()
		if err != nil {
			return err
		}
		for _, w := range waves {
			if w.Status == WaveApplying || w.Status == WaveInterrupted {
				pf.Unstable = append(pf.Unstable, fmt.Sprintf("Wave %q is %s.", w.Name, w.Status))
			}
		}
		runs, err := tx.RolloutRuns()
		if err != nil {
			return err
		}
		for _, r := range runs {
			if (r.Status == RunApplying || r.Status == RunCancelled) && r.Op != OpWave {
				pf.Unstable = append(pf.Unstable, fmt.Sprintf("An %s run (%s) is %s.", r.Op, r.ID, r.Status))
			}
		}
		pf.ReservedGroups, err = reservedGroups(tx)
		return err
	})
	pf.Stable = len(pf.Unstable) == 0
	return pf, err
}

// reservedGroups finds, in the latest completed snapshot of each source,
// the reserved groups assigned to an incumbent app.
func reservedGroups(tx Tx) ([]ReservedGroup, error) {
	snaps, err := tx.Snapshots()
	if err != nil {
		return nil, err
	}
	out := []ReservedGroup{}
	seen := map[string]bool{}
	for _, snap := range snaps { // newest first
		if snap.Status != inventory.StatusCompleted || seen[snap.SourceID] {
			continue
		}
		seen[snap.SourceID] = true
		groups, err := itemsOf(tx, snap.ID, inventory.KindGroup)
		if err != nil {
			return nil, err
		}
		reserved := map[string]string{}
		for _, g := range groups {
			if name := groupName(g); isReserved(name) {
				reserved[g.SourceID] = name
			}
		}
		if len(reserved) == 0 {
			continue
		}
		assignments, err := itemsOf(tx, snap.ID, inventory.KindAssignment)
		if err != nil {
			return nil, err
		}
		for _, a := range assignments {
			v := a.View.Assignment
			if v == nil || v.Target != inventory.AssignGroup {
				continue
			}
			if name, ok := reserved[v.PrincipalID]; ok {
				out = append(out, ReservedGroup{Group: name, GroupID: v.PrincipalID, App: firstNonEmpty(v.AppName, v.AppID), AppID: v.AppID,
					Source: snap.SourceName, SnapshotID: snap.ID})
			}
		}
	}
	return out, nil
}

// itemsOf reads every item of kind in a snapshot.
func itemsOf(tx Tx, snapshotID string, kind inventory.Kind) ([]inventory.StoredItem, error) {
	var out []inventory.StoredItem
	for offset := 0; ; {
		page, err := tx.QueryItems(inventory.ItemQuery{SnapshotID: snapshotID, Kind: kind, Offset: offset, Limit: 1000, SortBy: "source_id"})
		if err != nil {
			return nil, fmt.Errorf("read %s items of snapshot %s: %w", kind, snapshotID, err)
		}
		out = append(out, page.Items...)
		offset += len(page.Items)
		if len(page.Items) < 1000 {
			return out, nil
		}
	}
}

// groupName is a group item's name: its view's, else its display name.
func groupName(g inventory.StoredItem) string {
	if g.View.Group != nil && g.View.Group.Name != "" {
		return g.View.Group.Name
	}
	return g.DisplayName
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// PreviewScim previews turning the rollout configuration's SCIM
// deprovisioning on or off, with the pre-flight. Turning it on is refused
// at apply while the rollout is not stable.
func (s *Service) PreviewScim(ctx context.Context, enable bool) (Preview, error) {
	pf, err := s.ScimPreflight(ctx)
	if err != nil {
		return Preview{}, err
	}
	p := Preview{Run: Run{Op: OpScim, Options: RunOptions{ScimEnable: enable}}, Scim: &pf}
	if pf.ConfigurationID == "" {
		return Preview{}, fmt.Errorf("%w: %s", ErrRefused, strings.Join(pf.Unstable, " "))
	}
	v, err := s.Target.GetSsoConfiguration(ctx, pf.ConfigurationID)
	if err != nil {
		return Preview{}, fmt.Errorf("read SSO configuration %s: %w", pf.ConfigurationID, err)
	}
	obj, _ := json.Marshal(v.Value)
	st := Step{Kind: StepSetScimDeprovis, TargetID: v.Value.Id, Label: "SSO configuration " + v.Value.Id,
		From: fmt.Sprint(v.Value.ScimDeprovisioningEnabled), To: fmt.Sprint(enable), Object: obj}
	switch {
	case v.Value.ScimDeprovisioningEnabled == enable:
		st = refuse(st, "already_done", fmt.Sprintf("SCIM deprovisioning is already %s", onOff(enable)))
	case enable && !pf.Stable:
		st = refuse(st, "not_stable", "the rollout is not stable: "+strings.Join(pf.Unstable, " "))
	}
	p.Steps = []Step{st}
	if enable {
		p.Warning = fmt.Sprintf("Once on, removing or disabling someone in the identity provider disables their Portal account if they are SSO-linked (%d users); for the %d never linked it is a no-op. Disabled users stay visible and can be re-enabled by hand.",
			len(pf.WouldDisable), len(pf.NoOp))
	}
	err = s.savePreview(ctx, &p, audit.RolloutScimPreviewed, map[string]string{"scim_deprovisioning_enabled": fmt.Sprint(enable)})
	return p, err
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// isReserved reports a reserved group name.
func isReserved(name string) bool {
	for _, r := range ReservedGroupNames {
		if strings.EqualFold(strings.TrimSpace(name), r) {
			return true
		}
	}
	return false
}
