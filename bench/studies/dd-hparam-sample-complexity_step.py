"""numpy twin of bench/studies/dd-hparam-sample-complexity.step.ts: one task's utility curve over
201 α values, vectorised over α: Φ(α) = α·ReLU(Z) + (1 − α)·Z for the 25 training and 50
validation points (M = 12), the ridge normal equations (ΦᵀΦ/n + 1e-3·I)a = Φᵀy/n solved by one
batched LAPACK solve (Descent: a Cholesky per α), and the validation MSE."""
import numpy as np


def setup(case):
    d, M, J, nt, nv, ridge = 5, 12, 4, 25, 50, 1e-3
    rng = np.random.default_rng(0)
    W, c = rng.standard_normal((M, d)), rng.standard_normal(M)
    U, b, v, slope = rng.standard_normal((J, d)), rng.standard_normal(J), rng.standard_normal(J), rng.uniform()

    def make(n):
        X = rng.standard_normal((n, d))
        t = X @ U.T + b
        y = np.where(t > 0, t, slope * t) @ v + 0.1 * rng.standard_normal(n)
        return X @ W.T + c, y

    Zt, yt = make(nt)
    Zv, yv = make(nv)
    al = np.linspace(0, 1, 201)[:, None, None]
    eye = ridge * np.eye(M)

    def step():
        Pt = al * np.maximum(Zt, 0) + (1 - al) * Zt
        Pv = al * np.maximum(Zv, 0) + (1 - al) * Zv
        PtT = np.swapaxes(Pt, 1, 2)
        G = PtT @ Pt / nt + eye
        r = PtT @ yt / nt
        a = np.linalg.solve(G, r[..., None])[..., 0]
        e = (Pv @ a[..., None])[..., 0] - yv
        return (e * e).mean(axis=1)

    return step
