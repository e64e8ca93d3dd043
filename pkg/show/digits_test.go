package show

import (
	"bytes"
	"image/png"
	"testing"

	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/keras"
	"mnistlesson/pkg/lesson/lessontest"
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

// The notebook-facing functions stop the cell with one line naming the problem.
func TestMisuseStopsTheCell(t *testing.T) {
	x, y := fakeDigits(20)
	probs := ndarray.FromFloat32(make([]float32, 20*10), 20, 10)
	lessontest.ExpectStops(t,
		lessontest.Case{Name: "no such image", Call: func() { Digit(x, y, 20) }, Want: "show: image index 20 is out of range [0, 20)"},
		lessontest.Case{Name: "grid larger than the data", Call: func() { Grid(x, y, 10, 10) }, Want: "show: expects uint8 labels [N] with N > 20"},
		lessontest.Case{Name: "images as probabilities", Call: func() { ConfusionMatrix(y, x) }, Want: "metrics: Classes expects probabilities"},
		lessontest.Case{Name: "labels of another set", Call: func() { Mistakes(x, y, ndarray.FromFloat32(make([]float32, 30), 3, 10), 2, 2) },
			Want: "metrics: 20 true classes but 3 predictions"},
		lessontest.Case{Name: "prediction row out of range", Call: func() { Prediction(x, y, 25, probs) }, Want: "metrics: row 25"},
		lessontest.Case{Name: "curves before training", Call: func() { History(keras.Sequential().SaveDir(t.TempDir())) },
			Want: "callbacks: no training history in"},
		lessontest.Case{Name: "summary of a model without layers", Call: func() { Summary(keras.Sequential()) }, Want: "keras: Sequential needs at least one layer"},
	)
}
