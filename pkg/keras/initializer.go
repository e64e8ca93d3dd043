package keras

import (
	"math"
	"math/rand"

	"github.com/gomlx/compute/shapes"
	"github.com/gomlx/gomlx/core/graph"
	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/model"
)

// glorotUniform is Keras' default initializer, glorot_uniform: weights [in, out] drawn uniformly
// in ±sqrt(6 / (in + out)), biases zero. The values are drawn on the host from rng, in the order
// the layers create their variables, so that one seed gives the same initial weights on every
// backend (GoMLX's in-graph random numbers differ between the XLA and Go backends).
func glorotUniform(rng *rand.Rand) model.VariableInitializer {
	return func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		if shape.Rank() < 2 || !shape.DType.IsFloat() {
			return graph.Zeros(g, shape)
		}
		fanIn, fanOut := shape.Dimensions[0], shape.Dimensions[1]
		limit := math.Sqrt(6 / float64(fanIn+fanOut))
		values := make([]float32, shape.Size())
		for i := range values {
			values[i] = float32((2*rng.Float64() - 1) * limit)
		}
		init := graph.Const(g, tensors.FromFlatDataAndDimensions(values, shape.Dimensions...))
		return graph.ConvertDType(init, shape.DType)
	}
}
