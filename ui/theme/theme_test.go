package theme

import (
	"testing"

	"fyne.io/fyne/v2/test"
	fynetheme "fyne.io/fyne/v2/theme"
)

func TestApplyPinsVariantAndRemembersIt(t *testing.T) {
	a := test.NewTempApp(t)
	if Saved(a) != System {
		t.Fatalf("fresh preference %q, want system", Saved(a))
	}
	bg := func() any { return a.Settings().Theme().Color(fynetheme.ColorNameBackground, fynetheme.VariantLight) }
	Apply(a, Dark)
	dark := bg()
	if want := fynetheme.DefaultTheme().Color(fynetheme.ColorNameBackground, fynetheme.VariantDark); dark != want {
		t.Fatalf("dark theme background %v, want %v", dark, want)
	}
	Apply(a, Light)
	if bg() == dark {
		t.Fatal("light theme kept the dark background")
	}
	if Saved(a) != Light {
		t.Fatalf("saved preference %q, want light", Saved(a))
	}
	Apply(a, System)
	if Saved(a) != System {
		t.Fatalf("saved preference %q, want system", Saved(a))
	}
}
