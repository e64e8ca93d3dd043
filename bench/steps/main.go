// Command steps says where the time of one training step goes. It times parts of the lesson's
// step (784-64-32-10, batch 32, Adam) on a backend, each run 125 steps per call in a graph While
// loop as keras.Fit runs them, and prints a Markdown table. The first rows build the step up one
// part at a time, so the difference between two rows is what a part costs; the last rows time
// the first layer's two large products alone, and another layout of the same step.
//
// The data are random, with MNIST's shapes: the timings do not depend on the values.
//
// Usage: steps BACKEND (e.g. xla:cpu). Environment: STEPS_REPEAT (calls per row, default 40).
package main

import (
	"fmt"
	"math/rand"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/gomlx/compute/dtypes"
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/core/tensors"

	"mnistlesson/pkg/backend"
	"mnistlesson/pkg/lesson"
)

const examples, batch, steps = 60000, 32, 125

// units are the layers' widths, input first.
var units = []int{784, 64, 32, 10}

// part is one row of the table: how much of a training step the loop body runs.
type part int

const (
	gatherOnly part = iota
	firstProduct
	forwardPass
	loss
	gradients
	sgd
	adam
	weightGradientProduct           // gather, then xb^T [784,32] x dh [32,64], as autodiff makes it
	weightGradientProductTransposed // gather, then dh^T [64,32] x xb [32,784]
	adamFeaturesFirst               // adam with kernels read as [units, inputs], activations [features, batch]
)

var rows = []struct {
	name string
	part part
}{
	{"gather the batch (x [32, 784], y [32, 10])", gatherOnly},
	{"+ first product [32, 784] x [784, 64]", firstProduct},
	{"+ the rest of the forward pass", forwardPass},
	{"+ softmax cross-entropy", loss},
	{"+ gradients (computed, not applied)", gradients},
	{"+ SGD update (gradients applied)", sgd},
	{"Adam instead of SGD: the whole step", adam},
	{"gather + weight gradient x^T [784, 32] x dh [32, 64]", weightGradientProduct},
	{"gather + the same product as dh^T [64, 32] x x [32, 784]", weightGradientProductTransposed},
	{"whole step, activations as [features, batch]", adamFeaturesFirst},
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: steps BACKEND (e.g. xla:cpu)")
		os.Exit(2)
	}
	b := lesson.Must1(backend.Choose(os.Args[1], os.Stderr))
	repeat := 40
	if v, err := strconv.Atoi(os.Getenv("STEPS_REPEAT")); err == nil && v > 0 {
		repeat = v
	}
	args := randomInputs()
	fmt.Println(backend.Describe(b))
	fmt.Println()
	fmt.Println("| part of the step | ms/step (median) | p10 | p90 |")
	fmt.Println("|---|---:|---:|---:|")
	for _, row := range rows {
		exec := lesson.Must1(NewExec(b, func(in []*Node) []*Node { return loop(row.part, in) }))
		var times []float64
		for r := range repeat + 3 { // The first calls compile and warm up.
			start := time.Now()
			out := lesson.Must1(exec.Call(args...))
			out[0].Value() // Waits for the result.
			if r >= 3 {
				times = append(times, time.Since(start).Seconds()*1000/steps)
			}
			for _, t := range out {
				t.FinalizeAll()
			}
		}
		exec.Finalize()
		sort.Float64s(times)
		fmt.Printf("| %s | %.3f | %.3f | %.3f |\n", row.name, times[len(times)/2], times[len(times)/10], times[len(times)*9/10])
	}
}

// randomInputs returns x [60000, 784] (80% zeros, like MNIST), one-hot y [60000, 10], batches
// [125, 32] int32, the 6 weights and Adam's 12 moments.
func randomInputs() []any {
	rng := rand.New(rand.NewSource(1))
	x := make([]float32, examples*units[0])
	for i := range x {
		if rng.Intn(5) == 0 {
			x[i] = rng.Float32()
		}
	}
	y := make([]float32, examples*10)
	for i := range examples {
		y[i*10+rng.Intn(10)] = 1
	}
	idx := make([]int32, steps*batch)
	for i := range idx {
		idx[i] = int32(rng.Intn(examples))
	}
	args := []any{
		tensors.FromFlatDataAndDimensions(x, examples, units[0]),
		tensors.FromFlatDataAndDimensions(y, examples, 10),
		tensors.FromFlatDataAndDimensions(idx, steps, batch),
	}
	var weights []*tensors.Tensor
	for l := range 3 {
		w := make([]float32, units[l]*units[l+1])
		for i := range w {
			w[i] = (rng.Float32() - 0.5) * 0.1
		}
		weights = append(weights, tensors.FromFlatDataAndDimensions(w, units[l], units[l+1]),
			tensors.FromFlatDataAndDimensions(make([]float32, units[l+1]), units[l+1]))
	}
	for _, w := range weights {
		args = append(args, w)
	}
	for _, w := range weights {
		args = append(args, tensors.FromShape(w.Shape()), tensors.FromShape(w.Shape()))
	}
	return args
}

// loop runs the body for part 125 times in a While loop. in: x, y, batches, 6 weights, 12
// moments. The loop's state is a counter, a running sum, and in; all of it but the data is
// returned, so that XLA cannot drop any of the work as unused.
func loop(p part, in []*Node) []*Node {
	g := in[0].Graph()
	initial := append([]*Node{Const(g, int32(0)), Const(g, float32(0))}, in...)
	parameters := func(g *Graph) []*Node {
		s := make([]*Node, len(initial))
		for i, n := range initial {
			s[i] = Parameter(g, fmt.Sprintf("state_%d", i), n.Shape())
		}
		return s
	}
	body := NewClosure(g, func(g *Graph) []*Node {
		s := parameters(g)
		next := append([]*Node{}, s...)
		next[0] = AddScalar(s[0], 1)
		step(p, s[0], s[1], s[2], s[3], s[4], s[5:11], s[11:23], next[1:2], next[5:11], next[11:23])
		return next
	})
	cond := NewClosure(g, func(g *Graph) []*Node {
		s := parameters(g)
		return []*Node{LessThan(s[0], Const(g, int32(steps)))}
	})
	final := While(cond, body, initial...)
	return append([]*Node{final[1]}, final[5:]...)
}

// step builds one iteration's work for part p, writing the new sum, weights and moments
// into the given slices of the next state.
func step(p part, counter, sum, x, y, batches *Node, w, moments, nextSum, nextW, nextMoments []*Node) {
	row := Reshape(Gather(batches, Reshape(counter, 1, 1)), batch, 1)
	xb := Gather(x, row) // [32, 784]
	yb := Gather(y, row) // [32, 10]
	switch p {
	case gatherOnly:
		nextSum[0] = Add(sum, Add(ReduceAllSum(xb), ReduceAllSum(yb)))
		return
	case firstProduct:
		nextSum[0] = Add(sum, ReduceAllSum(Dot(xb, w[0]).Product()))
		return
	case weightGradientProduct, weightGradientProductTransposed:
		// Any [32, 64] stands for dh: the first 32 rows of a moment, seen as [32, 64] or [64, 32].
		dh := Slice(moments[1], AxisRange(0, batch))
		if p == weightGradientProduct {
			nextMoments[0] = Einsum("bi,bj->ij", xb, dh) // [784, 64]
		} else {
			nextMoments[0] = Reshape(Dot(Reshape(dh, units[1], batch), xb).Product(), units[0], units[1])
		}
		return
	}
	var logits *Node
	if p == adamFeaturesFirst {
		logits = forwardFeaturesFirst(xb, w)
	} else {
		logits = forward(xb, w)
	}
	if p == forwardPass {
		nextSum[0] = Add(sum, ReduceAllSum(logits))
		return
	}
	// Softmax cross-entropy of logits [32, 10] against one-hot yb, averaged over the batch.
	top := ReduceAndKeep(logits, ReduceMax, -1)
	logSumExp := Add(Log(ReduceSum(Exp(Sub(logits, top)), -1)), Reshape(top, batch))
	l := ReduceAllMean(Sub(logSumExp, ReduceSum(Mul(yb, logits), -1)))
	nextSum[0] = Add(sum, l)
	if p == loss {
		return
	}
	grads := Gradient(l, w...)
	switch p {
	case gradients:
		for i, gr := range grads {
			nextMoments[2*i] = gr
		}
	case sgd:
		for i, gr := range grads {
			nextW[i] = Sub(w[i], MulScalar(gr, 0.001))
		}
	default: // Adam, as Keras' defaults: learning rate 0.001, beta 0.9 and 0.999, epsilon 1e-7.
		// Keras' bias correction: the learning rate at step t (from 1) is
		// 0.001 · sqrt(1 - 0.999^t) / (1 - 0.9^t).
		g := sum.Graph()
		t := ConvertDType(AddScalar(counter, 1), dtypes.Float32)
		rate := MulScalar(Div(Sqrt(OneMinus(Pow(Scalar(g, dtypes.Float32, 0.999), t))),
			OneMinus(Pow(Scalar(g, dtypes.Float32, 0.9), t))), 0.001)
		for i, gr := range grads {
			m := Add(MulScalar(moments[2*i], 0.9), MulScalar(gr, 0.1))
			v := Add(MulScalar(moments[2*i+1], 0.999), MulScalar(Mul(gr, gr), 0.001))
			nextMoments[2*i], nextMoments[2*i+1] = m, v
			nextW[i] = Sub(w[i], Div(Mul(m, rate), AddScalar(Sqrt(v), 1e-7)))
		}
	}
}

// forward is the model: x [32, 784] -> logits [32, 10], kernels [inputs, units] as Keras has them.
func forward(x *Node, w []*Node) *Node {
	h := x
	for l := range 3 {
		h = Add(Dot(h, w[2*l]).Product(), InsertAxes(w[2*l+1], 0))
		if l < 2 {
			h = Max(h, ZerosLike(h))
		}
	}
	return h
}

// forwardFeaturesFirst is forward with each kernel's memory read as [units, inputs], and the
// activations as [features, batch], so that every large product has the layout XLA CPU gives to
// YNNPACK, the weight gradient included (dh^T [64, 32] x x [32, 784]).
func forwardFeaturesFirst(x *Node, w []*Node) *Node {
	h := x
	for l := range 3 {
		kernel := Reshape(w[2*l], units[l+1], units[l])
		if l == 0 {
			h = Dot(kernel, h).General([]int{1}, nil, []int{1}, nil) // [64, 784] x [32, 784]^T
		} else {
			h = Dot(kernel, h).Product()
		}
		h = Add(h, InsertAxes(w[2*l+1], 1))
		if l < 2 {
			h = Max(h, ZerosLike(h))
		}
	}
	return Transpose(h, 0, 1)
}
