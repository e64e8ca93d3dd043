package show

import (
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mnistlesson/pkg/keras/callbacks"
)

// curvePlot plots one metric per epoch (epochs numbered from 1).
func curvePlot(title, yLabel string, values []float64, c color.Color) (*plot.Plot, error) {
	p := newPlot()
	p.Title.Text = title
	p.X.Label.Text = label("에포크", "epoch")
	p.Y.Label.Text = yLabel
	p.Add(plotter.NewGrid())
	pts := make(plotter.XYs, len(values))
	for i, v := range values {
		pts[i].X, pts[i].Y = float64(i+1), v
	}
	line, points, err := plotter.NewLinePoints(pts)
	if err != nil {
		return nil, err
	}
	line.Color, points.Color = c, c
	points.Radius = vg.Points(1.5)
	p.Add(line, points)
	p.X.Min = 1
	return p, nil
}

// HistoryPNG draws the training curves of h, loss and accuracy per epoch side by side (what
// Keras users plot from hist.history), width wide.
func HistoryPNG(h *callbacks.History, width vg.Length) ([]byte, error) {
	if h == nil || h.Completed() == 0 {
		return nil, fmt.Errorf("show: the History has no completed epoch yet: train the model first")
	}
	lossPlot, err := curvePlot(label("학습 손실", "Training loss"), label("손실", "loss"), h.Loss, color.RGBA{R: 31, G: 119, B: 180, A: 255})
	if err != nil {
		return nil, err
	}
	accPlot, err := curvePlot(label("학습 정확도", "Training accuracy"), label("정확도", "accuracy"), h.Accuracy, color.RGBA{R: 255, G: 127, B: 14, A: 255})
	if err != nil {
		return nil, err
	}
	canvas := vgimg.New(width, width*3/8)
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(12), PadTop: vg.Points(4), PadBottom: vg.Points(4),
		PadLeft: vg.Points(4), PadRight: vg.Points(8)}
	plots := [][]*plot.Plot{{lossPlot, accPlot}}
	canvases := plot.Align(plots, tiles, draw.New(canvas))
	lossPlot.Draw(canvases[0][0])
	accPlot.Draw(canvases[0][1])
	return encodePNG(canvas)
}
