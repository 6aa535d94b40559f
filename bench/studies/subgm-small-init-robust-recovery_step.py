"""numpy twin of bench/studies/subgm-small-init-robust-recovery.step.ts: one SubGM iteration at
d = 20, r' = 20, m = 1000 with full (unsymmetrised, unpacked) Gaussian A_i, the way numpy code
writes it: Z = U Uᵀ, r = A·vec(Z) − y, loss and sign agreement, G = (1/m) Σ sign(r_i) A_i,
D = (G + Gᵀ) U, U ← U − ηD."""
import numpy as np


def setup(case):
    d, r, k, m = 20, 3, 20, 1000
    rng = np.random.default_rng(0)
    Us = rng.standard_normal((d, r))
    Xs = Us @ Us.T
    Xs /= np.linalg.norm(Xs)
    A = rng.standard_normal((m, d * d))
    clean = A @ Xs.ravel()
    y = clean.copy()
    U = rng.standard_normal((d, k)) / np.sqrt(d)
    eta = 1e-9

    def step():
        Z = U @ U.T
        q = A @ Z.ravel()
        res = q - y
        s = np.sign(res)
        _loss = np.abs(res).mean()
        _agree = np.mean(np.sign(q - clean) == s)
        G = (s @ A).reshape(d, d) / m
        U[...] -= eta * ((G + G.T) @ U)

    return step
