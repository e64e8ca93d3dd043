package metrics

import (
	"fmt"
	"strings"
	"testing"

	"mnistlesson/pkg/ndarray"
)

func Example() {
	probs := ndarray.FromFloat32([]float32{0.9, 0.1, 0, 0.2, 0.7, 0.1, 0.1, 0.3, 0.6, 0.5, 0.4, 0.1}, 4, 3)
	truth, err := Labels(ndarray.FromUint8([]uint8{0, 1, 2, 1}, 4))
	if err != nil {
		fmt.Println(err)
		return
	}
	predicted, _ := Classes(probs)
	cm, _ := Confusion(truth, predicted, 3)
	mistakes, _ := Mistakes(truth, probs)
	row, _ := Row(probs, 3)
	fmt.Println(predicted, cm, cm.Accuracy())
	fmt.Printf("%+v\n", mistakes)
	fmt.Println(row)
	// Output:
	// [0 1 2 0] [[1 0 0] [1 1 0] [0 0 1]] 0.75
	// [{Index:3 True:1 Predicted:0 Probability:0.5}]
	// [0.5 0.4000000059604645 0.10000000149011612]
}

func TestLabelsFromEveryForm(t *testing.T) {
	raw := ndarray.FromUint8([]uint8{3, 0}, 2)
	oneHot, _ := raw.OneHot(4)
	for _, y := range []*ndarray.Array{raw, oneHot, ndarray.FromFloat32([]float32{0, 0, 0, 1, 1, 0, 0, 0}, 2, 4)} {
		if got, err := Labels(y); fmt.Sprint(got) != "[3 0]" || err != nil {
			t.Errorf("Labels(%s) = %v, %v, want [3 0]", y, got, err)
		}
	}
}

func TestMisuseIsAnError(t *testing.T) {
	probs := ndarray.FromFloat32([]float32{0.9, 0.1}, 1, 2)
	for _, c := range []struct {
		name string
		call func() error
		want string
	}{
		{"float labels [N]", func() error { _, err := Labels(ndarray.FromFloat32([]float32{3, 0}, 2)); return err }, "labels must be uint8 [N]"},
		{"images as probabilities", func() error { _, err := Classes(ndarray.FromUint8([]uint8{1, 2}, 1, 2)); return err }, "expects probabilities float32 [N, C]"},
		{"lengths differ", func() error { _, err := Confusion([]int{1}, []int{1, 2}, 3); return err }, "1 true classes but 2 predictions"},
		{"class out of range", func() error { _, err := Confusion([]int{5}, []int{1}, 3); return err }, "outside 0..2"},
		{"mistakes of other labels", func() error { _, err := Mistakes([]int{0, 1}, probs); return err }, "2 true classes but 1 predictions"},
		{"row out of range", func() error { _, err := Row(probs, 1); return err }, "row 1 of float32 (1, 2) does not exist"},
	} {
		if err := c.call(); err == nil || !strings.HasPrefix(err.Error(), "metrics: ") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one with %q", c.name, err, c.want)
		}
	}
}
