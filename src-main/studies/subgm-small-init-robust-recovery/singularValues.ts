/**
 * The singular values of U_t at every iteration, cheaply: one-sided Jacobi (Hestenes) on W = U·V,
 * warm-started with the right rotation V accumulated over earlier iterations. U changes little
 * per step, so W is already nearly column-orthogonal and one or two sweeps suffice, where a cold
 * start needs six to ten. One-sided Jacobi keeps the relative accuracy of singular values near α
 * next to ones near 1 (a Gram-matrix eigen-solve would lose it below √eps ≈ 1e-8).
 */
export class TrackedSingularValues {
  /** rows of Vt are the columns of the accumulated right rotation V (k×k) */
  private readonly Vt: Float64Array
  /** rows of Wt are the columns of W = U·V (k rows of length d) */
  private readonly Wt: Float64Array
  private readonly sq: Float64Array
  private readonly norms: Float64Array
  private readonly order: Int32Array
  /** the singular values, descending (valid after update) */
  readonly values: Float64Array
  /** Jacobi sweeps the last update took */
  sweeps = 0

  constructor(
    private readonly d: number,
    private readonly k: number,
  ) {
    this.Vt = new Float64Array(k * k)
    for (let j = 0; j < k; j++) this.Vt[j * k + j] = 1
    this.Wt = new Float64Array(k * d)
    this.sq = new Float64Array(k)
    this.norms = new Float64Array(k)
    this.order = new Int32Array(k)
    this.values = new Float64Array(k)
  }

  private updates = 0

  /** Modified Gram–Schmidt, twice, on the rows of Vt. */
  private reorthonormalise(): void {
    const { k, Vt } = this
    for (let pass = 0; pass < 2; pass++) {
      for (let j = 0; j < k; j++) {
        for (let l = 0; l < j; l++) {
          let c = 0
          for (let i = 0; i < k; i++) c += Vt[l * k + i] * Vt[j * k + i]
          for (let i = 0; i < k; i++) Vt[j * k + i] -= c * Vt[l * k + i]
        }
        let n = 0
        for (let i = 0; i < k; i++) n += Vt[j * k + i] * Vt[j * k + i]
        n = 1 / Math.sqrt(n)
        for (let i = 0; i < k; i++) Vt[j * k + i] *= n
      }
    }
  }

  /** Recompute the singular values of U (d×k row-major). */
  update(U: Float64Array): Float64Array {
    const { d, k, Vt, Wt, sq } = this
    // W = U·V, stored by columns: Wt[j, :] = U·Vt[j, :]ᵀ
    for (let j = 0; j < k; j++) {
      for (let i = 0; i < d; i++) {
        let acc = 0
        for (let c = 0; c < k; c++) acc += U[i * k + c] * Vt[j * k + c]
        Wt[j * d + i] = acc
      }
    }
    for (let j = 0; j < k; j++) {
      let acc = 0
      for (let i = 0; i < d; i++) acc += Wt[j * d + i] * Wt[j * d + i]
      sq[j] = acc
    }
    // LAPACK dgesvj's stopping rule: |⟨w_p, w_q⟩| ≤ √d·eps·‖w_p‖‖w_q‖ for every pair
    const tol = Math.sqrt(d) * 2.220446049250313e-16
    this.sweeps = 0
    for (let sweep = 0; sweep < 60; sweep++) {
      let rotated = false
      for (let p = 0; p < k - 1; p++) {
        const wp = p * d
        for (let q = p + 1; q < k; q++) {
          const a = sq[p]
          const b = sq[q]
          if (a === 0 || b === 0) continue
          const wq = q * d
          let gamma = 0
          for (let i = 0; i < d; i++) gamma += Wt[wp + i] * Wt[wq + i]
          if (Math.abs(gamma) <= tol * Math.sqrt(a) * Math.sqrt(b)) continue
          rotated = true
          const zeta = (b - a) / (2 * gamma)
          const t = (zeta >= 0 ? 1 : -1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta))
          const c = 1 / Math.sqrt(1 + t * t)
          const s = c * t
          let np = 0
          let nq = 0
          for (let i = 0; i < d; i++) {
            const x = Wt[wp + i]
            const y = Wt[wq + i]
            const x2 = c * x - s * y
            const y2 = s * x + c * y
            Wt[wp + i] = x2
            Wt[wq + i] = y2
            np += x2 * x2
            nq += y2 * y2
          }
          sq[p] = np
          sq[q] = nq
          const vp = p * k
          const vq = q * k
          for (let i = 0; i < k; i++) {
            const x = Vt[vp + i]
            const y = Vt[vq + i]
            Vt[vp + i] = c * x - s * y
            Vt[vq + i] = s * x + c * y
          }
        }
      }
      this.sweeps++
      if (!rotated) break
    }
    // Each rotation moves V off orthogonality by O(eps) and a run makes ~1e6 of them; a drift δ
    // would leak δ·σ_1 into every small singular value, so V is re-orthonormalised regularly.
    if (++this.updates % 32 === 0) this.reorthonormalise()
    const { norms, order, values } = this
    for (let j = 0; j < k; j++) {
      let acc = 0
      for (let i = 0; i < d; i++) acc += Wt[j * d + i] * Wt[j * d + i]
      norms[j] = Math.sqrt(acc)
      order[j] = j
    }
    // insertion sort, descending (k ≤ d is small)
    for (let j = 1; j < k; j++) {
      const o = order[j]
      let i = j - 1
      while (i >= 0 && norms[order[i]] < norms[o]) {
        order[i + 1] = order[i]
        i--
      }
      order[i + 1] = o
    }
    for (let j = 0; j < k; j++) values[j] = norms[order[j]]
    return values
  }
}
