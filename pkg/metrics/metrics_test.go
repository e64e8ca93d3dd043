package metrics

import (
	"fmt"
	"strings"
	"testing"

	"mnistlesson/pkg/lesson"
	"mnistlesson/pkg/ndarray"
)

func Example() {
	probs := ndarray.FromFloat32([]float32{0.9, 0.1, 0, 0.2, 0.7, 0.1, 0.1, 0.3, 0.6, 0.5, 0.4, 0.1}, 4, 3)
	truth := Labels(ndarray.FromUint8([]uint8{0, 1, 2, 1}, 4))
	predicted := Classes(probs)
	cm := Confusion(truth, predicted, 3)
	fmt.Println(predicted, cm, cm.Accuracy())
	fmt.Printf("%+v\n", Mistakes(truth, probs))
	fmt.Println(Row(probs, 3))
	// Output:
	// [0 1 2 0] [[1 0 0] [1 1 0] [0 0 1]] 0.75
	// [{Index:3 True:1 Predicted:0 Probability:0.5}]
	// [0.5 0.4000000059604645 0.10000000149011612]
}

func TestLabelsFromEveryForm(t *testing.T) {
	raw := ndarray.FromUint8([]uint8{3, 0}, 2)
	oneHot, _ := raw.OneHot(4)
	for _, y := range []*ndarray.Array{raw, oneHot, ndarray.FromFloat32([]float32{0, 0, 0, 1, 1, 0, 0, 0}, 2, 4)} {
		if got := Labels(y); fmt.Sprint(got) != "[3 0]" {
			t.Errorf("Labels(%s) = %v, want [3 0]", y, got)
		}
	}
}

func TestMisuseStopsTheCell(t *testing.T) {
	probs := ndarray.FromFloat32([]float32{0.9, 0.1}, 1, 2)
	for _, c := range []struct {
		name string
		call func()
		want string
	}{
		{"float labels [N]", func() { Labels(ndarray.FromFloat32([]float32{3, 0}, 2)) }, "labels must be uint8 [N]"},
		{"images as probabilities", func() { Classes(ndarray.FromUint8([]uint8{1, 2}, 1, 2)) }, "expects probabilities float32 [N, C]"},
		{"lengths differ", func() { Confusion([]int{1}, []int{1, 2}, 3) }, "1 true classes but 2 predictions"},
		{"class out of range", func() { Confusion([]int{5}, []int{1}, 3) }, "outside 0..2"},
		{"row out of range", func() { Row(probs, 1) }, "row 1 of float32 (1, 2) does not exist"},
	} {
		if err := lesson.Catch(c.call); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: stopped with %v, want %q", c.name, err, c.want)
		}
	}
}
