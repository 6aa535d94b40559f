/**
 * The robust matrix recovery instance: X* = U*U*ᵀ (rank r, ‖X*‖_F = 1), Gaussian sensing
 * matrices A_i (not symmetrised) and measurements y_i = ⟨A_i, X*⟩ + s_i with gross outliers or
 * dense Gaussian noise s_i.
 *
 * Storage: the loss and the sub-gradient see A_i only through its symmetric part
 * S_i = (A_i + A_iᵀ)/2, because ⟨A_i, UUᵀ⟩ = ⟨S_i, UUᵀ⟩ and the sub-gradient uses A_i + A_iᵀ = 2·S_i.
 * So the m sensing matrices are kept as one Float64Array of m packed upper triangles of S_i
 * (d(d+1)/2 doubles each, row by row), half of the m·d² a full copy takes and half the work in
 * the hot loop. Tests keep the full A_i as well (`keepFull`) and check the packed path against
 * the textbook formula.
 */
import { qr } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'
import { SensingPasses } from './sensingPasses'

export type NoiseModel = 'none' | 'outliers' | 'gaussian'

export interface ProblemSpec {
  d: number
  r: number
  m: number
  noise: NoiseModel
  /** outlier probability per measurement (noise = 'outliers') */
  p: number
  /** standard deviation of an outlier value (noise = 'outliers') */
  outlierStd: number
  /** standard deviation of the dense noise (noise = 'gaussian') */
  nu: number
}

export interface RecoveryProblem {
  d: number
  r: number
  m: number
  /** d(d+1)/2: the length of one packed upper triangle */
  packedLength: number
  /** X* = U*U*ᵀ / ‖U*U*ᵀ‖_F, d×d row-major */
  xStar: Float64Array
  /** ‖X*‖_F (1 up to rounding; the relative error divides by it) */
  xStarNorm: number
  /** an orthonormal basis of col(X*), d×r row-major (for the projector P* = QQᵀ) */
  signalBasis: Float64Array
  /** m packed upper triangles of S_i = (A_i + A_iᵀ)/2, one after another (= passes.sensing) */
  sensing: Float64Array
  /** the storage of `sensing` and the measurement pass's two loops over it */
  passes: SensingPasses
  /** y_i = ⟨A_i, X*⟩ + s_i */
  y: Float64Array
  /** ⟨A_i, X*⟩, the clean measurements (for the sign-agreement metric) */
  clean: Float64Array
  /** how many measurements carry an outlier (0 unless noise = 'outliers') */
  outlierCount: number
  /** the full A_i (m·d², row-major each), only when built with keepFull */
  full: Float64Array | null
}

/** Index of (j, k), j ≤ k, in a packed upper triangle of a d×d matrix, row by row. */
export function packedIndex(d: number, j: number, k: number): number {
  return j * d - (j * (j - 1)) / 2 + (k - j)
}

/**
 * Draw an instance. `data` draws U* then A_1..A_m (entry by entry, row-major); `noise` draws, for
 * every i, a uniform u_i and a normal z_i whatever the noise model, so one seed gives nested
 * outlier sets across p (i is an outlier iff u_i < p, s_i = outlierStd·z_i) and the same A_i for
 * every noise setting. Outliers are independent of A_i (the paper's random-corruption model, not
 * an adversarial one).
 */
export function makeProblem(spec: ProblemSpec, data: Rng, noise: Rng, keepFull = false): RecoveryProblem {
  const { d, r, m } = spec
  const n2 = (d * (d + 1)) / 2
  const uStar = data.gaussianMatrix(d, r)
  const xStar = new Float64Array(d * d)
  for (let j = 0; j < d; j++) {
    for (let k = 0; k < d; k++) {
      let s = 0
      for (let l = 0; l < r; l++) s += uStar[j * r + l] * uStar[k * r + l]
      xStar[j * d + k] = s
    }
  }
  let nrm = 0
  for (let i = 0; i < d * d; i++) nrm += xStar[i] * xStar[i]
  nrm = Math.sqrt(nrm)
  for (let i = 0; i < d * d; i++) xStar[i] /= nrm
  let xStarNorm = 0
  for (let i = 0; i < d * d; i++) xStarNorm += xStar[i] * xStar[i]
  xStarNorm = Math.sqrt(xStarNorm)
  const signalBasis = qr(uStar, d, r).Q

  const passes = new SensingPasses(m, n2)
  const sensing = passes.sensing
  const clean = new Float64Array(m)
  const full = keepFull ? new Float64Array(m * d * d) : null
  const a = new Float64Array(d * d)
  for (let i = 0; i < m; i++) {
    data.fillNormal(a)
    if (full) full.set(a, i * d * d)
    let b = 0
    for (let e = 0; e < d * d; e++) b += a[e] * xStar[e]
    clean[i] = b
    let idx = i * n2
    for (let j = 0; j < d; j++) {
      sensing[idx++] = a[j * d + j]
      for (let k = j + 1; k < d; k++) sensing[idx++] = 0.5 * (a[j * d + k] + a[k * d + j])
    }
  }

  const y = new Float64Array(m)
  let outlierCount = 0
  for (let i = 0; i < m; i++) {
    const u = noise.uniform()
    const z = noise.normal()
    let s = 0
    if (spec.noise === 'outliers' && u < spec.p) {
      s = spec.outlierStd * z
      outlierCount++
    } else if (spec.noise === 'gaussian') {
      s = spec.nu * z
    }
    y[i] = clean[i] + s
  }
  return { d, r, m, packedLength: n2, xStar, xStarNorm, signalBasis, sensing, passes, y, clean, outlierCount, full }
}
