"""@file Reference gemm timings for bench/gemm.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: OPENBLAS_NUM_THREADS=t python3 bench/gemm_ref.py THREADS CASES.json -> one JSON line
{"numpy": [GFLOP/s per case], "torch": [... or null], "numpy_cpu": [...], "torch_cpu": [...]}
(the _cpu rates use process CPU time, which preemption on a shared machine does not inflate).

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
    """(best wall time, best process CPU time) of repeated runs after a warm-up."""
    f()
    t_best = c_best = float("inf")
    start = time.perf_counter()
    reps = 0
    while reps < 3 or time.perf_counter() - start < budget:
        t0, c0 = time.perf_counter(), time.process_time()
        f()
        t_best = min(t_best, time.perf_counter() - t0)
        c_best = min(c_best, time.process_time() - c0)
        reps += 1
        if reps >= 200:
            break
    return t_best, c_best


def main():
    cases = json.load(open(sys.argv[2]))
    out = {"numpy": [], "torch": [], "numpy_cpu": [], "torch_cpu": []}
    rng = np.random.default_rng(0)
    for c in cases:
        m, n, k = c["m"], c["n"], c["k"]
        a = rng.standard_normal((k, m) if c["ta"] else (m, k))
        b = rng.standard_normal((n, k) if c["tb"] else (k, n))
        A = a.T if c["ta"] else a
        B = b.T if c["tb"] else b
        flops = 2.0 * m * n * k
        t, cpu = best(lambda: np.matmul(A, B), c["budget_s"])
        out["numpy"].append(flops / t / 1e9)
        out["numpy_cpu"].append(flops / cpu / 1e9 if cpu > 0 else None)
        if torch is not None:
            ta, tb = torch.from_numpy(a), torch.from_numpy(b)
            TA = ta.t() if c["ta"] else ta
            TB = tb.t() if c["tb"] else tb
            t, cpu = best(lambda: torch.mm(TA, TB), c["budget_s"])
            out["torch"].append(flops / t / 1e9)
            out["torch_cpu"].append(flops / cpu / 1e9 if cpu > 0 else None)
        else:
            out["torch"].append(None)
            out["torch_cpu"].append(None)
    print(json.dumps(out))


main()
