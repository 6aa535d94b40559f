"""numpy twin of bench/studies/hessian-bulk-outliers.step.ts: one full-batch GD step of a
10-20-20-4 ReLU MLP with softmax cross-entropy on N = 300 points: forward, backprop, gradient
norm, θ ← θ − 0.1·∇L."""
import numpy as np


def setup(case):
    N, sizes, lr = 300, [10, 20, 20, 4], 0.1
    rng = np.random.default_rng(0)
    labels = np.arange(N) % 4
    X = rng.standard_normal((4, 10))[labels] + rng.standard_normal((N, 10))
    Yoh = np.eye(4)[labels]
    Ws = [0.1 * rng.standard_normal((a, b)) for a, b in zip(sizes[:-1], sizes[1:])]
    bs = [0.1 * rng.standard_normal(b) for b in sizes[1:]]

    def step():
        acts = [X]
        for l in range(2):
            acts.append(np.maximum(acts[-1] @ Ws[l] + bs[l], 0))
        z = acts[-1] @ Ws[2] + bs[2]
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        _loss = -np.log(p[np.arange(N), labels]).mean()
        delta = (p - Yoh) / N
        gW, gb = [None] * 3, [None] * 3
        for l in (2, 1, 0):
            gW[l] = acts[l].T @ delta
            gb[l] = delta.sum(axis=0)
            if l > 0:
                delta = (delta @ Ws[l].T) * (acts[l] > 0)
        _gn = np.sqrt(sum(np.sum(g * g) for g in gW) + sum(np.sum(g * g) for g in gb))
        for l in range(3):
            Ws[l] -= lr * gW[l]
            bs[l] -= lr * gb[l]

    return step
