package show

import (
	"bytes"
	"fmt"
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"

	"mnistlesson/pkg/keras/summary"
)

// Geometry of the diagram, in points.
const (
	boxWidth  = 340
	boxHeight = 46
	arrowGap  = 22
	margin    = 10
)

// Model is what ModelDiagram draws; *keras.Model is one. It is an interface so that show does not
// import package keras, and with it GoMLX and XLA: cells that only draw digits link small.
type Model interface {
	Err() error                      // The model's configuration error, if any.
	InputDim() int                   // Features of each example, e.g. 784.
	LayerSummaries() []summary.Layer // One per layer, as model.summary() lists them.
}

// DiagramBox is one box of the model diagram: a title line and a shapes line.
type DiagramBox struct {
	Title  string // e.g. "dense (Dense) · relu · 50,240 파라미터 / params"
	Shapes string // e.g. "입력 / input: (None, 784)   출력 / output: (None, 64)"
}

// DiagramBoxes describes the boxes of Keras' plot_model(model, show_shapes=True) for m: the
// input layer, then one box per layer, computed from the model itself.
func DiagramBoxes(m Model) []DiagramBox {
	layers := m.LayerSummaries()
	shapes := func(in, out string) string {
		return fmt.Sprintf("%s: %s   %s: %s", label("입력", "input"), in, label("출력", "output"), out)
	}
	inputShape := fmt.Sprintf("(None, %d)", m.InputDim())
	boxes := []DiagramBox{{Title: "input (InputLayer)", Shapes: shapes(inputShape, inputShape)}}
	for _, l := range layers {
		boxes = append(boxes, DiagramBox{
			Title:  fmt.Sprintf("%s (%s) · %s · %s %s", l.Name, l.Type, l.Activation, summary.Commas(l.Params), label("파라미터", "params")),
			Shapes: shapes(l.InputShape, l.OutputShape),
		})
	}
	return boxes
}

// ModelDiagramSVG draws the model as a column of boxes joined by arrows, like Keras' plot_model
// with show_shapes=True, and returns it as SVG.
func ModelDiagramSVG(m Model) ([]byte, error) {
	if err := m.Err(); err != nil {
		return nil, err
	}
	width, height := diagramSize(m)
	svg := vgsvg.New(width, height)
	drawDiagram(draw.New(svg), m)
	var buf bytes.Buffer
	if _, err := svg.WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ModelDiagramPNG is ModelDiagramSVG as a PNG picture.
func ModelDiagramPNG(m Model) ([]byte, error) {
	if err := m.Err(); err != nil {
		return nil, err
	}
	width, height := diagramSize(m)
	c := vgimg.New(width, height)
	drawDiagram(draw.New(c), m)
	return encodePNG(c)
}

func diagramSize(m Model) (width, height vg.Length) {
	n := len(m.LayerSummaries()) + 1
	return vg.Length(boxWidth + 2*margin), vg.Length(2*margin + n*boxHeight + (n-1)*arrowGap + 20)
}

// drawDiagram draws the boxes and arrows of m on c.
func drawDiagram(c draw.Canvas, m Model) {
	boxes := DiagramBoxes(m)
	_, height := diagramSize(m)

	titleStyle := textStyle(10.5)
	shapeStyle := textStyle(9)
	border := draw.LineStyle{Color: color.Gray{Y: 60}, Width: vg.Points(1)}
	fill := color.RGBA{R: 232, G: 240, B: 254, A: 255}
	x0, x1 := vg.Length(margin), vg.Length(margin+boxWidth)
	top := height - margin
	for i, b := range boxes {
		y1 := top - vg.Length(i*(boxHeight+arrowGap))
		y0 := y1 - boxHeight
		rect := []vg.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}, {X: x0, Y: y0}}
		c.FillPolygon(fill, rect)
		c.StrokeLines(border, rect)
		mid := (x0 + x1) / 2
		c.FillText(titleStyle, vg.Point{X: mid, Y: y1 - 16}, b.Title)
		c.FillText(shapeStyle, vg.Point{X: mid, Y: y0 + 12}, b.Shapes)
		if i > 0 { // Arrow from the box above into this one.
			tip := vg.Point{X: mid, Y: y1}
			c.StrokeLine2(border, mid, y1+arrowGap, mid, y1)
			c.FillPolygon(color.Gray{Y: 60}, []vg.Point{tip, {X: mid - 4, Y: y1 + 7}, {X: mid + 4, Y: y1 + 7}})
		}
	}
	total := fmt.Sprintf("%s: %s", label("전체 파라미터", "Total params"), summary.Commas(summary.Count(m.LayerSummaries())))
	c.FillText(shapeStyle, vg.Point{X: (x0 + x1) / 2, Y: margin + 2}, total)
}

func textStyle(size float64) draw.TextStyle {
	hangul() // The figures' font, before it is read.
	f := font.Font{Typeface: plot.DefaultFont.Typeface, Variant: plot.DefaultFont.Variant, Size: vg.Points(size)}
	return draw.TextStyle{Color: color.Black, Font: f, XAlign: draw.XCenter, YAlign: draw.YCenter, Handler: plot.DefaultTextHandler}
}
