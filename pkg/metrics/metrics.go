package metrics

import (
	"fmt"

	"mnistlesson/pkg/ndarray"
)

// Labels returns the class of each example from uint8 labels [N] (as mnist.LoadData returns
// them) or one-hot float32 labels [N, C] (as prep.ToCategorical returns them).
func Labels(y *ndarray.Array) ([]int, error) {
	if classes := y.ClassIndices(); classes != nil {
		out := make([]int, len(classes))
		for i, v := range classes {
			out[i] = int(v)
		}
		return out, nil
	}
	if y.Storage() != ndarray.Uint8Values && y.Rank() == 2 {
		return Classes(y)
	}
	return nil, fmt.Errorf("metrics: labels must be uint8 [N] or one-hot float32 [N, C], got %s", y)
}

// Classes returns the most probable class of each row of probabilities [N, C] float32: NumPy's
// argmax(probs, axis=1).
func Classes(probs *ndarray.Array) ([]int, error) {
	n, c, err := rowsOf("Classes", probs)
	if err != nil {
		return nil, err
	}
	flat := probs.Float32()
	out := make([]int, n)
	for i := range n {
		row := flat[i*c : (i+1)*c]
		for k, v := range row {
			if v > row[out[i]] {
				out[i] = k
			}
		}
	}
	return out, nil
}

// rowsOf returns the dimensions of probabilities [N, C] float32.
func rowsOf(who string, probs *ndarray.Array) (n, c int, err error) {
	if probs.Storage() == ndarray.Uint8Values || probs.Rank() != 2 {
		return 0, 0, fmt.Errorf("metrics: %s expects probabilities float32 [N, C], as model.Predict returns them, got %s", who, probs)
	}
	dims := probs.Dims()
	return dims[0], dims[1], nil
}

// ConfusionMatrix counts examples by true class (row) and predicted class (column).
type ConfusionMatrix [][]int

// Confusion builds the confusion matrix of numClasses classes.
func Confusion(trueClasses, predicted []int, numClasses int) (ConfusionMatrix, error) {
	if len(trueClasses) != len(predicted) {
		return nil, fmt.Errorf("metrics: %d true classes but %d predictions", len(trueClasses), len(predicted))
	}
	cm := make(ConfusionMatrix, numClasses)
	for i := range cm {
		cm[i] = make([]int, numClasses)
	}
	for i, t := range trueClasses {
		p := predicted[i]
		if t < 0 || t >= numClasses || p < 0 || p >= numClasses {
			return nil, fmt.Errorf("metrics: example %d has class %d → %d, outside 0..%d", i, t, p, numClasses-1)
		}
		cm[t][p]++
	}
	return cm, nil
}

// Total returns the number of examples counted.
func (cm ConfusionMatrix) Total() int {
	total := 0
	for _, row := range cm {
		for _, v := range row {
			total += v
		}
	}
	return total
}

// Correct returns the number of examples on the diagonal.
func (cm ConfusionMatrix) Correct() int {
	correct := 0
	for i := range cm {
		correct += cm[i][i]
	}
	return correct
}

// Accuracy returns Correct / Total.
func (cm ConfusionMatrix) Accuracy() float64 { return float64(cm.Correct()) / float64(cm.Total()) }

// Mistake is one misclassified example.
type Mistake struct {
	Index       int     // Position in the dataset.
	True        int     // The labelled class.
	Predicted   int     // The model's most probable class.
	Probability float64 // The model's probability for Predicted.
}

// Mistakes lists the misclassified examples in dataset order, given the true classes and the
// model's probabilities [N, C].
func Mistakes(trueClasses []int, probs *ndarray.Array) ([]Mistake, error) {
	predicted, err := Classes(probs)
	if err != nil {
		return nil, err
	}
	if len(predicted) != len(trueClasses) {
		return nil, fmt.Errorf("metrics: %d true classes but %d predictions", len(trueClasses), len(predicted))
	}
	c := probs.Dims()[1] // Classes checked the shape.
	flat := probs.Float32()
	var out []Mistake
	for i, p := range predicted {
		if p != trueClasses[i] {
			out = append(out, Mistake{Index: i, True: trueClasses[i], Predicted: p, Probability: float64(flat[i*c+p])})
		}
	}
	return out, nil
}

// Row returns row i of probabilities [N, C] as float64s.
func Row(probs *ndarray.Array, i int) ([]float64, error) {
	n, c, err := rowsOf("Row", probs)
	if err != nil {
		return nil, err
	}
	if i < 0 || i >= n {
		return nil, fmt.Errorf("metrics: row %d of %s does not exist", i, probs)
	}
	flat := probs.Float32()
	out := make([]float64, c)
	for k := range c {
		out[k] = float64(flat[i*c+k])
	}
	return out, nil
}
