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
import { symEig, symEigRows } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'
import { WasmArena } from '../../numeric/wasm-arena'
import { gramWasm, projKernel } from './gramWasm'
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

/**
 * toModes(drawRealisation(N, P, v, data, init)) when the draw itself is not kept (the dynamics
 * solvers read only the modes): the same draws from the same streams into one reused
 * realisation (a fresh 40 KB X per realisation cost ≈ 7 µs of allocation and collection at the
 * default), y not formed (toModes never reads it), and with σ0² = 0 w0 = +0 written without its
 * draw (fillNormal gives 0 + 0·x = +0 for every draw, and nothing else reads the init stream).
 * Bit-identical modes (a unit test compares). Nothing returned points into the scratch.
 */
export function realisationModes(N: number, P: number, v: TeacherVariances, data: Rng, init: Rng): Modes {
  const r = realisationScratch(N, P)
  data.fillNormal(r.X, 0, 1 / Math.sqrt(N))
  data.fillNormal(r.wbar, 0, Math.sqrt(v.sw2))
  data.fillNormal(r.eps, 0, Math.sqrt(v.se2))
  if (v.s02 === 0) r.w0.fill(0)
  else init.fillNormal(r.w0, 0, Math.sqrt(v.s02))
  return toModes(r)
}

let scratchRealisation: Realisation | null = null
function realisationScratch(N: number, P: number): Realisation {
  const r = scratchRealisation
  if (r && r.N === N && r.P === P) return r
  const f = (n: number): Float64Array => new Float64Array(n)
  return (scratchRealisation = { N, P, X: f(N * P), wbar: f(N), eps: f(P), y: f(P).fill(NaN), w0: f(N) })
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
 * the default (a unit test checks the bits). Smaller Grams go through syrk itself. The JavaScript
 * twin of gramWasm.ts, which modesFromExampleGram tries first (the same bits in about half).
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
  // H = XᵀX and the temporaries in one reused buffer (every piece is fully written before it is
  // read: gemm and gemv with β = 0 zero their outputs first)
  const buf = exampleGramScratch(P * P + N + 5 * P)
  // XᵀX: the upper blocks in wasm SIMD (gramWasm, a view of its memory), else exampleGram
  const H = gramWasm(X, N, P) ?? exampleGram(X, N, P, buf.subarray(0, P * P))
  let at = P * P
  const take = (len: number): Float64Array => buf.subarray(at, (at += len))
  const d0 = take(N)
  for (let i = 0; i < N; i++) d0[i] = w0[i] - wbar[i]
  const b = take(P)
  gemv(true, N, P, 1, X, d0, 0, b) // Xᵀd0
  const mu = take(P)
  const c = take(P) // Uᵀ(Xᵀd0)
  const e = take(P) // Uᵀε
  const Ug = take(P) // U·diag(1/μ)·Uᵀ·Xᵀd0
  exampleEigenProjections(H, P, b, eps, mu, c, e, Ug)
  if (!(mu[0] > 1e-10 * mu[P - 1])) return null
  const frozen = N - P
  const lambda = new Float64Array(N)
  const z0 = new Float64Array(N)
  const epsTilde = new Float64Array(N)
  for (let j = 0; j < P; j++) {
    const s = Math.sqrt(mu[j])
    lambda[frozen + j] = mu[j]
    z0[frozen + j] = c[j] / s
    epsTilde[frozen + j] = s * e[j]
  }
  // d⊥ = d0 − X·U·diag(1/μ)·Uᵀ·Xᵀd0 (the projection onto the row space of Xᵀ removed)
  gemv(false, N, P, -1, X, Ug, 1, d0)
  let perp = 0
  for (let i = 0; i < N; i++) perp += d0[i] * d0[i]
  z0[0] = Math.sqrt(perp)
  return { N, P, lambda, frozen, z0, epsTilde, epsPerp2: 0 }
}

/**
 * What modesFromExampleGram reads of H = U·diag(μ)·Uᵀ = symEig(H, P): μ ascending, c = Uᵀb,
 * e = Uᵀε and Ug = U·g with g_j = c_j/μ_j, each bit for bit what symEig and the numeric core's
 * gemv give (gemv(true, P, P, 1, U, ·, 0, ·) and gemv(false, P, P, 1, U, g, 0, ·); a unit test
 * keeps that code and compares). With WebAssembly SIMD and even P (the default P = 50) the
 * eigenvector matrix U is never formed: the numeric core's `symEigRows` (symEig without its
 * sorted, transposed copy of U) gives the eigenvectors as rows, column j of U being row order[j],
 * and the study's projection kernel (gramWasm.ts projKernel, on a copy of those rows) reads them
 * (c_j and e_j as dot products in gemv's order, U·g as the two interleaved sums of gemv's rows).
 * That skips the copy of the 50×50 vectors, and the three copies of U into wasm memory by gemv.
 * Otherwise (SIMD off, odd P) symEig and gemv themselves, the JavaScript twin.
 */
export function exampleEigenProjections(
  H: Float64Array,
  n: number,
  b: Float64Array,
  eps: Float64Array,
  mu: Float64Array,
  c: Float64Array,
  e: Float64Array,
  Ug: Float64Array,
): void {
  const pk = projKernel(n)
  if (pk) {
    // U[i][j] = rows[order[j]·n + i] (symEigRows: symEig without its sorted, transposed copy of U)
    const { values, rows, order } = symEigRows(H, n)
    pk.W.set(rows)
    pk.order.set(order)
    mu.set(values)
    pk.mu.set(values)
    pk.b.set(b.subarray(0, n))
    pk.eps.set(eps.subarray(0, n))
    pk.run()
    c.set(pk.c)
    e.set(pk.e)
    Ug.set(pk.Ug)
    return
  }
  const { values, vectors: U } = symEig(H, n)
  mu.set(values)
  gemv(true, n, n, 1, U, b, 0, c)
  gemv(true, n, n, 1, U, eps, 0, e)
  const g = exampleGramScratchG(n)
  for (let j = 0; j < n; j++) g[j] = c[j] / mu[j]
  gemv(false, n, n, 1, U, g, 0, Ug)
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
/** exampleEigenProjections' g in its symEig + gemv route (kept, as above). */
let exampleGramG = new Float64Array(0)
function exampleGramScratchG(len: number): Float64Array {
  if (exampleGramG.length < len) exampleGramG = new Float64Array(len)
  return exampleGramG
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
  /**
   * X, w, r and y in one WasmArena (numeric/wasm-arena.ts): its gemv reads them where they lie,
   * where the numeric core's gemv copies X into wasm memory on every call (two 40 KB copies per
   * step at the default). The same kernels on the same values: gemv's bits.
   */
  private readonly arena: WasmArena
  private readonly X: Float64Array
  private readonly y: Float64Array

  constructor(
    private readonly real: Realisation,
    private readonly eta: number,
  ) {
    const { N, P } = real
    this.arena = WasmArena.create(N * P + N + 2 * P, 0)
    this.X = this.arena.copyOf(real.X.subarray(0, N * P))
    this.w = this.arena.copyOf(real.w0.subarray(0, N))
    this.y = this.arena.copyOf(real.y.subarray(0, P))
    this.r = this.arena.alloc(P)
  }

  /** r = y − Xᵀw: gemv(true, N, P, −1, X, w, 1, r) after r = y. */
  private residual(): void {
    const { N, P } = this.real
    this.r.set(this.y)
    this.arena.gemv(true, N, P, -1, this.X, this.w, 1, this.r)
  }

  /** w ← w + η·X(y − Xᵀw): the residual, then w += η·X·r (gemv does nothing at η = 0). */
  step(): void {
    const { N, P } = this.real
    this.residual()
    this.arena.gemv(false, N, P, this.eta, this.X, this.r, 1, this.w)
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
