// Package metrics turns a model's predictions into what a teacher shows after the test
// accuracy: the predicted classes, the confusion matrix and the list of mistakes.
package metrics

import (
	"fmt"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/ndarray"
)

// Labels returns the class of each example from uint8 labels [N] (as mnist.LoadData returns
// them) or one-hot float32 labels [N, C] (as prep.ToCategorical returns them).
func Labels(y *ndarray.Array) ([]int, error) {
	switch {
	case (y.Storage() == ndarray.Uint8Values && y.Rank() == 1) || y.Storage() == ndarray.OneHotUint8:
		out := make([]int, y.Len())
		for i, v := range y.Bytes() {
			out[i] = int(v)
		}
		return out, nil
	case y.Storage() == ndarray.Float32Values && y.Rank() == 2:
		return classesOf(y.Float32(), y.Len(), y.Dims()[1]), nil
	}
	return nil, fmt.Errorf("metrics: labels must be uint8 [N] or one-hot float32 [N, C], got %s", y)
}

// Classes returns the most probable class of each row of probabilities [N, C] float32.
func Classes(probs *tensors.Tensor) ([]int, error) {
	s := probs.Shape()
	if s.DType != dtypes.Float32 || s.Rank() != 2 {
		return nil, fmt.Errorf("metrics: expects probabilities float32 [N, C], got %s", s)
	}
	return classesOf(tensors.MustCopyFlatData[float32](probs), s.Dimensions[0], s.Dimensions[1]), nil
}

// classesOf returns the index of the largest value of each row of flat [n, c].
func classesOf(flat []float32, n, c int) []int {
	out := make([]int, n)
	for i := range n {
		row := flat[i*c : (i+1)*c]
		for k, v := range row {
			if v > row[out[i]] {
				out[i] = k
			}
		}
	}
	return out
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
func Mistakes(trueClasses []int, probs *tensors.Tensor) ([]Mistake, error) {
	predicted, err := Classes(probs)
	if err != nil {
		return nil, err
	}
	if len(predicted) != len(trueClasses) {
		return nil, fmt.Errorf("metrics: %d true classes but %d predictions", len(trueClasses), len(predicted))
	}
	c := probs.Shape().Dimensions[1]
	flat := tensors.MustCopyFlatData[float32](probs)
	var out []Mistake
	for i, p := range predicted {
		if p != trueClasses[i] {
			out = append(out, Mistake{Index: i, True: trueClasses[i], Predicted: p, Probability: float64(flat[i*c+p])})
		}
	}
	return out, nil
}

// Row returns row i of probabilities [N, C] as float64s.
func Row(probs *tensors.Tensor, i int) ([]float64, error) {
	s := probs.Shape()
	if s.Rank() != 2 || i < 0 || i >= s.Dimensions[0] {
		return nil, fmt.Errorf("metrics: row %d of %s does not exist", i, s)
	}
	c := s.Dimensions[1]
	flat := tensors.MustCopyFlatData[float32](probs)
	out := make([]float64, c)
	for k := range c {
		out[k] = float64(flat[i*c+k])
	}
	return out, nil
}
