"""PyTorch reference of bench/nn_mlp.bench.ts (Debian's python3-torch 1.13, CPU).

Fashion-MNIST MLP 784-256-128-10 ReLU, softmax cross-entropy, Adam(lr=1e-3), batch 128, shuffled
each epoch; or the tiny model 10-16-10 with batch 8 (per-step overhead). Prints one JSON object.

usage: nn_mlp_torch.py mlp  --threads T --dtype float64|float32 --epochs E [--limit N]
       nn_mlp_torch.py tiny --threads T --steps S
"""
import gzip
import json
import os
import resource
import sys
import time

import numpy as np
import torch

FMNIST = '/usr/share/datasets/fashion-mnist'


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def arg(name, default):
    a = sys.argv
    return type(default)(a[a.index(name) + 1]) if name in a else default


def main():
    mode = sys.argv[1]
    threads = arg('--threads', 1)
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    if mode == 'mlp':
        dtype = torch.float64 if arg('--dtype', 'float64') == 'float64' else torch.float32
        epochs = arg('--epochs', 10)
        limit = arg('--limit', 60000)
        xtr = torch.tensor(idx(f'{FMNIST}/train-images-idx3-ubyte.gz').reshape(-1, 784)[:limit] / 255.0, dtype=dtype)
        ytr = torch.tensor(idx(f'{FMNIST}/train-labels-idx1-ubyte.gz')[:limit].astype(np.int64))
        xte = torch.tensor(idx(f'{FMNIST}/t10k-images-idx3-ubyte.gz').reshape(-1, 784) / 255.0, dtype=dtype)
        yte = torch.tensor(idx(f'{FMNIST}/t10k-labels-idx1-ubyte.gz').astype(np.int64))
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)).to(dtype)
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        lossf = torch.nn.CrossEntropyLoss()
        n = xtr.shape[0]
        wall, cpu = [], []
        for _ in range(epochs):
            t0, c0 = time.perf_counter(), time.process_time()
            perm = torch.randperm(n)
            for s in range(0, n, 128):
                idb = perm[s:s + 128]
                opt.zero_grad(set_to_none=True)
                loss = lossf(model(xtr[idb]), ytr[idb])
                loss.backward()
                opt.step()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        with torch.no_grad():
            acc = (model(xte).argmax(1) == yte).double().mean().item()
        print(json.dumps({'mode': 'mlp', 'threads': threads, 'dtype': str(dtype), 'epochWall': wall, 'epochCpu': cpu, 'testAccuracy': acc,
                          'maxRssMB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
    else:
        steps = arg('--steps', 2000)
        x = torch.randn(steps * 8, 10, dtype=torch.float64)
        y = torch.randint(0, 10, (steps * 8,))
        model = torch.nn.Sequential(torch.nn.Linear(10, 16), torch.nn.ReLU(), torch.nn.Linear(16, 10)).double()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        lossf = torch.nn.CrossEntropyLoss()
        perm = torch.randperm(steps * 8)
        t0, c0 = time.perf_counter(), time.process_time()
        for s in range(steps):
            idb = perm[s * 8:(s + 1) * 8]
            opt.zero_grad(set_to_none=True)
            loss = lossf(model(x[idb]), y[idb])
            loss.backward()
            opt.step()
        print(json.dumps({'mode': 'tiny', 'threads': threads, 'stepWallUs': (time.perf_counter() - t0) / steps * 1e6, 'stepCpuUs': (time.process_time() - c0) / steps * 1e6}))


if __name__ == '__main__':
    os.environ.setdefault('OMP_NUM_THREADS', str(arg('--threads', 1)))
    main()
