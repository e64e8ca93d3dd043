package show

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mnistlesson/pkg/ndarray"
)

// DigitImage returns image i of images (uint8 [N, H, W], as mnist.LoadData returns them; or
// flattened [N, H·W] square images, raw or normalised) as a grayscale picture: 0 is black, 255
// white, as plt.imshow with the gray colormap. Only that image's bytes are read.
func DigitImage(images *ndarray.Array, i int) (*image.Gray, error) {
	dims := images.Dims()
	pixels := images.Bytes()
	if pixels == nil || images.Storage() == ndarray.OneHotUint8 || (len(dims) != 3 && len(dims) != 2) {
		return nil, fmt.Errorf("show: expects uint8 images [N, H, W] as mnist.LoadData returns them, got %s", images)
	}
	h, w := dims[1], 1
	if len(dims) == 3 {
		w = dims[2]
	} else if side := int(math.Sqrt(float64(h))); side*side == h {
		h, w = side, side // Flattened square images, e.g. [N, 784] → 28×28.
	}
	if i < 0 || i >= dims[0] {
		return nil, fmt.Errorf("show: image index %d is out of range [0, %d)", i, dims[0])
	}
	img := image.NewGray(image.Rect(0, 0, w, h))
	copy(img.Pix, pixels[i*h*w:(i+1)*h*w])
	return img, nil
}

// labelOf returns labels[i] (uint8 [N], or their one-hot view).
func labelOf(labels *ndarray.Array, i int) (int, error) {
	classes := labels.ClassIndices()
	if classes == nil || i < 0 || i >= len(classes) {
		return 0, fmt.Errorf("show: expects uint8 labels [N] with N > %d, got %s", i, labels)
	}
	return int(classes[i]), nil
}

// labelledDigit returns image i and its label.
func labelledDigit(images, labels *ndarray.Array, i int) (*image.Gray, int, error) {
	img, err := DigitImage(images, i)
	if err != nil {
		return nil, 0, err
	}
	label, err := labelOf(labels, i)
	return img, label, err
}

// digitPlot makes a plot of one digit, without axes, titled title.
func digitPlot(img image.Image, title string) *plot.Plot {
	p := newPlot()
	p.HideAxes()
	p.Title.Text = title
	b := img.Bounds()
	p.Add(plotter.NewImage(img, 0, 0, float64(b.Dx()), float64(b.Dy())))
	return p
}

// DigitPNG draws image i with its label as the title, size×size points.
func DigitPNG(images, labels *ndarray.Array, i int, size vg.Length) ([]byte, error) {
	img, digit, err := labelledDigit(images, labels, i)
	if err != nil {
		return nil, err
	}
	c := vgimg.New(size, size)
	digitPlot(img, fmt.Sprintf("%s: %d", label("정답", "label"), digit)).Draw(draw.New(c))
	return encodePNG(c)
}

// GridPNG draws the first rows×cols digits in a grid, each titled with its label, like the
// original's plt.subplots grid with the gray colormap. width is the picture's width; the height
// keeps the original's 10:13 aspect.
func GridPNG(images, labels *ndarray.Array, rows, cols int, width vg.Length) ([]byte, error) {
	indices := make([]int, rows*cols)
	titles := make([]string, rows*cols)
	for i := range indices {
		digit, err := labelOf(labels, i)
		if err != nil {
			return nil, err
		}
		indices[i], titles[i] = i, fmt.Sprint(digit)
	}
	return titledGridPNG(images, indices, titles, cols, width, width*13/10, vg.Points(12))
}

// titledGridPNG draws images[indices[k]] titled titles[k] (in titleSize type), cols per row, in a
// width×height picture.
func titledGridPNG(images *ndarray.Array, indices []int, titles []string, cols int, width, height, titleSize vg.Length) ([]byte, error) {
	rows := (len(indices) + cols - 1) / cols
	plots := make([][]*plot.Plot, rows)
	for r := range rows {
		plots[r] = make([]*plot.Plot, cols)
		for c := range cols {
			k := r*cols + c
			if k >= len(indices) {
				plots[r][c] = newPlot()
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
