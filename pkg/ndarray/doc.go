// Package ndarray holds the lesson's datasets on the host, the counterpart of the NumPy arrays
// of the Keras lesson: MNIST's images and labels, and the preprocessed versions of them.
//
// An Array is read-only and cheap to make. Its bytes may live in a memory-mapped file (the
// decoded MNIST cache of package mnist), and the views that preprocessing makes share them:
//
//	x := ndarray.FromUint8(pixels, 60000, 28, 28) // uint8 (60000, 28, 28)
//	x, _ = x.Reshape(60000, 784)                  // same bytes
//	xf, _ := x.Normalize()                        // float32 (60000, 784): each value is byte / 255
//	y, _ := ndarray.FromUint8(labels, 60000).OneHot(10) // float32 (60000, 10)
//
// A view's float32 values are computed only when asked for (Float32). This matters in a
// GoNB notebook: each cell runs in a new process that re-runs every declaration of the cells
// before it, so a cell that draws one digit should not convert 60,000 images.
package ndarray
