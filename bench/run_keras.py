"""Runs the original Keras lesson (bench/keras_lesson.py) for scripts/bench and prints one JSON
line of timings. The lesson's code runs as written; this harness only
- serves mnist.load_data() from the same IDX files the Go lesson uses (Keras would download
  mnist.npz from Google storage, which a classroom behind a firewall cannot reach),
- changes the epoch count (BENCH_EPOCHS) and, for the batch-size table, the batch size
  (BENCH_BATCH),
- seeds Keras (BENCH_SEED), adds a callback that times each epoch, and makes fit print one line
  per epoch (verbose=2) instead of a progress bar.
"""
import gzip
import json
import os
import struct
import time

start = time.time()
import numpy as np  # noqa: E402 (imported after start: the timing includes TensorFlow's import)
import tensorflow as tf  # noqa: E402 (imported after start: the timing includes TensorFlow's import)
from tensorflow.keras.datasets import mnist  # noqa: E402 (imported after start: the timing includes TensorFlow's import)
from tensorflow.keras.models import Sequential  # noqa: E402 (imported after start: the timing includes TensorFlow's import)

EPOCHS = int(os.environ.get("BENCH_EPOCHS", "100"))
BATCH = int(os.environ.get("BENCH_BATCH", "32"))
tf.keras.utils.set_random_seed(int(os.environ.get("BENCH_SEED", "1")))


def read_idx(name):
    with gzip.open(os.path.join(os.environ["MNIST_IDX_DIR"], name)) as f:
        raw = f.read()
    rank = raw[3]
    dims = struct.unpack(">" + "I" * rank, raw[4:4 + 4 * rank])
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * rank).reshape(dims)


def load_data():
    return ((read_idx("train-images-idx3-ubyte.gz"), read_idx("train-labels-idx1-ubyte.gz")),
            (read_idx("t10k-images-idx3-ubyte.gz"), read_idx("t10k-labels-idx1-ubyte.gz")))


mnist.load_data = load_data
epoch_seconds = []


class EpochTimer(tf.keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.t = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        epoch_seconds.append(time.perf_counter() - self.t)


original_fit = Sequential.fit


def timed_fit(self, *args, **kwargs):
    kwargs["callbacks"] = list(kwargs.get("callbacks") or []) + [EpochTimer()]
    kwargs["verbose"] = 2
    return original_fit(self, *args, **kwargs)


Sequential.fit = timed_fit
src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "keras_lesson.py"), encoding="utf-8").read()
src = src.replace("epochs=100", f"epochs={EPOCHS}").replace("batch_size=32", f"batch_size={BATCH}")
ns = {"__name__": "__main__"}
exec(compile(src, "keras_lesson.py", "exec"), ns)
print(json.dumps({
    "backend": f"Keras {tf.keras.__version__ if hasattr(tf.keras, '__version__') else ''} on TensorFlow {tf.__version__} (CPU)",
    "epochs": EPOCHS, "batch_size": BATCH, "seed": int(os.environ.get("BENCH_SEED", "1")),
    "steps": (60000 + BATCH - 1) // BATCH, "epoch_seconds": epoch_seconds,
    "test_accuracy": float(ns["test_acc"]), "test_loss": float(ns["test_loss"]),
    "wall_seconds": time.time() - start,
}))
