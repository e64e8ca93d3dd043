// Package prep holds the preprocessing steps of the lesson, each one line in the notebook, the
// counterparts of NumPy's reshape/astype and Keras' to_categorical, and Describe, which prints an
// array as NumPy would (dtype, shape, and for floats the range of values):
//
//	xTrainFlat := prep.Reshape(xTrain, 60000, 784)   // [60000, 28, 28] → [60000, 784]
//	xTrainNorm := prep.Normalize(xTrainFlat)         // uint8 0..255 → float32 0.0..1.0 (astype float32 / 255)
//	yTrainHot := prep.ToCategorical(yTrain, 10)      // uint8 [60000] → one-hot float32 [60000, 10]
//	one := prep.Slice(xTestNorm, 7, 8)               // x_test[7:8]: one image, [1, 784]
//
// Each returns a view of its input (see package ndarray): nothing is copied or converted until a
// step that needs the values (training, evaluation) asks for them.
//
// prep is part of the notebook's edge (see package lesson): like NumPy, which raises, each step
// stops the cell with one line naming the problem when misused, so that it stays one line in the
// notebook and in the exercises' solutions, where a student writes
// prep.Normalize(prep.Reshape(x, x.Len(), 784)). Programs call the ndarray.Array methods under
// them (Reshape, Normalize, OneHot), which return errors instead.
package prep
