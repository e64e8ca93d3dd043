// Package keras is a small Keras-style API over GoMLX, so that each notebook cell of the lesson
// reads like its Keras original (Example shows the whole flow; it compiles and runs as a test):
//
//	model := keras.Sequential(
//		keras.Dense(64).InputDim(784).Activation("relu"),
//		keras.Dense(32).Activation("relu"),
//		keras.Dense(10).Activation("softmax"),
//	).Compile("categorical_crossentropy", "adam", "accuracy")
//	fmt.Print(model.Summary())
//	hist, err := model.Fit(xTrain, yTrain).Epochs(100).BatchSize(32).Done()
//	testLoss, testAcc, err := model.Evaluate(xTest, yTest)
//	probs, err := model.Predict(xTest)
//
// What is in it:
//   - building: Sequential, Dense (with InputDim, Activation, Name), Compile (the lesson's loss,
//     optimizer and metric), Seed, SaveDir; a configuration error is kept and reported by the
//     first call that needs the model, like Keras' exception at fit time;
//   - training: Fit returns a FitConfig (Epochs, BatchSize, Output, Callbacks, StepsPerCall);
//     Done trains. Callbacks observe the run (OnTrainBegin … OnTrainEnd, BaseCallback to embed);
//     ProgbarLogger prints the epoch lines and ModelCheckpoint saves each epoch, as in Keras.
//     Interrupting the kernel or a diverging loss stops training with a *StoppedError, keeping
//     the last completed epoch;
//   - using the trained model: Evaluate, Predict, History, Summary, Architecture.
//
// GoMLX does the work: layers.Dense builds the layers, optimizer.Adam updates them in a graph
// compiled by model.Exec (a chunk of steps per call, in a While loop on XLA: trainloop.go),
// train.Trainer evaluates them, and model/checkpoint saves them. Because GoNB runs each notebook
// cell as a new process, Fit saves the trained weights, the History and the layers in the
// model's folder ("<notebook>_model" beside the notebook) and later cells load them from there;
// a folder holding a model with other layers is refused, and one training run at a time may
// write into a folder.
//
// Callback, BaseCallback, ProgbarLogger and History are defined in package keras/callbacks, and
// LayerSummary in keras/summary, without GoMLX; keras names them again, so either name works.
//
// Inputs are ndarray.Arrays (the lesson's datasets); a normalised uint8 array goes to the device
// as bytes and each batch is converted there (inputs.go). Errors are returned, prefixed "keras:",
// saying what was expected and which prep function fixes it.
package keras
