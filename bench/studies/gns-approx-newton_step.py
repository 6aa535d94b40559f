"""numpy twin of bench/studies/gns-approx-newton.step.ts: one γ-try of Algorithm 1 on the softmax
problem (m = n = 100, μ = 0.25, exact Hessian, B = AᵀA), as the paper's repository writes it
with numpy/scipy: H = Aᵀdiag(π)A/μ − ggᵀ/μ, Cholesky of H + λB, Δ = −(H + λB)⁻¹g, f and ∇f at
x + Δ, ‖∇f‖²_* via the Cholesky factor of B."""
import numpy as np

try:
    from scipy.linalg import cho_solve, solve_triangular
except ImportError:  # numpy only: general solves in place of the triangular ones
    def solve_triangular(L, b, lower=True):
        return np.linalg.solve(L, b)

    def cho_solve(c, b):
        L = c[0]
        return np.linalg.solve(L.T, np.linalg.solve(L, b))


def setup(case):
    m, n, mu = 100, 100, 0.25
    rng = np.random.default_rng(0)
    A = rng.uniform(-1, 1, (m, n))
    b = rng.uniform(-1, 1, m)
    B = A.T @ A
    LB = np.linalg.cholesky(B)
    x = np.ones(n)

    def f_grad(x):
        z = (A @ x - b) / mu
        zmax = z.max()
        e = np.exp(z - zmax)
        s = e.sum()
        pi = e / s
        return mu * (zmax + np.log(s)), A.T @ pi, pi

    _, g, _ = f_grad(x)
    lam = np.linalg.norm(solve_triangular(LB, g, lower=True))

    def step():
        _, gx, pi = f_grad(x)
        H = (A.T * pi) @ A / mu - np.outer(gx, gx) / mu
        L = np.linalg.cholesky(H + lam * B)
        delta = -cho_solve((L, True), g)
        _f, g_new, _ = f_grad(x + delta)
        y = solve_triangular(LB, g_new, lower=True)
        return y @ y

    return step
