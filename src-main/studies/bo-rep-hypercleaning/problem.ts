/**
 * Linear hyper-cleaning (this study's construction, spec "Problem and data"):
 * upper variable x ∈ ℝⁿ (per-sample logits, weight σ(x_i)), lower variable y ∈ ℝ^{d+1}
 * (a logistic classifier with a bias feature),
 *
 *   g(x, y) = (1/n)·Σ_i σ(x_i)·CE_i(y) + (μ/2)‖y‖²,   CE_i(y) = log(1 + exp(−s_i·a_iᵀy)),
 *   f(y)    = (1/n_v)·Σ_j CE_j^val(y),
 *
 * with labels s ∈ {−1, +1}. All minibatch oracles are fused loops over the row-major design
 * matrices and write into caller-owned buffers (no allocation).
 */
import type { Rng } from '../../numeric/rng'

export interface HypercleaningData {
  /** features per sample, including the bias feature (d + 1) */
  p: number
  n: number
  nVal: number
  nTest: number
  /** n × p training inputs (last column 1) */
  A: Float64Array
  /** observed training labels ±1, after the flips */
  s: Float64Array
  /** 1 where the training label was flipped */
  noisy: Uint8Array
  Aval: Float64Array
  sval: Float64Array
  Atest: Float64Array
  stest: Float64Array
  /** max_i ‖a_i‖² over the training inputs (the Neumann scale C = max‖a_i‖²/4 + μ) */
  maxRowNormSq: number
  teacher: Float64Array
}

export interface DataSpec {
  d: number
  teacherScale: number
  nTrain: number
  nVal: number
  nTest: number
  noiseRate: number
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z))
}

/** log(1 + e^{−m}) without overflow. */
export function logistic(m: number): number {
  return m > 0 ? Math.log1p(Math.exp(-m)) : -m + Math.log1p(Math.exp(m))
}

/**
 * Draw the data from the "data" stream, in this order: teacher w ~ N(0, I_d)/‖·‖ (unit norm),
 * then the training, validation and test inputs a ~ N(0, I_d) with labels
 * b ~ Bernoulli(σ(teacherScale·aᵀw)), then the flipped set: round(noiseRate·n) training indices
 * chosen uniformly without replacement, flipped once and for all.
 */
export function makeData(spec: DataSpec, rng: Rng): HypercleaningData {
  const { d } = spec
  const p = d + 1
  const teacher = new Float64Array(d)
  rng.fillNormal(teacher)
  let tn = 0
  for (let k = 0; k < d; k++) tn += teacher[k] * teacher[k]
  tn = Math.sqrt(tn)
  for (let k = 0; k < d; k++) teacher[k] /= tn
  const draw = (m: number): { A: Float64Array; s: Float64Array } => {
    const A = new Float64Array(m * p)
    const s = new Float64Array(m)
    for (let i = 0; i < m; i++) {
      let z = 0
      for (let k = 0; k < d; k++) {
        const v = rng.normal()
        A[i * p + k] = v
        z += v * teacher[k]
      }
      A[i * p + d] = 1
      s[i] = rng.uniform() < sigmoid(spec.teacherScale * z) ? 1 : -1
    }
    return { A, s }
  }
  const tr = draw(spec.nTrain)
  const va = draw(spec.nVal)
  const te = draw(spec.nTest)
  const noisy = new Uint8Array(spec.nTrain)
  const perm = rng.permutation(spec.nTrain)
  const nFlip = Math.round(spec.noiseRate * spec.nTrain)
  for (let r = 0; r < nFlip; r++) {
    noisy[perm[r]] = 1
    tr.s[perm[r]] = -tr.s[perm[r]]
  }
  let maxRowNormSq = 0
  for (let i = 0; i < spec.nTrain; i++) {
    let q = 0
    for (let k = 0; k < p; k++) q += tr.A[i * p + k] * tr.A[i * p + k]
    if (q > maxRowNormSq) maxRowNormSq = q
  }
  return {
    p,
    n: spec.nTrain,
    nVal: spec.nVal,
    nTest: spec.nTest,
    A: tr.A,
    s: tr.s,
    noisy,
    Aval: va.A,
    sval: va.s,
    Atest: te.A,
    stest: te.s,
    maxRowNormSq,
    teacher,
  }
}

function rowDot(A: Float64Array, i: number, p: number, y: Float64Array): number {
  let z = 0
  const o = i * p
  for (let k = 0; k < p; k++) z += A[o + k] * y[k]
  return z
}

/**
 * Minibatch lower-level gradient ∇_y g(x, y; B) = (1/|B|)·Σ_{i∈B} σ(x_i)·∇CE_i(y) + μ·y,
 * ∇CE_i(y) = −s_i·σ(−s_i·a_iᵀy)·a_i.
 */
export function lowerGrad(
  D: HypercleaningData,
  x: Float64Array,
  y: Float64Array,
  idx: Int32Array,
  B: number,
  mu: number,
  out: Float64Array,
): void {
  const p = D.p
  for (let k = 0; k < p; k++) out[k] = mu * y[k]
  const inv = 1 / B
  for (let r = 0; r < B; r++) {
    const i = idx[r]
    const si = D.s[i]
    const c = -inv * sigmoid(x[i]) * si * sigmoid(-si * rowDot(D.A, i, p, y))
    const o = i * p
    for (let k = 0; k < p; k++) out[k] += c * D.A[o + k]
  }
}

/**
 * Minibatch Hessian-vector product ∇²_yy g(x, y; B)·v
 *   = (1/|B|)·Σ_{i∈B} σ(x_i)·π_i(1 − π_i)·(a_iᵀv)·a_i + μ·v,   π_i = σ(a_iᵀy).
 */
export function lowerHvp(
  D: HypercleaningData,
  x: Float64Array,
  y: Float64Array,
  idx: Int32Array,
  B: number,
  mu: number,
  v: Float64Array,
  out: Float64Array,
): void {
  const p = D.p
  for (let k = 0; k < p; k++) out[k] = mu * v[k]
  const inv = 1 / B
  for (let r = 0; r < B; r++) {
    const i = idx[r]
    const o = i * p
    let z = 0
    let av = 0
    for (let k = 0; k < p; k++) {
      z += D.A[o + k] * y[k]
      av += D.A[o + k] * v[k]
    }
    const pi = sigmoid(z)
    const c = inv * sigmoid(x[i]) * pi * (1 - pi) * av
    for (let k = 0; k < p; k++) out[k] += c * D.A[o + k]
  }
}

/** Minibatch validation gradient ∇_y f(y; B) = (1/|B|)·Σ_{j∈B} ∇CE_j^val(y). */
export function valGrad(D: HypercleaningData, y: Float64Array, idx: Int32Array, B: number, out: Float64Array): void {
  const p = D.p
  out.fill(0, 0, p)
  const inv = 1 / B
  for (let r = 0; r < B; r++) {
    const j = idx[r]
    const sj = D.sval[j]
    const c = -inv * sj * sigmoid(-sj * rowDot(D.Aval, j, p, y))
    const o = j * p
    for (let k = 0; k < p; k++) out[k] += c * D.Aval[o + k]
  }
}

/**
 * The Jacobian-vector product −∇²_xy g·v on a minibatch, scattered to the sampled indices with
 * the n/|B| scaling (spec "Sparse hypergradient"): for i ∈ B,
 *   ĝ_i += (n/|B|)·(−(1/n)·σ'(x_i)·∇CE_i(y)ᵀv) = (1/|B|)·σ'(x_i)·s_i·σ(−s_i a_iᵀy)·(a_iᵀv).
 * `out` must be zeroed by the caller; a sample drawn twice contributes twice.
 */
export function scatterHypergrad(
  D: HypercleaningData,
  x: Float64Array,
  y: Float64Array,
  v: Float64Array,
  idx: Int32Array,
  B: number,
  out: Float64Array,
): void {
  const p = D.p
  const inv = 1 / B
  for (let r = 0; r < B; r++) {
    const i = idx[r]
    const o = i * p
    let z = 0
    let av = 0
    for (let k = 0; k < p; k++) {
      z += D.A[o + k] * y[k]
      av += D.A[o + k] * v[k]
    }
    const w = sigmoid(x[i])
    const si = D.s[i]
    out[i] += inv * w * (1 - w) * si * sigmoid(-si * z) * av
  }
}

/** Mean cross-entropy of y on a set (the validation loss f when given the validation set). */
export function meanCrossEntropy(A: Float64Array, s: Float64Array, m: number, p: number, y: Float64Array): number {
  let acc = 0
  for (let j = 0; j < m; j++) acc += logistic(s[j] * rowDot(A, j, p, y))
  return acc / m
}

/** Fraction of samples with s·aᵀy > 0. */
export function accuracy(A: Float64Array, s: Float64Array, m: number, p: number, y: Float64Array): number {
  let hit = 0
  for (let j = 0; j < m; j++) if (s[j] * rowDot(A, j, p, y) > 0) hit++
  return hit / m
}

/**
 * AUC of the weights for "clean > noisy": P(x_clean > x_noisy) + ½·P(tie) over all clean/noisy
 * pairs (σ is monotone, so logits rank as weights do). Rank-sum form; `order` is scratch.
 */
export function weightAuc(x: Float64Array, noisy: Uint8Array, order: Int32Array): number {
  const n = x.length
  for (let i = 0; i < n; i++) order[i] = i
  order.sort((a, b) => x[a] - x[b])
  let nClean = 0
  let rankSumClean = 0
  let r = 0
  while (r < n) {
    let e = r
    while (e + 1 < n && x[order[e + 1]] === x[order[r]]) e++
    const midRank = (r + e) / 2 + 1
    for (let q = r; q <= e; q++) {
      if (!noisy[order[q]]) {
        nClean++
        rankSumClean += midRank
      }
    }
    r = e + 1
  }
  const nNoisy = n - nClean
  if (nClean === 0 || nNoisy === 0) return NaN
  return (rankSumClean - (nClean * (nClean + 1)) / 2) / (nClean * nNoisy)
}

/**
 * The final refit (spec "Evaluation"): `steps` full-batch gradient steps with step 1/L on
 *   G(y) = (1/Σ_i c_i)·Σ_i c_i·w_i·CE_i(y) + (μ/2)‖y‖²,
 * from y = 0, where c_i ∈ {0, 1} selects the samples (all, or the clean ones for the oracle) and
 * w_i are the weights, stopping early once ‖∇G‖ ≤ 1e-10. L = λ_max(AᵀA/4·(1/Σc)) + μ bounds the Hessian because w_i ≤ 1 and
 * π(1−π) ≤ ¼; `lambdaMaxGram` is λ_max(Σ_{c_i=1} a_i a_iᵀ / Σc). Deterministic. Returns y.
 */
export function refit(
  D: HypercleaningData,
  weights: Float64Array,
  select: Uint8Array | null,
  lambdaMaxGram: number,
  mu: number,
  steps: number,
): Float64Array {
  const p = D.p
  const y = new Float64Array(p)
  const grad = new Float64Array(p)
  let m = 0
  for (let i = 0; i < D.n; i++) if (!select || select[i]) m++
  const step = 1 / (0.25 * lambdaMaxGram + mu)
  for (let t = 0; t < steps; t++) {
    for (let k = 0; k < p; k++) grad[k] = mu * y[k]
    for (let i = 0; i < D.n; i++) {
      if (select && !select[i]) continue
      const si = D.s[i]
      const c = (-weights[i] * si * sigmoid(-si * rowDot(D.A, i, p, y))) / m
      const o = i * p
      for (let k = 0; k < p; k++) grad[k] += c * D.A[o + k]
    }
    let gg = 0
    for (let k = 0; k < p; k++) {
      gg += grad[k] * grad[k]
      y[k] -= step * grad[k]
    }
    // Stop once converged to round-off (‖∇G‖ ≤ 1e-10): the remaining steps would not move y.
    if (gg <= 1e-20) break
  }
  return y
}

/** Σ_{selected} a_i a_iᵀ / #selected (p × p), for the refit's step size. */
export function gram(D: HypercleaningData, select: Uint8Array | null): Float64Array {
  const p = D.p
  const G = new Float64Array(p * p)
  let m = 0
  for (let i = 0; i < D.n; i++) {
    if (select && !select[i]) continue
    m++
    const o = i * p
    for (let a = 0; a < p; a++) {
      const va = D.A[o + a]
      for (let b = 0; b < p; b++) G[a * p + b] += va * D.A[o + b]
    }
  }
  for (let k = 0; k < p * p; k++) G[k] /= m
  return G
}
