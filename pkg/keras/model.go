package keras

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"time"

	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/ml/layers"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/optimizer"

	"mnistlesson/pkg/backend"
	"mnistlesson/pkg/classboard"
)

// DType of the weights and of the inputs the model takes: float32, the only one the lesson uses.
const DType = dtypes.Float32

// Adam defaults, as in Keras.
const (
	AdamLearningRate = 0.001
	AdamBeta1        = 0.9
	AdamBeta2        = 0.999
	AdamEpsilon      = 1e-7
)

// DefaultSaveDir is where a model keeps its weights and History outside a notebook, unless
// SaveDir says otherwise (in a notebook: see defaultSaveDir).
const DefaultSaveDir = "mnist_mlp_model"

// Model is a stack of Dense layers, the counterpart of keras.Sequential.
type Model struct {
	name      string
	layers    []*Layer
	loss      string
	optimizer string
	metrics   []string
	saveDir   string
	seed      int64
	err       error     // First configuration error, reported by Fit, Evaluate, Predict and Summary.
	log       io.Writer // Notes about the model (nil: os.Stderr); see Log.

	backend compute.Backend
	store   *model.Store // Weights; nil until built by Fit or loaded from saveDir.
	init    model.VariableInitializer
}

// Sequential stacks layers in order, like keras.Sequential. The first layer must declare its
// input width with InputDim.
func Sequential(layerList ...*Layer) *Model {
	m := &Model{name: "sequential", layers: layerList, saveDir: defaultSaveDir(), seed: time.Now().UnixNano()}
	for i, l := range layerList {
		if l.name == "" {
			l.name = "dense"
			if i > 0 {
				l.name = fmt.Sprintf("dense_%d", i)
			}
		}
		if err := l.validate(i); err != nil && m.err == nil {
			m.err = err
		}
	}
	if len(layerList) == 0 {
		m.err = fmt.Errorf("keras: Sequential needs at least one layer, e.g. keras.Dense(10).InputDim(784)")
	} else if layerList[0].inputDim <= 0 && m.err == nil {
		m.err = fmt.Errorf("keras: the first layer needs its input width, e.g. keras.Dense(64).InputDim(784)")
	}
	return m
}

// Compile sets the loss, the optimizer and the metrics, like model.compile in Keras. The lesson's
// choices are the supported ones: loss "categorical_crossentropy", optimizer "adam" (Keras'
// defaults: learning rate 0.001, β1 0.9, β2 0.999, ε 1e-7) and metric "accuracy".
func (m *Model) Compile(loss, opt string, metrics ...string) *Model {
	m.loss, m.optimizer, m.metrics = loss, opt, metrics
	if m.err != nil {
		return m
	}
	switch {
	case loss != "categorical_crossentropy":
		m.err = fmt.Errorf("keras: loss %q is not supported; use \"categorical_crossentropy\" with one-hot labels", loss)
	case opt != "adam":
		m.err = fmt.Errorf("keras: optimizer %q is not supported; use \"adam\"", opt)
	}
	for _, name := range metrics {
		if name != "accuracy" && m.err == nil {
			m.err = fmt.Errorf("keras: metric %q is not supported; use \"accuracy\"", name)
		}
	}
	if m.err == nil {
		classboard.Compiled(m.Architecture(), m.CountParams())
	}
	return m
}

// SaveDir sets the folder where Fit saves the trained weights and History, and where later cells
// (new processes under GoNB) load them from. Default: "<notebook>_model" beside the notebook
// (e.g. mnist_mlp_model for mnist_mlp.ipynb), DefaultSaveDir outside a notebook.
func (m *Model) SaveDir(dir string) *Model { m.saveDir = dir; return m }

// Log sets where the model writes notes about itself, such as "training stopped at epoch 7 of
// 100" when a later call loads a model whose training was cut short. Default: os.Stderr, as the
// log package does; io.Discard silences them.
func (m *Model) Log(w io.Writer) *Model { m.log = w; return m }

func (m *Model) logWriter() io.Writer {
	if m.log == nil {
		return os.Stderr
	}
	return m.log
}

// Seed fixes the random seed of the initial weights and of the shuffling of the data, so that a
// rerun on the same backend gives the same result. By default the seed comes from the clock.
func (m *Model) Seed(seed int64) *Model { m.seed = seed; return m }

// Layers returns the model's layers.
func (m *Model) Layers() []*Layer { return m.layers }

// Err returns the first configuration error, if any.
func (m *Model) Err() error { return m.err }

// Loss returns the loss given to Compile ("" before Compile).
func (m *Model) Loss() string { return m.loss }

// Optimizer returns the optimizer given to Compile.
func (m *Model) Optimizer() string { return m.optimizer }

// Metrics returns the metrics given to Compile.
func (m *Model) Metrics() []string { return m.metrics }

// InputDim returns the width of the inputs the model takes.
func (m *Model) InputDim() int { return m.layers[0].inputDim }

// OutputDim returns the width of the model's outputs.
func (m *Model) OutputDim() int { return m.layers[len(m.layers)-1].units }

// ready checks the configuration and creates the backend.
func (m *Model) ready() error {
	if m.err != nil {
		return m.err
	}
	if m.loss == "" {
		return fmt.Errorf("keras: the model is not compiled; call Compile(\"categorical_crossentropy\", \"adam\", \"accuracy\") first")
	}
	if m.backend == nil {
		b, err := backend.Default()
		if err != nil {
			return err
		}
		m.backend = b
	}
	return nil
}

// WithBackend makes the model run on b instead of backend.Default().
func (m *Model) WithBackend(b compute.Backend) *Model { m.backend = b; return m }

// newStore returns an empty store whose variables will start as Keras' do: Glorot-uniform
// weights and zero biases, drawn from the model's seed.
func (m *Model) newStore() (*model.Store, error) {
	store := model.NewStore()
	if err := store.SetRNGStateFromSeed(m.seed); err != nil {
		return nil, err
	}
	m.init = glorotUniform(rand.New(rand.NewSource(m.seed)))
	return store, nil
}

// logits builds the model up to the last layer's pre-activation when that activation is
// softmax (the loss then uses the stable logits form, as Keras on TensorFlow does), and the full
// model otherwise. x: [batch, inputDim] (float32, or the uint8 bytes of normalised images, see
// modelInput); result: [batch, outputDim].
func (m *Model) logits(scope *model.Scope, x *Node) *Node {
	x = modelInput(x)
	if m.init != nil { // Only new variables use it: loaded weights are kept.
		scope = scope.WithInitializer(m.init)
	}
	last := len(m.layers) - 1
	for i, l := range m.layers {
		x = layers.DenseWithBias(scope.In("%s", l.name), x, l.units)
		if i < last || l.activation != "softmax" {
			x = l.apply(x)
		}
	}
	return x
}

// outputsAreLogits says whether logits returns pre-softmax values.
func (m *Model) outputsAreLogits() bool { return m.layers[len(m.layers)-1].activation == "softmax" }

// probabilities builds the full model, as Predict returns it: x [batch, inputDim] → [batch, outputDim].
func (m *Model) probabilities(scope *model.Scope, x *Node) *Node {
	out := m.logits(scope, x)
	if m.outputsAreLogits() {
		out = Softmax(out, -1)
	}
	return out
}

// newOptimizer returns Adam with Keras' defaults.
func newOptimizer() optimizer.Interface {
	return optimizer.Adam().LearningRate(AdamLearningRate).Betas(AdamBeta1, AdamBeta2).Epsilon(AdamEpsilon).Done()
}
