/**
 * Eigendecomposition of small symmetric k×k matrices (k ≲ 20) by the cyclic Jacobi method
 * (Golub & Van Loan, Matrix Computations, 4th ed., Alg. 8.5.3 with sym.schur2 of Alg. 8.5.1),
 * without allocation: the solver calls it on FᵀF − GᵀG and GᵀG at every iteration, so the
 * workspace is owned by one instance and reused. Jacobi is accurate to working precision in
 * every eigenvalue relative to ‖A‖, which is what the imbalance and redundant-σ plots need.
 */
export class SmallSymEig {
  /** eigenvalues, ascending, after `compute` */
  readonly values: Float64Array
  /** eigenvectors as columns (k×k row-major: column j belongs to values[j]), when requested */
  readonly vectors: Float64Array
  private readonly a: Float64Array
  private readonly v: Float64Array
  private readonly d: Float64Array
  private readonly order: Int32Array

  constructor(readonly k: number) {
    this.values = new Float64Array(k)
    this.vectors = new Float64Array(k * k)
    this.a = new Float64Array(k * k)
    this.v = new Float64Array(k * k)
    this.d = new Float64Array(k)
    this.order = new Int32Array(k)
  }

  /** Decompose the symmetric k×k matrix A (row-major; A is not modified). */
  compute(A: Float64Array, wantVectors = false): this {
    const k = this.k
    const a = this.a
    const v = this.v
    a.set(A.subarray(0, k * k))
    if (wantVectors) {
      v.fill(0)
      for (let i = 0; i < k; i++) v[i * k + i] = 1
    }
    let total = 0
    for (let i = 0; i < k * k; i++) total += a[i] * a[i]
    const tol = total * 1e-32
    for (let sweep = 0; sweep < 60; sweep++) {
      let off = 0
      for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q] * a[p * k + q]
      if (off <= tol) break
      for (let p = 0; p < k - 1; p++) {
        for (let q = p + 1; q < k; q++) {
          const apq = a[p * k + q]
          if (apq === 0) continue
          // sym.schur2: the rotation J(p, q, θ) with JᵀAJ zero at (p, q)
          const tau = (a[q * k + q] - a[p * k + p]) / (2 * apq)
          const t = tau >= 0 ? 1 / (tau + Math.sqrt(1 + tau * tau)) : -1 / (-tau + Math.sqrt(1 + tau * tau))
          const c = 1 / Math.sqrt(1 + t * t)
          const s = t * c
          for (let r = 0; r < k; r++) {
            const arp = a[r * k + p]
            const arq = a[r * k + q]
            a[r * k + p] = c * arp - s * arq
            a[r * k + q] = s * arp + c * arq
          }
          for (let r = 0; r < k; r++) {
            const apr = a[p * k + r]
            const aqr = a[q * k + r]
            a[p * k + r] = c * apr - s * aqr
            a[q * k + r] = s * apr + c * aqr
          }
          if (wantVectors) {
            for (let r = 0; r < k; r++) {
              const vrp = v[r * k + p]
              const vrq = v[r * k + q]
              v[r * k + p] = c * vrp - s * vrq
              v[r * k + q] = s * vrp + c * vrq
            }
          }
        }
      }
    }
    // ascending order by insertion sort (k is small)
    const d = this.d
    const order = this.order
    for (let i = 0; i < k; i++) {
      d[i] = a[i * k + i]
      order[i] = i
    }
    for (let i = 1; i < k; i++) {
      const oi = order[i]
      let j = i - 1
      while (j >= 0 && d[order[j]] > d[oi]) {
        order[j + 1] = order[j]
        j--
      }
      order[j + 1] = oi
    }
    for (let j = 0; j < k; j++) {
      const src = order[j]
      this.values[j] = d[src]
      if (wantVectors) for (let i = 0; i < k; i++) this.vectors[i * k + j] = v[i * k + src]
    }
    return this
  }
}
