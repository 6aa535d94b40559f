"""numpy twin of bench/studies/lame-test-time-adaptation.step.ts: LAME on one batch (N = 16,
K = 100, d = 64): pairwise distances, kNN affinity (k = 5, self excluded), then 10 CCCP bound
updates Y ← softmax(−U + WY) with the entropy energy after each, as lame.py does in torch."""
import numpy as np


def softmax(a):
    a = a - a.max(axis=1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=1, keepdims=True)


def setup(case):
    N, K, d, k, iters = 16, 100, 64, 5, 10
    rng = np.random.default_rng(0)
    X = rng.standard_normal((N, d))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    P = softmax(2 * rng.standard_normal((N, K)))
    rows = np.arange(N)[:, None]

    def step():
        sq = (X * X).sum(axis=1)
        dist = np.sqrt(np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0))
        nn = np.argsort(dist, axis=1, kind="stable")[:, 1:k + 1]
        W = np.zeros((N, N))
        W[rows, nn] = 1
        U = -np.log(P + 1e-10)
        Y = softmax(-U)
        for _ in range(iters):
            Y = softmax(-U + W @ Y)
            WY = W @ Y
            _E = np.sum(U * Y - WY * Y + Y * np.log(np.maximum(Y, 1e-20)))
        return Y

    return step
