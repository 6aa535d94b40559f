"""numpy twin of bench/studies/overparam-sensing-symmetry-curse.step.ts: one GD step,
Z = FGᵀ (or XXᵀ), S = Z − M* (factorisation) or S = (1/m) Σ_i (⟨A_i, Z⟩ − y_i) A_i (sensing), the
loss, then X ← X − η(S + Sᵀ)X or F ← F − ηSG, G ← G − ηSᵀF."""
import numpy as np


def setup(case):
    mode, par = case.split("-")
    n, r, m = (50, 3, 0) if mode == "fact" else (20, 2, 600)
    k = 5
    eta = 1e-6
    rng = np.random.default_rng(0)
    U, _ = np.linalg.qr(rng.standard_normal((n, r)))
    Ms = (U * np.linspace(1, 0.5, r)) @ U.T
    F = 0.3 * rng.standard_normal((n, k))
    G = 0.3 * rng.standard_normal((n, k))
    if mode == "sens":
        A = rng.standard_normal((m, n * n))
        y = A @ Ms.ravel()

    def residual(Z):
        if mode == "fact":
            S = Z - Ms
            return S, 0.5 * np.sum(S * S)
        res = A @ Z.ravel() - y
        return (res @ A).reshape(n, n) / m, 0.5 * np.dot(res, res) / m

    if par == "sym":
        def step():
            nonlocal F
            S, _loss = residual(F @ F.T)
            F = F - eta * ((S + S.T) @ F)
    else:
        def step():
            nonlocal F, G
            S, _loss = residual(F @ G.T)
            F, G = F - eta * (S @ G), G - eta * (S.T @ F)
    return step
