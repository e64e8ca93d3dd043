//go:build unix

package mnist

import (
	"os"
	"syscall"
)

// mapFile maps the first size bytes of f into memory, read-only and shared: every process of a
// class that opens the same cache file shares one copy in the page cache, and pages are read
// only when a cell touches them. The mapping is never unmapped (arrays point into it); files
// are replaced by rename, never rewritten in place, so the mapped bytes do not change under it.
func mapFile(f *os.File, size int) ([]byte, error) {
	if size == 0 {
		return nil, nil
	}
	return syscall.Mmap(int(f.Fd()), 0, size, syscall.PROT_READ, syscall.MAP_SHARED)
}
