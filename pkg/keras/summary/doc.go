// Package summary describes a model's layers as Keras' model.summary() does: one Layer per
// layer (name, type, activation, shapes, parameters), the table it prints, and Commas for its
// numbers. keras.Model computes the Layers; package show draws them as the model diagram.
//
// It is apart from package keras so that show does not import GoMLX and XLA (see package
// callbacks).
package summary
