"""numpy twin of bench/studies/stn-best-response.step.ts (ridge, d = 50, 60 train / 60 validation
samples): the STN train step (16 examples with replacement, per-example perturbed h̃_i, batched
gradients of ŵ(h̃_i) = a + u(h̃_i)c, SGD with momentum on (a, c)) and the validation step
(validation gradient at ŵ(h), hypergradient, one Adam step on h)."""
import numpy as np


def setup(case):
    d, n, nv, batch = 50, 60, 60, 16
    h_off, h_scale, sigma, lr, mom, lr_h = 3.0, 2.5, 0.5, 2e-3, 0.9, 0.03
    rng = np.random.default_rng(0)
    w_true = rng.standard_normal(d) * (rng.uniform(size=d) < 0.3)
    X = rng.standard_normal((n, d))
    y = X @ w_true + rng.standard_normal(n)
    Xv = rng.standard_normal((nv, d))
    yv = Xv @ w_true + rng.standard_normal(nv)
    s = {"a": np.zeros(d), "c": 0.01 * rng.standard_normal(d), "ba": np.zeros(d), "bc": np.zeros(d), "h": -6.0, "m": 0.0, "v": 0.0, "t": 0}

    def train():
        idx = rng.integers(0, n, batch)
        ht = s["h"] + sigma * rng.standard_normal(batch)
        u = (ht + h_off) / h_scale
        W = s["a"][None, :] + u[:, None] * s["c"][None, :]
        Xb = X[idx]
        res = np.einsum("bd,bd->b", Xb, W) - y[idx]
        gw = (2 * res[:, None] * Xb + 2 * np.exp(ht)[:, None] * W) / batch
        s["ba"] = mom * s["ba"] + gw.sum(axis=0)
        s["bc"] = mom * s["bc"] + (u[:, None] * gw).sum(axis=0)
        s["a"] = s["a"] - lr * s["ba"]
        s["c"] = s["c"] - lr * s["bc"]

    def valid():
        w = s["a"] + (s["h"] + h_off) / h_scale * s["c"]
        gw = (2 / nv) * (Xv.T @ (Xv @ w - yv))
        g = (s["c"] @ gw) / h_scale
        s["t"] += 1
        s["m"] = 0.9 * s["m"] + 0.1 * g
        s["v"] = 0.999 * s["v"] + 0.001 * g * g
        mh = s["m"] / (1 - 0.9 ** s["t"])
        vh = s["v"] / (1 - 0.999 ** s["t"])
        s["h"] -= lr_h * mh / (np.sqrt(vh) + 1e-8)
        return g

    return train if case == "train" else valid
