// Package prep holds the preprocessing steps of the lesson, each one line in the notebook, the
// counterparts of NumPy's reshape/astype and Keras' to_categorical, and Describe, which prints an
// array as NumPy would (dtype, shape, and for floats the range of values):
//
//	xTrainFlat := prep.Reshape(xTrain, 60000, 784)   // [60000, 28, 28] → [60000, 784]
//	xTrainNorm := prep.Normalize(xTrainFlat)         // uint8 0..255 → float32 0.0..1.0 (astype float32 / 255)
//	yTrainHot := prep.ToCategorical(yTrain, 10)      // uint8 [60000] → one-hot float32 [60000, 10]
//
// Each returns a view of its input (see package ndarray): nothing is copied or converted until a
// step that needs the values (training, evaluation) asks for them. Like NumPy, which raises, they
// stop the cell with a message naming the problem when misused (lesson.Stop); the methods of
// ndarray.Array that they call return errors instead, for programs.
package prep
