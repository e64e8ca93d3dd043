package keras

import (
	"fmt"
	"strings"
)

// LayerSummary describes one layer as Summary prints it.
type LayerSummary struct {
	Name        string
	Type        string
	Activation  string
	InputShape  string // e.g. "(None, 784)"
	OutputShape string // e.g. "(None, 64)"
	Params      int    // weights + biases: inputs·units + units.
}

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
func (m *Model) CountParams() int {
	total := 0
	for _, l := range m.LayerSummaries() {
		total += l.Params
	}
	return total
}

// Summary returns the Keras-style table of layers, output shapes and parameter counts.
func (m *Model) Summary() string {
	if m.err != nil {
		return m.err.Error()
	}
	const rule = "_________________________________________________________________\n"
	const double = "=================================================================\n"
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", m.name)
	b.WriteString(rule)
	fmt.Fprintf(&b, " %-28s %-25s %s\n", "Layer (type)", "Output Shape", "Param #")
	b.WriteString(double)
	for i, l := range m.LayerSummaries() {
		if i > 0 {
			b.WriteString(rule)
		}
		fmt.Fprintf(&b, " %-28s %-25s %s\n", fmt.Sprintf("%s (%s)", l.Name, l.Type), l.OutputShape, Commas(l.Params))
	}
	b.WriteString(double)
	total := m.CountParams()
	fmt.Fprintf(&b, "Total params: %s\nTrainable params: %s\nNon-trainable params: 0\n", Commas(total), Commas(total))
	b.WriteString(rule)
	return b.String()
}

// Commas formats n with thousands separators, as Keras does: 52650 → "52,650".
func Commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
