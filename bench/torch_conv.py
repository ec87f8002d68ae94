"""@file Reference timings for bench/conv.bench.ts (benchmarking only; nsdiff never needs Python).

Usage: python3 bench/torch_conv.py SPEC.json  -> prints one JSON line with the results.

SPEC.json = {"threads": [1, 2], "repeats": r,
             "convs": [{"name", "x": [N, C, H, W], "w": [F, C, kh, kw], "stride", "padding"}],
             "pools": [{"name", "x": [N, C, H, W], "kernel"}],
             "cnn": {"n": samples per epoch, "batch": batch size, "epochs": timed epochs}}

PyTorch 1.13 (Debian python3-torch), float64, eager CPU, torch.set_num_threads(t) for each t.
conv: F.conv2d without bias, forward alone and forward + backward of sum(y) w.r.t. x and w (best of
`repeats`). pool: F.max_pool2d forward + backward. cnn: the digits CNN of issue 9 (conv(16, 3x3,
pad 1)-relu-maxpool 2-conv(32, 3x3, pad 1)-relu-maxpool 2-linear(10)), Adam, cross-entropy, one
epoch of shuffled minibatches over random [n, 1, 8, 8] inputs (timing does not depend on values);
the best epoch time of `epochs`.
"""
import json
import sys
import time

import torch
import torch.nn.functional as F


def best(fn, repeats):
    fn()  # warm-up
    t = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        t = min(t, time.perf_counter() - t0)
    return t


def main() -> None:
    spec = json.load(open(sys.argv[1]))
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "results": []}
    for threads in spec["threads"]:
        torch.set_num_threads(threads)
        for c in spec["convs"]:
            x = torch.randn(*c["x"], dtype=torch.float64)
            w = torch.randn(*c["w"], dtype=torch.float64)
            xg = x.clone().requires_grad_(True)
            wg = w.clone().requires_grad_(True)

            def fwd():
                with torch.no_grad():
                    F.conv2d(x, w, stride=c["stride"], padding=c["padding"])

            def fwd_bwd():
                xg.grad = None
                wg.grad = None
                F.conv2d(xg, wg, stride=c["stride"], padding=c["padding"]).sum().backward()

            out["results"].append({"name": c["name"], "threads": threads, "fwd": best(fwd, spec["repeats"]), "fwdBwd": best(fwd_bwd, spec["repeats"])})
        for p in spec["pools"]:
            xg = torch.randn(*p["x"], dtype=torch.float64).requires_grad_(True)

            def pool():
                xg.grad = None
                F.max_pool2d(xg, p["kernel"]).sum().backward()

            out["results"].append({"name": p["name"], "threads": threads, "fwdBwd": best(pool, spec["repeats"])})
        cnn = spec["cnn"]
        model = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Linear(128, 10),
        ).double()
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        X = torch.randn(cnn["n"], 1, 8, 8, dtype=torch.float64)
        Y = torch.randint(0, 10, (cnn["n"],))

        def epoch():
            perm = torch.randperm(cnn["n"])
            for i in range(0, cnn["n"], cnn["batch"]):
                idx = perm[i:i + cnn["batch"]]
                opt.zero_grad()
                F.cross_entropy(model(X[idx]), Y[idx]).backward()
                opt.step()

        out["results"].append({"name": "digits CNN epoch", "threads": threads, "epoch": best(epoch, cnn["epochs"])})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
