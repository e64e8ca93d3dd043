package keras

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
)

// checkInputs makes sure x is [N, InputDim] float32 and, when y is given, that y is [N, OutputDim]
// float32 with the same N, so that misuse fails with a message saying what was expected.
func (m *Model) checkInputs(x, y *tensors.Tensor) error {
	if x == nil {
		return fmt.Errorf("keras: x is nil; pass the images as a float32 tensor [N, %d]", m.InputDim())
	}
	xs := x.Shape()
	if xs.Rank() != 2 || xs.Dimensions[1] != m.InputDim() {
		return fmt.Errorf("keras: x has shape %v but the model takes [N, %d]; flatten the images first, "+
			"e.g. prep.Reshape(x, -1, %d)", xs.Dimensions, m.InputDim(), m.InputDim())
	}
	if xs.DType != DType {
		return fmt.Errorf("keras: x holds %s but the model takes %s in 0..1; use prep.Normalize(x) (astype float32 / 255)",
			xs.DType, DType)
	}
	if y == nil {
		return nil
	}
	ys := y.Shape()
	if ys.Rank() != 2 || ys.Dimensions[1] != m.OutputDim() || ys.DType != DType {
		return fmt.Errorf("keras: y is %s %v but categorical_crossentropy takes one-hot float32 labels [N, %d]; "+
			"use prep.ToCategorical(y, %d)", ys.DType, ys.Dimensions, m.OutputDim(), m.OutputDim())
	}
	if ys.Dimensions[0] != xs.Dimensions[0] {
		return fmt.Errorf("keras: x has %d examples but y has %d; they must match", xs.Dimensions[0], ys.Dimensions[0])
	}
	return nil
}
