package reporttest

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	_ "image/png" // screenshots
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tool returns the path of a program a report test checks its output
// with (pdftotext from poppler-utils, Debian's chromium). scripts/deps.sh
// installs both for `make test`, so a missing one fails the test on CI and
// on any Debian or Ubuntu machine, where it can be installed; only where
// it cannot be (another OS) is the test skipped, loudly.
func Tool(t testing.TB, name string, alternatives ...string) string {
	t.Helper()
	for _, n := range append([]string{name}, alternatives...) {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	_, aptErr := exec.LookPath("apt-get")
	if os.Getenv("CI") != "" || aptErr == nil {
		t.Fatalf("%s is not installed; run scripts/deps.sh (make deps) to install it", name)
	}
	t.Skipf("SKIPPED: %s is not installed and this is not a Debian or Ubuntu machine where scripts/deps.sh could install it; this output format is NOT checked here", name)
	return ""
}

// PDFText runs pdftotext on pdf (pages first to last, 0 for all) and
// returns the text in layout order.
func PDFText(t testing.TB, pdf []byte, first, last int) string {
	t.Helper()
	bin := Tool(t, "pdftotext")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"-layout", "-enc", "UTF-8"}
	if first > 0 {
		args = append(args, "-f", fmt.Sprint(first), "-l", fmt.Sprint(last))
	}
	out, err := exec.Command(bin, append(args, in, "-")...).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// PDFPages returns the text of each page of pdf, in order.
func PDFPages(t testing.TB, pdf []byte) []string {
	t.Helper()
	// pdftotext separates pages with a form feed.
	pages := strings.Split(PDFText(t, pdf, 0, 0), "\f")
	if len(pages) > 0 && strings.TrimSpace(pages[len(pages)-1]) == "" {
		pages = pages[:len(pages)-1]
	}
	return pages
}

// chromiumFlags are those this machine's headless Chromium needs: no
// sandbox (root in a container), no GPU, and none of the background
// traffic the closed network would refuse.
var chromiumFlags = []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--hide-scrollbars", "--mute-audio"}

// Chromium runs headless Chromium on the page with extra arguments and
// returns its standard output.
func Chromium(t testing.TB, page string, args ...string) []byte {
	t.Helper()
	bin := Tool(t, "chromium", "chromium-browser")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append(append(append([]string{}, chromiumFlags...), "--user-data-dir="+t.TempDir()), args...)
	cmd := exec.CommandContext(ctx, bin, append(all, "file://"+page)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

// Screenshot renders the page in headless Chromium at width x height and
// returns the image.
func Screenshot(t testing.TB, page string, width, height int) image.Image {
	t.Helper()
	shot := filepath.Join(t.TempDir(), "shot.png")
	Chromium(t, page, fmt.Sprintf("--window-size=%d,%d", width, height), "--screenshot="+shot)
	f, err := os.Open(shot)
	if err != nil {
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	return img
}

// Ink is the share of pixels that are not near-white.
func Ink(img image.Image) float64 {
	b := img.Bounds()
	n := 0
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.GrayModel.Convert(img.At(x, y)).(color.Gray)
			if c.Y < 235 {
				n++
			}
		}
	}
	return float64(n) / float64(b.Dx()*b.Dy())
}
