package keras

import (
	"fmt"

	"mnistlesson/pkg/keras/summary"
)

// LayerSummaries describes each layer, computed from the model's definition.
func (m *Model) LayerSummaries() []summary.Layer {
	var out []summary.Layer
	in := m.InputDim()
	for _, l := range m.layers {
		out = append(out, summary.Layer{
			Name: l.name, Type: "Dense", Activation: l.activation,
			InputShape:  fmt.Sprintf("(None, %d)", in),
			OutputShape: fmt.Sprintf("(None, %d)", l.units),
			Params:      in*l.units + l.units,
		})
		in = l.units
	}
	return out
}

// CountParams returns the number of trainable parameters (52,650 for the lesson's 784-64-32-10).
func (m *Model) CountParams() int { return summary.Count(m.LayerSummaries()) }

// Summary returns the Keras-style table of layers, output shapes and parameter counts, or the
// model's configuration error (a model without layers, say, has no table).
func (m *Model) Summary() (string, error) {
	if m.err != nil {
		return "", m.err
	}
	return summary.Table(m.name, m.LayerSummaries()), nil
}
