package classboard

import (
	"bytes"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	// The tests of the process's client need it off, whatever environment runs them.
	os.Unsetenv(EnvURL)
	os.Unsetenv(EnvToken)
	os.Exit(m.Run())
}

// Off a hub, every call is a nil check: no allocation, no goroutine.
func TestOffHubCostsNothing(t *testing.T) {
	if FromEnv() != nil {
		t.Fatal("FromEnv is on without CLASS_BOARD_URL")
	}
	goroutines := runtime.NumGoroutine()
	allocs := testing.AllocsPerRun(100, func() {
		Reached(StepData)
		Compiled("784 → 64 (relu) → 32 (relu) → 10 (softmax)", 52650)
		run := Train(100)
		run.Epoch(1, 0.3, 0.9)
		run.End(1, "done")
		Evaluated(0.1, 0.97)
		Check("compile", true, "ok")
		ErrorLine("Error: something")
		Flush()
	})
	if allocs != 0 {
		t.Errorf("off a hub, the calls allocate %v times", allocs)
	}
	if n := runtime.NumGoroutine(); n != goroutines {
		t.Errorf("off a hub, goroutines went from %d to %d", goroutines, n)
	}
}

// board is a stand-in for the board's POST endpoint, used for the faults a real board does
// not make on purpose (hanging, refusing, going away).
type board struct {
	srv     *httptest.Server
	mu      sync.Mutex
	reports []Report
	status  atomic.Int32
	delay   atomic.Int64
}

func newBoard(t *testing.T) *board {
	b := &board{}
	b.status.Store(200)
	b.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if d := time.Duration(b.delay.Load()); d > 0 {
			select {
			case <-time.After(d):
			case <-r.Context().Done():
				return
			}
		}
		batch, err := Decode(r.Body)
		if err != nil || r.Header.Get("Authorization") != "token tok" {
			http.Error(w, `{"error":"bad"}`, 400)
			return
		}
		if s := int(b.status.Load()); s != 200 {
			http.Error(w, `{"error":"refused on purpose"}`, s)
			return
		}
		b.mu.Lock()
		b.reports = append(b.reports, batch.Reports...)
		b.mu.Unlock()
		w.Write([]byte(`{"stored":1}`))
	}))
	t.Cleanup(b.srv.Close)
	return b
}

func (b *board) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.reports)
}

type lines struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lines) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func newClient(t *testing.T, url string, marker string) (*Client, *lines) {
	out := &lines{}
	if marker == "" {
		marker = "-"
	}
	c, err := New(url, "tok", Options{Stderr: out, Marker: marker})
	if err != nil {
		t.Fatal(err)
	}
	return c, out
}

func TestDeliversEverythingInOrder(t *testing.T) {
	b := newBoard(t)
	c, out := newClient(t, b.srv.URL+"/services/class-board/", "")
	c.Report(Report{Kind: KindStep, Step: StepData})
	run := c.Train(100)
	for e := 1; e <= 100; e++ {
		run.Epoch(e, 1/float64(e), 0.9)
	}
	run.End(100, "")
	if n := b.count(); n != 103 {
		t.Fatalf("board has %d reports, want 103", n)
	}
	b.mu.Lock()
	for i, r := range b.reports[2:102] {
		if r.Kind != KindEpoch || r.Epoch != i+1 || r.Run != run.id {
			t.Fatalf("report %d: %+v", i+2, r)
		}
	}
	if last := b.reports[102]; last.Kind != KindTrainEnd || last.Reason != "done" {
		t.Errorf("last report %+v", last)
	}
	b.mu.Unlock()
	sent, dropped, blocked := c.Stats()
	if sent != 103 || dropped != 0 || out.String() != "" {
		t.Errorf("sent %d dropped %d said %q", sent, dropped, out.String())
	}
	t.Logf("103 reports, blocked %v in all", blocked)
}

// A board that hangs costs the process its Budget once, then nothing.
func TestSlowBoardCostsTheBudgetOnceAndLosesNothing(t *testing.T) {
	b := newBoard(t)
	b.delay.Store(int64(300 * time.Millisecond)) // As a hub's board with a class training at once can be.
	c, out := newClient(t, b.srv.URL+"/", "")
	start := time.Now()
	c.Report(Report{Kind: KindStep, Step: StepData})
	first := time.Since(start)
	start = time.Now()
	for range 20 {
		c.Report(Report{Kind: KindStep, Step: StepData})
		c.Send(Report{Kind: KindError, Message: "Error: x"})
		c.Flush()
	}
	rest := time.Since(start)
	// The budget's timer, plus what a busy 2-core machine adds to waking up.
	if first < Budget || first > Budget+150*time.Millisecond {
		t.Errorf("the first waiting report to a slow board took %v; the budget is %v", first, Budget)
	}
	if rest > 10*time.Millisecond {
		t.Errorf("the next 20 took %v, want nothing", rest)
	}
	// Slow is not down: nothing is said, and the process's goroutine posts everything while the
	// process runs (a training cell runs for seconds).
	deadline := time.Now().Add(10 * time.Second)
	for b.count() < 41 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := b.count(); got != 41 || out.String() != "" {
		t.Errorf("the slow board got %d of 41 reports; said %q", got, out.String())
	}
	t.Logf("first %v, next 20 %v", first, rest)
}

// A board that hangs past a request's timeout counts as down: one line, and the rest of this
// process's reports are dropped without waiting.
func TestHangingBoardIsDown(t *testing.T) {
	b := newBoard(t)
	b.delay.Store(int64(requestTimeout + time.Second))
	c, out := newClient(t, b.srv.URL+"/", "")
	c.Report(Report{Kind: KindStep, Step: StepData})
	deadline := time.Now().Add(requestTimeout + 5*time.Second)
	for !strings.Contains(out.String(), "progress not sent") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	start := time.Now()
	c.Report(Report{Kind: KindStep, Step: StepImages})
	if waited := time.Since(start); waited > 10*time.Millisecond || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("after the hang: waited %v; said %q", waited, out.String())
	}
}

// A board that is down: one line, and later processes of the same server (the marker) skip it
// for a while, silently.
func TestDownBoard(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + l.Addr().String() + "/"
	l.Close() // Nothing listens there now.
	marker := filepath.Join(t.TempDir(), "down")

	c, out := newClient(t, url, marker)
	start := time.Now()
	c.Report(Report{Kind: KindStep, Step: StepData})
	c.Report(Report{Kind: KindStep, Step: StepImages})
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("a refused connection cost %v", d)
	}
	if !strings.Contains(out.String(), "class board") || strings.Count(out.String(), "\n") != 1 {
		t.Errorf("said %q", out.String())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("no marker: %v", err)
	}

	// The next process of this server: silent, and it does not even try.
	c2, out2 := newClient(t, url, marker)
	c2.Report(Report{Kind: KindStep, Step: StepData})
	if out2.String() != "" {
		t.Errorf("the second process said %q", out2.String())
	}
	if sent, dropped, _ := c2.Stats(); sent != 0 || dropped != 1 {
		t.Errorf("second process: sent %d dropped %d", sent, dropped)
	}

	// After retryAfter, a process tries again, and stays silent (said less than 10 min ago).
	old := time.Now().Add(-time.Minute)
	os.Chtimes(marker, old, old)
	c3, out3 := newClient(t, url, marker)
	c3.Report(Report{Kind: KindStep, Step: StepData})
	if out3.String() != "" {
		t.Errorf("the third process said %q", out3.String())
	}
}

// A refusal (a 4xx other than 401/403) loses that batch only; a rate limit (429) is silent.
func TestRefusalsDropOnlyTheirBatch(t *testing.T) {
	b := newBoard(t)
	c, out := newClient(t, b.srv.URL+"/", "")
	b.status.Store(429)
	c.Report(Report{Kind: KindStep, Step: StepData})
	if out.String() != "" {
		t.Errorf("a rate limit was said: %q", out.String())
	}
	b.status.Store(422)
	c.Report(Report{Kind: KindStep, Step: StepImages})
	if !strings.Contains(out.String(), "refused on purpose") {
		t.Errorf("a refusal was not said: %q", out.String())
	}
	b.status.Store(200)
	c.Report(Report{Kind: KindStep, Step: StepPreprocessed})
	if b.count() != 1 {
		t.Errorf("after refusals, %d reports stored, want 1", b.count())
	}
	b.status.Store(403)
	c.Report(Report{Kind: KindStep, Step: StepCompiled})
	c.Report(Report{Kind: KindStep, Step: StepTraining})
	if sent, dropped, _ := c.Stats(); sent != 1 || dropped != 4 {
		t.Errorf("sent %d dropped %d, want 1 and 4", sent, dropped)
	}
}

// An invalid report is dropped before it is queued, so that it cannot spoil a batch.
func TestInvalidReportIsDroppedAlone(t *testing.T) {
	b := newBoard(t)
	c, out := newClient(t, b.srv.URL+"/", "")
	run := c.Train(3)
	run.Epoch(1, 0.5, 0.9)
	run.Epoch(2, 0.4, 1.7) // An accuracy above 1: a bug in the caller.
	run.End(2, "done")
	if b.count() != 3 || !strings.Contains(out.String(), "accuracy") {
		t.Errorf("stored %d (want 3), said %q", b.count(), out.String())
	}
}

func TestNilClientAndRun(t *testing.T) {
	var c *Client
	c.Send(Report{})
	c.Report(Report{})
	c.Flush()
	var r *Run = c.Train(3)
	r.Epoch(1, 1, 1)
	r.End(1, "x")
	if s, d, b := c.Stats(); s+d != 0 || b != 0 {
		t.Error("a nil client has stats")
	}
}

func TestNewRefusesBadURL(t *testing.T) {
	for _, u := range []string{"", "ftp://x/", "not a url", "http://"} {
		if _, err := New(u, "tok", Options{}); err == nil {
			t.Errorf("New(%q) accepted", u)
		}
	}
}
