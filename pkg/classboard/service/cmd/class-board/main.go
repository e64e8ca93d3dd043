// Command class-board is the class board, a JupyterHub managed service: the hub starts it with
// its environment (JUPYTERHUB_API_URL, JUPYTERHUB_API_TOKEN, JUPYTERHUB_CLIENT_ID,
// JUPYTERHUB_SERVICE_URL, JUPYTERHUB_SERVICE_PREFIX, JUPYTERHUB_OAUTH_CALLBACK_URL, …), and
// proxies /services/class-board/ to it. It keeps reports in SQLite at --db.
//
//	class-board --db /var/lib/mnist-classroom/class-board.sqlite
//
// See scripts/hub/jupyterhub_config.py for how the hub declares it, and package
// mnistlesson/pkg/classboard/service/board for what it serves.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"mnistlesson/pkg/classboard/service/board"
	"mnistlesson/pkg/classboard/service/hub"
	"mnistlesson/pkg/classboard/service/store"
)

func main() {
	log.SetFlags(log.LstdFlags | log.Lmicroseconds)
	if err := run(); err != nil {
		log.Printf("%v", err)
		os.Exit(1)
	}
}

func run() error {
	dbPath := flag.String("db", envOr("CLASS_BOARD_DB", "class-board.sqlite"), "the SQLite file of reports (created if missing)")
	listen := flag.String("listen", "", "address to listen on (default: the host and port of JUPYTERHUB_SERVICE_URL)")
	stuck := flag.Duration("stuck-after", 5*time.Minute, "no progress this long, while others move on, flags a student as stuck")
	exercises := flag.Int("exercises", 4, "exercise checks in the lesson (the total shown)")
	rate := flag.Float64("rate", 10, "reports a second allowed per account, after the burst")
	burst := flag.Int("burst", 300, "reports allowed at once per account")
	accuracy := flag.Float64("lesson-accuracy", board.DefaultLesson.Accuracy, "the lesson's model's test accuracy, shown beside other models'")
	flag.Parse()

	env, err := hub.ReadEnv()
	if err != nil {
		return err
	}
	prefix := envOr("JUPYTERHUB_SERVICE_PREFIX", "/services/class-board/")
	addr := *listen
	if addr == "" {
		u, err := url.Parse(env.ServiceURL)
		if err != nil || u.Host == "" {
			return fmt.Errorf("class-board: JUPYTERHUB_SERVICE_URL=%q gives no address to listen on: declare the service with a url, or pass --listen", env.ServiceURL)
		}
		addr = u.Host
	}
	st, err := store.Open(*dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	lesson := board.DefaultLesson
	lesson.Accuracy = *accuracy
	cfg := board.Config{
		Prefix:       prefix,
		Store:        st,
		Hub:          hub.NewClient(env.APIURL, env.APIToken),
		ClientID:     env.ClientID,
		CallbackURL:  env.CallbackURL,
		AuthorizeURL: env.Host + env.BaseURL + "hub/api/oauth2/authorize",
		AccessScopes: env.AccessScopes,
		HubBaseURL:   env.BaseURL,
		Lesson:       lesson,
		Exercises:    *exercises,
		StuckAfter:   *stuck,
		Rate:         *rate,
		Burst:        *burst,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	b, err := board.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	srv := &http.Server{
		Handler:           b,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second, // The live stream lifts it for itself.
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    32 << 10,
		ErrorLog:          log.Default(),
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("class-board: %w", err)
	}
	log.Printf("class-board: serving %s on http://%s%s (reports in %s; hub API %s; OAuth client %q)", prefix, addr, prefix, *dbPath, env.APIURL, env.ClientID)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		return fmt.Errorf("class-board: %w", err)
	case <-ctx.Done():
	}
	log.Printf("class-board: stopping")
	b.Close() // Ends the live streams, so that Shutdown need not wait for them.
	shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shut); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("class-board: %w", err)
	}
	return nil
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
