/**
 * The XOR data and the hyperplane arrangements D_i = diag(1[X h ≥ 0]) of the Pilanci–Ergen
 * convex program: exact ones by vertex enumeration (d = 3), sampled ones from Gaussian h.
 */
import type { Rng } from '../../numeric/rng'

/** Lifted data: rows of X are (x_k1, x_k2, 1), so d = 3 and the ones column is the bias. */
export interface XorData {
  n: number
  d: number
  /** n×d row-major */
  X: Float64Array
  /** labels ±1 */
  y: Float64Array
}

export const FEATURE_DIM = 3

/** x_k ~ U[−1, 1]², y_k = sign(x_k1·x_k2) (a zero product, probability 0, gets +1). */
export function xorData(n: number, rng: Rng): XorData {
  const X = new Float64Array(n * FEATURE_DIM)
  const y = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    const a = rng.uniformIn(-1, 1)
    const b = rng.uniformIn(-1, 1)
    X[3 * k] = a
    X[3 * k + 1] = b
    X[3 * k + 2] = 1
    y[k] = a * b >= 0 ? 1 : -1
  }
  return { n, d: FEATURE_DIM, X, y }
}

/**
 * Arrangement patterns as a P×n 0/1 matrix (row i = diag(D_i)). Duplicates and the all-zero
 * pattern are removed; patterns are kept in first-seen order so the result is deterministic.
 */
export interface Arrangements {
  P: number
  n: number
  /** P×n, entries 0 or 1 */
  D: Uint8Array
}

function patternOf(X: Float64Array, n: number, h0: number, h1: number, h2: number, out: Uint8Array, offset: number): boolean {
  let any = false
  for (let k = 0; k < n; k++) {
    const on = X[3 * k] * h0 + X[3 * k + 1] * h1 + X[3 * k + 2] * h2 >= 0
    out[offset + k] = on ? 1 : 0
    any ||= on
  }
  return any
}

class PatternSet {
  private readonly seen = new Set<string>()
  private readonly rows: Uint8Array[] = []
  constructor(private readonly n: number) {}
  add(row: Uint8Array): void {
    let any = false
    for (let k = 0; k < this.n; k++) any ||= row[k] === 1
    if (!any) return
    const key = String.fromCharCode(...row)
    if (this.seen.has(key)) return
    this.seen.add(key)
    this.rows.push(row.slice())
  }
  result(): Arrangements {
    const P = this.rows.length
    const D = new Uint8Array(P * this.n)
    this.rows.forEach((r, i) => D.set(r, i * this.n))
    return { P, n: this.n, D }
  }
}

/**
 * All arrangements of the central plane arrangement {h : z_k·h = 0} in ℝ³ by vertex enumeration:
 * every cell of a generic central arrangement has an edge ray h0 = z_i × z_j on its boundary, and
 * the 4 cells around that ray (both signs of h0) are reached by h = ±h0 + δ·B·(s_i, s_j) with
 * [z_iᵀ; z_jᵀ]·B = I₂, δ small enough that no other point changes sign.
 * For points in general position this gives P = n(n−1) + 1 (the n² − n + 2 cells less the all-zero one).
 */
export function exactArrangements(data: XorData): Arrangements {
  const { n, X } = data
  const set = new PatternSet(n)
  const row = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a0 = X[3 * i], a1 = X[3 * i + 1], a2 = X[3 * i + 2]
      const b0 = X[3 * j], b1 = X[3 * j + 1], b2 = X[3 * j + 2]
      // h0 = z_i × z_j, normalised
      let h0 = a1 * b2 - a2 * b1
      let h1 = a2 * b0 - a0 * b2
      let h2 = a0 * b1 - a1 * b0
      const hn = Math.hypot(h0, h1, h2)
      if (hn < 1e-12 * Math.hypot(a0, a1, a2) * Math.hypot(b0, b1, b2)) continue
      h0 /= hn
      h1 /= hn
      h2 /= hn
      // B = Zᵀ (Z Zᵀ)⁻¹ with Z = [z_i; z_j] (2×3)
      const g11 = a0 * a0 + a1 * a1 + a2 * a2
      const g12 = a0 * b0 + a1 * b1 + a2 * b2
      const g22 = b0 * b0 + b1 * b1 + b2 * b2
      const det = g11 * g22 - g12 * g12
      const i11 = g22 / det, i12 = -g12 / det, i22 = g11 / det
      // columns of B: e_i = i11·z_i + i12·z_j, e_j = i12·z_i + i22·z_j
      const ei0 = i11 * a0 + i12 * b0, ei1 = i11 * a1 + i12 * b1, ei2 = i11 * a2 + i12 * b2
      const ej0 = i12 * a0 + i22 * b0, ej1 = i12 * a1 + i22 * b1, ej2 = i12 * a2 + i22 * b2
      // δ: half the smallest margin of the other points over the largest drift the nudge causes
      let margin = Infinity
      let drift = 0
      for (let k = 0; k < n; k++) {
        if (k === i || k === j) continue
        const c0 = X[3 * k], c1 = X[3 * k + 1], c2 = X[3 * k + 2]
        margin = Math.min(margin, Math.abs(c0 * h0 + c1 * h1 + c2 * h2))
        drift = Math.max(drift, Math.abs(c0 * ei0 + c1 * ei1 + c2 * ei2) + Math.abs(c0 * ej0 + c1 * ej1 + c2 * ej2))
      }
      if (margin === 0) continue // degenerate triple: a third point on the same edge ray
      const delta = drift > 0 ? (0.5 * margin) / drift : 1e-3
      for (const sgn of [1, -1]) {
        for (const si of [1, -1]) {
          for (const sj of [1, -1]) {
            const p0 = sgn * h0 + delta * (si * ei0 + sj * ej0)
            const p1 = sgn * h1 + delta * (si * ei1 + sj * ej1)
            const p2 = sgn * h2 + delta * (si * ei2 + sj * ej2)
            patternOf(X, n, p0, p1, p2, row, 0)
            set.add(row)
          }
        }
      }
    }
  }
  return set.result()
}

/** P_s patterns 1[X h ≥ 0] from h ~ N(0, I₃), deduplicated, all-zero removed (so P ≤ P_s). */
export function sampledArrangements(data: XorData, Ps: number, rng: Rng): Arrangements {
  const { n, X } = data
  const set = new PatternSet(n)
  const row = new Uint8Array(n)
  for (let s = 0; s < Ps; s++) {
    const h0 = rng.normal(), h1 = rng.normal(), h2 = rng.normal()
    patternOf(X, n, h0, h1, h2, row, 0)
    set.add(row)
  }
  return set.result()
}
