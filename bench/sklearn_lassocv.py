"""@file Reference timings for bench/hpo.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: python3 bench/sklearn_lassocv.py JOB.json  -> prints one JSON line.

JOB.json = {"x": path to raw float64 COLUMN-MAJOR X (n*p values), "y": path to raw float64 y,
            "n", "p", "folds", "n_alphas", "eps", "tol", "max_iter", "repeats"}

Runs sklearn.linear_model.LassoCV(n_alphas, eps, cv=KFold(folds) (contiguous, no shuffle), tol,
max_iter, fit_intercept=True) and reports the best fit time over `repeats` (wall `ms`, process CPU
`cpu_ms`), the chosen alpha, the
alpha grid and the mean CV MSE per alpha (mse_path_.mean(axis=1)), i.e. the criterion nsdiff's
CrossValCriterion computes.
"""
import json
import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoCV
from sklearn.model_selection import KFold


def main() -> None:
    job = json.load(open(sys.argv[1]))
    n, p = job["n"], job["p"]
    X = np.asfortranarray(np.fromfile(job["x"], dtype=np.float64).reshape(p, n).T)
    y = np.fromfile(job["y"], dtype=np.float64)
    best = float("inf")
    best_cpu = float("inf")
    model = None
    for _ in range(max(1, job.get("repeats", 1))):
        m = LassoCV(n_alphas=job["n_alphas"], eps=job["eps"], cv=KFold(job["folds"]), tol=job["tol"],
                    max_iter=job["max_iter"], fit_intercept=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            c0 = time.process_time()
            t0 = time.perf_counter()
            m.fit(X, y)
            dt = time.perf_counter() - t0
            dc = time.process_time() - c0
        best = min(best, dt)
        best_cpu = min(best_cpu, dc)
        model = m
    mse = model.mse_path_.mean(axis=1)
    print(json.dumps({
        "sklearn": __import__("sklearn").__version__,
        "ms": best * 1e3,
        "cpu_ms": best_cpu * 1e3,
        "alpha": float(model.alpha_),
        "alphas": model.alphas_.tolist(),
        "mse": mse.tolist(),
        "best_mse": float(mse.min()),
        "coef_nnz": int(np.count_nonzero(model.coef_)),
    }))


if __name__ == "__main__":
    main()
