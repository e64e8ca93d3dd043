package mnist

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"mnistlesson/pkg/atomicfile"
	"mnistlesson/pkg/ndarray"
)

// The decoded cache holds the four arrays, decoded once, in one file that a new process maps
// into memory instead of reading, hashing and decompressing the four gzipped files (0.5-0.9 s in
// every notebook cell, since GoNB re-runs LoadData's declaration in each cell's process).
//
// Its layout: a 4096-byte header (the magic "MNISTnd1", then JSON, padded with zeros), then the
// arrays' bytes, back to back.
//
// Checks, and what they cost: the gzipped files it comes from are verified with SHA-256 before
// it is written, and the header records their hashes. Each later open checks the header (format,
// source hashes, array sizes, file size) and a CRC-32C of all the arrays' bytes, read through a
// small buffer (about 15 ms for 55 MB; it does not add the arrays to the process's memory, as
// reading them through the mapping would). CRC-32C catches a truncated file, a partial write
// and altered bytes; it does not stop a deliberate forgery, which needs write access to the
// user's cache (where the gzipped files could be replaced too). A file that fails any check is
// removed and rebuilt from the verified gzipped files, with a warning.
const (
	decodedName   = "mnist-decoded-v1.bin"
	decodedMagic  = "MNISTnd1"
	decodedFormat = "mnist-decoded-v1"
	headerSize    = 4096
)

type decodedHeader struct {
	Format  string            `json:"format"`
	Sources map[string]string `json:"sources"` // Gzipped file name -> its SHA-256.
	Arrays  []decodedArray    `json:"arrays"`  // In Files' order.
	CRC32C  uint32            `json:"crc32c"`  // Of everything after the header.
}

type decodedArray struct {
	Name   string `json:"name"`
	Dims   []int  `json:"dims"`
	Offset int    `json:"offset"` // From the start of the file.
	Length int    `json:"length"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// encodeDecoded lays out the four arrays (in Files' order) as a decoded cache file.
func encodeDecoded(arrays []*ndarray.Array) ([]byte, error) {
	h := decodedHeader{Format: decodedFormat, Sources: map[string]string{}}
	offset := headerSize
	for i, f := range Files {
		h.Sources[f.Name] = f.SHA256
		n := len(arrays[i].Bytes())
		h.Arrays = append(h.Arrays, decodedArray{Name: f.Name, Dims: arrays[i].Dims(), Offset: offset, Length: n})
		offset += n
	}
	out := make([]byte, offset)
	for i, a := range h.Arrays {
		copy(out[a.Offset:], arrays[i].Bytes())
	}
	h.CRC32C = crc32.Checksum(out[headerSize:], castagnoli)
	header, err := json.Marshal(h)
	if err != nil {
		return nil, err
	}
	if len(decodedMagic)+len(header) > headerSize {
		return nil, fmt.Errorf("mnist: decoded cache header is %d bytes, more than %d", len(header), headerSize)
	}
	copy(out, decodedMagic)
	copy(out[len(decodedMagic):], header)
	return out, nil
}

// openDecoded checks the decoded cache at path and maps its arrays into memory. An error
// wrapping fs.ErrNotExist means there is none yet; any other error, that it is damaged.
func openDecoded(path string) ([]*ndarray.Array, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	h, err := readHeader(f, info.Size())
	if err != nil {
		return nil, fmt.Errorf("mnist: decoded cache %s is damaged: %w", path, err)
	}
	sum := crc32.New(castagnoli)
	if _, err := io.Copy(sum, io.NewSectionReader(f, headerSize, info.Size()-headerSize)); err != nil {
		return nil, fmt.Errorf("mnist: reading decoded cache %s: %w", path, err)
	}
	if sum.Sum32() != h.CRC32C {
		return nil, fmt.Errorf("mnist: decoded cache %s is damaged: CRC-32C %08x, expected %08x", path, sum.Sum32(), h.CRC32C)
	}
	data, err := mapFile(f, int(info.Size()))
	if err != nil {
		return nil, fmt.Errorf("mnist: mapping decoded cache %s: %w", path, err)
	}
	arrays := make([]*ndarray.Array, len(h.Arrays))
	for i, a := range h.Arrays {
		arrays[i] = ndarray.FromUint8(data[a.Offset:a.Offset+a.Length:a.Offset+a.Length], a.Dims...)
	}
	if err := checkAll(arrays); err != nil {
		return nil, fmt.Errorf("mnist: decoded cache %s is damaged: %w", path, err)
	}
	return arrays, nil
}

// readHeader parses and checks the header of a decoded cache file of the given size.
func readHeader(f io.ReaderAt, fileSize int64) (*decodedHeader, error) {
	raw := make([]byte, headerSize)
	if _, err := f.ReadAt(raw, 0); err != nil {
		return nil, fmt.Errorf("header unreadable (%d bytes in all): %w", fileSize, err)
	}
	if !bytes.HasPrefix(raw, []byte(decodedMagic)) {
		return nil, errors.New("it does not start with " + decodedMagic)
	}
	var h decodedHeader
	if err := json.Unmarshal(bytes.TrimRight(raw[len(decodedMagic):], "\x00"), &h); err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if h.Format != decodedFormat || len(h.Arrays) != len(Files) {
		return nil, fmt.Errorf("format %q with %d arrays, expected %q with %d", h.Format, len(h.Arrays), decodedFormat, len(Files))
	}
	next := headerSize
	for i, f := range Files {
		a := h.Arrays[i]
		if h.Sources[f.Name] != f.SHA256 || a.Name != f.Name {
			return nil, fmt.Errorf("it was not decoded from the expected %s", f.Name)
		}
		size := 1
		for _, d := range a.Dims {
			size *= d
		}
		if len(a.Dims) == 0 || slices.Min(a.Dims) <= 0 || size != a.Length || a.Offset != next {
			return nil, fmt.Errorf("array %s: dimensions %v, offset %d and length %d do not fit", a.Name, a.Dims, a.Offset, a.Length)
		}
		next += a.Length
	}
	if int64(next) != fileSize {
		return nil, fmt.Errorf("it holds %d bytes, expected %d (truncated?)", fileSize, next)
	}
	return &h, nil
}

// decodedCache returns the arrays from the decoded cache when it is there and good, else nil
// (then it must be built). A damaged one is removed and reported in Log.
func (l *Loader) decodedCache() []*ndarray.Array {
	if l.CacheDir == "" {
		return nil
	}
	path := l.decodedPath()
	arrays, err := openDecoded(path)
	if err == nil {
		return arrays
	}
	if !errors.Is(err, fs.ErrNotExist) {
		_ = os.Remove(path)
		fmt.Fprintf(l.logw(), "%v\nRemoved it; decoding the verified MNIST files again.\n", err)
	}
	return nil
}

// storeDecoded writes the decoded cache atomically; failing to is not fatal, only slower later.
func (l *Loader) storeDecoded(arrays []*ndarray.Array) {
	if l.CacheDir == "" {
		return
	}
	data, err := encodeDecoded(arrays)
	if err == nil {
		err = atomicfile.WriteFile(l.decodedPath(), data)
	}
	if err != nil {
		fmt.Fprintf(l.logw(), "mnist: could not write the decoded cache: %v\n", err)
	}
}

func (l *Loader) decodedPath() string { return filepath.Join(l.CacheDir, decodedName) }
