package summary_test

import (
	"fmt"

	"mnistlesson/pkg/keras/summary"
)

// The table of a one-layer model, as keras' Model.Summary prints it.
func ExampleTable() {
	layers := []summary.Layer{{Name: "dense", Type: "Dense", Activation: "softmax",
		InputShape: "(None, 784)", OutputShape: "(None, 10)", Params: 784*10 + 10}}
	fmt.Print(summary.Table("sequential", layers))
	// Output:
	// Model: "sequential"
	// _________________________________________________________________
	//  Layer (type)                 Output Shape              Param #
	// =================================================================
	//  dense (Dense)                (None, 10)                7,850
	// =================================================================
	// Total params: 7,850
	// Trainable params: 7,850
	// Non-trainable params: 0
	// _________________________________________________________________
}

func ExampleCommas() {
	fmt.Println(summary.Commas(7), summary.Commas(52650), summary.Commas(1234567))
	// Output: 7 52,650 1,234,567
}
