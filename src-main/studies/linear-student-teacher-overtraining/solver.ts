/**
 * Finite-N linear student–teacher: data draws, the exact closed-form dynamics of full-batch
 * gradient descent in the eigenbasis of XXᵀ, and direct gradient descent for the cross-check.
 *
 * Model (Advani & Saxe 2017, §2): y = w̄·x + ε, x_i ~ N(0, 1/N), w̄_i ~ N(0, σ_w²),
 * ε ~ N(0, σ_ε²); the student ŷ = w·x starts at w(0) ~ N(0, σ0²) and follows gradient descent on
 * the summed squared error, w ← w + η·X(y − Xᵀw), whose gradient flow in time t = η·k is
 * dw/dt = −XXᵀ(w − w̄) + Xε. With XXᵀ = V·diag(λ)·Vᵀ, z = Vᵀ(w − w̄) and ε̃ = VᵀXε, each mode
 * evolves on its own (eqs. 6–8 of the paper):
 *   z_i(t) = z_i(0)·e^{−λ_i t} + (ε̃_i/λ_i)(1 − e^{−λ_i t})       (gradient flow)
 *   z_i(k) = z_i(0)·(1−ηλ_i)^k + (ε̃_i/λ_i)(1 − (1−ηλ_i)^k)      (discrete GD, exact)
 * and E_g = ‖z‖²/N + σ_ε², E_t = ‖ε − Xᵀ(w − w̄)‖²/P
 *        = (1/P)[Σ_{λ_i>0} (ε̃_i − λ_i z_i(0))²·d_i²/λ_i + ‖ε_⊥‖²],  d_i = e^{−λ_i t} or (1−ηλ_i)^k,
 * where ε_⊥ is the part of ε outside the row space of Xᵀ (non-zero only for α > 1).
 * When α < 1 the N − P smallest eigenvalues of XXᵀ are zero in exact arithmetic (the frozen
 * subspace): those modes never move and ε̃_i = 0 there; they are identified by count, never by
 * dividing round-off by round-off.
 */
import { gemm, gemv, syrk } from '../../numeric/dense'
import { symEig } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'
import type { TeacherVariances } from './theory'

/** One draw of (X, w̄, ε, w0). X is N×P row-major: column μ is example x^μ. */
export interface Realisation {
  N: number
  P: number
  X: Float64Array
  wbar: Float64Array
  eps: Float64Array
  y: Float64Array
  w0: Float64Array
}

/**
 * Draw one realisation: X, w̄ and ε from the data stream, w0 from the init stream (so that runs
 * differing only in σ0² see the same data and the same unit-variance init direction).
 */
export function drawRealisation(N: number, P: number, v: TeacherVariances, data: Rng, init: Rng): Realisation {
  // fillNormal draws exactly what a per-entry loop of normal() would and writes 0 + std·x:
  // the same numbers as std·normal() except that a zero std gives +0 where the loop gave −0 (a
  // sign no result of the study can see: see README, "Data draws").
  const X = data.fillNormal(new Float64Array(N * P), 0, 1 / Math.sqrt(N))
  const wbar = data.fillNormal(new Float64Array(N), 0, Math.sqrt(v.sw2))
  const eps = data.fillNormal(new Float64Array(P), 0, Math.sqrt(v.se2))
  const w0 = init.fillNormal(new Float64Array(N), 0, Math.sqrt(v.s02))
  // y = Xᵀw̄ + ε
  const y = new Float64Array(P)
  gemv(true, N, P, 1, X, wbar, 0, y)
  for (let mu = 0; mu < P; mu++) y[mu] += eps[mu]
  return { N, P, X, wbar, eps, y, w0 }
}

/** A realisation in the eigenbasis of XXᵀ. */
export interface Modes {
  N: number
  P: number
  /** eigenvalues of XXᵀ, ascending */
  lambda: Float64Array
  /** number of frozen modes, max(0, N − P): the first `frozen` entries of lambda */
  frozen: number
  /** z(0) = Vᵀ(w0 − w̄) */
  z0: Float64Array
  /** ε̃ = VᵀXε (0 on frozen modes) */
  epsTilde: Float64Array
  /** ‖ε_⊥‖²: the training error no student can remove (0 when P ≤ N) */
  epsPerp2: number
}

/**
 * XXᵀ (N×N) of the N×P matrix X, by the numeric core's syrk (the packed, SIMD gemm at these
 * sizes; exactly symmetric).
 */
export function gram(X: Float64Array, N: number, P: number): Float64Array {
  return syrk(false, N, P, 1, X, 0, new Float64Array(N * N))
}

/**
 * The realisation in the eigenbasis of XXᵀ. With fewer examples than inputs (P < N) this goes
 * through the smaller P×P Gram matrix (modesFromExampleGram); otherwise XXᵀ (N×N) is decomposed
 * directly.
 */
export function toModes(r: Realisation): Modes {
  return r.P < r.N ? (modesFromExampleGram(r) ?? modesFromInputGram(r)) : modesFromInputGram(r)
}

/** XXᵀ = V·diag(λ)·Vᵀ (numeric core: Householder + implicit QL); z(0) = Vᵀ(w0 − w̄), ε̃ = VᵀXε. */
export function modesFromInputGram(r: Realisation): Modes {
  const { N, P, X, wbar, eps, w0 } = r
  const G = gram(X, N, P)
  const d0 = new Float64Array(N)
  for (let i = 0; i < N; i++) d0[i] = w0[i] - wbar[i]
  const Xeps = new Float64Array(N)
  gemv(false, N, P, 1, X, eps, 0, Xeps)
  const { values, vectors } = symEig(G, N)
  const z0 = new Float64Array(N)
  const epsTilde = new Float64Array(N)
  gemv(true, N, N, 1, vectors, d0, 0, z0)
  gemv(true, N, N, 1, vectors, Xeps, 0, epsTilde)
  const frozen = Math.max(0, N - P)
  for (let i = 0; i < frozen; i++) epsTilde[i] = 0
  let epsPerp2 = 0
  if (P > N) {
    let e2 = 0
    for (let mu = 0; mu < P; mu++) e2 += eps[mu] * eps[mu]
    let proj = 0
    for (let i = 0; i < N; i++) proj += (epsTilde[i] * epsTilde[i]) / values[i]
    epsPerp2 = Math.max(0, e2 - proj)
  }
  return { N, P, lambda: values, frozen, z0, epsTilde, epsPerp2 }
}

/**
 * XᵀX (P×P) of the N×P matrix X into H, bit for bit what the numeric core's syrk(true, …) gives.
 * From syrk's packed-gemm size on (P²N ≥ 24³, P ≥ 4; the default P = 50, N = 100 among them) it
 * is the same packed product with the same strides and the upper triangle mirrored, called
 * through gemm with β = 0, whose wasm path then skips staging H in: ≈ 28 instead of ≈ 36 µs at
 * the default (a unit test checks the bits). Smaller Grams go through syrk itself.
 */
export function exampleGram(X: Float64Array, N: number, P: number, H: Float64Array): Float64Array {
  if (P * P * N < 24 * 24 * 24 || P < 4) return syrk(true, P, N, 1, X, 0, H)
  gemm(true, false, P, P, N, 1, X, X, 0, H)
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) H[j * P + i] = H[i * P + j]
  return H
}

/**
 * The same modes for P < N from XᵀX = U·diag(μ)·Uᵀ (P×P: an eighth of the work of the N×N
 * eigendecomposition at α = 0.5). The non-zero eigenvalues of XXᵀ are the μ_j, with unit
 * eigenvectors v_j = X·u_j/√μ_j, so
 *   z_j(0) = v_jᵀd0 = u_jᵀ(Xᵀd0)/√μ_j,   ε̃_j = v_jᵀXε = √μ_j·u_jᵀε        (d0 = w0 − w̄).
 * The other N − P eigenvalues are exactly 0 (the frozen modes; symEig of XXᵀ returns them as
 * round-off). Any orthonormal basis of that null space is an eigenbasis; we take the one whose
 * first vector is the direction of d0's null-space component d⊥ = d0 − Σ_j v_j·z_j(0), so there
 * z(0) = (‖d⊥‖, 0, …, 0). Every quantity of the study reads the frozen modes only through Σ z_i(0)²
 * (frozen modes never move), which this basis keeps.
 * Returns null when the smallest μ is not safely positive (X of rank < P, never for Gaussian
 * data): toModes then decomposes XXᵀ instead.
 */
export function modesFromExampleGram(r: Realisation): Modes | null {
  const { N, P, X, wbar, eps, w0 } = r
  // H = XᵀX and the temporaries in one reused buffer (symEig copies H; every piece is fully
  // written before it is read: syrk and gemv with β = 0 zero their outputs first)
  const buf = exampleGramScratch(P * P + N + 5 * P)
  const H = exampleGram(X, N, P, buf.subarray(0, P * P))
  const { values: mu, vectors: U } = symEig(H, P)
  if (!(mu[0] > 1e-10 * mu[P - 1])) return null
  let at = P * P
  const take = (len: number): Float64Array => buf.subarray(at, (at += len))
  const d0 = take(N)
  for (let i = 0; i < N; i++) d0[i] = w0[i] - wbar[i]
  const b = take(P)
  gemv(true, N, P, 1, X, d0, 0, b) // Xᵀd0
  const c = take(P)
  gemv(true, P, P, 1, U, b, 0, c) // Uᵀ(Xᵀd0)
  const e = take(P)
  gemv(true, P, P, 1, U, eps, 0, e) // Uᵀε
  const frozen = N - P
  const lambda = new Float64Array(N)
  const z0 = new Float64Array(N)
  const epsTilde = new Float64Array(N)
  const g = take(P)
  for (let j = 0; j < P; j++) {
    const s = Math.sqrt(mu[j])
    lambda[frozen + j] = mu[j]
    z0[frozen + j] = c[j] / s
    epsTilde[frozen + j] = s * e[j]
    g[j] = c[j] / mu[j]
  }
  // d⊥ = d0 − X·U·diag(1/μ)·Uᵀ·Xᵀd0 (the projection onto the row space of Xᵀ removed)
  const Ug = take(P)
  gemv(false, P, P, 1, U, g, 0, Ug)
  gemv(false, N, P, -1, X, Ug, 1, d0)
  let perp = 0
  for (let i = 0; i < N; i++) perp += d0[i] * d0[i]
  z0[0] = Math.sqrt(perp)
  return { N, P, lambda, frozen, z0, epsTilde, epsPerp2: 0 }
}

/**
 * modesFromExampleGram's working buffer, kept between calls and grown when needed: a fresh
 * P×P Gram per realisation cost ≈ 4 µs of allocation at P = 50 (a tenth of the syrk itself).
 * Nothing returned points into it.
 */
let exampleGramBuffer = new Float64Array(0)
function exampleGramScratch(len: number): Float64Array {
  if (exampleGramBuffer.length < len) exampleGramBuffer = new Float64Array(len)
  return exampleGramBuffer
}

/**
 * The decay factor d(λ) of one mode and the integrated source (1 − d(λ))/λ, for gradient flow at
 * time t (d = e^{−λt}) or discrete GD after k = t/η steps (d = (1−ηλ)^k). Both stay accurate as
 * λ → 0, where (1 − d)/λ → t.
 */
export type Engine = 'gradient flow' | 'discrete GD'

export function decayAndSource(engine: Engine, lambda: number, t: number, eta: number, out: Float64Array): void {
  if (engine === 'gradient flow') {
    const x = lambda * t
    out[0] = Math.exp(-x)
    out[1] = x < 1e-12 ? t * (1 - x / 2) : -Math.expm1(-x) / lambda
    return
  }
  const k = Math.round(t / eta)
  const a = eta * lambda
  if (a < 0.5) {
    const lg = k * Math.log1p(-a)
    out[0] = Math.exp(lg)
    out[1] = a * k < 1e-12 ? eta * k : -Math.expm1(lg) / lambda
  } else {
    const d = Math.pow(1 - a, k)
    out[0] = d
    out[1] = (1 - d) / lambda
  }
}

/** Per-mode constants reused at every time point: a_i = (ε̃_i − λ_i z_i(0))²/λ_i. */
export function trainingCoefficients(m: Modes): Float64Array {
  const a = new Float64Array(m.N)
  for (let i = m.frozen; i < m.N; i++) {
    const r = m.epsTilde[i] - m.lambda[i] * m.z0[i]
    a[i] = (r * r) / m.lambda[i]
  }
  return a
}

/**
 * E_g and E_t of one realisation at time t (closed form); `scratch` has length 2 and `tc` is
 * trainingCoefficients(m). Writes [E_g, E_t] into `out`.
 */
export function closedFormErrors(
  m: Modes,
  tc: Float64Array,
  engine: Engine,
  t: number,
  eta: number,
  se2: number,
  scratch: Float64Array,
  out: Float64Array,
): void {
  let zz = 0
  for (let i = 0; i < m.frozen; i++) zz += m.z0[i] * m.z0[i]
  let res = m.epsPerp2
  for (let i = m.frozen; i < m.N; i++) {
    decayAndSource(engine, m.lambda[i], t, eta, scratch)
    const d = scratch[0]
    const z = m.z0[i] * d + m.epsTilde[i] * scratch[1]
    zz += z * z
    res += tc[i] * d * d
  }
  out[0] = zz / m.N + se2
  out[1] = res / m.P
}

/**
 * The finite-N average over teacher, noise and initialisation given the realisation's spectrum:
 * E[E_g | λ] = (1/N)[Σ_{λ_i>0}((σ_w²+σ0²)d_i² + σ_ε²λ_i s_i²) + (N−P)₊(σ_w²+σ0²)] + σ_ε²,
 * E[E_t | λ] = (1/P)[Σ_{λ_i>0} d_i²(σ_ε² + λ_i(σ_w²+σ0²)) + (P−N)₊σ_ε²], with s_i = (1−d_i)/λ_i.
 * This is the MP formula with the empirical spectral measure in place of ρ.
 */
export function spectrumAveragedErrors(
  m: Modes,
  v: TeacherVariances,
  engine: Engine,
  t: number,
  eta: number,
  scratch: Float64Array,
  out: Float64Array,
): void {
  const s2 = v.sw2 + v.s02
  let g = m.frozen * s2
  let tr = Math.max(0, m.P - m.N) * v.se2
  for (let i = m.frozen; i < m.N; i++) {
    const lam = m.lambda[i]
    decayAndSource(engine, lam, t, eta, scratch)
    const d = scratch[0]
    const s = scratch[1]
    g += s2 * d * d + v.se2 * lam * s * s
    tr += d * d * (v.se2 + lam * s2)
  }
  out[0] = g / m.N + v.se2
  out[1] = tr / m.P
}

/**
 * closedFormErrors and spectrumAveragedErrors of one realisation at one time t, in one pass over
 * the modes: each mode's decay d_i and source s_i are computed once and feed both (the solver's
 * per-time-point work). Every sum runs in the same order as in the two functions, so the four
 * numbers are bit-identical to theirs. Writes [E_g, E_t, E[E_g | λ], E[E_t | λ]] into `out`.
 */
export function errorsAtTime(
  m: Modes,
  tc: Float64Array,
  v: TeacherVariances,
  engine: Engine,
  t: number,
  eta: number,
  scratch: Float64Array,
  out: Float64Array,
): void {
  const { lambda, z0, epsTilde, frozen, N, P } = m
  const s2 = v.sw2 + v.s02
  const se2 = v.se2
  let zz = 0
  for (let i = 0; i < frozen; i++) zz += z0[i] * z0[i]
  let res = m.epsPerp2
  let g = frozen * s2
  let tr = Math.max(0, P - N) * se2
  for (let i = frozen; i < N; i++) {
    const lam = lambda[i]
    decayAndSource(engine, lam, t, eta, scratch)
    const d = scratch[0]
    const s = scratch[1]
    const z = z0[i] * d + epsTilde[i] * s
    zz += z * z
    res += tc[i] * d * d
    g += s2 * d * d + se2 * lam * s * s
    tr += d * d * (se2 + lam * s2)
  }
  out[0] = zz / N + se2
  out[1] = res / P
  out[2] = g / N + se2
  out[3] = tr / P
}

/**
 * E_g(∞) of the pseudo-inverse solution w0 + pinv(Xᵀ)(y − Xᵀw0): every non-frozen mode at
 * ε̃_i/λ_i, frozen modes left at z_i(0). Also the t → ∞ limit of stable discrete GD.
 */
export function egInfinity(m: Modes, se2: number): number {
  let zz = 0
  for (let i = 0; i < m.frozen; i++) zz += m.z0[i] * m.z0[i]
  for (let i = m.frozen; i < m.N; i++) {
    const z = m.epsTilde[i] / m.lambda[i]
    zz += z * z
  }
  return zz / m.N + se2
}

/** E_t(∞) = ‖ε_⊥‖²/P. */
export function etInfinity(m: Modes): number {
  return m.epsPerp2 / m.P
}

/**
 * Direct full-batch gradient descent on the summed squared error (Advani & Saxe 2017, eq. 3):
 * w ← w + η·X(y − Xᵀw). `step` advances one iteration and returns nothing; `errors` evaluates
 * [E_g, E_t] at the current w (E_t from the residual y − Xᵀw).
 */
export class DirectGd {
  readonly w: Float64Array
  private readonly r: Float64Array

  constructor(
    private readonly real: Realisation,
    private readonly eta: number,
  ) {
    this.w = Float64Array.from(real.w0)
    this.r = new Float64Array(real.P)
  }

  /** r = y − Xᵀw (the numeric core's gemv: wasm SIMD at these sizes, bit-identical to its scalar loops). */
  private residual(): void {
    const { N, P, X, y } = this.real
    this.r.set(y)
    gemv(true, N, P, -1, X, this.w, 1, this.r)
  }

  /** w ← w + η·X(y − Xᵀw): the residual, then w += η·X·r, two gemv. */
  step(): void {
    const { N, P, X } = this.real
    this.residual()
    gemv(false, N, P, this.eta, X, this.r, 1, this.w)
  }

  errors(se2: number, out: Float64Array): void {
    const { N, P, wbar } = this.real
    this.residual()
    let e = 0
    for (let i = 0; i < N; i++) {
      const d = this.w[i] - wbar[i]
      e += d * d
    }
    let t = 0
    for (let mu = 0; mu < P; mu++) t += this.r[mu] * this.r[mu]
    out[0] = e / N + se2
    out[1] = t / P
  }
}

/** Log-spaced times tMin … tMax (count points); for discrete GD, rounded to whole steps t = η·k, k ≥ 1, deduplicated. */
export function timeGrid(engine: Engine, tMin: number, tMax: number, count: number, eta: number): Float64Array {
  const out: number[] = []
  const r = Math.log(tMax / tMin)
  for (let j = 0; j < count; j++) {
    const t = count === 1 ? tMin : tMin * Math.exp((r * j) / (count - 1))
    if (engine === 'gradient flow') out.push(t)
    else {
      const k = Math.max(1, Math.round(t / eta))
      const tk = k * eta
      if (out.length === 0 || out[out.length - 1] !== tk) out.push(tk)
    }
  }
  return Float64Array.from(out)
}
