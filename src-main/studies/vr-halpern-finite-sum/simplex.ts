/**
 * Euclidean projection onto the probability simplex {x ≥ 0, Σx = 1}, sort-based
 * (Held, Wolfe & Crowder 1974; Duchi et al. 2008, Fig. 1): sort z descending, find the largest
 * ρ with z_(ρ) − (Σ_{j≤ρ} z_(j) − 1)/ρ > 0, and clip z − τ at 0 with τ = (Σ_{j≤ρ} z_(j) − 1)/ρ.
 *
 * Unlike the official `matrix_game.py` helper, there is no "already on the simplex" shortcut
 * (that branch skipped the sort and then read an undefined variable): every input takes the
 * same path, and a point on the simplex comes back unchanged up to rounding.
 */
export class SimplexProjector {
  private readonly sorted: Float64Array

  constructor(readonly dim: number) {
    this.sorted = new Float64Array(dim)
  }

  /** out[off..off+dim) ← Π_Δ(z[off..off+dim)); `out` may alias `z`. No allocation. */
  project(z: Float64Array, out: Float64Array, off = 0): void {
    const n = this.dim
    const s = this.sorted
    for (let i = 0; i < n; i++) s[i] = z[off + i]
    s.sort() // ascending, numeric for typed arrays
    let cumsum = 0
    let tau = 0
    for (let r = 1; r <= n; r++) {
      const v = s[n - r]
      const c = cumsum + v
      const t = (c - 1) / r
      if (v - t > 0) {
        cumsum = c
        tau = t
      } else break
    }
    for (let i = 0; i < n; i++) {
      const v = z[off + i] - tau
      out[off + i] = v > 0 ? v : 0
    }
  }
}
