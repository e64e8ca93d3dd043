package keras

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"os/signal"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"
	"github.com/pkg/errors"

	"mnistlesson/pkg/ndarray"
)

// StepsPerCall is how many training steps one compiled call runs, on backends that run them in
// a graph While loop (XLA). Each step is the usual one (one batch, one Adam update), but running
// many per call, with the data already on the device, pays the per-call overhead (dispatch,
// reading the loss back) once per chunk instead of once per step: for this small model that
// overhead was most of the time. 125 steps give 15 calls (and progress updates) per MNIST epoch.
// Measured on 2 cores, XLA CPU, ms per step in one session: 1 step per call 0.96, 5 unrolled
// steps 0.55–0.61, 125 steps in a loop 0.32–0.37 (375 and 1875 steps: no faster).
var StepsPerCall = 125

// UnrolledStepsPerCall is StepsPerCall where the steps are unrolled in the graph instead (the
// Go backend): the graph grows with each step, so longer chunks compile slowly and run slower
// (Go backend with simd: 5 steps 0.57 ms per step, 25 steps 0.82).
var UnrolledStepsPerCall = 5

// loopsInGraph says whether training runs its steps in a graph While loop. Only on XLA: the Go
// backend in compute v0.1.14 has While, but running this loop panics ("send on closed channel").
func loopsInGraph(b compute.Backend) bool { return b.Name() == "xla" }

// FitConfig configures a training run; create it with Model.Fit and run it with Done.
type FitConfig struct {
	m         *Model
	x, y      *ndarray.Array
	epochs    int
	batchSize int
	out       io.Writer
	callbacks []Callback
}

// Fit prepares to train the model on x [N, InputDim] float32 and one-hot y [N, OutputDim]
// float32, like model.fit in Keras. Defaults are Keras': 1 epoch, batch size 32. Call Done to
// train.
func (m *Model) Fit(x, y *ndarray.Array) *FitConfig {
	return &FitConfig{m: m, x: x, y: y, epochs: 1, batchSize: 32, out: os.Stdout}
}

// Epochs sets how many times training goes over the whole dataset.
func (c *FitConfig) Epochs(n int) *FitConfig { c.epochs = n; return c }

// BatchSize sets how many examples each training step uses.
func (c *FitConfig) BatchSize(n int) *FitConfig { c.batchSize = n; return c }

// Output sets where the per-epoch log goes (default os.Stdout); nil silences it.
func (c *FitConfig) Output(w io.Writer) *FitConfig { c.out = w; return c }

// Done trains the model, printing one line per epoch as Keras does, e.g.
//
//	Epoch 3/100 - 1875/1875 - loss: 0.0712 - accuracy: 0.9781 - 1.4s (0.75 ms/step)
//
// Each epoch visits the examples in a new random order (from the model's seed) in batches of
// BatchSize; the last batch is smaller when N is not a multiple of it, as in Keras. Training
// starts from fresh weights, and after every epoch the weights and the History are saved in the
// model's SaveDir, so later cells (and an interrupted run) find the last completed epoch. An
// earlier model found there is first moved to SaveDir + ".previous".
func (c *FitConfig) Done() (*History, error) {
	m := c.m
	if err := m.ready(); err != nil {
		return nil, err
	}
	if c.epochs <= 0 {
		return nil, fmt.Errorf("keras: epochs is %d; it must be at least 1", c.epochs)
	}
	if c.batchSize <= 0 {
		return nil, fmt.Errorf("keras: batch size is %d; it must be at least 1, e.g. 32", c.batchSize)
	}
	out := c.out
	if out == nil {
		out = io.Discard
	}
	if err := m.checkInputs(c.x, c.y); err != nil {
		return nil, err
	}
	if err := checkValues(c.x, c.y, out); err != nil {
		return nil, err
	}

	store, err := m.newStore()
	if err != nil {
		return nil, err
	}
	saver, err := m.newSaver(store, out)
	if err != nil {
		return nil, err
	}
	defer saver.unlock()
	opt := newOptimizer()
	if err := m.declareVariables(store, opt); err != nil {
		return nil, err
	}
	exec, err := model.NewExec(m.backend, store, func(scope *model.Scope, x, y, batches *Node) (lossSum, accSum *Node) {
		return m.trainStepsGraph(scope, opt, x, y, batches)
	})
	if err != nil {
		return nil, errors.WithMessage(err, "keras: building the training graph")
	}
	m.store = store
	// The whole training set goes to the device once; each step gathers its batch there.
	x, err := inputTensor(m.backend, c.x)
	if err != nil {
		return nil, errors.WithMessage(err, "keras: sending the training images to the backend")
	}
	y, err := inputTensor(m.backend, c.y)
	if err != nil {
		return nil, errors.WithMessage(err, "keras: sending the training labels to the backend")
	}

	n := c.x.Len()
	stepsPerEpoch := (n + c.batchSize - 1) / c.batchSize
	stepsPerCall, inLoop := StepsPerCall, loopsInGraph(m.backend)
	if !inLoop {
		stepsPerCall = UnrolledStepsPerCall
	}
	hist := &History{Epochs: c.epochs, BatchSize: c.batchSize, Backend: m.backend.Name(),
		StepsPerCall: stepsPerCall, StepsInLoop: inLoop}
	defer func() {
		for _, cb := range c.callbacks {
			cb.OnTrainEnd(hist)
		}
	}()
	// Interrupting the kernel sends SIGINT to this process (GoNB kills it 5 s later): stop after
	// the current chunk of steps, keeping the last completed epoch.
	interrupted := make(chan os.Signal, 1)
	signal.Notify(interrupted, os.Interrupt)
	defer signal.Stop(interrupted)
	// Shuffled on the host, from the seed: the same order on every backend.
	rng := rand.New(rand.NewSource(m.seed + 1))
	for epoch := 1; epoch <= c.epochs; epoch++ {
		for _, cb := range c.callbacks {
			cb.OnEpochBegin(epoch, c.epochs, stepsPerEpoch)
		}
		start := time.Now()
		var lossSum, accSum float64
		steps := 0
		for _, chunk := range epochChunks(rng.Perm(n), c.batchSize, stepsPerCall) {
			results, err := exec.Call(x, y, chunk)
			if err != nil {
				return hist, errors.WithMessagef(err, "keras: training failed in epoch %d", epoch)
			}
			first := steps + 1
			steps += chunk.Shape().Dimensions[0]
			chunkLoss := scalar(results[0])
			if math.IsNaN(chunkLoss) || math.IsInf(chunkLoss, 0) {
				return m.stop(hist, saver, fmt.Sprintf("the loss became %v in epoch %d (steps %d–%d): training diverged, "+
					"or the data holds NaN or infinite values", chunkLoss, epoch, first, steps))
			}
			select {
			case <-interrupted:
				return m.stop(hist, saver, fmt.Sprintf("interrupted during epoch %d", epoch))
			default:
			}
			lossSum += chunkLoss
			accSum += scalar(results[1])
			for _, cb := range c.callbacks {
				cb.OnBatchEnd(steps, stepsPerEpoch, lossSum/float64(steps), accSum/float64(steps))
			}
		}
		elapsed := time.Since(start)
		hist.Loss = append(hist.Loss, lossSum/float64(steps))
		hist.Accuracy = append(hist.Accuracy, accSum/float64(steps))
		hist.EpochSeconds = append(hist.EpochSeconds, elapsed.Seconds())
		fmt.Fprintf(out, "Epoch %d/%d - %d/%d - loss: %.4f - accuracy: %.4f - %.1fs (%.2f ms/step)\n",
			epoch, c.epochs, steps, stepsPerEpoch, hist.Loss[epoch-1], hist.Accuracy[epoch-1],
			elapsed.Seconds(), float64(elapsed.Microseconds())/1000/float64(steps))
		if err := saver.save(hist); err != nil {
			return hist, err
		}
		for _, cb := range c.callbacks {
			cb.OnEpochEnd(epoch, hist)
		}
	}
	return hist, nil
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
func (m *Model) stop(h *History, s *saver, reason string) (*History, error) {
	m.store = nil
	h.Stopped = reason
	if h.Completed() > 0 {
		if err := h.save(s.dir); err != nil {
			return h, err
		}
	}
	return h, &StoppedError{Reason: reason, Completed: h.Completed(), Epochs: h.Epochs, SaveDir: s.dir}
}

// trainStepsGraph runs one training step per row of batches, in order, each a normal step:
// forward pass, categorical cross-entropy, Adam update of the weights (Adam's step counter and
// moments included). x: [N, InputDim] (float32, or uint8 bytes: see modelInput) and y:
// [N, OutputDim], the whole training set, stay on the device; batches: [steps, batchSize] int32
// indices into them. Returns the sums over the steps of
// the batch losses and batch accuracies.
//
// On XLA the steps run in a While loop, so the graph is one step long whatever the number of
// steps (and compiles as fast); elsewhere they are unrolled.
func (m *Model) trainStepsGraph(scope *model.Scope, opt optimizer.Interface, x, y, batches *Node) (lossSum, accSum *Node) {
	g := x.Graph()
	scope.Store().SetTraining(g, true)
	steps := batches.Shape().Dimensions[0]
	if !loopsInGraph(g.Backend()) {
		lossSum, accSum = Const(g, float32(0)), Const(g, float32(0))
		for step := range steps {
			loss, acc := m.trainStepGraph(scope, opt, x, y, batches, Const(g, int32(step)))
			lossSum, accSum = Add(lossSum, loss), Add(accSum, acc)
		}
		return lossSum, accSum
	}

	// The loop's state is everything its body reads: XLA's closures cannot read values of the
	// enclosing graph. The model's variables exist already (declareVariables), so their current
	// values are parameters of this graph.
	const counter, lossAt, accAt, stepsAt, xAt, yAt, batchesAt, varsAt = 0, 1, 2, 3, 4, 5, 6, 7
	var vars []*model.Variable
	for v := range scope.Store().IterVariables() {
		vars = append(vars, v)
	}
	initial := []*Node{Const(g, int32(0)), Const(g, float32(0)), Const(g, float32(0)), Const(g, int32(steps)), x, y, batches}
	for _, v := range vars {
		initial = append(initial, v.NodeValue(g))
	}
	stateParameters := func(g *Graph) []*Node {
		state := make([]*Node, len(initial))
		for i, node := range initial {
			state[i] = Parameter(g, fmt.Sprintf("state_%d", i), node.Shape())
		}
		return state
	}
	// Built before the main graph makes any cached scalar constant (GoMLX caches them per graph,
	// not per function); the loop's bound is in its state for the same reason.
	body := NewClosure(g, func(g *Graph) []*Node {
		state := stateParameters(g)
		for i, v := range vars {
			v.SetNodeValue(state[varsAt+i]) // The step reads (and updates) the loop's copy.
		}
		loss, acc := m.trainStepGraph(scope, opt, state[xAt], state[yAt], state[batchesAt], state[counter])
		next := append([]*Node{}, state...)
		next[counter] = AddScalar(state[counter], 1)
		next[lossAt], next[accAt] = Add(state[lossAt], loss), Add(state[accAt], acc)
		for i, v := range vars {
			next[varsAt+i] = v.NodeValue(g)
		}
		return next
	})
	cond := NewClosure(g, func(g *Graph) []*Node {
		state := stateParameters(g)
		return []*Node{LessThan(state[counter], state[stepsAt])}
	})
	final := While(cond, body, initial...)
	for i, v := range vars {
		v.SetNodeValue(final[varsAt+i]) // Exec returns these as the variables' new values.
	}
	return final[lossAt], final[accAt]
}

// declareVariables creates every variable a training step uses, the optimizer's included (Adam
// makes its moments on its first update), by building one step in a graph that is never run.
// The training graph's While loop must know them all before it is built.
func (m *Model) declareVariables(store *model.Store, opt optimizer.Interface) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("keras: declaring the model's variables: %v", r)
		}
	}()
	g := NewGraph(m.backend, "declare_variables")
	defer g.Finalize()
	model.SetStore(g, store)
	scope := store.RootScope()
	store.SetTraining(g, true)
	x := Parameter(g, "x", shapes.Make(DType, 1, m.InputDim()))
	y := Parameter(g, "y", shapes.Make(DType, 1, m.OutputDim()))
	m.trainStepGraph(scope, opt, x, y, Parameter(g, "batches", shapes.Make(dtypes.Int32, 1, 1)), Const(g, int32(0)))
	return nil
}

// trainStepGraph is one training step on the batch in row step (a scalar int32 node) of
// batches [steps, batchSize]: it updates the weights and returns the batch's loss and accuracy.
func (m *Model) trainStepGraph(scope *model.Scope, opt optimizer.Interface, x, y, batches, step *Node) (loss, acc *Node) {
	batchSize := batches.Shape().Dimensions[1]
	row := Reshape(Gather(batches, Reshape(step, 1, 1)), batchSize, 1) // Row step of batches.
	xb := Gather(x, row)                                               // [batchSize, InputDim]
	yb := Gather(y, row)                                               // [batchSize, OutputDim]
	logits := m.logits(scope.ResetVisited(), xb)                       // The same layers (weights) at every step.
	loss = m.categoricalCrossEntropy([]*Node{yb}, []*Node{logits})
	// The update reads the weights the previous step left (Variable.NodeValue).
	opt.UpdateGraph(scope, x.Graph(), loss)
	return loss, accuracyGraph(scope, []*Node{yb}, []*Node{logits})
}

// epochChunks cuts one epoch's order of examples into batches of batchSize (the last one
// smaller if needed) and groups the batches into chunks of at most stepsPerCall, as int32
// tensors [steps, batchSize]. Chunks of one shape share one compiled graph, so an epoch compiles
// at most three: the full chunks, the remaining full batches, the last partial batch.
func epochChunks(order []int, batchSize, stepsPerCall int) []*tensors.Tensor {
	var chunks []*tensors.Tensor
	add := func(examples []int, steps, size int) {
		idx := make([]int32, len(examples))
		for i, v := range examples {
			idx[i] = int32(v)
		}
		chunks = append(chunks, tensors.FromFlatDataAndDimensions(idx, steps, size))
	}
	full := len(order) / batchSize
	for first := 0; first < full; first += stepsPerCall {
		steps := min(stepsPerCall, full-first)
		add(order[first*batchSize:(first+steps)*batchSize], steps, batchSize)
	}
	if rest := order[full*batchSize:]; len(rest) > 0 {
		add(rest, 1, len(rest))
	}
	return chunks
}

// scalar reads a scalar tensor as float64.
func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		return 0
	}
}
