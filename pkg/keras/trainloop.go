package keras

import (
	"fmt"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"mnistlesson/pkg/keras/callbacks"
)

// The training engine: the whole training set on the device, and one compiled call that runs a
// chunk of steps (DefaultStepsPerCall), in a graph While loop on XLA, unrolled elsewhere.

// loopsInGraph says whether training runs its steps in a graph While loop. Only on XLA: the Go
// backend in compute v0.1.14 has While, but running this loop panics ("send on closed channel").
func loopsInGraph(b compute.Backend) bool { return b.Name() == "xla" }

// trainer holds what one training run needs on the device.
type trainer struct {
	store        *model.Store
	exec         *model.Exec
	x, y         *tensors.Tensor // The whole training set, sent once.
	examples     int             // N, the number of training examples.
	batchSize    int
	stepsPerCall int
	inLoop       bool
}

// newTrainer makes fresh weights, builds the training graph and sends the data to the backend.
func (m *Model) newTrainer(c *FitConfig) (*trainer, error) {
	store, err := m.newStore()
	if err != nil {
		return nil, err
	}
	opt := newOptimizer()
	if err := m.declareVariables(store, opt); err != nil {
		return nil, err
	}
	exec, err := model.NewExec(m.backend, store, func(scope *model.Scope, x, y, batches *Node) (lossSum, accSum *Node) {
		return m.trainStepsGraph(scope, opt, x, y, batches)
	})
	if err != nil {
		return nil, fmt.Errorf("keras: building the training graph: %w", err)
	}
	t := &trainer{store: store, exec: exec, examples: c.x.Len(), batchSize: c.batchSize, stepsPerCall: c.stepsPerCall,
		inLoop: loopsInGraph(m.backend)}
	if !t.inLoop {
		t.stepsPerCall = c.unrolledStepsPerCall
	}
	if t.x, err = inputTensor(m.backend, c.x); err != nil {
		return nil, fmt.Errorf("keras: sending the training images to the backend: %w", err)
	}
	if t.y, err = inputTensor(m.backend, c.y); err != nil {
		return nil, fmt.Errorf("keras: sending the training labels to the backend: %w", err)
	}
	return t, nil
}

// runEpoch trains one epoch over the examples in order, a chunk of steps per call, and hands
// each chunk's measures to onChunk; it stops after a chunk when onChunk returns false (training
// was stopped: see callbacks.Run.Stop), and then returns a zero Epoch.
func (t *trainer) runEpoch(epoch int, order []int, onChunk func(callbacks.Chunk) bool) (callbacks.Epoch, error) {
	start := time.Now()
	var lossSum, accSum float64
	steps := 0
	for _, chunk := range epochChunks(order, t.batchSize, t.stepsPerCall) {
		results, err := t.exec.Call(t.x, t.y, chunk)
		if err != nil {
			return callbacks.Epoch{}, fmt.Errorf("keras: training failed in epoch %d: %w", epoch, err)
		}
		first := steps + 1
		n := chunk.Shape().Dimensions[0]
		steps += n
		chunkLoss, err := scalar(results[0])
		if err != nil {
			return callbacks.Epoch{}, err
		}
		chunkAcc, err := scalar(results[1])
		if err != nil {
			return callbacks.Epoch{}, err
		}
		lossSum += chunkLoss
		accSum += chunkAcc
		if !onChunk(callbacks.Chunk{Epoch: epoch, FirstStep: first, Step: steps, Loss: chunkLoss / float64(n),
			MeanLoss: lossSum / float64(steps), MeanAccuracy: accSum / float64(steps)}) {
			return callbacks.Epoch{}, nil
		}
	}
	return callbacks.Epoch{Epoch: epoch, Loss: lossSum / float64(steps), Accuracy: accSum / float64(steps),
		Seconds: time.Since(start).Seconds()}, nil
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
	stateParameters := func(g *Graph) (state []*Node) {
		for i, node := range initial {
			state = append(state, Parameter(g, fmt.Sprintf("state_%d", i), node.Shape()))
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

// scalar reads a scalar float tensor as float64; any other tensor is an error, never a value
// that would pass as a finite loss.
func scalar(t *tensors.Tensor) (float64, error) {
	switch v := t.Value().(type) {
	case float32:
		return float64(v), nil
	case float64:
		return v, nil
	default:
		return 0, fmt.Errorf("keras: expected a float scalar from the graph, got %s", t.Shape())
	}
}
