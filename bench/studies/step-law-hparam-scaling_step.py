"""numpy twin of bench/studies/step-law-hparam-scaling.step.ts: one bootstrap resample of the
step-law fit, the way fit_tool.py-style numpy code does it: n row indices with replacement, then
the two OLS fits ln lr ~ 1 + ln N + ln D and ln bs ~ 1 + ln D (np.linalg.lstsq). The case is n,
the number of kept runs in the Descent data."""
import numpy as np


def setup(case):
    n = int(case)
    rng = np.random.default_rng(0)
    lnN = np.log(rng.choice([2e8, 5e8, 1e9, 2e9], n))
    lnD = np.log(rng.choice([1e10, 2e10, 5e10, 1e11], n))
    lnLr = -0.7 * lnN + 0.3 * lnD + 0.01 * rng.standard_normal(n)
    lnBs = 0.57 * lnD + 0.01 * rng.standard_normal(n)

    def step():
        idx = rng.integers(0, n, n)
        X = np.column_stack([np.ones(n), lnN[idx], lnD[idx]])
        c_lr = np.linalg.lstsq(X, lnLr[idx], rcond=None)[0]
        c_bs = np.linalg.lstsq(X[:, [0, 2]], lnBs[idx], rcond=None)[0]
        return c_lr, c_bs

    return step
