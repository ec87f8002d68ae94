"""Reference fully connected DEQ in PyTorch (float64), in the implicit-layers-tutorial style:
the forward fixed point of z = relu(Wz + Ux + b) (input injection Ux + b computed once per forward)
is solved by Anderson acceleration under no_grad (batch-global stopping),
then re-attached with one call of f, and the backward pass solves the adjoint fixed point
g = (df/dz)^T g + grad in a tensor hook (Anderson again). Used by bench/deq.bench.ts.

usage: python3 deq_torch.py N_TRAIN N_TEST WIDTH BATCH EPOCHS TOL THREADS [std]
With `std` (the full-run recipe of examples/deq-digits.ts fashion): inputs standardised with the
training pixel mean and standard deviation, and the learning rate 1e-3 follows a cosine decay to 0
over all EPOCHS (per step); without it, raw [0, 1] inputs and constant Adam 1e-3.
prints one JSON line per epoch: {"epoch", "seconds" (wall), "cpu" (process CPU time), "acc", "fwd_iter", "bwd_iter"}
"""
import gzip, json, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

N_TRAIN, N_TEST, WIDTH, BATCH, EPOCHS = (int(a) for a in sys.argv[1:6])
TOL = float(sys.argv[6])
torch.set_num_threads(int(sys.argv[7]))
torch.set_default_dtype(torch.float64)
torch.manual_seed(0)
DIR = '/usr/share/datasets/fashion-mnist'


def idx(path, offset):
    with gzip.open(path, 'rb') as fh:
        return np.frombuffer(fh.read(), dtype=np.uint8, offset=offset)


def load(prefix, n):
    x = idx(f'{DIR}/{prefix}-images-idx3-ubyte.gz', 16).reshape(-1, 784)[:n].astype(np.float64) / 255.0
    y = idx(f'{DIR}/{prefix}-labels-idx1-ubyte.gz', 8)[:n].astype(np.int64)
    return torch.from_numpy(x.copy()), torch.from_numpy(y.copy())


def anderson(g, x0, m=5, lam=1e-4, max_iter=100, tol=1e-4, beta=1.0):
    """Type-II Anderson on a batch (rows = samples), batch-global stopping on the relative residual."""
    b, d = x0.shape
    X = torch.zeros(b, m, d)
    G = torch.zeros(b, m, d)
    X[:, 0], G[:, 0] = x0, g(x0)
    X[:, 1], G[:, 1] = G[:, 0], g(G[:, 0])
    H = torch.zeros(b, m + 1, m + 1)
    H[:, 0, 1:] = H[:, 1:, 0] = 1
    y = torch.zeros(b, m + 1, 1)
    y[:, 0] = 1
    k = 1
    for k in range(2, max_iter):
        n = min(k, m)
        R = G[:, :n] - X[:, :n]
        H[:, 1:n + 1, 1:n + 1] = torch.bmm(R, R.transpose(1, 2)) + lam * torch.eye(n)[None]
        alpha = torch.linalg.solve(H[:, :n + 1, :n + 1], y[:, :n + 1])[:, 1:n + 1, 0]
        X[:, k % m] = beta * (alpha[:, None] @ G[:, :n])[:, 0] + (1 - beta) * (alpha[:, None] @ X[:, :n])[:, 0]
        G[:, k % m] = g(X[:, k % m])
        res = (G[:, k % m] - X[:, k % m]).norm().item() / (1e-12 + G[:, k % m].norm().item())
        if res < tol:
            break
    return X[:, k % m], k + 1


class DEQ(nn.Module):
    def __init__(self, n_in, width, tol):
        super().__init__()
        self.W = nn.Linear(width, width, bias=False)
        self.U = nn.Linear(n_in, width)
        with torch.no_grad():
            self.W.weight.normal_(0, 0.5 / (2 * width ** 0.5))
        self.tol = tol
        self.fwd_iter = self.bwd_iter = 0

    def f(self, z, inj):
        return torch.relu(self.W(z) + inj)

    def forward(self, x):
        inj = self.U(x)  # the input injection x·U + b, computed once per forward (as nsdiff's fcDeq)
        with torch.no_grad():
            inj_c = inj.detach()
            z, self.fwd_iter = anderson(lambda z: self.f(z, inj_c), torch.zeros(x.shape[0], self.W.weight.shape[0]), tol=self.tol)
        z = self.f(z, inj)
        if not torch.is_grad_enabled():
            return z
        z0 = z.clone().detach().requires_grad_()
        f0 = self.f(z0, inj)

        def hook(grad):
            g, self.bwd_iter = anderson(lambda y: torch.autograd.grad(f0, z0, y, retain_graph=True)[0] + grad, grad, tol=self.tol)
            return g

        z.register_hook(hook)
        return z


xtr, ytr = load('train', N_TRAIN)
xte, yte = load('t10k', N_TEST)
STD = len(sys.argv) > 8 and sys.argv[8] == 'std'
if STD:
    mu, sd = xtr.mean(), xtr.std()
    xtr, xte = (xtr - mu) / sd, (xte - mu) / sd
deq = DEQ(784, WIDTH, TOL)
model = nn.Sequential(deq, nn.Linear(WIDTH, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS * ((N_TRAIN + BATCH - 1) // BATCH)) if STD else None
for epoch in range(EPOCHS):
    t0 = time.perf_counter()
    c0 = time.process_time()
    perm = torch.randperm(N_TRAIN)
    fi = bi = 0
    nb = 0
    for s in range(0, N_TRAIN, BATCH):
        idx_b = perm[s:s + BATCH]
        opt.zero_grad()
        loss = F.cross_entropy(model(xtr[idx_b]), ytr[idx_b])
        loss.backward()
        opt.step()
        if sched is not None:
            sched.step()
        fi += deq.fwd_iter
        bi += deq.bwd_iter
        nb += 1
    sec = time.perf_counter() - t0
    cpu = time.process_time() - c0
    with torch.no_grad():
        acc = (model(xte).argmax(1) == yte).double().mean().item()
    print(json.dumps({"epoch": epoch + 1, "seconds": sec, "cpu": cpu, 'acc': acc, 'fwd_iter': fi / nb, 'bwd_iter': bi / nb}), flush=True)
