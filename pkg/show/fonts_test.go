package show

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
)

// Every Korean label of the figures (label("…", …) in this package) is drawn from glyphs of the
// Hangul font, never as missing-glyph boxes; without such a font the labels are in English alone.
func TestKoreanLabelsHaveGlyphs(t *testing.T) {
	if !hangul() {
		if got := label("정답", "label"); got != "label" {
			t.Errorf("without a Hangul font, label() = %q", got)
		}
		t.Skipf("SKIP: no font with Hangul in %s or %s (Debian: apt-get install fonts-noto-cjk); the figures' labels are in English alone",
			EnvHangulFont, strings.Join(hangulFonts, ", "))
	}
	if got := label("정답", "label"); got != "정답 / label" {
		t.Errorf("label() = %q", got)
	}
	face := font.DefaultCache.Lookup(plot.DefaultFont, 10)
	if plot.DefaultFont.Typeface != hangulTypeface || face.Face == nil {
		t.Fatalf("the figures' font is %+v, not the Hangul font", plot.DefaultFont)
	}
	sources, _ := filepath.Glob("*.go")
	korean := regexp.MustCompile(`(?:label|curveFigure)\("([^"]*)"`)
	var buf sfnt.Buffer
	labels := 0
	for _, name := range sources {
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range korean.FindAllStringSubmatch(string(src), -1) {
			labels++
			for _, r := range m[1] {
				if r < 0x1100 {
					continue // Latin, digits, punctuation: the font has them, and Liberation's checks cover them.
				}
				if g, err := face.Face.GlyphIndex(&buf, r); err != nil || g == 0 {
					t.Errorf("%s: %q has no glyph for %q in the Hangul font", name, m[1], r)
				}
			}
		}
	}
	if labels < 15 {
		t.Errorf("found only %d Korean labels in the sources", labels)
	}
}
