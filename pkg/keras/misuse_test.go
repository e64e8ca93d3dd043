package keras

import (
	"bytes"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/keras/callbacks"
	"mnistlesson/pkg/ndarray"
)

func TestMisuseIsExplained(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 64, 1)
	xFlat := x.Float32()
	yFlat := y.Float32()
	notOneHot := append([]float32(nil), yFlat...)
	notOneHot[3*10+4] = 0.5
	wide := ndarray.FromFloat32(make([]float32, 64*785), 64, 785)
	cases := []struct {
		name       string
		x, y       *ndarray.Array
		epochs     int
		batch      int
		wantSubstr string
	}{
		{"counts differ", x, ndarray.FromFloat32(yFlat[:630], 63, 10), 1, 32, "x has 64 examples but y has 63"},
		{"wrong width", wide, y, 1, 32, "takes [N, 784]"},
		{"images not flattened", ndarray.FromFloat32(xFlat, 64, 28, 28), y, 1, 32, "flatten the images"},
		{"integer images", ndarray.FromUint8(make([]uint8, 64*784), 64, 784), y, 1, 32, "prep.Normalize"},
		{"labels not one-hot", x, ndarray.FromFloat32(notOneHot, 64, 10), 1, 32, "y row 3 is"},
		{"class indices as labels", x, ndarray.FromUint8(make([]uint8, 64), 64), 1, 32, "prep.ToCategorical"},
		{"zero batch size", x, y, 1, 0, "batch size is 0"},
		{"zero epochs", x, y, 0, 32, "epochs is 0"},
		{"NaN image", ndarray.FromFloat32(append([]float32{float32(math.NaN())}, xFlat[1:]...), 64, 784), y, 1, 32, "must be finite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := lessonModel(filepath.Join(t.TempDir(), "m"))
			_, err := m.Fit(c.x, c.y).Epochs(c.epochs).BatchSize(c.batch).Output(io.Discard).Done()
			if err == nil || !strings.Contains(err.Error(), c.wantSubstr) {
				t.Errorf("err = %v, want one containing %q", err, c.wantSubstr)
			}
		})
	}
}

func TestUnnormalisedImagesWarn(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 64, 1)
	raw := x.Float32()
	for i := range raw {
		raw[i] *= 255
	}
	var log bytes.Buffer
	m := lessonModel(filepath.Join(t.TempDir(), "m"))
	if _, err := m.Fit(ndarray.FromFloat32(raw, 64, 784), y).Output(&log).Done(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "Warning: x has values up to 255") {
		t.Errorf("no warning about values above 1: %q", log.String())
	}
}

func TestDivergingLossStopsTraining(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 320, 1)
	raw := x.Float32()
	for i := 0; i < 784; i++ {
		raw[100*784+i] = 3e38 // Finite, but the logits overflow.
	}
	dir := filepath.Join(t.TempDir(), "m")
	m := lessonModel(dir)
	hist, err := m.Fit(ndarray.FromFloat32(raw, 320, 784), y).Epochs(2).Output(io.Discard).Done()
	var stopped *StoppedError
	if !errors.As(err, &stopped) || !strings.Contains(err.Error(), "the loss became") || !strings.Contains(err.Error(), "epoch 1") {
		t.Fatalf("err = %v, want a StoppedError about the loss in epoch 1", err)
	}
	if hist.Completed() != 0 || !strings.Contains(err.Error(), "nothing was saved") {
		t.Errorf("completed %d epochs; message %q", hist.Completed(), err)
	}
	if _, err := callbacks.LoadHistory(dir); err == nil {
		t.Error("a History was saved for a run that completed no epoch")
	}
}

// interruptAfter sends SIGINT to this process at the end of the given epoch, as GoNB does when
// the kernel is interrupted.
type interruptAfter struct{ epoch int }

func (i interruptAfter) OnEpochEnd(_ *callbacks.Run, e callbacks.Epoch) error {
	if e.Epoch != i.epoch {
		return nil
	}
	self, err := os.FindProcess(os.Getpid())
	if err == nil {
		err = self.Signal(os.Interrupt)
	}
	return err
}

func TestInterruptKeepsTheLastCompletedEpoch(t *testing.T) {
	x, y, xTest, yTest := mnistSubset(t, 3200, 500)
	dir := filepath.Join(t.TempDir(), "m")
	m := lessonModel(dir)
	_, err := m.Fit(x, y).Epochs(5).Output(io.Discard).Callbacks(interruptAfter{epoch: 2}).Done()
	var stopped *StoppedError
	if !errors.As(err, &stopped) || stopped.Completed != 2 || !strings.Contains(err.Error(), "interrupted during epoch 3") {
		t.Fatalf("err = %v, want an interruption in epoch 3 with 2 epochs kept", err)
	}
	// The next cell: a new process loads epoch 2's model and says training stopped early.
	again := lessonModel(dir)
	h, err := again.History()
	if err != nil || h.Completed() != 2 || !strings.Contains(h.Note(), "training stopped at epoch 2 of 5 (interrupted during epoch 3)") {
		t.Fatalf("saved History: %+v, %v", h, err)
	}
	if _, acc, err := again.Evaluate(xTest, yTest); err != nil || acc < 0.8 {
		t.Errorf("Evaluate after the interruption: accuracy %v, %v", acc, err)
	}
	// Running the training cell again starts over, and says so.
	var log bytes.Buffer
	if _, err := lessonModel(dir).Fit(x, y).Epochs(1).Output(&log).Done(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "Training starts over") {
		t.Errorf("rerun log: %q", log.String())
	}
	if h, _ := callbacks.LoadHistory(dir); h == nil || h.Completed() != 1 || h.Note() != "" {
		t.Errorf("after the rerun the History is %+v", h)
	}
}

func TestSameSeedSameResult(t *testing.T) {
	x, y, xTest, _ := mnistSubset(t, 1600, 100)
	var losses [2][]float64
	var preds [2][]float32
	for i := range 2 {
		m := lessonModel(filepath.Join(t.TempDir(), "m"))
		h, err := m.Fit(x, y).Epochs(2).Output(io.Discard).Done()
		if err != nil {
			t.Fatal(err)
		}
		p, err := m.Predict(xTest)
		if err != nil {
			t.Fatal(err)
		}
		losses[i], preds[i] = h.Loss, p.Float32()
	}
	for e := range losses[0] {
		if losses[0][e] != losses[1][e] {
			t.Errorf("epoch %d loss %v vs %v: the same seed must give the same run", e+1, losses[0][e], losses[1][e])
		}
	}
	for i := range preds[0] {
		if preds[0][i] != preds[1][i] {
			t.Fatalf("prediction %d differs: %v vs %v", i, preds[0][i], preds[1][i])
		}
	}
}

// stopAt stops training from OnChunkEnd, as any callback may, once the given step of the given
// epoch is done; it counts the chunks it saw.
type stopAt struct {
	epoch, step int
	chunks      int
}

func (s *stopAt) OnChunkEnd(r *callbacks.Run, c callbacks.Chunk) {
	s.chunks++
	if c.Epoch == s.epoch && c.Step >= s.step {
		r.Stop("stopped by a test callback")
	}
}

func TestAnyCallbackCanStopTraining(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 3200, 10)
	dir := filepath.Join(t.TempDir(), "m")
	stop := &stopAt{epoch: 2, step: 1}
	hist, err := lessonModel(dir).Fit(x, y).Epochs(4).StepsPerCall(25).Output(io.Discard).Callbacks(stop).Done()
	var stopped *StoppedError
	if !errors.As(err, &stopped) || stopped.Completed != 1 || stopped.Reason != "stopped by a test callback" {
		t.Fatalf("err = %v, want a stop after epoch 1", err)
	}
	// 100 steps per epoch in chunks of 25: 4 chunks of epoch 1, then the first of epoch 2.
	if stop.chunks != 5 || hist.Completed() != 1 || hist.Stopped != "stopped by a test callback" {
		t.Errorf("saw %d chunks; History %+v", stop.chunks, hist)
	}
	saved, err := callbacks.LoadHistory(dir)
	if err != nil || saved.Stopped != hist.Stopped || saved.Completed() != 1 {
		t.Errorf("saved History %+v, %v: want the stop and epoch 1", saved, err)
	}
}

func TestACallbackWithNoKnownMethodIsRefused(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 64, 1)
	type oldStyle struct{}
	_, err := lessonModel(filepath.Join(t.TempDir(), "m")).Fit(x, y).Callbacks(oldStyle{}).Done()
	if err == nil || !strings.Contains(err.Error(), "callbacks: callback 1 (keras.oldStyle) has none of the methods") {
		t.Errorf("err = %v", err)
	}
}

func TestScalarRefusesANonFloat(t *testing.T) {
	if _, err := scalar(tensors.FromValue(int32(3))); err == nil {
		t.Error("an int32 tensor read as a loss")
	}
	if v, err := scalar(tensors.FromValue(float32(0.5))); err != nil || v != 0.5 {
		t.Errorf("float32 0.5: %v, %v", v, err)
	}
}
