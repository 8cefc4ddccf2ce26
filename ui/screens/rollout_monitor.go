package screens

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/report/chart"
	"github.com/portal-id/migration-console/engine/rollout"
	"github.com/portal-id/migration-console/ui/task"
)

// monitorTab watches one wave since it started: counts, a chart over time
// and the members' table.
type monitorTab struct {
	s       *RolloutScreen
	pick    *widget.Select
	waves   []rollout.Wave
	counts  *widget.Label
	jit     *widget.Label
	chart   *seriesChart
	table   *dynTable
	content fyne.CanvasObject
}

func newMonitorTab(s *RolloutScreen) *monitorTab {
	m := &monitorTab{s: s, counts: wrapped("Choose a wave that was applied."), jit: wrapped("")}
	m.chart = newSeriesChart(s)
	m.pick = widget.NewSelect(nil, func(string) { m.load() })
	m.pick.PlaceHolder = "Choose a wave"
	m.table = newDynTable([]column{{"User", 280}, {"Auth mode", 130}, {"Linked", 70}, {"Last SSO login", 170}, {"Failures", 80}, {"Last event", 330}})
	refresh := widget.NewButtonWithIcon("Refresh", theme.ViewRefreshIcon(), m.load)
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewLabel("Wave"), refresh, m.pick), m.counts, m.jit)
	split := container.NewVSplit(m.chart.content, m.table.Table)
	split.Offset = 0.45
	m.content = container.NewBorder(top, nil, nil, nil, split)
	return m
}

func (m *monitorTab) reloadWaves() {
	task.Run(m.s.env.Tasks, m.s.env.Rollout.Waves, func(ws []rollout.Wave, err error) {
		if err != nil {
			m.counts.SetText("The waves could not be read: " + err.Error())
			return
		}
		m.waves = ws
		names := make([]string, len(ws))
		for i, w := range ws {
			names[i] = w.Name
		}
		m.pick.SetOptions(names)
		if m.pick.Selected == "" && len(names) > 0 {
			m.pick.SetSelected(names[len(names)-1])
		} else {
			m.load()
		}
	})
}

func (m *monitorTab) load() {
	name := m.pick.Selected
	if name == "" {
		return
	}
	task.Run(m.s.env.Tasks, func(ctx context.Context) (rollout.WaveMonitor, error) { return m.s.env.Rollout.Monitor(ctx, name) },
		func(mon rollout.WaveMonitor, err error) {
			if err != nil {
				m.counts.SetText("Monitoring could not be read: " + err.Error())
				return
			}
			m.show(mon)
		})
}

func (m *monitorTab) show(mon rollout.WaveMonitor) {
	c := mon.Counts
	if mon.Note != "" {
		m.counts.SetText(mon.Note)
	} else {
		m.counts.SetText(fmt.Sprintf("Since %s: %d of %d users SSO-linked (%d since the wave started) · binding failures %d · login failures %d · tenant-wide: provisioning errors %d, JIT-created users %d.",
			formatOptionalTime(mon.Since, "—"), c.Linked, mon.Wave.MemberCount, c.NewlyLinked, c.BindingFailures, c.LoginFailures, c.ProvisioningErrors, c.JITCreated))
	}
	m.jit.Hide()
	if len(mon.JITUsers) > 0 {
		var names []string
		for _, u := range mon.JITUsers {
			names = append(names, u.Label)
		}
		m.jit.Importance = widget.WarningImportance
		m.jit.SetText("Created by SSO logins since the wave started (check each should have access): " + joinOr(names, ""))
		m.jit.Show()
	}
	if mon.Since != nil {
		m.chart.show(mon)
	}
	rows := mon.Members
	m.table.set(len(rows), func(r, col int) string {
		row := rows[r]
		ev := row.LastEvent
		if row.LastReason != "" {
			ev += " (" + row.LastReason + ")"
		}
		linked := "no"
		if row.Linked {
			linked = "yes"
		}
		if row.Missing {
			return [...]string{row.Label, "no longer in the Portal", "", "", "", ""}[col]
		}
		return [...]string{row.Label, string(row.AuthMode), linked, formatOptionalTime(row.LastLoginAt, "never"), fmt.Sprint(row.Failures), Readable(ev)}[col]
	})
}

// seriesChart shows the monitoring chart as a PNG drawn by the shared
// chart package (Fyne's SVG renderer drops chart text), in the theme the
// window shows.
type seriesChart struct {
	s       *RolloutScreen
	content *fyne.Container
	image   *canvas.Image
	note    *widget.Label
}

func newSeriesChart(s *RolloutScreen) *seriesChart {
	c := &seriesChart{s: s, image: canvas.NewImageFromResource(nil), note: wrapped("")}
	c.image.FillMode = canvas.ImageFillContain
	c.image.SetMinSize(fyne.NewSize(480, 220))
	c.note.Hide()
	c.content = container.NewBorder(nil, c.note, nil, nil, c.image)
	return c
}

func (c *seriesChart) show(mon rollout.WaveMonitor) {
	spec := mon.ChartSpec()
	th := chart.Light
	if fyne.CurrentApp().Settings().ThemeVariant() == theme.VariantDark {
		th = chart.Dark
	}
	task.Run(c.s.env.Tasks, func(context.Context) ([]byte, error) { return chart.Render(spec, chart.Panel, th) },
		func(png []byte, err error) {
			if err != nil {
				c.note.SetText("The chart could not be drawn: " + err.Error())
				c.note.Show()
				return
			}
			c.note.Hide()
			c.image.Resource = fyne.NewStaticResource("wave-monitoring.png", png)
			c.image.Refresh()
		})
}
