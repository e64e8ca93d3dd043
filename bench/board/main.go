// Command board is the class board's load benchmark (scripts/bench board): a real JupyterHub
// (the project's, from .venv) on the loopback with the board as its managed service, as
// scripts/classroom runs them, and simulated students posting reports with their own hub tokens.
//
//  1. lesson: every student at once posts a whole lesson's reports, one request each as the
//     kernel's client does: steps, the model, 100 epochs, the end of training, the evaluation,
//     the checks, an error (114 reports), with no pause between them;
//  2. burst: then every student at once fires -burst single-report requests, 8 in flight per
//     student: more than the rate limit allows, on purpose.
//
// It prints, and writes into docs/classroom.md between <!-- board --> and <!-- /board -->, a
// table per phase: p50/p99 time of a report (the request's round trip), reports sent, stored,
// refused by the rate limit; the board's memory (RSS, peak); the page's update delay (a teacher's
// live stream, api/events, seeing a probe student's report). Stored counts come from the board's
// store (its CSV export), so "nothing lost" is checked, not assumed.
//
// Loopback only: every address it uses is 127.0.0.1, and it stops after -timeout.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"mnistlesson/pkg/classboard"
)

var (
	students = flag.Int("students", 30, "simulated students")
	epochs   = flag.Int("epochs", 100, "epochs of each student's training")
	burst    = flag.Int("burst", 300, "single-report requests per student in the burst")
	timeout  = flag.Duration("timeout", 10*time.Minute, "the whole benchmark's limit")
	docPath  = flag.String("doc", "", "write the table into this Markdown file, between <!-- board --> and <!-- /board -->")
	jsonPath = flag.String("json", "", "write the figures as JSON here")
	keep     = flag.Bool("keep", false, "keep the temporary folder (hub log, board database)")
)

const (
	board   = "/services/class-board/"
	teacher = "bench-teacher"
	probe   = "bench-probe"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("bench board: ")
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	if err := run(ctx); err != nil {
		log.Fatal(err)
	}
}

// freePort is a free TCP port on the loopback.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func root() string {
	if r := os.Getenv("LESSON_ROOT"); r != "" {
		return r
	}
	wd, _ := os.Getwd()
	return wd
}

type hubProc struct {
	dir, api, public, boardURL, adminToken string
	cmd                                    *exec.Cmd
	boardBin                               string
}

const hubConfig = `# Written by bench/board: a hub on the loopback with the class board as its managed service.
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = %[1]d
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = %[2]d
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:%[3]d"
c.ConfigurableHTTPProxy.command = [%[4]q]
c.ConfigurableHTTPProxy.pid_file = %[5]q + "/proxy.pid"
c.JupyterHub.db_url = "sqlite:///" + %[5]q + "/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = %[5]q + "/cookie_secret"
c.JupyterHub.pid_file = %[5]q + "/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.JupyterHub.api_page_max_limit = 10  # So that the board's list of users takes several pages.
c.Authenticator.allowed_users = set(%[6]s)
c.Authenticator.admin_users = {%[7]q}
c.JupyterHub.load_roles = [{"name": "class-board", "services": ["class-board"],
                            "scopes": ["list:users", "read:users:name", "read:users:activity"]}]
c.JupyterHub.services = [
    {"name": "bench-admin", "api_token": %[8]q, "admin": True},
    {"name": "class-board", "url": "http://127.0.0.1:%[9]d", "oauth_no_confirm": True,
     "command": [%[10]q, "--db=" + %[5]q + "/class-board.sqlite"]},
]
`

func startHub(ctx context.Context, names []string) (*hubProc, error) {
	dir, err := os.MkdirTemp("", "bench-board-")
	if err != nil {
		return nil, err
	}
	h := &hubProc{dir: dir, adminToken: fmt.Sprintf("bench-%d-%d", os.Getpid(), time.Now().UnixNano())}
	h.boardBin = filepath.Join(dir, "class-board")
	build := exec.CommandContext(ctx, "go", "build", "-o", h.boardBin, "./pkg/classboard/cmd/class-board")
	build.Dir, build.Stdout, build.Stderr = root(), os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("building the board: %w", err)
	}
	venv := filepath.Join(root(), ".venv")
	proxy := filepath.Join(venv, "lib", "hub-proxy", "node_modules", ".bin", "configurable-http-proxy")
	if _, err := os.Stat(proxy); err != nil {
		return nil, fmt.Errorf("no JupyterHub proxy at %s (scripts/setup installs it when npm is there): %w", proxy, err)
	}
	port, hubPort, proxyAPI, boardPort := freePort(), freePort(), freePort(), freePort()
	quoted, _ := json.Marshal(append(names, probe))
	config := fmt.Sprintf(hubConfig, port, hubPort, proxyAPI, proxy, dir, quoted, teacher, h.adminToken, boardPort, h.boardBin)
	if err := os.WriteFile(filepath.Join(dir, "jupyterhub_config.py"), []byte(config), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "hub.log"))
	if err != nil {
		return nil, err
	}
	h.cmd = exec.Command(filepath.Join(venv, "bin", "jupyterhub"), "-f", filepath.Join(dir, "jupyterhub_config.py"))
	h.cmd.Dir, h.cmd.Stdout, h.cmd.Stderr = dir, logFile, logFile
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := h.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting JupyterHub: %w", err)
	}
	h.public = fmt.Sprintf("http://127.0.0.1:%d", port)
	h.api = fmt.Sprintf("http://127.0.0.1:%d/hub/api", hubPort)
	h.boardURL = fmt.Sprintf("http://127.0.0.1:%d%s", boardPort, board)
	for _, u := range []string{h.public + "/hub/health", h.boardURL + "health"} {
		if err := waitHTTP(ctx, u, 90*time.Second); err != nil {
			h.stop()
			return nil, fmt.Errorf("%w (log: %s)", err, filepath.Join(dir, "hub.log"))
		}
	}
	return h, nil
}

func waitHTTP(ctx context.Context, url string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(300 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer within %v", url, limit)
}

func (h *hubProc) stop() {
	if h.cmd == nil || h.cmd.Process == nil {
		return
	}
	_ = h.cmd.Process.Signal(syscall.SIGTERM) // The hub stops its services and proxy.
	done := make(chan struct{})
	go func() { h.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		_ = syscall.Kill(-h.cmd.Process.Pid, syscall.SIGKILL)
		<-done
	}
}

// token asks the hub (as the admin service) for an API token of user.
func (h *hubProc) token(ctx context.Context, user string) (string, error) {
	body := strings.NewReader(`{"note": "bench/board", "expires_in": 3600}`)
	req, _ := http.NewRequestWithContext(ctx, "POST", h.api+"/users/"+user+"/tokens", body)
	req.Header.Set("Authorization", "token "+h.adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var answer struct {
		Token string `json:"token"`
	}
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &answer); err != nil || resp.StatusCode != 201 || answer.Token == "" {
		return "", fmt.Errorf("a token for %s: HTTP %d %s", user, resp.StatusCode, data)
	}
	return answer.Token, nil
}

// boardPID is the board's process: the child of the hub running the binary built here.
func (h *hubProc) boardPID() int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && bytes.HasPrefix(cmdline, []byte(h.boardBin+"\x00")) {
			var pid int
			fmt.Sscan(e.Name(), &pid)
			return pid
		}
	}
	return 0
}

// memory is the board's resident memory now and at its peak, in MB.
func memory(pid int) (rss, peak float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		var kb float64
		if _, err := fmt.Sscanf(line, "VmRSS: %f kB", &kb); err == nil {
			rss = kb / 1024
		}
		if _, err := fmt.Sscanf(line, "VmHWM: %f kB", &kb); err == nil {
			peak = kb / 1024
		}
	}
	return rss, peak
}

// student is one simulated student: their client and what they sent.
type student struct {
	name     string
	client   *classboard.Client
	accepted atomic.Int64 // Reports the board answered 200 for.
	limited  atomic.Int64 // Reports refused with 429.
	other    atomic.Int64 // Reports refused otherwise, or lost to errors.
}

// latencies collects request round trips.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

func (l *latencies) pct(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	s := slices.Clone(l.d)
	slices.Sort(s)
	return s[min(len(s)-1, int(math.Round(q*float64(len(s)-1))))]
}

func (s *student) post(ctx context.Context, lat *latencies, reports ...classboard.Report) {
	start := time.Now()
	err := s.client.Post(ctx, reports)
	lat.add(time.Since(start))
	var se *classboard.StatusError
	switch {
	case err == nil:
		s.accepted.Add(int64(len(reports)))
	case errors.As(err, &se) && se.Code == http.StatusTooManyRequests:
		s.limited.Add(int64(len(reports)))
	default:
		s.other.Add(int64(len(reports)))
		log.Printf("%s: %v", s.name, err)
	}
}

// lesson is a whole lesson's reports, in the order the kernel sends them.
func lesson(n int) []classboard.Report {
	var r []classboard.Report
	for s := classboard.StepLibraries; s <= classboard.StepPreprocessed; s++ {
		r = append(r, classboard.Report{Kind: classboard.KindStep, Step: s})
	}
	r = append(r, classboard.Report{Kind: classboard.KindModel, Layers: "784 → 64 (relu) → 32 (relu) → 10 (softmax)", Params: 52650})
	run := fmt.Sprintf("bench%03d", n)
	r = append(r, classboard.Report{Kind: classboard.KindTrain, Run: run, Epochs: *epochs})
	for e := 1; e <= *epochs; e++ {
		loss := 0.3*math.Exp(-float64(e)/10) + 0.01 + 0.002*float64(n%7)
		r = append(r, classboard.Report{Kind: classboard.KindEpoch, Run: run, Epoch: e, Epochs: *epochs, Loss: loss, Accuracy: 1 - loss/3})
	}
	r = append(r, classboard.Report{Kind: classboard.KindTrainEnd, Run: run, Epoch: *epochs, Epochs: *epochs, Reason: "done"},
		classboard.Report{Kind: classboard.KindEvaluate, Loss: 0.09, Accuracy: 0.97 + float64(n%10)/1000},
		classboard.Report{Kind: classboard.KindStep, Step: classboard.StepErrorAnalysis})
	for _, ex := range []string{"preprocess", "model", "compile", "evaluate"} {
		r = append(r, classboard.Report{Kind: classboard.KindCheck, Exercise: ex, Passed: n%5 != 0, Message: "ok"})
	}
	return append(r, classboard.Report{Kind: classboard.KindError, Message: "Error: x_train has 28×28 values per image; the model wants 784"})
}

// watcher is the teacher's page: it reads api/events and notes when the probe's report count
// reaches each value.
type watcher struct {
	mu   sync.Mutex
	seen map[int]time.Time // The probe's report count → when the page first showed it.
}

func watch(ctx context.Context, url, token string, w *watcher) error {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"api/events", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		return fmt.Errorf("api/events: HTTP %d", resp.StatusCode)
	}
	go func() {
		defer resp.Body.Close()
		lines := bufio.NewScanner(resp.Body)
		lines.Buffer(nil, 64<<20)
		for lines.Scan() {
			line := lines.Text()
			if !strings.HasPrefix(line, "data: ") {
				continue
			}
			now := time.Now()
			var s struct {
				Tiles []struct {
					Name    string `json:"name"`
					Reports int    `json:"reports"`
				} `json:"tiles"`
			}
			if json.Unmarshal([]byte(line[6:]), &s) != nil {
				continue
			}
			for _, t := range s.Tiles {
				if t.Name == probe {
					w.mu.Lock()
					for k := 1; k <= t.Reports; k++ {
						if _, ok := w.seen[k]; !ok {
							w.seen[k] = now
						}
					}
					w.mu.Unlock()
				}
			}
		}
	}()
	return nil
}

// probing posts one report every 20 ms for the probe student until stop, and returns, per
// report, when it was sent (the probe's count after it is the index + 1).
func probing(ctx context.Context, c *classboard.Client, stop <-chan struct{}) *[]time.Time {
	sent := &[]time.Time{}
	var mu sync.Mutex
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			at := time.Now()
			if c.Post(ctx, []classboard.Report{{Kind: classboard.KindStep, Step: classboard.StepData}}) == nil {
				mu.Lock()
				*sent = append(*sent, at)
				mu.Unlock()
			}
		}
	}()
	return sent
}

// Phase is one phase's figures.
type Phase struct {
	Name        string  `json:"name"`
	Requests    int     `json:"requests"`
	Sent        int64   `json:"reports_sent"`
	Accepted    int64   `json:"reports_accepted"`
	Stored      int64   `json:"reports_stored"` // From the store, for the phase's students.
	RateLimited int64   `json:"reports_rate_limited"`
	Other       int64   `json:"reports_other_failures"`
	Seconds     float64 `json:"seconds"`
	P50ms       float64 `json:"report_p50_ms"`
	P99ms       float64 `json:"report_p99_ms"`
	PageP50ms   float64 `json:"page_update_p50_ms"`
	PageP99ms   float64 `json:"page_update_p99_ms"`
	PageMaxms   float64 `json:"page_update_max_ms"`
	RSSMB       float64 `json:"board_rss_mb"`
	PeakMB      float64 `json:"board_peak_rss_mb"`
}

// storedPerUser counts the rows of the board's CSV export (its store) per user.
func storedPerUser(ctx context.Context, url, token string) (map[string]int64, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"api/reports.csv", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("the CSV export: %w", err)
	}
	counts := map[string]int64{}
	for _, r := range rows[1:] {
		counts[r[2]]++
	}
	return counts, nil
}

func run(ctx context.Context) error {
	names := make([]string, *students)
	for i := range names {
		names[i] = fmt.Sprintf("bench-s%02d", i+1)
	}
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		loadAverage = strings.Fields(string(data))[0]
	}
	started := time.Now()
	h, err := startHub(ctx, names)
	if err != nil {
		return err
	}
	defer func() {
		h.stop()
		if *keep {
			log.Printf("kept %s", h.dir)
		} else {
			os.RemoveAll(h.dir)
		}
	}()
	log.Printf("JupyterHub and the board up in %.1fs (board %s)", time.Since(started).Seconds(), h.boardURL)
	for _, u := range []string{h.public, h.api, h.boardURL} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			return fmt.Errorf("not a loopback address: %s", u)
		}
	}
	pid := h.boardPID()
	if pid == 0 {
		return fmt.Errorf("the board's process was not found")
	}
	rss0, _ := memory(pid)

	teacherToken, err := h.token(ctx, teacher)
	if err != nil {
		return err
	}
	probeToken, err := h.token(ctx, probe)
	if err != nil {
		return err
	}
	probeClient, _ := classboard.New(h.boardURL, probeToken, classboard.Options{Marker: "-"})
	group := make([]*student, len(names))
	for i, n := range names {
		tok, err := h.token(ctx, n)
		if err != nil {
			return err
		}
		c, err := classboard.New(h.boardURL, tok, classboard.Options{Marker: "-"})
		if err != nil {
			return err
		}
		group[i] = &student{name: n, client: c}
	}
	w := &watcher{seen: map[int]time.Time{}}
	if err := watch(ctx, h.boardURL, teacherToken, w); err != nil {
		return err
	}

	var phases []Phase
	probeBase := 0
	measure := func(name string, each func(i int, s *student, lat *latencies) int) error {
		for _, s := range group {
			s.accepted.Store(0)
			s.limited.Store(0)
			s.other.Store(0)
		}
		before, err := storedPerUser(ctx, h.boardURL, teacherToken)
		if err != nil {
			return err
		}
		stop := make(chan struct{})
		sent := probing(ctx, probeClient, stop)
		lat := &latencies{}
		var requests atomic.Int64
		t0 := time.Now()
		var wg sync.WaitGroup
		for i, s := range group {
			wg.Go(func() { requests.Add(int64(each(i, s, lat))) })
		}
		wg.Wait()
		seconds := time.Since(t0).Seconds()
		time.Sleep(500 * time.Millisecond) // The last probe reports reach the page.
		close(stop)
		if ctx.Err() != nil {
			return fmt.Errorf("%s: %w", name, ctx.Err())
		}
		after, err := storedPerUser(ctx, h.boardURL, teacherToken)
		if err != nil {
			return err
		}
		p := Phase{Name: name, Requests: int(requests.Load()), Seconds: seconds,
			P50ms: ms(lat.pct(0.5)), P99ms: ms(lat.pct(0.99))}
		for _, s := range group {
			p.Accepted += s.accepted.Load()
			p.RateLimited += s.limited.Load()
			p.Other += s.other.Load()
			p.Stored += after[s.name] - before[s.name]
			if got, want := after[s.name]-before[s.name], s.accepted.Load(); got != want {
				log.Printf("%s: %d reports stored, %d accepted", s.name, got, want)
			}
		}
		p.Sent = p.Accepted + p.RateLimited + p.Other
		// The page's update delay: the probe's reports, from sending to the live stream.
		w.mu.Lock()
		var delays []time.Duration
		for k, at := range *sent {
			if seen, ok := w.seen[probeBase+k+1]; ok {
				delays = append(delays, max(0, seen.Sub(at)))
			}
		}
		w.mu.Unlock()
		probeBase += len(*sent)
		pl := &latencies{d: delays}
		p.PageP50ms, p.PageP99ms, p.PageMaxms = ms(pl.pct(0.5)), ms(pl.pct(0.99)), ms(pl.pct(1))
		if len(delays) < len(*sent) {
			log.Printf("%s: %d of %d probe reports never reached the page", name, len(*sent)-len(delays), len(*sent))
			p.PageMaxms = math.Inf(1)
		}
		p.RSSMB, p.PeakMB = memory(pid)
		phases = append(phases, p)
		log.Printf("%s: %d requests in %.1fs; %d reports sent, %d stored, %d rate-limited, %d other; p50 %.1f ms, p99 %.1f ms; page p50 %.0f ms p99 %.0f ms; RSS %.0f MB (peak %.0f)",
			name, p.Requests, p.Seconds, p.Sent, p.Stored, p.RateLimited, p.Other, p.P50ms, p.P99ms, p.PageP50ms, p.PageP99ms, p.RSSMB, p.PeakMB)
		return nil
	}

	// 1. The lesson: every student's whole lesson at once, one report per request, in order.
	err = measure("lesson", func(i int, s *student, lat *latencies) int {
		reps := lesson(i)
		for _, r := range reps {
			s.post(ctx, lat, r)
		}
		return len(reps)
	})
	if err != nil {
		return err
	}
	// 2. The burst: every student at once, -burst requests each, 8 in flight per student.
	err = measure("burst", func(i int, s *student, lat *latencies) int {
		jobs := make(chan struct{})
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range jobs {
					s.post(ctx, lat, classboard.Report{Kind: classboard.KindError, Message: "Error: a runaway loop"})
				}
			})
		}
		for range *burst {
			jobs <- struct{}{}
		}
		close(jobs)
		wg.Wait()
		return *burst
	})
	if err != nil {
		return err
	}

	// The roster: every student (and the probe) has a tile, though the hub lists 10 users a page.
	if n, err := rosterTiles(ctx, h.boardURL, teacherToken); err != nil || n != *students+1 {
		return fmt.Errorf("the board shows %d students on the roster, want %d (%v)", n, *students+1, err)
	}
	lost := int64(0)
	for _, p := range phases {
		lost += p.Accepted - p.Stored + p.Other
	}
	table := render(phases, rss0, lost)
	fmt.Println(table)
	if *jsonPath != "" {
		data, _ := json.MarshalIndent(map[string]any{"phases": phases, "board_rss_idle_mb": rss0, "students": *students,
			"epochs": *epochs, "burst": *burst}, "", " ")
		if err := os.MkdirAll(filepath.Dir(*jsonPath), 0o755); err == nil {
			os.WriteFile(*jsonPath, data, 0o644)
		}
	}
	if *docPath != "" {
		if err := writeDoc(*docPath, table); err != nil {
			return err
		}
	}
	if lost != 0 {
		return fmt.Errorf("%d reports lost (accepted but not stored, or failed otherwise than by the rate limit)", lost)
	}
	return nil
}

var loadAverage = "unknown"

// rosterTiles counts the tiles of students on the hub's roster.
func rosterTiles(ctx context.Context, url, token string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"api/state", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var s struct {
		Tiles []struct {
			OnRoster bool `json:"on_roster"`
		} `json:"tiles"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return 0, err
	}
	n := 0
	for _, t := range s.Tiles {
		if t.OnRoster {
			n++
		}
	}
	return n, nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func render(phases []Phase, rss0 float64, lost int64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Measured %s by `scripts/bench board` on %d cores (load average %s when it began: other work shared them): a real JupyterHub 6 and the board on 127.0.0.1, %d students with hub tokens, %d epochs each.\n\n",
		time.Now().UTC().Format("2006-01-02 15:04 UTC"), cores(), loadAverage, *students, *epochs)
	b.WriteString("| phase | requests | time | report p50 | p99 | reports sent | stored | refused by the rate limit | lost | page update p50 | p99 | board RSS (peak) |\n")
	b.WriteString("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	for _, p := range phases {
		what := map[string]string{
			"lesson": fmt.Sprintf("lesson: %d students × %d reports at once", *students, len(lesson(0))),
			"burst":  fmt.Sprintf("burst: %d students × %d requests, 8 in flight each", *students, *burst),
		}[p.Name]
		fmt.Fprintf(&b, "| %s | %d | %.1f s | %.1f ms | %.1f ms | %d | %d | %d | %d | %.0f ms | %.0f ms | %.0f MB (%.0f MB) |\n",
			what, p.Requests, p.Seconds, p.P50ms, p.P99ms, p.Sent, p.Stored, p.RateLimited, p.Accepted-p.Stored+p.Other,
			p.PageP50ms, p.PageP99ms, p.RSSMB, p.PeakMB)
	}
	fmt.Fprintf(&b, "\nThe board idle: %.0f MB. Lost reports in all: %d. A report's time is its request's round trip (the kernel's\n"+
		"client waits for it only at a step, an error or the end of training; epochs go from a goroutine). The burst asks\n"+
		"for more than the limit (300 at once per account, then 10 a second) on purpose: what it refused is counted, and\n"+
		"every report the board accepted is in its store. The page's update delay is a probe student's report, from\n"+
		"its sending to the teacher's live stream (api/events), every 20 ms during each phase.\n", rss0, lost)
	return b.String()
}

func cores() int {
	data, _ := os.ReadFile("/proc/cpuinfo")
	return max(1, strings.Count(string(data), "\nprocessor")+boolInt(strings.HasPrefix(string(data), "processor")))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func writeDoc(path, table string) error {
	const begin, end = "<!-- board -->", "<!-- /board -->"
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(data)
	i, j := strings.Index(s, begin), strings.Index(s, end)
	if i < 0 || j < i {
		return fmt.Errorf("%s has no %s … %s section to fill", path, begin, end)
	}
	s = s[:i+len(begin)] + "\n" + table + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
