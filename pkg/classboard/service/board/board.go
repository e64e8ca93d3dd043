// Package board is the class board's web service: it receives the reports of the students'
// kernels (POST api/reports, authenticated by each server's JupyterHub token), keeps them in the
// store, and shows the class to the teacher, live: a page (a tile per student, every training
// curve overlaid), its state as JSON (api/state), a stream of changes (api/events, server-sent
// events) and a CSV export (api/reports.csv). The teacher logs in through the hub's OAuth; only
// a token with the service's access scope (the hub's admins have it) opens the page.
//
// Routes, under the service's prefix (/services/class-board/ on the hub):
//
//	GET  ""                 the page (teacher)
//	GET  oauth_callback     the end of the hub's OAuth login
//	GET  static/…           the page's script and style (anyone: no data in them)
//	GET  api/state          every tile, as JSON (teacher)
//	GET  api/events         the tiles that change, as server-sent events (teacher)
//	GET  api/reports.csv    every report stored (teacher)
//	POST api/reports        a kernel's reports (a user's token; see package classboard)
//	GET  health             "ok", for probes
package board

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strings"
	"sync"
	"time"

	"mnistlesson/pkg/classboard/service/hub"
	"mnistlesson/pkg/classboard/service/store"
)

// Hub is what the board asks the hub: whose a token is, and who is in the class.
// *hub.Client is one.
type Hub interface {
	WhoOwns(ctx context.Context, token string) (hub.User, error)
	Users(ctx context.Context) ([]hub.User, error)
	ExchangeCode(ctx context.Context, clientID, code, redirectURI, verifier string) (string, error)
}

// Lesson is the lesson's own model, against which students' models are compared.
type Lesson struct {
	Layers   string  // As keras' Model.Architecture writes it.
	Params   int64   // Its parameter count.
	Accuracy float64 // Its test accuracy when trained as the lesson says (docs/benchmarks.md).
}

// DefaultLesson is the lesson's 784-64-32-10 perceptron, 100 epochs on XLA CPU.
var DefaultLesson = Lesson{Layers: "784 → 64 (relu) → 32 (relu) → 10 (softmax)", Params: 52650, Accuracy: 0.9744}

// Config is what New needs.
type Config struct {
	Prefix string       // The service's path prefix, ending in "/": /services/class-board/.
	Store  *store.Store // Where reports are kept.
	Hub    Hub          // Identity and roster.

	// OAuth: the hub's login for the page. ClientID empty: no browser login (API tokens only).
	ClientID     string
	CallbackURL  string   // As the hub registered it (JUPYTERHUB_OAUTH_CALLBACK_URL).
	AuthorizeURL string   // The hub's authorize endpoint, as the browser reaches it: {host}{base}hub/api/oauth2/authorize.
	AccessScopes []string // A token with one of these opens the page (default: access:services!service=class-board, access:services).
	HubBaseURL   string   // The hub's public base ("/"), for the links to students' servers.

	Lesson     Lesson
	Exercises  int           // Exercise checks in the lesson, at least this many shown as the total (default 4).
	StuckAfter time.Duration // No progress this long, while others moved on, flags a student as stuck.

	// Per account: Burst reports at once, then Rate per second.
	Rate  float64
	Burst int

	Now func() time.Time
	Log *log.Logger
}

// Board is the service; it is an http.Handler.
type Board struct {
	cfg    Config
	mux    *http.ServeMux
	ids    *identities
	limits *limiter
	class  *class
	live   *broker
	logins *logins

	rosterMu sync.Mutex
	roster   []hub.User
	rosterAt time.Time

	statsMu  sync.Mutex
	rejected map[int]int // Requests refused, by status.
}

// New makes the board and fills its live state from what the store holds.
func New(ctx context.Context, cfg Config) (*Board, error) {
	if cfg.Store == nil || cfg.Hub == nil {
		return nil, fmt.Errorf("classboard/board: a store and a hub are needed")
	}
	if cfg.Prefix == "" {
		cfg.Prefix = "/"
	}
	if !strings.HasSuffix(cfg.Prefix, "/") {
		cfg.Prefix += "/"
	}
	if cfg.HubBaseURL == "" {
		cfg.HubBaseURL = "/"
	}
	if len(cfg.AccessScopes) == 0 {
		cfg.AccessScopes = []string{"access:services!service=class-board", "access:services"}
	}
	if cfg.Lesson.Layers == "" {
		cfg.Lesson = DefaultLesson
	}
	if cfg.Exercises <= 0 {
		cfg.Exercises = 4
	}
	if cfg.StuckAfter <= 0 {
		cfg.StuckAfter = 5 * time.Minute
	}
	if cfg.Rate <= 0 {
		cfg.Rate = 10
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 300
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = log.Default()
	}
	b := &Board{
		cfg:      cfg,
		mux:      http.NewServeMux(),
		ids:      newIdentities(cfg.Hub, cfg.Now),
		limits:   newLimiter(cfg.Rate, cfg.Burst, cfg.Now),
		class:    newClass(cfg.Lesson),
		logins:   newLogins(cfg.Now),
		rejected: map[int]int{},
	}
	b.live = newBroker(b)
	n := 0
	err := cfg.Store.Each(ctx, func(r store.Record) error {
		b.class.apply(r)
		n++
		return nil
	})
	if err != nil {
		cfg.Log.Printf("class-board: reading the store: %v (kept the %d reports read)", err, n)
	}
	cfg.Log.Printf("class-board: %d reports from the store", n)
	p := cfg.Prefix
	b.mux.HandleFunc("GET "+p+"{$}", b.servePage)
	b.mux.HandleFunc("GET "+p+"oauth_callback", b.serveCallback)
	b.mux.HandleFunc("GET "+p+"static/{file}", serveStatic)
	b.mux.HandleFunc("GET "+p+"api/state", b.serveState)
	b.mux.HandleFunc("GET "+p+"api/events", b.serveEvents)
	b.mux.HandleFunc("GET "+p+"api/reports.csv", b.serveCSV)
	b.mux.HandleFunc("POST "+p+"api/reports", b.serveReports)
	b.mux.HandleFunc(p+"api/reports", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "POST")
		b.refuse(w, http.StatusMethodNotAllowed, "reports are POSTed")
	})
	b.mux.HandleFunc("GET "+p+"health", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })
	return b, nil
}

// ServeHTTP serves the board's routes.
func (b *Board) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	b.mux.ServeHTTP(w, r)
}

// Close ends the live streams.
func (b *Board) Close() { b.live.close() }

// refuse answers an error as JSON, {"error": "..."}, and counts it.
func (b *Board) refuse(w http.ResponseWriter, status int, msg string) {
	b.statsMu.Lock()
	b.rejected[status]++
	b.statsMu.Unlock()
	writeJSON(w, status, map[string]string{"error": msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, `{"error":"encoding the answer"}`, http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// users is the hub's list of users, asked again when older than 30 s (the last list is kept
// when the hub does not answer).
func (b *Board) users(ctx context.Context) []hub.User {
	b.rosterMu.Lock()
	defer b.rosterMu.Unlock()
	if b.roster != nil && b.cfg.Now().Sub(b.rosterAt) < 30*time.Second {
		return b.roster
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	users, err := b.cfg.Hub.Users(ctx)
	if err != nil {
		b.cfg.Log.Printf("class-board: the roster: %v", err)
		b.rosterAt = b.cfg.Now().Add(-25 * time.Second) // Try again in 5 s.
		return b.roster
	}
	b.roster, b.rosterAt = users, b.cfg.Now()
	return users
}

// Counters are the board's own figures, shown at the page's foot.
type Counters struct {
	Stored      int64          `json:"stored"`       // Reports stored since the store began.
	RateLimited int            `json:"rate_limited"` // Reports refused by the rate limit since the board started.
	Rejected    map[string]int `json:"rejected"`     // Requests refused, by HTTP status, since the board started.
}

func (b *Board) counters() Counters {
	c := Counters{Stored: b.class.stored(), RateLimited: b.limits.refusedTotal(), Rejected: map[string]int{}}
	b.statsMu.Lock()
	for s, n := range b.rejected {
		c.Rejected[fmt.Sprint(s)] = n
	}
	b.statsMu.Unlock()
	return c
}
