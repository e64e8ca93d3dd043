package show

import (
	"os"
	"strings"
	"sync"

	xfont "golang.org/x/image/font"
	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
)

// EnvHangulFont names a font file with Hangul (TrueType, OpenType or a .ttc collection) for the
// figures' Korean labels, instead of the ones hangulFonts lists.
const EnvHangulFont = "LESSON_HANGUL_FONT"

// hangulFonts are where Debian and Ubuntu (fonts-noto-cjk, fonts-nanum) and macOS keep a font
// with Hangul. The first one found draws every label of the figures; with none, the labels are
// in English alone rather than in boxes.
var hangulFonts = []string{
	"/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
	"/usr/share/fonts/truetype/nanum/NanumGothic.ttf",
	"/System/Library/Fonts/AppleSDGothicNeo.ttc",
}

// hangulTypeface is the name the Hangul font is registered under in gonum/plot's font cache.
const hangulTypeface = font.Typeface("LessonHangul")

// hangul loads the Hangul font once per process, makes it the figures' font (gonum/plot's
// DefaultFont, which plot.New copies), and says whether it did. Reading it costs about 5 ms: only
// the tables a label needs are read from the file.
var hangul = sync.OnceValue(func() bool {
	candidates := hangulFonts
	if path := os.Getenv(EnvHangulFont); path != "" {
		candidates = []string{path}
	}
	for _, path := range candidates {
		regular, err := openHangul(path)
		if err != nil {
			continue
		}
		faces := font.Collection{{Font: font.Font{Typeface: hangulTypeface}, Face: regular}}
		// The bold face of the same family, when it lies beside the regular one.
		if bold, err := openHangul(strings.Replace(path, "Regular", "Bold", 1)); err == nil && bold != regular {
			faces = append(faces, font.Face{Font: font.Font{Typeface: hangulTypeface, Weight: xfont.WeightBold}, Face: bold})
		}
		font.DefaultCache.Add(faces)
		plot.DefaultFont = font.Font{Typeface: hangulTypeface}
		plotter.DefaultFont = plot.DefaultFont
		return true
	}
	return false
})

// openHangul opens the font file at path (from a collection, the Korean member if it names one)
// and returns it when it has Hangul. The file stays open for the process's life: glyphs are
// read from it as labels are drawn.
func openHangul(path string) (*sfnt.Font, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	coll, err := sfnt.ParseCollectionReaderAt(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	var buf sfnt.Buffer
	var chosen *sfnt.Font
	for i := range coll.NumFonts() {
		fnt, err := coll.Font(i)
		if err != nil {
			continue
		}
		if chosen == nil {
			chosen = fnt
		}
		if name, _ := fnt.Name(&buf, sfnt.NameIDFull); strings.HasSuffix(name, " KR") {
			chosen = fnt
			break
		}
	}
	if chosen == nil {
		f.Close()
		return nil, os.ErrNotExist
	}
	if glyph, err := chosen.GlyphIndex(&buf, '한'); err != nil || glyph == 0 {
		f.Close()
		return nil, os.ErrNotExist
	}
	return chosen, nil
}

// label returns a figure's label in Korean and English, "ko / en", like the notebook's prose, or
// en alone where no Hangul font was found.
func label(ko, en string) string {
	if hangul() {
		return ko + " / " + en
	}
	return en
}

// newPlot is plot.New, with the figures' font set up first.
func newPlot() *plot.Plot {
	hangul()
	return plot.New()
}
