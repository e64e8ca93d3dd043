package keras

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

func TestEachNotebookHasItsOwnSaveDir(t *testing.T) {
	for notebook, want := range map[string]string{
		"/home/ada/mnist_mlp.ipynb":       "mnist_mlp_model",
		"/home/ada/mnist_mlp-Copy1.ipynb": "mnist_mlp-Copy1_model",
		"lesson 2.ipynb":                  "lesson 2_model",
		"":                                DefaultSaveDir,
		"/home/ada/console":               DefaultSaveDir,
	} {
		t.Setenv("JPY_SESSION_NAME", notebook)
		if got := lessonModel("x").SaveDir(defaultSaveDir()).saveDir; got != want {
			t.Errorf("JPY_SESSION_NAME=%q: save folder %q, want %q", notebook, got, want)
		}
	}
	t.Setenv("JPY_SESSION_NAME", "/home/ada/mnist_mlp-Copy1.ipynb")
	if got := Sequential(Dense(10).InputDim(784)).saveDir; got != "mnist_mlp-Copy1_model" {
		t.Errorf("Sequential's default save folder is %q", got)
	}
}

// TestAModelWithOtherLayersIsRefused trains the lesson's model, then evaluates a model with a
// wider first layer from the same folder: one sentence names both models and the fix.
func TestAModelWithOtherLayersIsRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	x, y, xTest, yTest := mnistSubset(t, 320, 100)
	if _, err := lessonModel(dir).Fit(x, y).Output(io.Discard).Done(); err != nil {
		t.Fatal(err)
	}
	wider := Sequential(
		Dense(128).InputDim(784).Activation("relu"),
		Dense(32).Activation("relu"),
		Dense(10).Activation("softmax"),
	).Compile("categorical_crossentropy", "adam", "accuracy").SaveDir(dir)
	_, _, err := wider.Evaluate(xTest, yTest)
	want := "has layers 784 → 64 (relu) → 32 (relu) → 10 (softmax), but this model has " +
		"784 → 128 (relu) → 32 (relu) → 10 (softmax): run the training cell (model.Fit) to train this one"
	if err == nil || !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "\n") > 0 {
		t.Errorf("err = %v\nwant one line containing %q", err, want)
	}
	if _, err := wider.Predict(xTest); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Predict: err = %v", err)
	}
	if _, _, err := lessonModel(dir).Evaluate(xTest, yTest); err != nil {
		t.Errorf("the model that was trained there still loads: %v", err)
	}
}

func TestTwoRunsCannotTrainIntoOneFolder(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	unlock, err := lockSaveDir(dir) // As another kernel's training would hold it.
	if err != nil {
		t.Fatal(err)
	}
	x, y, _, _ := mnistSubset(t, 64, 1)
	m := lessonModel(dir)
	_, err = m.Fit(x, y).Output(io.Discard).Done()
	if err == nil || !strings.Contains(err.Error(), "another kernel is training into") {
		t.Errorf("err = %v, want 'another kernel is training into'", err)
	}
	if m.store != nil {
		t.Error("the weights were made although the folder is locked: the lock comes first")
	}
	unlock()
	if _, err := lessonModel(dir).Fit(x, y).Output(io.Discard).Done(); err != nil {
		t.Errorf("after the other run ends: %v", err)
	}
}
