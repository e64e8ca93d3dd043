"""Measures this machine's float32 GEMM rate with NumPy's BLAS and prints one JSON line with the
arithmetic floor of one training step of the lesson's model: the time its matrix products alone
would take at that rate. It also times those products at their real, small shapes (batch 32),
which is as fast as a BLAS runs this step's arithmetic with nothing else around it."""
import json
import os
import subprocess
import sys
import time

import numpy as np

BATCH, LAYERS = 32, [(784, 64), (64, 32), (32, 10)]
forward = sum(2 * BATCH * i * o for i, o in LAYERS)
weight_grads = forward                                     # dW = xᵀ·dy, same size as the forward product.
input_grads = sum(2 * BATCH * i * o for i, o in LAYERS[1:])  # No gradient is needed for the images.
flops_per_step = forward + weight_grads + input_grads


def rate(n, repeats):
    a, b = np.random.rand(n, n).astype(np.float32), np.random.rand(n, n).astype(np.float32)
    a @ b
    best = float("inf")
    for _ in range(repeats):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * n ** 3 / best


def step_products_ms(repeats=2000):
    """The step's eight products at their shapes: three forward, three weight gradients, two
    input gradients; best of five rounds, in ms per step."""
    rng = np.random.default_rng(0)
    acts = [rng.random((BATCH, i), dtype=np.float32) for i, _ in LAYERS]
    weights = [rng.random((i, o), dtype=np.float32) for i, o in LAYERS]
    grads = [rng.random((BATCH, o), dtype=np.float32) for _, o in LAYERS]
    best = float("inf")
    for _ in range(5):
        t = time.perf_counter()
        for _ in range(repeats):
            for a, w in zip(acts, weights, strict=True):
                a @ w
            for a, g in zip(acts, grads, strict=True):
                a.T @ g
            for g, w in zip(grads[1:], weights[1:], strict=True):
                g @ w.T
        best = min(best, (time.perf_counter() - t) / repeats)
    return best * 1e3


if os.environ.get("GEMM_STEP_PRODUCTS_ONLY"):
    print(step_products_ms())
    sys.exit()
# Small products run faster on one BLAS thread (no hand-offs); take the better of one and all.
one_thread = float(subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=True,
                                  env=dict(os.environ, GEMM_STEP_PRODUCTS_ONLY="1", OPENBLAS_NUM_THREADS="1",
                                           OMP_NUM_THREADS="1")).stdout)
gflops = max(rate(1024, 10), rate(2048, 3)) / 1e9
print(json.dumps({"gemm_gflops": gflops, "flops_per_step": flops_per_step,
                  "floor_ms_per_step": flops_per_step / (gflops * 1e9) * 1e3,
                  "step_products_ms": min(one_thread, step_products_ms())}))
