package keras

import (
	"github.com/gomlx/compute"
	"github.com/gomlx/compute/dtypes"
	"github.com/gomlx/compute/shapes"
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/ndarray"
)

// How arrays reach the backend. A normalised array (prep.Normalize: byte / 255, a view of the
// uint8 images) goes as its bytes, 4 times smaller than float32: 47 MB instead of 188 MB for the
// training images, on the device as on the host. The model converts each batch when it reads it
// (modelInput). Every other array goes as float32.

// pixelValues[b] is ndarray.Scaled(b), byte b's value in a normalised array, as NumPy computes
// it. A graph division would not always give the same value: XLA CPU multiplies by the
// reciprocal instead, which differs in the last bit for 126 of the 256 bytes.
var pixelValues = func() []float32 {
	table := make([]float32, 256)
	for b := range table {
		table[b] = ndarray.Scaled(uint8(b))
	}
	return table
}()

// inputTensor returns a's values as a tensor for b (a host tensor when b is nil): the bytes of a
// normalised array, copied straight from its memory (a mapped file, for MNIST) into the
// backend's buffer, else float32.
func inputTensor(b compute.Backend, a *ndarray.Array) (*tensors.Tensor, error) {
	if a.Storage() == ndarray.ScaledUint8 {
		return tensors.FromRaw(b, 0, shapes.Make(dtypes.Uint8, a.Dims()...), a.Bytes())
	}
	return tensors.FromFlatDataAndDimensions(a.Float32(), a.Dims()...), nil
}

// modelInput turns a batch of inputs into the model's float32 values: uint8 bytes of a
// normalised array become byte / 255 (looked up in pixelValues); float32 stays as it is.
// x: [batch, inputDim].
func modelInput(x *Node) *Node {
	if x.DType() != dtypes.Uint8 {
		return x
	}
	return Gather(Const(x.Graph(), pixelValues), ExpandAxes(ConvertDType(x, dtypes.Int32), -1))
}
