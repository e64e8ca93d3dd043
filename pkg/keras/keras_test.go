package keras

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mnistlesson/pkg/mnist"
	"mnistlesson/pkg/ndarray"
)

// lessonModel is the lesson's 784-64-32-10 perceptron.
func lessonModel(dir string) *Model {
	return Sequential(
		Dense(64).InputDim(784).Activation("relu"),
		Dense(32).Activation("relu"),
		Dense(10).Activation("softmax"),
	).Compile("categorical_crossentropy", "adam", "accuracy").SaveDir(dir).Seed(7)
}

// mnistCache is a fresh MNIST cache for the package's tests, removed when they end.
var mnistCache string

func TestMain(m *testing.M) {
	// scripts/test sets LESSON_EPOCHS=1 for the notebook; these tests ask for their own epochs.
	os.Unsetenv(EnvEpochs)
	var err error
	if mnistCache, err = os.MkdirTemp("", "keras-test-mnist-"); err != nil {
		panic(err)
	}
	code := m.Run()
	_ = os.RemoveAll(mnistCache)
	os.Exit(code)
}

// mnistData loads MNIST once for all the package's tests.
var mnistData = sync.OnceValues(func() ([]*ndarray.Array, error) {
	l := mnist.NewLoader()
	l.CacheDir = mnistCache
	l.MirrorURL = ""
	xTrain, yTrain, xTest, yTest, err := l.LoadData()
	return []*ndarray.Array{xTrain, yTrain, xTest, yTest}, err
})

// mnistSubset returns the first n training and m test examples, preprocessed as in the lesson.
func mnistSubset(t *testing.T, n, m int) (x, y, xTest, yTest *ndarray.Array) {
	t.Helper()
	data, err := mnistData()
	if err != nil {
		t.Fatal(err)
	}
	cut := func(images, labels *ndarray.Array, k int) (*ndarray.Array, *ndarray.Array) {
		images, err := images.Slice(0, k)
		if err == nil {
			images, err = images.Reshape(k, 784)
		}
		if err == nil {
			images, err = images.Normalize()
		}
		if err == nil {
			labels, err = labels.Slice(0, k)
		}
		if err == nil {
			labels, err = labels.OneHot(10)
		}
		if err != nil {
			t.Fatal(err)
		}
		return images, labels
	}
	x, y = cut(data[0], data[1], n)
	xTest, yTest = cut(data[2], data[3], m)
	return
}

func TestSummaryCountsLessonParameters(t *testing.T) {
	m := lessonModel(t.TempDir())
	if got := m.CountParams(); got != 52650 {
		t.Errorf("CountParams = %d, want 52650", got)
	}
	s, err := m.Summary()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dense (Dense)", "(None, 64)", "50,240", "dense_1 (Dense)", "2,080", "dense_2 (Dense)", "330", "Total params: 52,650"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
}

func TestFitLearnsAndSavedModelPredictsTheSame(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "model")
	x, y, xTest, yTest := mnistSubset(t, 6000, 1000)
	m := lessonModel(dir)
	var log bytes.Buffer
	hist, err := m.Fit(x, y).Epochs(3).BatchSize(32).Output(&log).Done()
	if err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + log.String())
	if hist.Completed() != 3 || strings.Count(log.String(), "Epoch ") != 3 || !strings.Contains(log.String(), "Epoch 3/3 - 188/188 - loss: ") {
		t.Errorf("expected 3 Keras-style epoch lines, got:\n%s", log.String())
	}
	if !(hist.Loss[2] < hist.Loss[0]*0.6) {
		t.Errorf("loss did not fall: %v", hist.Loss)
	}
	if hist.Accuracy[2] < 0.9 {
		t.Errorf("training accuracy %v, want ≥ 0.9 (chance is 0.1)", hist.Accuracy)
	}
	loss, acc, err := m.Evaluate(xTest, yTest)
	if err != nil {
		t.Fatal(err)
	}
	if acc < 0.85 || math.IsNaN(loss) || loss > 0.6 {
		t.Errorf("Evaluate = loss %.4f, accuracy %.4f; want accuracy ≥ 0.85", loss, acc)
	}
	before, err := m.Predict(xTest)
	if err != nil {
		t.Fatal(err)
	}

	// A new Model, as in the next notebook cell, loads what Fit saved.
	again := lessonModel(dir)
	after, err := again.Predict(xTest)
	if err != nil {
		t.Fatal(err)
	}
	p0, p1 := before.Float32(), after.Float32()
	for i := range p0 {
		if p0[i] != p1[i] {
			t.Fatalf("prediction %d differs after reload: %v vs %v", i, p0[i], p1[i])
		}
	}
	loss2, acc2, err := again.Evaluate(xTest, yTest)
	if err != nil || loss2 != loss || acc2 != acc {
		t.Errorf("reloaded Evaluate = %v %v %v, want %v %v", loss2, acc2, err, loss, acc)
	}
	saved, err := again.History()
	if err != nil || saved.Completed() != 3 || saved.Loss[2] != hist.Loss[2] {
		t.Errorf("saved History = %+v, %v", saved, err)
	}
}

func TestEvaluateBeforeFitSaysTrainFirst(t *testing.T) {
	m := lessonModel(filepath.Join(t.TempDir(), "none"))
	x, y, _, _ := mnistSubset(t, 10, 10)
	_, _, err := m.Evaluate(x, y)
	if err == nil || !strings.Contains(err.Error(), "train the model first") {
		t.Errorf("err = %v, want 'train the model first'", err)
	}
}

func TestLessonEpochsOverridesAndSaysSo(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 64, 1)
	for _, c := range []struct {
		env       string
		completed int
		line      string
	}{
		{"1", 1, "LESSON_EPOCHS=1 is set: training 1 epoch(s) instead of the 3 asked for."},
		{"zero", 3, `LESSON_EPOCHS="zero" is not a positive number; training the 3 epochs asked for.`},
	} {
		t.Setenv(EnvEpochs, c.env)
		var log bytes.Buffer
		hist, err := lessonModel(filepath.Join(t.TempDir(), "m")).Fit(x, y).Epochs(3).Output(&log).Done()
		if err != nil || hist.Completed() != c.completed || hist.Epochs != c.completed ||
			!strings.HasPrefix(log.String(), c.line+"\n") {
			t.Errorf("LESSON_EPOCHS=%s: %v, %+v; log %q", c.env, err, hist, log.String())
		}
	}
}
