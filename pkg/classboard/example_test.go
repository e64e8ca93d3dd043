package classboard_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"

	"mnistlesson/pkg/classboard"
)

// The calls the lesson's packages make. Off a class hub (no CLASS_BOARD_URL, as here) each one
// is a nil check: nothing is sent, no goroutine starts, nothing is printed.
func Example() {
	classboard.Reached(classboard.StepData)                                      // mnist.LoadData
	classboard.Compiled("784 → 64 (relu) → 32 (relu) → 10 (softmax)", 52650)     // Model.Compile
	run := classboard.Train(100)                                                 // Fit begins
	run.Epoch(1, 0.2934, 0.9141)                                                 // each epoch
	run.End(1, "interrupted")                                                    // Fit returns
	classboard.Evaluated(0.0988, 0.9744)                                         // Evaluate
	classboard.Check("compile", true, "ok")                                      // an exercise's check
	classboard.ErrorLine("Error: x_train has 28×28 values; the model wants 784") // lesson.Stop
	fmt.Println(classboard.FromEnv() == nil)
	// Output: true
}

// A Client on the class hub, here posting to a stand-in board that prints what it receives.
func ExampleClient() {
	board := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		batch, err := classboard.Decode(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		for _, rep := range batch.Reports {
			fmt.Println(strings.TrimSpace(fmt.Sprintln(r.URL.Path, r.Header.Get("Authorization"), rep.Kind, rep.Epoch, rep.Reason)))
		}
	}))
	defer board.Close()

	c, err := classboard.New(board.URL+"/services/class-board/", "the-servers-token", classboard.Options{Marker: "-"})
	if err != nil {
		panic(err)
	}
	run := c.Train(2)        // queued
	run.Epoch(1, 0.31, 0.91) // queued: posted in the background
	run.Epoch(2, 0.18, 0.95)
	run.End(2, "done") // waits (at most the Budget) for all of them
	sent, dropped, _ := c.Stats()
	fmt.Println("sent", sent, "dropped", dropped)
	// Output:
	// /services/class-board/api/reports token the-servers-token train 0
	// /services/class-board/api/reports token the-servers-token epoch 1
	// /services/class-board/api/reports token the-servers-token epoch 2
	// /services/class-board/api/reports token the-servers-token train_end 2 done
	// sent 4 dropped 0
}
