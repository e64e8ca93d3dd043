package keras

import (
	"fmt"
	"io"
	"math"

	"mnistlesson/pkg/ndarray"
)

// checkInputs makes sure x is [N, InputDim] float32 and, when y is given, that y is [N, OutputDim]
// float32 with the same N, so that misuse fails with a message saying what was expected.
func (m *Model) checkInputs(x, y *ndarray.Array) error {
	if x == nil {
		return fmt.Errorf("keras: x is nil; pass the images as a float32 array [N, %d]", m.InputDim())
	}
	xs := x.Dims()
	if len(xs) != 2 || xs[1] != m.InputDim() {
		return fmt.Errorf("keras: x has shape %v but the model takes [N, %d]; flatten the images first, "+
			"e.g. prep.Reshape(x, -1, %d)", xs, m.InputDim(), m.InputDim())
	}
	if x.DType() != DType {
		return fmt.Errorf("keras: x holds %s but the model takes %s in 0..1; use prep.Normalize(x) (astype float32 / 255)",
			x.DType(), DType)
	}
	if y == nil {
		return nil
	}
	ys := y.Dims()
	if len(ys) != 2 || ys[1] != m.OutputDim() || y.DType() != DType {
		return fmt.Errorf("keras: y is %s but categorical_crossentropy takes one-hot float32 labels [N, %d]; "+
			"use prep.ToCategorical(y, %d)", y, m.OutputDim(), m.OutputDim())
	}
	if ys[0] != xs[0] {
		return fmt.Errorf("keras: x has %d examples but y has %d; they must match", xs[0], ys[0])
	}
	return nil
}

// checkValues looks at the training data itself: x must be finite, and values above 1 mean it
// was not normalised (a warning: training still works, only worse); each row of y must be
// one-hot, a single 1 among 0s. The views prep makes (normalised bytes, one-hot labels) are
// right by construction and are not scanned.
func checkValues(x, y *ndarray.Array, warn io.Writer) error {
	if x.Storage() == ndarray.Float32Values {
		maxValue := float32(0)
		per := x.Dims()[1]
		for i, v := range x.Float32() {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("keras: x holds %v at example %d; the images must be finite numbers", v, i/per)
			}
			maxValue = max(maxValue, v)
		}
		if maxValue > 1 {
			fmt.Fprintf(warn, "Warning: x has values up to %g, not 0..1: were the images divided by 255 (prep.Normalize)? "+
				"Training goes on, but learns worse.\n", maxValue)
		}
	}
	if y.Storage() != ndarray.Float32Values {
		return nil
	}
	classes := y.Dims()[1]
	flat := y.Float32()
	for row := 0; row*classes < len(flat); row++ {
		ones := 0
		for _, v := range flat[row*classes : (row+1)*classes] {
			switch v {
			case 1:
				ones++
			case 0:
			default:
				ones = -1
			}
		}
		if ones != 1 {
			return fmt.Errorf("keras: y row %d is %v, not one-hot (a single 1 among 0s); use prep.ToCategorical(y, %d)",
				row, flat[row*classes:(row+1)*classes], classes)
		}
	}
	return nil
}
