package metrics

import (
	"fmt"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/ndarray"
)

func Example() {
	probs := tensors.FromValue([][]float32{{0.9, 0.1, 0}, {0.2, 0.7, 0.1}, {0.1, 0.3, 0.6}, {0.5, 0.4, 0.1}})
	truth := []int{0, 1, 2, 1}
	predicted, _ := Classes(probs)
	cm, _ := Confusion(truth, predicted, 3)
	mistakes, _ := Mistakes(truth, probs)
	fmt.Println(predicted, cm, cm.Accuracy())
	fmt.Printf("%+v\n", mistakes)
	// Output:
	// [0 1 2 0] [[1 0 0] [1 1 0] [0 0 1]] 0.75
	// [{Index:3 True:1 Predicted:0 Probability:0.5}]
}

func TestLabelsFromEveryForm(t *testing.T) {
	raw := ndarray.FromUint8([]uint8{3, 0}, 2)
	oneHot, _ := raw.OneHot(4)
	for _, y := range []*ndarray.Array{raw, oneHot, ndarray.FromFloat32([]float32{0, 0, 0, 1, 1, 0, 0, 0}, 2, 4)} {
		got, err := Labels(y)
		if err != nil || fmt.Sprint(got) != "[3 0]" {
			t.Errorf("Labels(%s) = %v, %v; want [3 0]", y, got, err)
		}
	}
	if _, err := Labels(ndarray.FromFloat32([]float32{3, 0}, 2)); err == nil {
		t.Error("Labels of float32 [N] should fail")
	}
	if _, err := Confusion([]int{1}, []int{1, 2}, 3); err == nil {
		t.Error("Confusion with mismatched lengths should fail")
	}
}
