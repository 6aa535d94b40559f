"""numpy/scipy twin of bench/studies/sor-bandit-learning-to-relax.step.ts: one SOR sweep in the
residual-correction form of the paper's sor.m, x += (D/ω + L)⁻¹ r, r = b − Ax, ‖r‖, on the
shifted 5-point Laplacian of a 10×10 grid (n = 100), with scipy.sparse matrices as the
MATLAB code uses sparse ones (dense numpy triangular solve when scipy is absent)."""
import numpy as np

try:
    import scipy.sparse as sp
    from scipy.sparse.linalg import spsolve_triangular
except ImportError:
    sp = None


def setup(case):
    N, c, omega = 10, 0.3, 1.5
    n = N * N
    T = np.diag(np.full(N, 2.0)) - np.diag(np.ones(N - 1), 1) - np.diag(np.ones(N - 1), -1)
    A = np.kron(np.eye(N), T) + np.kron(T, np.eye(N)) + c * np.eye(n)
    M = np.tril(A, -1) + np.diag(np.diag(A)) / omega
    rng = np.random.default_rng(0)
    b = rng.standard_normal(n)
    st = {"x": np.zeros(n), "r": b.copy()}
    if sp is not None:
        A_s = sp.csr_matrix(A)
        M_s = sp.csr_matrix(M)

        def step():
            st["x"] += spsolve_triangular(M_s, st["r"], lower=True)
            st["r"] = b - A_s @ st["x"]
            return np.linalg.norm(st["r"])
    else:
        def step():
            st["x"] += np.linalg.solve(M, st["r"])
            st["r"] = b - A @ st["x"]
            return np.linalg.norm(st["r"])
    return step
