package notebooks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEveryMistakeStopsTheCellWithOneLine runs, through the GoNB kernel, cells that misuse the
// lesson's packages the way students do, and checks that each stops with one "Error: …" line
// naming the problem, never a Go panic and its stack trace, and that the next cell still runs.
func TestEveryMistakeStopsTheCellWithOneLine(t *testing.T) {
	root, _ := filepath.Abs("..")
	python := filepath.Join(root, ".venv", "bin", "python")
	if _, err := os.Stat(python); err != nil {
		t.Skipf("SKIP: the project's Jupyter environment is missing (%v); run scripts/setup, or scripts/test which does", err)
	}
	cells := []struct{ source, want string }{
		{"import (\n\t\"mnistlesson/pkg/keras\"\n\t\"mnistlesson/pkg/lesson\"\n\t\"mnistlesson/pkg/metrics\"\n" +
			"\t\"mnistlesson/pkg/mnist\"\n\t\"mnistlesson/pkg/prep\"\n\t\"mnistlesson/pkg/show\"\n)\n\n" +
			"var xTrain, yTrain, xTest, yTest = lesson.Must4(mnist.LoadData())", ""},
		{"%%\nprep.Reshape(xTrain, 5, 784)", "Error: prep: ndarray: cannot reshape [60000 28 28]"},
		{"%%\nprep.Normalize(prep.Normalize(xTrain))", "Error: prep: ndarray: Normalize expects uint8 values 0..255"},
		{"%%\nshow.Digit(xTrain, yTrain, 60000)", "Error: show: image index 60000 is out of range [0, 60000)"},
		{"%%\nlesson.Must1(metrics.Confusion([]int{1}, []int{1, 2}, 10))", "Error: metrics: 1 true classes but 2 predictions"},
		{"%%\nm := keras.Sequential(keras.Dense(64).InputDim(784)).Compile(\"mse\", \"adam\", \"accuracy\")\n" +
			"lesson.Must1(m.Fit(prep.Normalize(prep.Reshape(xTrain, -1, 784)), prep.ToCategorical(yTrain, 10)).Done())",
			"Error: keras: loss \"mse\" is not supported"},
		{"%%\nm := keras.Sequential(keras.Dense(10).InputDim(784)).Compile(\"categorical_crossentropy\", \"adam\", \"accuracy\")\n" +
			"lesson.Must2(m.Evaluate(prep.Normalize(prep.Reshape(xTest, -1, 784)), prep.ToCategorical(yTest, 10)))",
			"train the model first"},
		{"%%\nfmt.Println(\"still running\")", ""},
	}
	nb := map[string]any{"nbformat": 4, "nbformat_minor": 5, "metadata": map[string]any{
		"kernelspec": map[string]string{"name": "gonb", "display_name": "Go (gonb)", "language": "go"}}}
	var list []map[string]any
	for _, c := range cells {
		list = append(list, map[string]any{"cell_type": "code", "source": c.source, "metadata": map[string]any{},
			"outputs": []any{}, "execution_count": nil})
	}
	nb["cells"] = list
	dir := t.TempDir()
	path := filepath.Join(dir, "mistakes.ipynb")
	data, _ := json.Marshal(nb)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, filepath.Join(root, "scripts", "execute_notebook.py"), "--allow-errors", path, dir)
	cmd.Env = append(os.Environ(), "LESSON_EPOCHS=1")
	log, _ := cmd.CombinedOutput() // It exits 1: cells failed, as they should.
	raw, err := os.ReadFile(filepath.Join(dir, "mistakes.ipynb"))
	if err != nil {
		t.Fatalf("no executed notebook: %v\n%s", err, log)
	}
	var executed struct{ Cells []cell }
	if err := json.Unmarshal(raw, &executed); err != nil {
		t.Fatal(err)
	}
	for i, c := range cells {
		var text strings.Builder
		failed := false
		for _, o := range executed.Cells[i].Outputs {
			text.WriteString(joined(o.Text) + o.EName + " " + o.EValue + "\n")
			failed = failed || o.OutputType == "error"
		}
		out := text.String()
		if strings.Contains(out, "goroutine ") || strings.Contains(out, "panic:") {
			t.Errorf("cell %d shows a Go panic:\n%s", i+1, out)
		}
		if c.want == "" {
			if failed {
				t.Errorf("cell %d failed:\n%s", i+1, out)
			}
			continue
		}
		if !failed || !strings.Contains(out, c.want) {
			t.Errorf("cell %d: want it stopped with %q, got:\n%s", i+1, c.want, out)
		}
	}
	if t.Failed() {
		t.Logf("run log:\n%s", log)
	}
}
