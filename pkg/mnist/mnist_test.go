package mnist

import (
	"bytes"
	"compress/gzip"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gomlx/compute/dtypes"

	"mnistlesson/pkg/ndarray"
)

// offlineLoader reads from the GoMNIST module only, caching into a fresh folder.
func offlineLoader(t *testing.T) (*Loader, *bytes.Buffer) {
	t.Helper()
	dir, err := moduleDataDir()
	if err != nil {
		t.Fatalf("GoMNIST module data not found (run `go mod download`): %v", err)
	}
	var log bytes.Buffer
	return &Loader{CacheDir: t.TempDir(), ModuleDataDir: dir, Log: &log}, &log
}

func TestLoadDataShapesAndTypes(t *testing.T) {
	l, _ := offlineLoader(t)
	xTrain, yTrain, xTest, yTest, err := l.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		a    *ndarray.Array
		dims []int
	}{
		{"xTrain", xTrain, []int{60000, 28, 28}},
		{"yTrain", yTrain, []int{60000}},
		{"xTest", xTest, []int{10000, 28, 28}},
		{"yTest", yTest, []int{10000}},
	} {
		if c.a.DType() != dtypes.Uint8 {
			t.Errorf("%s dtype = %s, want uint8", c.name, c.a.DType())
		}
		if !slices.Equal(c.a.Dims(), c.dims) {
			t.Errorf("%s dims = %v, want %v", c.name, c.a.Dims(), c.dims)
		}
	}
	labels := yTrain.Bytes()
	// The first training digits of MNIST are 5, 0, 4, 1, 9.
	if got := labels[:5]; !bytes.Equal(got, []byte{5, 0, 4, 1, 9}) {
		t.Errorf("first labels = %v, want [5 0 4 1 9]", got)
	}
	counts := make([]int, 10)
	for _, y := range labels {
		if y > 9 {
			t.Fatalf("label %d out of range", y)
		}
		counts[y]++
	}
	if counts[1] != 6742 { // The most frequent digit in the training set.
		t.Errorf("count of 1s = %d, want 6742", counts[1])
	}
	// Every file is now in the cache, verified.
	for _, f := range Files {
		if _, err := readVerified(filepath.Join(l.CacheDir, f.Name), f); err != nil {
			t.Errorf("cache of %s: %v", f.Name, err)
		}
	}
}

func TestCorruptedCacheFileIsReplaced(t *testing.T) {
	l, log := offlineLoader(t)
	path := filepath.Join(l.CacheDir, TrainLabels.Name)
	good, err := os.ReadFile(filepath.Join(l.ModuleDataDir, TrainLabels.Name))
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(good)
	bad[len(bad)/2] ^= 0xff // One flipped byte.
	if err := os.MkdirAll(l.CacheDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	data, err := l.Fetch(TrainLabels)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, good) {
		t.Fatal("Fetch returned the corrupted bytes")
	}
	if cached, _ := os.ReadFile(path); !bytes.Equal(cached, good) {
		t.Error("the cache still holds the corrupted file")
	}
	if !strings.Contains(log.String(), TrainLabels.SHA256) || !strings.Contains(log.String(), path) {
		t.Errorf("log should name the file and the expected hash, got %q", log.String())
	}
}

func TestCorruptedFileWithNoOtherSourceFailsClearly(t *testing.T) {
	cache := t.TempDir()
	path := filepath.Join(cache, TestLabels.Name)
	if err := os.WriteFile(path, []byte("truncated"), 0o644); err != nil {
		t.Fatal(err)
	}
	l := &Loader{CacheDir: cache}
	_, err := l.Fetch(TestLabels)
	if err == nil {
		t.Fatal("expected an error")
	}
	msg := err.Error()
	for _, want := range []string{TestLabels.Name, TestLabels.SHA256, "227b1c2e53cf" /* sha256("truncated") */, "load again"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not contain %q", msg, want)
		}
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Error("the corrupted file was left in the cache")
	}
}

// serve starts a loopback server that answers every request with handler.
func serve(t *testing.T, handler http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return srv.URL
}

// moduleFile returns the good copy of f that ships in the GoMNIST module.
func moduleFile(t *testing.T, f File) []byte {
	t.Helper()
	dir, err := moduleDataDir()
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, f.Name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestDownloadIsVerifiedAndCached(t *testing.T) {
	good := moduleFile(t, TestLabels)
	var log bytes.Buffer
	l := &Loader{CacheDir: t.TempDir(), Log: &log, MirrorURL: serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(good)
	})}
	data, err := l.Fetch(TestLabels)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, good) {
		t.Fatal("downloaded bytes differ")
	}
	if !strings.Contains(log.String(), "Downloading "+TestLabels.Name) {
		t.Errorf("no progress shown, log = %q", log.String())
	}
	assertOnlyFiles(t, l.CacheDir, TestLabels.Name)
}

func TestBadDownloadsLeaveNothing(t *testing.T) {
	good := moduleFile(t, TestLabels)
	cases := map[string]http.HandlerFunc{
		"corrupted": func(w http.ResponseWriter, r *http.Request) {
			bad := bytes.Clone(good)
			bad[100] ^= 1
			_, _ = w.Write(bad)
		},
		"interrupted": func(w http.ResponseWriter, r *http.Request) {
			// Promise the whole file, send half, then drop the connection.
			w.Header().Set("Content-Length", "4542")
			_, _ = w.Write(good[:len(good)/2])
			panic(http.ErrAbortHandler)
		},
		"missing": func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) },
	}
	for name, handler := range cases {
		t.Run(name, func(t *testing.T) {
			l := &Loader{CacheDir: t.TempDir(), MirrorURL: serve(t, handler)}
			_, err := l.Fetch(TestLabels)
			if err == nil {
				t.Fatal("expected an error")
			}
			if !strings.Contains(err.Error(), TestLabels.Name) {
				t.Errorf("error %q does not name the file", err)
			}
			assertOnlyFiles(t, l.CacheDir)
			// The next call, with a good mirror, recovers.
			l.MirrorURL = serve(t, func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(good) })
			if _, err := l.Fetch(TestLabels); err != nil {
				t.Fatalf("recovery failed: %v", err)
			}
			assertOnlyFiles(t, l.CacheDir, TestLabels.Name)
		})
	}
}

func assertOnlyFiles(t *testing.T, dir string, want ...string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("cache holds %v, want %v", got, want)
	}
}

func gz(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	_, _ = w.Write(raw)
	_ = w.Close()
	return b.Bytes()
}

func TestDecodeIDXRejectsWrongFiles(t *testing.T) {
	cases := map[string]struct {
		raw  []byte
		want string
	}{
		"bad magic":        {[]byte{1, 2, 8, 1, 0, 0, 0, 1, 7}, "magic number"},
		"float data":       {[]byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 7, 7, 7, 7}, "IDX type"},
		"absurd dimension": {[]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 28, 0, 0, 0, 28}, "dimensions beyond"},
		"too few values":   {[]byte{0, 0, 8, 1, 0, 0, 0, 5, 1, 2}, "holds 2"},
		"truncated header": {[]byte{0, 0, 8, 3, 0, 0}, "truncated"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := DecodeIDX("x.gz", gz(t, c.raw))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "x.gz") {
				t.Errorf("err = %v, want one naming x.gz and containing %q", err, c.want)
			}
		})
	}
	if _, err := DecodeIDX("x.gz", []byte("plain")); err == nil || !strings.Contains(err.Error(), "not a gzip") {
		t.Errorf("err = %v, want a gzip error", err)
	}
}

func TestDecodedCacheIsUsedByLaterLoads(t *testing.T) {
	l, _ := offlineLoader(t)
	xTrain, _, _, yTest, err := l.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := openDecoded(l.decodedPath()); err != nil {
		t.Fatalf("the first load left no good decoded cache: %v", err)
	}
	// With the gzipped files gone and no other source, only the decoded cache can answer.
	for _, f := range Files {
		_ = os.Remove(filepath.Join(l.CacheDir, f.Name))
	}
	l.ModuleDataDir = ""
	xTrain2, _, _, yTest2, err := l.LoadData()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(xTrain.Bytes(), xTrain2.Bytes()) || !bytes.Equal(yTest.Bytes(), yTest2.Bytes()) {
		t.Error("the decoded cache holds other values than the decoded files")
	}
}

// TestDamagedDecodedCacheIsReplaced damages the decoded cache in each way a disk or an
// interrupted copy can, and checks that the next load notices, says so, and rebuilds it.
func TestDamagedDecodedCacheIsReplaced(t *testing.T) {
	damages := map[string]func(data []byte) []byte{
		"one byte of the images flipped":  func(d []byte) []byte { d[headerSize+1000] ^= 0x10; return d },
		"last byte of the labels flipped": func(d []byte) []byte { d[len(d)-1] ^= 1; return d },
		"truncated":                       func(d []byte) []byte { return d[:len(d)-4096] },
		"header overwritten":              func(d []byte) []byte { copy(d[20:], "garbage"); return d },
		"from other source files": func(d []byte) []byte {
			return bytes.Replace(d, []byte(TestLabels.SHA256), []byte(strings.Repeat("0", 64)), 1)
		},
		"empty": func(d []byte) []byte { return nil },
	}
	l, _ := offlineLoader(t)
	if _, _, _, _, err := l.LoadData(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(l.decodedPath())
	if err != nil {
		t.Fatal(err)
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			if err := os.WriteFile(l.decodedPath(), damage(bytes.Clone(good)), 0o644); err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			l.Log = &log
			if _, _, _, _, err := l.LoadData(); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "decoded cache") || !strings.Contains(log.String(), "is damaged") {
				t.Errorf("the damage was not reported: %q", log.String())
			}
			if now, _ := os.ReadFile(l.decodedPath()); !bytes.Equal(now, good) {
				t.Error("the decoded cache was not rebuilt")
			}
		})
	}
}
