/**
 * Eigenvalues of a symmetric matrix together with the projections Vᵀb of a few vectors onto its
 * eigenvectors, without forming V: Householder tridiagonalisation A = Q·T·Qᵀ, then the implicit
 * QL algorithm with Wilkinson shifts on T = W·Λ·Wᵀ (Golub & Van Loan, Matrix Computations, 4th ed.,
 * Alg. 8.3.1 and §8.3.5; the QL form of EISPACK's tql2). Instead of accumulating the N×N
 * eigenvector matrix V = Q·W, every reflection and rotation is applied to the requested vectors
 * only, so the cost is (4/3)N³ for the reduction plus O(N²) per vector.
 *
 * The study needs exactly this: the modes z = Vᵀ(w0 − w̄) and ε̃ = Vᵀ(Xε) of the student's
 * closed-form dynamics, and the spectrum of XXᵀ. Passing the unit vectors e_1 … e_N returns
 * Vᵀ itself (used by the tests to check A·V = V·Λ).
 */

export interface SpectralProjection {
  /** eigenvalues, ascending */
  values: Float64Array
  /** projections[r][i] = v_iᵀ b_r, where v_i is the eigenvector of values[i] */
  projections: Float64Array[]
}

/**
 * Eigen-decompose the symmetric n×n matrix `A` (row-major; only read, not modified) and project
 * `vectors` (each of length n) onto its eigenvectors. Throws if the QL iteration fails to
 * converge in 60 sweeps per eigenvalue (never seen for symmetric input).
 */
export function eigProject(A: Float64Array, n: number, vectors: readonly Float64Array[]): SpectralProjection {
  const a = Float64Array.from(A) // working copy; Householder vectors end up below the subdiagonal
  const m = vectors.length
  const rows = vectors.map((v) => {
    if (v.length !== n) throw new RangeError(`eigProject: vector of length ${v.length}, expected ${n}`)
    return Float64Array.from(v)
  })
  const d = new Float64Array(n)
  const e = new Float64Array(n) // e[i] couples i and i+1 after reduction; e[n-1] = 0
  const p = new Float64Array(n)

  // ---- Householder reduction to tridiagonal form: for column k, reflect x = A[k+1:, k] onto ∓‖x‖e₁.
  for (let k = 0; k < n - 2; k++) {
    let scale = 0
    for (let i = k + 1; i < n; i++) scale += Math.abs(a[i * n + k])
    if (scale === 0) {
      // the column is already reduced: H_k = I
      d[k] = a[k * n + k]
      e[k] = 0
      continue
    }
    let sigma = 0
    for (let i = k + 1; i < n; i++) {
      const v = a[i * n + k] / scale
      a[i * n + k] = v
      sigma += v * v
    }
    const x0 = a[(k + 1) * n + k]
    const alpha = x0 >= 0 ? -Math.sqrt(sigma) : Math.sqrt(sigma)
    // v = x − alpha·e₁ (stored in place), β = 2/(vᵀv) = 1/(sigma − alpha·x0)
    a[(k + 1) * n + k] = x0 - alpha
    const beta = 1 / (sigma - alpha * x0)
    // p = β·A₂₂·v over the trailing block (indices k+1..n-1)
    for (let i = k + 1; i < n; i++) {
      let s = 0
      const ri = i * n
      for (let j = k + 1; j < n; j++) s += a[ri + j] * a[j * n + k]
      p[i] = beta * s
    }
    // q = p − (β·vᵀp/2)·v, then A₂₂ ← A₂₂ − v·qᵀ − q·vᵀ
    let vp = 0
    for (let i = k + 1; i < n; i++) vp += a[i * n + k] * p[i]
    const K = (beta * vp) / 2
    for (let i = k + 1; i < n; i++) p[i] -= K * a[i * n + k]
    for (let i = k + 1; i < n; i++) {
      const vi = a[i * n + k]
      const qi = p[i]
      const ri = i * n
      for (let j = k + 1; j <= i; j++) {
        const upd = vi * p[j] + qi * a[j * n + k]
        a[ri + j] -= upd
        if (j !== i) a[j * n + i] -= upd
      }
    }
    d[k] = a[k * n + k]
    e[k] = alpha * scale
    // apply H_k = I − β v vᵀ to every requested vector (Qᵀb = H_{n-3}⋯H_0 b)
    for (let r = 0; r < m; r++) {
      const b = rows[r]
      let s = 0
      for (let i = k + 1; i < n; i++) s += a[i * n + k] * b[i]
      s *= beta
      for (let i = k + 1; i < n; i++) b[i] -= s * a[i * n + k]
    }
  }
  if (n >= 2) {
    d[n - 2] = a[(n - 2) * n + (n - 2)]
    e[n - 2] = a[(n - 1) * n + (n - 2)]
  }
  d[n - 1] = a[(n - 1) * n + (n - 1)]
  e[n - 1] = 0

  // ---- implicit QL with Wilkinson shifts on (d, e); rotations applied to the rows (Wᵀ·Qᵀb).
  // An off-diagonal is negligible relative to its neighbours or to the matrix scale (the second
  // test, as in EISPACK's tql2, lets clusters of zero eigenvalues, e.g. a rank-deficient XXᵀ, converge).
  let tnorm = 0
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]) + Math.abs(e[i]))
  const small = Number.EPSILON * tnorm
  for (let l = 0; l < n; l++) {
    let iter = 0
    for (;;) {
      let mm = l
      for (; mm < n - 1; mm++) {
        const dd = Math.abs(d[mm]) + Math.abs(d[mm + 1])
        if (Math.abs(e[mm]) <= Number.EPSILON * dd || Math.abs(e[mm]) <= small) break
      }
      if (mm === l) break
      if (++iter > 60) throw new Error(`eigProject: QL did not converge for eigenvalue ${l}`)
      let g = (d[l + 1] - d[l]) / (2 * e[l])
      let r = Math.hypot(g, 1)
      g = d[mm] - d[l] + e[l] / (g + (g >= 0 ? r : -r))
      let s = 1
      let c = 1
      let pp = 0
      let i = mm - 1
      for (; i >= l; i--) {
        let f = s * e[i]
        const b = c * e[i]
        r = Math.hypot(f, g)
        e[i + 1] = r
        if (r === 0) {
          d[i + 1] -= pp
          e[mm] = 0
          break
        }
        s = f / r
        c = g / r
        g = d[i + 1] - pp
        r = (d[i] - g) * s + 2 * c * b
        pp = s * r
        d[i + 1] = g + pp
        g = c * r - b
        for (let q = 0; q < m; q++) {
          const row = rows[q]
          f = row[i + 1]
          row[i + 1] = s * row[i] + c * f
          row[i] = c * row[i] - s * f
        }
      }
      if (r === 0 && i >= l) continue
      d[l] -= pp
      e[l] = g
      e[mm] = 0
    }
  }

  // ---- sort ascending, permuting the projections alike
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => d[i] - d[j])
  const values = new Float64Array(n)
  for (let i = 0; i < n; i++) values[i] = d[order[i]]
  const projections = rows.map((row) => {
    const out = new Float64Array(n)
    for (let i = 0; i < n; i++) out[i] = row[order[i]]
    return out
  })
  return { values, projections }
}
