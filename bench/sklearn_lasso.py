"""@file Reference timings for bench/lasso_solvers.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: python3 bench/sklearn_lasso.py JOBS.json  -> prints one JSON line with the results.

JOBS.json = {"problems": [{"name", "x": path to raw float64 COLUMN-MAJOR X (n*p values),
             "y": path to raw float64 y, "n", "p"}
             or, for a CSC X, {"name", "indptr", "indices" (raw int32), "values" (raw float64), "y", "n", "p"}],
             "jobs": [{"problem": name, "alpha", "tol", "max_iter", "repeats", "l1_ratio" (optional)}]}

For each job: sklearn.linear_model.Lasso(alpha, fit_intercept=True, tol, max_iter).fit(X, y)
(ElasticNet(alpha, l1_ratio) when l1_ratio is given); only the fit is timed (best of `repeats`, a
single run for fits slower than 2 s), as wall time (`ms`) and as process CPU time (`cpu_ms`: on a
shared machine preemption inflates wall time, not CPU time). `gap` is sklearn's dual_gap_ as
reported (its scaling changed across versions; the bench re-evaluates the gap itself).
"""
import json
import os
import sys

# single-threaded BLAS, like nsdiff (must be set before numpy is imported)
for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Lasso


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    data = {}
    for pb in spec["problems"]:
        n, p = pb["n"], pb["p"]
        y = np.fromfile(pb["y"], dtype=np.float64)
        if "indptr" in pb:
            import scipy.sparse as sp
            X = sp.csc_matrix((np.fromfile(pb["values"], dtype=np.float64), np.fromfile(pb["indices"], dtype=np.int32),
                               np.fromfile(pb["indptr"], dtype=np.int32)), shape=(n, p))
            data[pb["name"]] = (X, y)
            continue
        X = np.fromfile(pb["x"], dtype=np.float64).reshape(p, n).T  # Fortran-ordered view
        data[pb["name"]] = (np.asfortranarray(X), y)
    out = []
    for job in spec["jobs"]:
        X, y = data[job["problem"]]
        best = float("inf")
        best_cpu = float("inf")
        model = None
        for k in range(max(1, job.get("repeats", 1))):
            if k > 0 and best > 2.0:  # slow fits: one run is enough
                break
            if "l1_ratio" in job:
                m = ElasticNet(alpha=job["alpha"], l1_ratio=job["l1_ratio"], fit_intercept=True, tol=job["tol"], max_iter=job["max_iter"])
            else:
                m = Lasso(alpha=job["alpha"], fit_intercept=True, tol=job["tol"], max_iter=job["max_iter"])
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
        out.append({
            "ms": best * 1e3,
            "cpu_ms": best_cpu * 1e3,
            "coef": model.coef_.tolist(),
            "intercept": float(model.intercept_),
            "gap": float(model.dual_gap_),
            "n_iter": int(model.n_iter_),
        })
    print(json.dumps({"sklearn": __import__("sklearn").__version__, "results": out}))


if __name__ == "__main__":
    main()
