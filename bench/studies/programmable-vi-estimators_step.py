"""numpy twin of bench/studies/programmable-vi-estimators.step.ts: R = 2000 single-sample ELBO
gradient estimates on model M2 at φ₀ = (0.3, −0.5, 1, −0.3), ENUM over c ∈ {0, 1} and REPARAM
for μ = m_c + e^{φ₃}ε, in forward-mode dual arithmetic vectorised over the replicates (value
arrays of shape (R,), tangents of shape (4, R))."""
import numpy as np

X = np.array([1.9, 2.4, 0.7, 1.6, 2.2])
SHIFT, HALF_LOG_2PI, LOG_HALF = 1.5, 0.5 * np.log(2 * np.pi), np.log(0.5)


class D:
    def __init__(self, v, t):
        self.v, self.t = v, t

    def __add__(a, b):
        return D(a.v + b.v, a.t + b.t) if isinstance(b, D) else D(a.v + b, a.t)

    def __sub__(a, b):
        return D(a.v - b.v, a.t - b.t) if isinstance(b, D) else D(a.v - b, a.t)

    def __mul__(a, b):
        return D(a.v * b.v, a.t * b.v + a.v * b.t) if isinstance(b, D) else D(a.v * b, a.t * b)

    def chain(a, v, df):
        return D(v, a.t * df)


def exp(a):
    e = np.exp(a.v)
    return a.chain(e, e)


def log_sigmoid(a):
    return a.chain(-np.logaddexp(0, -a.v), 1 - 1 / (1 + np.exp(-a.v)))


def sigmoid(a):
    s = 1 / (1 + np.exp(-a.v))
    return a.chain(s, s * (1 - s))


def log_joint(c, mu):
    a = (2 * c - 1) * SHIFT
    r = X[:, None] - a - mu.v
    f = LOG_HALF - (len(X) + 1) * HALF_LOG_2PI - 0.5 * mu.v**2 - 0.5 * (r * r).sum(0)
    return mu.chain(f, -mu.v + r.sum(0))


def setup(case):
    R = 2000
    rng = np.random.default_rng(0)
    phi = [0.3, -0.5, 1.0, -0.3]
    P = [D(np.full(R, phi[i]), np.eye(4)[:, i:i + 1] * np.ones(R)) for i in range(4)]

    def step():
        p0, p1, p2, p3 = P
        pc = sigmoid(p0)
        s = exp(p3)
        k = []
        for c in (1, 0):
            m = p1 + p2 * float(c)
            logqc = log_sigmoid(p0 if c == 1 else p0 * -1.0)
            mu = m + s * rng.standard_normal(R)
            z = (mu - m) * exp(p3 * -1.0)
            lq = z * z * -0.5 - HALF_LOG_2PI - p3
            k.append(log_joint(c, mu) - logqc - lq)
        est = pc * k[0] + (pc * -1.0 + 1.0) * k[1]
        return est.v, est.t

    return step
