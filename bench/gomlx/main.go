// Command gomlx trains the lesson's model with this project's packages, exactly as the notebook
// does (mnist.LoadData, prep, keras.Sequential, Fit, Evaluate), and prints one JSON line of
// timings for scripts/bench. The backend is its argument ("xla:cpu", "go").
//
// Environment: BENCH_EPOCHS (default 100), BENCH_BATCH (32), BENCH_SEED (1).
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"mnistlesson/pkg/backend"
	"mnistlesson/pkg/keras"
	"mnistlesson/pkg/lesson"
	"mnistlesson/pkg/mnist"
	"mnistlesson/pkg/prep"
)

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func main() {
	start := time.Now()
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gomlx BACKEND (xla:cpu or go)")
		os.Exit(2)
	}
	epochs, batch, seed := envInt("BENCH_EPOCHS", 100), envInt("BENCH_BATCH", 32), envInt("BENCH_SEED", 1)
	b := lesson.Must1(backend.Choose(os.Args[1], os.Stderr))
	xTrain, yTrain, xTest, yTest := lesson.Must4(mnist.LoadData())
	x := prep.Normalize(prep.Reshape(xTrain, 60000, 784))
	xt := prep.Normalize(prep.Reshape(xTest, 10000, 784))
	y := prep.ToCategorical(yTrain, 10)
	yt := prep.ToCategorical(yTest, 10)
	dir, err := os.MkdirTemp("", "bench-model-")
	lesson.Must(err)
	defer os.RemoveAll(dir)
	model := keras.Sequential(
		keras.Dense(64).InputDim(784).Activation("relu"),
		keras.Dense(32).Activation("relu"),
		keras.Dense(10).Activation("softmax"),
	).Compile("categorical_crossentropy", "adam", "accuracy").Seed(int64(seed)).
		SaveDir(filepath.Join(dir, "model")).WithBackend(b)
	hist := lesson.Must1(model.Fit(x, y).Epochs(epochs).BatchSize(batch).Output(io.Discard).Done())
	testLoss, testAcc := lesson.Must2(model.Evaluate(xt, yt))
	result := map[string]any{
		"backend":        backend.Describe(b),
		"epochs":         epochs,
		"batch_size":     batch,
		"seed":           seed,
		"steps":          (60000 + batch - 1) / batch,
		"steps_per_call": hist.StepsPerCall,
		"steps_in_loop":  hist.StepsInLoop,
		"epoch_seconds":  hist.EpochSeconds,
		"test_accuracy":  testAcc,
		"test_loss":      testLoss,
		"wall_seconds":   time.Since(start).Seconds(),
	}
	lesson.Must(json.NewEncoder(os.Stdout).Encode(result))
}
