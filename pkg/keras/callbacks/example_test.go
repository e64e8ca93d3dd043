package callbacks_test

import (
	"fmt"
	"math"
	"os"

	"mnistlesson/pkg/keras/callbacks"
)

// A History that stopped early says so; what is saved is read back whole.
func ExampleHistory() {
	dir, _ := os.MkdirTemp("", "history")
	defer os.RemoveAll(dir)
	h := &callbacks.History{Loss: []float64{0.31, 0.14}, Accuracy: []float64{0.91, 0.96}, Epochs: 5,
		Stopped: "interrupted during epoch 3"}
	if err := h.Save(dir); err != nil {
		fmt.Println(err)
	}
	again, err := callbacks.LoadHistory(dir)
	fmt.Println(again.Completed(), again.Loss, err)
	fmt.Println(again.Note())
	_, err = callbacks.LoadHistory(os.TempDir() + "/no-such-model")
	fmt.Println(err != nil)
	// Output:
	// 2 [0.31 0.14] <nil>
	// Note: training stopped at epoch 2 of 5 (interrupted during epoch 3); these results are for that model.
	// true
}

// ProgbarLogger's line for an epoch, as Keras prints it.
func ExampleProgbarLogger() {
	p := callbacks.ProgbarLogger{W: os.Stdout}
	run := &callbacks.Run{Epochs: 100, Steps: 1875, BatchSize: 32}
	_ = p.OnEpochEnd(run, callbacks.Epoch{Epoch: 1, Loss: 0.0712, Accuracy: 0.9781, Seconds: 1.5})
	// Output: Epoch 1/100 - 1875/1875 - loss: 0.0712 - accuracy: 0.9781 - 1.5s (0.80 ms/step)
}

// A callback stops training through its Run, as TerminateOnNaN does when the loss diverges.
func ExampleRun_Stop() {
	run := &callbacks.Run{Epochs: 100, Steps: 1875}
	callbacks.TerminateOnNaN{}.OnChunkEnd(run, callbacks.Chunk{Epoch: 1, FirstStep: 1, Step: 125, Loss: 0.9})
	fmt.Printf("%q\n", run.StopReason())
	callbacks.TerminateOnNaN{}.OnChunkEnd(run, callbacks.Chunk{Epoch: 1, FirstStep: 126, Step: 250, Loss: math.NaN()})
	fmt.Println(run.StopReason())
	// Output:
	// ""
	// the loss became NaN in epoch 1 (steps 126–250): training diverged, or the data holds NaN or infinite values
}
