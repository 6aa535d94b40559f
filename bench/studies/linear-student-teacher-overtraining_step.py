"""numpy twin of bench/studies/linear-student-teacher-overtraining.step.ts (N = 100, P = 50,
20 realisations, gradient flow): the closed-form errors of every realisation at one time point
(vectorised over realisations and modes), one realisation's setup (draw, the P×P Gram XᵀX and its
eigh since P < N, z(0), ε̃ and the frozen energy), and one step of direct GD."""
import numpy as np

N, P, R = 100, 50, 20
SNR = 4.0
SW2, SE2, S02 = SNR / (1 + SNR), 1 / (1 + SNR), 0.0


def draw(rng):
    X = rng.standard_normal((N, P)) / np.sqrt(N)
    wbar = np.sqrt(SW2) * rng.standard_normal(N)
    eps = np.sqrt(SE2) * rng.standard_normal(P)
    w0 = np.sqrt(S02) * rng.standard_normal(N)
    return X, wbar, eps, X.T @ wbar + eps, w0


def modes(rng):
    """solver.ts toModes: for P < N through the P×P Gram XᵀX = U diag(μ) Uᵀ (modesFromExampleGram),
    otherwise the N×N eigendecomposition of XXᵀ."""
    X, wbar, eps, _y, w0 = draw(rng)
    d0 = w0 - wbar
    if P >= N:
        lam, V = np.linalg.eigh(X @ X.T)
        return lam, V.T @ d0, V.T @ (X @ eps), 0
    mu, U = np.linalg.eigh(X.T @ X)
    s = np.sqrt(mu)
    c = U.T @ (X.T @ d0)
    frozen = N - P
    dperp = d0 - X @ (U @ (c / mu))
    lam = np.concatenate((np.zeros(frozen), mu))
    z0 = np.concatenate(([np.sqrt(dperp @ dperp)], np.zeros(frozen - 1), c / s))
    et = np.concatenate((np.zeros(frozen), s * (U.T @ eps)))
    return lam, z0, et, frozen


def setup(case):
    rng = np.random.default_rng(0)
    if case == "setup":
        return lambda: modes(rng)
    if case == "gd":
        X, _wbar, _eps, y, w0 = draw(rng)
        w = w0.copy()

        def gd():
            nonlocal w
            w = w + 1e-3 * (X @ (y - X.T @ w))

        return gd
    ms = [modes(rng) for _ in range(R)]
    frozen = ms[0][3]
    lam = np.array([m[0][frozen:] for m in ms])
    z0 = np.array([m[1][frozen:] for m in ms])
    et = np.array([m[2][frozen:] for m in ms])
    zf = np.array([np.sum(m[1][:frozen] ** 2) for m in ms])
    tc = (et - lam * z0) ** 2 / lam
    state = {"j": 0}

    def timepoint():
        t = 0.01 * np.exp(0.05 * (state["j"] % 200))
        state["j"] += 1
        x = lam * t
        d = np.exp(-x)
        s = -np.expm1(-x) / lam
        z = z0 * d + et * s
        _eg = (zf + np.sum(z * z, axis=1)) / N + SE2
        _et = np.sum(tc * d * d, axis=1) / P
        s2 = SW2 + S02
        _egx = (frozen * s2 + np.sum(s2 * d * d + SE2 * lam * s * s, axis=1)) / N + SE2
        _etx = np.sum(d * d * (SE2 + lam * s2), axis=1) / P

    return timepoint
