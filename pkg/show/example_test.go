package show_test

import (
	"bytes"
	"fmt"
	"image/png"

	"gonum.org/v1/plot/vg"

	"mnistlesson/pkg/ndarray"
	"mnistlesson/pkg/show"
)

func ExampleGridPNG() {
	// 100 "digits", each a flat 28×28 image of one grey level, labelled 0..9 in turn.
	pixels, labels := make([]uint8, 100*28*28), make([]uint8, 100)
	for i := range labels {
		labels[i] = uint8(i % 10)
		for j := range 28 * 28 {
			pixels[i*784+j] = uint8(2 * i)
		}
	}
	images := ndarray.FromUint8(pixels, 100, 28, 28)
	data, err := show.GridPNG(images, ndarray.FromUint8(labels, 100), 10, 10, 5*vg.Inch) // 5 inches at 96 dpi.
	if err != nil {
		fmt.Println(err)
		return
	}
	img, _ := png.Decode(bytes.NewReader(data))
	fmt.Println("grid picture:", img.Bounds().Dx(), "×", img.Bounds().Dy(), "pixels")
	// Output: grid picture: 480 × 624 pixels
}
