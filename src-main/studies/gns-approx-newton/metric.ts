/**
 * The metric B ≻ 0 of Algorithm 1 and of the gradient method: primal norm ‖h‖² = hᵀBh and dual
 * norm ‖g‖²_* = gᵀB⁻¹g (the repository's `dual_norm_sqr = Binv.dot(x).dot(x)`). B is factored
 * once, B = L_B·L_Bᵀ, so ‖g‖²_* = ‖L_B⁻¹g‖² by one forward substitution.
 */
import { choleskyInto, forwardSolveInPlace, upperBackSolveInPlace } from './cholesky'

export class Metric {
  /** B as a full n×n matrix (the identity when Euclidean) */
  readonly B: Float64Array
  readonly euclidean: boolean
  private readonly LB: Float64Array
  /** L_Bᵀ stored row-major, so the back substitution of B⁻¹g reads contiguous rows */
  private readonly LBt: Float64Array
  private readonly scratch: Float64Array

  constructor(
    readonly n: number,
    B: Float64Array | null,
  ) {
    this.euclidean = B === null
    this.scratch = new Float64Array(n)
    if (B === null) {
      this.B = new Float64Array(n * n)
      for (let j = 0; j < n; j++) this.B[j * n + j] = 1
      this.LB = this.B
      this.LBt = this.B
    } else {
      this.B = B
      this.LB = new Float64Array(n * n)
      if (!choleskyInto(B, this.LB, n)) throw new Error('the metric B is not positive definite')
      this.LBt = new Float64Array(n * n)
      for (let i = 0; i < n; i++) for (let k = 0; k <= i; k++) this.LBt[k * n + i] = this.LB[i * n + k]
    }
  }

  /** ‖g‖²_* = gᵀB⁻¹g */
  dualNormSq(g: Float64Array): number {
    const n = this.n
    if (this.euclidean) {
      let s = 0
      for (let j = 0; j < n; j++) s += g[j] * g[j]
      return s
    }
    const y = this.scratch
    y.set(g)
    forwardSolveInPlace(this.LB, y, n)
    let s = 0
    for (let j = 0; j < n; j++) s += y[j] * y[j]
    return s
  }

  /** out = B⁻¹g (the gradient method's `precond`) */
  applyInverse(g: Float64Array, out: Float64Array): void {
    out.set(g)
    if (this.euclidean) return
    forwardSolveInPlace(this.LB, out, this.n)
    upperBackSolveInPlace(this.LBt, out, this.n)
  }
}
