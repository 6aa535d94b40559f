/**
 * Demo B: a Gaussian-weight logistic model w ∈ ℝ^P, prior N(0, I), v = Aw/√P ∈ ℝ², p(y = 1|x) =
 * σ(β⟨x, v⟩). Its exact posterior predictive by quadrature in the 2-D function space (v ~ N(0, AAᵀ/P)
 * exactly), against an SGLD ensemble in the P-dimensional weight space and a MAP plug-in.
 */
import type { Rng } from '../../numeric/rng'
import { logSigmoid } from './mixture'
import { fillZiggurat } from './ziggurat'

export interface LogisticData {
  /** inputs, row-major n × 2 */
  x: Float64Array
  /** labels ±1 */
  y: Int8Array
}

export function sigmoid(a: number): number {
  return a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a))
}

/** Σ = AAᵀ/P (2 × 2) and its lower Cholesky factor L (row-major [l11, 0, l21, l22]). */
export function functionSpaceCholesky(A: Float64Array, P: number): Float64Array {
  let s11 = 0
  let s12 = 0
  let s22 = 0
  for (let k = 0; k < P; k++) {
    s11 += A[k] * A[k]
    s12 += A[k] * A[P + k]
    s22 += A[P + k] * A[P + k]
  }
  s11 /= P
  s12 /= P
  s22 /= P
  const l11 = Math.sqrt(s11)
  const l21 = s12 / l11
  const l22 = Math.sqrt(s22 - l21 * l21)
  return Float64Array.from([l11, 0, l21, l22])
}

/**
 * Exact posterior predictive p(y = 1|x, S) = Σ_u w(u)·σ(β⟨x, Lu⟩)/Σ_u w(u) on an m × m grid over
 * u ∈ [−7, 7]², log w(u) = −½‖u‖² + Σ_t ln p_{Lu}(y_t|x_t) (max-subtracted before exponentiating).
 */
export function exactPredictive(L: Float64Array, beta: number, data: LogisticData, xTest: Float64Array, m: number): Float64Array {
  const M = m * m
  const logw = new Float64Array(M)
  const v1 = new Float64Array(M)
  const v2 = new Float64Array(M)
  const n = data.y.length
  let maxLog = -Infinity
  for (let i = 0, g = 0; i < m; i++) {
    const u1 = -7 + (14 * i) / (m - 1)
    for (let j = 0; j < m; j++, g++) {
      const u2 = -7 + (14 * j) / (m - 1)
      const a1 = L[0] * u1
      const a2 = L[2] * u1 + L[3] * u2
      v1[g] = a1
      v2[g] = a2
      let lw = -0.5 * (u1 * u1 + u2 * u2)
      for (let t = 0; t < n; t++) lw += logSigmoid(data.y[t] * beta * (data.x[2 * t] * a1 + data.x[2 * t + 1] * a2))
      logw[g] = lw
      if (lw > maxLog) maxLog = lw
    }
  }
  let z = 0
  for (let g = 0; g < M; g++) {
    logw[g] = Math.exp(logw[g] - maxLog)
    z += logw[g]
  }
  const nt = xTest.length / 2
  const out = new Float64Array(nt)
  for (let s = 0; s < nt; s++) {
    const x1 = xTest[2 * s]
    const x2 = xTest[2 * s + 1]
    let acc = 0
    for (let g = 0; g < M; g++) if (logw[g] > 0) acc += logw[g] * sigmoid(beta * (x1 * v1[g] + x2 * v2[g]))
    out[s] = acc / z
  }
  return out
}

/** v = Aw/√P into `v` (length 2). */
export function functionOf(A: Float64Array, w: Float64Array, P: number, v: Float64Array): void {
  let a = 0
  let b = 0
  for (let k = 0; k < P; k++) {
    a += A[k] * w[k]
    b += A[P + k] * w[k]
  }
  const s = 1 / Math.sqrt(P)
  v[0] = a * s
  v[1] = b * s
}

/** U(w) = ½‖w‖² − Σ_t ln p_w(y_t|x_t) on the full data (the recorded potential). */
export function potential(w: Float64Array, v: Float64Array, beta: number, data: LogisticData): number {
  let u = 0
  for (let k = 0; k < w.length; k++) u += w[k] * w[k]
  u *= 0.5
  for (let t = 0; t < data.y.length; t++) u -= logSigmoid(data.y[t] * beta * (data.x[2 * t] * v[0] + data.x[2 * t + 1] * v[1]))
  return u
}

/**
 * ∂/∂v of scale·Σ_{t∈idx} ln p_v(y_t|x_t) = scale·Σ y_t β x_t (1 − σ(y_t β⟨x_t, v⟩)), into gv (length 2).
 */
export function logLikGradV(v: Float64Array, beta: number, data: LogisticData, idx: Int32Array, count: number, scale: number, gv: Float64Array): void {
  let g1 = 0
  let g2 = 0
  for (let r = 0; r < count; r++) {
    const t = idx[r]
    const x1 = data.x[2 * t]
    const x2 = data.x[2 * t + 1]
    const y = data.y[t]
    const c = y * beta * (1 - sigmoid(y * beta * (x1 * v[0] + x2 * v[1])))
    g1 += c * x1
    g2 += c * x2
  }
  gv[0] = scale * g1
  gv[1] = scale * g2
}

/** Draw `count` distinct indices from 0..n−1 into idx (partial Fisher–Yates over `perm`). */
export function drawMinibatch(perm: Int32Array, count: number, rng: Rng, idx: Int32Array): void {
  const n = perm.length
  for (let r = 0; r < count; r++) {
    const j = r + rng.int(n - r)
    const tmp = perm[r]
    perm[r] = perm[j]
    perm[j] = tmp
    idx[r] = perm[r]
  }
}

/**
 * One SGLD step (Welling & Teh 2011) in weight space: w ← w − (η/2)·∇Ũ(w) + √η·ξ, ξ ~ N(0, I) (ziggurat draws),
 * Ũ(w) = ½‖w‖² − (n/B)·Σ_{i∈batch} ln p_w(y_i|x_i); ∇Ũ = w − Aᵀ g_v/√P with g_v the rescaled
 * minibatch gradient in function space. `v` must hold Aw/√P on entry and holds it on exit.
 */
export function sgldStep(
  A: Float64Array,
  w: Float64Array,
  v: Float64Array,
  P: number,
  beta: number,
  data: LogisticData,
  batch: number,
  eta: number,
  rng: Rng,
  scratch: { perm: Int32Array; idx: Int32Array; gv: Float64Array; noise: Float64Array },
): void {
  const n = data.y.length
  const B = Math.min(batch, n)
  drawMinibatch(scratch.perm, B, rng, scratch.idx)
  logLikGradV(v, beta, data, scratch.idx, B, n / B, scratch.gv)
  const s = 1 / Math.sqrt(P)
  const g1 = scratch.gv[0] * s
  const g2 = scratch.gv[1] * s
  const half = eta / 2
  const noise = Math.sqrt(eta)
  const xi = scratch.noise
  fillZiggurat(rng, xi)
  let a = 0
  let b = 0
  for (let k = 0; k < P; k++) {
    const grad = w[k] - (A[k] * g1 + A[P + k] * g2)
    const wk = w[k] - half * grad + noise * xi[k]
    w[k] = wk
    a += A[k] * wk
    b += A[P + k] * wk
  }
  v[0] = a * s
  v[1] = b * s
}

/** MAP by full-batch gradient ascent on the log posterior from w = 0: w ← w + lr·(−w + Σ_t ∇ ln p_w(y_t|x_t)). */
export function mapEstimate(A: Float64Array, P: number, beta: number, data: LogisticData, steps: number, lr: number): Float64Array {
  const n = data.y.length
  const w = new Float64Array(P)
  const v = new Float64Array(2)
  const gv = new Float64Array(2)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  const s = 1 / Math.sqrt(P)
  for (let it = 0; it < steps; it++) {
    logLikGradV(v, beta, data, idx, n, 1, gv)
    const g1 = gv[0] * s
    const g2 = gv[1] * s
    for (let k = 0; k < P; k++) w[k] += lr * (-w[k] + A[k] * g1 + A[P + k] * g2)
    functionOf(A, w, P, v)
  }
  return v
}
