package uitest

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Objects returns every visible object of c, dialogs included, walking the
// renderers Fyne already made (so the widgets found are the ones on screen).
func Objects(c fyne.Canvas) []fyne.CanvasObject {
	var out []fyne.CanvasObject
	roots := []fyne.CanvasObject{c.Content()}
	roots = append(roots, c.Overlays().List()...)
	for _, r := range roots {
		out = walk(out, r)
	}
	return out
}

func walk(out []fyne.CanvasObject, o fyne.CanvasObject) []fyne.CanvasObject {
	if o == nil || !o.Visible() {
		return out
	}
	out = append(out, o)
	switch v := o.(type) {
	case fyne.Widget:
		for _, child := range test.WidgetRenderer(v).Objects() {
			out = walk(out, child)
		}
	case *fyne.Container:
		for _, child := range v.Objects {
			out = walk(out, child)
		}
	}
	return out
}

// Texts returns every piece of text c shows or holds in a widget: labels,
// entries, buttons, selects and the canvas text they render to.
func Texts(c fyne.Canvas) []string {
	var out []string
	for _, o := range Objects(c) {
		switch v := o.(type) {
		case *canvas.Text:
			out = append(out, v.Text)
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Entry:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *widget.Select:
			out = append(out, v.Selected)
		}
	}
	return out
}

// Shows reports whether some text of c contains want.
func Shows(c fyne.Canvas, want string) bool {
	for _, s := range Texts(c) {
		if strings.Contains(s, want) {
			return true
		}
	}
	return false
}

// Button returns the visible button labelled text.
func Button(t testing.TB, c fyne.Canvas, text string) *widget.Button {
	t.Helper()
	for _, o := range Objects(c) {
		if b, ok := o.(*widget.Button); ok && b.Text == text {
			return b
		}
	}
	t.Fatalf("no button %q on screen; texts: %q", text, Texts(c))
	return nil
}

// Find returns the first visible object of type T.
func Find[T fyne.CanvasObject](t testing.TB, c fyne.Canvas) T {
	t.Helper()
	for _, o := range Objects(c) {
		if v, ok := o.(T); ok {
			return v
		}
	}
	var zero T
	t.Fatalf("no %T on screen", zero)
	return zero
}

// FormField returns the first T inside the visible form item labelled label.
func FormField[T fyne.CanvasObject](t testing.TB, c fyne.Canvas, label string) T {
	t.Helper()
	for _, o := range Objects(c) {
		f, ok := o.(*widget.Form)
		if !ok {
			continue
		}
		for _, item := range f.Items {
			if item.Text != label {
				continue
			}
			for _, inner := range walk(nil, item.Widget) {
				if v, ok := inner.(T); ok {
					return v
				}
			}
		}
	}
	var zero T
	t.Fatalf("no %T in a form field %q on screen", zero, label)
	return zero
}
