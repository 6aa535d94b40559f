"""numpy twin of bench/studies/attention-svm-bias.step.ts: one normalized-GD step on the
single-head attention loss with n = 6 sequences, T = 8 tokens, d = 10 (batched over sequences):
s = X W z, p = softmax(s), f = pᵀγ, loss = mean softplus(−y f), ∇_W = Σ ℓ'_i Xᵢᵀ(diag p − ppᵀ)γᵢ zᵢᵀ,
W ← W − η∇/‖∇‖_F; restart from W_0 every 2000 steps like the Descent side."""
import numpy as np


def unit(a):
    return a / np.linalg.norm(a, axis=-1, keepdims=True)


def setup(case):
    n, T, d, eta = 6, 8, 10, 0.1
    rng = np.random.default_rng(0)
    X = unit(rng.standard_normal((n, T, d)))
    Z = unit(rng.standard_normal((n, d)))
    v = unit(rng.standard_normal(d))
    Y = np.where(rng.uniform(size=n) < 0.5, -1.0, 1.0)
    gamma = X @ v
    W0 = rng.uniform(-1 / np.sqrt(d), 1 / np.sqrt(d), (d, d))
    st = {"W": W0.copy(), "t": 0}

    def step():
        if st["t"] == 2000:
            st["W"], st["t"] = W0.copy(), 0
        st["t"] += 1
        W = st["W"]
        s = np.einsum("ntd,nd->nt", X, Z @ W.T)
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        f = (p * gamma).sum(axis=1)
        _loss = np.logaddexp(0, -Y * f).mean()
        lp = -Y / (n * (1 + np.exp(Y * f)))
        J = p * (gamma - f[:, None])
        xJ = np.einsum("ntd,nt->nd", X, J)
        G = (lp[:, None] * xJ).T @ Z
        st["W"] = W - eta * G / (np.linalg.norm(G) + 1e-300)

    return step
