/**
 * LAME (Boudiaf et al., CVPR 2022, eq. (5)–(8); fiveai/LAME `src/adaptation/lame.py`): per batch,
 *   min_Y Σ_i KL(y_i ‖ p_i) − ½ Σ_ij W_ij y_iᵀ y_j,  y_i ∈ simplex,
 * solved by the concave-convex bound update y_i ← softmax(log p_i + Σ_j W_ij y_j) from Y = P.
 * Stateless across batches; the model is untouched.
 */
import { gemm } from '../../numeric/dense'
import { gemmSkipZeros } from '../../numeric/wasm-arena'
import { softmaxKernel, type SoftmaxKernel } from './softmaxWasm'

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
  /** the softmax rows' WebAssembly kernel, whose memory U, WY, Y and logY are views of; null: the JavaScript rows */
  kernel: SoftmaxKernel | null
}

export function lameWorkspace(maxN: number, K: number): LameWorkspace {
  const len = maxN * K
  const kernel = softmaxKernel(POW2_NEG_N32, 4 * len)
  // with the kernel, U, WY, Y and logY lie one after another in its memory, after its table
  const base = kernel ? POW2_NEG_N32_LEN : 0
  const mem = kernel ? kernel.f64 : new Float64Array(4 * len)
  return {
    W: new Float64Array(maxN * maxN),
    dist: new Float64Array(maxN * maxN),
    U: mem.subarray(base, base + len),
    WY: mem.subarray(base + len, base + 2 * len),
    Y: mem.subarray(base + 2 * len, base + 3 * len),
    logY: mem.subarray(base + 3 * len, base + 4 * len),
    order: new Int32Array(maxN),
    kernel,
  }
}

/**
 * Euclidean distances between the rows of X (N×d). Row i against four rows j at a time: four
 * independent running sums (each over c in order, as one pair at a time would add them), so the
 * adds of one sum do not wait on each other's latency.
 */
function pairwiseDistances(X: Float64Array, N: number, d: number, out: Float64Array): void {
  for (let i = 0; i < N; i++) {
    out[i * N + i] = 0
    const xi = i * d
    let j = i + 1
    for (; j + 3 < N; j += 4) {
      const x0 = j * d
      const x1 = x0 + d
      const x2 = x1 + d
      const x3 = x2 + d
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      for (let c = 0; c < d; c++) {
        const a = X[xi + c]
        const t0 = a - X[x0 + c]
        const t1 = a - X[x1 + c]
        const t2 = a - X[x2 + c]
        const t3 = a - X[x3 + c]
        s0 += t0 * t0
        s1 += t1 * t1
        s2 += t2 * t2
        s3 += t3 * t3
      }
      const r0 = Math.sqrt(s0)
      const r1 = Math.sqrt(s1)
      const r2 = Math.sqrt(s2)
      const r3 = Math.sqrt(s3)
      out[i * N + j] = r0
      out[j * N + i] = r0
      out[i * N + j + 1] = r1
      out[(j + 1) * N + i] = r1
      out[i * N + j + 2] = r2
      out[(j + 2) * N + i] = r2
      out[i * N + j + 3] = r3
      out[(j + 3) * N + i] = r3
    }
    for (; j < N; j++) {
      let s = 0
      for (let c = 0; c < d; c++) {
        const t = X[xi + c] - X[j * d + c]
        s += t * t
      }
      const r = Math.sqrt(s)
      out[i * N + j] = r
      out[j * N + i] = r
    }
  }
}

/**
 * The `count` nearest j ≠ i of row i into nearest[0 … count − 1], by distance ascending with ties
 * by index: the first `count` entries other than i of the order sortRow gives, kept in a sorted
 * buffer as j runs up (a later j never beats an equal distance).
 */
function nearestOthers(dist: Float64Array, i: number, N: number, count: number, nearest: Int32Array): void {
  if (count <= 0) return
  let n = 0
  for (let j = 0; j < N; j++) {
    if (j === i) continue
    const dj = dist[i * N + j]
    if (n === count && !(dj < dist[i * N + nearest[n - 1]])) continue
    // insert j after every entry with distance ≤ dj (those have smaller indices), dropping the last when full
    let b = n < count ? n++ : n - 1
    while (b > 0 && dist[i * N + nearest[b - 1]] > dj) {
      nearest[b] = nearest[b - 1]
      b--
    }
    nearest[b] = j
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
    // the k + 1 nearest counting self, self dropped: the nn − 1 nearest others
    const nn = Math.min(k + 1, N)
    for (let i = 0; i < N; i++) {
      nearestOthers(dist, i, N, nn - 1, order)
      for (let r = 0; r < nn - 1; r++) W[i * N + order[r]] = 1
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

/** The number of nonzero entries of W (N×N; a NaN counts). */
function countNonzeros(W: Float64Array, N: number): number {
  let q = 0
  for (let i = 0; i < N * N; i++) if (W[i] !== 0) q++
  return q
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

const LOG_CLIP = Math.log(1e-20)

// e^x for x ≤ 0 (expNonPositive), Tang's table method (ACM TOMS 15(2), 1989):
// x = (32m + j)·ln 2/32 + r with |r| ≤ ln 2/64, so e^x = 2^m · 2^{j/32} · e^r.
const INV_LN2_32 = 32 / Math.LN2
/** ln 2/32 in two parts (fdlibm's ln2_hi, ln2_lo over 32): k·LN2_32_HI is exact for |k| < 2^21. */
const LN2_32_HI = 6.93147180369123816490e-1 / 32
const LN2_32_LO = 1.90821492927058770002e-10 / 32
/** 1.5·2^52: (y + ROUND) − ROUND is y rounded to the nearest integer, for |y| < 2^51. */
const ROUND = 6755399441055744
/** 2^{j/32}, j = 0 … 31, correctly rounded (Python: float(Decimal(2) ** (Decimal(j) / 32)) at 60 digits; a unit test checks each one exactly). */
export const EXP2_J32 = Float64Array.of(
  1.0, 1.0218971486541166, 1.0442737824274138, 1.0671404006768237,
  1.0905077326652577, 1.1143867425958924, 1.1387886347566916, 1.1637248587775775,
  1.189207115002721, 1.215247359980469, 1.241857812073484, 1.2690509571917332,
  1.2968395546510096, 1.3252366431597413, 1.3542555469368927, 1.383909881963832,
  1.4142135623730951, 1.4451808069770467, 1.4768261459394993, 1.5091644275934228,
  1.5422108254079407, 1.5759808451078865, 1.6104903319492543, 1.645755478153965,
  1.681792830507429, 1.718619298122478, 1.7562521603732995, 1.7947090750031072,
  1.8340080864093424, 1.8741676341103, 1.9152065613971474, 1.9571441241754002,
)
/** 2^−m for m = 0 … 1023, by exact halvings. */
const POW2_NEG = new Float64Array(1024)
POW2_NEG[0] = 1
for (let m = 1; m < 1024; m++) POW2_NEG[m] = POW2_NEG[m - 1] / 2

/**
 * e^x for x ≤ 0: Tang's table-driven method with fdlibm's two-part ln 2, e^r − 1 by its Taylor
 * polynomial to degree 6 (the first omitted term, r^7/7!, is < 4e-18 at |r| ≤ ln 2/64), and an
 * exact scaling by 2^−m. Error 1.01 ulp at most against a 50-digit reference on 60 000 points of
 * [−700, 0] (V8's Math.exp: 0.81); the two agree exactly on 73% of them and never differ by more
 * than 1 ulp. About 1.7× faster than Math.exp, a call TurboFan cannot inline: the softmax of the
 * CCCP loop spends most of its time here. Outside [−700, 0] (and for NaN) it is Math.exp.
 */
export function expNonPositive(x: number): number {
  if (!(x <= 0 && x >= -700)) return Math.exp(x)
  const kf = x * INV_LN2_32 + ROUND - ROUND // k = j − 32m with 0 ≤ j < 32, m ≥ 0 (|k| ≤ 32 322)
  const r = x - kf * LN2_32_HI - kf * LN2_32_LO
  const k = kf | 0
  const j = k & 31
  const t = EXP2_J32[j]
  const p = r + r * r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))))
  return (t + t * p) * POW2_NEG[(j - k) >> 5]
}

/** 2^{−n/32} for n = 0 … 2047: EXP2_J32[j]·2^−m with n = 32m − j (exact products). */
const POW2_NEG_N32_LEN = 2048
const POW2_NEG_N32 = new Float64Array(POW2_NEG_N32_LEN)
for (let n = 0; n < POW2_NEG_N32_LEN; n++) POW2_NEG_N32[n] = EXP2_J32[-n & 31] * POW2_NEG[(n + 31) >> 5]

/**
 * expNonPositive for x in [−44, 0], bit for bit, with the range test and the two-table scaling
 * folded away: with k = j − 32m, (t + t·p)·2^−m = t′ + t′·p for t′ = t·2^−m = 2^{k/32} (the
 * scaling by a power of two commutes with rounding while nothing is subnormal, and e^−44 is far
 * from it); −k ≤ round(44·32/ln 2) = 2031 indexes POW2_NEG_N32. The caller checks the range.
 */
export function expNear(x: number): number {
  const kf = x * INV_LN2_32 + ROUND - ROUND
  const r = x - kf * LN2_32_HI - kf * LN2_32_LO
  const t = POW2_NEG_N32[-kf]
  const p = r + r * r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120 + r * (1 / 720)))))
  return t + t * p
}

/**
 * Row-wise softmax of −U + A (A = ws.WY) into ws.Y, with max-subtraction, and log Y = (a − m) −
 * log Σe^{a − m} into ws.logY (clipped at log(1e-20) like the energy's log(max(y, 1e-20))): one
 * log per row instead of one per entry. A row whose logits span at most 44 (max − min; the usual
 * case: U is at most −log 1e-10 ≈ 23) takes its exponentials by expNear, the others by
 * expNonPositive: the same values either way. With WebAssembly SIMD a row goes to the
 * workspace's kernel (softmaxWasm.ts), the same operations two entries at a time; the rows it
 * declines (a NaN, a zero max, a span over 44) run the loops here. Returns false when some row
 * of Y holds a NaN. Exported for the tests.
 */
export function lameSoftmaxRows(ws: LameWorkspace, N: number, K: number): boolean {
  const { U, WY: A, Y, logY, kernel } = ws
  let finite = true
  for (let i = 0; i < N; i++) {
    const o = i * K
    // the kernel's row (softmaxWasm.ts: these loops two entries per f64x2, the same bits), or −1
    // for a row with a NaN or a span over 44, which the loops below then take from the start
    if (kernel) {
      const s = kernel.rowExp(U.byteOffset + 8 * o, A.byteOffset + 8 * o, Y.byteOffset + 8 * o, logY.byteOffset + 8 * o, K)
      if (s >= 0) {
        kernel.rowFinish(Y.byteOffset + 8 * o, logY.byteOffset + 8 * o, K, s, Math.log(s))
        continue
      }
    }
    let m = -Infinity
    let lo = Infinity
    for (let k = 0; k < K; k++) {
      const e = -U[o + k] + A[o + k]
      logY[o + k] = e
      if (e > m) m = e
      if (e < lo) lo = e
    }
    let s = 0
    // every finite t = e − m then lies in [−44, 0] (rounding is monotone); a NaN e is skipped by
    // both tests above and gives t = NaN, for which expNear returns NaN (its table read is
    // undefined) as Math.exp does; infinite logits make m − lo infinite or NaN: the checked path
    if (m - lo <= 44) {
      for (let k = 0; k < K; k++) {
        const t = logY[o + k] - m
        logY[o + k] = t
        const e = expNear(t)
        Y[o + k] = e
        s += e
      }
    } else {
      for (let k = 0; k < K; k++) {
        const t = logY[o + k] - m
        logY[o + k] = t
        const e = expNonPositive(t)
        Y[o + k] = e
        s += e
      }
    }
    // each e is in [0, 1] or NaN and the max's is 1: s ≥ 1 unless NaN, and Y's row is finite iff s is
    if (s !== s) finite = false
    const logS = Math.log(s)
    for (let k = 0; k < K; k++) {
      Y[o + k] /= s
      const l = logY[o + k] - logS
      logY[o + k] = l > LOG_CLIP ? l : LOG_CLIP
    }
  }
  return finite
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
  const { W, Y, U, WY } = ws
  for (let i = 0; i < N * K; i++) U[i] = -Math.log(P[i] + 1e-10)
  // Y = softmax(−U): the bound update with W·Y = 0
  WY.fill(0, 0, N * K)
  let finite = lameSoftmaxRows(ws, N, K)
  // W·Y: each entry Σ_j W_ij·Y_jk summed from +0 over j ascending, by the numeric core's gemm (the
  // packed SIMD kernel at 16×16·16×100) or, when W is at most half full (kNN: k of N per row), by
  // its gemmSkipZeros, which drops the terms with W_ij = 0: the same bits while Y is finite (a
  // term 0·Y_jk is then ±0, which leaves a sum started from +0 unchanged; see that file's
  // header). A row of Y with a NaN (0·NaN = NaN) takes the gemm, as before.
  const sparse = 2 * countNonzeros(W, N) <= N * N
  const product = (): void => {
    if (sparse && finite) gemmSkipZeros(N, K, N, 1, W, 0, N, 1, Y, 0, K, 1, WY, 0, K, true)
    else gemm(false, false, N, K, N, 1, W, Y, 0, WY)
  }
  product()
  let oldE = Infinity
  let first = NaN
  let E = NaN
  let increases = 0
  const trace: number[] | undefined = keepTrace ? [] : undefined
  let it = 0
  for (let i = 0; i < maxIter; i++) {
    finite = lameSoftmaxRows(ws, N, K)
    // W·Y of the new Y: the energy's, and the next bound update's
    product()
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
