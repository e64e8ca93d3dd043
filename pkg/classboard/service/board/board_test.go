package board

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/classboard/service/hub"
	"mnistlesson/pkg/classboard/service/store"
)

// fakeHub answers from a table of tokens. The real hub's answers are checked by
// e2e/test_board.py; here the board's own logic is under test.
type fakeHub struct {
	mu      sync.Mutex
	tokens  map[string]hub.User
	users   []hub.User
	lookups int
	hang    time.Duration
}

func (f *fakeHub) WhoOwns(ctx context.Context, token string) (hub.User, error) {
	f.mu.Lock()
	f.lookups++
	u, ok := f.tokens[token]
	hang := f.hang
	f.mu.Unlock()
	if hang > 0 {
		select {
		case <-time.After(hang):
		case <-ctx.Done():
			return hub.User{}, ctx.Err()
		}
	}
	if !ok {
		return hub.User{}, hub.ErrUnknownToken
	}
	return u, nil
}

func (f *fakeHub) Users(ctx context.Context) ([]hub.User, error) { return f.users, nil }

func (f *fakeHub) ExchangeCode(ctx context.Context, clientID, code, redirectURI, verifier string) (string, error) {
	if code == "good-code" {
		return "teacher-token", nil
	}
	return "", errors.New("bad code")
}

const prefix = "/services/class-board/"

var teacherScopes = []string{"access:services", "admin:users"}

func newFakeHub() *fakeHub {
	return &fakeHub{
		tokens: map[string]hub.User{
			"minji-token":   {Kind: "user", Name: "minji", Scopes: []string{"access:servers!server=minji/"}},
			"jisoo-token":   {Kind: "user", Name: "jisoo"},
			"alex-token":    {Kind: "user", Name: "alex"},
			"teacher-token": {Kind: "user", Name: "ms-kim", Admin: true, Scopes: teacherScopes},
			"service-token": {Kind: "service", Name: "idle-culler"},
		},
		users: []hub.User{{Name: "alex"}, {Name: "jisoo"}, {Name: "minji"}, {Name: "newbie"}, {Name: "ms-kim", Admin: true}},
	}
}

type fixture struct {
	t     *testing.T
	hub   *fakeHub
	store *store.Store
	board *Board
	srv   *httptest.Server
	now   time.Time
	mu    sync.Mutex
	path  string
}

func newFixture(t *testing.T, cfg Config) *fixture {
	f := &fixture{t: t, hub: newFakeHub(), now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		path: filepath.Join(t.TempDir(), "board.sqlite")}
	f.open(cfg)
	t.Cleanup(f.close)
	return f
}

func (f *fixture) open(cfg Config) {
	st, err := store.Open(f.path)
	if err != nil {
		f.t.Fatal(err)
	}
	cfg.Prefix, cfg.Store, cfg.Hub = prefix, st, f.hub
	cfg.Now = f.clock
	cfg.Log = log.New(io.Discard, "", 0)
	if cfg.ClientID == "" {
		cfg.ClientID, cfg.CallbackURL, cfg.AuthorizeURL = "service-class-board", prefix+"oauth_callback", "/hub/api/oauth2/authorize"
	}
	b, err := New(context.Background(), cfg)
	if err != nil {
		f.t.Fatal(err)
	}
	f.store, f.board = st, b
	f.srv = httptest.NewServer(b)
}

func (f *fixture) close() {
	f.srv.Close()
	f.board.Close()
	f.store.Close()
}

func (f *fixture) clock() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

func (f *fixture) advance(d time.Duration) {
	f.mu.Lock()
	f.now = f.now.Add(d)
	f.mu.Unlock()
}

// post sends body with token; it returns the status and the error message.
func (f *fixture) post(token, contentType, body string) (int, string) {
	req, _ := http.NewRequest("POST", f.srv.URL+prefix+"api/reports", strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "token "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer struct {
		Error string `json:"error"`
	}
	json.NewDecoder(resp.Body).Decode(&answer)
	return resp.StatusCode, answer.Error
}

func (f *fixture) send(token string, reports ...classboard.Report) int {
	body, err := json.Marshal(classboard.Batch{Reports: reports})
	if err != nil {
		f.t.Fatal(err)
	}
	status, msg := f.post(token, "application/json", string(body))
	if status != 200 {
		f.t.Logf("%s: %d %s", token, status, msg)
	}
	return status
}

func (f *fixture) stored() map[string]int64 {
	counts, err := f.store.Count(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return counts
}

func (f *fixture) state(token string) Summary {
	req, _ := http.NewRequest("GET", f.srv.URL+prefix+"api/state", nil)
	req.Header.Set("Authorization", "token "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		f.t.Fatalf("api/state: %d", resp.StatusCode)
	}
	var s Summary
	var raw map[string]any
	data, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(data, &raw); err != nil {
		f.t.Fatal(err)
	}
	// Num has no UnmarshalJSON (the page reads it): decode through a copy that accepts strings.
	data = []byte(strings.NewReplacer(`"NaN"`, `null`, `"Infinity"`, `null`).Replace(string(data)))
	if err := json.Unmarshal(data, &s); err != nil {
		f.t.Fatal(err)
	}
	return s
}

func tile(s Summary, name string) Tile {
	for _, t := range s.Tiles {
		if t.Name == name {
			return t
		}
	}
	return Tile{Name: "(none)"}
}

func step(s classboard.Step) classboard.Report {
	return classboard.Report{Kind: classboard.KindStep, Step: s}
}

func TestReportsAreFiledUnderTheTokensOwner(t *testing.T) {
	f := newFixture(t, Config{})
	if s := f.send("minji-token", step(classboard.StepData), step(classboard.StepImages)); s != 200 {
		t.Fatalf("status %d", s)
	}
	if got := f.stored(); got["minji"] != 2 || len(got) != 1 {
		t.Errorf("stored %v", got)
	}
	s := f.state("teacher-token")
	if got := tile(s, "minji"); got.Step != 2 || got.Reports != 2 || !got.OnRoster {
		t.Errorf("minji's tile: %+v", got)
	}
	if got := tile(s, "newbie"); !got.NeverLoggedIn || got.Step != -1 {
		t.Errorf("a student who never logged in: %+v", got)
	}
	if got := tile(s, "ms-kim"); got.Name != "(none)" {
		t.Errorf("the teacher has a tile without reporting: %+v", got)
	}
	if len(s.Tiles) != 4 {
		t.Errorf("%d tiles, want the 4 students", len(s.Tiles))
	}
}

// Every bad request gets its 4xx, nothing of it is stored, and the board goes on serving.
func TestBadRequestsAreRefusedAndNotStored(t *testing.T) {
	f := newFixture(t, Config{})
	good := `{"v":1,"reports":[{"kind":"step","step":1}]}`
	for _, c := range []struct {
		name, token, ctype, body string
		status                   int
	}{
		{"no token", "", "application/json", good, 401},
		{"forged token", "forged-token", "application/json", good, 403},
		{"a service's token", "service-token", "application/json", good, 403},
		{"names another student", "minji-token", "application/json", `{"v":1,"reports":[{"kind":"step","step":1,"user":"jisoo"}]}`, 403},
		{"names another, among good ones", "minji-token", "application/json", `{"v":1,"reports":[{"kind":"step","step":1},{"kind":"step","step":2,"user":"jisoo"}]}`, 403},
		{"not JSON", "minji-token", "text/plain", good, 415},
		{"malformed", "minji-token", "application/json", `{"v":1,"reports":[{"kind":`, 400},
		{"oversized", "minji-token", "application/json", `{"v":1,"reports":[` + strings.Repeat(`{"kind":"step","step":1},`, 5000) + `{"kind":"step","step":1}]}`, 413},
		{"huge", "minji-token", "application/json", strings.Repeat("x", 10<<20), 413},
		{"unknown kind", "minji-token", "application/json", `{"v":1,"reports":[{"kind":"grade","score":10}]}`, 422},
		{"absurd accuracy", "minji-token", "application/json", `{"v":1,"reports":[{"kind":"evaluate","loss":0.1,"accuracy":97.4}]}`, 422},
		{"NaN accuracy", "minji-token", "application/json", `{"v":1,"reports":[{"kind":"evaluate","loss":0.1,"accuracy":"NaN"}]}`, 422},
		{"other version", "minji-token", "application/json", `{"v":9,"reports":[{"kind":"step","step":1}]}`, 422},
	} {
		status, msg := f.post(c.token, c.ctype, c.body)
		if status != c.status {
			t.Errorf("%s: %d %q, want %d", c.name, status, msg, c.status)
		}
		if msg == "" {
			t.Errorf("%s: no message with the %d", c.name, status)
		}
	}
	if got := f.stored(); len(got) != 0 {
		t.Errorf("stored after bad requests: %v", got)
	}
	// Still serving, and a NaN loss is legitimate: it shows as diverged.
	nan := classboard.Report{Kind: classboard.KindEpoch, Run: "r", Epoch: 1, Epochs: 5, Loss: math.NaN(), Accuracy: 0.1}
	if s := f.send("minji-token", nan); s != 200 {
		t.Fatalf("a NaN loss: %d", s)
	}
	if d := tile(f.state("teacher-token"), "minji").Diverged; !strings.Contains(d, "NaN") {
		t.Errorf("a NaN loss is not shown as diverged: %q", d)
	}
	if n := f.state("teacher-token").Counters.Rejected["403"]; n != 4 {
		t.Errorf("403s counted: %d, want 4", n)
	}
}

func TestRateLimitPerAccount(t *testing.T) {
	f := newFixture(t, Config{Rate: 10, Burst: 50})
	accepted, refused := 0, 0
	for range 80 {
		switch f.send("minji-token", step(classboard.StepData)) {
		case 200:
			accepted++
		case 429:
			refused++
		}
	}
	if accepted != 50 || refused != 30 {
		t.Errorf("a flood of 80: %d accepted, %d refused; want 50 and 30", accepted, refused)
	}
	if s := f.send("jisoo-token", step(classboard.StepData)); s != 200 {
		t.Errorf("another account was limited too: %d", s)
	}
	f.advance(time.Second) // 10 more.
	if s := f.send("minji-token", make10()...); s != 200 {
		t.Errorf("after a second: %d", s)
	}
	if s := f.send("minji-token", step(classboard.StepData)); s != 429 {
		t.Errorf("beyond the rate: %d", s)
	}
	st := f.state("teacher-token")
	if got := tile(st, "minji"); got.RateLimited != 31 || got.Reports != 60 {
		t.Errorf("minji: %d refused, %d stored; want 31 and 60", got.RateLimited, got.Reports)
	}
	if st.Counters.RateLimited != 31 || f.stored()["minji"] != 60 {
		t.Errorf("counters %+v, stored %v", st.Counters, f.stored())
	}
}

func make10() []classboard.Report {
	r := make([]classboard.Report, 10)
	for i := range r {
		r[i] = step(classboard.StepImages)
	}
	return r
}

func TestOnlyTheTeacherSeesTheBoard(t *testing.T) {
	f := newFixture(t, Config{})
	for _, path := range []string{"", "api/state", "api/reports.csv", "api/events"} {
		req, _ := http.NewRequest("GET", f.srv.URL+prefix+path, nil)
		req.Header.Set("Authorization", "token minji-token")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 403 {
			t.Errorf("a student on %q: %d, want 403", path, resp.StatusCode)
		}
	}
	// A browser without a login is sent to the hub's OAuth, with PKCE.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(f.srv.URL + prefix)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != 302 || !strings.HasPrefix(loc, "/hub/api/oauth2/authorize?") ||
		!strings.Contains(loc, "code_challenge_method=S256") || !strings.Contains(loc, "client_id=service-class-board") {
		t.Fatalf("no login redirect: %d %q", resp.StatusCode, loc)
	}
	state := strings.SplitN(strings.SplitN(loc, "state=", 2)[1], "&", 2)[0]
	var stateCookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "class-board-oauth-state" {
			stateCookie = c
		}
	}
	// A callback whose state is not the browser's: refused.
	req, _ := http.NewRequest("GET", f.srv.URL+prefix+"oauth_callback?code=good-code&state=other", nil)
	req.AddCookie(stateCookie)
	if resp, _ := client.Do(req); resp.StatusCode != 400 {
		t.Errorf("a mismatched state: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", f.srv.URL+prefix+"oauth_callback?code=good-code&state="+state, nil)
	req.AddCookie(stateCookie)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var login *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "class-board-token" {
			login = c
		}
	}
	if resp.StatusCode != 302 || resp.Header.Get("Location") != prefix || login == nil || !login.HttpOnly {
		t.Fatalf("callback: %d %q %+v", resp.StatusCode, resp.Header.Get("Location"), login)
	}
	req, _ = http.NewRequest("GET", f.srv.URL+prefix, nil)
	req.AddCookie(login)
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(page), "수업 보드") || resp.Header.Get("Content-Security-Policy") == "" {
		t.Errorf("the teacher's page: %d", resp.StatusCode)
	}
}

func TestFlags(t *testing.T) {
	f := newFixture(t, Config{StuckAfter: 5 * time.Minute})
	epoch := func(run string, e int, loss float64) classboard.Report {
		return classboard.Report{Kind: classboard.KindEpoch, Run: run, Epoch: e, Epochs: 10, Loss: loss, Accuracy: 0.9}
	}
	lesson := classboard.Report{Kind: classboard.KindModel, Layers: DefaultLesson.Layers, Params: DefaultLesson.Params}
	// jisoo: a bigger model that does better; alex: the lesson's, evaluated.
	f.send("jisoo-token", classboard.Report{Kind: classboard.KindModel, Layers: "784 → 128 (relu) → 10 (softmax)", Params: 101770},
		classboard.Report{Kind: classboard.KindEvaluate, Loss: 0.07, Accuracy: 0.9801})
	f.send("alex-token", lesson, classboard.Report{Kind: classboard.KindEvaluate, Loss: 0.09, Accuracy: 0.9712})
	// minji: a loss that rises.
	f.send("minji-token", lesson, epoch("a", 1, 0.3), epoch("a", 2, 0.2), epoch("a", 3, 0.25), epoch("a", 4, 0.3), epoch("a", 5, 0.4))
	s := f.state("teacher-token")
	if got := tile(s, "jisoo").OtherModel; got != "Dense(128) reached 0.980 (lesson's model in this class: 0.971)" {
		t.Errorf("jisoo: %q", got)
	}
	if got := tile(s, "alex").OtherModel; got != "" {
		t.Errorf("alex has the lesson's model: %q", got)
	}
	if got := tile(s, "minji").Diverged; !strings.Contains(got, "rising") {
		t.Errorf("minji's rising loss: %q", got)
	}
	// The same error three times: stuck at once.
	for range 3 {
		f.send("minji-token", classboard.Report{Kind: classboard.KindError, Message: "Error: shapes"})
	}
	if got := tile(f.state("teacher-token"), "minji"); !strings.Contains(got.Stuck, "same error 3 times") || got.Errors != 3 || got.LastError != "Error: shapes" {
		t.Errorf("minji after 3 errors: %+v", got)
	}
	// A new training starts a new curve and clears the rising flag; an epoch is progress.
	f.send("minji-token", epoch("b", 1, 0.3))
	got := tile(f.state("teacher-token"), "minji")
	if got.Diverged != "" || got.Stuck != "" || got.Curve.Run != "b" || len(got.Curve.Loss) != 1 {
		t.Errorf("minji's new run: %+v", got)
	}
	// Six minutes on, alex moves on while minji does not: minji is stuck, alex is not.
	f.advance(6 * time.Minute)
	f.send("alex-token", step(classboard.StepErrorAnalysis))
	s = f.state("teacher-token")
	if got := tile(s, "minji").Stuck; !strings.Contains(got, "no progress for 6 min") {
		t.Errorf("minji, no progress: %q", got)
	}
	if got := tile(s, "alex").Stuck; got != "" {
		t.Errorf("alex: %q", got)
	}
	// Checks: passed out of the lesson's 4.
	f.send("jisoo-token", classboard.Report{Kind: classboard.KindCheck, Exercise: "compile", Passed: true, Message: "ok"},
		classboard.Report{Kind: classboard.KindCheck, Exercise: "model", Passed: false, Message: "104,938 parameters"})
	if got := tile(f.state("teacher-token"), "jisoo"); got.ChecksPassed != 1 || got.ChecksTotal != 4 || len(got.Checks) != 2 {
		t.Errorf("jisoo's checks: %+v", got)
	}
}

// The board rebuilds its state from the store: a restart shows the same page.
func TestRestartKeepsTheState(t *testing.T) {
	f := newFixture(t, Config{})
	f.send("minji-token", step(classboard.StepData), classboard.Report{Kind: classboard.KindTrain, Run: "r", Epochs: 3},
		classboard.Report{Kind: classboard.KindEpoch, Run: "r", Epoch: 1, Epochs: 3, Loss: 0.3, Accuracy: 0.9},
		classboard.Report{Kind: classboard.KindError, Message: "Error: x"})
	before := f.state("teacher-token")
	f.close()
	f.open(Config{})
	after := f.state("teacher-token")
	b, _ := json.Marshal(before.Tiles)
	a, _ := json.Marshal(after.Tiles)
	if string(a) != string(b) {
		t.Errorf("after a restart:\n%s\nbefore:\n%s", a, b)
	}
}

func TestCSVExport(t *testing.T) {
	f := newFixture(t, Config{})
	f.send("minji-token", classboard.Report{Kind: classboard.KindEpoch, Run: "r", Epoch: 1, Epochs: 3, Loss: math.NaN(), Accuracy: 0.1},
		classboard.Report{Kind: classboard.KindError, Message: "=HYPERLINK(\"x\") 오류"})
	req, _ := http.NewRequest("GET", f.srv.URL+prefix+"api/reports.csv", nil)
	req.Header.Set("Authorization", "token teacher-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(data), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[1][2] != "minji" || rows[1][7] != "NaN" || rows[1][4] != "5" {
		t.Fatalf("rows: %q", rows)
	}
	if rows[2][15] != `'=HYPERLINK("x") 오류` {
		t.Errorf("a formula was not defused: %q", rows[2][15])
	}
}

// The page hears of a report within the live stream's gap.
func TestLiveStream(t *testing.T) {
	f := newFixture(t, Config{})
	req, _ := http.NewRequest("GET", f.srv.URL+prefix+"api/events", nil)
	req.Header.Set("Authorization", "token teacher-token")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	lines := bufio.NewScanner(resp.Body)
	lines.Buffer(nil, 1<<20)
	sent := time.Now()
	f.send("jisoo-token", step(classboard.StepPreprocessed))
	for lines.Scan() {
		line := lines.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var s struct {
			Tiles []struct {
				Name string `json:"name"`
				Step int    `json:"step"`
			} `json:"tiles"`
		}
		if err := json.Unmarshal([]byte(line[6:]), &s); err != nil {
			t.Fatal(err)
		}
		if len(s.Tiles) != 1 || s.Tiles[0].Name != "jisoo" || s.Tiles[0].Step != 3 {
			t.Fatalf("update: %s", line)
		}
		if d := time.Since(sent); d > time.Second {
			t.Errorf("the update took %v", d)
		}
		return
	}
	t.Fatal("no update")
}

// A hub that hangs: the board answers 503 instead of hanging with it, and asks once for a
// token however many requests carry it.
func TestHangingHub(t *testing.T) {
	f := newFixture(t, Config{})
	f.board.ids.timeout = 300 * time.Millisecond
	f.hub.hang = 2 * time.Second
	start := time.Now()
	var wg sync.WaitGroup
	statuses := make([]int, 5)
	for i := range statuses {
		wg.Go(func() {
			statuses[i], _ = f.post("alex-token", "application/json", `{"v":1,"reports":[{"kind":"step","step":1}]}`)
		})
	}
	wg.Wait()
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v with a lookup timeout of 300 ms", d)
	}
	for _, s := range statuses {
		if s != 503 {
			t.Errorf("status %d with a hanging hub, want 503", s)
		}
	}
	if f.hub.lookups != 1 {
		t.Errorf("%d lookups for one token, want 1", f.hub.lookups)
	}
}

// Forged tokens cost the hub a bounded number of lookups.
func TestForgedTokenFlood(t *testing.T) {
	f := newFixture(t, Config{})
	codes := map[int]int{}
	for i := range 200 {
		s, _ := f.post(fmt.Sprintf("forged-%d", i), "application/json", `{"v":1,"reports":[{"kind":"step","step":1}]}`)
		codes[s]++
	}
	if f.hub.lookups > 2*lookupsPerSecond+1 || codes[403]+codes[429] != 200 {
		t.Errorf("%d lookups, answers %v", f.hub.lookups, codes)
	}
}

// A known token, once its answer is old, is still believed at once while the hub is asked again
// in the background: a slow hub never holds a report. When the hub no longer knows the token,
// it is refused from then on.
func TestAKnownTokenNeverWaitsOnASlowHub(t *testing.T) {
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	h := &fakeHub{tokens: map[string]hub.User{"minji-token": {Name: "minji"}}}
	ids := newIdentities(h, clock)
	ctx := context.Background()
	if u, err := ids.whoOwns(ctx, "minji-token"); err != nil || u.Name != "minji" {
		t.Fatalf("first sight: %v, %v", u, err)
	}
	mu.Lock()
	now = now.Add(knownFor + time.Second) // Old: the hub is asked again, and it is slow now.
	mu.Unlock()
	h.mu.Lock()
	h.hang = time.Second
	h.mu.Unlock()
	started := time.Now()
	if u, err := ids.whoOwns(ctx, "minji-token"); err != nil || u.Name != "minji" {
		t.Fatalf("an old answer: %v, %v", u, err)
	}
	if waited := time.Since(started); waited > 100*time.Millisecond {
		t.Errorf("a report waited %v on a slow hub", waited)
	}
	wait := func() { // For the lookup under way, if any.
		ids.mu.Lock()
		l := ids.busy[sha256.Sum256([]byte("minji-token"))]
		ids.mu.Unlock()
		if l != nil {
			<-l.done
		}
	}
	wait() // The slow lookup answers "minji" still.
	// Then the hub revokes the token: the next old answer is believed once more while the hub is
	// asked, and from the hub's answer on the token is refused.
	h.mu.Lock()
	delete(h.tokens, "minji-token")
	h.hang = 0
	h.mu.Unlock()
	mu.Lock()
	now = now.Add(knownFor + time.Second)
	mu.Unlock()
	if u, err := ids.whoOwns(ctx, "minji-token"); err != nil || u.Name != "minji" {
		t.Fatalf("an old answer, the hub asked again: %v, %v", u, err)
	}
	wait()
	if _, err := ids.whoOwns(ctx, "minji-token"); !errors.Is(err, hub.ErrUnknownToken) {
		t.Errorf("a token the hub no longer knows: %v", err)
	}
}
