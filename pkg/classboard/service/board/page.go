package board

import (
	"embed"
	"encoding/csv"
	"fmt"
	"html"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/classboard/service/store"
)

// The page: one HTML file, its script and its style, all served by the board (no CDN); the
// charts are inline SVG drawn by the script.
//
//go:embed page
var pageFiles embed.FS

// Everything the page loads comes from the board itself.
const csp = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"

func (b *Board) servePage(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.teacher(w, r, true); !ok {
		return
	}
	data, err := pageFiles.ReadFile("page/index.html")
	if err != nil {
		http.Error(w, "the page is missing from this build", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Security-Policy", csp)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(data)
}

func serveStatic(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	types := map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
	ct, ok := types[path.Ext(name)]
	data, err := pageFiles.ReadFile("page/" + name)
	if !ok || err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(data)
}

func (b *Board) forbiddenPage(w http.ResponseWriter, name string) {
	b.statsMu.Lock()
	b.rejected[http.StatusForbidden]++
	b.statsMu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", csp)
	w.WriteHeader(http.StatusForbidden)
	fmt.Fprintf(w, `<!doctype html><html lang="ko"><meta charset="utf-8"><title>403 · 수업 보드 / Class board</title>
<link rel="stylesheet" href="%sstatic/board.css"><body class="refused"><h1>403</h1>
<p>수업 보드는 선생님만 볼 수 있습니다.<br>Only the teacher can open the class board.</p>
<p class="who">(%s)</p></body></html>`, b.cfg.Prefix, html.EscapeString(name))
}

// serveState answers the whole class as a Summary.
func (b *Board) serveState(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.teacher(w, r, false); !ok {
		return
	}
	sum := b.summary(b.cfg.Now(), b.users(r.Context()), nil)
	sum.Counters = b.counters()
	writeJSON(w, http.StatusOK, sum)
}

// serveCSV writes every stored report, oldest first, one row each.
func (b *Board) serveCSV(w http.ResponseWriter, r *http.Request) {
	if _, ok := b.teacher(w, r, false); !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="class-board-%s.csv"`, b.cfg.Now().Format("20060102-1504")))
	w.Write([]byte("\ufeff")) // So that spreadsheets read it as UTF-8 (the Korean in it).
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	err := b.cfg.Store.Each(r.Context(), func(rec store.Record) error {
		return cw.Write(csvRow(rec))
	})
	cw.Flush()
	if err != nil {
		b.cfg.Log.Printf("class-board: CSV export: %v", err)
	}
}

// CSVHeader names the export's columns.
var CSVHeader = []string{"id", "time", "user", "kind", "step", "epoch", "epochs", "loss", "accuracy",
	"layers", "params", "run", "reason", "exercise", "passed", "message"}

func csvRow(rec store.Record) []string {
	r := rec.Report
	num := func(f float64) string {
		switch {
		case math.IsNaN(f):
			return "NaN"
		case math.IsInf(f, 1):
			return "Inf"
		}
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	row := []string{strconv.FormatInt(rec.ID, 10), rec.At.UTC().Format(time.RFC3339Nano), rec.User, string(r.Kind),
		"", "", "", "", "", safeCell(r.Layers), "", r.Run, safeCell(r.Reason), safeCell(r.Exercise), "", safeCell(r.Message)}
	if st := r.ImpliedStep(); st >= 0 {
		row[4] = strconv.Itoa(int(st))
	}
	switch r.Kind {
	case classboard.KindEpoch, classboard.KindTrainEnd:
		row[5], row[6] = strconv.Itoa(r.Epoch), strconv.Itoa(r.Epochs)
	case classboard.KindTrain:
		row[6] = strconv.Itoa(r.Epochs)
	}
	if r.Kind == classboard.KindEpoch || r.Kind == classboard.KindEvaluate {
		row[7], row[8] = num(r.Loss), num(r.Accuracy)
	}
	if r.Kind == classboard.KindModel {
		row[10] = strconv.FormatInt(r.Params, 10)
	}
	if r.Kind == classboard.KindCheck {
		row[14] = strconv.FormatBool(r.Passed)
	}
	return row
}

// safeCell keeps a spreadsheet from reading a student's text as a formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@", rune(s[0])) {
		return "'" + s
	}
	return s
}
