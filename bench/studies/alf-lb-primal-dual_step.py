"""numpy twin of bench/studies/alf-lb-primal-dual.step.ts: one deterministic step with E = 16
experts, K = 2, m = 512 tokens: top-K of scores + b per token (argpartition), loads (bincount),
D(b) and the routed score, MaxVio, b ← b + u·sign(L − load), b ← b − mean(b)."""
import numpy as np


def setup(case):
    E, K, m, u = 16, 2, 512, 1e-3
    L = m * K / E
    rng = np.random.default_rng(0)
    scores = rng.standard_normal((m, E)) + rng.standard_normal(E)
    rows = np.arange(m)[:, None]
    st = {"b": np.zeros(E)}

    def step():
        b = st["b"]
        v = scores + b
        idx = np.argpartition(-v, K - 1, axis=1)[:, :K]
        top = v[rows, idx]
        loads = np.bincount(idx.ravel(), minlength=E)
        _dual = top.sum() - L * b.sum()
        _routed = scores[rows, idx].sum()
        _maxvio = (loads.max() - L) / L
        b = b + u * np.sign(L - loads)
        st["b"] = b - b.mean()

    return step
