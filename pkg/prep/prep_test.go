package prep

import (
	"fmt"
	"strings"
	"testing"

	"mnistlesson/pkg/ndarray"
)

func Example() {
	// Two 2×2 "images" and their labels, as mnist.LoadData returns them (uint8).
	x := ndarray.FromUint8([]uint8{0, 51, 102, 255, 255, 0, 0, 0}, 2, 2, 2)
	y := ndarray.FromUint8([]uint8{3, 1}, 2)

	flat, _ := Reshape(x, 2, 4)
	norm, _ := Normalize(flat)
	oneHot, _ := ToCategorical(y, 4)
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

func TestReshapeInfersOneDimension(t *testing.T) {
	x := ndarray.FromUint8(make([]uint8, 6*28*28), 6, 28, 28)
	got, err := Reshape(x, -1, 784)
	if err != nil || fmt.Sprint(got.Dims()) != "[6 784]" {
		t.Errorf("Reshape(-1, 784) = %v, %v", got, err)
	}
	if _, err := Reshape(x, 5, 784); err == nil || !strings.Contains(err.Error(), "cannot reshape") {
		t.Errorf("Reshape to the wrong size: err = %v", err)
	}
}

func TestBadInputsFailClearly(t *testing.T) {
	f := ndarray.FromFloat32([]float32{0.5}, 1)
	if _, err := Normalize(f); err == nil || !strings.Contains(err.Error(), "already normalised") {
		t.Errorf("Normalize(float32): err = %v", err)
	}
	y := ndarray.FromUint8([]uint8{3, 12}, 2)
	if _, err := ToCategorical(y, 10); err == nil || !strings.Contains(err.Error(), "label 12 at index 1") {
		t.Errorf("ToCategorical(label 12): err = %v", err)
	}
}
