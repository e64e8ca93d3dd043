package show

import (
	"bytes"
	"encoding/json"
	"image/png"
	"strings"
	"testing"

	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/keras"
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
	if !strings.Contains(boxes[1].Title, "relu") || !strings.Contains(boxes[3].Title, "softmax · 330 params") {
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
	if b := DiagramBoxes(small); len(b) != 2 || !strings.Contains(b[1].Title, "50 params") {
		t.Errorf("small model boxes: %+v", b)
	}
	data, err := ModelDiagramPNG(m)
	decodes(t, "diagram", data, err, 300)
}

func TestAnalysisPictures(t *testing.T) {
	x, y := fakeDigits(20)
	cm, err := metrics.Confusion([]int{0, 1, 2, 2}, []int{0, 1, 2, 1}, 10)
	if err != nil {
		t.Fatal(err)
	}
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

	h := &keras.History{Loss: []float64{0.3, 0.1, 0.05}, Accuracy: []float64{0.9, 0.96, 0.98}}
	data, err = HistoryPNG(h, 6*vg.Inch)
	decodes(t, "curves", data, err, 400)
	if _, err := HistoryPNG(&keras.History{}, 6*vg.Inch); err == nil || !strings.Contains(err.Error(), "train the model first") {
		t.Errorf("empty History: err = %v", err)
	}
}

func TestInteractiveCurvesHoldTheHistory(t *testing.T) {
	h := &keras.History{Loss: []float64{0.3, 0.1}, Accuracy: []float64{0.9, 0.97}}
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
	t.Setenv(EnvPlotlySrc, "")
	if err := InteractiveHistory(h); err == nil || !strings.Contains(err.Error(), "scripts/lab") {
		t.Errorf("without local plotly.js: err = %v", err)
	}
}
