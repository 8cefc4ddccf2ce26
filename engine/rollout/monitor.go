package rollout

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/portal-id/migration-console/engine/portal/api"
	"github.com/portal-id/migration-console/engine/report/chart"
)

// MonitorCounts are what a wave is watched for (docs/rollout.md, monitoring).
type MonitorCounts struct {
	// Linked is how many members are SSO-linked now (user readback).
	Linked int `json:"linked"`
	// NewlyLinked is how many members linked since the wave started.
	NewlyLinked     int `json:"newly_linked"`
	BindingFailures int `json:"binding_failures"`
	LoginFailures   int `json:"login_failures"`
	// ProvisioningErrors and JITCreated are tenant-wide: a first login of
	// someone the Portal did not know belongs to no wave.
	ProvisioningErrors int `json:"provisioning_errors"`
	JITCreated         int `json:"jit_created"`
}

// MonitorPoint is the cumulative counts at one time.
type MonitorPoint struct {
	At time.Time `json:"at"`
	MonitorCounts
}

// MemberStatus is one member's row of the monitoring table.
type MemberStatus struct {
	UserID      string       `json:"user_id"`
	Label       string       `json:"label"`
	AuthMode    api.AuthMode `json:"auth_mode,omitempty"`
	Linked      bool         `json:"linked"`
	LastLoginAt *time.Time   `json:"last_sso_login_at,omitempty"`
	Failures    int          `json:"failures"`
	LastEvent   string       `json:"last_event,omitempty"`
	LastReason  string       `json:"last_reason,omitempty"`
	Missing     bool         `json:"missing,omitempty"`
}

// WaveMonitor is one wave's monitoring since it started.
type WaveMonitor struct {
	Wave   Wave           `json:"wave"`
	Since  *time.Time     `json:"since"`
	At     time.Time      `json:"at"`
	Counts MonitorCounts  `json:"counts"`
	Series []MonitorPoint `json:"series"`
	// JITUsers are the users SSO logins created since the wave started:
	// watch them for unexpected creation.
	JITUsers []UserRef      `json:"jit_users"`
	Members  []MemberStatus `json:"members"`
	Note     string         `json:"note,omitempty"`
}

// seriesPoints is how many points a chart over time gets at most.
const seriesPoints = 60

// Monitor reads a wave's members back and the SSO event log since the
// wave's first apply started.
func (s *Service) Monitor(ctx context.Context, ref string) (WaveMonitor, error) {
	w, err := s.Wave(ctx, ref)
	if err != nil {
		return WaveMonitor{}, err
	}
	m := WaveMonitor{Wave: w, Since: w.StartedAt, At: s.now(), Series: []MonitorPoint{}, JITUsers: []UserRef{}}
	users, err := s.Target.ListUsers(ctx)
	if err != nil {
		return m, fmt.Errorf("read the Portal's users: %w", err)
	}
	byID := usersByID(users)
	rows := map[string]*MemberStatus{}
	for _, mem := range w.Members {
		row := &MemberStatus{UserID: mem.UserID, Label: mem.Label}
		if u, ok := byID[mem.UserID]; ok {
			row.Label, row.AuthMode, row.Linked, row.LastLoginAt = label(u), u.AuthMode, linked(u), u.LastSsoLoginAt
			if row.Linked {
				m.Counts.Linked++
			}
		} else {
			row.Missing = true
		}
		rows[mem.UserID] = row
	}
	if w.StartedAt == nil {
		m.Note = "The wave has not been applied yet: monitoring starts with its first apply."
		m.Members = memberRows(w, rows)
		return m, nil
	}
	since := *w.StartedAt
	for _, u := range users {
		if u.Origin == api.Jit && !u.CreatedAt.Before(since) {
			m.JITUsers = append(m.JITUsers, refOf(u, "created by an SSO login at "+u.CreatedAt.Format(time.RFC3339)))
		}
	}
	var events []api.SsoEvent
	for ev, err := range s.Target.SsoEventsSince(ctx, since) {
		if err != nil {
			return m, fmt.Errorf("read the SSO event log: %w", err)
		}
		events = append(events, ev)
	}
	sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
	step := bucket(since, m.At)
	var cum MonitorCounts
	next := since.Add(step)
	for _, ev := range events {
		for !ev.At.Before(next) && next.Before(m.At) {
			m.Series = append(m.Series, MonitorPoint{At: next, MonitorCounts: cum})
			next = next.Add(step)
		}
		var row *MemberStatus
		if ev.UserId != nil {
			row = rows[*ev.UserId]
		}
		switch {
		case ev.Type == api.JitProvisioned:
			cum.JITCreated++
		case ev.Type == api.ProvisioningFailed:
			cum.ProvisioningErrors++
		case row == nil:
			continue // another wave's, or nobody's
		case ev.Type == api.IdentityLinked:
			cum.NewlyLinked++
		case ev.Type == api.BindingFailed:
			cum.BindingFailures++
			row.Failures++
		case ev.Type == api.LoginFailed:
			cum.LoginFailures++
			row.Failures++
		}
		if row != nil {
			row.LastEvent = string(ev.Type)
			row.LastReason = ""
			if ev.Reason != nil {
				row.LastReason = *ev.Reason
			}
		}
	}
	m.Series = append(m.Series, MonitorPoint{At: m.At, MonitorCounts: cum})
	linkedNow := m.Counts.Linked
	m.Counts = cum
	m.Counts.Linked = linkedNow
	m.Members = memberRows(w, rows)
	return m, nil
}

// bucket splits [from, to] into at most seriesPoints steps of a round
// length.
func bucket(from, to time.Time) time.Duration {
	span := to.Sub(from)
	for _, d := range []time.Duration{5 * time.Second, 15 * time.Second, time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 6 * time.Hour, 24 * time.Hour} {
		if span/d < seriesPoints {
			return d
		}
	}
	return span / seriesPoints
}

func memberRows(w Wave, rows map[string]*MemberStatus) []MemberStatus {
	out := make([]MemberStatus, 0, len(w.Members))
	for _, m := range w.Members {
		out = append(out, *rows[m.UserID])
	}
	return out
}

// ChartSpec is the monitoring chart: each count over time since the wave
// started, cumulative.
func (m WaveMonitor) ChartSpec() chart.Spec {
	s := chart.Spec{Kind: chart.Line, Title: fmt.Sprintf("Wave %s since it started", m.Wave.Name)}
	series := []struct {
		name, color string
		value       func(MonitorCounts) int
	}{
		{"Linked since start", chart.ColorGood, func(c MonitorCounts) int { return c.NewlyLinked }},
		{"Login failures", chart.ColorBad, func(c MonitorCounts) int { return c.LoginFailures }},
		{"Binding failures", chart.ColorWarn, func(c MonitorCounts) int { return c.BindingFailures }},
		{"Provisioning errors", chart.ColorAccent, func(c MonitorCounts) int { return c.ProvisioningErrors }},
		{"JIT-created users", chart.ColorInfo, func(c MonitorCounts) int { return c.JITCreated }},
	}
	points := m.Series
	if len(points) > chart.MaxLabels {
		points = points[len(points)-chart.MaxLabels:]
	}
	layout := "15:04:05"
	if len(points) > 1 && points[len(points)-1].At.Sub(points[0].At) > 24*time.Hour {
		layout = "Jan 2 15:04"
	}
	for _, p := range points {
		s.Labels = append(s.Labels, p.At.Local().Format(layout))
	}
	for _, se := range series {
		row := chart.Series{Name: se.name, Color: se.color}
		for _, p := range points {
			row.Values = append(row.Values, float64(se.value(p.MonitorCounts)))
		}
		s.Series = append(s.Series, row)
	}
	return s
}
