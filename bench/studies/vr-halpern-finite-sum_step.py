"""numpy twin of bench/studies/vr-halpern-finite-sum.step.ts: one iteration of Algorithm 1 (PAGE
Halpern) on least squares N = 6400, d = 20: a full pass g = Aᵀ(Au − b)/N, or a minibatch
g += (N/b)·A_Bᵀ(A_B(u − u_prev))/N over b = 80 rows drawn without replacement; then
u ← λu_0 + (1 − λ)u − ηg."""
import numpy as np


def setup(case):
    N, d = 6400, 20
    b = int(np.sqrt(N))
    rng = np.random.default_rng(0)
    A = 3 + rng.standard_normal((N, d))
    w = rng.standard_normal(d)
    y = A @ w + 0.5 * rng.standard_normal(N)
    u0 = np.zeros(d)
    st = {"u": 0.1 * np.arange(1, d + 1), "u_prev": np.zeros(d), "g": np.zeros(d)}
    eta, lam = 1e-5, 0.01

    def step():
        u = st["u"]
        if case == "full":
            g = A.T @ (A @ u - y) / N
        else:
            idx = rng.choice(N, b, replace=False)
            Ab = A[idx]
            g = st["g"] + (N / b) * (Ab.T @ (Ab @ (u - st["u_prev"]))) / N
        st["g"] = g
        st["u_prev"] = u
        st["u"] = lam * u0 + (1 - lam) * u - eta * g

    return step
