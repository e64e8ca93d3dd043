package board

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"mnistlesson/pkg/classboard/service/hub"
)

const (
	knownFor = 60 * time.Second // A token the hub knows is believed this long without asking again.
	// After knownFor, a known token is still believed this long while the hub is asked again in
	// the background: a report never waits on a busy hub (with a class training at once, the
	// hub's API answered in over 100 ms, the kernel's whole budget), and a token the hub no longer
	// knows is refused from its answer on.
	staleFor    = 15 * time.Minute
	unknownFor  = 10 * time.Second // A token the hub does not know is refused this long without asking.
	cookieName  = "class-board-token"
	stateCookie = "class-board-oauth-state"
	// Tokens the board has not seen cost a request to the hub: at most this many per second
	// (with a burst of twice that), so that a flood of forged tokens cannot flood the hub.
	lookupsPerSecond = 20
)

// errHubDown: the hub did not answer who owns a token (the board answers 503).
var errHubDown = errors.New("the hub did not answer")

// identities caches the hub's answers to "whose token is this?", by the token's SHA-256.
// Concurrent requests with the same new token wait for one lookup and share its answer.
type identities struct {
	hub     Hub
	now     func() time.Time
	timeout time.Duration // A lookup the hub has not answered by then is a 503 (and not cached).
	mu      sync.Mutex
	seen    map[[32]byte]identity
	busy    map[[32]byte]*lookup
	tb      *bucket
}

type identity struct {
	user    hub.User
	unknown bool
	until   time.Time
}

type lookup struct {
	done chan struct{}
	user hub.User
	err  error
}

func newIdentities(h Hub, now func() time.Time) *identities {
	return &identities{hub: h, now: now, timeout: 5 * time.Second, seen: map[[32]byte]identity{}, busy: map[[32]byte]*lookup{},
		tb: &bucket{tokens: 2 * lookupsPerSecond, at: now()}}
}

// whoOwns returns the token's owner, hub.ErrUnknownToken, errTooManyLookups or errHubDown.
func (ids *identities) whoOwns(ctx context.Context, token string) (hub.User, error) {
	key := sha256.Sum256([]byte(token))
	ids.mu.Lock()
	now := ids.now()
	if id, ok := ids.seen[key]; ok && now.Before(id.until) {
		ids.mu.Unlock()
		if id.unknown {
			return hub.User{}, hub.ErrUnknownToken
		}
		return id.user, nil
	} else if ok && !id.unknown && now.Before(id.until.Add(staleFor)) {
		if _, asking := ids.busy[key]; !asking && ids.tb.take(now, lookupsPerSecond, 2*lookupsPerSecond, 1) {
			ids.ask(key, token)
		}
		ids.mu.Unlock()
		return id.user, nil
	}
	if l, ok := ids.busy[key]; ok {
		ids.mu.Unlock()
		select {
		case <-l.done:
			return l.user, l.err
		case <-ctx.Done():
			return hub.User{}, errHubDown
		}
	}
	if !ids.tb.take(now, lookupsPerSecond, 2*lookupsPerSecond, 1) {
		ids.mu.Unlock()
		return hub.User{}, errTooManyLookups
	}
	l := ids.ask(key, token)
	if len(ids.seen) > 10000 {
		for k, id := range ids.seen {
			if now.After(id.until.Add(staleFor)) {
				delete(ids.seen, k)
			}
		}
	}
	ids.mu.Unlock()
	select {
	case <-l.done:
		return l.user, l.err
	case <-ctx.Done():
		return hub.User{}, errHubDown
	}
}

// ask starts asking the hub who owns token (ids.mu held) and returns the lookup, whose done
// closes with the answer. The lookup outlives a caller that gives up, so that its answer serves
// the next ones. An answer replaces what was known of the token; a hub that does not answer
// leaves it as it was.
func (ids *identities) ask(key [32]byte, token string) *lookup {
	l := &lookup{done: make(chan struct{})}
	ids.busy[key] = l
	go func() {
		ask, cancel := context.WithTimeout(context.Background(), ids.timeout)
		user, err := ids.hub.WhoOwns(ask, token)
		cancel()
		ids.mu.Lock()
		delete(ids.busy, key)
		switch {
		case err == nil:
			ids.seen[key] = identity{user: user, until: ids.now().Add(knownFor)}
		case errors.Is(err, hub.ErrUnknownToken):
			ids.seen[key] = identity{unknown: true, until: ids.now().Add(unknownFor)}
		default:
			err = errHubDown
		}
		l.user, l.err = user, err
		ids.mu.Unlock()
		close(l.done)
	}()
	return l
}

var errTooManyLookups = errors.New("too many new tokens at once")

// tokenOf reads "Authorization: token X" (JupyterHub's form) or "Bearer X".
func tokenOf(r *http.Request) string {
	h := r.Header.Get("Authorization")
	for _, scheme := range []string{"token ", "bearer "} {
		if len(h) > len(scheme) && strings.EqualFold(h[:len(scheme)], scheme) {
			return strings.TrimSpace(h[len(scheme):])
		}
	}
	return ""
}

// teacher checks that the request comes from someone who may see the board: a token (the
// Authorization header, or the cookie the OAuth login set) with one of the access scopes.
// When not, it has answered: the page redirects a browser without a login to the hub's OAuth;
// everything else gets 401, 403 or 503.
func (b *Board) teacher(w http.ResponseWriter, r *http.Request, page bool) (hub.User, bool) {
	token := tokenOf(r)
	if token == "" {
		if c, err := r.Cookie(cookieName); err == nil {
			token = c.Value
		}
	}
	if token == "" {
		if page && b.cfg.ClientID != "" {
			b.login(w, r)
		} else {
			b.refuse(w, http.StatusUnauthorized, "log in through the hub first")
		}
		return hub.User{}, false
	}
	user, err := b.ids.whoOwns(r.Context(), token)
	switch {
	case errors.Is(err, hub.ErrUnknownToken):
		// An expired login: start again (once; a token from the header is not retried).
		http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: b.cfg.Prefix, MaxAge: -1, HttpOnly: true})
		if page && b.cfg.ClientID != "" && tokenOf(r) == "" {
			b.login(w, r)
		} else {
			b.refuse(w, http.StatusForbidden, "the hub does not know this token")
		}
		return hub.User{}, false
	case err != nil:
		w.Header().Set("Retry-After", "5")
		b.refuse(w, http.StatusServiceUnavailable, "the hub did not answer: "+err.Error())
		return hub.User{}, false
	}
	if !user.HasScope(b.cfg.AccessScopes...) {
		if page {
			b.forbiddenPage(w, user.Name)
		} else {
			b.refuse(w, http.StatusForbidden, "only the teacher (the hub's admin) sees the class board")
		}
		return hub.User{}, false
	}
	return user, true
}

// logins holds the OAuth logins under way: state → where to go after, and the PKCE verifier.
type logins struct {
	now     func() time.Time
	mu      sync.Mutex
	pending map[string]pendingLogin
}

type pendingLogin struct {
	next, verifier string
	until          time.Time
}

func newLogins(now func() time.Time) *logins {
	return &logins{now: now, pending: map[string]pendingLogin{}}
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("classboard/board: no randomness: " + err.Error()) // crypto/rand does not fail on Linux.
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// login sends the browser to the hub's OAuth authorize endpoint (authorization code with PKCE,
// as JupyterHub's HubOAuth does), remembering the page it asked for.
func (b *Board) login(w http.ResponseWriter, r *http.Request) {
	state, verifier := randomString(18), randomString(32)
	next := r.URL.RequestURI()
	b.logins.mu.Lock()
	now := b.logins.now()
	for s, p := range b.logins.pending {
		if now.After(p.until) {
			delete(b.logins.pending, s)
		}
	}
	if len(b.logins.pending) >= 1000 { // A bound: each costs a few bytes, but nothing else.
		b.logins.mu.Unlock()
		w.Header().Set("Retry-After", "60")
		b.refuse(w, http.StatusServiceUnavailable, "too many logins under way")
		return
	}
	b.logins.pending[state] = pendingLogin{next: next, verifier: verifier, until: now.Add(10 * time.Minute)}
	b.logins.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: b.cfg.Prefix, MaxAge: 600,
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	challenge := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"client_id":             {b.cfg.ClientID},
		"redirect_uri":          {b.cfg.CallbackURL},
		"response_type":         {"code"},
		"state":                 {state},
		"code_challenge":        {base64.RawURLEncoding.EncodeToString(challenge[:])},
		"code_challenge_method": {"S256"},
	}
	http.Redirect(w, r, b.cfg.AuthorizeURL+"?"+q.Encode(), http.StatusFound)
}

// serveCallback ends the OAuth login: the state must match the browser's cookie, the code is
// exchanged for a token, and only a token with the access scope is kept (in an HttpOnly
// cookie for the board's path).
func (b *Board) serveCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		b.refuse(w, http.StatusBadRequest, "the hub's login failed: "+e+" "+q.Get("error_description"))
		return
	}
	code, state := q.Get("code"), q.Get("state")
	c, err := r.Cookie(stateCookie)
	if code == "" || state == "" || err != nil || c.Value != state {
		b.refuse(w, http.StatusBadRequest, "the login's state does not match: open the board again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: "", Path: b.cfg.Prefix, MaxAge: -1, HttpOnly: true})
	b.logins.mu.Lock()
	p, ok := b.logins.pending[state]
	delete(b.logins.pending, state)
	b.logins.mu.Unlock()
	if !ok || b.logins.now().After(p.until) {
		b.refuse(w, http.StatusBadRequest, "this login expired: open the board again")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	token, err := b.cfg.Hub.ExchangeCode(ctx, b.cfg.ClientID, code, b.cfg.CallbackURL, p.verifier)
	if err != nil {
		b.cfg.Log.Printf("class-board: OAuth: %v", err)
		b.refuse(w, http.StatusForbidden, "the hub refused the login")
		return
	}
	user, err := b.ids.whoOwns(ctx, token)
	if err != nil {
		b.refuse(w, http.StatusForbidden, "the hub does not know the login's token")
		return
	}
	if !user.HasScope(b.cfg.AccessScopes...) {
		b.forbiddenPage(w, user.Name)
		return
	}
	b.cfg.Log.Printf("class-board: %s logged in", user.Name)
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: token, Path: b.cfg.Prefix, HttpOnly: true,
		Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode})
	next := p.next
	if !strings.HasPrefix(next, b.cfg.Prefix) || strings.HasPrefix(next, "//") {
		next = b.cfg.Prefix
	}
	http.Redirect(w, r, next, http.StatusFound)
}

func isHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
