"""Measures this machine's float32 GEMM rate with NumPy's BLAS and prints one JSON line with the
arithmetic floor of one training step of the lesson's model: the time its matrix products alone
would take at that rate."""
import json
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


gflops = max(rate(1024, 10), rate(2048, 3)) / 1e9
print(json.dumps({"gemm_gflops": gflops, "flops_per_step": flops_per_step,
                  "floor_ms_per_step": flops_per_step / (gflops * 1e9) * 1e3}))
