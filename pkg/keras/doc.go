// Package keras is a small Keras-style API over GoMLX, so that each notebook cell of the lesson
// reads like its Keras original (Example shows the whole flow; it compiles and runs as a test):
//
//	model := keras.Sequential(
//		keras.Dense(64).InputDim(784).Activation("relu"),
//		keras.Dense(32).Activation("relu"),
//		keras.Dense(10).Activation("softmax"),
//	).Compile("categorical_crossentropy", "adam", "accuracy")
//	table, err := model.Summary()
//	hist, err := model.Fit(xTrain, yTrain).Epochs(100).BatchSize(32).Done()
//	testLoss, testAcc, err := model.Evaluate(xTest, yTest)
//	probs, err := model.Predict(xTest)
//
// What is in it:
//   - building: Sequential, Dense (with InputDim, Activation, Name), Compile (the lesson's loss,
//     optimizer and metric), Seed, SaveDir, Log; a configuration error is kept and reported by the
//     first call that needs the model, like Keras' exception at fit time;
//   - training: Fit returns a FitConfig (Epochs, BatchSize, Output, Callbacks, StepsPerCall);
//     Done trains and returns the callbacks.History. The loop is shaped like Keras': the History,
//     the epoch lines (ProgbarLogger), the stop on a diverging loss (TerminateOnNaN) or an
//     interrupted kernel (StopOnInterrupt) and the saving of each epoch (ModelCheckpoint) are all
//     callbacks (package callbacks), and any callback stops training through the one stop flag,
//     callbacks.Run.Stop; Done then returns a *StoppedError, keeping the last completed epoch;
//   - using the trained model: Evaluate, Predict, History, Summary, Architecture.
//
// GoMLX does the work: layers.Dense builds the layers, optimizer.Adam updates them in a graph
// compiled by model.Exec (a chunk of steps per call, in a While loop on XLA: trainloop.go),
// train.Trainer evaluates them, and model/checkpoint saves them. Because GoNB runs each notebook
// cell as a new process, Fit saves the trained weights, the History and the layers in the
// model's folder ("<notebook>_model" beside the notebook) and later cells load them from there;
// a folder holding a model with other layers is refused, and one training run at a time may
// write into a folder (its lock is taken before anything is built).
//
// Inputs are ndarray.Arrays (the lesson's datasets); a normalised uint8 array goes to the device
// as bytes and each batch is converted there (inputs.go). Errors are returned, prefixed "keras:",
// saying what was expected and which prep function fixes it; keras never ends the process.
package keras
