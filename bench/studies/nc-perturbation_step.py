"""numpy twin of bench/studies/nc-perturbation.step.ts: one RK4 step of the central-path flow
dH/dt = −(W*(H)ᵀ(W*(H)H − Y) + lH·H), W*(H) = Y Hᵀ(H Hᵀ + n·lW·I)⁻¹ (Cholesky solve), with
K = 4 classes, n = 10 per class, d = 10 (H is d×Kn here, column per sample)."""
import numpy as np

try:
    from scipy.linalg import cho_factor, cho_solve
except ImportError:
    def cho_factor(G):
        return np.linalg.cholesky(G), True

    def cho_solve(c, B):
        L = c[0]
        return np.linalg.solve(L.T, np.linalg.solve(L, B))


def setup(case):
    K, n, d = 4, 10, 10
    lW, lH, h = 0.05, 0.05, 0.01
    rng = np.random.default_rng(0)
    Y = np.kron(np.eye(K), np.ones((1, n)))
    H = np.repeat(rng.standard_normal((d, K)), n, axis=1) + rng.standard_normal((d, K * n))
    st = {"H": H}

    def field(H):
        G = H @ H.T + n * lW * np.eye(d)
        W = cho_solve(cho_factor(G), H @ Y.T).T
        return -(W.T @ (W @ H - Y) + lH * H)

    def step():
        H = st["H"]
        k1 = field(H)
        k2 = field(H + 0.5 * h * k1)
        k3 = field(H + 0.5 * h * k2)
        k4 = field(H + h * k3)
        st["H"] = H + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4)

    return step
