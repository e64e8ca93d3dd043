package metrics

import (
	"fmt"
	"testing"

	"github.com/gomlx/gomlx/core/tensors"
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

func TestLabelsFromBothForms(t *testing.T) {
	a, err := Labels(tensors.FromValue([]uint8{3, 0}))
	b, err2 := Labels(tensors.FromValue([][]float32{{0, 0, 0, 1}, {1, 0, 0, 0}}))
	if err != nil || err2 != nil || fmt.Sprint(a) != "[3 0]" || fmt.Sprint(b) != "[3 0]" {
		t.Errorf("Labels: %v %v %v %v", a, err, b, err2)
	}
	if _, err := Confusion([]int{1}, []int{1, 2}, 3); err == nil {
		t.Error("Confusion with mismatched lengths should fail")
	}
}
