package classboard

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The environment that turns reports on. The class hub's spawner sets EnvURL for every
// student's server; JupyterHub gives each server its own API token in EnvToken, and the
// server's kernels (GoNB, and each cell's process) inherit both.
const (
	EnvURL   = "CLASS_BOARD_URL"      // The board's base URL, e.g. http://127.0.0.1:8003/services/class-board/.
	EnvToken = "JUPYTERHUB_API_TOKEN" // The single-user server's token: the board asks the hub whose it is.
)

// Budget is the most time, in all, that one process's calls to a Client may hold their caller:
// a cell is never slowed by more than this, whatever the board does.
const Budget = 100 * time.Millisecond

const (
	requestTimeout = 2 * time.Second  // One POST, in the background.
	queueLimit     = 1000             // Reports waiting; beyond, new ones are dropped.
	retryAfter     = 30 * time.Second // After the board failed, processes of this server skip it this long.
	quietFor       = 10 * time.Minute // At most one line about a failing board per server this long.
)

// Options tune a Client made by New. The zero value is what FromEnv uses.
type Options struct {
	// Budget replaces the package's Budget when positive.
	Budget time.Duration
	// Stderr receives the one line said when the board fails (default os.Stderr).
	Stderr io.Writer
	// Marker is the file that tells later processes of the same server that the board failed
	// recently (see FromEnv); "" picks one in the user's cache folder, "-" uses none.
	Marker string
	// HTTP replaces the client's own (no proxy, loopback-friendly timeouts).
	HTTP *http.Client
}

// Client sends one process's reports to the class board. Reports queue in memory and a
// goroutine of the Client (started by the first report) posts them, in batches, as soon as
// they come; Flush waits for them, within the process's Budget.
//
// A nil *Client is valid and does nothing, costing a nil check: it is what FromEnv returns off a
// class hub. A Client never panics and never returns an error to its caller: when the board is
// down (no answer within a request's timeout, 2 s) or refuses the reports, they are dropped, and
// one line on Stderr says so; when it is only slow, the caller stops waiting once the Budget is
// spent, and the reports are posted in the background while the process runs.
type Client struct {
	endpoint string
	auth     string
	http     *http.Client
	budget   time.Duration
	stderr   io.Writer
	marker   string

	mu       sync.Mutex
	queue    []Report
	inflight bool
	running  bool
	checked  bool // The marker was looked at.
	down     bool // Everything from now on is dropped.
	said     bool // The one line was written.
	spent    time.Duration
	dropped  int
	sent     int
	slow     int // Flushes that ran out of budget: the board was slow, not down.
	wake     chan struct{}
	drained  chan struct{} // Closed, and replaced, each time the queue empties.
}

// New makes a Client that posts to the board at boardURL (its base, ending in "/") with the
// JupyterHub API token. It fails only on a URL that is not http(s).
func New(boardURL, token string, opts Options) (*Client, error) {
	u, err := url.Parse(boardURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("classboard: %s=%q is not an http(s) URL", EnvURL, boardURL)
	}
	if token == "" {
		return nil, fmt.Errorf("classboard: no API token")
	}
	c := &Client{
		endpoint: strings.TrimSuffix(u.String(), "/") + "/api/reports",
		auth:     "token " + token,
		http:     opts.HTTP,
		budget:   opts.Budget,
		stderr:   opts.Stderr,
		marker:   opts.Marker,
		wake:     make(chan struct{}, 1),
		drained:  make(chan struct{}),
	}
	if c.budget <= 0 {
		c.budget = Budget
	}
	if c.stderr == nil {
		c.stderr = os.Stderr
	}
	switch c.marker {
	case "-":
		c.marker = ""
	case "":
		if dir, err := os.UserCacheDir(); err == nil {
			sum := sha256.Sum256([]byte(token))
			c.marker = filepath.Join(dir, "mnist-lesson", "class-board-down-"+hex.EncodeToString(sum[:6]))
		}
	}
	if c.http == nil {
		c.http = &http.Client{
			Timeout: requestTimeout,
			Transport: &http.Transport{
				Proxy:                 nil, // The board is on the hub's machine: never through a proxy.
				DialContext:           (&net.Dialer{Timeout: time.Second}).DialContext,
				MaxIdleConnsPerHost:   1,
				ResponseHeaderTimeout: requestTimeout,
				DisableCompression:    true,
			},
		}
	}
	return c, nil
}

var process struct {
	once sync.Once
	c    *Client
}

// FromEnv is the process's Client: nil (reports off, at no cost) unless both CLASS_BOARD_URL
// and JUPYTERHUB_API_TOKEN are set, as they are in a kernel on the class hub. It reads the
// environment once; later calls cost an atomic load. It starts no goroutine and allocates
// nothing until the first report.
//
// Processes of the same server share a marker file (in the user's cache folder): after the
// board failed, the next processes skip it for 30 s, and only one line about it is written in
// 10 minutes.
func FromEnv() *Client {
	process.once.Do(func() {
		boardURL, token := os.Getenv(EnvURL), os.Getenv(EnvToken)
		if boardURL == "" || token == "" {
			return
		}
		c, err := New(boardURL, token, Options{})
		if err != nil {
			fmt.Fprintf(os.Stderr, "(%v: progress reports are off)\n", err)
			return
		}
		process.c = c
	})
	return process.c
}

// Send queues r to be posted in the background and returns at once. When the queue is full or
// the board has failed, r is dropped. It never blocks on the network: a report sent this way
// is lost if the process ends before it is posted, unless something calls Flush.
func (c *Client) Send(r Report) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.checked {
		c.checked = true
		if c.recentlyFailed() {
			c.down, c.said = true, true
		}
	}
	if c.down || len(c.queue) >= queueLimit {
		c.dropped++
		return
	}
	if err := r.Validate(); err != nil { // Caught here, it cannot spoil a batch.
		c.dropped++
		c.say(err)
		return
	}
	c.queue = append(c.queue, r)
	if !c.running {
		c.running = true
		go c.loop()
	}
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Flush waits until every queued report is posted, or until the process's Budget is spent,
// whichever comes first. With the budget spent it returns at once. A board that is only slow
// (a class training at once on one server) is not a failed one: what is queued keeps being
// posted in the background while the process runs, and nothing is said.
func (c *Client) Flush() {
	if c == nil {
		return
	}
	c.mu.Lock()
	left := c.budget - c.spent
	if c.down || (len(c.queue) == 0 && !c.inflight) || left <= 0 {
		c.mu.Unlock()
		return
	}
	ch := c.drained
	c.mu.Unlock()
	start := time.Now()
	timer := time.NewTimer(left)
	defer timer.Stop()
	timedOut := false
	select {
	case <-ch:
	case <-timer.C:
		timedOut = true
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.spent += time.Since(start)
	if timedOut {
		c.slow++
	}
}

// Report is Send then Flush: r is posted before it returns, unless the budget is spent.
func (c *Client) Report(r Report) {
	c.Send(r)
	c.Flush()
}

// Stats says what this Client did so far: reports posted and accepted, reports dropped
// (queue full, board failed or refusing), time spent blocking callers.
func (c *Client) Stats() (sent, dropped int, blocked time.Duration) {
	if c == nil {
		return 0, 0, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sent, c.dropped + len(c.queue), c.spent
}

// loop posts what is queued, a batch at a time, until the queue is empty; then it sleeps.
func (c *Client) loop() {
	for range c.wake {
		for {
			c.mu.Lock()
			if c.down || len(c.queue) == 0 {
				c.dropped += len(c.queue)
				c.queue, c.inflight = nil, false
				close(c.drained)
				c.drained = make(chan struct{})
				c.mu.Unlock()
				break
			}
			n := min(len(c.queue), MaxBatch)
			batch := append([]Report(nil), c.queue[:n]...)
			c.queue = c.queue[n:]
			c.inflight = true
			c.mu.Unlock()

			ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
			err := c.Post(ctx, batch)
			cancel()
			c.mu.Lock()
			var status *StatusError
			switch {
			case err == nil:
				c.sent += n
			case errors.As(err, &status) && (status.Code == http.StatusTooManyRequests || status.Code/100 == 4 && status.Code != 401 && status.Code != 403):
				// Rate-limited, or a report the board finds invalid: this batch is lost, the
				// next may pass. Said once, since a refusal is a bug worth seeing.
				c.dropped += n
				if status.Code != http.StatusTooManyRequests {
					c.say(err)
				}
			default: // Down, slow, or the token is not accepted: give up for this process.
				c.dropped += n
				c.fail(err)
			}
			c.mu.Unlock()
		}
	}
}

// StatusError is a board's refusal: its HTTP status and what it said.
type StatusError struct {
	Code int
	Msg  string
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("classboard: the board answered %d: %s", e.Code, e.Msg)
}

// Post sends reports now, in one request, and waits for the board's answer: nil when they are
// stored, a *StatusError when the board refused them (429 when rate-limited), another error
// when it could not be reached. It is the request Send's goroutine makes; tests and the load
// benchmark call it directly. It does not count against the Budget.
func (c *Client) Post(ctx context.Context, reports []Report) error {
	body, err := json.Marshal(Batch{Reports: reports})
	if err != nil {
		return fmt.Errorf("classboard: encoding reports: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("classboard: %w", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("classboard: posting reports: %w", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if resp.StatusCode/100 == 2 {
		return nil
	}
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(answer, &e) != nil || e.Error == "" {
		e.Error = strings.TrimSpace(string(answer))
	}
	return &StatusError{Code: resp.StatusCode, Msg: OneLine(e.Error, 200)}
}

// fail gives up on the board for this process and tells later processes (c.mu held).
func (c *Client) fail(err error) {
	c.down = true
	c.dropped += len(c.queue)
	c.queue = nil
	quiet := c.recentlySaid()
	c.touchMarker()
	if !quiet {
		c.say(err)
	}
}

// say writes the one line, once per process (c.mu held).
func (c *Client) say(err error) {
	if c.said {
		return
	}
	c.said = true
	fmt.Fprintf(c.stderr, "(수업 보드에 진행 상황을 보내지 못했습니다 / class board: progress not sent: %s)\n",
		OneLine(strings.TrimPrefix(err.Error(), "classboard: "), 160))
}

func (c *Client) markerAge() (time.Duration, bool) {
	if c.marker == "" {
		return 0, false
	}
	info, err := os.Stat(c.marker)
	if err != nil {
		return 0, false
	}
	return time.Since(info.ModTime()), true
}

func (c *Client) recentlyFailed() bool {
	age, ok := c.markerAge()
	return ok && age < retryAfter
}

func (c *Client) recentlySaid() bool {
	if c.marker == "" {
		return false
	}
	data, err := os.ReadFile(c.marker)
	if err != nil {
		return false
	}
	said, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data)))
	return err == nil && time.Since(said) < quietFor
}

// touchMarker records the failure's time (the file's mtime) and when the line was last said
// (its content), best effort.
func (c *Client) touchMarker() {
	if c.marker == "" {
		return
	}
	said := time.Now()
	if data, err := os.ReadFile(c.marker); err == nil {
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(string(data))); err == nil && time.Since(t) < quietFor {
			said = t
		}
	}
	_ = os.MkdirAll(filepath.Dir(c.marker), 0o700)
	_ = os.WriteFile(c.marker, []byte(said.Format(time.RFC3339Nano)+"\n"), 0o600)
}

// newRunID names one training.
func newRunID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("t%d", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
}
