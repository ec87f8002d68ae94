"""@file Reference for bench/lasso_path.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: python3 bench/sklearn_path.py X.bin y.bin n p lambdas.bin tol  -> one JSON line:
{"ms": best fit time of sklearn.linear_model.lasso_path on the centred data over 3 runs, "coefs": [[...] per λ]}
X.bin is raw float64 row-major (n×p). Single-threaded BLAS, like nsdiff.
"""
import json
import os
import sys

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")
import time

import numpy as np
from sklearn.linear_model import lasso_path

xf, yf, n, p, lf, tol = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
X = np.fromfile(xf).reshape(n, p)
y = np.fromfile(yf)
lams = np.fromfile(lf)
Xc = np.asfortranarray(X - X.mean(0))
yc = y - y.mean()
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    _, coefs, _ = lasso_path(Xc, yc, alphas=lams, tol=tol)
    best = min(best, time.perf_counter() - t)
print(json.dumps({"ms": best * 1000, "coefs": coefs.T.tolist()}))
