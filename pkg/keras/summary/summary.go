package summary

import (
	"fmt"
	"strings"
)

// Layer describes one layer as model.summary() prints it.
type Layer struct {
	Name        string
	Type        string
	Activation  string
	InputShape  string // e.g. "(None, 784)"
	OutputShape string // e.g. "(None, 64)"
	Params      int    // weights + biases: inputs·units + units.
}

// Count returns the number of parameters of all layers (52,650 for the lesson's 784-64-32-10).
func Count(layers []Layer) int {
	total := 0
	for _, l := range layers {
		total += l.Params
	}
	return total
}

// Table returns Keras' model.summary() table of the named model's layers: each layer's name and
// type, output shape and parameter count, then the totals.
func Table(name string, layers []Layer) string {
	const rule = "_________________________________________________________________\n"
	const double = "=================================================================\n"
	var b strings.Builder
	fmt.Fprintf(&b, "Model: %q\n", name)
	b.WriteString(rule)
	fmt.Fprintf(&b, " %-28s %-25s %s\n", "Layer (type)", "Output Shape", "Param #")
	b.WriteString(double)
	for i, l := range layers {
		if i > 0 {
			b.WriteString(rule)
		}
		fmt.Fprintf(&b, " %-28s %-25s %s\n", fmt.Sprintf("%s (%s)", l.Name, l.Type), l.OutputShape, Commas(l.Params))
	}
	b.WriteString(double)
	total := Count(layers)
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
