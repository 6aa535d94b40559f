/**
 * One-layer softmax cross-attention with a fixed linear head (the official TF-as-SVM code):
 *   f(X) = vᵀ Xᵀ softmax(X W z),  L(W) = (1/n) Σ_i log(1 + exp(−Y_i f(X_i))),
 * its cancellation-free gradient, and normalized GD in the W- and (K, Q)-parameterisations.
 */
import type { Rng } from '../../numeric/rng'

export interface AttentionData {
  n: number
  T: number
  d: number
  /** n×T×d: token x_{i,t} at (i·T + t)·d */
  X: Float64Array
  /** n×d cross tokens z_i */
  Z: Float64Array
  /** labels ±1 */
  Y: Float64Array
  /** the fixed head v (unit) */
  v: Float64Array
  /** γ_{i,t} = vᵀ x_{i,t}, n×T */
  gamma: Float64Array
}

function unitGaussian(rng: Rng, out: Float64Array, offset: number, d: number): void {
  let nn = 0
  for (let a = 0; a < d; a++) {
    const g = rng.normal()
    out[offset + a] = g
    nn += g * g
  }
  const s = 1 / Math.sqrt(nn)
  for (let a = 0; a < d; a++) out[offset + a] *= s
}

/** Tokens and cross tokens N(0, I_d) normalised to the unit sphere, v a random unit vector, Y uniform ±1. */
export function attentionData(n: number, T: number, d: number, rng: Rng): AttentionData {
  const X = new Float64Array(n * T * d)
  const Z = new Float64Array(n * d)
  const Y = new Float64Array(n)
  const v = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) unitGaussian(rng, X, (i * T + t) * d, d)
    unitGaussian(rng, Z, i * d, d)
  }
  unitGaussian(rng, v, 0, d)
  for (let i = 0; i < n; i++) Y[i] = rng.uniform() < 0.5 ? -1 : 1
  const gamma = new Float64Array(n * T)
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < T; t++) {
      let g = 0
      for (let a = 0; a < d; a++) g += v[a] * X[(i * T + t) * d + a]
      gamma[i * T + t] = g
    }
  }
  return { n, T, d, X, Z, Y, v, gamma }
}

/** log(1 + e^x) without overflow or loss of the small-x digits. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))
}

export interface LossEval {
  loss: number
  /** ‖∇_W L‖_F */
  gradNorm: number
  /** mean over i of max_t softmax(X_i W z_i)_t */
  maxSoftmax: number
}

/** Work buffers and the selected tokens of the last evaluation. */
export class AttentionLoss {
  readonly grad: Float64Array
  /** argmax_t s_{i,t} at the last evaluation */
  readonly selected: Int32Array
  private readonly Wz: Float64Array
  private readonly s: Float64Array
  private readonly p: Float64Array
  private readonly xJ: Float64Array

  constructor(readonly data: AttentionData) {
    const { n, T, d } = data
    this.grad = new Float64Array(d * d)
    this.selected = new Int32Array(n)
    this.Wz = new Float64Array(d)
    this.s = new Float64Array(T)
    this.p = new Float64Array(T)
    this.xJ = new Float64Array(d)
  }

  /**
   * L(W) and ∇_W L = Σ_i ℓ'_i X_iᵀ J_i z_iᵀ, with, per sequence (o = argmax_t s_t):
   *   δ_t = γ_t − γ_o, φ = Σ_t p_t δ_t, f_i = γ_o + φ,
   *   J_t = p_t(δ_t − φ) for t ≠ o, J_o = −Σ_{t≠o} J_t     (= (diag p − p pᵀ) γ without cancellation),
   *   ℓ'_i = −Y_i / (n (1 + exp(Y_i f_i))).
   */
  evaluate(W: Float64Array): LossEval {
    const { n, T, d, X, Z, Y, gamma } = this.data
    const { grad, Wz, s, p, xJ, selected } = this
    grad.fill(0)
    let loss = 0
    let maxSm = 0
    for (let i = 0; i < n; i++) {
      const zo = i * d
      for (let a = 0; a < d; a++) {
        let acc = 0
        for (let b = 0; b < d; b++) acc += W[a * d + b] * Z[zo + b]
        Wz[a] = acc
      }
      let o = 0
      for (let t = 0; t < T; t++) {
        const xo = (i * T + t) * d
        let acc = 0
        for (let a = 0; a < d; a++) acc += X[xo + a] * Wz[a]
        s[t] = acc
        if (acc > s[o]) o = t
      }
      selected[i] = o
      let sum = 0
      for (let t = 0; t < T; t++) {
        p[t] = Math.exp(s[t] - s[o])
        sum += p[t]
      }
      for (let t = 0; t < T; t++) p[t] /= sum
      maxSm += p[o]
      const go = gamma[i * T + o]
      let phi = 0
      for (let t = 0; t < T; t++) if (t !== o) phi += p[t] * (gamma[i * T + t] - go)
      const f = go + phi
      const yf = Y[i] * f
      loss += softplus(-yf)
      const lp = -Y[i] / (n * (1 + Math.exp(yf)))
      // X_iᵀ J = Σ_{t≠o} J_t (x_t − x_o)
      xJ.fill(0)
      for (let t = 0; t < T; t++) {
        if (t === o) continue
        const Jt = p[t] * (gamma[i * T + t] - go - phi)
        if (Jt === 0) continue
        const xo = (i * T + t) * d
        const xs = (i * T + o) * d
        for (let a = 0; a < d; a++) xJ[a] += Jt * (X[xo + a] - X[xs + a])
      }
      for (let a = 0; a < d; a++) {
        const c = lp * xJ[a]
        if (c === 0) continue
        for (let b = 0; b < d; b++) grad[a * d + b] += c * Z[zo + b]
      }
    }
    let gg = 0
    for (let j = 0; j < d * d; j++) gg += grad[j] * grad[j]
    return { loss: loss / n, gradNorm: Math.sqrt(gg), maxSoftmax: maxSm / n }
  }
}

export interface NormalizedGdOptions {
  param: 'W' | 'KQ'
  eta: number
  /** (K, Q) penalty λ(‖K‖² + ‖Q‖²) */
  lambda: number
  /** added to ‖g‖_F in the normalized steps */
  normGuard: number
}

/** ‖∇‖_F below this is an underflowed gradient: no normalized step is taken on it. */
export const UNDERFLOW_NORM = 1e-280

/**
 * Normalized GD (the official `local_converge.ipynb`):
 *   W-param:  W ← W − η ∇_W L / (‖∇_W L‖_F + guard);
 *   (K,Q):    with G = ∇_W L at W = KᵀQ, ∇_K = Q Gᵀ + 2λK, ∇_Q = K G + 2λQ,
 *             K ← K − η ∇_K/(‖∇_K‖_F + guard), Q ← Q − η ∇_Q/(‖∇_Q‖_F + guard) (separately), W = KᵀQ.
 */
export class NormalizedGd {
  readonly W: Float64Array
  readonly K: Float64Array
  readonly Q: Float64Array
  readonly loss: AttentionLoss
  private readonly gK: Float64Array
  private readonly gQ: Float64Array
  last: LossEval & { gradK: number; gradQ: number; underflow: boolean } = { loss: NaN, gradNorm: NaN, maxSoftmax: NaN, gradK: NaN, gradQ: NaN, underflow: false }

  constructor(
    readonly data: AttentionData,
    readonly opts: NormalizedGdOptions,
    init: Rng,
  ) {
    const d = data.d
    const bound = 1 / Math.sqrt(d) // nn.Linear default init U(−1/√d, 1/√d)
    this.W = new Float64Array(d * d)
    this.K = new Float64Array(d * d)
    this.Q = new Float64Array(d * d)
    this.gK = new Float64Array(d * d)
    this.gQ = new Float64Array(d * d)
    this.loss = new AttentionLoss(data)
    if (opts.param === 'W') {
      for (let j = 0; j < d * d; j++) this.W[j] = init.uniformIn(-bound, bound)
    } else {
      for (let j = 0; j < d * d; j++) this.K[j] = init.uniformIn(-bound, bound)
      for (let j = 0; j < d * d; j++) this.Q[j] = init.uniformIn(-bound, bound)
      this.productKtQ()
    }
  }

  private productKtQ(): void {
    const { d } = this.data
    const { K, Q, W } = this
    W.fill(0)
    for (let c = 0; c < d; c++) {
      for (let a = 0; a < d; a++) {
        const k = K[c * d + a]
        if (k === 0) continue
        for (let b = 0; b < d; b++) W[a * d + b] += k * Q[c * d + b]
      }
    }
  }

  /** Evaluate at the current iterate and take one step; returns false (no step) on an underflowed gradient. */
  step(): boolean {
    const { d } = this.data
    const { W, K, Q, gK, gQ } = this
    const { eta, lambda, normGuard } = this.opts
    const e = this.loss.evaluate(W)
    const G = this.loss.grad
    if (this.opts.param === 'W') {
      const underflow = !(e.gradNorm >= UNDERFLOW_NORM)
      this.last = { ...e, gradK: NaN, gradQ: NaN, underflow }
      if (underflow) return false
      const sc = eta / (e.gradNorm + normGuard)
      for (let j = 0; j < d * d; j++) W[j] -= sc * G[j]
      return true
    }
    // ∇_K = Q Gᵀ + 2λK, ∇_Q = K G + 2λQ
    let nk = 0
    let nq = 0
    for (let a = 0; a < d; a++) {
      for (let b = 0; b < d; b++) {
        let ak = 0
        let aq = 0
        for (let c = 0; c < d; c++) {
          ak += Q[a * d + c] * G[b * d + c]
          aq += K[a * d + c] * G[c * d + b]
        }
        ak += 2 * lambda * K[a * d + b]
        aq += 2 * lambda * Q[a * d + b]
        gK[a * d + b] = ak
        gQ[a * d + b] = aq
        nk += ak * ak
        nq += aq * aq
      }
    }
    nk = Math.sqrt(nk)
    nq = Math.sqrt(nq)
    const underflow = !(nk >= UNDERFLOW_NORM && nq >= UNDERFLOW_NORM)
    this.last = { ...e, gradK: nk, gradQ: nq, underflow }
    if (underflow) return false
    const sk = eta / (nk + normGuard)
    const sq = eta / (nq + normGuard)
    for (let j = 0; j < d * d; j++) {
      K[j] -= sk * gK[j]
      Q[j] -= sq * gQ[j]
    }
    this.productKtQ()
    return true
  }
}
