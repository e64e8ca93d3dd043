// Package show draws the lesson's pictures and displays them inline in the notebook: one digit
// (plt.imshow) and a grid of digits titled with their labels (the 10×10 subplot grid of the
// original). Pictures are drawn with gonum/plot into PNG images and handed to GoNB, so they
// stay in the saved notebook and in its HTML export.
package show

import (
	"bytes"
	"fmt"
	"image"
	"image/png"

	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/janpfeifer/gonb/gonbui"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// DigitImage returns image i of images (uint8 [N, H, W], as mnist.LoadData returns them) as a
// grayscale picture: 0 is black, 255 white, as plt.imshow with the gray colormap.
func DigitImage(images *tensors.Tensor, i int) (*image.Gray, error) {
	s := images.Shape()
	if s.DType != dtypes.Uint8 || s.Rank() != 3 {
		return nil, fmt.Errorf("show: expects uint8 images [N, H, W] as mnist.LoadData returns them, got %s", s)
	}
	n, h, w := s.Dimensions[0], s.Dimensions[1], s.Dimensions[2]
	if i < 0 || i >= n {
		return nil, fmt.Errorf("show: image index %d is out of range [0, %d)", i, n)
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	err := tensors.ConstFlatData(images, func(flat []uint8) {
		copy(img.Pix, flat[i*h*w:(i+1)*h*w])
	})
	return img, err
}

// labelOf returns labels[i] (uint8 [N]).
func labelOf(labels *tensors.Tensor, i int) (int, error) {
	if labels.DType() != dtypes.Uint8 || labels.Shape().Rank() != 1 || i >= labels.Shape().Dimensions[0] {
		return 0, fmt.Errorf("show: expects uint8 labels [N] with N > %d, got %s", i, labels.Shape())
	}
	var label int
	err := tensors.ConstFlatData(labels, func(flat []uint8) { label = int(flat[i]) })
	return label, err
}

// labelledDigit returns image i and its label.
func labelledDigit(images, labels *tensors.Tensor, i int) (*image.Gray, int, error) {
	img, err := DigitImage(images, i)
	if err != nil {
		return nil, 0, err
	}
	label, err := labelOf(labels, i)
	return img, label, err
}

// digitPlot makes a plot of one digit, without axes, titled title.
func digitPlot(img image.Image, title string) *plot.Plot {
	p := plot.New()
	p.HideAxes()
	p.Title.Text = title
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	return p
}

// DigitPNG draws image i with its label as the title, size×size points.
func DigitPNG(images, labels *tensors.Tensor, i int, size vg.Length) ([]byte, error) {
	img, label, err := labelledDigit(images, labels, i)
	if err != nil {
		return nil, err
	}
	c := vgimg.New(size, size)
	digitPlot(img, fmt.Sprintf("label: %d", label)).Draw(draw.New(c))
	return encodePNG(c)
}

// GridPNG draws the first rows×cols digits in a grid, each titled with its label, like the
// original's plt.subplots grid with the gray colormap. width is the picture's width; the height
// keeps the original's 10:13 aspect.
func GridPNG(images, labels *tensors.Tensor, rows, cols int, width vg.Length) ([]byte, error) {
	indices := make([]int, rows*cols)
	titles := make([]string, rows*cols)
	for i := range indices {
		label, err := labelOf(labels, i)
		if err != nil {
			return nil, err
		}
		indices[i], titles[i] = i, fmt.Sprint(label)
	}
	return titledGridPNG(images, indices, titles, cols, width, width*13/10, vg.Points(12))
}

// titledGridPNG draws images[indices[k]] titled titles[k] (in titleSize type), cols per row, in a
// width×height picture.
func titledGridPNG(images *tensors.Tensor, indices []int, titles []string, cols int, width, height, titleSize vg.Length) ([]byte, error) {
	rows := (len(indices) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range rows {
		plots[r] = make([]*plot.Plot, cols)
		for c := range cols {
			k := r*cols + c
			if k >= len(indices) {
				plots[r][c] = plot.New()
				plots[r][c].HideAxes()
				continue
			}
			img, err := DigitImage(images, indices[k])
			if err != nil {
				return nil, err
			}
			plots[r][c] = digitPlot(img, titles[k])
			plots[r][c].Title.TextStyle.Font.Size = titleSize
		}
	}
	canvas := vgimg.New(width, height)
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: vg.Points(2), PadY: vg.Points(2),
		PadTop: vg.Points(4), PadBottom: vg.Points(4), PadLeft: vg.Points(4), PadRight: vg.Points(4)}
	canvases := plot.Align(plots, tiles, draw.New(canvas))
	for r := range rows {
		for c := range cols {
			plots[r][c].Draw(canvases[r][c])
		}
	}
	return encodePNG(canvas)
}

func encodePNG(c *vgimg.Canvas) ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.Image()); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Digit displays image i with its label inline in the notebook (plt.imshow(x_train[i])).
func Digit(images, labels *tensors.Tensor, i int) error {
	data, err := DigitPNG(images, labels, i, 3*vg.Inch)
	if err != nil {
		return err
	}
	gonbui.DisplayPNG(data)
	return nil
}

// Grid displays the first rows×cols digits with their labels inline in the notebook.
func Grid(images, labels *tensors.Tensor, rows, cols int) error {
	data, err := GridPNG(images, labels, rows, cols, 7.5*vg.Inch)
	if err != nil {
		return err
	}
	gonbui.DisplayPNG(data)
	return nil
}
