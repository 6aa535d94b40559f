"""numpy twin of bench/studies/sea-optimistic-omd.step.ts: one round (convex linear losses, d = 5,
R = 1, A = 1, P = 20, σ = 0, δ = 1) of the environment, the hindsight sums and three learners
(optimistic OMD, OGD, optimistic FTRL), each round a handful of length-5 array operations."""
import math

import numpy as np


def proj(x, R):
    n = np.linalg.norm(x)
    return x * (R / n) if n > R else x


def setup(case):
    d, R, A, P, sigma, delta = 5, 1.0, 1.0, 20, 0.0, 1.0
    D = 2 * R
    G = max(1e-3, A + 3 * sigma)
    nu = D * G
    rng = np.random.default_rng(0)
    s = {
        "t": 0, "c": np.zeros(d), "var": 0.0, "sumC": np.zeros(d), "sumXi": np.zeros(d), "sumCSq": 0.0,
        "oomd_xhat": np.zeros(d), "oomd_hint": np.zeros(d), "oomd_V": 0.0,
        "ogd_x": np.zeros(d),
        "ftrl_sum": np.zeros(d), "ftrl_hint": np.zeros(d), "ftrl_w": 0.0,
        "cum": np.zeros(3),
    }

    def step():
        s["t"] += 1
        t = s["t"]
        c = np.zeros(d)
        c[0] = A * math.sin(2 * math.pi * t / P)
        xi = (sigma / math.sqrt(d)) * rng.standard_normal(d) if sigma > 0 else np.zeros(d)
        s["var"] += np.sum((c - s["c"]) ** 2)
        s["c"] = c
        s["sumC"] += c
        s["sumXi"] += xi
        s["sumCSq"] += c @ c
        grad = -c + xi
        # optimistic OMD
        eta = D / math.sqrt(delta + 4 * G * G + s["oomd_V"])
        x = proj(s["oomd_xhat"] - eta * s["oomd_hint"], R)
        s["cum"][0] += grad @ x
        s["oomd_xhat"] = proj(s["oomd_xhat"] - eta * grad, R)
        s["oomd_V"] += np.sum((grad - s["oomd_hint"]) ** 2)
        s["oomd_hint"] = grad
        # OGD
        eta = D / (G * math.sqrt(t))
        x = s["ogd_x"]
        s["cum"][1] += grad @ x
        s["ogd_x"] = proj(x - eta * grad, R)
        # optimistic FTRL
        eta = D * D / (nu + s["ftrl_w"])
        x = proj(-eta * (s["ftrl_sum"] + s["ftrl_hint"]), R)
        s["cum"][2] += grad @ x
        s["ftrl_sum"] += grad
        s["ftrl_w"] += eta * np.sum((grad - s["ftrl_hint"]) ** 2)
        s["ftrl_hint"] = grad

    return step
