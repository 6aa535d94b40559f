"""numpy twin of bench/studies/lvm-randomized-smoothing.step.ts: certify one test point of the
2-D, 3-class QDA toy (σ = 0.5, α = 1e-3), vectorised over samples and votes: n₀ = 100 selection
samples (plug-in radius of each of the 16 (map, t) votes, the best one selected), n = 10 000
estimation samples (hard counts; softmax and sparsemax at 8 temperatures plus softmax t = 1: means,
ddof-1 stds, Clopper–Pearson via scipy.stats.beta, Hoeffding and Bernstein radii), then the exact
smoothed probabilities of the hard vote and 3 soft votes on the 241² Gaussian quadrature grid."""
import numpy as np
from scipy.special import ndtri
from scipy.stats import beta as beta_dist

MEANS = np.array([[0, 0], [2.5, 0], [-1.25, 2.165]])
STDS = np.array([1, 0.6, 0.6])
TEMPS = np.array([0.25, 0.5, 1, 2, 4, 8, 16, 32])
SIGMA, ALPHA, K = 0.5, 1e-3, 3


def logits(X):
    d = X[:, None, :] - MEANS[None]
    return -(d * d).sum(-1) / (2 * STDS**2) - 2 * np.log(STDS)


def votes(Z, temps=TEMPS):
    """(2·T + 1) × N × K soft votes: sparsemax at each t, softmax at each t, softmax at t = 1."""
    U = temps[:, None, None] * Z[None]
    S = -np.sort(-U, axis=-1)
    cs = np.cumsum(S, axis=-1)
    k = np.arange(1, K + 1)
    supp = 1 + k * S > cs
    kz = supp.sum(-1, keepdims=True)
    tau = (np.take_along_axis(cs, kz - 1, -1) - 1) / kz
    sparse = np.maximum(U - tau, 0)
    E = np.exp(U - U.max(-1, keepdims=True))
    soft = E / E.sum(-1, keepdims=True)
    E1 = np.exp(Z - Z.max(-1, keepdims=True))
    return np.concatenate([sparse, soft, (E1 / E1.sum(-1, keepdims=True))[None]])


def radius(lo, up, clamp=1e-12):
    a = int(np.argmax(lo))
    b = max((k for k in range(K) if k != a), key=lambda k: up[k])
    if lo[a] <= up[b] or lo[a] <= 0:
        return -1.0
    return SIGMA / 2 * (ndtri(min(lo[a], 1 - clamp)) - ndtri(max(up[b], clamp)))


def setup(case):
    rng = np.random.default_rng(0)
    lab = rng.integers(0, K, 100)
    pts = MEANS[lab] + STDS[lab, None] * rng.standard_normal((100, 2))
    m = 241
    u = np.linspace(-6 * SIGMA, 6 * SIGMA, m)
    w = np.exp(-u * u / (2 * SIGMA**2))
    w /= w.sum()
    W = np.outer(w, w).ravel()
    grid = np.stack(np.meshgrid(u, u, indexing="ij"), -1).reshape(-1, 2)
    st = {"i": 0}
    ap = ALPHA / K
    lg = np.log(2 / ap)

    def step():
        x = pts[st["i"]]
        st["i"] = (st["i"] + 1) % 100
        Hs = votes(logits(x + SIGMA * rng.standard_normal((100, 2))))[:-1]
        ms = np.clip(Hs.mean(1), 0.5 / 100, 1 - 0.5 / 100)
        sel = [radius(mv, mv, 0.5 / 100) for mv in ms]
        best = len(sel) - 1 - int(np.argmax(sel[::-1]))
        Z = logits(x + SIGMA * rng.standard_normal((10000, 2)))
        counts = np.bincount(Z.argmax(1), minlength=K)
        H = votes(Z)
        mean, std = H.mean(1), H.std(1, ddof=1)
        lo = np.where(counts > 0, beta_dist.ppf(ap, counts, 10000 - counts + 1), 0)
        up = np.where(counts < 10000, beta_dist.ppf(1 - ap, counts + 1, 10000 - counts), 1)
        radius(lo, up)
        hs = np.sqrt(lg / 20000)
        radius(mean[-1] - hs, mean[-1] + hs)
        shift = std * np.sqrt(2 * lg / 10000) + 7 * lg / (3 * 9999)
        rad = [radius(mv - s, mv + s) for mv, s in zip(mean, shift)]
        Zg = logits(x + grid)
        hard = np.bincount(Zg.argmax(1), weights=W, minlength=K)
        # three soft votes, like the study's reference, selected and LVM votes
        Vg = votes(Zg, TEMPS[[best % 8]])
        exact = np.einsum("vnk,n->vk", Vg, W)
        return rad, hard, exact

    return step
