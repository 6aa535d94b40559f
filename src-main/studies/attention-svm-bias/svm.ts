/**
 * The attention SVMs of Tarzanagh et al. for given selected tokens opt_i:
 *   min ‖W‖  s.t.  ⟨A_k, W⟩ ≥ 1,  A_k = (x_{i,opt_i} − x_{i,t}) z_iᵀ,  t ≠ opt_i,
 * with the Frobenius norm (W_fro, the paper's W^mm) and the nuclear norm (W_nuc, W*^mm).
 * Study's own solvers (no cvxpy): dual coordinate descent, and ADMM with singular-value thresholding
 * (one-sided Jacobi, as the spec suggests for d ≤ 100).
 */
import type { AttentionData } from './attention'

export interface SvmConstraints {
  d: number
  /** number of constraints n(T − 1) */
  m: number
  /** Δ_k = x_opt − x_t, m×d */
  delta: Float64Array
  /** the sequence i of constraint k */
  seq: Int32Array
  /** Gram matrix 𝒦_kl = ⟨A_k, A_l⟩ = (Δ_k·Δ_l)(z_i·z_j), m×m */
  gram: Float64Array
}

export function svmConstraints(data: AttentionData, selected: Int32Array): SvmConstraints {
  const { n, T, d, X, Z } = data
  const m = n * (T - 1)
  const delta = new Float64Array(m * d)
  const seq = new Int32Array(m)
  let k = 0
  for (let i = 0; i < n; i++) {
    const o = selected[i]
    for (let t = 0; t < T; t++) {
      if (t === o) continue
      for (let a = 0; a < d; a++) delta[k * d + a] = X[(i * T + o) * d + a] - X[(i * T + t) * d + a]
      seq[k] = i
      k++
    }
  }
  const gram = new Float64Array(m * m)
  for (let k1 = 0; k1 < m; k1++) {
    for (let k2 = 0; k2 < m; k2++) {
      let dd = 0
      let zz = 0
      for (let a = 0; a < d; a++) {
        dd += delta[k1 * d + a] * delta[k2 * d + a]
        zz += Z[seq[k1] * d + a] * Z[seq[k2] * d + a]
      }
      gram[k1 * m + k2] = dd * zz
    }
  }
  return { d, m, delta, seq, gram }
}

/**
 * Exact coordinate descent on the non-negative QP  min_{a ≥ 0} ½ aᵀ𝒦a − bᵀa:
 *   a_k ← max(0, a_k + (b_k − (𝒦a)_k)/𝒦_kk), sweeping until the largest change is ≤ tol·(1 + max a).
 * `a` is the warm start and the result; returns the number of sweeps.
 */
export function nnqpCoordinateDescent(gram: Float64Array, b: Float64Array, a: Float64Array, m: number, tol = 1e-15, maxSweeps = 100000): number {
  const Ka = new Float64Array(m)
  for (let k = 0; k < m; k++) {
    let acc = 0
    for (let l = 0; l < m; l++) acc += gram[k * m + l] * a[l]
    Ka[k] = acc
  }
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let maxChange = 0
    let maxA = 0
    for (let k = 0; k < m; k++) {
      const kk = gram[k * m + k]
      if (!(kk > 0)) continue
      const next = Math.max(0, a[k] + (b[k] - Ka[k]) / kk)
      const delta = next - a[k]
      if (delta !== 0) {
        a[k] = next
        for (let l = 0; l < m; l++) Ka[l] += gram[l * m + k] * delta
        maxChange = Math.max(maxChange, Math.abs(delta))
      }
      maxA = Math.max(maxA, next)
    }
    if (maxChange <= tol * (1 + maxA)) return sweep
  }
  return maxSweeps
}

/**
 * W = Σ_k c_k A_k = Σ_i (Σ_{k ∈ i} c_k Δ_k) z_iᵀ (d×d): the constraints of a sequence share z_i,
 * so their Δ's are summed first (n·d² + m·d instead of m·d²). Constraints are grouped by sequence
 * in order (svmConstraints builds them so).
 */
export function combineConstraints(con: SvmConstraints, data: AttentionData, c: Float64Array, out: Float64Array): Float64Array {
  const { d, m, delta, seq } = con
  out.fill(0)
  const acc = new Float64Array(d)
  let k = 0
  while (k < m) {
    const i = seq[k]
    acc.fill(0)
    let any = false
    for (; k < m && seq[k] === i; k++) {
      const ck = c[k]
      if (ck === 0) continue
      any = true
      for (let a = 0; a < d; a++) acc[a] += ck * delta[k * d + a]
    }
    if (!any) continue
    const zo = i * d
    for (let a = 0; a < d; a++) {
      const v = acc[a]
      if (v === 0) continue
      for (let b = 0; b < d; b++) out[a * d + b] += v * data.Z[zo + b]
    }
  }
  return out
}

/** ⟨A_k, W⟩ = Δ_kᵀ (W z_{i(k)}) for every k, with W z_i formed once per sequence. */
export function constraintValues(con: SvmConstraints, data: AttentionData, W: Float64Array, out: Float64Array): Float64Array {
  const { d, m, delta, seq } = con
  const wz = new Float64Array(d)
  let current = -1
  for (let k = 0; k < m; k++) {
    const i = seq[k]
    if (i !== current) {
      current = i
      const zo = i * d
      for (let a = 0; a < d; a++) {
        let acc = 0
        for (let b = 0; b < d; b++) acc += W[a * d + b] * data.Z[zo + b]
        wz[a] = acc
      }
    }
    let acc = 0
    for (let a = 0; a < d; a++) acc += delta[k * d + a] * wz[a]
    out[k] = acc
  }
  return out
}

export interface FrobeniusSvm {
  W: Float64Array
  /** ‖W‖_F² − Σ a_k: zero at the optimum */
  dualityGap: number
  /** max(0, 1 − min_k ⟨A_k, W⟩) */
  violation: number
  sweeps: number
}

/** W_fro by the dual NNQP min_{a ≥ 0} ½ aᵀ𝒦a − 1ᵀa (exact coordinate descent), W_fro = Σ a_k A_k. */
export function frobeniusSvm(con: SvmConstraints, data: AttentionData): FrobeniusSvm {
  const { d, m } = con
  const a = new Float64Array(m)
  const ones = new Float64Array(m).fill(1)
  const sweeps = nnqpCoordinateDescent(con.gram, ones, a, m, 1e-15, 20000)
  const W = combineConstraints(con, data, a, new Float64Array(d * d))
  let ww = 0
  for (let j = 0; j < d * d; j++) ww += W[j] * W[j]
  let sa = 0
  for (let k = 0; k < m; k++) sa += a[k]
  const cv = constraintValues(con, data, W, new Float64Array(m))
  let minC = Infinity
  for (let k = 0; k < m; k++) minC = Math.min(minC, cv[k])
  return { W, dualityGap: ww - sa, violation: Math.max(0, 1 - minC), sweeps }
}

export interface NuclearSvm {
  /** W_nuc = Z / min_k ⟨A_k, Z⟩ (feasible) */
  W: Float64Array
  /** singular values of W_nuc, descending */
  singularValues: Float64Array
  primal: number
  dual: number
  relGap: number
  /** coordinate-descent sweeps over all ADMM iterations */
  sweeps: number
}

/**
 * W_nuc by ADMM on the split W = Z (scaled dual U, penalty ρ), `iterations` times:
 *   W = Proj_C(Z − U) = (Z − U) + Σ λ_k A_k, λ the NNQP with linear term 1 − ⟨A_k, Z − U⟩ (warm-started);
 *   Z = SVT_{1/ρ}(W + U);   U += W − Z.
 * Certificate: μ = ρλ rescaled by ‖Σ μ_k A_k‖₂ is dual feasible (value Σμ/‖Σ μ_k A_k‖₂);
 * Z rescaled to feasibility is primal feasible (value ‖W_nuc‖_*).
 * The inner NNQP stops at a relative change of innerTol = 1e-13 (1e-15 costs 1.7× the time and
 * moves neither the certificate (≈5e-15) nor the solution (1 − corr ≤ 2e-16) on the default problem).
 */
export function nuclearSvm(con: SvmConstraints, data: AttentionData, rho: number, iterations: number, isCancelled: () => boolean = () => false, innerTol = 1e-13): NuclearSvm {
  const { d, m } = con
  const dd = d * d
  const Wm = new Float64Array(dd)
  const Zm = new Float64Array(dd)
  const U = new Float64Array(dd)
  const V = new Float64Array(dd)
  const lam = new Float64Array(m)
  const b = new Float64Array(m)
  const cv = new Float64Array(m)
  const AL = new Float64Array(dd)
  const Bw = new Float64Array(dd)
  const Vw = new Float64Array(dd)
  const sw = new Float64Array(d)
  let sweeps = 0
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < dd; j++) V[j] = Zm[j] - U[j]
    constraintValues(con, data, V, cv)
    for (let k = 0; k < m; k++) b[k] = 1 - cv[k]
    sweeps += nnqpCoordinateDescent(con.gram, b, lam, m, innerTol, 10000)
    combineConstraints(con, data, lam, AL)
    for (let j = 0; j < dd; j++) {
      Wm[j] = V[j] + AL[j]
      V[j] = Wm[j] + U[j]
    }
    // singular-value thresholding at 1/ρ
    singularValueThreshold(V, d, 1 / rho, Zm, Bw, Vw, sw)
    for (let j = 0; j < dd; j++) U[j] += Wm[j] - Zm[j]
    if ((it & 63) === 0 && isCancelled()) break
  }
  // primal: Z scaled to feasibility
  constraintValues(con, data, Zm, cv)
  let minC = Infinity
  for (let k = 0; k < m; k++) minC = Math.min(minC, cv[k])
  const W = new Float64Array(dd)
  for (let j = 0; j < dd; j++) W[j] = Zm[j] / minC
  const sv = singularValuesOf(W, d)
  let primal = 0
  for (let r = 0; r < d; r++) primal += sv[r]
  // dual: μ = ρλ rescaled by the spectral norm of Σ μ_k A_k
  const mu = new Float64Array(m)
  let sumMu = 0
  for (let k = 0; k < m; k++) {
    mu[k] = rho * lam[k]
    sumMu += mu[k]
  }
  const spec = singularValuesOf(combineConstraints(con, data, mu, new Float64Array(dd)), d)[0]
  const dual = spec > 0 ? sumMu / spec : 0
  return { W, singularValues: sv, primal, dual, relGap: (primal - dual) / primal, sweeps }
}

/**
 * One-sided (Hestenes) Jacobi on the columns of a d×d matrix: B = A V with mutually orthogonal
 * columns, V orthogonal, σ_j = ‖b_j‖. No left singular vectors are formed, so rank-deficient inputs
 * (the SVT iterates and W_fro have rank ≤ n < d on part of the rank grid) need no basis completion.
 * Work arrays are the caller's: B (d×d, overwritten with A V), V (d×d), sigma (d).
 */
export function jacobiColumns(A: Float64Array, d: number, B: Float64Array, V: Float64Array, sigma: Float64Array): void {
  B.set(A)
  V.fill(0)
  for (let j = 0; j < d; j++) V[j * d + j] = 1
  for (let sweep = 0; sweep < 60; sweep++) {
    let rotated = false
    for (let p = 0; p < d - 1; p++) {
      for (let q = p + 1; q < d; q++) {
        let alpha = 0
        let beta = 0
        let gamma = 0
        for (let r = 0; r < d; r++) {
          const bp = B[r * d + p]
          const bq = B[r * d + q]
          alpha += bp * bp
          beta += bq * bq
          gamma += bp * bq
        }
        if (gamma === 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const sn = c * t
        for (let r = 0; r < d; r++) {
          const bp = B[r * d + p]
          const bq = B[r * d + q]
          B[r * d + p] = c * bp - sn * bq
          B[r * d + q] = sn * bp + c * bq
          const vp = V[r * d + p]
          const vq = V[r * d + q]
          V[r * d + p] = c * vp - sn * vq
          V[r * d + q] = sn * vp + c * vq
        }
      }
    }
    if (!rotated) break
  }
  for (let j = 0; j < d; j++) {
    let ss = 0
    for (let r = 0; r < d; r++) ss += B[r * d + j] * B[r * d + j]
    sigma[j] = Math.sqrt(ss)
  }
}

/** Singular values of a d×d matrix, descending. */
export function singularValuesOf(A: Float64Array, d: number): Float64Array {
  const sigma = new Float64Array(d)
  jacobiColumns(A, d, new Float64Array(d * d), new Float64Array(d * d), sigma)
  return sigma.sort().reverse()
}

/**
 * Singular-value thresholding Z = Σ_j (σ_j − τ)₊ u_j v_jᵀ = Σ_j ((σ_j − τ)₊/σ_j) b_j v_jᵀ with
 * B = A V from `jacobiColumns`.
 */
export function singularValueThreshold(A: Float64Array, d: number, tau: number, Z: Float64Array, B: Float64Array, V: Float64Array, sigma: Float64Array): void {
  jacobiColumns(A, d, B, V, sigma)
  Z.fill(0)
  for (let j = 0; j < d; j++) {
    if (!(sigma[j] > tau)) continue
    const f = (sigma[j] - tau) / sigma[j]
    for (let a = 0; a < d; a++) {
      const ba = f * B[a * d + j]
      if (ba === 0) continue
      for (let c = 0; c < d; c++) Z[a * d + c] += ba * V[c * d + j]
    }
  }
}

/** corr(W1, W2) = ⟨W1, W2⟩ / (‖W1‖_F ‖W2‖_F). */
export function correlation(A: Float64Array, B: Float64Array): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let j = 0; j < A.length; j++) {
    ab += A[j] * B[j]
    aa += A[j] * A[j]
    bb += B[j] * B[j]
  }
  return ab / Math.sqrt(aa * bb)
}

/** Number of singular values above rel·σ_1. */
export function numericalRank(sv: Float64Array, rel: number): number {
  let r = 0
  for (let j = 0; j < sv.length; j++) if (sv[j] > rel * sv[0]) r++
  return r
}
