//go:build !unix

package mnist

import (
	"io"
	"os"
)

// mapFile reads the first size bytes of f: systems without mmap get a private copy.
func mapFile(f *os.File, size int) ([]byte, error) {
	data := make([]byte, size)
	_, err := io.ReadFull(io.NewSectionReader(f, 0, int64(size)), data)
	return data, err
}
