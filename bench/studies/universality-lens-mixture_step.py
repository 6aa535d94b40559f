"""numpy twin of bench/studies/universality-lens-mixture.step.ts (P = 128, β = 2, n = 100):
  mixture: one data set through the exact mixture over the 65 × 65 grid of group sums, point by
           point (the posterior update is sequential), each point vectorised over the grid;
  sgld:    one SGLD step of 8 chains, vectorised over the chains (minibatches of 16 without
           replacement, function-space gradient, Gaussian noise, v = Aw/√P)."""
import numpy as np
from math import lgamma


def log_sigmoid(a):
    return -np.logaddexp(0, -a)


def setup(case):
    rng = np.random.default_rng(0)
    beta, n, P = 2.0, 100, 128
    if case == "mixture":
        h = P // 2
        k = np.arange(h + 1)
        G = (2 * k - h) / np.sqrt(h)
        lm = np.array([lgamma(h + 1) - lgamma(j + 1) - lgamma(h - j + 1) for j in k]) - h * np.log(2)
        prior = np.exp(lm[:, None] + lm[None, :])
        prior /= prior.sum()
        vs = np.array([0.6, -0.8])
        X = rng.standard_normal((n, 2))
        Y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-beta * X @ vs)), 1.0, -1.0)
        reg = np.zeros(n)

        def mixture():
            post = prior.copy()
            lnQ, truth = 0.0, 0.0
            for t in range(n):
                y, (x1, x2) = Y[t], X[t]
                post /= 1 + np.outer(np.exp(-y * beta * x1 * G), np.exp(-y * beta * x2 * G))
                pred = post.sum()
                post /= pred
                lnQ += np.log(pred)
                truth += log_sigmoid(y * beta * (X[t] @ vs))
                reg[t] = truth - lnQ

        return mixture

    C, B, eta = 8, 16, 2e-3
    A = rng.standard_normal((2, P))
    X = rng.standard_normal((n, 2))
    Y = np.where(rng.uniform(size=n) < 1 / (1 + np.exp(-beta * X @ np.array([1.0, -0.5]))), 1.0, -1.0)
    W = rng.standard_normal((C, P))
    st = {"V": W @ A.T / np.sqrt(P)}

    def sgld():
        idx = np.argpartition(rng.random((C, n)), B, axis=1)[:, :B]
        Xb, Yb = X[idx], Y[idx]
        a = Yb * beta * np.einsum("cbk,ck->cb", Xb, st["V"])
        gv = (n / B) * np.einsum("cb,cbk->ck", Yb * beta / (1 + np.exp(a)), Xb)
        grad = W - gv @ A / np.sqrt(P)
        W[:] = W - (eta / 2) * grad + np.sqrt(eta) * rng.standard_normal((C, P))
        st["V"] = W @ A.T / np.sqrt(P)

    return sgld
