package show

import (
	"fmt"
	"os"

	"github.com/janpfeifer/gonb/gonbui/protocol"
	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/keras/callbacks"
	"mnistlesson/pkg/lesson"
	"mnistlesson/pkg/metrics"
	"mnistlesson/pkg/ndarray"
)

// The notebook-facing functions of show: each draws its picture (with the ...PNG and ...SVG
// functions, which return errors) and displays it inline, or stops the cell with the error in
// one line (lesson.Stop), as the notebook's edge does. They are the only ones in show that stop.
// On a class hub they also tell the teacher's board the lesson step the student reached.

// Digit displays image i with its label inline in the notebook (plt.imshow(x_train[i])).
func Digit(images, labels *ndarray.Array, i int) {
	displayPNG(lesson.Must1(DigitPNG(images, labels, i, 3*vg.Inch)))
	classboard.Reached(classboard.StepImages)
}

// Grid displays the first rows×cols digits with their labels inline in the notebook.
func Grid(images, labels *ndarray.Array, rows, cols int) {
	displayPNG(lesson.Must1(GridPNG(images, labels, rows, cols, 7.5*vg.Inch)))
	classboard.Reached(classboard.StepImages)
}

// Summary prints the model's summary table, Keras' model.summary(): each layer's output shape and
// parameter count, and the totals.
func Summary(m interface{ Summary() (string, error) }) {
	fmt.Print(lesson.Must1(m.Summary()))
}

// ModelDiagram displays the model diagram inline (Keras: plot_model(model, show_shapes=True)).
// It is sent both as SVG, crisp at any size, and as PNG, which JupyterLab shows instead when a
// saved notebook is reopened untrusted (it renders no SVG from untrusted outputs).
func ModelDiagram(m Model) {
	svg := lesson.Must1(ModelDiagramSVG(m))
	png := lesson.Must1(ModelDiagramPNG(m))
	display(map[protocol.MIMEType]any{protocol.MIMEImageSVG: string(svg), protocol.MIMEImagePNG: png})
}

// History displays the training curves of the model's last training (keras.Model.History reads
// the History that Fit saved with the model) inline, with a note when training stopped early, in
// one output with two representations (see historyOutput): interactive plotly charts (zoom,
// hover) where JavaScript runs, the same curves as a picture everywhere else.
func History(m interface {
	History() (*callbacks.History, error)
}) {
	h := lesson.Must1(m.History())
	data := lesson.Must1(HistoryPNG(h, 9*vg.Inch))
	if note := h.Note(); note != "" {
		fmt.Println(note)
	}
	display(lesson.Must1(historyOutput(h, data, os.Getenv(EnvPlotlySrc))))
}

// ConfusionMatrix counts the model's answers by true digit (rows, from labels: uint8 [N] or
// one-hot [N, C]) and predicted digit (columns: the most probable class of each row of probs
// [N, C], NumPy's argmax), displays the matrix inline and returns it.
func ConfusionMatrix(labels, probs *ndarray.Array) metrics.ConfusionMatrix {
	truth := lesson.Must1(metrics.Labels(labels))
	predicted := lesson.Must1(metrics.Classes(probs))
	cm := lesson.Must1(metrics.Confusion(truth, predicted, probs.Dims()[1]))
	displayPNG(lesson.Must1(ConfusionMatrixPNG(cm, 6*vg.Inch)))
	classboard.Reached(classboard.StepErrorAnalysis)
	return cm
}

// Mistakes lists the test images the model gets wrong (labels as for ConfusionMatrix, probs
// [N, C]), prints how many there are and displays the first rows×cols of them inline, each titled
// "true → predicted (probability)". It returns them all, in dataset order.
func Mistakes(images, labels, probs *ndarray.Array, rows, cols int) []metrics.Mistake {
	truth := lesson.Must1(metrics.Labels(labels))
	mistakes := lesson.Must1(metrics.Mistakes(truth, probs))
	fmt.Printf("%d mistakes; the first %d:\n", len(mistakes), min(len(mistakes), rows*cols))
	displayPNG(lesson.Must1(MistakesPNG(images, mistakes, rows, cols, 9*vg.Inch)))
	classboard.Reached(classboard.StepErrorAnalysis)
	return mistakes
}

// Prediction displays image i of images with its label and, beside it, the model's probability
// for each class: probs is the model's output for that one image [1, C], or for all the images
// [N, C], of which row i is drawn.
func Prediction(images, labels *ndarray.Array, i int, probs *ndarray.Array) {
	row := i
	if probs.Rank() == 2 && probs.Dims()[0] == 1 {
		row = 0
	}
	probabilities := lesson.Must1(metrics.Row(probs, row))
	displayPNG(lesson.Must1(PredictionPNG(images, labels, i, probabilities, 8*vg.Inch)))
	classboard.Reached(classboard.StepErrorAnalysis)
}
