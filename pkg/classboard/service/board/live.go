package board

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"mnistlesson/pkg/classboard/service/hub"
)

// minGap is the shortest time between two messages of the live stream: changes within it
// travel together, so a burst of reports makes a few messages, not one per report.
const minGap = 100 * time.Millisecond

// broker sends the tiles that changed to every page that watches (server-sent events).
type broker struct {
	b     *Board
	mu    sync.Mutex
	subs  map[chan []byte]struct{}
	dirty map[string]bool
	kick  chan struct{}
	quit  chan struct{}
	once  sync.Once
}

func newBroker(b *Board) *broker {
	br := &broker{b: b, subs: map[chan []byte]struct{}{}, dirty: map[string]bool{},
		kick: make(chan struct{}, 1), quit: make(chan struct{})}
	go br.run()
	return br
}

func (br *broker) close() { br.once.Do(func() { close(br.quit) }) }

// changed notes that a student's tile changed.
func (br *broker) changed(name string) {
	br.mu.Lock()
	br.dirty[name] = true
	br.mu.Unlock()
	select {
	case br.kick <- struct{}{}:
	default:
	}
}

func (br *broker) subscribe() chan []byte {
	ch := make(chan []byte, 16)
	br.mu.Lock()
	br.subs[ch] = struct{}{}
	br.mu.Unlock()
	return ch
}

func (br *broker) unsubscribe(ch chan []byte) {
	br.mu.Lock()
	if _, ok := br.subs[ch]; ok {
		delete(br.subs, ch)
		close(ch)
	}
	br.mu.Unlock()
}

func (br *broker) run() {
	var last time.Time
	for {
		select {
		case <-br.kick:
		case <-br.quit:
			return
		}
		if wait := minGap - time.Since(last); wait > 0 {
			select {
			case <-time.After(wait):
			case <-br.quit:
				return
			}
		}
		br.mu.Lock()
		names := br.dirty
		br.dirty = map[string]bool{}
		watching := len(br.subs) > 0
		br.mu.Unlock()
		if !watching {
			continue // A page that opens later starts from api/state.
		}
		last = time.Now()
		sum := br.b.summary(br.b.cfg.Now(), br.b.cachedUsers(), names)
		sum.Counters = br.b.counters()
		data, err := json.Marshal(sum)
		if err != nil {
			br.b.cfg.Log.Printf("class-board: encoding an update: %v", err)
			continue
		}
		msg := []byte(fmt.Sprintf("event: tiles\ndata: %s\n\n", data))
		br.mu.Lock()
		for ch := range br.subs {
			select {
			case ch <- msg:
			default: // A page that cannot keep up: drop it; it reconnects and reloads the state.
				delete(br.subs, ch)
				close(ch)
			}
		}
		br.mu.Unlock()
	}
}

// cachedUsers is the last roster the hub gave, without asking it again.
func (b *Board) cachedUsers() []hub.User {
	b.rosterMu.Lock()
	defer b.rosterMu.Unlock()
	return b.roster
}

// serveEvents streams the tiles that change, as "tiles" events holding a Summary of those
// tiles only, plus a comment every 15 s so that proxies keep the connection.
func (b *Board) serveEvents(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.teacher(w, r, false); !ok {
		return
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // The stream lasts; the server's write timeout would cut it.
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	ch := b.live.subscribe()
	defer b.live.unsubscribe(ch)
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	for {
		select {
		case msg, ok := <-ch:
			if !ok {
				return
			}
			if _, err := w.Write(msg); err != nil {
				return
			}
		case <-ping.C:
			if _, err := fmt.Fprint(w, ": ping\n\n"); err != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-b.live.quit:
			return
		}
		if err := rc.Flush(); err != nil {
			return
		}
	}
}
