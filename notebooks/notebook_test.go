// Package notebooks_test executes the lesson's notebook headless with the GoNB kernel and checks
// what a student would see: no errors, the pictures, the summary, the training log and the test
// accuracy. It needs the project's set-up (scripts/setup), which scripts/test runs first.
package notebooks_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

type output struct {
	OutputType string            `json:"output_type"`
	Name       string            `json:"name"`
	Text       any               `json:"text"`
	Data       map[string]any    `json:"data"`
	EName      string            `json:"ename"`
	EValue     string            `json:"evalue"`
	Metadata   map[string]any    `json:"metadata"`
	Extra      map[string]string `json:"-"`
}

type cell struct {
	CellType string   `json:"cell_type"`
	Source   any      `json:"source"`
	Outputs  []output `json:"outputs"`
}

// joined turns a notebook string field (a string or a list of lines) into one string.
func joined(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []any:
		var b strings.Builder
		for _, s := range t {
			b.WriteString(s.(string))
		}
		return b.String()
	}
	return ""
}

func TestNotebookRunsHeadless(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	python := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Skipf("SKIP: the project's Jupyter environment is missing (%v); run scripts/setup, or scripts/test which does", err)
	}
	epochs := os.Getenv("LESSON_EPOCHS")
	if epochs == "" {
		epochs = "1"
	}
	// Run a copy in a temporary folder, so the model it saves stays out of the repository. When
	// scripts/test names a folder in LESSON_EXECUTED_DIR, the executed notebook and its HTML export
	// are written there for the browser tests, which then need not execute the notebook again.
	out := os.Getenv("LESSON_EXECUTED_DIR")
	if out == "" {
		out = t.TempDir()
	}
	src, err := os.ReadFile(filepath.Join(root, "notebooks", "mnist_mlp.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "mnist_mlp.ipynb")
	if err := os.WriteFile(work, src, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join(root, "scripts", "execute_notebook.py"), work, out)
	cmd.Env = append(os.Environ(), "LESSON_EPOCHS="+epochs)
	log, err := cmd.CombinedOutput()
	t.Logf("notebook run:\n%s", log)
	if err != nil {
		t.Fatalf("notebook execution failed: %v", err)
	}

	raw, err := os.ReadFile(filepath.Join(out, "mnist_mlp.ipynb"))
	if err != nil {
		t.Fatal(err)
	}
	var nb struct{ Cells []cell }
	if err := json.Unmarshal(raw, &nb); err != nil {
		t.Fatal(err)
	}
	var text, htmls, svgs strings.Builder
	var pngs [][]byte
	for i, c := range nb.Cells {
		for _, o := range c.Outputs {
			switch o.OutputType {
			case "error":
				t.Errorf("cell %d has an error output: %s: %s", i, o.EName, o.EValue)
			case "stream":
				if o.Name == "stderr" && strings.Contains(joined(o.Text), "Error") {
					t.Errorf("cell %d wrote an error: %s", i, joined(o.Text))
				}
				text.WriteString(joined(o.Text))
			case "display_data", "execute_result":
				htmls.WriteString(joined(o.Data["text/html"]))
				svgs.WriteString(joined(o.Data["image/svg+xml"]))
				if s, ok := o.Data["image/png"]; ok {
					data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(joined(s), "\n", ""))
					if err != nil {
						t.Errorf("cell %d: image/png is not base64: %v", i, err)
					}
					pngs = append(pngs, data)
				}
			}
		}
	}
	all := text.String()
	for _, want := range []string{
		"x_train: uint8 (60000, 28, 28)", "y_train: uint8 (60000)",
		"x_test:  uint8 (10000, 28, 28)", "y_test:  uint8 (10000)",
		"x_train: float32 (60000, 784), values 0.0 to 1.0", "y_train: float32 (60000, 10)",
		"Total params: 52,650",
		"LESSON_EPOCHS=" + epochs + " is set",
		"Epoch " + epochs + "/" + epochs + " - 1875/1875 - loss: ",
		"Test loss: ",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("the notebook's output lacks %q", want)
		}
	}
	if backend := os.Getenv("LESSON_BACKEND"); strings.HasPrefix(backend, "xla") && !strings.Contains(all, "Backend: XLA CPU") {
		t.Errorf("LESSON_BACKEND=%s but the backend line does not say XLA CPU", backend)
	}
	m := regexp.MustCompile(`Test accuracy: ([0-9.]+)`).FindStringSubmatch(all)
	if m == nil {
		t.Fatal("no 'Test accuracy:' line")
	}
	if acc, _ := strconv.ParseFloat(m[1], 64); acc < 0.90 {
		t.Errorf("test accuracy %.4f after %s epoch(s), want ≥ 0.90", acc, epochs)
	}

	// The confusion matrix counts every test image, and its diagonal is the test accuracy.
	cm := regexp.MustCompile(`(\d+) of (\d+) test images are right \(accuracy ([0-9.]+)\)`).FindStringSubmatch(all)
	if cm == nil {
		t.Fatal("no confusion-matrix summary line")
	}
	correct, _ := strconv.Atoi(cm[1])
	total, _ := strconv.Atoi(cm[2])
	acc, _ := strconv.ParseFloat(m[1], 64)
	if total != 10000 || math.Abs(float64(correct)-acc*10000) > 0.5 {
		t.Errorf("confusion matrix: %d of %d right, but Evaluate's accuracy is %.4f", correct, total, acc)
	}
	if want := fmt.Sprintf("%d mistakes; the first 40:", total-correct); !strings.Contains(all, want) {
		t.Errorf("the mistakes cell should report %q", want)
	}
	if !strings.Contains(svgs.String(), "<svg") || !strings.Contains(svgs.String(), "Total params: 52,650") {
		t.Error("no model diagram (an SVG listing 52,650 parameters)")
	}
	// Interactive charts load plotly.js from the project, never from the internet.
	if !strings.Contains(string(raw), `/static/plotly.min.js`) || !strings.Contains(string(raw), "Plotly") {
		t.Error("no interactive plotly chart loading the project's plotly.js")
	}
	if strings.Contains(string(raw), "cdn.plot.ly") || strings.Contains(string(raw), "://cdn") {
		t.Error("the notebook loads something from a CDN")
	}

	// The digit, the grid, the diagram (its PNG twin), the curves, the confusion matrix, the
	// mistakes and one prediction.
	if len(pngs) != 7 {
		t.Fatalf("found %d inline PNG images, want 7", len(pngs))
	}
	for i, data := range pngs {
		img, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Errorf("image %d is not a PNG: %v", i, err)
			continue
		}
		if b := img.Bounds(); b.Dx() < 200 || b.Dy() < 200 {
			t.Errorf("image %d is only %dx%d", i, b.Dx(), b.Dy())
		}
	}
	html, err := os.ReadFile(filepath.Join(out, "mnist_mlp.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(html, []byte(`src="data:image/png;base64,`)); n < 6 {
		t.Errorf("the HTML export embeds %d PNG images, want ≥ 6", n)
	}
	if !bytes.Contains(html, []byte(`src="data:image/svg+xml;base64,`)) {
		t.Error("the HTML export lacks the model diagram")
	}
	for _, cdn := range []string{"mathjax/2", "require.min.js"} {
		if bytes.Contains(html, []byte(cdn)) {
			t.Errorf("the HTML export loads %s from the internet", cdn)
		}
	}
}
