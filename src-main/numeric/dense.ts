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
import { GEMM_PANEL_DEPTH, gemmDirectWasm, gemmWasm, gemvWasm } from './wasm-simd'

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

/** out = alpha·x + beta·y (BLAS-style waxpby); out may alias x or y. */
export function waxpby(alpha: number, x: Float64Array, beta: number, y: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = alpha * x[i] + beta * y[i]
  return out
}

/** out = x ⊙ y (elementwise product); out may alias x or y. */
export function hadamard(x: Float64Array, y: Float64Array, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = x[i] * y[i]
  return out
}

/**
 * out[i] = f(x[i], i) without allocating (out may be x). Keep f monomorphic at each call site so
 * V8 inlines it into the loop.
 */
export function mapInto(out: Float64Array, x: Float64Array, f: (v: number, i: number) => number): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = f(x[i], i)
  return out
}

/** out[i] = f(x[i], y[i], i) without allocating (out may alias x or y). */
export function zipInto(out: Float64Array, x: Float64Array, y: Float64Array, f: (a: number, b: number, i: number) => number): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = f(x[i], y[i], i)
  return out
}

/** max_i |x_i| (the ∞-norm; 0 for an empty vector, NaN if any entry is NaN). */
export function amax(x: Float64Array): number {
  let m = 0
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i])
    if (a > m || a !== a) m = a
  }
  return m
}

/** Σ x_i. */
export function sum(x: Float64Array): number {
  let s0 = 0
  let s1 = 0
  let i = 0
  for (; i + 1 < x.length; i += 2) {
    s0 += x[i]
    s1 += x[i + 1]
  }
  if (i < x.length) s0 += x[i]
  return s0 + s1
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
  // From 256 entries on, the same loops in wasm SIMD (bit-identical; 2–3× faster, including the
  // copies into wasm memory); below, the copies and the call cost more than they save.
  if (m * n >= GEMV_WASM_MIN && gemvWasm(trans, m, n, alpha, A, x, y)) return y
  return gemvScalar(trans, m, n, alpha, A, x, y)
}

/** Entries of A from which `gemv` runs in wasm SIMD. */
const GEMV_WASM_MIN = 256

/** `gemv`'s scalar JavaScript loops (y already scaled by beta): the fallback, and the reference for the wasm path. */
export function gemvScalar(trans: boolean, m: number, n: number, alpha: number, A: Float64Array, x: Float64Array, y: Float64Array): Float64Array {
  if (!trans) {
    // Row i of A is contiguous: one dot product per output entry. Four rows at a time share each
    // load of x (eight running sums); every row keeps its own two-sum order, so the result is the
    // same as one row at a time.
    let i = 0
    for (; i + 3 < m; i += 4) {
      const r0 = i * n
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      let a0 = 0, a1 = 0, b0 = 0, b1 = 0, c0 = 0, c1 = 0, d0 = 0, d1 = 0
      let j = 0
      for (; j + 1 < n; j += 2) {
        const x0 = x[j]
        const x1 = x[j + 1]
        a0 += A[r0 + j] * x0
        a1 += A[r0 + j + 1] * x1
        b0 += A[r1 + j] * x0
        b1 += A[r1 + j + 1] * x1
        c0 += A[r2 + j] * x0
        c1 += A[r2 + j + 1] * x1
        d0 += A[r3 + j] * x0
        d1 += A[r3 + j + 1] * x1
      }
      if (j < n) {
        const xj = x[j]
        a0 += A[r0 + j] * xj
        b0 += A[r1 + j] * xj
        c0 += A[r2 + j] * xj
        d0 += A[r3 + j] * xj
      }
      y[i] += alpha * (a0 + a1)
      y[i + 1] += alpha * (b0 + b1)
      y[i + 2] += alpha * (c0 + c1)
      y[i + 3] += alpha * (d0 + d1)
    }
    for (; i < m; i++) {
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
    // Aᵀx = Σ_i x_i · row_i(A): stream rows of A into y (saxpy form, contiguous access). Four
    // rows per pass over y when their x_i are all nonzero: y[j] gets the same four additions in
    // the same order, with a quarter of the loads and stores of y.
    let i = 0
    for (; i + 3 < m; i += 4) {
      const x0 = alpha * x[i]
      const x1 = alpha * x[i + 1]
      const x2 = alpha * x[i + 2]
      const x3 = alpha * x[i + 3]
      const r0 = i * n
      if (x0 === 0 || x1 === 0 || x2 === 0 || x3 === 0) {
        // A zero x_i skips its row (0·Inf would be NaN): these four one at a time.
        for (let r = 0; r < 4; r++) {
          const xi = alpha * x[i + r]
          if (xi === 0) continue
          const row = r0 + r * n
          for (let j = 0; j < n; j++) y[j] += xi * A[row + j]
        }
        continue
      }
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      for (let j = 0; j < n; j++) y[j] = y[j] + x0 * A[r0 + j] + x1 * A[r1 + j] + x2 * A[r2 + j] + x3 * A[r3 + j]
    }
    for (; i < m; i++) {
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

/**
 * Panel depth for the packed gemm: a KC×4 strip of op(B) (8 KiB) and a 4×KC strip of op(A) stay
 * in L1 while the 4×4 register block accumulates over them. Shared with the wasm kernel.
 */
const GEMM_KC = GEMM_PANEL_DEPTH
/** Below this many multiply-adds the packing overhead outweighs the blocking. */
const GEMM_PACK_MIN = 24 * 24 * 24

// Packing buffers, grown on demand and reused: gemm allocates nothing in steady state.
const packedA = new Float64Array(4 * GEMM_KC)
let packedB = new Float64Array(GEMM_KC * 64)

/**
 * C = alpha·op(A)·op(B) + beta·C with C m×n, op(A) m×k, op(B) k×n. Stored shapes: A is m×k
 * (or k×m when transA), B is k×n (or n×k when transB).
 *
 * Large products follow the GotoBLAS scheme (Goto & van de Geijn, "Anatomy of high-performance
 * matrix multiplication", ACM TOMS 34(3), 2008) scaled down to what V8 keeps in registers:
 * op(B) is packed per KC-deep panel into 4-column strips, op(A) into 4-row strips, and a 4×4
 * block of C is accumulated in 16 scalar locals across the panel (16 multiply-adds per 8
 * loads). Packing absorbs the transpositions, so all four cases share one kernel. The inner
 * panel product runs in WebAssembly SIMD where available (wasm-gemm.ts: 4–6× faster, and
 * bit-identical to the scalar kernel). Small products use direct loops (i-k-j for NN).
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
  if (alpha === 0 || k === 0 || m === 0 || n === 0) return C
  if (m * n * k >= GEMM_PACK_MIN && m >= 4 && n >= 4) {
    const [ars, acs, brs, bcs] = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1]
    // beta = 0 has just zeroed C: the wasm path need not copy it in.
    if (!gemmWasm(m, n, k, alpha, A, 0, ars, acs, B, 0, brs, bcs, C, 0, n, beta === 0)) gemmPacked(m, n, k, alpha, A, 0, ars, acs, B, 0, brs, bcs, C, 0, n)
    return C
  }
  gemmDirect(transA, transB, m, n, k, alpha, A, B, C)
  return C
}

/**
 * C[cOff + i·ldc + j] += alpha·Σ_p A[aOff + i·ars + p·acs]·B[bOff + p·brs + j·bcs] for i < m, j < n:
 * the packed gemm on strided submatrices, for blocked factorisations that update a trailing
 * block in place. The three regions must not overlap (A and B may share an array with C).
 *
 * With `overwrite`, C's block is replaced (C = alpha·A·B, as if zeroed first) and never read: the
 * wasm path then skips copying C in, which is most of its staging for a small layer product.
 */
export function gemmStrided(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float64Array,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  overwrite = false,
): void {
  if (m === 0 || n === 0) return
  if (alpha === 0 || k === 0) {
    if (overwrite) zeroBlock(C, cOff, ldc, m, n)
    return
  }
  // gemmWasm returns false before touching C when it cannot run
  if (gemmWasm(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc, overwrite)) return
  if (overwrite) zeroBlock(C, cOff, ldc, m, n)
  gemmPacked(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc)
}

/** C[cOff + i·ldc + j] = 0 for i < m, j < n */
function zeroBlock(C: Float64Array, cOff: number, ldc: number, m: number, n: number): void {
  if (ldc === n) C.fill(0, cOff, cOff + m * n)
  else for (let i = 0; i < m; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + n)
}

/** `gemmStrided` forced onto the scalar JavaScript kernel (the fallback; for tests and benches). */
export function gemmStridedScalar(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float64Array,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  if (alpha === 0 || k === 0 || m === 0 || n === 0) return
  gemmPacked(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc)
}

/** The packed kernel: C[cOff + i·ldc + j] += alpha·op(A)[i][p]·op(B)[p][j] with op given by offsets and strides. */
function gemmPacked(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float64Array,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
): void {
  const nb = (n + 3) >> 2
  if (packedB.length < GEMM_KC * nb * 4) packedB = new Float64Array(GEMM_KC * nb * 4)
  const pB = packedB
  const pA = packedA
  for (let p0 = 0; p0 < k; p0 += GEMM_KC) {
    const kc = Math.min(GEMM_KC, k - p0)
    // Pack op(B)[p0 .. p0+kc) into strips of 4 columns, p-major, zero-padded at the right edge.
    for (let jb = 0; jb < nb; jb++) {
      const j = jb * 4
      const w = Math.min(4, n - j)
      const base = jb * kc * 4
      for (let p = 0; p < kc; p++) {
        const src = bOff + (p0 + p) * brs + j * bcs
        const dst = base + p * 4
        if (w === 4) {
          pB[dst] = B[src]
          pB[dst + 1] = B[src + bcs]
          pB[dst + 2] = B[src + 2 * bcs]
          pB[dst + 3] = B[src + 3 * bcs]
        } else {
          for (let q = 0; q < 4; q++) pB[dst + q] = q < w ? B[src + q * bcs] : 0
        }
      }
    }
    for (let i = 0; i < m; i += 4) {
      const h = Math.min(4, m - i)
      // Pack alpha·op(A)[i .. i+4)[p0 .. p0+kc) p-major, zero-padded at the bottom edge.
      for (let r = 0; r < 4; r++) {
        if (r < h) {
          const src = aOff + (i + r) * ars + p0 * acs
          for (let p = 0; p < kc; p++) pA[p * 4 + r] = alpha * A[src + p * acs]
        } else {
          for (let p = 0; p < kc; p++) pA[p * 4 + r] = 0
        }
      }
      for (let jb = 0; jb < nb; jb++) {
        const base = jb * kc * 4
        let c00 = 0, c01 = 0, c02 = 0, c03 = 0
        let c10 = 0, c11 = 0, c12 = 0, c13 = 0
        let c20 = 0, c21 = 0, c22 = 0, c23 = 0
        let c30 = 0, c31 = 0, c32 = 0, c33 = 0
        for (let p = 0; p < kc; p++) {
          const a = p * 4
          const b = base + a
          const a0 = pA[a]
          const a1 = pA[a + 1]
          const a2 = pA[a + 2]
          const a3 = pA[a + 3]
          const b0 = pB[b]
          const b1 = pB[b + 1]
          const b2 = pB[b + 2]
          const b3 = pB[b + 3]
          c00 += a0 * b0
          c01 += a0 * b1
          c02 += a0 * b2
          c03 += a0 * b3
          c10 += a1 * b0
          c11 += a1 * b1
          c12 += a1 * b2
          c13 += a1 * b3
          c20 += a2 * b0
          c21 += a2 * b1
          c22 += a2 * b2
          c23 += a2 * b3
          c30 += a3 * b0
          c31 += a3 * b1
          c32 += a3 * b2
          c33 += a3 * b3
        }
        const j = jb * 4
        const w = Math.min(4, n - j)
        if (h === 4 && w === 4) {
          let o = cOff + i * ldc + j
          C[o] += c00
          C[o + 1] += c01
          C[o + 2] += c02
          C[o + 3] += c03
          o += ldc
          C[o] += c10
          C[o + 1] += c11
          C[o + 2] += c12
          C[o + 3] += c13
          o += ldc
          C[o] += c20
          C[o + 1] += c21
          C[o + 2] += c22
          C[o + 3] += c23
          o += ldc
          C[o] += c30
          C[o + 1] += c31
          C[o + 2] += c32
          C[o + 3] += c33
        } else {
          const block = [c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33]
          for (let r = 0; r < h; r++) for (let q = 0; q < w; q++) C[cOff + (i + r) * ldc + j + q] += block[r * 4 + q]
        }
      }
    }
  }
}

/** Multiply-adds from which `gemmDirect` runs in wasm (below, the copies cost more: 4³ takes 0.22 µs in JS, 0.3 µs in wasm). */
const GEMM_DIRECT_WASM_MIN = 256

/**
 * Direct loops for small products, each arranged for a contiguous inner loop. From 256
 * multiply-adds on, the same loops run in wasm SIMD (wasm-simd.ts `gemmDirectWasm`: each entry
 * gets the same operations in the same order, bit-identical; 5–10× faster at 16³).
 */
function gemmDirect(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  if (m * n * k >= GEMM_DIRECT_WASM_MIN && gemmDirectWasm(transA, transB, m, n, k, alpha, A, B, C)) return
  gemmDirectScalar(transA, transB, m, n, k, alpha, A, B, C)
}

function gemmDirectScalar(transA: boolean, transB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, B: Float64Array, C: Float64Array): void {
  if (!transB) {
    // i-k-j: C[i, :] += alpha·op(A)[i][p]·B[p, :], rows of B and C contiguous.
    const aRow = transA ? 1 : k
    const aCol = transA ? m : 1
    for (let i = 0; i < m; i++) {
      const c0 = i * n
      for (let p = 0; p < k; p++) {
        const a0 = alpha * A[i * aRow + p * aCol]
        if (a0 === 0) continue
        const b = p * n
        for (let j = 0; j < n; j++) C[c0 + j] += a0 * B[b + j]
      }
    }
    return
  }
  if (!transA) {
    // A·Bᵀ: C[i][j] = ⟨row i of A, row j of B⟩.
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[i * n + j] += alpha * dotAt(A, i * k, B, j * k, k)
    return
  }
  // Aᵀ·Bᵀ with A k×m and B n×k: C[i][j] = Σ_p A[p][i]·B[j][p].
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) {
      const b = alpha * B[j * k + p]
      if (b === 0) continue
      const a = p * m
      for (let i = 0; i < m; i++) C[i * n + j] += b * A[a + i]
    }
  }
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
  if (n * n * k >= GEMM_PACK_MIN && n >= 4) {
    // The full product through the packed (SIMD) gemm: twice the flops of one triangle but several
    // times faster. alpha is folded into one factor, so (i, j) and (j, i) can differ in the last
    // bit: mirror the upper triangle to keep C exactly symmetric.
    if (trans) gemmStrided(n, n, k, alpha, A, 0, 1, n, A, 0, n, 1, C, 0, n)
    else gemmStrided(n, n, k, alpha, A, 0, k, 1, A, 0, 1, k, C, 0, n)
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) C[j * n + i] = C[i * n + j]
    return C
  }
  // Small: the full product through gemm's direct loops in wasm. Each entry of the triangle kept
  // gets exactly the operations of the one-triangle loops below: A·Aᵀ's entries are dotAt's dot
  // products either way round; AᵀA's upper triangle gets the same rank-one terms and is mirrored.
  if (n * n * k >= GEMM_DIRECT_WASM_MIN && gemmDirectWasm(trans, !trans, n, n, k, alpha, A, A, C)) {
    if (trans) for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) C[j * n + i] = C[i * n + j]
    return C
  }
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

/**
 * Every row of Z (rows × n, row-major) ← src[off .. off + n): a bias broadcast. The first row is
 * copied, then native copies double the filled part.
 */
export function broadcastRow(Z: Float64Array, rows: number, n: number, src: Float64Array, off = 0): void {
  if (rows === 0) return
  Z.set(src.subarray(off, off + n), 0)
  const len = rows * n
  for (let done = n; done < len; done *= 2) Z.copyWithin(done, 0, Math.min(done, len - done))
}

/**
 * out[off + j] += Σ_i D[i·n + j] over the rows of D (rows × n, row-major), i ascending: a bias
 * gradient. Four columns at a time in locals.
 */
export function addColumnSums(D: Float64Array, rows: number, n: number, out: Float64Array, off = 0): void {
  const n4 = n & ~3
  addColumnSums4(D, rows, n, n4, out, off)
  for (let j = n4; j < n; j++) {
    let s = out[off + j]
    for (let i = 0; i < rows; i++) s += D[i * n + j]
    out[off + j] = s
  }
}

/** `addColumnSums` on the columns j < n4 (a multiple of 4); a function of its own so that V8 keeps the four sums in registers. */
function addColumnSums4(D: Float64Array, rows: number, n: number, n4: number, out: Float64Array, off: number): void {
  const end = rows * n
  for (let j = 0; j < n4; j += 4) {
    let s0 = out[off + j]
    let s1 = out[off + j + 1]
    let s2 = out[off + j + 2]
    let s3 = out[off + j + 3]
    for (let o = j; o < end; o += n) {
      s0 += D[o]
      s1 += D[o + 1]
      s2 += D[o + 2]
      s3 += D[o + 3]
    }
    out[off + j] = s0
    out[off + j + 1] = s1
    out[off + j + 2] = s2
    out[off + j + 3] = s3
  }
}

/**
 * a[t] = relu(z[t]) = z·[z > 0] for t < n (a may be z), without a branch on the sign (one
 * mispredicts half the time on a ReLU pattern; Math.max was slower too): a negative z gives −0,
 * which no sum it later enters can tell from +0, and NaN stays NaN. Four entries per iteration
 * (independent loads and stores).
 */
export function reluInto(z: Float64Array, a: Float64Array, n: number): void {
  const n4 = n & ~3
  let t = 0
  for (; t < n4; t += 4) {
    const v0 = z[t]
    const v1 = z[t + 1]
    const v2 = z[t + 2]
    const v3 = z[t + 3]
    a[t] = v0 * +(v0 > 0)
    a[t + 1] = v1 * +(v1 > 0)
    a[t + 2] = v2 * +(v2 > 0)
    a[t + 3] = v3 * +(v3 > 0)
  }
  for (; t < n; t++) {
    const v = z[t]
    a[t] = v * +(v > 0)
  }
}

/**
 * The ReLU backward of a dense layer fused with its bias gradient: D ⊙= [A > 0] (D, A: rows × n,
 * row-major; the mask as a product with 0 or 1, no branch on the sign) and out[off + j] += Σ_i of
 * the masked D[i, j], rows ascending: `addColumnSums` of the masked D, to the bit, in one pass
 * (D stays in L1). Four columns at a time: four independent chains of additions.
 */
export function reluMaskAddColumnSums(D: Float64Array, A: Float64Array, rows: number, n: number, out: Float64Array, off = 0): void {
  const n4 = n & ~3
  const end = rows * n
  for (let j = 0; j < n4; j += 4) {
    let s0 = out[off + j]
    let s1 = out[off + j + 1]
    let s2 = out[off + j + 2]
    let s3 = out[off + j + 3]
    for (let o = j; o < end; o += n) {
      const x0 = D[o] * +(A[o] > 0)
      const x1 = D[o + 1] * +(A[o + 1] > 0)
      const x2 = D[o + 2] * +(A[o + 2] > 0)
      const x3 = D[o + 3] * +(A[o + 3] > 0)
      D[o] = x0
      D[o + 1] = x1
      D[o + 2] = x2
      D[o + 3] = x3
      s0 += x0
      s1 += x1
      s2 += x2
      s3 += x3
    }
    out[off + j] = s0
    out[off + j + 1] = s1
    out[off + j + 2] = s2
    out[off + j + 3] = s3
  }
  for (let j = n4; j < n; j++) {
    let s = out[off + j]
    for (let o = j; o < end; o += n) {
      const x = D[o] * +(A[o] > 0)
      D[o] = x
      s += x
    }
    out[off + j] = s
  }
}
