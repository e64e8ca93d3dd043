package show

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/palette/moreland"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mnistlesson/pkg/metrics"
	"mnistlesson/pkg/ndarray"
)

// countGrid adapts a confusion matrix to plotter.GridXYZ: column = predicted class (x),
// row = true class (y, drawn with 0 at the top as in the usual layout).
type countGrid metrics.ConfusionMatrix

func (g countGrid) Dims() (c, r int)   { return len(g), len(g) }
func (g countGrid) X(c int) float64    { return float64(c) }
func (g countGrid) Y(r int) float64    { return float64(len(g) - 1 - r) }
func (g countGrid) Z(c, r int) float64 { return float64(g[r][c]) }

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

// ConfusionMatrixPNG draws cm as a heatmap with the count written in each cell.
func ConfusionMatrixPNG(cm metrics.ConfusionMatrix, size vg.Length) ([]byte, error) {
	n := len(cm)
	maxCount := 1
	for _, row := range cm {
		for _, v := range row {
			maxCount = max(maxCount, v)
		}
	}
	pal := moreland.SmoothBlueRed()
	pal.SetMin(0)
	pal.SetMax(float64(maxCount))
	heat := plotter.NewHeatMap(countGrid(cm), pal.Palette(255))
	heat.Min, heat.Max = 0, float64(maxCount)

	var pts plotter.XYs
	var texts []string
	for r := range n {
		for c := range n {
			pts = append(pts, plotter.XY{X: float64(c), Y: float64(n - 1 - r)})
			texts = append(texts, fmt.Sprint(cm[r][c]))
		}
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: pts, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YCenter
		labels.TextStyle[i].Font.Size = vg.Points(8)
		labels.TextStyle[i].Color = color.Black
	}

	p := plot.New()
	p.Title.Text = fmt.Sprintf("Confusion matrix (%d test images, accuracy %.4f)", cm.Total(), cm.Accuracy())
	p.X.Label.Text = "predicted"
	p.Y.Label.Text = "true"
	p.X.Tick.Marker = classTicks{n: n}
	p.Y.Tick.Marker = classTicks{n: n, reversed: true}
	p.Add(heat, labels)
	p.X.Min, p.X.Max = -0.5, float64(n)-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5
	c := vgimg.New(size, size)
	p.Draw(draw.New(c))
	return encodePNG(c)
}

// ConfusionMatrix displays cm inline.
func ConfusionMatrix(cm metrics.ConfusionMatrix) error {
	data, err := ConfusionMatrixPNG(cm, 6*vg.Inch)
	if err != nil {
		return err
	}
	displayPNG(data)
	return nil
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

// Mistakes displays up to rows×cols misclassified digits inline.
func Mistakes(images *ndarray.Array, mistakes []metrics.Mistake, rows, cols int) error {
	data, err := MistakesPNG(images, mistakes, rows, cols, 9*vg.Inch)
	if err != nil {
		return err
	}
	displayPNG(data)
	return nil
}

// PredictionPNG draws image i beside a bar chart of the model's ten probabilities for it.
func PredictionPNG(images, labels *ndarray.Array, i int, probabilities []float64, width vg.Length) ([]byte, error) {
	img, label, err := labelledDigit(images, labels, i)
	if err != nil {
		return nil, err
	}
	best := 0
	for k, p := range probabilities {
		if p > probabilities[best] {
			best = k
		}
	}
	digit := digitPlot(img, fmt.Sprintf("test image %d, label %d", i, label))

	bars, err := plotter.NewBarChart(plotter.Values(probabilities), vg.Points(14))
	if err != nil {
		return nil, err
	}
	bars.Color = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	chart := plot.New()
	chart.Title.Text = fmt.Sprintf("model: %d (p = %.3f)", best, probabilities[best])
	chart.X.Label.Text = "digit"
	chart.Y.Label.Text = "probability"
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

// Prediction displays test image i with the model's probabilities inline.
func Prediction(images, labels *ndarray.Array, i int, probabilities []float64) error {
	data, err := PredictionPNG(images, labels, i, probabilities, 8*vg.Inch)
	if err != nil {
		return err
	}
	displayPNG(data)
	return nil
}
