package atomicfile_test

import (
	"fmt"
	"os"
	"path/filepath"

	"mnistlesson/pkg/atomicfile"
)

func ExampleWriteFile() {
	path := filepath.Join(os.TempDir(), "atomicfile-example", "notes.txt") // The folder is created.
	defer os.RemoveAll(filepath.Dir(path))
	if err := atomicfile.WriteFile(path, []byte("first")); err != nil {
		fmt.Println(err)
	}
	_ = atomicfile.WriteFile(path, []byte("second")) // Readers see "first" or "second", never half.
	data, _ := os.ReadFile(path)
	entries, _ := os.ReadDir(filepath.Dir(path))
	fmt.Println(string(data), len(entries))
	// Output: second 1
}
