"""@file Reference timings for bench/hpo.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: python3 bench/sklearn_lassocv.py JOB.json  -> prints one JSON line.

JOB.json = {"x": path to raw float64 COLUMN-MAJOR X (n*p values), "y": path to raw float64 y,
            "n", "p", "folds", "n_alphas", "eps", "tol", "max_iter", "repeats"}
or, instead of "x", "y", "n", "p": {"csv": path of a CSV with a header row, "target": column name}
(read with numpy.loadtxt; its time is reported as "read_ms"; bench/tune_process.bench.ts times the
whole python process this way).

Runs sklearn.linear_model.LassoCV(n_alphas, eps, cv=KFold(folds) (contiguous, no shuffle), tol,
max_iter, fit_intercept=True) and reports the best fit time over `repeats`, the chosen alpha, the
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
    t_read = time.perf_counter()
    if "csv" in job:
        with open(job["csv"]) as f:
            header = [h.strip() for h in f.readline().split(",")]
        M = np.loadtxt(job["csv"], delimiter=",", skiprows=1, dtype=np.float64, ndmin=2)
        j = header.index(job["target"])
        y = np.ascontiguousarray(M[:, j])
        X = np.asfortranarray(np.delete(M, j, axis=1))
        del M
    else:
        n, p = job["n"], job["p"]
        X = np.asfortranarray(np.fromfile(job["x"], dtype=np.float64).reshape(p, n).T)
        y = np.fromfile(job["y"], dtype=np.float64)
    read_ms = (time.perf_counter() - t_read) * 1e3
    best = float("inf")
    best_cpu = float("inf")
    model = None
    for _ in range(max(1, job.get("repeats", 1))):
        m = LassoCV(n_alphas=job["n_alphas"], eps=job["eps"], cv=KFold(job["folds"]), tol=job["tol"],
                    max_iter=job["max_iter"], fit_intercept=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            c0 = time.process_time()
            m.fit(X, y)
            dt = time.perf_counter() - t0
            best_cpu = min(best_cpu, time.process_time() - c0)
        best = min(best, dt)
        model = m
    mse = model.mse_path_.mean(axis=1)
    print(json.dumps({
        "sklearn": __import__("sklearn").__version__,
        "ms": best * 1e3,
        "read_ms": read_ms,
        "cpu_ms": best_cpu * 1e3,
        "alpha": float(model.alpha_),
        "alphas": model.alphas_.tolist(),
        "mse": mse.tolist(),
        "best_mse": float(mse.min()),
        "coef_nnz": int(np.count_nonzero(model.coef_)),
    }))


if __name__ == "__main__":
    main()
