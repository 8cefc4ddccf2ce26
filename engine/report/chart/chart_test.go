package chart

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

func classes() Spec {
	return Spec{
		Kind:   Donut,
		Title:  "Items by class",
		Labels: []string{"native_import", "import_with_approximation", "visibility_only", "manual_rebuild_required", "blocked"},
		Series: []Series{{Values: []float64{1234, 321, 88, 12, 45}}},
		Colors: []string{ColorGood, ColorInfo, ColorMuted, ColorWarn, ColorBad},
	}
}

func classByKind() Spec {
	return Spec{
		Kind: HBar, Title: "Class by kind", Stacked: true,
		Labels: []string{"application", "provider", "routing_rule", "policy", "group", "assignment", "domain"},
		Series: []Series{
			{Name: "native_import", Values: []float64{10, 2, 3, 0, 400, 800, 3}, Color: ColorGood},
			{Name: "import_with_approximation", Values: []float64{5, 1, 0, 12, 0, 30, 0}, Color: ColorInfo},
			{Name: "blocked", Values: []float64{2, 0, 1, 3, 0, 40, 1}, Color: ColorBad},
		},
	}
}

func dispositions() Spec {
	return Spec{Kind: Bar, Title: "Step dispositions", Labels: []string{"applied", "skipped", "manual follow-up", "blocked", "failed"},
		Series: []Series{{Values: []float64{120, 14, 6, 3, 1}}}}
}

func rollout() Spec {
	return Spec{Kind: Area, Title: "Sign-ins on the Portal", Unit: "%",
		Labels: []string{"09:00", "10:00", "11:00", "12:00", "13:00", "14:00"},
		Series: []Series{
			{Name: "on the Portal", Values: []float64{0, 5, 10, 25, 50, 50}},
			{Name: "errors", Values: []float64{0, 0.2, 0.1, 1.5, 0.4, 0.3}, Color: ColorBad},
		}}
}

// decode checks b is a PNG of size and returns it.
func decode(t *testing.T, b []byte, size Size) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if got := img.Bounds().Size(); got.X != size.Width || got.Y != size.Height {
		t.Fatalf("size %dx%d, want %dx%d", got.X, got.Y, size.Width, size.Height)
	}
	return img
}

// ink returns the share of pixels that differ clearly from the corner
// pixel (the background) and the number of distinct colours among them.
func ink(img image.Image) (float64, int) {
	b := img.Bounds()
	bg := color.NRGBAModel.Convert(img.At(b.Min.X, b.Min.Y)).(color.NRGBA)
	colours := map[color.NRGBA]bool{}
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if dist(c, bg) > 60 {
				n++
				colours[c] = true
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy()), len(colours)
}

func dist(a, b color.NRGBA) float64 {
	dr, dg, db := float64(a.R)-float64(b.R), float64(a.G)-float64(b.G), float64(a.B)-float64(b.B)
	return math.Sqrt(dr*dr + dg*dg + db*db)
}

func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return 0.2126*float64(n.R) + 0.7152*float64(n.G) + 0.0722*float64(n.B)
}

// hasColour reports whether some pixel is within a small distance of hex.
func hasColour(img image.Image, hex string) bool {
	var want color.NRGBA
	for i := 0; i < 3; i++ {
		var v uint8
		for _, ch := range hex[1+2*i : 3+2*i] {
			v <<= 4
			switch {
			case ch >= '0' && ch <= '9':
				v |= uint8(ch - '0')
			default:
				v |= uint8(ch-'a') + 10
			}
		}
		switch i {
		case 0:
			want.R = v
		case 1:
			want.G = v
		case 2:
			want.B = v
		}
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			if dist(color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA), want) < 12 {
				return true
			}
		}
	}
	return false
}

func TestEveryKindRendersAtBothSizesInBothThemes(t *testing.T) {
	specs := []Spec{classes(), classByKind(), dispositions(), rollout(),
		{Kind: Line, Title: "Error rate", Labels: []string{"a", "b", "c"}, Series: []Series{{Name: "x", Values: []float64{1, 3, 2}}}},
		{Kind: HBar, Title: "Counts per auth mode", Labels: []string{"password", "sso"}, Series: []Series{{Name: "apps", Values: []float64{7, 3}}, {Name: "users", Values: []float64{70, 30}}}},
	}
	for _, s := range specs {
		for _, size := range []Size{Panel, Page} {
			for _, theme := range []Theme{Light, Dark} {
				b, err := Render(s, size, theme)
				if err != nil {
					t.Fatalf("%s %s: %v", s.Kind, s.Title, err)
				}
				img := decode(t, b, size)
				share, colours := ink(img)
				if share < 0.005 || colours < 8 {
					t.Errorf("%s %q %dx%d %s: %.1f%% of pixels drawn in %d colours; looks blank", s.Kind, s.Title, size.Width, size.Height, theme, 100*share, colours)
				}
				bg := luminance(img.At(0, 0))
				if theme == Light && bg < 200 || theme == Dark && bg > 60 {
					t.Errorf("%s %q %s: background luminance %.0f does not match the theme", s.Kind, s.Title, theme, bg)
				}
			}
		}
	}
}

func TestFixedColoursAreUsed(t *testing.T) {
	b, err := Render(classes(), Panel, Light)
	if err != nil {
		t.Fatal(err)
	}
	img := decode(t, b, Panel)
	for _, c := range []string{ColorGood, ColorBad, ColorWarn} {
		if !hasColour(img, c) {
			t.Errorf("the donut shows no pixel of the fixed colour %s", c)
		}
	}
	b, err = Render(classByKind(), Panel, Dark)
	if err != nil {
		t.Fatal(err)
	}
	if !hasColour(decode(t, b, Panel), ColorBad) {
		t.Errorf("the stacked bars show no pixel of the blocked series' colour")
	}
}

func TestSameSpecSameBytes(t *testing.T) {
	for _, s := range []Spec{classes(), classByKind(), dispositions(), rollout(), {Kind: Donut, Title: "empty"}} {
		a, err := Render(s, Panel, Light)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Render(s, Panel, Light)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s %q renders different bytes on a second run", s.Kind, s.Title)
		}
	}
	a, _ := Render(classes(), Panel, Light)
	changed := classes()
	changed.Series[0].Values[4]++
	b, _ := Render(changed, Panel, Light)
	if bytes.Equal(a, b) {
		t.Error("a changed value renders the same bytes: the comparison above proves nothing")
	}
}

func TestNoDataIsAnImageNotAnError(t *testing.T) {
	empties := []Spec{
		{Kind: Donut, Title: "Items by class"},
		{Kind: Donut, Title: "Items by class", Labels: []string{"blocked"}, Series: []Series{{Values: []float64{0}}}},
		{Kind: HBar, Title: "Class by kind", Labels: []string{"group"}, Series: []Series{{Name: "blocked", Values: []float64{0}}}, Stacked: true},
		{Kind: Bar, Title: "Step dispositions"},
		{Kind: Line, Title: "Sign-ins"},
		{Kind: Area, Title: "Sign-ins", Labels: []string{}, Series: []Series{}},
	}
	ref, err := Render(Spec{Kind: Donut, Title: "Items by class"}, Panel, Light)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range empties {
		for _, theme := range []Theme{Light, Dark} {
			b, err := Render(s, Panel, theme)
			if err != nil {
				t.Fatalf("%s with no data: %v", s.Kind, err)
			}
			share, _ := ink(decode(t, b, Panel))
			if share == 0 || share > 0.05 {
				t.Errorf("%s with no data, %s: %.2f%% of pixels drawn; want a title and a short message", s.Kind, theme, 100*share)
			}
		}
	}
	// An all-zero line is data (nothing happened), drawn with axes.
	zero, err := Render(Spec{Kind: Line, Title: "Items by class", Labels: []string{"a", "b"}, Series: []Series{{Name: "x", Values: []float64{0, 0}}}}, Panel, Light)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(zero, ref) {
		t.Error("an all-zero line chart was drawn as 'no data'")
	}
}

func TestBadSpecsAreRefusedWithAReason(t *testing.T) {
	ok := classes()
	cases := map[string]struct {
		spec  Spec
		size  Size
		theme Theme
	}{
		"unknown kind":      {Spec{Kind: "pie3d"}, Panel, Light},
		"unknown theme":     {ok, Panel, "sepia"},
		"tiny":              {ok, Size{Width: 10, Height: 10}, Light},
		"huge":              {ok, Size{Width: 100000, Height: 400}, Light},
		"ragged series":     {Spec{Kind: Bar, Labels: []string{"a", "b"}, Series: []Series{{Values: []float64{1}}}}, Panel, Light},
		"NaN":               {Spec{Kind: Line, Labels: []string{"a"}, Series: []Series{{Values: []float64{math.NaN()}}}}, Panel, Light},
		"negative in donut": {Spec{Kind: Donut, Labels: []string{"a"}, Series: []Series{{Values: []float64{-1}}}}, Panel, Light},
		"two donut series":  {Spec{Kind: Donut, Labels: []string{"a"}, Series: []Series{{Values: []float64{1}}, {Values: []float64{2}}}}, Panel, Light},
		"bad colour":        {Spec{Kind: Bar, Labels: []string{"a"}, Series: []Series{{Values: []float64{1}, Color: "red"}}}, Panel, Light},
		"too many labels":   {Spec{Kind: Bar, Labels: make([]string, MaxLabels+1), Series: []Series{{Values: make([]float64, MaxLabels+1)}}}, Panel, Light},
	}
	for name, c := range cases {
		_, err := Render(c.spec, c.size, c.theme)
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func TestNiceSteps(t *testing.T) {
	cases := []struct {
		top   float64
		step  float64
		steps int
	}{
		{870, 200, 5}, {120, 25, 5}, {1, 1, 1}, {3, 1, 3}, {100000, 20000, 5}, {0, 1, 1}, {55, 20, 3},
	}
	for _, c := range cases {
		step, steps := niceSteps(c.top, 5)
		if step != c.step || steps != c.steps {
			t.Errorf("niceSteps(%v) = %v x %d, want %v x %d", c.top, step, steps, c.step, c.steps)
		}
		if step*float64(steps) < c.top {
			t.Errorf("niceSteps(%v): axis ends at %v, below the data", c.top, step*float64(steps))
		}
	}
}

func TestCountFormat(t *testing.T) {
	f := count("")
	for v, want := range map[float64]string{0: "0", 7: "7", 1234: "1,234", 1234567: "1,234,567", 2.5: "2.5", -1500: "-1,500"} {
		if got := f(v); got != want {
			t.Errorf("count(%v) = %q, want %q", v, got, want)
		}
	}
	if got := count("%")(25); got != "25%" {
		t.Errorf("with unit: %q", got)
	}
}
