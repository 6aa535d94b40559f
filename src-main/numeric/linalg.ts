/**
 * Dense decompositions and solves on row-major Float64Array, written for float64 accuracy.
 *
 * Choices (see README.md for the measurements behind them):
 * - symEig: Householder tridiagonalisation + implicit QL with Wilkinson shifts (EISPACK
 *   tred2/tql2, as in JAMA), run on the transposed eigenvector matrix so every inner loop is
 *   contiguous in row-major storage. Backward stable: |λ̂ − λ| ≲ n·eps·‖A‖₂.
 * - svd: one-sided Jacobi (Hestenes 1958; Demmel & Veselić 1992), after a Householder QR when
 *   m > n. Orthogonality to ~n·eps and singular values to high relative accuracy.
 * - cholesky, LU with partial pivoting, Householder QR: textbook row-oriented kernels
 *   (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 4.2.1, 3.4.1, 5.2.1).
 */
import { dotAt, eye, gemm, gemmStrided, syrk, transpose } from './dense'
import { wasmScratch, wasmSimdKernel } from './wasm-simd'

const EPS = 2 ** -52

/** sqrt(a² + b²) without destructive overflow or underflow (Math.hypot is slow in V8). */
function hypot(a: number, b: number): number {
  const x = Math.abs(a)
  const y = Math.abs(b)
  if (x > y) {
    const r = y / x
    return x * Math.sqrt(1 + r * r)
  }
  if (y === 0) return 0
  const r = x / y
  return y * Math.sqrt(1 + r * r)
}

function checkSquare(name: string, A: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${name}: n must be a non-negative integer, got ${n}`)
  if (A.length < n * n) throw new RangeError(`${name}: array of length ${A.length} is too short for ${n}×${n}`)
}

function checkShape(name: string, A: Float64Array, m: number, n: number): void {
  if (!Number.isInteger(m) || !Number.isInteger(n) || m < 0 || n < 0) {
    throw new RangeError(`${name}: shape ${m}×${n} is not a pair of non-negative integers`)
  }
  if (A.length < m * n) throw new RangeError(`${name}: array of length ${A.length} is too short for ${m}×${n}`)
}

export interface SymEig {
  /** Eigenvalues in ascending order. */
  values: Float64Array
  /** n×n row-major; column j is the unit eigenvector of values[j]. */
  vectors: Float64Array
}

/**
 * Householder reduction of the symmetric matrix held in W (n×n) to tridiagonal form: EISPACK
 * tred2 as transcribed in JAMA, with every V[a][b] of the original read as W[b·n + a], so that
 * W ends as the transpose of the accumulated orthogonal matrix (row j = column j of Q). Writes
 * the diagonal to d and the subdiagonal to e[1..n-1]. With `vectors = false` the accumulation is
 * skipped and W is left as scratch. (symEig's wasm path runs this whole function as
 * wasm-simd.ts `tred2`, bit-identical.)
 */
function tridiagonalise(W: Float64Array, n: number, d: Float64Array, e: Float64Array, vectors: boolean): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1]
  for (let i = n - 1; i > 0; i--) {
    let scale = 0
    let h = 0
    for (let k = 0; k < i; k++) scale += Math.abs(d[k])
    if (scale === 0) {
      e[i] = d[i - 1]
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1]
        W[j * n + i] = 0
        W[i * n + j] = 0
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale
        h += d[k] * d[k]
      }
      let f = d[i - 1]
      let g = Math.sqrt(h)
      if (f > 0) g = -g
      e[i] = scale * g
      h -= f * g
      d[i - 1] = f - g
      for (let j = 0; j < i; j++) e[j] = 0
      // e = A·u over the lower triangle (symv). Each row's dot product g is one running sum, so
      // a row alone waits on the adder's latency; two rows at a time run two independent sums.
      // Every g and every e[k] still gets the same additions in the same order (row j's before
      // row j + 1's), so the result is bit-identical to one row at a time.
      let j2 = 0
      for (; j2 + 3 < i; j2 += 4) {
        // Four rows: rows j2+1.. start once the earlier rows have added into their e entry.
        const f0 = d[j2]
        const f1 = d[j2 + 1]
        const f2 = d[j2 + 2]
        const f3 = d[j2 + 3]
        const wi = i * n + j2
        W[wi] = f0
        W[wi + 1] = f1
        W[wi + 2] = f2
        W[wi + 3] = f3
        const w0 = j2 * n
        const w1 = w0 + n
        const w2 = w1 + n
        const w3 = w2 + n
        let k = j2 + 1
        let g0 = e[j2] + W[w0 + j2] * f0
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        let g1 = e[k] + W[w1 + k] * f1
        k++
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        g1 += W[w1 + k] * d[k]
        e[k] += W[w1 + k] * f1
        let g2 = e[k] + W[w2 + k] * f2
        k++
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        g1 += W[w1 + k] * d[k]
        e[k] += W[w1 + k] * f1
        g2 += W[w2 + k] * d[k]
        e[k] += W[w2 + k] * f2
        let g3 = e[k] + W[w3 + k] * f3
        for (k++; k <= i - 1; k++) {
          const a0 = W[w0 + k]
          const a1 = W[w1 + k]
          const a2 = W[w2 + k]
          const a3 = W[w3 + k]
          const dk = d[k]
          g0 += a0 * dk
          g1 += a1 * dk
          g2 += a2 * dk
          g3 += a3 * dk
          e[k] = e[k] + a0 * f0 + a1 * f1 + a2 * f2 + a3 * f3
        }
        e[j2] = g0
        e[j2 + 1] = g1
        e[j2 + 2] = g2
        e[j2 + 3] = g3
      }
      for (; j2 + 1 < i; j2 += 2) {
        const f0 = d[j2]
        const f1 = d[j2 + 1]
        W[i * n + j2] = f0
        W[i * n + j2 + 1] = f1
        const w0 = j2 * n
        const w1 = w0 + n
        let g0 = e[j2] + W[w0 + j2] * f0
        g0 += W[w0 + j2 + 1] * d[j2 + 1]
        e[j2 + 1] += W[w0 + j2 + 1] * f0
        let g1 = e[j2 + 1] + W[w1 + j2 + 1] * f1
        for (let k = j2 + 2; k <= i - 1; k++) {
          const a = W[w0 + k]
          const b = W[w1 + k]
          const dk = d[k]
          g0 += a * dk
          g1 += b * dk
          e[k] += a * f0
          e[k] += b * f1
        }
        e[j2] = g0
        e[j2 + 1] = g1
      }
      for (let j = j2; j < i; j++) {
        f = d[j]
        W[i * n + j] = f
        const wj = j * n
        g = e[j] + W[wj + j] * f
        for (let k = j + 1; k <= i - 1; k++) {
          g += W[wj + k] * d[k]
          e[k] += W[wj + k] * f
        }
        e[j] = g
      }
      f = 0
      for (let j = 0; j < i; j++) {
        e[j] /= h
        f += e[j] * d[j]
      }
      const hh = f / (h + h)
      for (let j = 0; j < i; j++) e[j] -= hh * d[j]
      for (let j = 0; j < i; j++) {
        f = d[j]
        g = e[j]
        const wj = j * n
        for (let k = j; k <= i - 1; k++) W[wj + k] -= f * e[k] + g * d[k]
        d[j] = W[wj + i - 1]
        W[wj + i] = 0
      }
    }
    d[i] = h
  }
  if (!vectors) {
    // The tridiagonal's diagonal sits on W's diagonal after the reduction (tred2 keeps it there).
    for (let i = 0; i < n; i++) d[i] = W[i * n + i]
    e[0] = 0
    return
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i]
    W[i * n + i] = 1
    const h = d[i + 1]
    const wi1 = (i + 1) * n
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[wi1 + k] / h
      for (let j = 0; j <= i; j++) {
        const wj = j * n
        const g = dotAt(W, wi1, W, wj, i + 1)
        for (let k = 0; k <= i; k++) W[wj + k] -= g * d[k]
      }
    }
    for (let k = 0; k <= i; k++) W[wi1 + k] = 0
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1]
    W[j * n + n - 1] = 0
  }
  W[n * n - 1] = 1
  e[0] = 0
}

/**
 * Implicit QL with Wilkinson shifts on the tridiagonal (d, e): EISPACK tql2 via JAMA. Rotations
 * are applied to rows of W (eigenvectors as rows) when `vectors` is set. Leaves eigenvalues in d
 * (unsorted).
 */
/**
 * The whole QL loop in wasm (wasm-simd.ts `ql`) on W, d and e held in wasm memory: `run`
 * returns where it stopped (n: done; l < n: resume the loop below at l; n + 1 + l: eigenvalue l
 * did not converge) and leaves the running f and tst1 in `state`.
 */
type QlKernel = { run: (negligible: number) => number; state: Float64Array }

function tridiagonalQL(W: Float64Array, n: number, d: Float64Array, e: Float64Array, vectors: boolean, wasmQl: QlKernel | null = null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]
  if (n > 0) e[n - 1] = 0
  let f = 0
  let tst1 = 0
  // tql2 deflates when |e_m| ≤ eps·(the largest |d|+|e| seen so far). When the leading block is
  // rounding noise (a highly degenerate A, e.g. n·11ᵀ at n = 64), that running bound is itself
  // noise, and QL then iterates on subnormal numbers whose rotations are not orthogonal
  // (eigenvectors lost orthogonality, 0.65 at n = 64). Entries below eps²·‖T‖ are negligible
  // by any standard, so they deflate too; this never triggers once tst1 ≥ eps·‖T‖.
  let tnorm = 0
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]) + Math.abs(e[i]))
  const negligible = EPS * EPS * tnorm
  let l0 = 0
  if (wasmQl) {
    // Same operations in the same order (rotations applied as they come): bit-identical.
    l0 = wasmQl.run(negligible)
    f = wasmQl.state[0]
    tst1 = wasmQl.state[1]
    if (l0 > n) throw new Error(`symEig: QL iteration did not converge for eigenvalue ${l0 - n - 1}`)
  }
  for (let l = l0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]))
    let m = l
    while (m < n) {
      if (Math.abs(e[m]) <= EPS * tst1 || Math.abs(e[m]) <= negligible) break
      m++
    }
    if (m > l) {
      let iter = 0
      do {
        if (++iter > 60) throw new Error(`symEig: QL iteration did not converge for eigenvalue ${l}`)
        let g = d[l]
        let p = (d[l + 1] - g) / (2 * e[l])
        let r = hypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l] / (p + r)
        d[l + 1] = e[l] * (p + r)
        const dl1 = d[l + 1]
        let h = g - d[l]
        for (let i = l + 2; i < n; i++) d[i] -= h
        f += h
        p = d[m]
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]
          h = c * p
          r = hypot(p, e[i])
          e[i + 1] = s * r
          s = e[i] / r
          c = p / r
          p = c * d[i] - s * g
          d[i + 1] = h + s * (c * g + s * d[i])
          if (vectors) {
            const wi = i * n
            const wi1 = wi + n
            for (let k = 0; k < n; k++) {
              const hk = W[wi1 + k]
              const vk = W[wi + k]
              W[wi1 + k] = s * vk + c * hk
              W[wi + k] = c * vk - s * hk
            }
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1
        e[l] = s * p
        d[l] = c * p
      } while (Math.abs(e[l]) > EPS * tst1 && Math.abs(e[l]) > negligible)
    }
    d[l] += f
    e[l] = 0
  }
}

/**
 * Eigendecomposition A = V·diag(values)·Vᵀ of the symmetric n×n matrix A (only its lower
 * triangle is read by the reduction in exact arithmetic; pass a symmetric matrix).
 * Eigenvalues ascend; column j of `vectors` is the eigenvector of values[j].
 */
export function symEig(A: Float64Array, n: number): SymEig {
  checkSquare('symEig', A, n)
  const { W, d, order } = eigenWorking(A, n)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  for (let j = 0; j < n; j++) values[j] = d[order[j]]
  // vectors[i][j] = W[order[j]][i]: contiguous writes, row i of the result at a time
  for (let i = 0; i < n; i++) {
    const vi = i * n
    for (let j = 0; j < n; j++) vectors[vi + j] = W[order[j] * n + i]
  }
  return { values, vectors }
}

/**
 * `symEig` without its sorted, transposed copy of the eigenvectors, for callers that need a few
 * projections Uᵀb rather than U: `values` ascending and the eigenvectors as rows of `rows`, the
 * unit eigenvector of values[j] being row order[j] (rows[order[j]·n + i] is symEig's
 * vectors[i][j], to the bit).
 */
export function symEigRows(A: Float64Array, n: number): { values: Float64Array; rows: Float64Array; order: Int32Array } {
  checkSquare('symEigRows', A, n)
  const { W, d, order, scratch } = eigenWorking(A, n)
  const values = new Float64Array(n)
  for (let j = 0; j < n; j++) values[j] = d[order[j]]
  return { values, rows: scratch ? W.slice() : W, order }
}

/**
 * symEig's work: tridiagonalise and QL on the working matrix W (A's storage is already the
 * transposed working matrix tred2 expects, since A = Aᵀ), returning W (row r an eigenvector),
 * the eigenvalues d in W's row order and the permutation sorting them. For even n ≥ 16 W lives
 * in wasm memory (`scratch`: a view valid until the core's next wasm call) and both
 * tridiagonalise (wasm-simd.ts `tred2`, its rank-2 updates and back-accumulation as f64x2 SIMD)
 * and the whole QL loop (`ql`, each rotation applied to the eigenvector rows as f64x2 pairs) run
 * there: same operations, same order, bit-identical to the JavaScript below (linalg.test.ts
 * checks every bit).
 */
function eigenWorking(A: Float64Array, n: number): { W: Float64Array; d: Float64Array; order: Int32Array; scratch: boolean } {
  const kern = n >= 16 && n % 2 === 0 ? wasmSimdKernel() : null
  const M = kern ? wasmScratch(kern, n * n + 2 * n + 2) : null
  let W: Float64Array
  let d: Float64Array
  let e: Float64Array
  if (kern && M) {
    // W, d, e and QL's two running scalars in wasm memory, one copy of A in.
    W = M.subarray(0, n * n)
    W.set(A.subarray(0, n * n))
    d = M.subarray(n * n, n * n + n).fill(0)
    e = M.subarray(n * n + n, n * n + 2 * n).fill(0)
    const [dByte, eByte, stByte] = [n * n * 8, (n * n + n) * 8, (n * n + 2 * n) * 8]
    kern.tred2(0, n * 8, n, dByte, eByte)
    const state = M.subarray(n * n + 2 * n, n * n + 2 * n + 2)
    tridiagonalQL(W, n, d, e, true, { run: (negligible) => kern.ql(0, n * 8, n, dByte, eByte, stByte, negligible), state })
  } else {
    W = A.slice(0, n * n)
    d = new Float64Array(n)
    e = new Float64Array(n)
    tridiagonalise(W, n, d, e, true)
    tridiagonalQL(W, n, d, e, true)
  }
  return { W, d, order: ascendingOrder(d), scratch: kern !== null && M !== null }
}

/** Eigenvalues of the symmetric n×n matrix A, ascending (no eigenvectors: about 3× cheaper). */
export function symEigvalues(A: Float64Array, n: number): Float64Array {
  checkSquare('symEigvalues', A, n)
  const W = A.slice(0, n * n)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  tridiagonalise(W, n, d, e, false)
  tridiagonalQL(W, n, d, e, false)
  return d.sort()
}

/**
 * The permutation that sorts v ascending, ties (and ±0) in index order. Without NaN that order is
 * total, so any sort gives the same permutation: up to 256 entries an insertion sort on an
 * Int32Array (no boxed array, no comparator calls); otherwise, or with NaN (where the comparator
 * below is not a total order and the result depends on the algorithm), Array.prototype.sort.
 */
function ascendingOrder(v: Float64Array): Int32Array {
  const n = v.length
  let hasNaN = false
  for (let i = 0; i < n; i++) if (Number.isNaN(v[i])) hasNaN = true
  if (n <= 256 && !hasNaN) {
    const order = new Int32Array(n)
    for (let i = 0; i < n; i++) {
      const x = v[i]
      let j = i
      // entries already placed have smaller indices, so ties stay in index order: stop at ≤ x
      while (j > 0 && v[order[j - 1]] > x) {
        order[j] = order[j - 1]
        j--
      }
      order[j] = i
    }
    return order
  }
  const idx = Array.from({ length: n }, (_, i) => i)
  idx.sort((a, b) => v[a] - v[b] || a - b)
  return Int32Array.from(idx)
}

/**
 * Eigenvalues (ascending) and, with `vectors`, eigenvectors of the symmetric tridiagonal matrix
 * with diagonal `diag` (length k) and off-diagonal `offDiag` (length k − 1), by implicit QL.
 * vectors is k×k row-major, column j belonging to values[j] (as in symEig). Used by Lanczos.
 */
export function symTridiagonalEig(diag: Float64Array, offDiag: Float64Array, vectors = true): { values: Float64Array; vectors: Float64Array } {
  const k = diag.length
  const d = diag.slice()
  const e = new Float64Array(k)
  for (let i = 1; i < k; i++) e[i] = offDiag[i - 1]
  const W = vectors ? eye(k) : new Float64Array(0)
  tridiagonalQL(W, k, d, e, vectors)
  const order = ascendingOrder(d)
  const values = new Float64Array(k)
  const V = new Float64Array(vectors ? k * k : 0)
  for (let j = 0; j < k; j++) {
    const src = order[j]
    values[j] = d[src]
    if (vectors) for (let i = 0; i < k; i++) V[i * k + j] = W[src * k + i]
  }
  return { values, vectors: V }
}

export interface Svd {
  /** m×p row-major, orthonormal columns (p = min(m, n)). */
  U: Float64Array
  /** p singular values, descending. */
  S: Float64Array
  /** n×p row-major, orthonormal columns. */
  V: Float64Array
}

/**
 * One-sided Jacobi on the rows of W (n×m, row j = column j of the matrix, m ≥ n): rotates pairs
 * of rows until all are mutually orthogonal to within tol, accumulating the rotations in the
 * rows of Vt (n×n) when given. On return the row norms of W are the singular values. The
 * stopping rule |⟨w_p, w_q⟩| ≤ tol·‖w_p‖‖w_q‖ with tol = sqrt(m)·eps follows LAPACK dgesvj.
 */
function oneSidedJacobi(W: Float64Array, n: number, m: number, Vt: Float64Array | null): void {
  const tol = Math.sqrt(m) * EPS
  const sq = new Float64Array(n)
  let total = 0
  for (let j = 0; j < n; j++) total += sq[j] = dotAt(W, j * m, W, j * m, m)
  // Rows shorter than eps·‖W‖_F are rounding noise (numerically zero columns of a rank-deficient
  // matrix): their mutual angles are noise too, and rotating them can cycle forever (the dot
  // product's rounding, eps·‖w_p‖‖w_q‖·√m, is as large as the stopping threshold). Leaving them
  // alone perturbs A by at most eps·‖A‖_F, inside Jacobi's backward error (LAPACK dgesvj does the
  // same with its column-norm threshold).
  const negligible = EPS * EPS * total
  for (let sweep = 0; sweep < 80; sweep++) {
    let rotated = false
    for (let p = 0; p < n - 1; p++) {
      const wp = p * m
      for (let q = p + 1; q < n; q++) {
        const alpha = sq[p]
        const beta = sq[q]
        if (alpha <= negligible || beta <= negligible) continue
        const wq = q * m
        const gamma = dotAt(W, wp, W, wq, m)
        if (Math.abs(gamma) <= tol * Math.sqrt(alpha) * Math.sqrt(beta)) continue
        rotated = true
        const zeta = (beta - alpha) / (2 * gamma)
        const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
        const c = 1 / Math.sqrt(1 + t * t)
        const s = c * t
        let np = 0
        let nq = 0
        for (let k = 0; k < m; k++) {
          const a = W[wp + k]
          const b = W[wq + k]
          const a2 = c * a - s * b
          const b2 = s * a + c * b
          W[wp + k] = a2
          W[wq + k] = b2
          np += a2 * a2
          nq += b2 * b2
        }
        sq[p] = np
        sq[q] = nq
        if (Vt) {
          const vp = p * n
          const vq = q * n
          for (let k = 0; k < n; k++) {
            const a = Vt[vp + k]
            const b = Vt[vq + k]
            Vt[vp + k] = c * a - s * b
            Vt[vq + k] = s * a + c * b
          }
        }
      }
    }
    if (!rotated) return
  }
  throw new Error('svd: one-sided Jacobi did not converge in 80 sweeps')
}

/** Row norms of W (n rows of length m), each computed overflow-safely. */
function rowNorms(W: Float64Array, n: number, m: number): Float64Array {
  const out = new Float64Array(n)
  for (let j = 0; j < n; j++) out[j] = nrm2Slice(W, j * m, m)
  return out
}

function nrm2Slice(x: Float64Array, off: number, len: number): number {
  let scale = 0
  let ssq = 1
  for (let i = off; i < off + len; i++) {
    const v = x[i]
    if (v !== 0) {
      const a = Math.abs(v)
      if (scale < a) {
        const r = scale / a
        ssq = 1 + ssq * r * r
        scale = a
      } else {
        const r = a / scale
        ssq += r * r
      }
    }
  }
  return scale * Math.sqrt(ssq)
}

/**
 * Fill rows `from`..p-1 of Q (p rows of length m, the first `from` orthonormal) with unit vectors
 * orthogonal to all earlier rows: Gram–Schmidt, twice, on the coordinate vector e_k whose
 * component outside the current rows, ‖(I − QᵀQ)e_k‖² = 1 − Σ_s Q[s,k]², is largest. That
 * component is at least (m − rows)/m, so a basis always completes (trying e_0, e_1, … in turn and
 * demanding a fixed size failed when the missing direction is spread over all coordinates, as
 * for the centring matrix I − 11ᵀ/n). Completes singular vectors belonging to zero singular values.
 */
function completeOrthonormalRows(Q: Float64Array, p: number, m: number, from: number): void {
  if (p > m) throw new Error(`svd: cannot complete ${p} orthonormal rows of length ${m}`)
  const outside = new Float64Array(m).fill(1)
  for (let s = 0; s < from; s++) for (let k = 0; k < m; k++) outside[k] -= Q[s * m + k] * Q[s * m + k]
  for (let r = from; r < p; r++) {
    const off = r * m
    let best = 0
    for (let k = 1; k < m; k++) if (outside[k] > outside[best]) best = k
    Q.fill(0, off, off + m)
    Q[off + best] = 1
    for (let pass = 0; pass < 2; pass++) {
      for (let s = 0; s < r; s++) {
        const c = dotAt(Q, s * m, Q, off, m)
        for (let k = 0; k < m; k++) Q[off + k] -= c * Q[s * m + k]
      }
    }
    const nrm = nrm2Slice(Q, off, m)
    if (!(nrm > 0)) throw new Error('svd: could not complete an orthonormal basis')
    for (let k = 0; k < m; k++) {
      Q[off + k] /= nrm
      outside[k] -= Q[off + k] * Q[off + k]
    }
  }
}

/** Below this width plain Jacobi is already fast; above it, precondition with the Gram eigenvectors. */
const SVD_PRECONDITION_MIN = 16

/**
 * Thin SVD of a tall or square m×n matrix (m ≥ n), returned as rows: Ut (n×m), S, Vt (n×n).
 *
 * For m > n, A = QR first and the rest works on the n×n factor R. For n ≥ 16 the columns are
 * first rotated by the eigenvectors V₀ of the Gram matrix MᵀM (M = A or R): the columns of M·V₀
 * are orthogonal up to O(eps·σ₁²/(σ_i σ_j)), so one-sided Jacobi, started from V = V₀, finishes
 * in one or two sweeps instead of six to ten. Jacobi alone decides the result, so the accuracy
 * is Jacobi's (backward error O(eps)·‖A‖); the Gram matrix only supplies a starting basis.
 */
function svdTall(A: Float64Array, m: number, n: number): { Ut: Float64Array; S: Float64Array; Vt: Float64Array } {
  let M = A
  let Qt: Float64Array | null = null
  let rows = m
  if (m > n) {
    const f = householderQR(A, m, n)
    M = f.R
    Qt = formQt(f, m, n)
    rows = n
  }
  let W: Float64Array
  let Vt: Float64Array
  if (n >= SVD_PRECONDITION_MIN) {
    const G = syrk(true, n, rows, 1, M, 0, new Float64Array(n * n))
    const V0 = symEig(G, n).vectors
    // Rows of W are the columns of M·V₀: W = V₀ᵀ·Mᵀ.
    W = gemm(true, true, n, rows, n, 1, V0, M, 0, new Float64Array(n * rows))
    Vt = transpose(V0, n, n)
  } else {
    W = transpose(M, rows, n)
    Vt = eye(n)
  }
  oneSidedJacobi(W, n, rows, Vt)
  const norms = rowNorms(W, n, rows)
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => norms[b] - norms[a] || a - b)
  const S = new Float64Array(n)
  for (let j = 0; j < n; j++) S[j] = norms[order[j]]
  // Left vectors of the (possibly reduced) matrix: normalised rows of W, descending order.
  const Ur = new Float64Array(n * rows)
  const Vs = new Float64Array(n * n)
  let rank = 0
  for (let j = 0; j < n; j++) {
    const src = order[j]
    Vs.set(Vt.subarray(src * n, src * n + n), j * n)
    // Columns with σ below n·eps·σ₁ carry no direction: complete them orthonormally instead.
    if (S[j] > n * EPS * S[0] && S[j] > 0) {
      const inv = 1 / S[j]
      for (let k = 0; k < rows; k++) Ur[j * rows + k] = W[src * rows + k] * inv
      rank++
    }
  }
  if (rank < n) completeOrthonormalRows(Ur, n, rows, rank)
  if (Qt === null) return { Ut: Ur, S, Vt: Vs }
  // U = Q·U_R; as rows, Ut (n×m) = Ur (n×n, rows = columns of U_R) · Qt (n×m).
  const Ut = gemm(false, false, n, m, n, 1, Ur, Qt, 0, new Float64Array(n * m))
  return { Ut, S, Vt: Vs }
}

/**
 * Singular values of a tall m×n matrix (m ≥ n) without vectors: Householder bidiagonalisation
 * (Golub & Kahan 1965; GVL Alg. 5.4.2) with both reflector kinds applied row by row, so every
 * inner loop is contiguous, then the eigenvalues ±σ of the 2n×2n Golub–Kahan tridiagonal
 * (zero diagonal, off-diagonal d₁, e₁, d₂, e₂, …) by implicit QL. Backward stable: absolute
 * error O(eps)·‖A‖₂, like LAPACK's dgesdd.
 */
function singularValuesTall(A: Float64Array, m: number, n: number): Float64Array {
  const M = A.slice(0, m * n)
  const d = new Float64Array(n)
  const e = new Float64Array(Math.max(n - 1, 0))
  const v = new Float64Array(m)
  const w = new Float64Array(n)
  for (let k = 0; k < n; k++) {
    // Left reflector: zero M[k+1.., k].
    let tail = 0
    let scale = 0
    for (let i = k + 1; i < m; i++) scale = Math.max(scale, Math.abs(M[i * n + k]))
    const x0 = M[k * n + k]
    if (scale === 0) {
      d[k] = x0
    } else {
      for (let i = k + 1; i < m; i++) {
        const r = M[i * n + k] / scale
        tail += r * r
      }
      tail = scale * Math.sqrt(tail)
      const beta = -(x0 >= 0 ? 1 : -1) * hypot(x0, tail)
      const tau = (beta - x0) / beta
      const inv = 1 / (x0 - beta)
      v[k] = 1
      for (let i = k + 1; i < m; i++) v[i] = M[i * n + k] * inv
      // w = vᵀ·M[k.., k+1..], accumulated over rows; then M[i, k+1..] −= tau·v_i·w.
      w.fill(0, k + 1, n)
      // Two rows per pass over w when both v_i are nonzero: w[j] gets the same two additions in
      // the same order, with half the loads and stores of w.
      let i2 = k
      for (; i2 + 1 < m; i2 += 2) {
        const v0 = v[i2]
        const v1 = v[i2 + 1]
        const r0 = i2 * n
        const r1 = r0 + n
        if (v0 !== 0 && v1 !== 0) {
          for (let j = k + 1; j < n; j++) w[j] = w[j] + v0 * M[r0 + j] + v1 * M[r1 + j]
        } else {
          if (v0 !== 0) for (let j = k + 1; j < n; j++) w[j] += v0 * M[r0 + j]
          if (v1 !== 0) for (let j = k + 1; j < n; j++) w[j] += v1 * M[r1 + j]
        }
      }
      for (let i = i2; i < m; i++) {
        const vi = v[i]
        if (vi === 0) continue
        const row = i * n
        for (let j = k + 1; j < n; j++) w[j] += vi * M[row + j]
      }
      for (let i = k; i < m; i++) {
        const c = tau * v[i]
        if (c === 0) continue
        const row = i * n
        for (let j = k + 1; j < n; j++) M[row + j] -= c * w[j]
      }
      d[k] = beta
    }
    if (k >= n - 1) continue
    // Right reflector on row k: zero M[k, k+2..].
    const row = k * n
    const y0 = M[row + k + 1]
    let rs = 0
    for (let j = k + 2; j < n; j++) rs = Math.max(rs, Math.abs(M[row + j]))
    if (rs === 0) {
      e[k] = y0
      continue
    }
    let rt = 0
    for (let j = k + 2; j < n; j++) {
      const r = M[row + j] / rs
      rt += r * r
    }
    rt = rs * Math.sqrt(rt)
    const beta = -(y0 >= 0 ? 1 : -1) * hypot(y0, rt)
    const tau = (beta - y0) / beta
    const inv = 1 / (y0 - beta)
    const u = w
    u[k + 1] = 1
    for (let j = k + 2; j < n; j++) u[j] = M[row + j] * inv
    // Rows are independent: two at a time overlap their dot products' running sums (each the
    // same sum in the same order as alone).
    let i2 = k + 1
    for (; i2 + 1 < m; i2 += 2) {
      const r0 = i2 * n
      const r1 = r0 + n
      let s0 = 0
      let s1 = 0
      for (let j = k + 1; j < n; j++) {
        const uj = u[j]
        s0 += M[r0 + j] * uj
        s1 += M[r1 + j] * uj
      }
      const c0 = tau * s0
      const c1 = tau * s1
      if (c0 !== 0) for (let j = k + 1; j < n; j++) M[r0 + j] -= c0 * u[j]
      if (c1 !== 0) for (let j = k + 1; j < n; j++) M[r1 + j] -= c1 * u[j]
    }
    for (let i = i2; i < m; i++) {
      const ri = i * n
      let sdot = 0
      for (let j = k + 1; j < n; j++) sdot += M[ri + j] * u[j]
      const c = tau * sdot
      if (c === 0) continue
      for (let j = k + 1; j < n; j++) M[ri + j] -= c * u[j]
    }
    e[k] = beta
  }
  // Golub–Kahan form: eigenvalues of the 2n×2n tridiagonal are ±σ.
  const N2 = 2 * n
  const td = new Float64Array(N2)
  const te = new Float64Array(N2)
  for (let k = 0; k < n; k++) {
    te[2 * k + 1] = d[k]
    if (k < n - 1) te[2 * k + 2] = e[k]
  }
  tridiagonalQL(new Float64Array(0), N2, td, te, false)
  td.sort()
  const S = new Float64Array(n)
  for (let j = 0; j < n; j++) S[j] = Math.max(td[N2 - 1 - j], 0)
  return S
}

/**
 * Thin SVD A = U·diag(S)·Vᵀ of the m×n matrix A, p = min(m, n): U m×p, S descending, V n×p,
 * all row-major. Singular vectors of repeated singular values are any orthonormal basis of
 * their subspace; those of zero singular values are completed to an orthonormal set.
 */
export function svd(A: Float64Array, m: number, n: number): Svd {
  checkShape('svd', A, m, n)
  if (m >= n) {
    const { Ut, S, Vt } = svdTall(A, m, n)
    return { U: transpose(Ut, n, m), S, V: transpose(Vt, n, n) }
  }
  // A = (Aᵀ)ᵀ: the SVD of the tall Aᵀ = U'SV'ᵀ gives A = V'SU'ᵀ.
  const { Ut, S, Vt } = svdTall(transpose(A, m, n), n, m)
  return { U: transpose(Vt, m, m), S, V: transpose(Ut, m, n) }
}

/** Singular values of the m×n matrix A, descending (min(m, n) of them). */
export function singularValues(A: Float64Array, m: number, n: number): Float64Array {
  checkShape('singularValues', A, m, n)
  return m >= n ? singularValuesTall(A, m, n) : singularValuesTall(transpose(A, m, n), n, m)
}

/** Block size of the blocked Cholesky (trailing updates become rank-32 gemms). */
const CHOLESKY_BLOCK = 32

/**
 * Cholesky factor: the lower-triangular L with A = L·Lᵀ, for A symmetric positive definite
 * (only the lower triangle of A is read). Right-looking and blocked (LAPACK
 * dpotrf): factor a 32-wide diagonal block (Cholesky–Banachiewicz), solve the panel below it,
 * update the trailing matrix with one packed gemm. Throws naming the first non-positive pivot.
 */
export function cholesky(A: Float64Array, n: number): Float64Array {
  checkSquare('cholesky', A, n)
  const L = A.slice(0, n * n)
  for (let k0 = 0; k0 < n; k0 += CHOLESKY_BLOCK) {
    const k1 = Math.min(n, k0 + CHOLESKY_BLOCK)
    // Diagonal block and the panel below it, column by column within the block.
    for (let j = k0; j < k1; j++) {
      const lj = j * n
      const pivot = L[lj + j] - dotAt(L, lj + k0, L, lj + k0, j - k0)
      if (!(pivot > 0)) {
        throw new Error(`cholesky: matrix is not positive definite (pivot ${j} of ${n} is ${pivot})`)
      }
      const ljj = Math.sqrt(pivot)
      L[lj + j] = ljj
      for (let i = j + 1; i < n; i++) {
        const li = i * n
        L[li + j] = (L[li + j] - dotAt(L, li + k0, L, lj + k0, j - k0)) / ljj
      }
    }
    if (k1 === n) break
    // A22 −= L21·L21ᵀ (both triangles are updated; only the lower one is read later).
    const rest = n - k1
    gemmStrided(rest, rest, k1 - k0, -1, L, k1 * n + k0, n, 1, L, k1 * n + k0, 1, n, L, k1 * n + k1, n)
  }
  // Clear the strict upper triangle (the input's, and the trailing updates' scratch).
  for (let i = 0; i < n; i++) L.fill(0, i * n + i + 1, i * n + n)
  return L
}

/** Solve L·X = B in place (L lower triangular n×n, B n×nrhs). */
export function solveLower(L: Float64Array, B: Float64Array, n: number, nrhs = 1, unitDiagonal = false): Float64Array {
  for (let i = 0; i < n; i++) {
    const bi = i * nrhs
    for (let k = 0; k < i; k++) {
      const l = L[i * n + k]
      if (l === 0) continue
      const bk = k * nrhs
      for (let r = 0; r < nrhs; r++) B[bi + r] -= l * B[bk + r]
    }
    if (!unitDiagonal) {
      const d = L[i * n + i]
      for (let r = 0; r < nrhs; r++) B[bi + r] /= d
    }
  }
  return B
}

/** Solve U·X = B in place (U upper triangular n×n, B n×nrhs). */
export function solveUpper(U: Float64Array, B: Float64Array, n: number, nrhs = 1): Float64Array {
  for (let i = n - 1; i >= 0; i--) {
    const bi = i * nrhs
    for (let k = i + 1; k < n; k++) {
      const u = U[i * n + k]
      if (u === 0) continue
      const bk = k * nrhs
      for (let r = 0; r < nrhs; r++) B[bi + r] -= u * B[bk + r]
    }
    const d = U[i * n + i]
    for (let r = 0; r < nrhs; r++) B[bi + r] /= d
  }
  return B
}

/** Solve A·X = B for A symmetric positive definite, given its Cholesky factor L. */
export function choleskySolve(L: Float64Array, B: Float64Array, n: number, nrhs = 1): Float64Array {
  const X = B.slice(0, n * nrhs)
  solveLower(L, X, n, nrhs)
  // Lᵀ·X = Y: back substitution reading L by columns.
  for (let i = n - 1; i >= 0; i--) {
    const xi = i * nrhs
    for (let k = i + 1; k < n; k++) {
      const l = L[k * n + i]
      if (l === 0) continue
      for (let r = 0; r < nrhs; r++) X[xi + r] -= l * X[k * nrhs + r]
    }
    const d = L[i * n + i]
    for (let r = 0; r < nrhs; r++) X[xi + r] /= d
  }
  return X
}

export interface LU {
  /** Unit-lower L below the diagonal and U on and above it, n×n row-major. */
  LU: Float64Array
  /** Row i of the factorisation is row perm[i] of A. */
  perm: Int32Array
  /** +1 or −1: the sign of the permutation (for determinants). */
  sign: number
}

/** Panel width of the blocked LU: the trailing update becomes a rank-32 gemm. */
const LU_BLOCK = 32

/**
 * LU factorisation with partial pivoting, P·A = L·U. Right-looking and blocked (GVL Alg. 3.4.2;
 * LAPACK dgetrf): each 32-column panel is factored by row operations (GVL Alg. 3.4.1), U's block
 * row is solved against the panel's unit-lower triangle, and the trailing matrix is updated by
 * one packed gemm, where nearly all the flops are. Throws when a pivot is zero or below
 * n·eps·max|A| (singular to working precision), naming the column.
 */
export function lu(A: Float64Array, n: number): LU {
  checkSquare('lu', A, n)
  const F = A.slice(0, n * n)
  const perm = new Int32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  let amax = 0
  for (let i = 0; i < n * n; i++) amax = Math.max(amax, Math.abs(F[i]))
  const threshold = n * EPS * amax
  let sign = 1
  for (let k0 = 0; k0 < n; k0 += LU_BLOCK) {
    const k1 = Math.min(n, k0 + LU_BLOCK)
    // Factor the panel F[k0.., k0..k1) with pivoting; swaps exchange whole rows (L and trailing part).
    for (let k = k0; k < k1; k++) {
      let p = k
      let best = Math.abs(F[k * n + k])
      for (let i = k + 1; i < n; i++) {
        const v = Math.abs(F[i * n + k])
        if (v > best) {
          best = v
          p = i
        }
      }
      if (!(best > threshold)) {
        throw new Error(`solve: matrix is singular to working precision (pivot ${k} of ${n} is ${best === 0 ? 0 : F[p * n + k]})`)
      }
      if (p !== k) {
        for (let j = 0; j < n; j++) {
          const t = F[k * n + j]
          F[k * n + j] = F[p * n + j]
          F[p * n + j] = t
        }
        const t = perm[k]
        perm[k] = perm[p]
        perm[p] = t
        sign = -sign
      }
      const pivot = F[k * n + k]
      const rk = k * n
      for (let i = k + 1; i < n; i++) {
        const ri = i * n
        const l = F[ri + k] / pivot
        F[ri + k] = l
        if (l === 0) continue
        for (let j = k + 1; j < k1; j++) F[ri + j] -= l * F[rk + j]
      }
    }
    if (k1 === n) break
    // U12 = L11⁻¹·A12 (unit lower triangular solve, row by row).
    for (let r = k0 + 1; r < k1; r++) {
      const rr = r * n
      for (let q = k0; q < r; q++) {
        const l = F[rr + q]
        if (l === 0) continue
        const rq = q * n
        for (let j = k1; j < n; j++) F[rr + j] -= l * F[rq + j]
      }
    }
    // A22 −= L21·U12.
    const rest = n - k1
    gemmStrided(rest, rest, k1 - k0, -1, F, k1 * n + k0, n, 1, F, k0 * n + k1, n, 1, F, k1 * n + k1, n)
  }
  return { LU: F, perm, sign }
}

/** Solve A·X = B given lu(A); B is n×nrhs row-major; returns a new X. */
export function luSolve(f: LU, B: Float64Array, n: number, nrhs = 1): Float64Array {
  const X = new Float64Array(n * nrhs)
  for (let i = 0; i < n; i++) X.set(B.subarray(f.perm[i] * nrhs, f.perm[i] * nrhs + nrhs), i * nrhs)
  solveLower(f.LU, X, n, nrhs, true)
  return solveUpper(f.LU, X, n, nrhs)
}

/** Solve the general square system A·X = B (A n×n, B n×nrhs row-major) by LU with partial pivoting. */
export function solve(A: Float64Array, b: Float64Array, n: number, nrhs = 1): Float64Array {
  if (b.length < n * nrhs) throw new RangeError(`solve: right-hand side of length ${b.length} is too short for ${n}×${nrhs}`)
  return luSolve(lu(A, n), b, n, nrhs)
}

/** det(A) via LU (0 for matrices singular to working precision). */
export function det(A: Float64Array, n: number): number {
  let f: LU
  try {
    f = lu(A, n)
  } catch {
    return 0
  }
  let d = f.sign
  for (let i = 0; i < n; i++) d *= f.LU[i * n + i]
  return d
}

/** Compact Householder QR of an m×n matrix (m ≥ n): reflectors stored as rows. */
interface HouseholderQR {
  /** n×m: row k holds the reflector v_k in entries k+1..m-1 (v_k[k] = 1 implicitly). */
  reflectors: Float64Array
  tau: Float64Array
  /** n×n upper triangular. */
  R: Float64Array
}

/**
 * Householder QR (GVL Alg. 5.2.1) on Aᵀ, so that each column of A, and each reflector, is a
 * contiguous row. H_k = I − tau_k v_k v_kᵀ with v_k[k] = 1 (LAPACK dlarfg convention).
 */
function householderQR(A: Float64Array, m: number, n: number): HouseholderQR {
  const T = transpose(A, m, n) // n×m
  const tau = new Float64Array(n)
  // Panels of QR_BLOCK reflectors; each panel's product is applied to the trailing columns at
  // once in compact WY form (LAPACK dgeqrf/dlarft/dlarfb) when there is enough work for gemm.
  const block = n >= 2 * QR_BLOCK ? QR_BLOCK : n
  for (let k0 = 0; k0 < n; k0 += block) {
    const k1 = Math.min(n, k0 + block)
    for (let k = k0; k < k1; k++) {
      const tk = k * m
      const x0 = T[tk + k]
      const tailNorm = nrm2Slice(T, tk + k + 1, m - k - 1)
      if (tailNorm === 0) {
        tau[k] = 0
        continue
      }
      const beta = -(x0 >= 0 ? 1 : -1) * hypot(x0, tailNorm)
      tau[k] = (beta - x0) / beta
      const scale = 1 / (x0 - beta)
      for (let i = k + 1; i < m; i++) T[tk + i] *= scale
      T[tk + k] = beta
      // Apply H_k to the remaining columns of the panel (rows of T), or to all of them unblocked.
      const t = tau[k]
      const last = block === n ? n : k1
      for (let j = k + 1; j < last; j++) {
        const tj = j * m
        const w = T[tj + k] + dotAt(T, tk + k + 1, T, tj + k + 1, m - k - 1)
        const tw = t * w
        T[tj + k] -= tw
        for (let i = k + 1; i < m; i++) T[tj + i] -= tw * T[tk + i]
      }
    }
    if (block === n || k1 === n) continue
    // Trailing columns: row ← row − (row·V)·Tm·Vᵀ, i.e. Qᵀ = I − V·Tmᵀ·Vᵀ applied from the left.
    const { V, Tm, len } = compactWY(T, m, k0, k1, tau)
    const nb = k1 - k0
    const rows = n - k1
    const X = new Float64Array(rows * nb)
    gemmStrided(rows, nb, len, 1, T, k1 * m + k0, m, 1, V, 0, 1, len, X, 0, nb)
    const Y = gemm(false, false, rows, nb, nb, 1, X, Tm, 0, new Float64Array(rows * nb))
    gemmStrided(rows, len, nb, -1, Y, 0, nb, 1, V, 0, len, 1, T, k1 * m + k0, m)
  }
  const R = new Float64Array(n * n)
  for (let k = 0; k < n; k++) for (let j = k; j < n; j++) R[k * n + j] = T[j * m + k]
  return { reflectors: T, tau, R }
}

/** Reflectors per panel in the blocked QR (and in forming Q). */
const QR_BLOCK = 32

/**
 * The compact WY form H_k0·H_k0+1···H_k1−1 = I − V·Tm·Vᵀ (Schreiber & Van Loan 1989; LAPACK
 * dlarft, forward, columnwise): V holds the reflectors as rows of length len = m − k0 (explicit
 * unit and zeros), Tm is upper triangular, Tm_ii = tau_i, Tm[0:i, i] = −tau_i·Tm[0:i, 0:i]·(V_{0:i}·v_i).
 */
function compactWY(T: Float64Array, m: number, k0: number, k1: number, tau: Float64Array): { V: Float64Array; Tm: Float64Array; len: number } {
  const nb = k1 - k0
  const len = m - k0
  const V = new Float64Array(nb * len)
  for (let r = 0; r < nb; r++) {
    const k = k0 + r
    V[r * len + r] = 1
    for (let i = k + 1; i < m; i++) V[r * len + (i - k0)] = T[k * m + i]
  }
  const Tm = new Float64Array(nb * nb)
  const z = new Float64Array(nb)
  for (let i = 0; i < nb; i++) {
    const t = tau[k0 + i]
    Tm[i * nb + i] = t
    if (t === 0) continue
    // z_j = v_j·v_i over the positions where v_i is non-zero (≥ i).
    for (let j = 0; j < i; j++) z[j] = dotAt(V, j * len + i, V, i * len + i, len - i)
    for (let r = 0; r < i; r++) {
      let sacc = 0
      for (let c = r; c < i; c++) sacc += Tm[r * nb + c] * z[c]
      Tm[r * nb + i] = -t * sacc
    }
  }
  return { V, Tm, len }
}

/** Qᵀ of the thin Q (as n rows of length m), by backward accumulation of the reflectors. */
function formQt(f: HouseholderQR, m: number, n: number): Float64Array {
  const Qt = new Float64Array(n * m)
  for (let j = 0; j < n; j++) Qt[j * m + j] = 1
  const Vr = f.reflectors
  if (n >= 2 * QR_BLOCK) {
    // Blocks from last to first; rows j < k0 of Qt are still e_j, zero where the block acts.
    for (let k0 = Math.floor((n - 1) / QR_BLOCK) * QR_BLOCK; k0 >= 0; k0 -= QR_BLOCK) {
      const k1 = Math.min(n, k0 + QR_BLOCK)
      const { V, Tm, len } = compactWY(Vr, m, k0, k1, f.tau)
      const nb = k1 - k0
      const rows = n - k0
      // row ← row − (row·V)·Tmᵀ·Vᵀ, i.e. x ← (I − V·Tm·Vᵀ)·x for each column x of Q.
      const X = new Float64Array(rows * nb)
      gemmStrided(rows, nb, len, 1, Qt, k0 * m + k0, m, 1, V, 0, 1, len, X, 0, nb)
      const Y = gemm(false, true, rows, nb, nb, 1, X, Tm, 0, new Float64Array(rows * nb))
      gemmStrided(rows, len, nb, -1, Y, 0, nb, 1, V, 0, len, 1, Qt, k0 * m + k0, m)
    }
    return Qt
  }
  for (let k = n - 1; k >= 0; k--) {
    const t = f.tau[k]
    if (t === 0) continue
    const vk = k * m
    // Rows j < k of Qt are zero in entries ≥ k at this point, so H_k leaves them unchanged.
    for (let j = k; j < n; j++) {
      const qj = j * m
      const w = Qt[qj + k] + dotAt(Vr, vk + k + 1, Qt, qj + k + 1, m - k - 1)
      if (w === 0) continue
      const tw = t * w
      Qt[qj + k] -= tw
      for (let i = k + 1; i < m; i++) Qt[qj + i] -= tw * Vr[vk + i]
    }
  }
  return Qt
}

/**
 * Thin QR A = Q·R of the m×n matrix A (m ≥ n) by Householder reflections: Q m×n with orthonormal
 * columns, R n×n upper triangular with a non-negative diagonal (which makes the factorisation
 * unique when A has full column rank).
 */
export function qr(A: Float64Array, m: number, n: number): { Q: Float64Array; R: Float64Array } {
  checkShape('qr', A, m, n)
  if (m < n) throw new RangeError(`qr: thin QR needs m ≥ n, got ${m}×${n}`)
  const f = householderQR(A, m, n)
  const Qt = formQt(f, m, n)
  const R = f.R
  for (let k = 0; k < n; k++) {
    if (R[k * n + k] < 0) {
      for (let j = k; j < n; j++) R[k * n + j] = -R[k * n + j]
      for (let i = 0; i < m; i++) Qt[k * m + i] = -Qt[k * m + i]
    }
  }
  return { Q: transpose(Qt, n, m), R }
}

/**
 * Least squares: the X minimising ‖A·X − B‖_F for A m×n, B m×nrhs. Full column rank (checked on
 * R's diagonal) goes through Householder QR; otherwise, and for m < n, the minimum-norm solution
 * through the SVD, with singular values below max(m, n)·eps·σ₁ treated as zero (numpy's rcond).
 */
export function lstsq(A: Float64Array, b: Float64Array, m: number, n: number, nrhs = 1): Float64Array {
  checkShape('lstsq', A, m, n)
  if (b.length < m * nrhs) throw new RangeError(`lstsq: right-hand side of length ${b.length} is too short for ${m}×${nrhs}`)
  if (m >= n) {
    const f = householderQR(A, m, n)
    let rmax = 0
    let rmin = Infinity
    for (let k = 0; k < n; k++) {
      const r = Math.abs(f.R[k * n + k])
      rmax = Math.max(rmax, r)
      rmin = Math.min(rmin, r)
    }
    // |R_kk| bounds σ_min only loosely, so demand a comfortable margin before trusting QR.
    if (n === 0 || rmin > Math.sqrt(EPS) * rmax) {
      // X = R⁻¹ (Qᵀ B)_{1..n}: apply the reflectors to B, then back-substitute.
      const Y = b.slice(0, m * nrhs)
      const V = f.reflectors
      for (let k = 0; k < n; k++) {
        const t = f.tau[k]
        if (t === 0) continue
        const vk = k * m
        for (let r = 0; r < nrhs; r++) {
          let w = Y[k * nrhs + r]
          for (let i = k + 1; i < m; i++) w += V[vk + i] * Y[i * nrhs + r]
          const tw = t * w
          Y[k * nrhs + r] -= tw
          for (let i = k + 1; i < m; i++) Y[i * nrhs + r] -= tw * V[vk + i]
        }
      }
      return solveUpper(f.R, Y.subarray(0, n * nrhs).slice(), n, nrhs)
    }
  }
  return pinvApply(A, b, m, n, nrhs)
}

/** Minimum-norm least-squares solution V·diag(1/σ)·Uᵀ·B with numpy's rcond cut-off. */
function pinvApply(A: Float64Array, b: Float64Array, m: number, n: number, nrhs: number): Float64Array {
  const { U, S, V } = svd(A, m, n)
  const p = Math.min(m, n)
  const cutoff = Math.max(m, n) * EPS * (p > 0 ? S[0] : 0)
  const UtB = gemm(true, false, p, nrhs, m, 1, U, b, 0, new Float64Array(p * nrhs))
  for (let j = 0; j < p; j++) {
    const inv = S[j] > cutoff ? 1 / S[j] : 0
    for (let r = 0; r < nrhs; r++) UtB[j * nrhs + r] *= inv
  }
  return gemm(false, false, n, nrhs, p, 1, V, UtB, 0, new Float64Array(n * nrhs))
}

/** V·diag(f(λ))·Vᵀ for the symmetric A = V·diag(λ)·Vᵀ, from its eigendecomposition. */
export function symFunction(eig: SymEig, n: number, f: (lambda: number, index: number) => number): Float64Array {
  const { values, vectors } = eig
  // Scale the columns of V by f(λ) and multiply by Vᵀ: (V·F)·Vᵀ, an n×n×n gemm with Bᵀ.
  const VF = new Float64Array(n * n)
  const fv = new Float64Array(n)
  for (let j = 0; j < n; j++) fv[j] = f(values[j], j)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) VF[i * n + j] = vectors[i * n + j] * fv[j]
  const out = gemm(false, true, n, n, n, 1, VF, vectors, 0, new Float64Array(n * n))
  // Symmetrise: the product is symmetric in exact arithmetic only.
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const v = 0.5 * (out[i * n + j] + out[j * n + i])
      out[i * n + j] = v
      out[j * n + i] = v
    }
  }
  return out
}

/**
 * The principal square root of the symmetric positive semidefinite A. Eigenvalues in
 * [−4n·eps·‖A‖₂, 0) are rounding noise and are clamped to zero; more negative ones throw.
 */
export function symSqrt(A: Float64Array, n: number): Float64Array {
  checkSquare('symSqrt', A, n)
  const eig = symEig(A, n)
  const { values } = eig
  const scale = n > 0 ? Math.max(Math.abs(values[0]), Math.abs(values[n - 1])) : 0
  if (n > 0 && values[0] < -4 * n * EPS * scale) {
    throw new Error(`symSqrt: matrix is not positive semidefinite (smallest eigenvalue ${values[0]})`)
  }
  return symFunction(eig, n, (lambda) => Math.sqrt(Math.max(lambda, 0)))
}

/**
 * A^{-1/2} for the symmetric positive definite A (the inverse of the principal square root; the
 * polar factor of B is B·(BᵀB)^{-1/2}). Throws when an eigenvalue is not positive.
 */
export function symInvSqrt(A: Float64Array, n: number): Float64Array {
  checkSquare('symInvSqrt', A, n)
  return symFunction(symEig(A, n), n, (lambda, j) => {
    if (!(lambda > 0)) throw new Error(`symInvSqrt: matrix is not positive definite (eigenvalue ${j} is ${lambda})`)
    return 1 / Math.sqrt(lambda)
  })
}

/**
 * ‖A‖₂, the largest singular value of the m×n matrix A, as sqrt(λ_max) of the smaller Gram
 * matrix. λ_max is perfectly conditioned, so this loses nothing in relative accuracy for σ₁
 * (only small singular values suffer from squaring).
 */
export function spectralNorm(A: Float64Array, m: number, n: number): number {
  checkShape('spectralNorm', A, m, n)
  if (m === 0 || n === 0) return 0
  const p = Math.min(m, n)
  const G = new Float64Array(p * p)
  if (m >= n) syrk(true, n, m, 1, A, 0, G)
  else syrk(false, m, n, 1, A, 0, G)
  const values = symEigvalues(G, p)
  return Math.sqrt(Math.max(values[p - 1], 0))
}

/**
 * Polar decomposition B = U·H of an m×k matrix (m ≥ k): U m×k with orthonormal columns (the
 * closest such matrix to B in any unitarily invariant norm) and H = (BᵀB)^{1/2} k×k symmetric
 * positive semidefinite. Computed from the SVD B = W·Σ·Vᵀ as U = W·Vᵀ, H = V·Σ·Vᵀ (Higham,
 * Functions of Matrices, 2008, Thm. 8.1): accurate even where B·(BᵀB)^{-1/2} loses digits to
 * the squared condition number.
 */
export function polarDecomposition(B: Float64Array, m: number, k: number): { U: Float64Array; H: Float64Array } {
  checkShape('polarDecomposition', B, m, k)
  if (m < k) throw new RangeError(`polarDecomposition: needs m ≥ k, got ${m}×${k}`)
  const { U: W, S, V } = svd(B, m, k)
  const U = gemm(false, true, m, k, k, 1, W, V, 0, new Float64Array(m * k))
  const VS = V.slice()
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) VS[i * k + j] *= S[j]
  const H = gemm(false, true, k, k, k, 1, VS, V, 0, new Float64Array(k * k))
  for (let i = 0; i < k; i++) {
    for (let j = i + 1; j < k; j++) {
      const v = 0.5 * (H[i * k + j] + H[j * k + i])
      H[i * k + j] = v
      H[j * k + i] = v
    }
  }
  return { U, H }
}
