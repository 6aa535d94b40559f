"""numpy/scipy twin of bench/studies/sor-bandit-learning-to-relax.step.ts: one SOR sweep in the
residual-correction form of the paper's sor.m, x += (D/ω + L)⁻¹ r, r = b − Ax, ‖r‖, on the
shifted 5-point Laplacian of a 10×10 grid (n = 100). The matrices are held dense: at n = 100 a
dense BLAS triangular solve (scipy.linalg.solve_triangular) is the fastest numpy-stack route;
scipy.sparse's spsolve_triangular measured ~50× slower here, so using it would flatter Descent.
Without scipy, np.linalg.solve on the triangular matrix."""
import numpy as np

try:
    from scipy.linalg import solve_triangular
except ImportError:
    def solve_triangular(M, r, lower=True, check_finite=False):
        return np.linalg.solve(M, r)


def setup(case):
    N, c, omega = 10, 0.3, 1.5
    n = N * N
    T = np.diag(np.full(N, 2.0)) - np.diag(np.ones(N - 1), 1) - np.diag(np.ones(N - 1), -1)
    A = np.kron(np.eye(N), T) + np.kron(T, np.eye(N)) + c * np.eye(n)
    M = np.tril(A, -1) + np.diag(np.diag(A)) / omega
    rng = np.random.default_rng(0)
    b = rng.standard_normal(n)
    st = {"x": np.zeros(n), "r": b.copy()}

    def step():
        st["x"] += solve_triangular(M, st["r"], lower=True, check_finite=False)
        st["r"] = b - A @ st["x"]
        return np.linalg.norm(st["r"])

    return step
