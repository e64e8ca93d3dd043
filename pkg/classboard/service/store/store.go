// Package store keeps the class board's reports in SQLite (modernc.org/sqlite: pure Go, no
// cgo), one row per report, in the order they arrived. Writes from concurrent requests are
// committed together, one transaction per group, so that a class sending at once costs one
// fsync-free WAL commit per group rather than one per report. The file survives restarts of
// the board and of the hub; it is the board's only state besides its caches.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sync"
	"time"

	"mnistlesson/pkg/classboard"

	_ "modernc.org/sqlite" // The database/sql driver "sqlite".
)

// Record is one stored report.
type Record struct {
	ID     int64     // Increasing in the order reports were stored.
	User   string    // The hub account it was filed under.
	At     time.Time // When the board received it (millisecond precision).
	Report classboard.Report
}

// Store is an open database. Its methods are safe for concurrent use.
type Store struct {
	db   *sql.DB
	adds chan *add
	quit chan struct{}
	done chan struct{}
	once sync.Once
}

type add struct {
	user    string
	at      time.Time
	reports []classboard.Report
	reply   chan result
}

type result struct {
	records []Record
	err     error
}

// ErrClosed is returned by Add after Close.
var ErrClosed = errors.New("classboard/store: closed")

const schema = `
CREATE TABLE IF NOT EXISTS reports (
	id    INTEGER PRIMARY KEY,
	user  TEXT    NOT NULL,
	at_ms INTEGER NOT NULL,
	kind  TEXT    NOT NULL,
	body  TEXT    NOT NULL
);
CREATE INDEX IF NOT EXISTS reports_by_user ON reports (user, id);
PRAGMA user_version = 1;
`

// Open opens (creating it if needed) the database at path, in WAL mode.
func Open(path string) (*Store, error) {
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(NORMAL)", "busy_timeout(5000)"} {
		q.Add("_pragma", p)
	}
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("classboard/store: opening %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("classboard/store: creating the schema in %s: %w", path, err)
	}
	var version int
	if err := db.QueryRow("PRAGMA user_version").Scan(&version); err != nil || version != 1 {
		db.Close()
		return nil, fmt.Errorf("classboard/store: %s has schema version %d, not 1 (%v)", path, version, err)
	}
	s := &Store{db: db, adds: make(chan *add), quit: make(chan struct{}), done: make(chan struct{})}
	go s.writer()
	return s, nil
}

// Add stores reports, all or none, under user, received at time at, and returns their
// records. It returns when they are committed.
func (s *Store) Add(ctx context.Context, user string, at time.Time, reports []classboard.Report) ([]Record, error) {
	a := &add{user: user, at: at, reports: reports, reply: make(chan result, 1)}
	select {
	case s.adds <- a:
	case <-s.quit:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, fmt.Errorf("classboard/store: %w", ctx.Err())
	}
	select {
	case r := <-a.reply:
		return r.records, r.err
	case <-ctx.Done(): // It may still be committed.
		return nil, fmt.Errorf("classboard/store: %w", ctx.Err())
	}
}

// writer commits the adds waiting at the same moment in one transaction.
func (s *Store) writer() {
	defer close(s.done)
	for {
		var group []*add
		select {
		case a := <-s.adds:
			group = append(group, a)
		case <-s.quit:
			return
		}
	more:
		for len(group) < 256 {
			select {
			case a := <-s.adds:
				group = append(group, a)
			default:
				break more
			}
		}
		results, err := s.commit(group)
		for i, a := range group {
			if err != nil {
				a.reply <- result{err: err}
			} else {
				a.reply <- result{records: results[i]}
			}
		}
	}
}

func (s *Store) commit(group []*add) ([][]Record, error) {
	tx, err := s.db.Begin()
	if err != nil {
		return nil, fmt.Errorf("classboard/store: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.Prepare("INSERT INTO reports (user, at_ms, kind, body) VALUES (?, ?, ?, ?)")
	if err != nil {
		return nil, fmt.Errorf("classboard/store: %w", err)
	}
	defer stmt.Close()
	out := make([][]Record, len(group))
	for i, a := range group {
		at := a.at.Truncate(time.Millisecond)
		for _, r := range a.reports {
			body, err := json.Marshal(r)
			if err != nil {
				return nil, fmt.Errorf("classboard/store: encoding a %s report: %w", r.Kind, err)
			}
			res, err := stmt.Exec(a.user, at.UnixMilli(), string(r.Kind), string(body))
			if err != nil {
				return nil, fmt.Errorf("classboard/store: storing a %s report of %s: %w", r.Kind, a.user, err)
			}
			id, err := res.LastInsertId()
			if err != nil {
				return nil, fmt.Errorf("classboard/store: %w", err)
			}
			out[i] = append(out[i], Record{ID: id, User: a.user, At: at, Report: r})
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("classboard/store: committing: %w", err)
	}
	return out, nil
}

// Each calls fn with every stored record, oldest first. A row that no longer reads as a valid
// report is skipped and named in the error returned at the end; an error from fn stops it.
func (s *Store) Each(ctx context.Context, fn func(Record) error) error {
	rows, err := s.db.QueryContext(ctx, "SELECT id, user, at_ms, body FROM reports ORDER BY id")
	if err != nil {
		return fmt.Errorf("classboard/store: %w", err)
	}
	defer rows.Close()
	var bad []error
	for rows.Next() {
		var rec Record
		var atMS int64
		var body string
		if err := rows.Scan(&rec.ID, &rec.User, &atMS, &body); err != nil {
			return fmt.Errorf("classboard/store: %w", err)
		}
		rec.At = time.UnixMilli(atMS)
		if err := json.Unmarshal([]byte(body), &rec.Report); err != nil {
			if len(bad) < 10 {
				bad = append(bad, fmt.Errorf("report %d: %w", rec.ID, err))
			}
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("classboard/store: %w", err)
	}
	if len(bad) > 0 {
		return fmt.Errorf("classboard/store: unreadable rows skipped: %w", errors.Join(bad...))
	}
	return nil
}

// Count returns the number of stored reports, per user.
func (s *Store) Count(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, "SELECT user, COUNT(*) FROM reports GROUP BY user")
	if err != nil {
		return nil, fmt.Errorf("classboard/store: %w", err)
	}
	defer rows.Close()
	counts := map[string]int64{}
	for rows.Next() {
		var user string
		var n int64
		if err := rows.Scan(&user, &n); err != nil {
			return nil, fmt.Errorf("classboard/store: %w", err)
		}
		counts[user] = n
	}
	return counts, rows.Err()
}

// Close stops accepting reports, waits for the commit in progress, and closes the database.
func (s *Store) Close() error {
	var err error
	s.once.Do(func() {
		close(s.quit)
		<-s.done
		err = s.db.Close()
	})
	return err
}
