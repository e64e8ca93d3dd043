package prep

import (
	"fmt"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/lesson"
	"mnistlesson/pkg/ndarray"
)

// Reshape returns x with new dimensions and the same values, like NumPy's reshape. One
// dimension may be -1: it is inferred from the others.
func Reshape(x *ndarray.Array, dims ...int) *ndarray.Array {
	out, err := x.Reshape(dims...)
	if err != nil {
		lesson.Stop(fmt.Errorf("prep: %w", err))
	}
	return out
}

// Slice returns the examples from (included) to to (excluded), sharing their values: NumPy's
// x[from:to], e.g. prep.Slice(xTestNorm, 7, 8) is test image 7 alone, [1, 784].
func Slice(x *ndarray.Array, from, to int) *ndarray.Array {
	out, err := x.Slice(from, to)
	if err != nil {
		lesson.Stop(fmt.Errorf("prep: %w", err))
	}
	return out
}

// Normalize converts uint8 pixels 0..255 to float32 values 0.0..1.0: NumPy's
// x.astype("float32") / 255.0 in one step. The shape is kept.
func Normalize(x *ndarray.Array) *ndarray.Array {
	out, err := x.Normalize()
	if err != nil {
		lesson.Stop(fmt.Errorf("prep: %w", err))
	}
	classboard.Reached(classboard.StepPreprocessed) // On a class hub: the teacher's board.
	return out
}

// ToCategorical turns class indices y [N] (uint8) into one-hot float32 rows [N, numClasses],
// like keras.utils.to_categorical.
func ToCategorical(y *ndarray.Array, numClasses int) *ndarray.Array {
	out, err := y.OneHot(numClasses)
	if err != nil {
		lesson.Stop(fmt.Errorf("prep: %w", err))
	}
	return out
}

// Describe returns a NumPy-like description of x, e.g. "uint8 (60000, 28, 28)"; for float
// arrays the value range follows, e.g. "float32 (60000, 784), values 0.0 to 1.0".
func Describe(x *ndarray.Array) string {
	if x.Storage() == ndarray.Uint8Values {
		return x.String()
	}
	lo, hi := x.Range()
	return fmt.Sprintf("%s, values %.1f to %.1f", x, lo, hi)
}
