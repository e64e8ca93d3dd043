// Package metrics turns a model's predictions into what a teacher shows after the test
// accuracy, the counterparts of NumPy's argmax and scikit-learn's confusion_matrix:
//
//	probs, err := model.Predict(xTestNorm)        // [10000, 10] float32
//	truth, err := metrics.Labels(yTest)           // the true digit of each test image
//	predicted, err := metrics.Classes(probs)      // the most probable digit of each
//	cm, err := metrics.Confusion(truth, predicted, 10) // counts by (true, predicted) digit
//	mistakes, err := metrics.Mistakes(truth, probs)    // the misclassified images, in order
//
// Arrays of the wrong shape are errors, prefixed "metrics:", that name the problem. In the
// notebook, package show calls these and stops the cell with that error.
package metrics
