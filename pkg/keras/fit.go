package keras

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"strconv"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/keras/callbacks"
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
	callbacks            []callbacks.Callback
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

// Epochs sets how many times training goes over the whole dataset (Keras' epochs=). The
// environment variable LESSON_EPOCHS, when it holds a positive number, overrides it, so that
// tests and demos can shorten a notebook's training without editing it; Done then says so.
func (c *FitConfig) Epochs(n int) *FitConfig { c.epochs = n; return c }

// EnvEpochs names the environment variable that overrides the number of epochs (see Epochs).
const EnvEpochs = "LESSON_EPOCHS"

// epochsFromEnv returns the epochs to train: c.epochs, or LESSON_EPOCHS when that holds a
// positive number. Either way, when LESSON_EPOCHS is set it writes to w the line that says which.
func (c *FitConfig) epochsFromEnv(w io.Writer) int {
	v := os.Getenv(EnvEpochs)
	if v == "" {
		return c.epochs
	}
	e, err := strconv.Atoi(v)
	if err != nil || e <= 0 {
		fmt.Fprintf(w, "%s=%q is not a positive number; training the %d epochs asked for.\n", EnvEpochs, v, c.epochs)
		return c.epochs
	}
	fmt.Fprintf(w, "%s=%d is set: training %d epoch(s) instead of the %d asked for.\n", EnvEpochs, e, e, c.epochs)
	return e
}

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

// Callbacks adds observers of the training run, after Fit's own (see Done).
func (c *FitConfig) Callbacks(cbs ...callbacks.Callback) *FitConfig {
	c.callbacks = append(c.callbacks, cbs...)
	return c
}

// Done trains the model. Each epoch visits the examples in a new random order (from the model's
// seed) in batches of BatchSize; the last batch is smaller when N is not a multiple of it, as in
// Keras. Training starts from fresh weights.
//
// Training is observed by callbacks, as in Keras. Fit's own run first, in this order:
// callbacks.History (returned), TerminateOnNaN, StopOnInterrupt, ProgbarLogger (one line per epoch
// to Output) and ModelCheckpoint, which saves the weights and the History in the model's SaveDir
// after every epoch, so that later cells (and an interrupted run) find the last completed epoch;
// an earlier model found there is first moved to SaveDir + ".previous"; on a class hub,
// RemoteMonitor. Then those given to Callbacks.
//
// Any callback may stop training (callbacks.Run.Stop): interrupting the kernel (SIGINT) or a loss
// that becomes NaN or infinite does, after the current chunk of steps. Done then returns a
// *StoppedError; the last completed epoch stays saved.
func (c *FitConfig) Done() (*callbacks.History, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	out := c.out
	if out == nil {
		out = io.Discard
	}
	epochs := c.epochsFromEnv(out)
	if err := checkValues(c.x, c.y, out); err != nil {
		return nil, err
	}
	m := c.m
	// The folder first: a second kernel training into it is told so before anything is built.
	checkpoint, err := m.newModelCheckpoint(out)
	if err != nil {
		return nil, err
	}
	defer checkpoint.unlock()
	t, err := m.newTrainer(c)
	if err != nil {
		return nil, err
	}
	if err := checkpoint.watch(t.store); err != nil {
		return nil, err
	}
	m.store = t.store

	n := c.x.Len()
	hist := &callbacks.History{Backend: m.backend.Name(), StepsPerCall: t.stepsPerCall, StepsInLoop: t.inLoop}
	run := &callbacks.Run{Epochs: epochs, Steps: (n + c.batchSize - 1) / c.batchSize, BatchSize: c.batchSize, History: hist}
	observers := []callbacks.Callback{hist, callbacks.TerminateOnNaN{}, &callbacks.StopOnInterrupt{},
		callbacks.ProgbarLogger{W: out}, checkpoint}
	if board := classboard.FromEnv(); board != nil { // On a class hub: the teacher's board sees the run live.
		observers = append(observers, &RemoteMonitor{Client: board})
	}
	observers = append(observers, c.callbacks...)
	err = m.train(t, run, observers, rand.New(rand.NewSource(m.seed+1)))
	return hist, err
}

// train runs the epochs, calling each observer's methods (see callbacks.Callback), and ends the
// run the way Done documents. rng orders the examples: shuffled on the host, from the seed, the
// same order on every backend.
func (m *Model) train(t *trainer, run *callbacks.Run, observers []callbacks.Callback, rng *rand.Rand) (err error) {
	began := 0 // Observers whose OnTrainBegin ran: only they get OnTrainEnd.
	defer func() {
		if err == nil && run.StopReason() != "" {
			m.store = nil // The weights in memory may be half an epoch further, or NaN: later calls load the saved ones.
			err = &StoppedError{Reason: run.StopReason(), Completed: run.History.Completed(), Epochs: run.Epochs,
				SaveDir: m.saveDir}
		}
		run.Err = err
		for _, o := range observers[:began] {
			if e, ok := o.(callbacks.TrainEnder); ok {
				if endErr := e.OnTrainEnd(run); endErr != nil && err == nil {
					err = endErr
				}
			}
		}
	}()
	for _, o := range observers {
		if b, ok := o.(callbacks.TrainBeginner); ok {
			if err := b.OnTrainBegin(run); err != nil {
				return err
			}
		}
		began++
	}
	for epoch := 1; epoch <= run.Epochs; epoch++ {
		for _, o := range observers {
			if b, ok := o.(callbacks.EpochBeginner); ok {
				b.OnEpochBegin(run, epoch)
			}
		}
		result, err := t.runEpoch(epoch, rng.Perm(t.examples), func(c callbacks.Chunk) bool {
			for _, o := range observers {
				if e, ok := o.(callbacks.ChunkEnder); ok {
					e.OnChunkEnd(run, c)
				}
			}
			return run.StopReason() == ""
		})
		if err != nil || run.StopReason() != "" {
			return err
		}
		for _, o := range observers {
			if e, ok := o.(callbacks.EpochEnder); ok {
				if err := e.OnEpochEnd(run, result); err != nil {
					return err
				}
			}
		}
		if run.StopReason() != "" {
			return nil
		}
	}
	return nil
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
	if err := callbacks.Check(c.callbacks); err != nil {
		return err
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
