"""numpy twin of bench/studies/saf-trajectory-sharpness.step.ts: one training step of a 10-64-64-4
ReLU MLP (batch 50 of 1000 points, K = 4) with softmax CE, heavy-ball momentum 0.9 and coupled
weight decay 5e-3:
  saf: plus the trajectory term λτ²·KL(softmax(z_old/τ) ‖ softmax(z/τ)) against the logits stored
       Ẽ = 3 epochs earlier ([N, Ẽ+1, K] buffer, read then write), λ = 3, τ = 5;
  sam: plus the SAM ascent w + ρg/‖g‖ (ρ = 0.05) and a second forward/backward there."""
import numpy as np

SIZES = [10, 64, 64, 4]


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def setup(case):
    rng = np.random.default_rng(0)
    N, B, K, lr, mu, wd, rho, lam, tau, et = 1000, 50, 4, 0.05, 0.9, 5e-3, 0.05, 3.0, 5.0, 3
    centres = 1.6 * rng.standard_normal((K * 2, 10))
    cls = rng.integers(0, K, N)
    X = centres[cls * 2 + rng.integers(0, 2, N)] + rng.standard_normal((N, 10))
    y = np.where(rng.uniform(size=N) < 0.2, rng.integers(0, K, N), cls)
    Ws = [rng.uniform(-1, 1, (a, b)) * np.sqrt(3 / a) for a, b in zip(SIZES[:-1], SIZES[1:])]
    bs = [np.zeros(b) for b in SIZES[1:]]
    params = Ws + bs
    vel = [np.zeros_like(t) for t in params]
    buf = np.zeros((N, et + 1, K))
    st = {"perm": rng.permutation(N), "s": 0, "e": 6}

    def grad(ps, Xb, yb, ids):
        W, b = ps[:3], ps[3:]
        acts = [Xb]
        zs = []
        a = Xb
        for l in range(3):
            z = a @ W[l] + b[l]
            zs.append(z)
            a = np.maximum(z, 0) if l < 2 else z
            if l < 2:
                acts.append(a)
        z = zs[-1]
        n = len(yb)
        d = softmax(z)
        d[np.arange(n), yb] -= 1
        d /= n
        if ids is not None:
            e = st["e"]
            read, write = (e - et) % (et + 1), e % (et + 1)
            d += lam * tau * (softmax(z / tau) - softmax(buf[ids, read] / tau)) / n
            buf[ids, write] = z
        gW, gb = [None] * 3, [None] * 3
        for l in (2, 1, 0):
            gW[l] = acts[l].T @ d
            gb[l] = d.sum(0)
            if l > 0:
                d = (d @ W[l].T) * (zs[l - 1] > 0)
        return gW + gb

    def step():
        if st["s"] == N // B:
            st["perm"], st["s"] = rng.permutation(N), 0
            st["e"] += 1
        ids = st["perm"][st["s"] * B:(st["s"] + 1) * B]
        st["s"] += 1
        Xb, yb = X[ids], y[ids]
        g = grad(params, Xb, yb, ids if case == "saf" else None)
        if case == "sam":
            c = rho / (np.sqrt(sum((t * t).sum() for t in g)) + 1e-12)
            g = grad([p + c * gi for p, gi in zip(params, g)], Xb, yb, None)
        for p, v, gi in zip(params, vel, g):
            v *= mu
            v += gi + wd * p
            p -= lr * v

    return step
