// Package prep holds the preprocessing steps of the lesson, each one line in the notebook, the
// counterparts of NumPy's reshape/astype and Keras' to_categorical:
//
//	xTrain = prep.Reshape(xTrain, 60000, 784)   // [60000, 28, 28] → [60000, 784]
//	xTrain = prep.Normalize(xTrain)             // uint8 0..255 → float32 0.0..1.0 (astype float32 / 255)
//	yTrain = prep.ToCategorical(yTrain, 10)     // uint8 [60000] → one-hot float32 [60000, 10]
//
// They work on the host copy of the tensors: preprocessing MNIST is a single pass over 47 MB,
// which needs no compiled graph.
package prep

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/tensors"
)

// Reshape returns t with new dimensions and the same data, like NumPy's reshape. One dimension
// may be -1: it is inferred from the others.
func Reshape(t *tensors.Tensor, dims ...int) (*tensors.Tensor, error) {
	size := t.Shape().Size()
	known, free := 1, -1
	for i, d := range dims {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return nil, fmt.Errorf("prep.Reshape: dimension %d is %d; use positive sizes and at most one -1", i, d)
		default:
			known *= d
		}
	}
	out := append([]int(nil), dims...)
	if free >= 0 {
		if known == 0 || size%known != 0 {
			return nil, fmt.Errorf("prep.Reshape: cannot reshape %v (%d values) into %v", t.Shape().Dimensions, size, dims)
		}
		out[free] = size / known
		known *= out[free]
	}
	if known != size {
		return nil, fmt.Errorf("prep.Reshape: cannot reshape %v (%d values) into %v (%d values)",
			t.Shape().Dimensions, size, dims, known)
	}
	var result *tensors.Tensor
	err := t.ConstFlatData(func(flat any) {
		result = fromFlat(flat, out)
	})
	return result, err
}

// fromFlat copies a flat slice of a supported type into a new tensor of the given dimensions.
func fromFlat(flat any, dims []int) *tensors.Tensor {
	switch f := flat.(type) {
	case []uint8:
		return tensors.FromFlatDataAndDimensions(append([]uint8(nil), f...), dims...)
	case []float32:
		return tensors.FromFlatDataAndDimensions(append([]float32(nil), f...), dims...)
	case []int32:
		return tensors.FromFlatDataAndDimensions(append([]int32(nil), f...), dims...)
	case []int64:
		return tensors.FromFlatDataAndDimensions(append([]int64(nil), f...), dims...)
	case []float64:
		return tensors.FromFlatDataAndDimensions(append([]float64(nil), f...), dims...)
	}
	panic(fmt.Sprintf("prep: unsupported data type %T", flat))
}

// Normalize converts uint8 pixels 0..255 to float32 values 0.0..1.0: NumPy's
// x.astype("float32") / 255.0 in one step. The shape is kept.
func Normalize(t *tensors.Tensor) (*tensors.Tensor, error) {
	if t.DType() != dtypes.Uint8 {
		return nil, fmt.Errorf("prep.Normalize: expects uint8 pixels 0..255, got %s (already normalised?)", t.DType())
	}
	out := tensors.FromShape(shapes.Make(dtypes.Float32, t.Shape().Dimensions...))
	var err error
	tensors.MustConstFlatData(t, func(in []uint8) {
		err = tensors.MutableFlatData(out, func(o []float32) {
			for i, v := range in {
				o[i] = float32(v) / 255
			}
		})
	})
	return out, err
}

// ToCategorical turns class indices y [N] (uint8) into one-hot float32 rows [N, numClasses],
// like keras.utils.to_categorical.
func ToCategorical(y *tensors.Tensor, numClasses int) (*tensors.Tensor, error) {
	if y.DType() != dtypes.Uint8 || y.Shape().Rank() != 1 {
		return nil, fmt.Errorf("prep.ToCategorical: expects uint8 class indices [N], got %s", y.Shape())
	}
	n := y.Shape().Dimensions[0]
	labels := tensors.MustCopyFlatData[uint8](y)
	for i, c := range labels {
		if int(c) >= numClasses {
			return nil, fmt.Errorf("prep.ToCategorical: label %d at index %d is not below numClasses=%d", c, i, numClasses)
		}
	}
	out := tensors.FromShape(shapes.Make(dtypes.Float32, n, numClasses))
	err := tensors.MutableFlatData(out, func(o []float32) {
		for i, c := range labels {
			o[i*numClasses+int(c)] = 1
		}
	})
	return out, err
}

// Describe returns a NumPy-like description of t, e.g. "uint8 (60000, 28, 28)"; for float
// tensors the value range follows, e.g. "float32 (60000, 784), values 0.0 to 1.0".
func Describe(t *tensors.Tensor) string {
	s := t.Shape()
	dims := fmt.Sprint(s.Dimensions)
	desc := fmt.Sprintf("%s (%s)", strings.ToLower(s.DType.String()), strings.ReplaceAll(dims[1:len(dims)-1], " ", ", "))
	if s.DType == dtypes.Float32 {
		tensors.MustConstFlatData(t, func(flat []float32) {
			if len(flat) == 0 {
				return
			}
			lo, hi := flat[0], flat[0]
			for _, v := range flat {
				lo, hi = min(lo, v), max(hi, v)
			}
			desc += fmt.Sprintf(", values %.1f to %.1f", lo, hi)
		})
	}
	return desc
}
