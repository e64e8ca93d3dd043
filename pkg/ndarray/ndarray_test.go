package ndarray

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func Example() {
	// Three 2×2 "images" and their labels, as MNIST's files hold them.
	x := FromUint8([]uint8{0, 51, 102, 255, 1, 2, 3, 4, 5, 6, 7, 8}, 3, 2, 2)
	y := FromUint8([]uint8{2, 0, 1}, 3)

	flat, _ := x.Reshape(-1, 4)
	norm, _ := flat.Normalize()
	first, _ := norm.Slice(0, 1)
	oneHot, _ := y.OneHot(3)
	fmt.Println(x, flat, norm)
	fmt.Println(first.Float32())
	fmt.Println(oneHot, oneHot.Float32())
	fmt.Println(norm.Storage() == ScaledUint8, &norm.Bytes()[0] == &x.Bytes()[0]) // A view of the same bytes.
	// Output:
	// uint8 (3, 2, 2) uint8 (3, 4) float32 (3, 4)
	// [0 0.2 0.4 1]
	// float32 (3, 3) [0 0 1 1 0 0 0 1 0]
	// true true
}

func TestSliceOfEachStorage(t *testing.T) {
	x := FromUint8([]uint8{1, 2, 3, 4, 5, 6}, 3, 2)
	norm, _ := x.Normalize()
	y, _ := FromUint8([]uint8{0, 1, 2}, 3).OneHot(3)
	f := FromFloat32([]float32{1, 2, 3, 4, 5, 6}, 3, 2)
	for _, c := range []struct {
		a    *Array
		want []float32
	}{
		{x, []float32{3, 4, 5, 6}},
		{norm, []float32{3.0 / 255, 4.0 / 255, 5.0 / 255, 6.0 / 255}},
		{y, []float32{0, 1, 0, 0, 0, 1}},
		{f, []float32{3, 4, 5, 6}},
	} {
		s, err := c.a.Slice(1, 3)
		if err != nil || s.Len() != 2 || !slices.Equal(s.Float32(), c.want) {
			t.Errorf("%s[1:3] = %v (%v), want %v", c.a, s.Float32(), err, c.want)
		}
	}
	if _, err := x.Slice(2, 4); err == nil || !strings.Contains(err.Error(), "outside the 3 examples") {
		t.Errorf("x[2:4]: err = %v", err)
	}
}

func TestRangeOfEachStorage(t *testing.T) {
	x := FromUint8([]uint8{7, 200, 3}, 3)
	norm, _ := x.Normalize()
	y, _ := FromUint8([]uint8{0, 1}, 2).OneHot(2)
	for _, c := range []struct {
		a      *Array
		lo, hi float32
	}{
		{x, 3, 200},
		{norm, 3.0 / 255, 200.0 / 255},
		{y, 0, 1},
		{FromFloat32([]float32{-2, 0.5}, 2), -2, 0.5},
	} {
		if lo, hi := c.a.Range(); lo != c.lo || hi != c.hi {
			t.Errorf("%s: Range = %v, %v; want %v, %v", c.a, lo, hi, c.lo, c.hi)
		}
	}
}

func TestMisuseFailsClearly(t *testing.T) {
	x := FromUint8(make([]uint8, 12), 3, 4)
	norm, _ := x.Normalize()
	oneHot, _ := FromUint8([]uint8{1}, 1).OneHot(2)
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"reshape to another size", func() error { _, err := x.Reshape(5, 2); return err }(), "cannot reshape"},
		{"two free dimensions", func() error { _, err := x.Reshape(-1, -1); return err }(), "at most one -1"},
		{"normalise twice", func() error { _, err := norm.Normalize(); return err }(), "already normalised"},
		{"one-hot of images", func() error { _, err := x.OneHot(10); return err }(), "class indices [N]"},
		{"label too large", func() error { _, err := FromUint8([]uint8{3, 10}, 2).OneHot(10); return err }(), "label 10 at index 1"},
		{"reshape one-hot", func() error { _, err := oneHot.Reshape(2); return err }(), "cannot reshape one-hot"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "do not fill") {
			t.Errorf("FromUint8 with the wrong size: recovered %v", r)
		}
	}()
	FromUint8(make([]uint8, 5), 2, 3)
}
