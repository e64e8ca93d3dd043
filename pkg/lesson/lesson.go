package lesson

import (
	"fmt"
	"os"
	"strconv"
)

// EnvEpochs names the environment variable that overrides the number of training epochs.
const EnvEpochs = "LESSON_EPOCHS"

// Epochs returns n, the lesson's number of epochs, unless LESSON_EPOCHS holds a positive number:
// then it returns that and prints a line saying so, so that a shortened run is never mistaken
// for the real one.
func Epochs(n int) int {
	v, ok := os.LookupEnv(EnvEpochs)
	if !ok || v == "" {
		return n
	}
	e, err := strconv.Atoi(v)
	if err != nil || e <= 0 {
		fmt.Printf("%s=%q is not a positive number; training the lesson's %d epochs.\n", EnvEpochs, v, n)
		return n
	}
	fmt.Printf("%s=%d is set: training %d epoch(s) instead of the lesson's %d.\n", EnvEpochs, e, e, n)
	return e
}
