package keras_test

import (
	"fmt"
	"io"
	"os"

	"mnistlesson/pkg/keras"
	"mnistlesson/pkg/lesson"
	"mnistlesson/pkg/mnist"
	"mnistlesson/pkg/prep"
)

// The lesson's flow, on the first 6,000 training images and 1,000 test images for speed.
func Example() {
	saveDir, _ := os.MkdirTemp("", "keras-example-")
	defer os.RemoveAll(saveDir)
	images, labels, testImages, testLabels := lesson.Must4(mnist.LoadData())
	xTrain := prep.Normalize(prep.Reshape(lesson.Must1(images.Slice(0, 6000)), 6000, 784))
	yTrain := prep.ToCategorical(lesson.Must1(labels.Slice(0, 6000)), 10)
	xTest := prep.Normalize(prep.Reshape(lesson.Must1(testImages.Slice(0, 1000)), 1000, 784))
	yTest := prep.ToCategorical(lesson.Must1(testLabels.Slice(0, 1000)), 10)

	model := keras.Sequential(
		keras.Dense(64).InputDim(784).Activation("relu"),
		keras.Dense(32).Activation("relu"),
		keras.Dense(10).Activation("softmax"),
	).Compile("categorical_crossentropy", "adam", "accuracy").Seed(42).SaveDir(saveDir)
	hist, err := model.Fit(xTrain, yTrain).Epochs(3).BatchSize(32).Output(io.Discard).Done()
	if err != nil {
		fmt.Println(err)
		return
	}
	testLoss, testAcc, err := model.Evaluate(xTest, yTest)
	if err != nil {
		fmt.Println(err)
		return
	}
	probs := lesson.Must1(model.Predict(xTest))
	fmt.Println("epochs:", hist.Completed(), "loss falls:", hist.Loss[2] < hist.Loss[0])
	fmt.Println("test accuracy above 0.85:", testAcc > 0.85, "loss below 0.6:", testLoss < 0.6)
	fmt.Println("probabilities:", probs)
	// Output:
	// epochs: 3 loss falls: true
	// test accuracy above 0.85: true loss below 0.6: true
	// probabilities: float32 (1000, 10)
}

func ExampleModel_Summary() {
	model := keras.Sequential(
		keras.Dense(64).InputDim(784).Activation("relu"),
		keras.Dense(32).Activation("relu"),
		keras.Dense(10).Activation("softmax"),
	)
	table, err := model.Summary()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(table)
	fmt.Println(model.Architecture())
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                 Output Shape              Param #
	// =================================================================
	//  dense (Dense)                (None, 64)                50,240
	// _________________________________________________________________
	//  dense_1 (Dense)              (None, 32)                2,080
	// _________________________________________________________________
	//  dense_2 (Dense)              (None, 10)                330
	// =================================================================
	// Total params: 52,650
	// Trainable params: 52,650
	// Non-trainable params: 0
	// _________________________________________________________________
	// 784 → 64 (relu) → 32 (relu) → 10 (softmax)
}
