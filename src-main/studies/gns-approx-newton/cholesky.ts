/**
 * Cholesky factorisation and solves for the regularised Newton systems (H + λB)Δ = −g of
 * Algorithm 1. Allocation-free: the factor is written into a caller-owned buffer, so the inner
 * γ-search (up to 40 factorisations per iteration) never allocates.
 */
import { WasmCholesky } from './wasmKernels'

/**
 * Factor the symmetric matrix M (row-major n×n, only the lower triangle read) as M = L·Lᵀ,
 * writing L into `L` (lower triangle; the strict upper triangle is left untouched and unused).
 * With B given, the matrix factored is M + λ·B, each entry M[i, j] + λ·B[i, j] formed where it is
 * first read (Algorithm 1's H + λB without writing it out). Returns false when a pivot is not
 * positive (not numerically positive definite), which the caller treats like
 * `scipy.linalg.cho_factor` raising LinAlgError.
 *
 * Cholesky–Crout, column by column: L[i, j] = (M[i, j] − Σ_{k<j} L[i, k]·L[j, k]) / L[j, j], each
 * sum over k in increasing order. Columns are taken two at a time and rows four at a time, so one
 * pass over L[i, 0..j) feeds eight independent sums (the 4×2 block of columns j and j + 1); the
 * last term of column j + 1's sum (k = j) is subtracted once L[i, j] is known. Every sum is the
 * same sequence of operations as the plain one-entry-at-a-time loop, so L is the same to the bit.
 */
export function choleskyInto(M: Float64Array, L: Float64Array, n: number, lambda = 0, B: Float64Array | null = null): boolean {
  let j = 0
  for (; j + 1 < n; j += 2) {
    const rj = j * n
    const rj1 = rj + n
    // pivot j, then L[j + 1, j], then pivot j + 1 (its sum ends with the k = j term)
    let d = B ? M[rj + j] + lambda * B[rj + j] : M[rj + j]
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k]
    if (!(d > 0)) return false
    const ljj = Math.sqrt(d)
    L[rj + j] = ljj
    const inv = 1 / ljj
    let e = B ? M[rj1 + j] + lambda * B[rj1 + j] : M[rj1 + j]
    for (let k = 0; k < j; k++) e -= L[rj1 + k] * L[rj + k]
    const lj1j = e * inv
    L[rj1 + j] = lj1j
    let d1 = B ? M[rj1 + j + 1] + lambda * B[rj1 + j + 1] : M[rj1 + j + 1]
    for (let k = 0; k <= j; k++) d1 -= L[rj1 + k] * L[rj1 + k]
    if (!(d1 > 0)) return false
    const lj1 = Math.sqrt(d1)
    L[rj1 + j + 1] = lj1
    const inv1 = 1 / lj1
    let i = j + 2
    for (; i + 3 < n; i += 4) {
      const r0 = i * n
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      let a0 = B ? M[r0 + j] + lambda * B[r0 + j] : M[r0 + j]
      let a1 = B ? M[r1 + j] + lambda * B[r1 + j] : M[r1 + j]
      let a2 = B ? M[r2 + j] + lambda * B[r2 + j] : M[r2 + j]
      let a3 = B ? M[r3 + j] + lambda * B[r3 + j] : M[r3 + j]
      let b0 = B ? M[r0 + j + 1] + lambda * B[r0 + j + 1] : M[r0 + j + 1]
      let b1 = B ? M[r1 + j + 1] + lambda * B[r1 + j + 1] : M[r1 + j + 1]
      let b2 = B ? M[r2 + j + 1] + lambda * B[r2 + j + 1] : M[r2 + j + 1]
      let b3 = B ? M[r3 + j + 1] + lambda * B[r3 + j + 1] : M[r3 + j + 1]
      for (let k = 0; k < j; k++) {
        const u = L[rj + k]
        const v = L[rj1 + k]
        const l0 = L[r0 + k]
        const l1 = L[r1 + k]
        const l2 = L[r2 + k]
        const l3 = L[r3 + k]
        a0 -= l0 * u
        a1 -= l1 * u
        a2 -= l2 * u
        a3 -= l3 * u
        b0 -= l0 * v
        b1 -= l1 * v
        b2 -= l2 * v
        b3 -= l3 * v
      }
      const c0 = a0 * inv
      const c1 = a1 * inv
      const c2 = a2 * inv
      const c3 = a3 * inv
      L[r0 + j] = c0
      L[r1 + j] = c1
      L[r2 + j] = c2
      L[r3 + j] = c3
      L[r0 + j + 1] = (b0 - c0 * lj1j) * inv1
      L[r1 + j + 1] = (b1 - c1 * lj1j) * inv1
      L[r2 + j + 1] = (b2 - c2 * lj1j) * inv1
      L[r3 + j + 1] = (b3 - c3 * lj1j) * inv1
    }
    for (; i < n; i++) {
      const ri = i * n
      let a = B ? M[ri + j] + lambda * B[ri + j] : M[ri + j]
      let b = B ? M[ri + j + 1] + lambda * B[ri + j + 1] : M[ri + j + 1]
      for (let k = 0; k < j; k++) {
        const l = L[ri + k]
        a -= l * L[rj + k]
        b -= l * L[rj1 + k]
      }
      const c = a * inv
      L[ri + j] = c
      L[ri + j + 1] = (b - c * lj1j) * inv1
    }
  }
  if (j < n) {
    // n odd: the last pivot alone
    const rj = j * n
    let d = B ? M[rj + j] + lambda * B[rj + j] : M[rj + j]
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k]
    if (!(d > 0)) return false
    L[rj + j] = Math.sqrt(d)
  }
  return true
}

/**
 * Solve L·y = b (forward substitution) in place on `x` (x holds b on entry, y on exit). Rows four
 * at a time: their sums over k < i side by side, then the 4×4 triangle; each row's terms are still
 * subtracted in increasing k, so y is the row-at-a-time result to the bit.
 */
export function forwardSolveInPlace(L: Float64Array, x: Float64Array, n: number): void {
  let i = 0
  for (; i + 3 < n; i += 4) {
    const r0 = i * n
    const r1 = r0 + n
    const r2 = r1 + n
    const r3 = r2 + n
    let s0 = x[i]
    let s1 = x[i + 1]
    let s2 = x[i + 2]
    let s3 = x[i + 3]
    for (let k = 0; k < i; k++) {
      const xk = x[k]
      s0 -= L[r0 + k] * xk
      s1 -= L[r1 + k] * xk
      s2 -= L[r2 + k] * xk
      s3 -= L[r3 + k] * xk
    }
    const y0 = s0 / L[r0 + i]
    s1 -= L[r1 + i] * y0
    const y1 = s1 / L[r1 + i + 1]
    s2 -= L[r2 + i] * y0
    s2 -= L[r2 + i + 1] * y1
    const y2 = s2 / L[r2 + i + 2]
    s3 -= L[r3 + i] * y0
    s3 -= L[r3 + i + 1] * y1
    s3 -= L[r3 + i + 2] * y2
    x[i] = y0
    x[i + 1] = y1
    x[i + 2] = y2
    x[i + 3] = s3 / L[r3 + i + 3]
  }
  for (; i < n; i++) {
    const ri = i * n
    let s = x[i]
    for (let k = 0; k < i; k++) s -= L[ri + k] * x[k]
    x[i] = s / L[ri + i]
  }
}

/** Solve Lᵀ·y = b (back substitution) in place on `x`. */
export function backSolveInPlace(L: Float64Array, x: Float64Array, n: number): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * x[k]
    x[i] = s / L[i * n + i]
  }
}

/** Solve (L·Lᵀ)·x = b in place on `x` (x holds b on entry). */
export function choleskySolveInPlace(L: Float64Array, x: Float64Array, n: number): void {
  forwardSolveInPlace(L, x, n)
  backSolveInPlace(L, x, n)
}

/**
 * Solve U·y = b in place on `x` for an upper-triangular U stored row-major (e.g. U = Lᵀ kept
 * transposed once), so the inner loop runs along contiguous rows.
 */
export function upperBackSolveInPlace(U: Float64Array, x: Float64Array, n: number): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n
    let s = x[i]
    for (let k = i + 1; k < n; k++) s -= U[ri + k] * x[k]
    x[i] = s / U[ri + i]
  }
}

/**
 * The factor-and-solve of Algorithm 1's systems (M + λB)·Δ = r with one n×n factor kept between
 * the two calls: the WebAssembly SIMD factorisation (wasmKernels.ts) where available, otherwise
 * choleskyInto and the two substitutions above. Both give the same bits.
 */
export class CholeskySolver {
  private readonly wasm: WasmCholesky | null
  private readonly L: Float64Array

  constructor(readonly n: number) {
    this.wasm = WasmCholesky.create(n)
    this.L = this.wasm ? new Float64Array(0) : new Float64Array(n * n)
  }

  /**
   * Factor M + λB (B null: M alone); false when not positive definite. M and B must be exactly
   * symmetric (Objective.hessian and Metric.B are): the JavaScript path reads their lower
   * triangles, the wasm path their upper ones.
   */
  factor(M: Float64Array, lambda: number, B: Float64Array | null): boolean {
    return this.wasm ? this.wasm.factor(M, lambda, B) : choleskyInto(M, this.L, this.n, lambda, B)
  }

  /** x ← (M + λB)⁻¹x with the last factor. */
  solveInPlace(x: Float64Array): void {
    if (this.wasm) this.wasm.solveInPlace(x)
    else choleskySolveInPlace(this.L, x, this.n)
  }
}
