package mnist

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"

	"mnistlesson/pkg/ndarray"
)

// maxIDXBytes bounds the decompressed size of one IDX file (MNIST's largest is 47 MB), so that a
// forged file cannot make the reader allocate without limit.
const maxIDXBytes = 64 << 20

// idxTypeUint8 is the IDX type code of unsigned bytes, the only one MNIST uses.
const idxTypeUint8 = 0x08

// DecodeIDX decodes a gzipped IDX file holding unsigned bytes into a uint8 array whose
// dimensions are the ones in the file's header (e.g. [60000, 28, 28] for images, [60000] for
// labels). name is only used in error messages.
func DecodeIDX(name string, gzipped []byte) (*ndarray.Array, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gzipped))
	if err != nil {
		return nil, fmt.Errorf("mnist: %s is not a gzip file (%v); delete it and load again", name, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxIDXBytes+1))
	if err != nil {
		return nil, fmt.Errorf("mnist: %s is damaged, decompression failed (%v); delete it and load again", name, err)
	}
	if len(raw) > maxIDXBytes {
		return nil, fmt.Errorf("mnist: %s decompresses to more than %d bytes, which is not an MNIST file", name, maxIDXBytes)
	}
	return parseIDX(name, raw)
}

// fix is what to do about a file that is not what its name says.
const fix = "it is not the MNIST file of that name: delete it and load again"

// parseIDX decodes an uncompressed IDX file of unsigned bytes.
func parseIDX(name string, raw []byte) (*ndarray.Array, error) {
	if len(raw) < 4 {
		return nil, fmt.Errorf("mnist: %s is too short (%d bytes) to hold an IDX header", name, len(raw))
	}
	if raw[0] != 0 || raw[1] != 0 {
		return nil, fmt.Errorf("mnist: %s has magic number %#x, not an IDX file (its first two bytes must be zero); %s",
			name, binary.BigEndian.Uint32(raw), fix)
	}
	if raw[2] != idxTypeUint8 {
		return nil, fmt.Errorf("mnist: %s holds IDX type %#02x, expected unsigned bytes (0x08); %s", name, raw[2], fix)
	}
	rank := int(raw[3])
	if rank < 1 || rank > 3 {
		return nil, fmt.Errorf("mnist: %s has %d dimensions, expected 1 (labels) or 3 (images); %s", name, rank, fix)
	}
	header := 4 + 4*rank
	if len(raw) < header {
		return nil, fmt.Errorf("mnist: %s is truncated inside its header; %s", name, fix)
	}
	dims := make([]int, rank)
	total := 1
	for i := range dims {
		d := int(binary.BigEndian.Uint32(raw[4+4*i:]))
		if d == 0 || d > maxIDXBytes || total*d > maxIDXBytes {
			return nil, fmt.Errorf("mnist: %s declares dimensions beyond any MNIST file (dimension %d is %d); %s", name, i, d, fix)
		}
		dims[i] = d
		total *= d
	}
	data := raw[header:]
	if len(data) != total {
		return nil, fmt.Errorf("mnist: %s header declares %v = %d values but the file holds %d; %s", name, dims, total, len(data), fix)
	}
	return ndarray.FromUint8(data, dims...), nil
}
