package screens

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/readiness"
)

// Header is the readiness header: which workspace is open, and whether the
// preview handoff gate is open or what still blocks it.
type Header struct {
	Title    *widget.Label
	Facts    *widget.Label
	Gate     *widget.Label
	gateIcon *widget.Icon
	blockers *fyne.Container
	content  fyne.CanvasObject
}

// NewHeader returns an empty header; Show fills it.
func NewHeader() *Header {
	h := &Header{
		Title:    widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		Facts:    widget.NewLabel(""),
		Gate:     widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		gateIcon: widget.NewIcon(nil),
		blockers: container.NewVBox(),
	}
	h.Title.SizeName = theme.SizeNameSubHeadingText
	h.content = container.NewVBox(
		container.NewHBox(h.Title, h.Facts),
		container.NewHBox(h.gateIcon, h.Gate),
		h.blockers,
		widget.NewSeparator(),
	)
	return h
}

// Content is the header's widget tree.
func (h *Header) Content() fyne.CanvasObject { return h.content }

// Show renders the summary's gate and blockers.
func (h *Header) Show(st State) {
	sum := st.Summary
	h.Title.SetText("Tenant " + sum.Tenant)
	h.Facts.SetText(fmt.Sprintf("%s  ·  %s", ModeLabel(sum.Mode), Readable(string(sum.Status))))
	if sum.PreviewHandoffStatus == readiness.HandoffReady {
		h.gateIcon.SetResource(theme.ConfirmIcon())
		h.Gate.Importance = widget.SuccessImportance
		h.Gate.SetText("Preview handoff: ready for future preview")
	} else {
		h.gateIcon.SetResource(theme.WarningIcon())
		h.Gate.Importance = widget.WarningImportance
		h.Gate.SetText(fmt.Sprintf("Preview handoff: %s (%d blocker%s)", Readable(sum.PreviewHandoffStatus),
			len(sum.PreviewHandoffBlockers), plural(len(sum.PreviewHandoffBlockers))))
	}
	rows := make([]fyne.CanvasObject, 0, len(sum.PreviewHandoffBlockers))
	for _, b := range sum.PreviewHandoffBlockers {
		rows = append(rows, container.NewHBox(widget.NewIcon(theme.CancelIcon()), widget.NewLabel(b.Message)))
	}
	h.blockers.Objects = rows
	h.blockers.Refresh()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
