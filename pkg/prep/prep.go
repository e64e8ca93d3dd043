// Package prep holds the preprocessing steps of the lesson, each one line in the notebook, the
// counterparts of NumPy's reshape/astype and Keras' to_categorical:
//
//	xTrain = prep.Reshape(xTrain, 60000, 784)   // [60000, 28, 28] → [60000, 784]
//	xTrain = prep.Normalize(xTrain)             // uint8 0..255 → float32 0.0..1.0 (astype float32 / 255)
//	yTrain = prep.ToCategorical(yTrain, 10)     // uint8 [60000] → one-hot float32 [60000, 10]
//
// Each returns a view of its input (see package ndarray): nothing is copied or converted until a
// step that needs the values (training, evaluation) asks for them.
package prep

import (
	"fmt"

	"mnistlesson/pkg/ndarray"
)

// Reshape returns x with new dimensions and the same values, like NumPy's reshape. One
// dimension may be -1: it is inferred from the others.
func Reshape(x *ndarray.Array, dims ...int) (*ndarray.Array, error) {
	out, err := x.Reshape(dims...)
	if err != nil {
		return nil, fmt.Errorf("prep.Reshape: %w", err)
	}
	return out, nil
}

// Normalize converts uint8 pixels 0..255 to float32 values 0.0..1.0: NumPy's
// x.astype("float32") / 255.0 in one step. The shape is kept.
func Normalize(x *ndarray.Array) (*ndarray.Array, error) {
	if x.Storage() != ndarray.Uint8Values {
		return nil, fmt.Errorf("prep.Normalize: expects uint8 pixels 0..255, got %s (already normalised?)", x)
	}
	return x.Normalize()
}

// ToCategorical turns class indices y [N] (uint8) into one-hot float32 rows [N, numClasses],
// like keras.utils.to_categorical.
func ToCategorical(y *ndarray.Array, numClasses int) (*ndarray.Array, error) {
	out, err := y.OneHot(numClasses)
	if err != nil {
		return nil, fmt.Errorf("prep.ToCategorical: %w", err)
	}
	return out, nil
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
