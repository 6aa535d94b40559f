/**
 * Ridge tuning (this study's construction, spec "Problem and data"): h = log λ,
 *   L_T(w; h) = mean_i (x_i·w − y_i)² + e^h·‖w‖²,   L_val(w) = mean_val (x·w − y)²,
 * with the exact best response w*(h) = (XᵀX/n + e^h·I)⁻¹·Xᵀy/n and its direction
 * dw* / dh = −e^h·(XᵀX/n + e^h·I)⁻¹·w*(h), both evaluated through one eigendecomposition of XᵀX/n.
 */
import { symEig } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'

export interface RidgeSpec {
  d: number
  nTrain: number
  nVal: number
  nTest: number
  sparsity: number
  noiseStd: number
}

export interface RidgeData {
  d: number
  n: number
  nVal: number
  nTest: number
  X: Float64Array
  y: Float64Array
  Xval: Float64Array
  yval: Float64Array
  Xtest: Float64Array
  ytest: Float64Array
  teacher: Float64Array
  /** eigenvalues of XᵀX/n (ascending) */
  lambda: Float64Array
  /** eigenvectors of XᵀX/n (d × d, column j ↔ lambda[j]) */
  V: Float64Array
  /** Vᵀ·Xᵀy/n */
  vb: Float64Array
}

/**
 * Draw from the "data" stream: the teacher (round(sparsity·d) non-zero entries at uniformly
 * chosen positions, values N(0, 1)), then the training, validation and test sets with
 * x ~ N(0, I_d) and y = x·w + noiseStd·N(0, 1).
 */
export function makeRidgeData(spec: RidgeSpec, rng: Rng): RidgeData {
  const { d } = spec
  const teacher = new Float64Array(d)
  const perm = rng.permutation(d)
  const nnz = Math.max(1, Math.round(spec.sparsity * d))
  for (let r = 0; r < nnz; r++) teacher[perm[r]] = rng.normal()
  const draw = (m: number): { X: Float64Array; y: Float64Array } => {
    const X = new Float64Array(m * d)
    const y = new Float64Array(m)
    for (let i = 0; i < m; i++) {
      let z = 0
      for (let k = 0; k < d; k++) {
        const v = rng.normal()
        X[i * d + k] = v
        z += v * teacher[k]
      }
      y[i] = z + spec.noiseStd * rng.normal()
    }
    return { X, y }
  }
  const tr = draw(spec.nTrain)
  const va = draw(spec.nVal)
  const te = draw(spec.nTest)
  const n = spec.nTrain
  const G = new Float64Array(d * d)
  const b = new Float64Array(d)
  for (let i = 0; i < n; i++) {
    const o = i * d
    for (let a = 0; a < d; a++) {
      const xa = tr.X[o + a] / n
      b[a] += xa * tr.y[i]
      for (let c = 0; c < d; c++) G[a * d + c] += xa * tr.X[o + c]
    }
  }
  const eig = symEig(G, d)
  const vb = new Float64Array(d)
  for (let j = 0; j < d; j++) {
    let s = 0
    for (let k = 0; k < d; k++) s += eig.vectors[k * d + j] * b[k]
    vb[j] = s
  }
  return {
    d,
    n,
    nVal: spec.nVal,
    nTest: spec.nTest,
    X: tr.X,
    y: tr.y,
    Xval: va.X,
    yval: va.y,
    Xtest: te.X,
    ytest: te.y,
    teacher,
    lambda: eig.values,
    V: eig.vectors,
    vb,
  }
}

/** w*(h) = Σ_j v_j·(v_jᵀb)/(λ_j + e^h), into `w`; `dw` (optional) gets dw* / dh = −e^h·Σ_j v_j·(v_jᵀb)/(λ_j + e^h)². */
export function bestResponse(D: RidgeData, h: number, w: Float64Array, dw?: Float64Array): void {
  const d = D.d
  const eh = Math.exp(h)
  w.fill(0)
  if (dw) dw.fill(0)
  for (let j = 0; j < d; j++) {
    const inv = 1 / (D.lambda[j] + eh)
    const cw = D.vb[j] * inv
    const cd = -eh * cw * inv
    for (let k = 0; k < d; k++) {
      const vkj = D.V[k * d + j]
      w[k] += cw * vkj
      if (dw) dw[k] += cd * vkj
    }
  }
}

/** mean_i (x_i·w − y_i)² over an m × d set. */
export function mse(X: Float64Array, y: Float64Array, m: number, d: number, w: Float64Array): number {
  let acc = 0
  for (let i = 0; i < m; i++) {
    let r = -y[i]
    const o = i * d
    for (let k = 0; k < d; k++) r += X[o + k] * w[k]
    acc += r * r
  }
  return acc / m
}

export function cosine(a: Float64Array, b: Float64Array): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let k = 0; k < a.length; k++) {
    ab += a[k] * b[k]
    aa += a[k] * a[k]
    bb += b[k] * b[k]
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0
}

/** The exact validation curve L_val(w*(h)) on h = hMin, hMin + step, …, hMax, and its argmin. */
export function exactValidationCurve(
  D: RidgeData,
  hMin: number,
  hMax: number,
  step: number,
): { h: Float64Array; val: Float64Array; hStar: number; valStar: number } {
  const count = Math.round((hMax - hMin) / step) + 1
  const h = new Float64Array(count)
  const val = new Float64Array(count)
  const w = new Float64Array(D.d)
  let best = 0
  for (let k = 0; k < count; k++) {
    h[k] = hMin + k * step
    bestResponse(D, h[k], w)
    val[k] = mse(D.Xval, D.yval, D.nVal, D.d, w)
    if (val[k] < val[best]) best = k
  }
  return { h, val, hStar: h[best], valStar: val[best] }
}

export interface SgdSettings {
  batch: number
  lr: number
  momentum: number
}

/**
 * Plain ridge at a fixed h, trained by minibatch SGD with heavy-ball momentum (PyTorch form:
 * buf ← momentum·buf + ∇, w ← w − lr·buf) from w = 0 on the per-example loss
 * (x_i·w − y_i)² + e^h·‖w‖², minibatches drawn with replacement. The protocol of every grid
 * point, every random-search run and the retraining at the STN's final h.
 */
export function trainRidgeSgd(D: RidgeData, h: number, steps: number, S: SgdSettings, rng: Rng): Float64Array {
  const d = D.d
  const w = new Float64Array(d)
  const buf = new Float64Array(d)
  const g = new Float64Array(d)
  const eh = Math.exp(h)
  const inv = 1 / S.batch
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < d; k++) g[k] = 2 * eh * w[k]
    for (let r = 0; r < S.batch; r++) {
      const i = rng.int(D.n)
      const o = i * d
      let res = -D.y[i]
      for (let k = 0; k < d; k++) res += D.X[o + k] * w[k]
      const c = 2 * inv * res
      for (let k = 0; k < d; k++) g[k] += c * D.X[o + k]
    }
    for (let k = 0; k < d; k++) {
      buf[k] = S.momentum * buf[k] + g[k]
      w[k] -= S.lr * buf[k]
    }
  }
  return w
}
