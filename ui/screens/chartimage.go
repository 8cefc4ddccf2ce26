package screens

import (
	"context"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/portal-id/migration-console/engine/report/chart"
	"github.com/portal-id/migration-console/ui/task"
)

// ChartImage shows a chart.Spec as the PNG engine/report/chart draws (Fyne's
// SVG renderer drops chart text), in the palette of the theme on screen, at
// one device pixel per image pixel: chart text scaled down is unreadable.
// A theme change refreshes every widget, and the chart is drawn again then.
type ChartImage struct {
	widget.BaseWidget
	// Image holds the drawn PNG; nil Resource until the first drawing.
	Image *canvas.Image
	tasks *task.Group
	size  fyne.Size
	spec  chart.Spec
	has   bool
	// drawn is the theme and canvas scale of the picture on show; gen
	// drops a drawing that a newer spec, theme or scale overtook.
	drawn      chart.Theme
	drawnScale float32
	gen        int
	err        *widget.Label
}

// NewChartImage returns an empty chart shown size big (drawn at that size
// times the canvas scale); SetSpec gives it its spec.
func NewChartImage(tasks *task.Group, size fyne.Size) *ChartImage {
	c := &ChartImage{Image: canvas.NewImageFromResource(nil), tasks: tasks, size: size, err: widget.NewLabel("")}
	c.Image.FillMode = canvas.ImageFillContain
	c.Image.ScaleMode = canvas.ImageScaleSmooth
	c.Image.SetMinSize(size)
	c.err.Wrapping = fyne.TextWrapWord
	c.err.Importance = widget.DangerImportance
	c.err.Hide()
	c.ExtendBaseWidget(c)
	return c
}

// SetSpec draws spec in the current theme, off the UI goroutine.
func (c *ChartImage) SetSpec(spec chart.Spec) {
	c.spec, c.has = spec, true
	c.draw(currentChartTheme())
}

func (c *ChartImage) scale() float32 {
	if cv := fyne.CurrentApp().Driver().CanvasForObject(c); cv != nil && cv.Scale() > 0 {
		return cv.Scale()
	}
	return 1
}

func (c *ChartImage) draw(th chart.Theme) {
	c.gen++
	scale := c.scale()
	gen, spec := c.gen, c.spec
	size := chart.Size{Width: int(c.size.Width * scale), Height: int(c.size.Height * scale)}
	c.drawn, c.drawnScale = th, scale
	task.Run(c.tasks, func(context.Context) ([]byte, error) {
		return chart.Render(spec, size, th)
	}, func(png []byte, err error) {
		if gen != c.gen {
			return
		}
		if err != nil {
			c.Image.Resource = nil
			c.err.SetText("The chart could not be drawn: " + err.Error())
			c.err.Show()
		} else {
			c.err.Hide()
			c.Image.Resource = fyne.NewStaticResource(spec.Title+".png", png)
		}
		c.Image.Refresh()
	})
}

// currentChartTheme is the chart palette matching the background on
// screen: the console may pin a variant the system does not report.
func currentChartTheme() chart.Theme {
	if isDark(theme.Color(theme.ColorNameBackground)) {
		return chart.Dark
	}
	return chart.Light
}

func isDark(c color.Color) bool {
	r, g, b, _ := c.RGBA()
	return (299*r+587*g+114*b)/1000 < 0x8000
}

// CreateRenderer implements fyne.Widget.
func (c *ChartImage) CreateRenderer() fyne.WidgetRenderer {
	return &chartRenderer{c: c}
}

type chartRenderer struct{ c *ChartImage }

func (r *chartRenderer) Layout(size fyne.Size) {
	if r.c.has && r.c.scale() != r.c.drawnScale {
		r.c.draw(r.c.drawn) // moved to a screen of another density
	}
	r.c.Image.Resize(size)
	r.c.Image.Move(fyne.NewPos(0, 0))
	r.c.err.Resize(fyne.NewSize(size.Width, r.c.err.MinSize().Height))
}

func (r *chartRenderer) MinSize() fyne.Size { return r.c.Image.MinSize() }

// Refresh runs on a theme change too: the chart is drawn again in the new
// palette.
func (r *chartRenderer) Refresh() {
	if th := currentChartTheme(); r.c.has && th != r.c.drawn {
		r.c.draw(th)
	}
	r.c.Image.Refresh()
	r.c.err.Refresh()
}

func (r *chartRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.c.Image, r.c.err}
}

func (r *chartRenderer) Destroy() {}
