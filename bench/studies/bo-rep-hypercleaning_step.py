"""numpy twin of bench/studies/bo-rep-hypercleaning.step.ts: one BO-REP outer iteration on linear
hyper-cleaning (n = 1000, p = 21 with the bias, n_v = 200, batch 64, Q = 10, I = 2, N = 5, μ = 0.01):
every second iteration 5 minibatch SGD steps on y, ∇_y f on the validation set, the Neumann series
(9 minibatch HVPs), the hypergradient scattered to a minibatch, normalised momentum on x."""
import numpy as np


def sig(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def setup(case):
    d, n, nv, B, Q, mu, lr, eta, beta = 20, 1000, 200, 64, 10, 0.01, 0.5, 2.0, 0.9
    rng = np.random.default_rng(0)
    w = rng.standard_normal(d)
    w /= np.linalg.norm(w)

    def draw(m):
        A = np.hstack([rng.standard_normal((m, d)), np.ones((m, 1))])
        s = np.where(rng.uniform(size=m) < sig(4 * A[:, :d] @ w), 1.0, -1.0)
        return A, s

    A, s = draw(n)
    Av, sv = draw(nv)
    flip = rng.permutation(n)[:300]
    s[flip] = -s[flip]
    C = 0.25 * (A * A).sum(1).max() + mu
    st = {"x": np.zeros(n), "y": np.zeros(d + 1), "m": np.zeros(n), "t": 0}

    def lower_grad(idx):
        x, y = st["x"], st["y"]
        Ab, sb = A[idx], s[idx]
        c = -sig(x[idx]) * sb * sig(-sb * (Ab @ y)) / B
        return mu * y + c @ Ab

    def hvp(idx, v):
        x, y = st["x"], st["y"]
        Ab = A[idx]
        pi = sig(Ab @ y)
        c = sig(x[idx]) * pi * (1 - pi) * (Ab @ v) / B
        return mu * v + c @ Ab

    for _ in range(200):
        st["y"] -= lr * lower_grad(rng.integers(0, n, B))

    def step():
        if st["t"] % 2 == 0:
            for _ in range(5):
                st["y"] -= lr * lower_grad(rng.integers(0, n, B))
        st["t"] += 1
        y, x = st["y"], st["x"]
        vf = (-sv * sig(-sv * (Av @ y)) / nv) @ Av
        p = vf.copy()
        v = vf.copy()
        for _ in range(Q - 1):
            p = p - hvp(rng.integers(0, n, B), p) / C
            v += p
        v /= C
        idx = rng.integers(0, n, B)
        Ab, sb = A[idx], s[idx]
        wx = sig(x[idx])
        g = np.zeros(n)
        np.add.at(g, idx, wx * (1 - wx) * sb * sig(-sb * (Ab @ y)) * (Ab @ v) / B)
        m = st["m"]
        m *= beta
        m += (1 - beta) * g
        nm = np.linalg.norm(m)
        if nm > 0:
            x -= (eta / nm) * m

    return step
