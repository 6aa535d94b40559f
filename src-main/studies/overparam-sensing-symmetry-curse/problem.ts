/**
 * The matrix-sensing problem: a rank-r PSD ground truth M* = U·diag(σ)·Uᵀ and the residual
 * matrix S = (1/m) Σ_i (⟨A_i, Z⟩ − y_i)·A_i of the loss L(Z) = (1/2m) Σ_i (⟨A_i, Z⟩ − y_i)²
 * (Xiong, Ding & Du 2023, the matrix sensing objective of Section 2). In factorisation mode the
 * measurement operator is the identity (the population limit), so S = Z − M* and
 * L = ½‖Z − M*‖²_F.
 */
import { senseKernel, type SenseKernel } from './senseWasm'

/** what the problem draws from: a seeded stream (`ctx.stream('data')`, a numeric/rng Rng) */
export interface GaussianSource {
  gaussianMatrix(rows: number, cols: number, std?: number): Float64Array
}

export type Mode = 'factorisation' | 'sensing'
export type Measurements = 'general' | 'symmetrised'

export interface SensingData {
  mode: Mode
  n: number
  r: number
  /** the ground truth M*, n×n */
  Mstar: Float64Array
  normMstar: number
  /** its spectrum σ_1 ≥ … ≥ σ_r */
  sigma: Float64Array
  /** measurements (sensing mode only; 0 otherwise) */
  m: number
  /** the sensing matrices A_i as rows of an m×n² matrix (sensing mode only) */
  A: Float64Array | null
  /** y_i = ⟨A_i, M*⟩ (sensing mode only, noise-free) */
  y: Float64Array | null
  /**
   * For symmetric iterates, built on first use by residualMatrixSymmetric: each A_i folded onto
   * its upper triangle (A_jj, and A_jl + A_lj for j < l), m × n(n+1)/2, plus packed scratch.
   */
  folded?: { P: Float64Array; z: Float64Array; s: Float64Array }
  /**
   * The WebAssembly SIMD sensing passes (senseWasm.ts), built on first use: over A (`full`) and
   * over the folded rows (`folded`); null where SIMD is unavailable (the JavaScript loops run).
   */
  wasm?: { full?: SenseKernel | null; folded?: SenseKernel | null }
}

/**
 * The spectrum of M*: σ_i = 1 − ½·(i − 1)/(r − 1), i.e. (1, 0.75, 0.5) for r = 3 as the spec
 * gives, (1, 0.5) for r = 2 (a decision: the spec leaves the sensing-mode spectrum open) and
 * (1) for r = 1. σ_1 = 1 always, which the step-size guidance η ≤ 0.4 assumes.
 */
export function groundTruthSpectrum(r: number): Float64Array {
  const s = new Float64Array(r)
  for (let i = 0; i < r; i++) s[i] = r === 1 ? 1 : 1 - (0.5 * i) / (r - 1)
  return s
}

/** Orthonormalise the columns of the n×r matrix Q in place (modified Gram–Schmidt, twice). */
export function orthonormaliseColumns(Q: Float64Array, n: number, r: number): Float64Array {
  for (let pass = 0; pass < 2; pass++) {
    for (let j = 0; j < r; j++) {
      for (let p = 0; p < j; p++) {
        let d = 0
        for (let i = 0; i < n; i++) d += Q[i * r + p] * Q[i * r + j]
        for (let i = 0; i < n; i++) Q[i * r + j] -= d * Q[i * r + p]
      }
      let nrm = 0
      for (let i = 0; i < n; i++) nrm += Q[i * r + j] * Q[i * r + j]
      nrm = Math.sqrt(nrm)
      if (!(nrm > 0)) throw new Error('orthonormaliseColumns: rank-deficient draw')
      for (let i = 0; i < n; i++) Q[i * r + j] /= nrm
    }
  }
  return Q
}

/**
 * Draw the problem from the "data" stream: U from the QR factor of an n×r Gaussian matrix
 * (orthonormal columns), then in sensing mode m sensing matrices with i.i.d. N(0, 1) entries.
 * `symmetrised` replaces each A_i by (A_i + A_iᵀ)/2: the pitfall in which the asymmetric
 * parameterisation cannot see the skew part of FGᵀ and plateaus.
 */
export function makeSensingData(
  mode: Mode,
  n: number,
  r: number,
  m: number,
  measurements: Measurements,
  rng: GaussianSource,
): SensingData {
  const U = orthonormaliseColumns(rng.gaussianMatrix(n, r), n, r)
  const sigma = groundTruthSpectrum(r)
  const Mstar = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let l = 0; l < r; l++) s += U[i * r + l] * sigma[l] * U[j * r + l]
      Mstar[i * n + j] = s
    }
  }
  let normMstar = 0
  for (let i = 0; i < n * n; i++) normMstar += Mstar[i] * Mstar[i]
  normMstar = Math.sqrt(normMstar)
  if (mode === 'factorisation') return { mode, n, r, Mstar, normMstar, sigma, m: 0, A: null, y: null }

  const nn = n * n
  const A = rng.gaussianMatrix(m, nn)
  if (measurements === 'symmetrised') {
    for (let q = 0; q < m; q++) {
      const o = q * nn
      for (let i = 0; i < n; i++) {
        for (let j = i + 1; j < n; j++) {
          const s = 0.5 * (A[o + i * n + j] + A[o + j * n + i])
          A[o + i * n + j] = s
          A[o + j * n + i] = s
        }
      }
    }
  }
  const y = new Float64Array(m)
  for (let q = 0; q < m; q++) {
    let s = 0
    const o = q * nn
    for (let p = 0; p < nn; p++) s += A[o + p] * Mstar[p]
    y[q] = s
  }
  return { mode, n, r, Mstar, normMstar, sigma, m, A, y }
}

/**
 * The residual matrix S (written into S, n×n) and the loss L at Z. `res` is m scratch values
 * (sensing mode). Factorisation mode: S = Z − M*, L = ½‖S‖²_F. Sensing mode:
 * res_i = ⟨A_i, Z⟩ − y_i, S = (1/m) Σ_i res_i A_i, L = (1/2m) Σ_i res_i².
 */
export function residualMatrix(data: SensingData, Z: Float64Array, S: Float64Array, res: Float64Array): number {
  const nn = data.n * data.n
  const Ms = data.Mstar
  if (data.mode === 'factorisation') {
    for (let p = 0; p < nn; p++) S[p] = Z[p] - Ms[p]
    return 0.5 * sumSquaredResidual(Z, Ms, data.n)
  }
  const A = data.A!
  const y = data.y!
  const m = data.m
  const wasm = (data.wasm ??= {})
  if (wasm.full === undefined) wasm.full = senseKernel(A, y, m, nn)
  if (wasm.full !== null) return wasm.full.run(Z, res, S) / (2 * m)
  let loss = 0
  // ⟨A_q, Z⟩ for two measurements at a time (they share the loads of Z), each with the same two
  // partial sums (even and odd entries) as a single dot product.
  let q = 0
  for (; q < m; q += 2) {
    const q1 = q + 1 < m ? q + 1 : q
    const o = q * nn
    const o1 = q1 * nn
    let s0 = 0
    let s1 = 0
    let t0 = 0
    let t1 = 0
    let p = 0
    for (; p + 1 < nn; p += 2) {
      const z0 = Z[p]
      const z1 = Z[p + 1]
      s0 += A[o + p] * z0
      s1 += A[o + p + 1] * z1
      t0 += A[o1 + p] * z0
      t1 += A[o1 + p + 1] * z1
    }
    if (p < nn) {
      s0 += A[o + p] * Z[p]
      t0 += A[o1 + p] * Z[p]
    }
    const rq = s0 + s1 - y[q]
    res[q] = rq / m
    loss += rq * rq
    if (q1 !== q) {
      const rq1 = t0 + t1 - y[q1]
      res[q1] = rq1 / m
      loss += rq1 * rq1
    }
  }
  // S = Σ_q res_q·A_q, q in order for every entry (as q-by-q axpys), four measurements per sweep
  // of S so that S is loaded and stored once per four multiply-adds.
  S.fill(0, 0, nn)
  q = 0
  for (; q + 3 < m; q += 4) {
    const w0 = res[q]
    const w1 = res[q + 1]
    const w2 = res[q + 2]
    const w3 = res[q + 3]
    const o0 = q * nn
    const o1 = o0 + nn
    const o2 = o1 + nn
    const o3 = o2 + nn
    for (let p = 0; p < nn; p++) {
      let v = S[p]
      v += w0 * A[o0 + p]
      v += w1 * A[o1 + p]
      v += w2 * A[o2 + p]
      v += w3 * A[o3 + p]
      S[p] = v
    }
  }
  for (; q < m; q++) {
    const w = res[q]
    const o = q * nn
    for (let p = 0; p < nn; p++) S[p] += w * A[o + p]
  }
  return loss / (2 * m)
}

/**
 * residualMatrix for a symmetric Z (the XXᵀ parameterisation), in half the work: ⟨A_i, Z⟩ is
 * ⟨fold(A_i), triu(Z)⟩ with fold(A)_jl = A_jl + A_lj (j < l), and the symmetric step only uses
 * S + Sᵀ, which is (1/m)Σ_i res_i·fold(A_i) off the diagonal. Writes into S the symmetric part
 * (S + Sᵀ)/2 of the residual matrix (so that S + Sᵀ is the same gradient), returns the same loss.
 * The sums run over n(n+1)/2 instead of n² entries, so the last bits differ from residualMatrix.
 */
export function residualMatrixSymmetric(data: SensingData, Z: Float64Array, S: Float64Array, res: Float64Array): number {
  if (data.mode === 'factorisation') return residualMatrix(data, Z, S, res)
  const n = data.n
  const m = data.m
  const np = (n * (n + 1)) / 2
  const { P, z, s } = data.folded ?? foldSensing(data)
  const y = data.y!
  let e = 0
  for (let j = 0; j < n; j++) for (let l = j; l < n; l++) z[e++] = Z[j * n + l]
  const wasm = (data.wasm ??= {})
  if (wasm.folded === undefined) wasm.folded = senseKernel(P, y, m, np)
  const loss = wasm.folded !== null ? wasm.folded.run(z, res, s) : foldedPassJs(P, y, m, np, z, res, s)
  e = 0
  for (let j = 0; j < n; j++) {
    S[j * n + j] = s[e++]
    for (let l = j + 1; l < n; l++) {
      const v = 0.5 * s[e++]
      S[j * n + l] = v
      S[l * n + j] = v
    }
  }
  return loss / (2 * m)
}

/** res, Σ res², s = Σ res_q·P_q over the folded rows (the JavaScript path of residualMatrixSymmetric). */
function foldedPassJs(P: Float64Array, y: Float64Array, m: number, np: number, z: Float64Array, res: Float64Array, s: Float64Array): number {
  let loss = 0
  let q = 0
  for (; q < m; q += 2) {
    const q1 = q + 1 < m ? q + 1 : q
    const o = q * np
    const o1 = q1 * np
    let s0 = 0
    let s1 = 0
    let t0 = 0
    let t1 = 0
    let p = 0
    for (; p + 1 < np; p += 2) {
      const z0 = z[p]
      const z1 = z[p + 1]
      s0 += P[o + p] * z0
      s1 += P[o + p + 1] * z1
      t0 += P[o1 + p] * z0
      t1 += P[o1 + p + 1] * z1
    }
    if (p < np) {
      s0 += P[o + p] * z[p]
      t0 += P[o1 + p] * z[p]
    }
    const rq = s0 + s1 - y[q]
    res[q] = rq / m
    loss += rq * rq
    if (q1 !== q) {
      const rq1 = t0 + t1 - y[q1]
      res[q1] = rq1 / m
      loss += rq1 * rq1
    }
  }
  s.fill(0)
  q = 0
  for (; q + 3 < m; q += 4) {
    const w0 = res[q]
    const w1 = res[q + 1]
    const w2 = res[q + 2]
    const w3 = res[q + 3]
    const o0 = q * np
    const o1 = o0 + np
    const o2 = o1 + np
    const o3 = o2 + np
    for (let p = 0; p < np; p++) {
      let v = s[p]
      v += w0 * P[o0 + p]
      v += w1 * P[o1 + p]
      v += w2 * P[o2 + p]
      v += w3 * P[o3 + p]
      s[p] = v
    }
  }
  for (; q < m; q++) {
    const w = res[q]
    const o = q * np
    for (let p = 0; p < np; p++) s[p] += w * P[o + p]
  }
  return loss
}

function foldSensing(data: SensingData): { P: Float64Array; z: Float64Array; s: Float64Array } {
  const { n, m } = data
  const A = data.A!
  const nn = n * n
  const np = (n * (n + 1)) / 2
  const P = new Float64Array(m * np)
  let e = 0
  for (let q = 0; q < m; q++) {
    const o = q * nn
    for (let j = 0; j < n; j++) {
      P[e++] = A[o + j * n + j]
      for (let l = j + 1; l < n; l++) P[e++] = A[o + j * n + l] + A[o + l * n + j]
    }
  }
  data.folded = { P, z: new Float64Array(np), s: new Float64Array(np) }
  return data.folded
}

/**
 * Σ_ij (Z_ij − M*_ij)² as two sums, over the even and the odd columns, row by row (the lanes of
 * the SIMD kernel in factorWasm.ts, which gives the same bits; two chains also halve the latency).
 */
export function sumSquaredResidual(Z: Float64Array, Ms: Float64Array, n: number): number {
  let s0 = 0
  let s1 = 0
  for (let i = 0; i < n; i++) {
    const o = i * n
    let j = 0
    for (; j + 1 < n; j += 2) {
      const d0 = Z[o + j] - Ms[o + j]
      const d1 = Z[o + j + 1] - Ms[o + j + 1]
      s0 += d0 * d0
      s1 += d1 * d1
    }
    if (j < n) {
      const d = Z[o + j] - Ms[o + j]
      s0 += d * d
    }
  }
  return s0 + s1
}

/** ‖Z − M*‖_F / ‖M*‖_F */
export function relativeError(data: SensingData, Z: Float64Array): number {
  return Math.sqrt(sumSquaredResidual(Z, data.Mstar, data.n)) / data.normMstar
}
