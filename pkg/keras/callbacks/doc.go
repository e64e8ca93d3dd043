// Package callbacks holds what observes keras' Fit and what Fit records, as Keras'
// keras.callbacks does:
//
//   - Callback: any value with one or more of the small interfaces TrainBeginner, EpochBeginner,
//     ChunkEnder, EpochEnder and TrainEnder; Fit calls each method a callback has, in order;
//   - Run: one training run as callbacks see it, with Stop, the one way any callback ends
//     training early (Keras' model.stop_training = True);
//   - History (loss and accuracy per epoch, saved beside the weights), ProgbarLogger (the epoch
//     lines), TerminateOnNaN and StopOnInterrupt: the callbacks every Fit runs.
//
// It is apart from package keras so that code that only draws a History or observes training
// (package show) does not import GoMLX and XLA: a notebook cell that draws digits then links a
// 4 MB binary in 0.4 s instead of a 30 MB one in 1.2 s. Errors are prefixed "callbacks:".
package callbacks
