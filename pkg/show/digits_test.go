package show

import (
	"bytes"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/ndarray"
)

// fakeDigits makes n images [n, 28, 28] where image k is filled with value k, and labels k%10.
func fakeDigits(n int) (*ndarray.Array, *ndarray.Array) {
	px := make([]uint8, n*28*28)
	lb := make([]uint8, n)
	for k := range n {
		for j := range 28 * 28 {
			px[k*784+j] = uint8(k)
		}
		lb[k] = uint8(k % 10)
	}
	return ndarray.FromUint8(px, n, 28, 28), ndarray.FromUint8(lb, n)
}

func TestDigitImagePicksTheRightPixels(t *testing.T) {
	x, _ := fakeDigits(5)
	img, err := DigitImage(x, 3)
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 28 || img.Bounds().Dy() != 28 || img.GrayAt(10, 10).Y != 3 {
		t.Errorf("image 3: bounds %v, pixel %v", img.Bounds(), img.GrayAt(10, 10))
	}
	if _, err := DigitImage(x, 5); err == nil {
		t.Error("index 5 of 5 should fail")
	}
	// The lesson's later views of the same images: flattened, then normalised.
	flat, _ := x.Reshape(5, 784)
	norm, _ := flat.Normalize()
	for _, v := range []*ndarray.Array{flat, norm} {
		img, err := DigitImage(v, 3)
		if err != nil || img.Bounds().Dx() != 28 || img.GrayAt(10, 10).Y != 3 {
			t.Errorf("image 3 of %s: %v, %v", v, img.Bounds(), err)
		}
	}
}

func TestGridIsAPNGOfTheAskedSize(t *testing.T) {
	x, y := fakeDigits(100)
	data, err := GridPNG(x, y, 10, 10, 5*vg.Inch)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() < 300 || b.Dy()*10 != b.Dx()*13 {
		t.Errorf("grid is %dx%d, want a 10:13 picture", b.Dx(), b.Dy())
	}
	if _, err := GridPNG(x, y, 11, 10, 5*vg.Inch); err == nil {
		t.Error("a grid larger than the data should fail")
	}
}
