/**
 * A two-layer ReLU network f(x) = Σ_j a_j (x̃·u_j)₊ on lifted inputs x̃ = (x₁, x₂, 1), as trained by
 * GD or recovered from a convex solution, and what is evaluated on it: its output over a grid of
 * [−1, 1]² (the decision-boundary figure), its input gradient, and an ℓ∞ PGD attack on the two
 * non-bias features (the robust accuracy the spec's adversarial variant reports).
 */
import type { Rng } from '../../numeric/rng'

export interface ReluNet {
  m: number
  /** m×3 row-major hidden weights (the third entry multiplies the bias feature 1) */
  U: Float64Array
  a: Float64Array
}

/**
 * The network recovered from convex groups (v_1..v_P, w_1..w_P), 2P×3: each group with norm
 * > tol gives a neuron u = v/√‖v‖, a = σ√‖v‖ (σ = +1 for v, −1 for w), so a(x̃·u)₊ = σ(x̃·v)₊.
 */
export function networkFromGroups(v: Float64Array, P: number, tol: number): ReluNet {
  const U: number[] = []
  const a: number[] = []
  for (let g = 0; g < 2 * P; g++) {
    const v0 = v[3 * g], v1 = v[3 * g + 1], v2 = v[3 * g + 2]
    const nrm = Math.sqrt(v0 * v0 + v1 * v1 + v2 * v2)
    if (!(nrm > tol)) continue
    const s = Math.sqrt(nrm)
    U.push(v0 / s, v1 / s, v2 / s)
    a.push(g < P ? s : -s)
  }
  return { m: a.length, U: Float64Array.from(U), a: Float64Array.from(a) }
}

/** The network of random ReLU features h_i (unit norm) with output weights c_i: u = h√|c|, a = sign(c)√|c|. */
export function networkFromFeatures(H: Float64Array, c: Float64Array, tol: number): ReluNet {
  const U: number[] = []
  const a: number[] = []
  for (let i = 0; i < c.length; i++) {
    if (!(Math.abs(c[i]) > tol)) continue
    const s = Math.sqrt(Math.abs(c[i]))
    U.push(H[3 * i] * s, H[3 * i + 1] * s, H[3 * i + 2] * s)
    a.push(Math.sign(c[i]) * s)
  }
  return { m: a.length, U: Float64Array.from(U), a: Float64Array.from(a) }
}

export function output(net: ReluNet, x1: number, x2: number): number {
  const { m, U, a } = net
  let f = 0
  for (let j = 0; j < m; j++) {
    const z = x1 * U[3 * j] + x2 * U[3 * j + 1] + U[3 * j + 2]
    if (z > 0) f += a[j] * z
  }
  return f
}

/** ∇ₓ f at (x1, x2) (the feature part; ReLU'(0) = 0), written into g. */
export function inputGradient(net: ReluNet, x1: number, x2: number, g: Float64Array): void {
  const { m, U, a } = net
  g[0] = 0
  g[1] = 0
  for (let j = 0; j < m; j++) {
    const z = x1 * U[3 * j] + x2 * U[3 * j + 1] + U[3 * j + 2]
    if (z > 0) {
      g[0] += a[j] * U[3 * j]
      g[1] += a[j] * U[3 * j + 1]
    }
  }
}

/**
 * f on a size×size grid over [lo, hi]², row-major with row i at x₂ = lo + i·h and column j at
 * x₁ = lo + j·h (the heatmap reads cell (i, j) as component i·size + j).
 */
export function outputGrid(net: ReluNet, size: number, lo = -1, hi = 1): Float64Array {
  const out = new Float64Array(size * size)
  const h = size > 1 ? (hi - lo) / (size - 1) : 0
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) out[i * size + j] = output(net, lo + j * h, lo + i * h)
  return out
}

const clip = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v)

/**
 * ℓ∞ PGD on the margin y·f(x + δ), ‖δ‖∞ ≤ ε on (x₁, x₂): δ ← Π(δ − α y sign ∇ₓf), α = 2.5ε/steps
 * (Madry et al.'s step), from δ = 0 and from `restarts` uniform random starts. Returns the
 * smallest margin seen (≤ the clean margin); the point counts as robust iff it stays > 0.
 */
export function pgdMargin(net: ReluNet, x1: number, x2: number, y: number, eps: number, steps: number, restarts: number, rng: Rng | null): number {
  let worst = y * output(net, x1, x2)
  if (!(eps > 0)) return worst
  const alpha = (2.5 * eps) / steps
  const g = new Float64Array(2)
  for (let r = 0; r <= restarts; r++) {
    let d1 = r === 0 || !rng ? 0 : rng.uniformIn(-eps, eps)
    let d2 = r === 0 || !rng ? 0 : rng.uniformIn(-eps, eps)
    for (let t = 0; t <= steps; t++) {
      const margin = y * output(net, x1 + d1, x2 + d2)
      if (margin < worst) worst = margin
      if (t === steps) break
      inputGradient(net, x1 + d1, x2 + d2, g)
      d1 = clip(d1 - alpha * y * Math.sign(g[0]), -eps, eps)
      d2 = clip(d2 - alpha * y * Math.sign(g[1]), -eps, eps)
    }
  }
  return worst
}

/** Fraction of points whose PGD margin stays > 0 (a zero output counts as wrong, as in trainAccuracy). */
export function pgdRobustAccuracy(net: ReluNet, X: Float64Array, y: Float64Array, eps: number, steps: number, restarts: number, rng: Rng | null): number {
  const n = y.length
  let robust = 0
  for (let k = 0; k < n; k++) if (pgdMargin(net, X[3 * k], X[3 * k + 1], y[k], eps, steps, restarts, rng) > 0) robust++
  return robust / n
}
