package keras

import (
	"fmt"

	"github.com/gomlx/gomlx/core/tensors"
	"github.com/gomlx/gomlx/ml/dataset"
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train"
	"github.com/gomlx/gomlx/ml/train/metric"

	"mnistlesson/pkg/classboard"
	"mnistlesson/pkg/ndarray"
)

// evalBatchSize only affects speed: the loss and accuracy are means over all examples.
const evalBatchSize = 1000

// Evaluate returns the mean loss and the accuracy of the trained model on x [N, InputDim] and
// one-hot y [N, OutputDim], like model.evaluate in Keras. In a new process it loads the model
// that Fit saved.
func (m *Model) Evaluate(x, y *ndarray.Array) (loss, accuracy float64, err error) {
	if err = m.ready(); err != nil {
		return
	}
	if err = m.checkInputs(x, y); err != nil {
		return
	}
	if err = m.load(); err != nil {
		return
	}
	trainer := train.NewTrainer(m.backend, m.store, m.logits, m.categoricalCrossEntropy, newOptimizer(),
		nil, []metric.Interface{meanAccuracy()})
	xt, err := inputTensor(nil, x)
	if err != nil {
		return 0, 0, err
	}
	yt, err := inputTensor(nil, y)
	if err != nil {
		return 0, 0, err
	}
	ds, err := dataset.InMemoryFromData(m.backend, "eval", []any{xt}, []any{yt})
	if err != nil {
		return 0, 0, fmt.Errorf("keras: preparing the evaluation data: %w", err)
	}
	ds.BatchSize(evalBatchSize, false)
	results, err := trainer.Eval(ds)
	if err != nil {
		return 0, 0, fmt.Errorf("keras: evaluation failed: %w", err)
	}
	if loss, err = scalar(results[0]); err != nil {
		return 0, 0, err
	}
	if accuracy, err = scalar(results[1]); err != nil {
		return 0, 0, err
	}
	classboard.Evaluated(loss, accuracy)
	return loss, accuracy, nil
}

// Predict returns the model's output for x [N, InputDim], like model.predict in Keras: the class
// probabilities [N, OutputDim] float32 when the last layer is a softmax.
func (m *Model) Predict(x *ndarray.Array) (*ndarray.Array, error) {
	if err := m.ready(); err != nil {
		return nil, err
	}
	if err := m.checkInputs(x, nil); err != nil {
		return nil, err
	}
	if err := m.load(); err != nil {
		return nil, err
	}
	exec, err := model.NewExec(m.backend, m.store, m.probabilities)
	if err != nil {
		return nil, fmt.Errorf("keras: building the prediction graph: %w", err)
	}
	xt, err := inputTensor(nil, x)
	if err != nil {
		return nil, err
	}
	out, err := exec.Call(xt)
	if err != nil {
		return nil, fmt.Errorf("keras: prediction failed: %w", err)
	}
	values, err := tensors.CopyFlatData[float32](out[0])
	if err != nil {
		return nil, fmt.Errorf("keras: reading the predictions: %w", err)
	}
	return ndarray.FromFloat32(values, out[0].Shape().Dimensions...), nil
}
