/**
 * Demo A: the exact Bayes mixture over w ∈ {−1, +1}^P under a uniform prior, computed by
 * counting. The model p_w(y = 1|x) = σ(β⟨x, v(w)⟩) depends on w only through the group sums
 * v_g = (2k_g − h)/√h (h = P/2, k_g ~ Bin(h, ½)), so the 2^P hypotheses collapse onto a
 * (h + 1)² grid of (k₁, k₂) with prior mass C(h, k₁)·C(h, k₂)/2^P, truncated to |v_g| ≤ vWindow.
 */

export interface GroupSumGrid {
  /** values v of one group sum on the truncated grid, ascending and symmetric about 0 */
  values: Float64Array
  /** ln C(h, k) − h ln 2 for each value (the log prior mass of one group) */
  logMass: Float64Array
}

/** ln k! for k = 0..h by cumulative sums (exact to ~1e-13 relative for h ≤ 10⁴). */
function logFactorials(h: number): Float64Array {
  const f = new Float64Array(h + 1)
  for (let k = 1; k <= h; k++) f[k] = f[k - 1] + Math.log(k)
  return f
}

/** The per-group grid of v = (2k − h)/√h with |v| ≤ window and its log prior masses (never forming 2^P). */
export function groupSumGrid(P: number, window: number): GroupSumGrid {
  if (P % 2 !== 0) throw new Error(`P must be even, got ${P}`)
  const h = P / 2
  const lf = logFactorials(h)
  const vals: number[] = []
  const mass: number[] = []
  const sq = Math.sqrt(h)
  for (let k = 0; k <= h; k++) {
    const v = (2 * k - h) / sq
    if (Math.abs(v) > window + 1e-12) continue
    vals.push(v)
    mass.push(lf[h] - lf[k] - lf[h - k] - h * Math.LN2)
  }
  return { values: Float64Array.from(vals), logMass: Float64Array.from(mass) }
}

/** ln σ(a) = −softplus(−a), stable for any a. */
export function logSigmoid(a: number): number {
  return a >= 0 ? -Math.log1p(Math.exp(-a)) : a - Math.log1p(Math.exp(a))
}

/**
 * The x-averaged KL divergence KL(v) = E_x KL(Bern(σ(β⟨x, v*⟩)) ‖ Bern(σ(β⟨x, v⟩))) (truth first)
 * on the product grid (row-major, v₁ outer), from a fixed sample of x. Uses
 * KL = [p* ln p* + (1 − p*) ln(1 − p*)] + softplus(a) − p*·a with a = β⟨x, v⟩: the p*-terms are
 * linear in v, and softplus(−a) = softplus(a) − a halves the softplus work on the symmetric grid.
 */
export function klTable(grid: GroupSumGrid, beta: number, vStar: readonly [number, number], xs: Float64Array, cancelled: () => boolean = () => false): Float64Array | null {
  const G = grid.values
  const m = G.length
  const M = m * m
  const N = xs.length / 2
  let c0 = 0
  let m1 = 0
  let m2 = 0
  let xbar1 = 0
  let xbar2 = 0
  const E = new Float64Array(m)
  const F = new Float64Array(m)
  const S = new Float64Array(M)
  const half = Math.floor((M - 1) / 2) // g ≤ half; its mirror is M − 1 − g
  for (let s = 0; s < N; s++) {
    if ((s & 31) === 0 && cancelled()) return null
    const x1 = xs[2 * s]
    const x2 = xs[2 * s + 1]
    const aStar = beta * (x1 * vStar[0] + x2 * vStar[1])
    const lp = logSigmoid(aStar)
    const lq = logSigmoid(-aStar)
    const pStar = Math.exp(lp)
    c0 += pStar * lp + (1 - pStar) * lq
    m1 += pStar * x1
    m2 += pStar * x2
    xbar1 += x1
    xbar2 += x2
    for (let i = 0; i < m; i++) {
      E[i] = Math.exp(beta * x1 * G[i])
      F[i] = Math.exp(beta * x2 * G[i])
    }
    for (let i = 0, g = 0; i < m && g <= half; i++) {
      const Ei = E[i]
      for (let j = 0; j < m && g <= half; j++, g++) S[g] += Math.log1p(Ei * F[j])
    }
  }
  for (let g = 0; g <= half; g++) {
    const mirror = M - 1 - g
    if (mirror === g) continue
    const i = Math.floor(g / m)
    const j = g - i * m
    // v(mirror) = −v(g): Σ softplus(−a) = Σ softplus(a) − Σ a
    S[mirror] = S[g] - beta * (xbar1 * G[i] + xbar2 * G[j])
  }
  const kl = new Float64Array(M)
  for (let i = 0, g = 0; i < m; i++) {
    for (let j = 0; j < m; j++, g++) {
      const v = (c0 + S[g] - beta * (m1 * G[i] + m2 * G[j])) / N
      kl[g] = v > 0 ? v : 0
    }
  }
  return kl
}

/**
 * The index-of-resolvability bound B(n) = min_ε [nε − ln W(ε)], W(ε) the prior mass of
 * {v : KL(v) ≤ ε}, evaluated over the sorted grid values ε = KL_j (ties grouped). Returns the
 * sorted distinct ε with their ln W, from which `resolvability` evaluates B(n).
 */
export function weightFunction(kl: Float64Array, logPrior: Float64Array): { eps: Float64Array; logW: Float64Array } {
  const M = kl.length
  const order = Array.from({ length: M }, (_, g) => g).sort((a, b) => kl[a] - kl[b] || a - b)
  let maxLog = -Infinity
  for (let g = 0; g < M; g++) maxLog = Math.max(maxLog, logPrior[g])
  const eps: number[] = []
  const logW: number[] = []
  let acc = 0
  for (let r = 0; r < M; r++) {
    const g = order[r]
    acc += Math.exp(logPrior[g] - maxLog)
    if (r + 1 < M && kl[order[r + 1]] === kl[g]) continue
    eps.push(kl[g])
    logW.push(Math.log(acc) + maxLog)
  }
  return { eps: Float64Array.from(eps), logW: Float64Array.from(logW) }
}

/** B(n) = min_j [n·ε_j − ln W(ε_j)] and the minimising ε. */
export function resolvability(w: { eps: Float64Array; logW: Float64Array }, n: number): { bound: number; epsStar: number } {
  let best = Infinity
  let epsStar = 0
  for (let j = 0; j < w.eps.length; j++) {
    const b = n * w.eps[j] - w.logW[j]
    if (b < best) {
      best = b
      epsStar = w.eps[j]
    }
  }
  return { bound: best, epsStar }
}

/**
 * One data set: the sequential mixture ln Q(yᵗ|xᵗ) = Σ_s ln Σ_v π_{s−1}(v)·p_v(y_s|x_s) over the
 * grid, π the posterior (kept normalised in linear space), and the regret
 * regret_t = Σ_{s≤t} ln p_{v*}(y_s|x_s) − ln Q(yᵗ|xᵗ), added into `regretSum` and its square into
 * `regretSq` for t = 1..n. p_v(y|x) = 1/(1 + e^{−yβ⟨x, v⟩}) with the exponential separated
 * over the product grid: e^{−yβx₁v₁}·e^{−yβx₂v₂} (2m exponentials per step instead of m²).
 *
 * `post` (length m²) holds the normalised prior on entry and is overwritten; `lnZ` is the log of the
 * grid's prior mass (< 1 by the truncation), which enters ln Q once.
 */
export function mixtureRegret(
  G: Float64Array,
  post: Float64Array,
  lnZ: number,
  beta: number,
  vStar: readonly [number, number],
  xs: Float64Array,
  ys: Int8Array,
  regretSum: Float64Array,
  regretSq: Float64Array,
): void {
  const m = G.length
  const n = ys.length
  const E = new Float64Array(m)
  const F = new Float64Array(m)
  let lnQ = lnZ
  let truth = 0
  let inv = 1
  for (let t = 0; t < n; t++) {
    const x1 = xs[2 * t]
    const x2 = xs[2 * t + 1]
    const y = ys[t]
    for (let i = 0; i < m; i++) {
      E[i] = Math.exp(-y * beta * x1 * G[i])
      F[i] = Math.exp(-y * beta * x2 * G[i])
    }
    let pred = 0
    for (let i = 0, g = 0; i < m; i++) {
      const Ei = E[i]
      for (let j = 0; j < m; j++, g++) {
        const q = (post[g] * inv) / (1 + Ei * F[j])
        post[g] = q
        pred += q
      }
    }
    inv = 1 / pred
    lnQ += Math.log(pred)
    truth += logSigmoid(y * beta * (x1 * vStar[0] + x2 * vStar[1]))
    const r = truth - lnQ
    regretSum[t] += r
    regretSq[t] += r * r
  }
}
