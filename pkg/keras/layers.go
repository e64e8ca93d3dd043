package keras

import (
	"fmt"

	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/ml/layers/activation"
)

// Layer is one fully connected layer of a Sequential model, the counterpart of keras.layers.Dense.
// Create it with Dense and configure it with its chained methods.
type Layer struct {
	units      int
	activation string
	inputDim   int // Only meaningful for the first layer; 0 means "take it from the data".
	name       string
}

// Dense returns a fully connected layer with the given number of output units and no activation.
// Its weights are [inputs, units], its biases [units].
func Dense(units int) *Layer { return &Layer{units: units, activation: "linear"} }

// Activation sets the function applied to the layer's output: "relu", "softmax", "sigmoid",
// "tanh" or "linear" (none).
func (l *Layer) Activation(name string) *Layer { l.activation = name; return l }

// InputDim declares the input width of the first layer (Keras' input_dim), e.g. 784.
func (l *Layer) InputDim(n int) *Layer { l.inputDim = n; return l }

// Name sets the layer's name, shown by Summary; by default layers are named like Keras'
// ("dense", "dense_1", ...).
func (l *Layer) Name(name string) *Layer { l.name = name; return l }

var knownActivations = map[string]bool{"relu": true, "softmax": true, "sigmoid": true, "tanh": true, "linear": true}

func (l *Layer) validate(index int) error {
	if l.units <= 0 {
		return fmt.Errorf("keras: layer %d (%s) has %d units; Dense needs a positive number, e.g. Dense(64)", index, l.name, l.units)
	}
	if !knownActivations[l.activation] {
		return fmt.Errorf("keras: layer %d (%s) has activation %q; use one of relu, softmax, sigmoid, tanh, linear",
			index, l.name, l.activation)
	}
	return nil
}

// apply applies the activation to x [batch, units]; softmax is over the last axis.
func (l *Layer) apply(x *Node) *Node {
	switch l.activation {
	case "relu":
		return activation.Relu(x)
	case "sigmoid":
		return Sigmoid(x)
	case "tanh":
		return Tanh(x)
	case "softmax":
		return Softmax(x, -1)
	default:
		return x
	}
}
