// Package metrics turns a model's predictions into what a teacher shows after the test
// accuracy, the counterparts of NumPy's argmax and scikit-learn's confusion_matrix:
//
//	probs := lesson.Must1(model.Predict(xTestNorm)) // [10000, 10] float32
//	truth := metrics.Labels(yTest)                  // the true digit of each test image
//	predicted := metrics.Classes(probs)             // the most probable digit of each
//	cm := metrics.Confusion(truth, predicted, 10)   // counts by (true, predicted) digit
//	mistakes := metrics.Mistakes(truth, probs)      // the misclassified images, in order
//
// Like NumPy, which raises, they stop the cell with a message naming the problem when given
// arrays of the wrong shape (lesson.Stop).
package metrics
