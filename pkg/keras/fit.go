package keras

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"time"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/dataset"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/metric"
	"github.com/pkg/errors"
)

// FitConfig configures a training run; create it with Model.Fit and run it with Done.
type FitConfig struct {
	m         *Model
	x, y      *tensors.Tensor
	epochs    int
	batchSize int
	out       io.Writer
	callbacks []Callback
}

// Fit prepares to train the model on x [N, InputDim] float32 and one-hot y [N, OutputDim]
// float32, like model.fit in Keras. Defaults are Keras': 1 epoch, batch size 32. Call Done to
// train.
func (m *Model) Fit(x, y *tensors.Tensor) *FitConfig {
	return &FitConfig{m: m, x: x, y: y, epochs: 1, batchSize: 32, out: os.Stdout}
}

// Epochs sets how many times training goes over the whole dataset.
func (c *FitConfig) Epochs(n int) *FitConfig { c.epochs = n; return c }

// BatchSize sets how many examples each training step uses.
func (c *FitConfig) BatchSize(n int) *FitConfig { c.batchSize = n; return c }

// Output sets where the per-epoch log goes (default os.Stdout); nil silences it.
func (c *FitConfig) Output(w io.Writer) *FitConfig { c.out = w; return c }

// Done trains the model, printing one line per epoch as Keras does, e.g.
//
//	Epoch 3/100 - 1875/1875 - loss: 0.0712 - accuracy: 0.9781 - 1.4s (0.75 ms/step)
//
// It starts from fresh weights, and after every epoch saves the weights and the History in the
// model's SaveDir, so later cells (and an interrupted run) find the last completed epoch. An
// earlier model found there is first moved to SaveDir + ".previous".
func (c *FitConfig) Done() (*History, error) {
	m := c.m
	if err := m.ready(); err != nil {
		return nil, err
	}
	if c.epochs <= 0 {
		return nil, fmt.Errorf("keras: epochs is %d; it must be at least 1", c.epochs)
	}
	if c.batchSize <= 0 {
		return nil, fmt.Errorf("keras: batch size is %d; it must be at least 1, e.g. 32", c.batchSize)
	}
	if err := m.checkInputs(c.x, c.y); err != nil {
		return nil, err
	}
	out := c.out
	if out == nil {
		out = io.Discard
	}

	store, err := m.newStore()
	if err != nil {
		return nil, err
	}
	saver, err := m.newSaver(store, out)
	if err != nil {
		return nil, err
	}
	trainer := train.NewTrainer(m.backend, store, m.logits, m.categoricalCrossEntropy, newOptimizer(),
		[]metric.Interface{batchAccuracy()}, []metric.Interface{meanAccuracy()})
	ds, err := dataset.InMemoryFromData(m.backend, "train", []any{c.x}, []any{c.y})
	if err != nil {
		return nil, errors.WithMessage(err, "keras: preparing the training data")
	}
	// Shuffled on the host, from the seed: the same order on every backend.
	ds.BatchSize(c.batchSize, false).Shuffle().WithRand(rand.New(rand.NewSource(m.seed + 1)))
	m.store = store

	n := c.x.Shape().Dimensions[0]
	stepsPerEpoch := (n + c.batchSize - 1) / c.batchSize
	hist := &History{Epochs: c.epochs, BatchSize: c.batchSize, Backend: m.backend.Name()}

	// Sum the per-step loss and accuracy to report epoch means, as Keras' progress line does.
	var lossSum, accSum float64
	var steps int
	loop := train.NewLoop(trainer)
	loop.OnStep("keras.epoch_means", 0, func(_ *train.Loop, metrics []*tensors.Tensor) error {
		lossSum += scalar(metrics[0])
		accSum += scalar(metrics[2])
		steps++
		for _, cb := range c.callbacks {
			cb.OnBatchEnd(steps, stepsPerEpoch, lossSum/float64(steps), accSum/float64(steps))
		}
		return nil
	})
	defer func() {
		for _, cb := range c.callbacks {
			cb.OnTrainEnd(hist)
		}
	}()
	for epoch := 1; epoch <= c.epochs; epoch++ {
		lossSum, accSum, steps = 0, 0, 0
		for _, cb := range c.callbacks {
			cb.OnEpochBegin(epoch, c.epochs, stepsPerEpoch)
		}
		start := time.Now()
		if _, err := loop.RunEpochs(ds, 1); err != nil {
			return hist, errors.WithMessagef(err, "keras: training failed in epoch %d", epoch)
		}
		elapsed := time.Since(start)
		hist.Loss = append(hist.Loss, lossSum/float64(steps))
		hist.Accuracy = append(hist.Accuracy, accSum/float64(steps))
		hist.EpochSeconds = append(hist.EpochSeconds, elapsed.Seconds())
		fmt.Fprintf(out, "Epoch %d/%d - %d/%d - loss: %.4f - accuracy: %.4f - %.1fs (%.2f ms/step)\n",
			epoch, c.epochs, steps, stepsPerEpoch, hist.Loss[epoch-1], hist.Accuracy[epoch-1],
			elapsed.Seconds(), float64(elapsed.Microseconds())/1000/float64(steps))
		if err := saver.save(hist); err != nil {
			return hist, err
		}
		for _, cb := range c.callbacks {
			cb.OnEpochEnd(epoch, hist)
		}
	}
	return hist, nil
}

// scalar reads a scalar metric tensor as float64.
func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		return 0
	}
}
