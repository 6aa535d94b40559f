/**
 * Tasks and their utility curves u_x(α) for the activation-interpolation hyperparameter:
 * s_α(z) = α·ReLU(z) + (1 − α)·z, a frozen random first layer shared by all tasks, and the
 * second layer solved exactly by ridge regression, so u_x(α) = sup_a of the (negated) dual is
 * the validation MSE of the exact inner solution (the paper's "structured dual", §6 / spec).
 */
import type { Rng } from '../../numeric/rng'

export interface TaskSizes {
  inputDim: number
  hiddenUnits: number
  teacherUnits: number
  nTrain: number
  nVal: number
  noiseStd: number
}

/** The frozen first layer (w_k, c_k), k = 1..M: w_k ~ N(0, I_d), c_k ~ N(0, 1). */
export interface FirstLayer {
  W: Float64Array // M×d row-major
  c: Float64Array // M
}

export function drawFirstLayer(s: TaskSizes, rng: Rng): FirstLayer {
  const W = rng.gaussianMatrix(s.hiddenUnits, s.inputDim)
  const c = rng.gaussianMatrix(1, s.hiddenUnits)
  return { W, c }
}

/** One task: pre-activations Z = XWᵀ + c of its training and validation points, and labels. */
export interface Task {
  slope: number
  Ztrain: Float64Array // nTrain×M
  ytrain: Float64Array
  Zval: Float64Array // nVal×M
  yval: Float64Array
}

/**
 * A task: a 2-layer leaky-ReLU teacher y = Σ_j v_j·lrelu_s(u_jᵀx + b_j) + σ·ξ with
 * u_j ~ N(0, I_d), b_j ~ N(0, 1), v_j ~ N(0, 1), task slope s ~ U(0, 1), x ~ N(0, I_d), ξ ~ N(0, 1).
 * (The spec leaves these distributions open; see the README.)
 */
export function drawTask(s: TaskSizes, layer: FirstLayer, rng: Rng): Task {
  const d = s.inputDim
  const J = s.teacherUnits
  const M = s.hiddenUnits
  const slope = rng.uniform()
  const U = rng.gaussianMatrix(J, d)
  const b = rng.gaussianMatrix(1, J)
  const v = rng.gaussianMatrix(1, J)
  const x = new Float64Array(d)
  const make = (n: number) => {
    const Z = new Float64Array(n * M)
    const y = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      for (let l = 0; l < d; l++) x[l] = rng.normal()
      let t = 0
      for (let j = 0; j < J; j++) {
        let z = b[j]
        for (let l = 0; l < d; l++) z += U[j * d + l] * x[l]
        t += v[j] * (z > 0 ? z : slope * z)
      }
      y[i] = t + s.noiseStd * rng.normal()
      for (let k = 0; k < M; k++) {
        let z = layer.c[k]
        for (let l = 0; l < d; l++) z += layer.W[k * d + l] * x[l]
        Z[i * M + k] = z
      }
    }
    return { Z, y }
  }
  const tr = make(s.nTrain)
  const va = make(s.nVal)
  return { slope, Ztrain: tr.Z, ytrain: tr.y, Zval: va.Z, yval: va.y }
}

/** Scratch for `utilityCurve` (no allocation per α). */
export class RidgeWorkspace {
  readonly G: Float64Array
  readonly r: Float64Array
  readonly a: Float64Array
  readonly phi: Float64Array
  constructor(readonly M: number) {
    this.G = new Float64Array(M * M)
    this.r = new Float64Array(M)
    this.a = new Float64Array(M)
    this.phi = new Float64Array(M)
  }
}

/**
 * u_x(α) at each α of `alphas` (spec, Algorithms, steps 1–3):
 *   Φ(α) = α·ReLU(Z) + (1 − α)·Z,
 *   a*(α) solves (ΦᵀΦ/n_train + ridge·I)·a = Φᵀy/n_train  (Cholesky, the penalty on the mean loss),
 *   u_x(α) = (1/n_val)·‖Φ_val(α)·a*(α) − y_val‖².
 * Writes the curve into `out` (length = alphas.length).
 */
export function utilityCurve(task: Task, alphas: Float64Array, ridge: number, ws: RidgeWorkspace, out: Float64Array): Float64Array {
  const M = ws.M
  const { G, r, a, phi } = ws
  const nt = task.ytrain.length
  const nv = task.yval.length
  const Zt = task.Ztrain
  const Zv = task.Zval
  for (let g = 0; g < alphas.length; g++) {
    const al = alphas[g]
    const bl = 1 - al
    G.fill(0)
    r.fill(0)
    for (let i = 0; i < nt; i++) {
      const o = i * M
      for (let k = 0; k < M; k++) {
        const z = Zt[o + k]
        phi[k] = (z > 0 ? al * z : 0) + bl * z
      }
      const yi = task.ytrain[i]
      for (let k = 0; k < M; k++) {
        const pk = phi[k]
        r[k] += pk * yi
        const gk = k * M
        for (let l = 0; l <= k; l++) G[gk + l] += pk * phi[l]
      }
    }
    const inv = 1 / nt
    for (let k = 0; k < M; k++) {
      r[k] *= inv
      for (let l = 0; l <= k; l++) G[k * M + l] *= inv
      G[k * M + k] += ridge
    }
    // In-place Cholesky of the lower triangle, then forward and back substitution into a.
    for (let j = 0; j < M; j++) {
      let s = G[j * M + j]
      for (let k = 0; k < j; k++) s -= G[j * M + k] * G[j * M + k]
      if (!(s > 0)) throw new Error(`ridge system not positive definite at α = ${al} (pivot ${j} is ${s})`)
      const ljj = Math.sqrt(s)
      G[j * M + j] = ljj
      for (let i = j + 1; i < M; i++) {
        let t = G[i * M + j]
        for (let k = 0; k < j; k++) t -= G[i * M + k] * G[j * M + k]
        G[i * M + j] = t / ljj
      }
    }
    for (let i = 0; i < M; i++) {
      let t = r[i]
      for (let k = 0; k < i; k++) t -= G[i * M + k] * a[k]
      a[i] = t / G[i * M + i]
    }
    for (let i = M - 1; i >= 0; i--) {
      let t = a[i]
      for (let k = i + 1; k < M; k++) t -= G[k * M + i] * a[k]
      a[i] = t / G[i * M + i]
    }
    let sse = 0
    for (let i = 0; i < nv; i++) {
      const o = i * M
      let p = 0
      for (let k = 0; k < M; k++) {
        const z = Zv[o + k]
        p += a[k] * ((z > 0 ? al * z : 0) + bl * z)
      }
      const e = p - task.yval[i]
      sse += e * e
    }
    out[g] = sse / nv
  }
  return out
}

/**
 * Local extrema of a sampled curve: sign changes of Δu along the grid, steps with |Δu| ≤ tol
 * skipped (spec, "Local-extrema count per curve").
 */
export function countLocalExtrema(u: ArrayLike<number>, tol: number, offset = 0, length = u.length - offset): number {
  let prev = 0
  let changes = 0
  for (let g = 1; g < length; g++) {
    const d = u[offset + g] - u[offset + g - 1]
    if (!(Math.abs(d) > tol)) continue
    const sgn = d > 0 ? 1 : -1
    if (prev !== 0 && sgn !== prev) changes++
    prev = sgn
  }
  return changes
}

/** α grid: `points` equally spaced values on [0, 1], endpoints exact. */
export function alphaGrid(points: number): Float64Array {
  const out = new Float64Array(points)
  for (let g = 0; g < points; g++) out[g] = g / (points - 1)
  return out
}
