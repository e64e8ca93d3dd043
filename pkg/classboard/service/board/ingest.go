package board

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"time"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/classboard/service/hub"
)

// serveReports files a kernel's reports under the account that owns its token. In order: the
// token (401 missing, 403 unknown to the hub or not a user's, 503 the hub not answering), the
// body (415, 400, 413, 422: see classboard.Decode), a report naming someone else (403), the
// account's rate (429), then the store (503 if it fails). Nothing is stored unless all pass.
func (b *Board) serveReports(w http.ResponseWriter, r *http.Request) {
	token := tokenOf(r)
	if token == "" {
		w.Header().Set("WWW-Authenticate", `token realm="JupyterHub"`)
		b.refuse(w, http.StatusUnauthorized, "no token: send your server's JupyterHub API token (Authorization: token …)")
		return
	}
	user, err := b.ids.whoOwns(r.Context(), token)
	switch {
	case errors.Is(err, hub.ErrUnknownToken):
		b.refuse(w, http.StatusForbidden, "the hub does not know this token")
		return
	case errors.Is(err, errTooManyLookups):
		w.Header().Set("Retry-After", "1")
		b.refuse(w, http.StatusTooManyRequests, "too many new tokens at once")
		return
	case err != nil:
		w.Header().Set("Retry-After", "5")
		b.refuse(w, http.StatusServiceUnavailable, "the hub did not answer who owns this token")
		return
	}
	if user.Kind != "user" {
		b.refuse(w, http.StatusForbidden, fmt.Sprintf("reports come from users' servers, not from %s %q", user.Kind, user.Name))
		return
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
		b.refuse(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json")
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, classboard.MaxBodyBytes+1)
	batch, err := classboard.Decode(r.Body)
	if err != nil {
		var ie *classboard.InputError
		if errors.As(err, &ie) {
			b.refuse(w, ie.Status, ie.Msg)
		} else {
			b.refuse(w, http.StatusBadRequest, err.Error())
		}
		return
	}
	for i, rep := range batch.Reports {
		if rep.User != "" && rep.User != user.Name {
			b.cfg.Log.Printf("class-board: %s sent a report naming %q: refused", user.Name, rep.User)
			b.refuse(w, http.StatusForbidden, fmt.Sprintf("reports[%d] names %q, but this token is %s's", i, rep.User, user.Name))
			return
		}
	}
	if ok, wait := b.limits.allow(user.Name, len(batch.Reports)); !ok {
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds()+0.999)))
		b.refuse(w, http.StatusTooManyRequests, fmt.Sprintf("too many reports from %s: at most %d at once, then %g a second", user.Name, b.cfg.Burst, b.cfg.Rate))
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
	defer cancel()
	records, err := b.cfg.Store.Add(ctx, user.Name, b.cfg.Now(), batch.Reports)
	if err != nil {
		b.cfg.Log.Printf("class-board: storing %d reports of %s: %v", len(batch.Reports), user.Name, err)
		w.Header().Set("Retry-After", "5")
		b.refuse(w, http.StatusServiceUnavailable, "the board could not store the reports")
		return
	}
	for _, rec := range records {
		b.class.apply(rec)
	}
	b.live.changed(user.Name)
	writeJSON(w, http.StatusOK, map[string]int{"stored": len(records)})
}
