package keras

import (
	"fmt"

	"mnistlesson/pkg/keras/summary"
)

// LayerSummary describes one layer as Summary prints it.
type LayerSummary = summary.Layer

// LayerSummaries describes each layer, computed from the model's definition.
func (m *Model) LayerSummaries() []LayerSummary {
	var out []LayerSummary
	in := m.InputDim()
	for _, l := range m.layers {
		out = append(out, LayerSummary{
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

// Summary returns the Keras-style table of layers, output shapes and parameter counts.
func (m *Model) Summary() string {
	if m.err != nil {
		return m.err.Error()
	}
	return summary.Table(m.name, m.LayerSummaries())
}

// Commas formats n with thousands separators, as Keras does: 52650 → "52,650".
func Commas(n int) string { return summary.Commas(n) }
