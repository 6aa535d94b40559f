/**
 * The sub-gradient method (SubGM) on the over-parameterised ℓ1 loss
 *   f(U) = (1/m) Σ_i |⟨A_i, UUᵀ⟩ − y_i|,   U ∈ ℝ^{d×r'},
 * started from a small random point U_0 = α·B (Ma & Fattahi 2022, Algorithm 1 with the geometric
 * step η_t = η0·ρ^t). Everything here is an explicit state over Float64Arrays, allocated once.
 */
import { packedIndex, type RecoveryProblem } from './problem'

export interface SubgmState {
  d: number
  /** r', the number of columns of U */
  k: number
  /** U_t, d×k row-major */
  U: Float64Array
  /** Z = U_tU_tᵀ, d×d row-major (full, symmetric) */
  Z: Float64Array
  /** Z packed with off-diagonal entries doubled, so ⟨S_i, Z⟩ = Σ_e sensing_i[e]·zw[e] */
  zw: Float64Array
  /** Σ_i sign(r_i)·S_i, packed */
  g: Float64Array
  /** the sub-gradient D_t, d×k */
  D: Float64Array
  /** sign(r_i) at the last pass, and at the one before (for the incremental update of g) */
  signs: Int8Array
  previous: Int8Array
  /** passes since g was last summed from scratch (Infinity: never) */
  passesSinceRefresh: number
  /** q_i = ⟨S_i, Z⟩ of the current pass */
  q: Float64Array
  /** the measurements that enter the update of g, and their coefficients (scratch) */
  rows: Int32Array
  coef: Float64Array
  /** d×d: the packed index of (min(j, l), max(j, l)) */
  packedOf: Int32Array
}

/** What one pass over the measurements measures at U_t (besides the sub-gradient). */
export interface PassResult {
  /** f(U_t) */
  loss: number
  /** fraction of i with sign(⟨A_i, Z⟩ − y_i) = sign(⟨A_i, Z − X*⟩) */
  signAgreement: number
}

export function makeState(d: number, k: number, m: number, U0: Float64Array): SubgmState {
  if (U0.length !== d * k) throw new RangeError(`U0 has ${U0.length} entries, expected ${d}×${k}`)
  const n2 = (d * (d + 1)) / 2
  return {
    d,
    k,
    U: Float64Array.from(U0),
    Z: new Float64Array(d * d),
    zw: new Float64Array(n2),
    g: new Float64Array(n2),
    D: new Float64Array(d * k),
    signs: new Int8Array(m),
    previous: new Int8Array(m),
    passesSinceRefresh: Infinity,
    q: new Float64Array(m),
    rows: new Int32Array(m),
    coef: new Float64Array(m),
    packedOf: packedIndexTable(d),
  }
}

function packedIndexTable(d: number): Int32Array {
  const t = new Int32Array(d * d)
  for (let j = 0; j < d; j++) for (let l = 0; l < d; l++) t[j * d + l] = l <= j ? packedIndex(d, l, j) : packedIndex(d, j, l)
  return t
}

/** Z = UUᵀ (full and packed-weighted): d²k/2 mult-adds, using symmetry. */
export function formGram(s: SubgmState): void {
  const { d, k, U, Z, zw } = s
  let idx = 0
  for (let j = 0; j < d; j++) {
    const uj = j * k
    for (let l = j; l < d; l++) {
      const ul = l * k
      let acc = 0
      for (let c = 0; c < k; c++) acc += U[uj + c] * U[ul + c]
      Z[j * d + l] = acc
      Z[l * d + j] = acc
      zw[idx++] = l === j ? acc : 2 * acc
    }
  }
}

/**
 * The hot path, one fused pass over the m packed sensing matrices (each read once, while it is
 * in cache): q_i = ⟨A_i, Z⟩, r_i = q_i − y_i, then g = Σ_i sign(r_i)·S_i, with the loss and the
 * sign agreement on the side. Needs formGram first. sign(0) = 0, as in the sub-differential's
 * minimal-norm choice. This is the textbook evaluation; `measurementPass` below gives the same g
 * (up to rounding) with less work and falls back to this one regularly.
 */
export function measurementPassFull(s: SubgmState, prob: RecoveryProblem): PassResult {
  const { zw, g, signs, q, rows, coef } = s
  const { y, clean, m } = prob
  prob.passes.dots(zw, q)
  g.fill(0)
  let loss = 0
  let agree = 0
  let count = 0
  for (let i = 0; i < m; i++) {
    const qi = q[i]
    const res = qi - y[i]
    const err = qi - clean[i]
    loss += Math.abs(res)
    if (res > 0) {
      signs[i] = 1
      if (err > 0) agree++
      rows[count] = i
      coef[count++] = 1
    } else if (res < 0) {
      signs[i] = -1
      if (err < 0) agree++
      rows[count] = i
      coef[count++] = -1
    } else {
      signs[i] = 0
      if (err === 0) agree++
    }
  }
  prob.passes.addRows(g, rows, coef, count)
  s.passesSinceRefresh = 0
  return { loss: loss / m, signAgreement: agree / m }
}

/** Full recomputations of g at least this often bound the rounding drift of the updates. */
export const REFRESH_PERIOD = 32

/**
 * The same pass, updating g from the previous iteration's signs instead of summing all m terms:
 *   g_t = g_{t−1} + Σ_i (σ_i − σ'_i)·S_i   or   g_t = −g_{t−1} + Σ_i (σ_i + σ'_i)·S_i,
 * (σ = sign(r_i) now, σ' = before), whichever has fewer non-zero terms. SubGM zig-zags across
 * the sign boundaries: near convergence ~90% of the signs flip every step, so the second form
 * touches ~10% of the S_i. One pass computes the residuals, loss and sign agreement; a second
 * touches only the S_i that enter the update. Every REFRESH_PERIOD-th call is a full pass.
 */
export function measurementPass(s: SubgmState, prob: RecoveryProblem): PassResult {
  if (s.passesSinceRefresh >= REFRESH_PERIOD - 1) return measurementPassFull(s, prob)
  const { zw, g, signs, previous, q, rows, coef } = s
  const { y, clean, m, packedLength: n } = prob
  prob.passes.dots(zw, q)
  previous.set(signs)
  let loss = 0
  let agree = 0
  let changed = 0
  let kept = 0
  for (let i = 0; i < m; i++) {
    const qi = q[i]
    const res = qi - y[i]
    const err = qi - clean[i]
    loss += Math.abs(res)
    let sg = 0
    if (res > 0) {
      sg = 1
      if (err > 0) agree++
    } else if (res < 0) {
      sg = -1
      if (err < 0) agree++
    } else if (err === 0) agree++
    signs[i] = sg
    const old = previous[i]
    if (sg !== old) changed++
    if (sg + old !== 0) kept++
  }
  let count = 0
  if (changed <= kept) {
    for (let i = 0; i < m; i++) {
      const c = signs[i] - previous[i]
      if (c !== 0) {
        rows[count] = i
        coef[count++] = c
      }
    }
  } else {
    for (let f = 0; f < n; f++) g[f] = -g[f]
    for (let i = 0; i < m; i++) {
      const c = signs[i] + previous[i]
      if (c !== 0) {
        rows[count] = i
        coef[count++] = c
      }
    }
  }
  prob.passes.addRows(g, rows, coef, count)
  s.passesSinceRefresh++
  return { loss: loss / m, signAgreement: agree / m }
}

/**
 * D_t = (G + Gᵀ)·U_t with G = (1/m) Σ_i sign(r_i)·A_i; since G + Gᵀ = (2/m) Σ_i sign(r_i)·S_i,
 * it is (2/m)·unpack(g)·U_t. Needs measurementPass first.
 */
export function subgradient(s: SubgmState, m: number): void {
  const { d, k, U, g, D, packedOf } = s
  const scale = 2 / m
  // Row j of D is Σ_l w_jl·U_l over l = 0..d−1 in order (w_jl = scale·g at the packed index of
  // (min, max)), the order in which the symmetric rank-one form visits it; four columns at a time
  // are held in locals, so there is no store per multiply-add.
  for (let j = 0; j < d; j++) {
    const dj = j * k
    let c = 0
    for (; c + 3 < k; c += 4) {
      let a0 = 0
      let a1 = 0
      let a2 = 0
      let a3 = 0
      for (let l = 0; l < d; l++) {
        const w = scale * g[packedOf[j * d + l]]
        const ul = l * k + c
        a0 += w * U[ul]
        a1 += w * U[ul + 1]
        a2 += w * U[ul + 2]
        a3 += w * U[ul + 3]
      }
      D[dj + c] = a0
      D[dj + c + 1] = a1
      D[dj + c + 2] = a2
      D[dj + c + 3] = a3
    }
    for (; c < k; c++) {
      let a0 = 0
      for (let l = 0; l < d; l++) a0 += scale * g[packedOf[j * d + l]] * U[l * k + c]
      D[dj + c] = a0
    }
  }
}

/** U_{t+1} = U_t − η_t·D_t. */
export function applyStep(s: SubgmState, eta: number): void {
  const { U, D } = s
  for (let i = 0; i < U.length; i++) U[i] -= eta * D[i]
}

/** ‖UUᵀ − X*‖_F / ‖X*‖_F (needs formGram). */
export function relativeError(s: SubgmState, prob: RecoveryProblem): number {
  const { Z } = s
  const X = prob.xStar
  let acc = 0
  for (let i = 0; i < Z.length; i++) {
    const e = Z[i] - X[i]
    acc += e * e
  }
  return Math.sqrt(acc) / prob.xStarNorm
}

/**
 * ‖(I − P*)U‖_F with P* = QQᵀ, Q an orthonormal basis of col(X*), computed as U − Q(QᵀU) so that
 * a redundant part of size α next to a signal part of size 1 keeps its relative accuracy.
 * `work` holds r·k doubles.
 */
export function redundantNorm(s: SubgmState, prob: RecoveryProblem, work: Float64Array): number {
  const { d, k, U } = s
  const { signalBasis: Q, r } = prob
  work.fill(0, 0, r * k)
  for (let j = 0; j < d; j++) {
    for (let a = 0; a < r; a++) {
      const qa = Q[j * r + a]
      for (let c = 0; c < k; c++) work[a * k + c] += qa * U[j * k + c]
    }
  }
  let acc = 0
  for (let j = 0; j < d; j++) {
    for (let c = 0; c < k; c++) {
      let proj = 0
      for (let a = 0; a < r; a++) proj += Q[j * r + a] * work[a * k + c]
      const v = U[j * k + c] - proj
      acc += v * v
    }
  }
  return Math.sqrt(acc)
}
