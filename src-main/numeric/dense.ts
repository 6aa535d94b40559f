/**
 * Dense BLAS-style kernels on row-major Float64Array with explicit shapes.
 *
 * Conventions follow the reference BLAS (Dongarra et al., "A set of level 3 basic linear algebra
 * subprograms", 1990) with the storage order changed to row-major: a matrix A of shape m×n holds
 * A[i][j] at A[i*n + j]. `trans = true` means op(A) = Aᵀ, where A keeps its stored shape.
 *
 * No kernel allocates except the convenience constructors (`matmul`, `eye`, `transpose` without
 * `out`), so solvers can call them in hot loops.
 */

/** xᵀy over the first n entries (default: all of x). Four accumulators break the add chain. */
export function dot(x: Float64Array, y: Float64Array, n = x.length): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < n; i += 4) {
    s0 += x[i] * y[i]
    s1 += x[i + 1] * y[i + 1]
    s2 += x[i + 2] * y[i + 2]
    s3 += x[i + 3] * y[i + 3]
  }
  for (; i < n; i++) s0 += x[i] * y[i]
  return s0 + s1 + (s2 + s3)
}

/** y += alpha·x (in place; returns y). */
export function axpy(alpha: number, x: Float64Array, y: Float64Array): Float64Array {
  const n = x.length
  for (let i = 0; i < n; i++) y[i] += alpha * x[i]
  return y
}

/** x *= alpha (in place; returns x). */
export function scal(alpha: number, x: Float64Array): Float64Array {
  for (let i = 0; i < x.length; i++) x[i] *= alpha
  return x
}

/**
 * Euclidean norm without overflow or underflow: the scaled sum of squares of LAPACK's dnrm2
 * (Hammarling's algorithm), so that nrm2([1e200, 1e200]) is finite.
 */
export function nrm2(x: Float64Array): number {
  let scale = 0
  let ssq = 1
  for (let i = 0; i < x.length; i++) {
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

/** Frobenius norm of a matrix stored in any layout (the 2-norm of its entries). */
export function frobNorm(A: Float64Array): number {
  return nrm2(A)
}

/**
 * y = alpha·op(A)·x + beta·y, with A stored m×n. For trans = false, x has n entries and y has m;
 * for trans = true, x has m and y has n. beta = 0 overwrites y (NaN in y does not propagate),
 * as in the reference BLAS.
 */
export function gemv(
  trans: boolean,
  m: number,
  n: number,
  alpha: number,
  A: Float64Array,
  x: Float64Array,
  beta: number,
  y: Float64Array,
): Float64Array {
  const ylen = trans ? n : m
  if (beta === 0) y.fill(0, 0, ylen)
  else if (beta !== 1) for (let i = 0; i < ylen; i++) y[i] *= beta
  if (alpha === 0) return y
  if (!trans) {
    // Row i of A is contiguous: one dot product per output entry.
    for (let i = 0; i < m; i++) {
      const row = i * n
      let s0 = 0
      let s1 = 0
      let j = 0
      for (; j + 1 < n; j += 2) {
        s0 += A[row + j] * x[j]
        s1 += A[row + j + 1] * x[j + 1]
      }
      if (j < n) s0 += A[row + j] * x[j]
      y[i] += alpha * (s0 + s1)
    }
  } else {
    // Aᵀx = Σ_i x_i · row_i(A): stream rows of A into y (saxpy form, contiguous access).
    for (let i = 0; i < m; i++) {
      const xi = alpha * x[i]
      if (xi === 0) continue
      const row = i * n
      for (let j = 0; j < n; j++) y[j] += xi * A[row + j]
    }
  }
  return y
}

/** Scale the m×n matrix C by beta, with beta = 0 meaning "overwrite" (BLAS semantics). */
function scaleOutput(C: Float64Array, len: number, beta: number): void {
  if (beta === 0) C.fill(0, 0, len)
  else if (beta !== 1) for (let i = 0; i < len; i++) C[i] *= beta
}

/** Column block width for gemm: a k×KC panel of B stays in L1/L2 while rows of A stream past. */
const GEMM_KC = 128

/**
 * C = alpha·op(A)·op(B) + beta·C with C m×n, op(A) m×k, op(B) k×n. Stored shapes: A is m×k
 * (or k×m when transA), B is k×n (or n×k when transB).
 *
 * The NN case runs the i-k-j order (contiguous rows of B and C in the inner loop), blocked over
 * k so that a panel of B is reused from cache, and unrolled over four rows of A so that each
 * loaded entry of B serves four multiply-adds. The transposed cases are arranged so that the
 * inner loop is contiguous as well.
 */
export function gemm(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  B: Float64Array,
  beta: number,
  C: Float64Array,
): Float64Array {
  scaleOutput(C, m * n, beta)
  if (alpha === 0 || k === 0) return C
  if (!transB) {
    // op(A)[i][p] = A[i*k + p] (NN) or A[p*m + i] (TN).
    const aRow = transA ? 1 : k
    const aCol = transA ? m : 1
    for (let p0 = 0; p0 < k; p0 += GEMM_KC) {
      const p1 = Math.min(k, p0 + GEMM_KC)
      let i = 0
      for (; i + 3 < m; i += 4) {
        const c0 = i * n
        const c1 = c0 + n
        const c2 = c1 + n
        const c3 = c2 + n
        for (let p = p0; p < p1; p++) {
          const ap = p * aCol
          const a0 = alpha * A[i * aRow + ap]
          const a1 = alpha * A[(i + 1) * aRow + ap]
          const a2 = alpha * A[(i + 2) * aRow + ap]
          const a3 = alpha * A[(i + 3) * aRow + ap]
          const b = p * n
          for (let j = 0; j < n; j++) {
            const bj = B[b + j]
            C[c0 + j] += a0 * bj
            C[c1 + j] += a1 * bj
            C[c2 + j] += a2 * bj
            C[c3 + j] += a3 * bj
          }
        }
      }
      for (; i < m; i++) {
        const c0 = i * n
        for (let p = p0; p < p1; p++) {
          const a0 = alpha * A[i * aRow + p * aCol]
          if (a0 === 0) continue
          const b = p * n
          for (let j = 0; j < n; j++) C[c0 + j] += a0 * B[b + j]
        }
      }
    }
    return C
  }
  // op(B) = Bᵀ with B stored n×k: C[i][j] = Σ_p op(A)[i][p]·B[j][p], a dot product of two rows
  // when A is not transposed. Blocking 2×2 output entries reuses each loaded entry twice.
  if (!transA) {
    let i = 0
    for (; i + 1 < m; i += 2) {
      const a0 = i * k
      const a1 = a0 + k
      let j = 0
      for (; j + 1 < n; j += 2) {
        const b0 = j * k
        const b1 = b0 + k
        let s00 = 0
        let s01 = 0
        let s10 = 0
        let s11 = 0
        for (let p = 0; p < k; p++) {
          const x0 = A[a0 + p]
          const x1 = A[a1 + p]
          const y0 = B[b0 + p]
          const y1 = B[b1 + p]
          s00 += x0 * y0
          s01 += x0 * y1
          s10 += x1 * y0
          s11 += x1 * y1
        }
        C[i * n + j] += alpha * s00
        C[i * n + j + 1] += alpha * s01
        C[(i + 1) * n + j] += alpha * s10
        C[(i + 1) * n + j + 1] += alpha * s11
      }
      for (; j < n; j++) {
        const b0 = j * k
        let s0 = 0
        let s1 = 0
        for (let p = 0; p < k; p++) {
          s0 += A[a0 + p] * B[b0 + p]
          s1 += A[a1 + p] * B[b0 + p]
        }
        C[i * n + j] += alpha * s0
        C[(i + 1) * n + j] += alpha * s1
      }
    }
    for (; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0
        for (let p = 0; p < k; p++) s += A[i * k + p] * B[j * k + p]
        C[i * n + j] += alpha * s
      }
    }
    return C
  }
  // TT: C = alpha·Aᵀ·Bᵀ = alpha·(B·A)ᵀ. A is k×m, B is n×k. C[i][j] = Σ_p A[p][i]·B[j][p].
  // Loop p outermost, stream row p of A (contiguous in i): C[:, j] += B[j][p]·A[p, :].
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) {
      const b = alpha * B[j * k + p]
      if (b === 0) continue
      const a = p * m
      for (let i = 0; i < m; i++) C[i * n + j] += b * A[a + i]
    }
  }
  return C
}

/**
 * Symmetric rank-k update C = alpha·op(A)·op(A)ᵀ + beta·C with C n×n. trans = false: A is n×k
 * and C = alpha·A·Aᵀ + beta·C; trans = true: A is k×n and C = alpha·Aᵀ·A + beta·C. C must be
 * symmetric on entry when beta ≠ 0; both triangles are written (the upper triangle is computed
 * and mirrored), so C stays a plain symmetric matrix.
 */
export function syrk(
  trans: boolean,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  beta: number,
  C: Float64Array,
): Float64Array {
  scaleOutput(C, n * n, beta)
  if (alpha === 0 || k === 0) return C
  if (!trans) {
    for (let i = 0; i < n; i++) {
      const ai = i * k
      for (let j = i; j < n; j++) {
        const v = alpha * dotAt(A, ai, A, j * k, k)
        C[i * n + j] += v
        if (j !== i) C[j * n + i] += v
      }
    }
    return C
  }
  // AᵀA = Σ_p a_p a_pᵀ over rows a_p of A: rank-one updates with contiguous access, upper half.
  for (let p = 0; p < k; p++) {
    const row = p * n
    for (let i = 0; i < n; i++) {
      const a = alpha * A[row + i]
      if (a === 0) continue
      const ci = i * n
      for (let j = i; j < n; j++) C[ci + j] += a * A[row + j]
    }
  }
  // Mirror the accumulated upper triangle.
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) C[j * n + i] = C[i * n + j]
  return C
}

/** Σ_p x[xo + p]·y[yo + p] for p < len: a dot product between slices. */
export function dotAt(x: Float64Array, xo: number, y: Float64Array, yo: number, len: number): number {
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let p = 0
  for (; p + 3 < len; p += 4) {
    s0 += x[xo + p] * y[yo + p]
    s1 += x[xo + p + 1] * y[yo + p + 1]
    s2 += x[xo + p + 2] * y[yo + p + 2]
    s3 += x[xo + p + 3] * y[yo + p + 3]
  }
  for (; p < len; p++) s0 += x[xo + p] * y[yo + p]
  return s0 + s1 + (s2 + s3)
}

/** Rank-one update A += alpha·x·yᵀ, A stored x.length × y.length (BLAS dger). */
export function outer(alpha: number, x: Float64Array, y: Float64Array, A: Float64Array): Float64Array {
  const m = x.length
  const n = y.length
  for (let i = 0; i < m; i++) {
    const a = alpha * x[i]
    if (a === 0) continue
    const row = i * n
    for (let j = 0; j < n; j++) A[row + j] += a * y[j]
  }
  return A
}

/** The n×m transpose of the m×n matrix A, into `out` when given (must not alias A). */
export function transpose(A: Float64Array, m: number, n: number, out: Float64Array = new Float64Array(m * n)): Float64Array {
  if (out === A && m * n > 1) throw new Error('transpose: out must not alias A')
  // 32×32 tiles keep both the read and the write side in cache for large matrices.
  const T = 32
  for (let i0 = 0; i0 < m; i0 += T) {
    const i1 = Math.min(m, i0 + T)
    for (let j0 = 0; j0 < n; j0 += T) {
      const j1 = Math.min(n, j0 + T)
      for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) out[j * m + i] = A[i * n + j]
    }
  }
  return out
}

/** A new m×n matrix A·B for A m×k and B k×n. */
export function matmul(A: Float64Array, B: Float64Array, m: number, k: number, n: number): Float64Array {
  if (A.length < m * k || B.length < k * n) throw new RangeError(`matmul: shapes ${m}×${k} · ${k}×${n} exceed the arrays`)
  return gemm(false, false, m, n, k, 1, A, B, 0, new Float64Array(m * n))
}

/** The n×n identity. */
export function eye(n: number): Float64Array {
  const I = new Float64Array(n * n)
  for (let i = 0; i < n; i++) I[i * n + i] = 1
  return I
}
