"""numpy twin of bench/studies/ignite-surrogate-sharpness.step.ts: Styblinski–Tang d = 8, 2000
offline points (bottom half of 4000), MLP 8 → 64 → 64 → 1 leaky-ReLU (0.2), batch 128, Adam (Keras
constants). One call = one minibatch step (cycling through an epoch's 16 batches, the last of 80
points; a fresh permutation each epoch):
  plain: forward, ∇_β L_B and u = ∇_β G_B (batched backprop), ‖u‖, Adam;
  ignite: also β̂ = β + r·u/‖u‖, forward and ∇_β G_B at β̂, g = ∇L + λ(ρ/r)(û − u), dual step.
"ga": one gradient-ascent step on the 128 top designs (forward, ∇_x, x ← x + α∇_x ĝ)."""
import numpy as np

D, H, SLOPE, BATCH, LR = 8, 64, 0.2, 128, 3e-4


def styblinski_tang(X):
    X2 = X * X
    return -0.5 * (X2 * X2 - 16 * X2 + 5 * X).sum(axis=1)


def init(rng):
    return [rng.standard_normal((D, H)) * np.sqrt(2 / D), np.zeros(H), rng.standard_normal((H, H)) * np.sqrt(2 / H), np.zeros(H), rng.standard_normal(H) * np.sqrt(2 / H), np.zeros(1)]


def forward(p, X):
    W1, b1, W2, b2, w3, b3 = p
    a1 = X @ W1 + b1
    h1 = np.where(a1 > 0, a1, SLOPE * a1)
    a2 = h1 @ W2 + b2
    h2 = np.where(a2 > 0, a2, SLOPE * a2)
    return h2 @ w3 + b3[0], (X, a1, h1, a2, h2)


def backward(p, cache, dout, want_x=False):
    W1, b1, W2, b2, w3, b3 = p
    X, a1, h1, a2, h2 = cache
    d2 = dout[:, None] * w3[None, :] * np.where(a2 > 0, 1.0, SLOPE)
    d1 = (d2 @ W2.T) * np.where(a1 > 0, 1.0, SLOPE)
    if want_x:
        return d1 @ W1.T
    return [X.T @ d1, d1.sum(0), h1.T @ d2, d2.sum(0), h2.T @ dout, np.array([dout.sum()])]


def setup(case):
    rng = np.random.default_rng(0)
    Xf = rng.uniform(-5, 5, (4000, D))
    yf = styblinski_tang(Xf)
    order = np.argsort(yf, kind="stable")[:2000]
    X, y = Xf[order], yf[order]
    Xz = (X - X.mean(0)) / X.std(0)
    yz = (y - y.mean()) / y.std()
    p = init(rng)
    if case == "ga":
        top = np.argsort(-y, kind="stable")[:128]
        X0 = Xz[top].copy()
        st = {"X": X0.copy(), "s": 0}
        alpha = 0.01 * np.sqrt(D)
        ones = np.ones(128)

        def ga():
            if st["s"] == 200:
                st["X"], st["s"] = X0.copy(), 0
            st["s"] += 1
            _, cache = forward(p, st["X"])
            st["X"] += alpha * backward(p, cache, ones, want_x=True)

        return ga

    ignite = case == "ignite"
    m = [np.zeros_like(t) for t in p]
    v = [np.zeros_like(t) for t in p]
    st = {"t": 0, "lam": 1e-3}
    rho = r = 0.05

    def step():
        if st.get("b", 16) == 16:
            st["perm"], st["b"] = rng.permutation(2000), 0
        b = st["b"]
        st["b"] += 1
        idx = st["perm"][b * BATCH:(b + 1) * BATCH]
        Xb, yb = Xz[idx], yz[idx]
        B = len(idx)
        out, cache = forward(p, Xb)
        e = out - yb
        gL = backward(p, cache, 2 * e / B)
        ones = np.full(B, 1 / B)
        u = backward(p, cache, ones)
        n = np.sqrt(sum((t * t).sum() for t in u))
        if ignite:
            ph = [t + (r / n) * ut for t, ut in zip(p, u)]
            _, ch = forward(ph, Xb)
            uh = backward(ph, ch, ones)
            c = st["lam"] * rho / r
            gL = [g + c * (a - b_) for g, a, b_ in zip(gL, uh, u)]
        st["t"] += 1
        t = st["t"]
        lr_t = LR * np.sqrt(1 - 0.999 ** t) / (1 - 0.9 ** t)
        for i in range(6):
            m[i] *= 0.9
            m[i] += 0.1 * gL[i]
            v[i] *= 0.999
            v[i] += 0.001 * gL[i] * gL[i]
            p[i] -= lr_t * m[i] / (np.sqrt(v[i]) + 1e-7)
        if ignite:
            st["lam"] += 1e-3 * (rho * n - 0.1)

    return step
