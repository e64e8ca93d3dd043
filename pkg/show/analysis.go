package show

import (
	"fmt"
	"image/color"
	"math"

	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mnistlesson/pkg/metrics"
	"mnistlesson/pkg/ndarray"
)

// classTicks labels the axis positions with the class digits; reversed flips them for the y axis.
type classTicks struct {
	n        int
	reversed bool
}

func (t classTicks) Ticks(_, _ float64) []plot.Tick {
	ticks := make([]plot.Tick, t.n)
	for i := range ticks {
		label := i
		if t.reversed {
			label = t.n - 1 - i
		}
		ticks[i] = plot.Tick{Value: float64(i), Label: fmt.Sprint(label)}
	}
	return ticks
}

// Colours of the confusion matrix: sequential scales, light to dark (ColorBrewer's Blues for the
// mistakes, Greens for the diagonal), so that a cell with more examples is always darker and the
// few mistakes are not washed out by the diagonal's thousands.
var (
	mistakeLight, mistakeDark = color.RGBA{R: 0xf7, G: 0xfb, B: 0xff, A: 0xff}, color.RGBA{R: 0x08, G: 0x30, B: 0x6b, A: 0xff}
	rightLight, rightDark     = color.RGBA{R: 0xe5, G: 0xf5, B: 0xe0, A: 0xff}, color.RGBA{R: 0x00, G: 0x6d, B: 0x2c, A: 0xff}
)

// shade returns the colour a fraction t (0..1) of the way from light to dark.
func shade(light, dark color.RGBA, t float64) color.RGBA {
	mix := func(a, b uint8) uint8 { return uint8(float64(a) + t*(float64(b)-float64(a)) + 0.5) }
	return color.RGBA{R: mix(light.R, dark.R), G: mix(light.G, dark.G), B: mix(light.B, dark.B), A: 0xff}
}

// confusionCells draws a confusion matrix as coloured cells, each with its count: the diagonal
// (right answers) in greens, the mistakes in blues, each scale running from 0 to its own largest
// count (square root, so that 1 or 2 mistakes still show). Column = predicted class (x), row =
// true class (y, 0 at the top).
type confusionCells metrics.ConfusionMatrix

func (cm confusionCells) Plot(c draw.Canvas, p *plot.Plot) {
	n := len(cm)
	maxRight, maxMistake := 1, 1
	for r, row := range cm {
		for col, v := range row {
			if r == col {
				maxRight = max(maxRight, v)
			} else {
				maxMistake = max(maxMistake, v)
			}
		}
	}
	tx, ty := p.Transforms(&c)
	for r, row := range cm {
		for col, v := range row {
			y := float64(n - 1 - r)
			rect := vg.Rectangle{Min: vg.Point{X: tx(float64(col) - 0.5), Y: ty(y - 0.5)},
				Max: vg.Point{X: tx(float64(col) + 0.5), Y: ty(y + 0.5)}}
			t := math.Sqrt(float64(v) / float64(maxMistake))
			fill := shade(mistakeLight, mistakeDark, t)
			if r == col {
				t = math.Sqrt(float64(v) / float64(maxRight))
				fill = shade(rightLight, rightDark, t)
			}
			c.SetColor(fill)
			c.Fill(rect.Path())
			ink := color.Color(color.Black)
			if t > 0.55 {
				ink = color.White
			}
			style := draw.TextStyle{Color: ink, Font: plot.DefaultFont, XAlign: draw.XCenter, YAlign: draw.YCenter,
				Handler: plot.DefaultTextHandler}
			style.Font.Size = vg.Points(8)
			if r == col {
				style.Font.Size = vg.Points(9)
				style.Font.Weight = xfont.WeightBold
			}
			c.FillText(style, vg.Point{X: (rect.Min.X + rect.Max.X) / 2, Y: (rect.Min.Y + rect.Max.Y) / 2}, fmt.Sprint(v))
		}
	}
}

// ConfusionMatrixPNG draws cm with the count written in each cell: the diagonal (right answers)
// in greens, mistakes in blues, darker for more.
func ConfusionMatrixPNG(cm metrics.ConfusionMatrix, size vg.Length) ([]byte, error) {
	n := len(cm)
	if n == 0 {
		return nil, fmt.Errorf("show: the confusion matrix is empty")
	}
	p := newPlot()
	legend := "green: right; blue: mistakes, darker = more"
	if hangul() { // Too long for one line in both languages.
		legend = "초록: 정답, 파랑: 틀림, 진할수록 많음\n" + legend
	}
	p.Title.Text = fmt.Sprintf("%s: %d / %d (%s %.4f)\n%s",
		label("혼동 행렬", "Confusion matrix"), cm.Correct(), cm.Total(), label("정확도", "accuracy"), cm.Accuracy(), legend)
	p.X.Label.Text = label("예측", "predicted")
	p.Y.Label.Text = label("정답", "true")
	p.X.Tick.Marker = classTicks{n: n}
	p.Y.Tick.Marker = classTicks{n: n, reversed: true}
	p.Add(confusionCells(cm))
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	c := vgimg.New(size, size)
	p.Draw(draw.New(c))
	return encodePNG(c)
}

// MistakesPNG draws up to rows×cols misclassified digits, each titled "true → predicted (p)".
func MistakesPNG(images *ndarray.Array, mistakes []metrics.Mistake, rows, cols int, width vg.Length) ([]byte, error) {
	if len(mistakes) == 0 {
		return nil, fmt.Errorf("show: there are no mistakes to show")
	}
	mistakes = mistakes[:min(len(mistakes), rows*cols)]
	indices := make([]int, len(mistakes))
	titles := make([]string, len(mistakes))
	for k, m := range mistakes {
		indices[k] = m.Index
		titles[k] = fmt.Sprintf("%d → %d (%.2f)", m.True, m.Predicted, m.Probability)
	}
	rows = (len(mistakes) + cols - 1) / cols
	return titledGridPNG(images, indices, titles, cols, width, width*vg.Length(rows)/vg.Length(cols)*11/10, vg.Points(8))
}

// PredictionPNG draws image i beside a bar chart of the model's ten probabilities for it.
func PredictionPNG(images, labels *ndarray.Array, i int, probabilities []float64, width vg.Length) ([]byte, error) {
	img, digitLabel, err := labelledDigit(images, labels, i)
	if err != nil {
		return nil, err
	}
	best := 0
	for k, p := range probabilities {
		if p > probabilities[best] {
			best = k
		}
	}
	digit := digitPlot(img, fmt.Sprintf("%s %d\n%s %d", label("테스트 이미지", "test image"), i, label("정답", "label"), digitLabel))

	bars, err := plotter.NewBarChart(plotter.Values(probabilities), vg.Points(14))
	if err != nil {
		return nil, err
	}
	bars.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	chart := newPlot()
	chart.Title.Text = fmt.Sprintf("%s: %d (p = %.3f)", label("모델의 답", "model"), best, probabilities[best])
	chart.X.Label.Text = label("숫자", "digit")
	chart.Y.Label.Text = label("확률", "probability")
	chart.Y.Min, chart.Y.Max = 0, 1
	chart.X.Tick.Marker = classTicks{n: len(probabilities)}
	chart.Add(plotter.NewGrid(), bars)

	// The digit keeps its square shape on the left; the chart takes the rest.
	height := width * 3 / 8
	canvas := vgimg.New(width, height)
	dc := draw.New(canvas)
	digit.Draw(draw.Crop(dc, 0, height-width, 0, 0))
	chart.Draw(draw.Crop(dc, height+vg.Points(16), -vg.Points(10), 0, 0))
	return encodePNG(canvas)
}
