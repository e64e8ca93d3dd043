package mnist

import (
	"testing"
)

// FuzzParseIDX feeds the IDX reader arbitrary bytes: it must return an error or an array whose
// size matches its header, never panic, and never allocate for a size the data does not back
// (a forged header claiming billions of values must fail before allocating).
// scripts/fuzz runs it for a set time; go test runs the seeds below.
func FuzzParseIDX(f *testing.F) {
	f.Add([]byte{0, 0, 8, 1, 0, 0, 0, 3, 7, 8, 9})                                        // Labels [3].
	f.Add([]byte{0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4})             // Images [1, 2, 2].
	f.Add([]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1}) // Forged header.
	f.Add([]byte{0, 0, 0x0d, 2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0})                      // Floats.
	f.Fuzz(func(t *testing.T, raw []byte) {
		array, err := parseIDX("fuzz.idx", raw)
		if err != nil {
			return
		}
		if size := array.Size(); size != len(raw)-4-4*array.Rank() || size != len(array.Bytes()) {
			t.Fatalf("array of %d values from %d bytes", size, len(raw))
		}
	})
}
