package screens

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/assessment"
	"github.com/portal-id/migration-console/ui/task"
)

// readinessView is a completed run's roll-up per application (with its
// assignments, provider and routing) and per kind, with the what-if
// decisions applied. It is read when its tab is shown.
type readinessView struct {
	env   Env
	runID string
	// gen counts invalidations: an answer to an older one is read again.
	gen     int
	fresh   bool
	loading bool
	roll    assessment.Readiness
	summary *widget.Label
	kinds   *widget.Table
	apps    *widget.Table
	content fyne.CanvasObject
}

type rollColumn[T any] struct {
	title string
	width float32
	value func(T) string
}

var kindRollColumns = []rollColumn[assessment.KindRollup]{
	{"Kind", 130, func(k assessment.KindRollup) string { return Readable(string(k.Kind)) }},
	{"Items", 80, func(k assessment.KindRollup) string { return FormatCount(k.Items) }},
	{"Ready", 120, func(k assessment.KindRollup) string { return countShare(k.Ready, k.Items) }},
	{"Resolved by what-if", 150, func(k assessment.KindRollup) string { return FormatCount(k.Resolved) }},
	{"Not ready", 330, func(k assessment.KindRollup) string { return ClassSummary(notReady(k.Outstanding)) }},
	{"Verdicts (unchanged by what-if)", 420, func(k assessment.KindRollup) string { return ClassSummary(k.Counts) }},
}

var appRollColumns = []rollColumn[assessment.AppRollup]{
	{"Application", 240, func(a assessment.AppRollup) string { return a.Name }},
	{"Readiness", 230, func(a assessment.AppRollup) string {
		if a.Ready {
			return "Ready"
		}
		return "Not ready: " + strings.ToLower(ClassLabel(a.Effective))
	}},
	{"Verdict", 190, func(a assessment.AppRollup) string { return ClassLabel(a.Class) }},
	{"With assignments", 190, func(a assessment.AppRollup) string { return ClassLabel(a.Own) }},
	{"Sign-in path", 190, func(a assessment.AppRollup) string { return ClassLabel(a.SignIn) }},
	{"Items by outstanding class", 360, func(a assessment.AppRollup) string { return MembersLine(a.Members) }},
	{"Related items", 110, func(a assessment.AppRollup) string { return FormatCount(a.Related) }},
}

// notReady keeps the classes that do not move.
func notReady(m map[assessment.Class]int) map[assessment.Class]int {
	out := map[assessment.Class]int{}
	for c, n := range m {
		if !c.Imports() {
			out[c] = n
		}
	}
	return out
}

// MembersLine words an application roll-up's members by effective class,
// the resolved ones last.
func MembersLine(m map[assessment.Class]int) string {
	line := ClassSummary(m)
	if n := m[""]; n > 0 {
		if line == "—" {
			line = ""
		} else {
			line += " · "
		}
		line += fmt.Sprintf("%s resolved by what-if", FormatCount(n))
	}
	return line
}

func newRollTable[T any](cols []rollColumn[T], rows func() []T, importance func(T, int) widget.Importance) *widget.Table {
	t := widget.NewTable(
		func() (int, int) { return len(rows()), len(cols) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			l.Truncation = fyne.TextTruncateEllipsis
			rs := rows()
			if id.Row >= len(rs) {
				l.SetText("")
				return
			}
			l.Importance = importance(rs[id.Row], id.Col)
			l.SetText(cols[id.Col].value(rs[id.Row]))
		})
	t.ShowHeaderRow = true
	t.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(cols[id.Col].title)
		}
	}
	for i, c := range cols {
		t.SetColumnWidth(i, c.width)
	}
	return t
}

func newReadinessView(env Env, open func(itemID int64)) *readinessView {
	v := &readinessView{env: env, summary: widget.NewLabel("")}
	v.summary.Wrapping = fyne.TextWrapWord
	v.kinds = newRollTable(kindRollColumns, func() []assessment.KindRollup { return v.roll.Kinds },
		func(k assessment.KindRollup, col int) widget.Importance {
			if col == 2 && k.Ready == k.Items {
				return widget.SuccessImportance
			}
			return widget.MediumImportance
		})
	v.apps = newRollTable(appRollColumns, func() []assessment.AppRollup { return v.roll.Apps },
		func(a assessment.AppRollup, col int) widget.Importance {
			switch col {
			case 1:
				if a.Ready {
					return widget.SuccessImportance
				}
				return classImportance(a.Effective)
			case 2:
				return classImportance(a.Class)
			case 3:
				return classImportance(a.Own)
			case 4:
				return classImportance(a.SignIn)
			}
			return widget.MediumImportance
		})
	v.apps.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(v.roll.Apps) {
			open(v.roll.Apps[id.Row].ItemID)
		}
		v.apps.UnselectAll()
	}
	kinds := container.NewBorder(sectionHeading("Per kind"), nil, nil, nil, v.kinds)
	apps := container.NewBorder(sectionHeading("Per application, with its assignments and sign-in path (select one to see its detail)"), nil, nil, nil, v.apps)
	split := container.NewVSplit(apps, kinds)
	split.Offset = 0.6
	v.content = container.NewBorder(v.summary, nil, nil, nil, split)
	return v
}

// invalidate marks the tables stale for run; load reads them again.
func (v *readinessView) invalidate(run assessment.Run) {
	v.runID, v.fresh = run.ID, false
	v.gen++
}

func (v *readinessView) showNone(why string) {
	v.runID, v.fresh = "", false
	v.gen++
	v.roll = assessment.Readiness{}
	v.summary.SetText(why)
	v.kinds.Refresh()
	v.apps.Refresh()
}

// load reads the roll-up of the run when the tables do not hold it yet.
func (v *readinessView) load() {
	if v.runID == "" || v.fresh || v.loading || v.env.Assessment == nil {
		return
	}
	runID, gen := v.runID, v.gen
	v.loading = true
	if v.roll.RunID != runID {
		v.summary.SetText("Computing the readiness roll-up…")
	}
	task.Run(v.env.Tasks, func(ctx context.Context) (assessment.Readiness, error) {
		return v.env.Assessment.Readiness(ctx, runID)
	}, func(roll assessment.Readiness, err error) {
		v.loading = false
		if gen != v.gen {
			v.load() // another run was chosen, or a what-if recorded, meanwhile
			return
		}
		if err != nil {
			v.summary.SetText("Could not compute the readiness roll-up: " + err.Error())
			return
		}
		v.roll, v.fresh = roll, true
		v.summary.SetText(ReadinessLine(roll))
		v.kinds.Refresh()
		v.apps.Refresh()
	})
}

// ReadinessLine is the roll-up in two sentences, and what the what-if
// decisions do and do not change.
func ReadinessLine(r assessment.Readiness) string {
	t := r.Total
	ready := 0
	for _, a := range r.Apps {
		if a.Ready {
			ready++
		}
	}
	line := fmt.Sprintf("Ready to move: %s of %s items (%s by what-if decisions). %d of %d application%s ready with their assignments and sign-in path.",
		FormatCount(t.Ready), FormatCount(t.Items), FormatCount(t.Resolved), ready, len(r.Apps), plural(len(r.Apps)))
	var ds []string
	for _, k := range assessment.DispositionKinds {
		if n := r.Disposed[k]; n > 0 {
			ds = append(ds, fmt.Sprintf("%d %s", n, strings.ToLower(dispositionLabels[k])))
		}
	}
	if len(ds) == 0 {
		return line + " No what-if decision yet: mark a finding on the Items tab to see the roll-up recomputed."
	}
	return line + " What-if decisions: " + strings.Join(ds, ", ") +
		". They change these counts only; every rule's verdict stays as the Items tab shows it."
}
