package board

import (
	"context"
	"fmt"
	"log"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/classboard/service/hub"
	"mnistlesson/pkg/classboard/service/store"
)

// TestDemo serves a board with a made-up class, for working on the page:
//
//	CLASS_BOARD_DEMO=127.0.0.1:8765 go test -run TestDemo ./pkg/classboard/board/
//
// then open http://127.0.0.1:8765/services/class-board/ with the cookie
// class-board-token=teacher-token (any browser's developer tools set it). It serves until
// killed; without CLASS_BOARD_DEMO it is skipped.
func TestDemo(t *testing.T) {
	addr := os.Getenv("CLASS_BOARD_DEMO")
	if addr == "" {
		t.Skip("CLASS_BOARD_DEMO=ADDRESS serves a demonstration board")
	}
	h := newFakeHub()
	names := []string{"alex", "bora", "chul", "dami", "eunji", "gyu", "hana", "jisoo", "minji", "newbie"}
	h.users = nil
	for _, n := range names {
		u := hub.User{Name: n}
		if n != "newbie" {
			now := time.Now()
			u.LastActivity = &now
		}
		h.users = append(h.users, u)
		h.tokens[n+"-token"] = hub.User{Kind: "user", Name: n}
	}
	st, err := store.Open(filepath.Join(t.TempDir(), "demo.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(context.Background(), Config{Prefix: prefix, Store: st, Hub: h, Log: log.Default()})
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, reps ...classboard.Report) {
		recs, err := st.Add(context.Background(), name, time.Now(), reps)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			b.class.apply(r)
		}
	}
	lesson := classboard.Report{Kind: classboard.KindModel, Layers: DefaultLesson.Layers, Params: DefaultLesson.Params}
	for i, n := range names[:9] {
		steps := []classboard.Report{}
		for s := classboard.Step(0); s <= classboard.Step(min(i, 3)); s++ {
			steps = append(steps, classboard.Report{Kind: classboard.KindStep, Step: s})
		}
		add(n, steps...)
		if i < 3 {
			continue
		}
		model := lesson
		if n == "hana" {
			model = classboard.Report{Kind: classboard.KindModel, Layers: "784 → 128 (relu) → 10 (softmax)", Params: 101770}
		}
		add(n, model)
		run := fmt.Sprintf("run%d", i)
		epochs := 100
		done := 20 + 10*i
		var reps []classboard.Report
		for e := 1; e <= min(done, epochs); e++ {
			loss := 0.3*math.Exp(-float64(e)/(8+float64(i))) + 0.01
			if n == "gyu" && e > 30 {
				loss = math.NaN()
			}
			reps = append(reps, classboard.Report{Kind: classboard.KindEpoch, Run: run, Epoch: e, Epochs: epochs, Loss: loss, Accuracy: 1 - loss/2})
		}
		add(n, reps...)
		if done >= epochs {
			add(n, classboard.Report{Kind: classboard.KindTrainEnd, Run: run, Epoch: epochs, Epochs: epochs, Reason: "done"},
				classboard.Report{Kind: classboard.KindEvaluate, Loss: 0.09, Accuracy: 0.97 + float64(i)/1000},
				classboard.Report{Kind: classboard.KindCheck, Exercise: "compile", Passed: true, Message: "ok"})
		}
	}
	for range 3 {
		add("chul", classboard.Report{Kind: classboard.KindError, Message: "Error: the model's input has 784 values per image; x_train has 28×28: reshape it first"})
	}
	t.Logf("serving on http://%s%s (cookie class-board-token=teacher-token)", addr, prefix)
	t.Fatal(http.ListenAndServe(addr, b))
}
