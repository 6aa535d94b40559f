/**
 * LAME (Boudiaf et al., CVPR 2022, eq. (5)–(8); fiveai/LAME `src/adaptation/lame.py`): per batch,
 *   min_Y Σ_i KL(y_i ‖ p_i) − ½ Σ_ij W_ij y_iᵀ y_j,  y_i ∈ simplex,
 * solved by the concave-convex bound update y_i ← softmax(log p_i + Σ_j W_ij y_j) from Y = P.
 * Stateless across batches; the model is untouched.
 */

export type Affinity = 'knn' | 'rbf'

export interface LameWorkspace {
  W: Float64Array
  dist: Float64Array
  Y: Float64Array
  U: Float64Array
  WY: Float64Array
  /** log Y, clipped at log(1e-20), from the softmax that formed Y (for the energy) */
  logY: Float64Array
  order: Int32Array
}

export function lameWorkspace(maxN: number, K: number): LameWorkspace {
  return {
    W: new Float64Array(maxN * maxN),
    dist: new Float64Array(maxN * maxN),
    Y: new Float64Array(maxN * K),
    U: new Float64Array(maxN * K),
    WY: new Float64Array(maxN * K),
    logY: new Float64Array(maxN * K),
    order: new Int32Array(maxN),
  }
}

/** Euclidean distances between the rows of X (N×d). */
function pairwiseDistances(X: Float64Array, N: number, d: number, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    out[i * N + i] = 0
    for (let j = i + 1; j < N; j++) {
      let s = 0
      for (let c = 0; c < d; c++) {
        const t = X[i * d + c] - X[j * d + c]
        s += t * t
      }
      const r = Math.sqrt(s)
      out[i * N + j] = r
      out[j * N + i] = r
    }
  }
}

/** Indices of row i sorted by distance ascending, ties by index (torch.topk's order is unspecified). */
function sortRow(dist: Float64Array, i: number, N: number, order: Int32Array): void {
  for (let j = 0; j < N; j++) order[j] = j
  // insertion sort: N ≤ 128
  for (let a = 1; a < N; a++) {
    const v = order[a]
    const dv = dist[i * N + v]
    let b = a - 1
    while (b >= 0) {
      const u = order[b]
      const du = dist[i * N + u]
      if (du > dv || (du === dv && u > v)) {
        order[b + 1] = u
        b--
      } else break
    }
    order[b + 1] = v
  }
}

/**
 * The affinity of `lame.py` on L2-normalised features X (N×d):
 * knn: W_ij = 1 for the k nearest j ≠ i (the nearest of the k+1, self, dropped); not symmetric.
 * rbf: σ = mean over i of the distance to the k-th neighbour counting self; W = exp(−d²/2σ²), diagonal included.
 */
export function buildAffinity(ws: LameWorkspace, X: Float64Array, N: number, d: number, affinity: Affinity, k: number, symmetrise: boolean): void {
  const { W, dist, order } = ws
  pairwiseDistances(X, N, d, dist)
  W.fill(0, 0, N * N)
  if (affinity === 'knn') {
    const nn = Math.min(k + 1, N)
    for (let i = 0; i < N; i++) {
      sortRow(dist, i, N, order)
      // order[0] is i itself (distance 0, smallest index among exact duplicates aside)
      let taken = 0
      for (let r = 0; r < N && taken < nn - 1; r++) {
        if (order[r] === i) continue
        W[i * N + order[r]] = 1
        taken++
      }
    }
  } else {
    const nn = Math.min(k, N)
    let sigma = 0
    for (let i = 0; i < N; i++) {
      sortRow(dist, i, N, order)
      sigma += dist[i * N + order[nn - 1]]
    }
    sigma /= N
    const s2 = 2 * sigma * sigma
    for (let i = 0; i < N * N; i++) W[i] = Math.exp(-(dist[i] * dist[i]) / s2)
  }
  if (symmetrise) {
    for (let i = 0; i < N; i++)
      for (let j = i + 1; j < N; j++) {
        const v = 0.5 * (W[i * N + j] + W[j * N + i])
        W[i * N + j] = v
        W[j * N + i] = v
      }
  }
}

/**
 * E = Σ[U ⊙ Y − (WY) ⊙ Y + Y ⊙ log Y] (`entropy_energy` of lame.py, log clipped at 1e-20), with
 * ws.WY = W·Y and ws.logY already formed for the current Y.
 */
function lameEnergy(ws: LameWorkspace, N: number, K: number): number {
  const { Y, U, WY, logY } = ws
  let E = 0
  for (let i = 0; i < N * K; i++) {
    const y = Y[i]
    E += U[i] * y - WY[i] * y + y * logY[i]
  }
  return E
}

/**
 * out = W·Y. Row i is Σ_j W_ij·Y_j over the non-zero W_ij in order of j (the same sums as
 * row-by-row axpys), four neighbours per sweep of the output row.
 */
function multiplyWY(W: Float64Array, Y: Float64Array, N: number, K: number, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const oi = i * K
    out.fill(0, oi, oi + K)
    let j = 0
    for (;;) {
      // the next four neighbours j0 < j1 < j2 < j3 with W_ij ≠ 0 (fewer at the end of the row)
      while (j < N && W[i * N + j] === 0) j++
      if (j >= N) break
      const j0 = j++
      while (j < N && W[i * N + j] === 0) j++
      if (j >= N) {
        axpyRow(out, oi, W[i * N + j0], Y, j0 * K, K)
        break
      }
      const j1 = j++
      while (j < N && W[i * N + j] === 0) j++
      if (j >= N) {
        axpyRow(out, oi, W[i * N + j0], Y, j0 * K, K)
        axpyRow(out, oi, W[i * N + j1], Y, j1 * K, K)
        break
      }
      const j2 = j++
      while (j < N && W[i * N + j] === 0) j++
      if (j >= N) {
        axpyRow(out, oi, W[i * N + j0], Y, j0 * K, K)
        axpyRow(out, oi, W[i * N + j1], Y, j1 * K, K)
        axpyRow(out, oi, W[i * N + j2], Y, j2 * K, K)
        break
      }
      const j3 = j++
      const w0 = W[i * N + j0]
      const w1 = W[i * N + j1]
      const w2 = W[i * N + j2]
      const w3 = W[i * N + j3]
      const y0 = j0 * K
      const y1 = j1 * K
      const y2 = j2 * K
      const y3 = j3 * K
      for (let k = 0; k < K; k++) {
        let v = out[oi + k]
        v += w0 * Y[y0 + k]
        v += w1 * Y[y1 + k]
        v += w2 * Y[y2 + k]
        v += w3 * Y[y3 + k]
        out[oi + k] = v
      }
    }
  }
}

function axpyRow(out: Float64Array, oi: number, w: number, Y: Float64Array, yo: number, K: number): void {
  for (let k = 0; k < K; k++) out[oi + k] += w * Y[yo + k]
}

const LOG_CLIP = Math.log(1e-20)

/**
 * Row-wise softmax of −U + A into Y, with max-subtraction, and log Y = (a − m) − log Σe^{a − m}
 * into logY (clipped at log(1e-20) like the energy's log(max(y, 1e-20))): one log per row
 * instead of one per entry.
 */
function softmaxRows(U: Float64Array, A: Float64Array | null, N: number, K: number, Y: Float64Array, logY: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const o = i * K
    let m = -Infinity
    for (let k = 0; k < K; k++) {
      const e = -U[o + k] + (A ? A[o + k] : 0)
      logY[o + k] = e
      if (e > m) m = e
    }
    let s = 0
    for (let k = 0; k < K; k++) {
      const t = logY[o + k] - m
      logY[o + k] = t
      const e = Math.exp(t)
      Y[o + k] = e
      s += e
    }
    const logS = Math.log(s)
    for (let k = 0; k < K; k++) {
      Y[o + k] /= s
      const l = logY[o + k] - logS
      logY[o + k] = l > LOG_CLIP ? l : LOG_CLIP
    }
  }
}

export interface LameResult {
  iterations: number
  energyFirst: number
  energyLast: number
  energyIncreases: number
  /** the whole energy trace, when asked for */
  trace?: number[]
}

/**
 * `laplacian_optimization` of lame.py: U = −log(p + 1e-10), Y = softmax(−U); then for i = 0, 1, …:
 * Y ← softmax(−U + W Y), E = energy(Y); stop when i > 1 and |E − E_old| ≤ tol·|E_old|, or after maxIter.
 * `P` is the batch's probabilities (N×K); the solution is left in ws.Y. W must already be built.
 */
export function lameSolve(ws: LameWorkspace, P: Float64Array, N: number, K: number, maxIter: number, tol: number, keepTrace = false): LameResult {
  const { W, Y, U, WY, logY } = ws
  for (let i = 0; i < N * K; i++) U[i] = -Math.log(P[i] + 1e-10)
  softmaxRows(U, null, N, K, Y, logY)
  multiplyWY(W, Y, N, K, WY)
  let oldE = Infinity
  let first = NaN
  let E = NaN
  let increases = 0
  const trace: number[] | undefined = keepTrace ? [] : undefined
  let it = 0
  for (let i = 0; i < maxIter; i++) {
    softmaxRows(U, WY, N, K, Y, logY)
    // W·Y of the new Y: the energy's, and the next bound update's
    multiplyWY(W, Y, N, K, WY)
    E = lameEnergy(ws, N, K)
    trace?.push(E)
    if (i === 0) first = E
    else if (E > oldE) increases++
    it = i + 1
    if (i > 1 && Math.abs(E - oldE) <= tol * Math.abs(oldE)) break
    oldE = E
  }
  return { iterations: it, energyFirst: first, energyLast: E, energyIncreases: increases, trace }
}
