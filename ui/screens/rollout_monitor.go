package screens

import (
	"context"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

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
	m := &monitorTab{s: s, counts: wrapped("Choose a wave that was applied."), jit: wrapped(""), chart: newSeriesChart()}
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
	m.chart.show(mon.Series)
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

// seriesChart draws the monitoring series as lines over time, with a
// legend: drawn with canvas primitives so its text renders in both themes.
type seriesChart struct {
	content *fyne.Container
	plot    *fyne.Container
	legend  *fyne.Container
	points  []rollout.MonitorPoint
}

type series struct {
	name  string
	color color.Color
	value func(rollout.MonitorCounts) int
}

var monitorSeries = []series{
	{"Linked since start", color.NRGBA{R: 0x2e, G: 0x9e, B: 0x4f, A: 0xff}, func(c rollout.MonitorCounts) int { return c.NewlyLinked }},
	{"Login failures", color.NRGBA{R: 0xd9, G: 0x3f, B: 0x3f, A: 0xff}, func(c rollout.MonitorCounts) int { return c.LoginFailures }},
	{"Binding failures", color.NRGBA{R: 0xe0, G: 0x8e, B: 0x1b, A: 0xff}, func(c rollout.MonitorCounts) int { return c.BindingFailures }},
	{"Provisioning errors", color.NRGBA{R: 0x8e, G: 0x44, B: 0xad, A: 0xff}, func(c rollout.MonitorCounts) int { return c.ProvisioningErrors }},
	{"JIT-created", color.NRGBA{R: 0x29, G: 0x80, B: 0xb9, A: 0xff}, func(c rollout.MonitorCounts) int { return c.JITCreated }},
}

func newSeriesChart() *seriesChart {
	c := &seriesChart{legend: container.NewHBox()}
	c.plot = container.New(&chartLayout{c: c})
	for _, s := range monitorSeries {
		sw := canvas.NewRectangle(s.color)
		sw.SetMinSize(fyne.NewSize(14, 14))
		c.legend.Add(container.NewHBox(container.NewCenter(sw), widget.NewLabel(s.name)))
	}
	c.content = container.NewBorder(c.legend, nil, nil, nil, c.plot)
	return c
}

func (c *seriesChart) show(points []rollout.MonitorPoint) {
	c.points = points
	c.plot.Refresh()
}

// chartLayout rebuilds the lines for the plot's size.
type chartLayout struct{ c *seriesChart }

func (l *chartLayout) MinSize([]fyne.CanvasObject) fyne.Size { return fyne.NewSize(300, 160) }

func (l *chartLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	c := l.c
	c.plot.Objects = c.plot.Objects[:0]
	fg := theme.Color(theme.ColorNameForeground)
	const left, bottom, top = 44, 22, 8
	w, h := size.Width-left-8, size.Height-bottom-top
	axis := canvas.NewLine(fg)
	axis.Position1, axis.Position2 = fyne.NewPos(left, top), fyne.NewPos(left, top+h)
	base := canvas.NewLine(fg)
	base.Position1, base.Position2 = fyne.NewPos(left, top+h), fyne.NewPos(left+w, top+h)
	c.plot.Objects = append(c.plot.Objects, axis, base)
	if len(c.points) == 0 {
		t := canvas.NewText("No SSO events yet.", fg)
		t.Move(fyne.NewPos(left+8, top+h/2))
		c.plot.Objects = append(c.plot.Objects, t)
		return
	}
	peak := 1
	for _, p := range c.points {
		for _, s := range monitorSeries {
			peak = max(peak, s.value(p.MonitorCounts))
		}
	}
	for _, v := range []int{0, peak} {
		t := canvas.NewText(fmt.Sprint(v), fg)
		t.TextSize = theme.CaptionTextSize()
		t.Move(fyne.NewPos(4, top+h-float32(v)/float32(peak)*h-8))
		c.plot.Objects = append(c.plot.Objects, t)
	}
	first, last := c.points[0].At, c.points[len(c.points)-1].At
	for _, at := range []struct {
		x    float32
		text string
	}{{left, first.Local().Format("15:04:05")}, {left + w - 50, last.Local().Format("15:04:05")}} {
		t := canvas.NewText(at.text, fg)
		t.TextSize = theme.CaptionTextSize()
		t.Move(fyne.NewPos(at.x, top+h+4))
		c.plot.Objects = append(c.plot.Objects, t)
	}
	span := last.Sub(first).Seconds()
	x := func(i int) float32 {
		if span <= 0 {
			return left + w*float32(i)/float32(max(len(c.points)-1, 1))
		}
		return left + w*float32(c.points[i].At.Sub(first).Seconds()/span)
	}
	for _, s := range monitorSeries {
		for i := 1; i < len(c.points); i++ {
			y0 := top + h - float32(s.value(c.points[i-1].MonitorCounts))/float32(peak)*h
			y1 := top + h - float32(s.value(c.points[i].MonitorCounts))/float32(peak)*h
			ln := canvas.NewLine(s.color)
			ln.StrokeWidth = 2
			ln.Position1, ln.Position2 = fyne.NewPos(x(i-1), y0), fyne.NewPos(x(i), y1)
			c.plot.Objects = append(c.plot.Objects, ln)
		}
	}
}
