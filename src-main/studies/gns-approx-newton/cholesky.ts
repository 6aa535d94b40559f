/**
 * Cholesky factorisation and solves for the regularised Newton systems (H + λB)Δ = −g of
 * Algorithm 1. Allocation-free: the factor is written into a caller-owned buffer, so the inner
 * γ-search (up to 40 factorisations per iteration) never allocates.
 */

/**
 * Factor the symmetric matrix M (row-major n×n, only the lower triangle read) as M = L·Lᵀ,
 * writing L into `L` (lower triangle; the strict upper triangle is left untouched and unused).
 * Returns false when a pivot is not positive (M not numerically positive definite), which the
 * caller treats like `scipy.linalg.cho_factor` raising LinAlgError.
 */
export function choleskyInto(M: Float64Array, L: Float64Array, n: number): boolean {
  for (let j = 0; j < n; j++) {
    const rj = j * n
    let d = M[rj + j]
    for (let k = 0; k < j; k++) d -= L[rj + k] * L[rj + k]
    if (!(d > 0)) return false
    const ljj = Math.sqrt(d)
    L[rj + j] = ljj
    const inv = 1 / ljj
    // Rows below the pivot four at a time: four independent sums (each over k in order, as in
    // the row-at-a-time loop, so L is the same to the bit) sharing each load of L[j, k].
    let i = j + 1
    for (; i + 3 < n; i += 4) {
      const r0 = i * n
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      let s0 = M[r0 + j]
      let s1 = M[r1 + j]
      let s2 = M[r2 + j]
      let s3 = M[r3 + j]
      for (let k = 0; k < j; k++) {
        const ljk = L[rj + k]
        s0 -= L[r0 + k] * ljk
        s1 -= L[r1 + k] * ljk
        s2 -= L[r2 + k] * ljk
        s3 -= L[r3 + k] * ljk
      }
      L[r0 + j] = s0 * inv
      L[r1 + j] = s1 * inv
      L[r2 + j] = s2 * inv
      L[r3 + j] = s3 * inv
    }
    for (; i < n; i++) {
      const ri = i * n
      let s = M[ri + j]
      for (let k = 0; k < j; k++) s -= L[ri + k] * L[rj + k]
      L[ri + j] = s * inv
    }
  }
  return true
}

/** Solve L·y = b (forward substitution) in place on `x` (x holds b on entry, y on exit). */
export function forwardSolveInPlace(L: Float64Array, x: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) {
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
