package show

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"github.com/janpfeifer/gonb/gonbui/protocol"
	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/keras"
	"mnistlesson/pkg/keras/callbacks"
	"mnistlesson/pkg/metrics"
)

func lessonModel() *keras.Model {
	return keras.Sequential(
		keras.Dense(64).InputDim(784).Activation("relu"),
		keras.Dense(32).Activation("relu"),
		keras.Dense(10).Activation("softmax"),
	)
}

// decodes checks data is a PNG at least minWidth pixels wide.
func decodes(t *testing.T, name string, data []byte, err error, minWidth int) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", name, err)
	}
	if img.Bounds().Dx() < minWidth {
		t.Errorf("%s is only %d pixels wide", name, img.Bounds().Dx())
	}
}

func TestModelDiagramComesFromTheModel(t *testing.T) {
	m := lessonModel()
	boxes := DiagramBoxes(m)
	want := []string{"(None, 784)", "(None, 64)", "(None, 32)", "(None, 10)"}
	if len(boxes) != 4 {
		t.Fatalf("%d boxes, want input + 3 layers", len(boxes))
	}
	for i, b := range boxes {
		if !strings.Contains(b.Shapes, "output: "+want[i]) {
			t.Errorf("box %d shapes %q, want output %s", i, b.Shapes, want[i])
		}
	}
	if !strings.Contains(boxes[1].Title, "relu") || !strings.Contains(boxes[3].Title, "softmax · 330 ") || !strings.HasSuffix(boxes[3].Title, "params") {
		t.Errorf("titles: %q, %q", boxes[1].Title, boxes[3].Title)
	}
	svg, err := ModelDiagramSVG(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"<svg", "Total params: 52,650", "dense_1 (Dense)"} {
		if !bytes.Contains(svg, []byte(s)) {
			t.Errorf("the SVG lacks %q", s)
		}
	}
	// A different model gets a different diagram: nothing is drawn by hand for the lesson's.
	small := keras.Sequential(keras.Dense(10).InputDim(4).Activation("softmax"))
	if b := DiagramBoxes(small); len(b) != 2 || !strings.Contains(b[1].Title, "softmax · 50 ") || !strings.HasSuffix(b[1].Title, "params") {
		t.Errorf("small model boxes: %+v", b)
	}
	data, err := ModelDiagramPNG(m)
	decodes(t, "diagram", data, err, 300)
}

func TestAnalysisPictures(t *testing.T) {
	x, y := fakeDigits(20)
	cm := metrics.ConfusionMatrix{{1, 0, 0}, {0, 1, 0}, {0, 1, 1}}
	data, err := ConfusionMatrixPNG(cm, 4*vg.Inch)
	decodes(t, "confusion matrix", data, err, 280)

	mistakes := []metrics.Mistake{{Index: 3, True: 2, Predicted: 1, Probability: 0.6}}
	data, err = MistakesPNG(x, mistakes, 2, 10, 6*vg.Inch)
	decodes(t, "mistakes", data, err, 400)
	if _, err := MistakesPNG(x, nil, 2, 10, 6*vg.Inch); err == nil {
		t.Error("no mistakes should be an error, not an empty picture")
	}

	probs := []float64{0.05, 0.05, 0.6, 0.3, 0, 0, 0, 0, 0, 0}
	data, err = PredictionPNG(x, y, 2, probs, 6*vg.Inch)
	decodes(t, "prediction", data, err, 400)

	h := &callbacks.History{Loss: []float64{0.3, 0.1, 0.05}, Accuracy: []float64{0.9, 0.96, 0.98}}
	data, err = HistoryPNG(h, 6*vg.Inch)
	decodes(t, "curves", data, err, 400)
	if _, err := HistoryPNG(&callbacks.History{}, 6*vg.Inch); err == nil || !strings.Contains(err.Error(), "train the model first") {
		t.Errorf("empty History: err = %v", err)
	}
}

func TestInteractiveCurvesHoldTheHistory(t *testing.T) {
	h := &callbacks.History{Loss: []float64{0.3, 0.1}, Accuracy: []float64{0.9, 0.97}}
	figs, err := HistoryFigures(h)
	if err != nil || len(figs) != 2 {
		t.Fatalf("HistoryFigures: %d figures, %v", len(figs), err)
	}
	data, err := json.Marshal(figs[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"x":[1,2]`, `"y":[0.9,0.97]`, "Training accuracy"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("accuracy figure lacks %s: %s", want, data)
		}
	}
}

// TestCurvesAreOneOutputWithTwoRepresentations checks the curves cell's output: a PNG for saved
// notebooks and exports, and HTML that shows the same PNG until plotly.js (from the project)
// replaces it with the charts.
func TestCurvesAreOneOutputWithTwoRepresentations(t *testing.T) {
	h := &callbacks.History{Loss: []float64{0.3, 0.1}, Accuracy: []float64{0.9, 0.97}}
	picture, err := HistoryPNG(h, 6*vg.Inch)
	decodes(t, "curves", picture, err, 300)
	out, err := historyOutput(h, picture, "/static/plotly.min.js")
	if err != nil {
		t.Fatal(err)
	}
	html, _ := out[protocol.MIMETextHTML].(string)
	if !bytes.Equal(out[protocol.MIMEImagePNG].([]byte), picture) || len(out) != 2 {
		t.Errorf("the output should hold the PNG and HTML, got %d representations", len(out))
	}
	for _, want := range []string{`"/static/plotly.min.js"`, `getElementById("jupyter-config-data")`, "Plotly.newPlot", "data:image/png;base64,",
		`"y":[0.9,0.97]`, "Training accuracy"} {
		if !strings.Contains(html, want) {
			t.Errorf("the HTML lacks %s", want)
		}
	}
	if strings.Contains(html, "cdn.plot.ly") || strings.Count(html, "</script>") != 1 {
		t.Error("the HTML must load plotly.js from the project only, in one script")
	}
	alone, err := historyOutput(h, picture, "")
	if err != nil || len(alone) != 1 {
		t.Errorf("without the project's plotly.js: %d representations, %v; want the picture alone", len(alone), err)
	}
}

// TestConfusionMatrixColours checks the scales: greens on the diagonal, blues for mistakes,
// light to dark, and nothing of the diverging blue-to-red scale it replaced.
func TestConfusionMatrixColours(t *testing.T) {
	cm := metrics.ConfusionMatrix{{4, 0, 0}, {0, 2, 1}, {0, 1, 2}}
	data, err := ConfusionMatrixPNG(cm, 4*vg.Inch)
	decodes(t, "confusion matrix", data, err, 280)
	img, _ := png.Decode(bytes.NewReader(data))
	var green, blue, red int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			switch {
			case g > r+40 && g > bl+20:
				green++
			case bl > r+40 && bl > g+20:
				blue++
			case r > g+60 && r > bl+60:
				red++
			}
		}
	}
	t.Logf("green %d, blue %d, red %d pixels", green, blue, red)
	if green < 1000 || blue < 1000 || red > 0 {
		t.Errorf("green %d (the diagonal), blue %d (mistakes), red %d pixels; want greens and blues, no red", green, blue, red)
	}
}
