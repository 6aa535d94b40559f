"""numpy twin of bench/studies/bound-estimability-tradeoff.step.ts: one parity trial at d = 30,
m = 20, s = 19, q = 1 on uint32 words (x in bits 0..29, y in bit 31): draw w* and S, Gauss–Jordan
elimination over GF(2) of [X | y] and [X_s | y] (a pivot search and a masked XOR per column,
vectorised over the rows), the algorithm's coins from a hash of S, a version-space solution,
and the exact posterior p0 from the two ranks."""
import numpy as np

Y = np.uint32(1 << 31)


def parity(x):
    x = x ^ (x >> 16)
    x = x ^ (x >> 8)
    x = x ^ (x >> 4)
    x = x ^ (x >> 2)
    x = x ^ (x >> 1)
    return x & 1


def eliminate(rows, mask):
    R = (rows & np.uint32(mask)) | (rows & Y)
    m = len(R)
    rank, piv = 0, []
    for c in range(31):
        bit = np.uint32(1 << c)
        if not (mask & (1 << c)) or rank == m:
            continue
        hits = np.nonzero(R[rank:] & bit)[0]
        if len(hits) == 0:
            continue
        p = rank + hits[0]
        R[[rank, p]] = R[[p, rank]]
        sel = (R & bit) != 0
        sel[rank] = False
        R[sel] ^= R[rank]
        piv.append(c)
        rank += 1
    consistent = not np.any(R[rank:] & Y)
    return R, piv, rank, consistent


def solution(R, piv, rank, mask, free_bits):
    pm = sum(1 << c for c in piv)
    free = [c for c in range(31) if mask & (1 << c) and not pm & (1 << c)]
    w = sum(1 << c for k, c in enumerate(free) if (free_bits >> k) & 1)
    r = R[:rank]
    y = (r >> 31) & 1
    pv = (y ^ parity(r & np.uint32(mask & w))).astype(bool)
    return w | sum(1 << c for c, b in zip(piv, pv) if b)


def setup(case):
    d, m, s, q = 30, 20, 19, 1.0
    mD, mS = (1 << d) - 1, (1 << s) - 1
    rng = np.random.default_rng(0)

    def step():
        w = int(rng.integers(0, 2**32)) & (mS if rng.uniform() < 0.5 else mD)
        X = rng.integers(0, 2**32, m, dtype=np.uint32) & np.uint32(mD)
        rows = X | np.where(parity(X & np.uint32(w)) == 1, Y, np.uint32(0))
        Rf, pf, rf, _ = eliminate(rows, mD)
        Rs, ps, rs, cs = eliminate(rows, mS)
        coins = np.random.default_rng(hash(rows.tobytes()) & 0xFFFFFFFF)
        if coins.uniform() < q and cs:
            out = solution(Rs, ps, rs, mS, 0)
        else:
            out = solution(Rf, pf, rf, mD, int(coins.integers(0, 2**32)))
        in_fs = (out & ~mS) == 0
        num = 0.5 * 2.0**-d + (0.5 * 2.0**-s if in_fs else 0)
        den = (0.5 * 2.0**-rs if cs else 0) + 0.5 * 2.0**-rf
        return min(1, num / den), out == w

    return step
