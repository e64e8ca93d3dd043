package keras

import (
	"fmt"
	"io"
	"math"

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

// checkValues looks at the training data itself: x must be finite, and values above 1 mean it
// was not normalised (a warning: training still works, only worse); each row of y must be
// one-hot, a single 1 among 0s.
func checkValues(x, y *tensors.Tensor, warn io.Writer) error {
	var err error
	tensors.MustConstFlatData(x, func(flat []float32) {
		maxValue := float32(0)
		for i, v := range flat {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				err = fmt.Errorf("keras: x holds %v at example %d; the images must be finite numbers", v, i/x.Shape().Dimensions[1])
				return
			}
			maxValue = max(maxValue, v)
		}
		if maxValue > 1 {
			fmt.Fprintf(warn, "Warning: x has values up to %g, not 0..1: were the images divided by 255 (prep.Normalize)? "+
				"Training goes on, but learns worse.\n", maxValue)
		}
	})
	if err != nil {
		return err
	}
	classes := y.Shape().Dimensions[1]
	tensors.MustConstFlatData(y, func(flat []float32) {
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
				err = fmt.Errorf("keras: y row %d is %v, not one-hot (a single 1 among 0s); use prep.ToCategorical(y, %d)",
					row, flat[row*classes:(row+1)*classes], classes)
				return
			}
		}
	})
	return err
}
