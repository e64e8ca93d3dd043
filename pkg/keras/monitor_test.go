package keras

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/ndarray"
)

// boardRecorder is a stand-in for the class board's report endpoint that keeps what it gets, in
// order, as "kind epoch loss reason" lines.
type boardRecorder struct {
	mu    sync.Mutex
	lines []string
}

func (b *boardRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	batch, err := classboard.Decode(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, rep := range batch.Reports {
		b.lines = append(b.lines, strings.TrimSpace(fmt.Sprintf("%s %d %.1f %s", rep.Kind, rep.Epoch, rep.Loss, rep.Reason)))
	}
}

func monitored(t *testing.T) (*RemoteMonitor, *boardRecorder) {
	rec := &boardRecorder{}
	server := httptest.NewServer(rec)
	t.Cleanup(server.Close)
	c, err := classboard.New(server.URL+"/", "a-token", classboard.Options{Marker: "-"})
	if err != nil {
		t.Fatal(err)
	}
	return &RemoteMonitor{Client: c}, rec
}

func TestRemoteMonitorStreamsTheRun(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 320, 1)
	monitor, rec := monitored(t)
	if _, err := lessonModel(filepath.Join(t.TempDir(), "m")).Fit(x, y).Epochs(2).Output(io.Discard).Callbacks(monitor).Done(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(rec.lines, "; ")
	if len(rec.lines) != 4 || !strings.HasPrefix(rec.lines[0], "train 0") || !strings.HasPrefix(rec.lines[1], "epoch 1 ") ||
		!strings.HasPrefix(rec.lines[2], "epoch 2 ") || rec.lines[3] != "train_end 2 0.0 done" {
		t.Errorf("the board got: %s", got)
	}
}

func TestRemoteMonitorShowsADivergedRun(t *testing.T) {
	x, y, _, _ := mnistSubset(t, 320, 1)
	raw := x.Float32()
	for i := 0; i < 784; i++ {
		raw[100*784+i] = 3e38 // Finite, but the logits overflow.
	}
	monitor, rec := monitored(t)
	_, err := lessonModel(filepath.Join(t.TempDir(), "m")).Fit(ndarray.FromFloat32(raw, 320, 784), y).Epochs(2).
		Output(io.Discard).Callbacks(monitor).Done()
	if err == nil {
		t.Fatal("training went on")
	}
	got := strings.Join(rec.lines, "; ")
	if len(rec.lines) != 3 || !strings.HasPrefix(rec.lines[1], "epoch 1 NaN") ||
		!strings.Contains(rec.lines[2], "train_end 0 0.0 the loss became NaN in epoch 1") {
		t.Errorf("the board got: %s", got)
	}
}
