package keras

import (
	. "github.com/gomlx/gomlx/core/graph" // Dot import allowed in staticcheck.conf.
	"github.com/gomlx/gomlx/ml/model"
	"github.com/gomlx/gomlx/ml/train/loss"
	"github.com/gomlx/gomlx/ml/train/metric"
)

// probabilityEpsilon is Keras' backend epsilon, used to keep log() finite.
const probabilityEpsilon = 1e-7

// categoricalCrossEntropy is Keras' "categorical_crossentropy": the mean over the batch of
// -Σ labels·log(probabilities). labels and predictions are [batch, classes].
//
// When the last layer is a softmax the model hands over its logits and GoMLX's stable logits
// form is used (Keras on TensorFlow does the same for a softmax output). Otherwise the
// probabilities are clipped to [ε, 1-ε] with ClipScalar, which, unlike loss.CategoricalCrossEntropy's
// Clip in GoMLX v0.28, has a gradient.
func (m *Model) categoricalCrossEntropy(labels, predictions []*Node) *Node {
	if m.outputsAreLogits() {
		return loss.CategoricalCrossEntropyLogits(labels, predictions)
	}
	p := ClipScalar(predictions[0], probabilityEpsilon, 1-probabilityEpsilon)
	return ReduceAllMean(Neg(ReduceSum(Mul(labels[0], Log(p)), -1)))
}

// accuracyGraph is the fraction of the batch whose most likely class is the labelled one.
// labels are one-hot [batch, classes]; predictions are [batch, classes] logits or probabilities
// (the arg-max is the same).
func accuracyGraph(_ *model.Scope, labels, predictions []*Node) *Node {
	hit := Equal(ArgMax(predictions[0], -1), ArgMax(labels[0], -1))
	return ReduceAllMean(ConvertDType(hit, predictions[0].DType()))
}

// meanAccuracy is the accuracy over a whole evaluation dataset.
func meanAccuracy() metric.Interface {
	return metric.NewMeanMetric("accuracy", "acc", "accuracy", accuracyGraph, nil)
}
