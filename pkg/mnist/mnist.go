package mnist

import (
	"fmt"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/ndarray"
)

// Image geometry and class count of MNIST.
const (
	Height     = 28
	Width      = 28
	NumClasses = 10
	NumTrain   = 60000
	NumTest    = 10000
)

// File describes one of the four gzipped IDX files of MNIST.
type File struct {
	Name   string // e.g. "train-images-idx3-ubyte.gz"
	SHA256 string // hex digest of the gzipped file, as published with the dataset.
	Size   int64  // size in bytes of the gzipped file.
}

// The four files, with the digests of the canonical distribution.
var (
	TrainImages = File{"train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609", 9912422}
	TrainLabels = File{"train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c", 28881}
	TestImages  = File{"t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6", 1648877}
	TestLabels  = File{"t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6", 4542}
)

// Files lists the four files in the order LoadData returns them.
var Files = []File{TrainImages, TrainLabels, TestImages, TestLabels}

// LoadData returns the MNIST training and test sets with Keras' shapes and types, using the
// default Loader (see NewLoader for where files come from).
//
// xTrain: uint8 [60000, 28, 28]; yTrain: uint8 [60000]; xTest: uint8 [10000, 28, 28]; yTest: uint8 [10000].
func LoadData() (xTrain, yTrain, xTest, yTest *ndarray.Array, err error) {
	if xTrain, yTrain, xTest, yTest, err = NewLoader().LoadData(); err == nil {
		classboard.Reached(classboard.StepData) // On a class hub: the teacher's board.
	}
	return
}

// LoadData returns the arrays from the decoded cache, or else decodes the four files fetched
// through the loader's sources and caches the result.
func (l *Loader) LoadData() (xTrain, yTrain, xTest, yTest *ndarray.Array, err error) {
	out := l.decodedCache()
	if out == nil {
		out = make([]*ndarray.Array, len(Files))
		for i, f := range Files {
			raw, err := l.Fetch(f)
			if err != nil {
				return nil, nil, nil, nil, err
			}
			if out[i], err = DecodeIDX(f.Name, raw); err != nil {
				return nil, nil, nil, nil, err
			}
		}
		if err := checkAll(out); err != nil {
			return nil, nil, nil, nil, err
		}
		l.storeDecoded(out)
	}
	return out[0], out[1], out[2], out[3], nil
}

// checkAll checks the four arrays, in Files' order.
func checkAll(arrays []*ndarray.Array) error {
	if err := checkPair(arrays[0], arrays[1], NumTrain); err != nil {
		return err
	}
	return checkPair(arrays[2], arrays[3], NumTest)
}

// checkPair makes sure images and labels agree with each other and with MNIST's known sizes.
func checkPair(images, labels *ndarray.Array, n int) error {
	is, ls := images.Dims(), labels.Dims()
	if len(is) != 3 || is[0] != n || is[1] != Height || is[2] != Width {
		return fmt.Errorf("mnist: images have shape %v, expected [%d %d %d]", is, n, Height, Width)
	}
	if len(ls) != 1 || ls[0] != n {
		return fmt.Errorf("mnist: labels have shape %v, expected [%d]", ls, n)
	}
	return nil
}
