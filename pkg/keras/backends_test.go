package keras

import (
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/backend"
)

// TestSameTrainingOnXLAAndGoBackends trains the lesson's model twice from the same seed (same
// initial weights, same data order), once on XLA CPU and once on the Go backend, and checks that
// the per-epoch losses agree within lossTolerance. Float32 sums are ordered differently by the
// two backends, so bit equality is not expected.
func TestSameTrainingOnXLAAndGoBackends(t *testing.T) {
	const lossTolerance = 1e-5 // Relative; measured differences are about 1e-8.
	if dir := os.Getenv("PJRT_PLUGIN_LIBRARY_PATH"); dir == "" {
		t.Skip("SKIP: PJRT_PLUGIN_LIBRARY_PATH is not set, so there is no XLA CPU plugin to compare with; scripts/test sets it")
	}
	var losses [2][]float64
	for i, name := range []string{"xla:cpu", "go"} {
		x, y, _, _ := mnistSubset(t, 3200, 10)
		b, err := backend.Choose(name, nil)
		if err != nil {
			t.Fatalf("backend %s: %v", name, err)
		}
		m := lessonModel(filepath.Join(t.TempDir(), name)).WithBackend(b)
		hist, err := m.Fit(x, y).Epochs(2).BatchSize(32).Output(io.Discard).Done()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		losses[i] = hist.Loss
		if want := map[string]int{"xla:cpu": DefaultStepsPerCall, "go": DefaultUnrolledStepsPerCall}[name]; hist.StepsPerCall != want {
			t.Errorf("%s: History.StepsPerCall is %d, want %d", name, hist.StepsPerCall, want)
		}
		if want := name == "xla:cpu"; hist.StepsInLoop != want {
			t.Errorf("%s: History.StepsInLoop is %v, want %v", name, hist.StepsInLoop, want)
		}
		t.Logf("%-8s losses %v, %.3f ms/step in epoch 2", name, hist.Loss, hist.EpochSeconds[1]*1000/100)
	}
	for e := range losses[0] {
		xla, goLoss := losses[0][e], losses[1][e]
		if rel := math.Abs(xla-goLoss) / goLoss; rel > lossTolerance {
			t.Errorf("epoch %d: XLA loss %.6f vs Go loss %.6f differ by %.2g (relative), more than %g",
				e+1, xla, goLoss, rel, lossTolerance)
		}
	}
}

// TestStepsPerCallDoesNotChangeTraining trains from the same seed with different numbers of steps
// per compiled call (one step; 7, which leaves a shorter last chunk; a whole epoch of 100 steps
// in one call), on each backend there is, for the kind of call that backend makes (a While loop
// on XLA, unrolled steps on the Go backend), and checks that the losses are the same: chunking
// is only a matter of speed. History.StepsPerCall shows that each setting was used.
func TestStepsPerCallDoesNotChangeTraining(t *testing.T) {
	const lossTolerance = 1e-5 // Relative; measured about 3e-7: only the float32 sums of the losses are grouped differently.
	names := []string{"go"}
	if os.Getenv("PJRT_PLUGIN_LIBRARY_PATH") != "" {
		names = append(names, "xla:cpu")
	} else {
		t.Log("SKIP for XLA only: PJRT_PLUGIN_LIBRARY_PATH is not set (scripts/test sets it); the Go backend is tested")
	}
	x, y, _, _ := mnistSubset(t, 3200, 10)
	for _, name := range names {
		b, err := backend.Choose(name, nil)
		if err != nil {
			t.Fatalf("backend %s: %v", name, err)
		}
		var first []float64
		for _, steps := range []int{1, 7, 100} {
			m := lessonModel(filepath.Join(t.TempDir(), "m")).WithBackend(b)
			// The setting for this backend's kind of call; the other is left at its default.
			hist, err := m.Fit(x, y).Epochs(2).BatchSize(32).StepsPerCall(steps).UnrolledStepsPerCall(steps).
				Output(io.Discard).Done()
			if err != nil {
				t.Fatalf("%s, %d steps per call: %v", name, steps, err)
			}
			if hist.StepsPerCall != steps {
				t.Errorf("%s: History.StepsPerCall is %d, want %d", name, hist.StepsPerCall, steps)
			}
			t.Logf("%s, %3d steps per call: losses %v", name, steps, hist.Loss)
			if first == nil {
				first = hist.Loss
				continue
			}
			for e := range first {
				if rel := math.Abs(hist.Loss[e]-first[e]) / first[e]; rel > lossTolerance {
					t.Errorf("%s, %d steps per call: epoch %d loss %.7f, but %.7f with 1 step per call",
						name, steps, e+1, hist.Loss[e], first[e])
				}
			}
		}
	}
}

// TestEpochChunksKeepOrderAndShapes checks how an epoch's order is cut: full chunks of
// stepsPerCall batches, the remaining full batches, then the last partial batch, with every
// example once and in order.
func TestEpochChunksKeepOrderAndShapes(t *testing.T) {
	order := make([]int, 75)
	for i := range order {
		order[i] = 74 - i
	}
	chunks := epochChunks(order, 10, 3)
	wantShapes := [][]int{{3, 10}, {3, 10}, {1, 10}, {1, 5}}
	if len(chunks) != len(wantShapes) {
		t.Fatalf("%d chunks, want %d", len(chunks), len(wantShapes))
	}
	var got []int
	for i, c := range chunks {
		if dims := c.Shape().Dimensions; !slices.Equal(dims, wantShapes[i]) {
			t.Errorf("chunk %d has shape %v, want %v", i, dims, wantShapes[i])
		}
		for _, v := range tensors.MustCopyFlatData[int32](c) {
			got = append(got, int(v))
		}
	}
	if !slices.Equal(got, order) {
		t.Errorf("chunks hold %v, want the order %v", got, order)
	}
}
