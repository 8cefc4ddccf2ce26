// Package theme lets the consultant pin the console to light or dark, or
// follow the system (the default), and remembers the choice.
package theme

import (
	"image/color"

	"fyne.io/fyne/v2"
	fynetheme "fyne.io/fyne/v2/theme"
)

// Choice is a theme preference.
type Choice string

const (
	System Choice = "system"
	Light  Choice = "light"
	Dark   Choice = "dark"
)

// Choices lists every preference in menu order.
var Choices = []Choice{System, Light, Dark}

// Label is the menu text of c.
func (c Choice) Label() string {
	switch c {
	case Light:
		return "Light theme"
	case Dark:
		return "Dark theme"
	default:
		return "Follow system theme"
	}
}

const prefKey = "theme"

// Saved returns the preference stored in a's preferences.
func Saved(a fyne.App) Choice {
	switch c := Choice(a.Preferences().StringWithFallback(prefKey, string(System))); c {
	case Light, Dark:
		return c
	default:
		return System
	}
}

// Apply sets a's theme to c and remembers it.
func Apply(a fyne.App, c Choice) {
	a.Preferences().SetString(prefKey, string(c))
	switch c {
	case Light:
		a.Settings().SetTheme(pinned{Theme: fynetheme.DefaultTheme(), variant: fynetheme.VariantLight})
	case Dark:
		a.Settings().SetTheme(pinned{Theme: fynetheme.DefaultTheme(), variant: fynetheme.VariantDark})
	default:
		a.Settings().SetTheme(fynetheme.DefaultTheme())
	}
}

// pinned ignores the variant the system asks for.
type pinned struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

func (p pinned) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return p.Theme.Color(n, p.variant)
}
