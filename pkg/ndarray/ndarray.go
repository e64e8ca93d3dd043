package ndarray

import (
	"fmt"
	"strings"

	"github.com/gomlx/compute/dtypes"
)

// Storage says how an Array keeps its values.
type Storage int

const (
	// Uint8Values: the values are the bytes.
	Uint8Values Storage = iota
	// Float32Values: float32 values, kept as they are.
	Float32Values
	// ScaledUint8: float32 values byte / 255, computed from the bytes (Normalize).
	ScaledUint8
	// OneHotUint8: float32 one-hot rows [N, Classes] of the class indices in the bytes [N] (OneHot).
	OneHotUint8
)

// Array is a read-only n-dimensional array of uint8 or float32 values, in row-major order.
type Array struct {
	bytes   []uint8   // The values (Uint8Values), or what they are computed from (ScaledUint8, OneHotUint8).
	floats  []float32 // The values of a Float32Values array.
	dims    []int
	storage Storage
	classes int // OneHotUint8 only.
}

// FromUint8 returns an array of the given dimensions over data, which it shares: data must not
// change afterwards. It panics if the dimensions do not match len(data), like
// tensors.FromFlatDataAndDimensions.
func FromUint8(data []uint8, dims ...int) *Array {
	mustMatch(len(data), dims)
	return &Array{bytes: data, dims: append([]int(nil), dims...), storage: Uint8Values}
}

// FromFloat32 returns an array of the given dimensions over data, which it shares.
func FromFloat32(data []float32, dims ...int) *Array {
	mustMatch(len(data), dims)
	return &Array{floats: data, dims: append([]int(nil), dims...), storage: Float32Values}
}

func mustMatch(n int, dims []int) {
	if size(dims) != n || len(dims) == 0 {
		panic(fmt.Sprintf("ndarray: %d values do not fill dimensions %v", n, dims))
	}
}

func size(dims []int) int {
	n := 1
	for _, d := range dims {
		if d < 0 {
			return -1
		}
		n *= d
	}
	return n
}

// Scaled is the float32 value of byte b in a normalised (ScaledUint8) array: float32(b) / 255,
// as NumPy's astype("float32") / 255 computes it. The model's graph converts bytes through a
// table of these values (package keras), so host and device agree to the last bit.
func Scaled(b uint8) float32 { return float32(b) / 255 }

// Storage says how the array keeps its values.
func (a *Array) Storage() Storage { return a.storage }

// DType is Uint8 for Uint8Values arrays, Float32 for all others.
func (a *Array) DType() dtypes.DType {
	if a.storage == Uint8Values {
		return dtypes.Uint8
	}
	return dtypes.Float32
}

// Dims returns a copy of the dimensions, e.g. [60000 28 28].
func (a *Array) Dims() []int { return append([]int(nil), a.dims...) }

// Rank is the number of dimensions.
func (a *Array) Rank() int { return len(a.dims) }

// Len is the first dimension: the number of examples.
func (a *Array) Len() int { return a.dims[0] }

// Size is the number of values.
func (a *Array) Size() int { return size(a.dims) }

// Classes is the number of classes of a OneHotUint8 array, else 0.
func (a *Array) Classes() int { return a.classes }

// String describes the array as NumPy prints dtype and shape, e.g. "uint8 (60000, 28, 28)".
func (a *Array) String() string {
	dims := make([]string, len(a.dims))
	for i, d := range a.dims {
		dims[i] = fmt.Sprint(d)
	}
	return fmt.Sprintf("%s (%s)", strings.ToLower(a.DType().String()), strings.Join(dims, ", "))
}

// Bytes returns the bytes the values come from, shared (do not change them): the values of a
// Uint8Values array, the bytes a ScaledUint8 array divides by 255, the class indices [N] of a
// OneHotUint8 array; nil for Float32Values.
func (a *Array) Bytes() []uint8 { return a.bytes }

// ClassIndices returns the class of each example when the array holds labels as class indices,
// shared: a uint8 array [N] (as MNIST's files hold them) or its one-hot view; else nil.
func (a *Array) ClassIndices() []uint8 {
	if a.storage == OneHotUint8 || (a.storage == Uint8Values && len(a.dims) == 1) {
		return a.bytes
	}
	return nil
}

// Float32 returns the values as float32: shared for Float32Values (do not change them), else
// computed into a new slice.
func (a *Array) Float32() []float32 {
	switch a.storage {
	case Float32Values:
		return a.floats
	case OneHotUint8:
		out := make([]float32, len(a.bytes)*a.classes)
		for i, c := range a.bytes {
			out[i*a.classes+int(c)] = 1
		}
		return out
	}
	out := make([]float32, len(a.bytes))
	if a.storage == ScaledUint8 {
		for i, v := range a.bytes {
			out[i] = Scaled(v)
		}
		return out
	}
	for i, v := range a.bytes {
		out[i] = float32(v)
	}
	return out
}

// Reshape returns a view with new dimensions and the same values, like NumPy's reshape. One
// dimension may be -1: it is inferred from the others. A OneHotUint8 array cannot be reshaped.
func (a *Array) Reshape(dims ...int) (*Array, error) {
	if a.storage == OneHotUint8 {
		return nil, fmt.Errorf("ndarray: cannot reshape one-hot labels %s", a)
	}
	total := a.Size()
	known, free := 1, -1
	for i, d := range dims {
		switch {
		case d == -1 && free < 0:
			free = i
		case d <= 0:
			return nil, fmt.Errorf("ndarray: dimension %d is %d; use positive sizes and at most one -1", i, d)
		default:
			known *= d
		}
	}
	out := append([]int(nil), dims...)
	if free >= 0 {
		if total%known != 0 {
			return nil, fmt.Errorf("ndarray: cannot reshape %v (%d values) into %v", a.dims, total, dims)
		}
		out[free] = total / known
		known *= out[free]
	}
	if known != total {
		return nil, fmt.Errorf("ndarray: cannot reshape %v (%d values) into %v (%d values)", a.dims, total, dims, known)
	}
	view := *a
	view.dims = out
	return &view, nil
}

// Slice returns the examples from (included) to to (excluded) along the first dimension, sharing
// the values: NumPy's a[from:to].
func (a *Array) Slice(from, to int) (*Array, error) {
	if from < 0 || to > a.Len() || from > to {
		return nil, fmt.Errorf("ndarray: slice [%d:%d] is outside the %d examples of %s", from, to, a.Len(), a)
	}
	view := *a
	view.dims = append([]int{to - from}, a.dims[1:]...)
	per := size(a.dims[1:])
	if a.storage == OneHotUint8 {
		per = 1 // One class index per example.
	}
	if a.storage == Float32Values {
		view.floats = a.floats[from*per : to*per]
	} else {
		view.bytes = a.bytes[from*per : to*per]
	}
	return &view, nil
}

// Normalize returns the float32 view byte / 255 of a uint8 array: NumPy's
// x.astype("float32") / 255, computed when the values are asked for.
func (a *Array) Normalize() (*Array, error) {
	if a.storage != Uint8Values {
		return nil, fmt.Errorf("ndarray: Normalize expects uint8 values 0..255, got %s (already normalised?)", a)
	}
	view := *a
	view.storage = ScaledUint8
	return &view, nil
}

// OneHot returns the float32 one-hot view [N, classes] of class indices, a uint8 array [N]:
// Keras' to_categorical. Every index must be below classes.
func (a *Array) OneHot(classes int) (*Array, error) {
	if a.storage != Uint8Values || a.Rank() != 1 {
		return nil, fmt.Errorf("ndarray: OneHot expects uint8 class indices [N], got %s", a)
	}
	if classes <= 0 {
		return nil, fmt.Errorf("ndarray: OneHot needs at least one class, got %d", classes)
	}
	for i, c := range a.bytes {
		if int(c) >= classes {
			return nil, fmt.Errorf("ndarray: label %d at index %d is not below the %d classes", c, i, classes)
		}
	}
	return &Array{bytes: a.bytes, dims: []int{a.Len(), classes}, storage: OneHotUint8, classes: classes}, nil
}

// Range returns the smallest and largest value (0, 0 for an empty array).
func (a *Array) Range() (lo, hi float32) {
	switch a.storage {
	case OneHotUint8:
		if len(a.bytes) == 0 {
			return 0, 0
		}
		if a.classes == 1 {
			return 1, 1
		}
		return 0, 1
	case Float32Values:
		if len(a.floats) == 0 {
			return 0, 0
		}
		lo, hi = a.floats[0], a.floats[0]
		for _, v := range a.floats {
			lo, hi = min(lo, v), max(hi, v)
		}
		return lo, hi
	}
	if len(a.bytes) == 0 {
		return 0, 0
	}
	blo, bhi := a.bytes[0], a.bytes[0]
	for _, v := range a.bytes {
		blo, bhi = min(blo, v), max(bhi, v)
	}
	if a.storage == ScaledUint8 {
		return Scaled(blo), Scaled(bhi)
	}
	return float32(blo), float32(bhi)
}
