package keras

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/signal"

	"mnistlesson/pkg/ndarray"
)

// Steps per compiled call: each step is the usual one (one batch, one Adam update), but running
// many per call, with the data already on the device, pays the per-call overhead (dispatch,
// reading the loss back) once per chunk instead of once per step: for this small model that
// overhead was most of the time.
const (
	// DefaultStepsPerCall is for backends that run the steps in a graph While loop (XLA). 125 steps
	// give 15 calls (and progress updates) per MNIST epoch. Measured on 2 cores, XLA CPU, ms per
	// step in one session: 1 step per call 0.96, 5 unrolled steps 0.55–0.61, 125 steps in a loop
	// 0.32–0.37 (375 and 1875 steps: no faster).
	DefaultStepsPerCall = 125
	// DefaultUnrolledStepsPerCall is for backends where the steps are unrolled in the graph (the Go
	// backend): the graph grows with each step, so longer chunks compile slowly and run slower
	// (Go backend with simd: 5 steps 0.57 ms per step, 25 steps 0.82).
	DefaultUnrolledStepsPerCall = 5
)

// FitConfig configures a training run; create it with Model.Fit and run it with Done.
type FitConfig struct {
	m                    *Model
	x, y                 *ndarray.Array
	epochs, batchSize    int
	out                  io.Writer
	callbacks            []Callback
	stepsPerCall         int
	unrolledStepsPerCall int
}

// Fit prepares to train the model on x [N, InputDim] float32 and one-hot y [N, OutputDim]
// float32, like model.fit in Keras. Defaults are Keras': 1 epoch, batch size 32. Call Done to
// train.
func (m *Model) Fit(x, y *ndarray.Array) *FitConfig {
	return &FitConfig{m: m, x: x, y: y, epochs: 1, batchSize: 32, out: os.Stdout,
		stepsPerCall: DefaultStepsPerCall, unrolledStepsPerCall: DefaultUnrolledStepsPerCall}
}

// Epochs sets how many times training goes over the whole dataset.
func (c *FitConfig) Epochs(n int) *FitConfig { c.epochs = n; return c }

// BatchSize sets how many examples each training step uses.
func (c *FitConfig) BatchSize(n int) *FitConfig { c.batchSize = n; return c }

// Output sets where the per-epoch log goes (default os.Stdout); nil silences it.
func (c *FitConfig) Output(w io.Writer) *FitConfig { c.out = w; return c }

// StepsPerCall sets how many steps one compiled call runs on backends that loop in the graph
// (default DefaultStepsPerCall). It changes the speed, not the result.
func (c *FitConfig) StepsPerCall(n int) *FitConfig { c.stepsPerCall = n; return c }

// UnrolledStepsPerCall sets how many steps one compiled call runs on backends where they are
// unrolled (default DefaultUnrolledStepsPerCall).
func (c *FitConfig) UnrolledStepsPerCall(n int) *FitConfig { c.unrolledStepsPerCall = n; return c }

// Done trains the model; ProgbarLogger prints one line per epoch as Keras does. Each epoch visits
// the examples in a new random order (from the model's seed) in batches of BatchSize; the last
// batch is smaller when N is not a multiple of it, as in Keras. Training starts from fresh
// weights, and after every epoch ModelCheckpoint saves the weights and the History in the
// model's SaveDir, so later cells (and an interrupted run) find the last completed epoch. An
// earlier model found there is first moved to SaveDir + ".previous".
//
// Interrupting the kernel (SIGINT) or a loss that becomes NaN or infinite stops training after
// the current chunk of steps, with a *StoppedError; the last completed epoch stays saved.
func (c *FitConfig) Done() (*History, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	out := c.out
	if out == nil {
		out = io.Discard
	}
	if err := checkValues(c.x, c.y, out); err != nil {
		return nil, err
	}
	m := c.m
	t, err := m.newTrainer(c)
	if err != nil {
		return nil, err
	}
	checkpoint, err := m.newModelCheckpoint(t.store, out)
	if err != nil {
		return nil, err
	}
	defer checkpoint.unlock()
	m.store = t.store

	hist := &History{Epochs: c.epochs, BatchSize: c.batchSize, Backend: m.backend.Name(),
		StepsPerCall: t.stepsPerCall, StepsInLoop: t.inLoop}
	callbacks := append([]Callback{&ProgbarLogger{W: out}, checkpoint}, c.callbacks...)
	for _, cb := range callbacks {
		cb.OnTrainBegin(hist)
	}
	defer func() {
		for _, cb := range callbacks {
			cb.OnTrainEnd(hist)
		}
	}()
	// Interrupting the kernel sends SIGINT to this process (GoNB kills it 5 s later).
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	// Shuffled on the host, from the seed: the same order on every backend.
	rng := rand.New(rand.NewSource(m.seed + 1))
	n := c.x.Len()
	for epoch := 1; epoch <= c.epochs; epoch++ {
		steps := (n + c.batchSize - 1) / c.batchSize
		for _, cb := range callbacks {
			cb.OnEpochBegin(epoch, c.epochs, steps)
		}
		result, err := t.runEpoch(epoch, rng.Perm(n), interrupted, func(step int, loss, acc float64) {
			for _, cb := range callbacks {
				cb.OnBatchEnd(step, steps, loss, acc)
			}
		})
		if err != nil {
			return hist, err
		}
		if result.stopped != "" {
			return m.stop(hist, checkpoint, result.stopped)
		}
		hist.Loss = append(hist.Loss, result.loss)
		hist.Accuracy = append(hist.Accuracy, result.accuracy)
		hist.EpochSeconds = append(hist.EpochSeconds, result.seconds)
		for _, cb := range callbacks {
			if err := cb.OnEpochEnd(epoch, hist); err != nil {
				return hist, err
			}
		}
	}
	return hist, nil
}

// check validates the configuration and the inputs' shapes, and creates the backend.
func (c *FitConfig) check() error {
	if err := c.m.ready(); err != nil {
		return err
	}
	switch {
	case c.epochs <= 0:
		return fmt.Errorf("keras: epochs is %d; it must be at least 1", c.epochs)
	case c.batchSize <= 0:
		return fmt.Errorf("keras: batch size is %d; it must be at least 1, e.g. 32", c.batchSize)
	case c.stepsPerCall <= 0 || c.unrolledStepsPerCall <= 0:
		return fmt.Errorf("keras: steps per call must be at least 1, got %d and %d unrolled", c.stepsPerCall, c.unrolledStepsPerCall)
	}
	return c.m.checkInputs(c.x, c.y)
}

// StoppedError reports a training run that ended before its last epoch.
type StoppedError struct {
	Reason    string // e.g. "interrupted during epoch 7".
	Completed int    // Epochs completed and saved.
	Epochs    int    // Epochs asked for.
	SaveDir   string
}

func (e *StoppedError) Error() string {
	if e.Completed == 0 {
		return fmt.Sprintf("keras: training stopped, %s, before any epoch completed: nothing was saved. "+
			"Run the cell again to train.", e.Reason)
	}
	return fmt.Sprintf("keras: training stopped, %s. The model and History after epoch %d of %d are saved in %s, "+
		"and the next cells use them. Run this cell again to train from the start.",
		e.Reason, e.Completed, e.Epochs, e.SaveDir)
}

// stop ends a run early: the weights of the last completed epoch are already saved; the
// History is saved again with the reason, and the weights in memory, which may be half an
// epoch further (or NaN), are dropped so that later calls use the saved ones.
func (m *Model) stop(h *History, checkpoint *ModelCheckpoint, reason string) (*History, error) {
	m.store = nil
	h.Stopped = reason
	if h.Completed() > 0 {
		if err := h.Save(checkpoint.Dir); err != nil {
			return h, err
		}
	}
	return h, &StoppedError{Reason: reason, Completed: h.Completed(), Epochs: h.Epochs, SaveDir: checkpoint.Dir}
}
