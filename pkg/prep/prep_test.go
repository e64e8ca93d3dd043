package prep

import (
	"fmt"
	"testing"

	"mnistlesson/pkg/lesson/lessontest"
	"mnistlesson/pkg/ndarray"
)

func Example() {
	// Two 2×2 "images" and their labels, as mnist.LoadData returns them (uint8).
	x := ndarray.FromUint8([]uint8{0, 51, 102, 255, 255, 0, 0, 0}, 2, 2, 2)
	y := ndarray.FromUint8([]uint8{3, 1}, 2)

	flat := Reshape(x, 2, 4)
	norm := Normalize(flat)
	oneHot := ToCategorical(y, 4)
	fmt.Println(Describe(flat))
	fmt.Println(Describe(norm))
	fmt.Println(Describe(oneHot))
	fmt.Println(norm.Float32()[:4])
	fmt.Println(oneHot.Float32())
	// Output:
	// uint8 (2, 4)
	// float32 (2, 4), values 0.0 to 1.0
	// float32 (2, 4), values 0.0 to 1.0
	// [0 0.2 0.4 1]
	// [0 0 0 1 0 1 0 0]
}

func TestSliceIsTheExamplesAsked(t *testing.T) {
	x := ndarray.FromUint8([]uint8{1, 2, 3, 4, 5, 6}, 3, 2)
	if got := Slice(x, 1, 2); fmt.Sprint(got.Dims(), got.Bytes()) != "[1 2] [3 4]" {
		t.Errorf("Slice(1, 2) = %v %v", got.Dims(), got.Bytes())
	}
}

func TestReshapeInfersOneDimension(t *testing.T) {
	x := ndarray.FromUint8(make([]uint8, 6*28*28), 6, 28, 28)
	if got := Reshape(x, -1, 784); fmt.Sprint(got.Dims()) != "[6 784]" {
		t.Errorf("Reshape(-1, 784) = %v", got)
	}
}

func TestMisuseStopsTheCellWithTheFix(t *testing.T) {
	x := ndarray.FromUint8(make([]uint8, 6*28*28), 6, 28, 28)
	lessontest.ExpectStops(t,
		lessontest.Case{Name: "wrong size", Call: func() { Reshape(x, 5, 784) },
			Want: "prep: ndarray: cannot reshape [6 28 28] (4704 values) into [5 784]"},
		lessontest.Case{Name: "normalised twice", Call: func() { Normalize(ndarray.FromFloat32([]float32{0.5}, 1)) },
			Want: "already normalised"},
		lessontest.Case{Name: "slice past the end", Call: func() { Slice(x, 5, 7) }, Want: "prep: ndarray: slice [5:7] is outside the 6 examples"},
		lessontest.Case{Name: "label too large", Call: func() { ToCategorical(ndarray.FromUint8([]uint8{3, 12}, 2), 10) },
			Want: "label 12 at index 1"},
	)
}
