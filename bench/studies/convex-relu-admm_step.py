"""numpy twin of bench/studies/convex-relu-admm.step.ts: one ADMM iteration for the convex ReLU
program with n = 16 points, d = 3, P arrangement patterns (the case), 2P groups, vectorised:
c = M⁻¹b, Woodbury correction through the n×n Cholesky factor of C, group soft-threshold,
s = (Gu + ν)₊, dual updates and Gᵀ(s − ν) (einsum over the P×n×d tensor of ±x_k)."""
import numpy as np

try:
    from scipy.linalg import cho_solve
except ImportError:
    def cho_solve(c, b):
        L = c[0]
        return np.linalg.solve(L.T, np.linalg.solve(L, b))


def setup(case):
    P, n, d = int(case), 16, 3
    beta, rho, gamma = 0.05, 0.1, 1.0
    rng = np.random.default_rng(0)
    X = np.column_stack([rng.uniform(-1, 1, (n, 2)), np.ones(n)])
    y = np.sign(X[:, 0] * X[:, 1])
    H = rng.standard_normal((P, d))
    Dm = (H @ X.T >= 0).astype(float)
    SX = (2 * Dm - 1)[:, :, None] * X[None]
    SX2 = np.concatenate([SX, SX])
    XtDy = Dm @ (X * y[:, None])
    XtDy2 = np.concatenate([XtDy, -XtDy])
    Minv = np.linalg.inv(np.eye(d) + X.T @ X)
    C = rho * np.eye(n) + 2 * (X @ Minv @ X.T) * (Dm.T @ Dm)
    Lc = np.linalg.cholesky(C)
    st = {k: np.zeros((2 * P, d)) for k in ("v", "lam", "gts")}
    st["nu"] = np.zeros((2 * P, n))
    thr = beta / rho

    def step():
        v, lam, gts, nu = st["v"], st["lam"], st["gts"], st["nu"]
        u = (XtDy2 / rho + v - lam + gts) @ Minv.T
        t = (Dm * ((u[:P] - u[P:]) @ X.T)).sum(axis=0)
        z = cho_solve((Lc, True), t)
        dq = ((Dm * z) @ X) @ Minv.T
        u[:P] -= dq
        u[P:] += dq
        w = u + lam
        nrm = np.linalg.norm(w, axis=1)
        f = np.where(nrm > thr, 1 - thr / np.maximum(nrm, thr), 0.0)
        v = f[:, None] * w
        gu = np.einsum("gnd,gd->gn", SX2, u)
        s = np.maximum(gu + nu, 0)
        nu = nu + gamma * (gu - s)
        st["gts"] = np.einsum("gnd,gn->gd", SX2, s - nu)
        st["lam"] = lam + gamma * (u - v)
        st["v"], st["nu"] = v, nu

    for _ in range(50):
        step()
    return step
