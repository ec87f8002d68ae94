"""@file Reference gemm timings for bench/gemm.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: OPENBLAS_NUM_THREADS=t python3 bench/gemm_ref.py THREADS CASES.json -> one JSON line
{"numpy": [GFLOP/s per case], "torch": [GFLOP/s per case or null]}.

CASES.json = [{"m", "n", "k", "ta", "tb", "budget_s"}]: C = op(A)·op(B) in float64 with A stored
k×m when ta (else m×k) and B stored n×k when tb (else k×n), op = transpose view (BLAS flags, no
copy). numpy.matmul (OpenBLAS) and torch.mm (float64, torch.set_num_threads(THREADS)); best time of
repeated runs within budget_s after one warm-up. The thread count of OpenBLAS must be set in the
environment before numpy is imported, hence one process per thread count.
"""
import json
import os
import sys
import time

threads = int(sys.argv[1])
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = str(threads)
import numpy as np

try:
    import torch

    torch.set_num_threads(threads)
except Exception:  # torch missing: numpy only
    torch = None


def best(f, budget):
    f()
    t_best = float("inf")
    start = time.perf_counter()
    reps = 0
    while reps < 3 or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        f()
        t_best = min(t_best, time.perf_counter() - t0)
        reps += 1
        if reps >= 200:
            break
    return t_best


def main():
    cases = json.load(open(sys.argv[2]))
    out = {"numpy": [], "torch": []}
    rng = np.random.default_rng(0)
    for c in cases:
        m, n, k = c["m"], c["n"], c["k"]
        a = rng.standard_normal((k, m) if c["ta"] else (m, k))
        b = rng.standard_normal((n, k) if c["tb"] else (k, n))
        A = a.T if c["ta"] else a
        B = b.T if c["tb"] else b
        flops = 2.0 * m * n * k
        out["numpy"].append(flops / best(lambda: np.matmul(A, B), c["budget_s"]) / 1e9)
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            TA = ta.t() if c["ta"] else ta
            TB = tb.t() if c["tb"] else tb
            out["torch"].append(flops / best(lambda: torch.mm(TA, TB), c["budget_s"]) / 1e9)
        else:
            out["torch"].append(None)
    print(json.dumps(out))


main()
