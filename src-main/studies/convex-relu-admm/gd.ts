/**
 * The baseline: full-batch gradient descent on the non-convex two-layer ReLU network
 *   L(U, a) = ½‖(X Uᵀ)₊ a − y‖² + β/2 (‖U‖_F² + ‖a‖²),  U ∈ ℝ^{m×d}, a ∈ ℝ^m.
 */
import type { XorData } from './problem'

export class ReluNetworkGd {
  readonly U: Float64Array
  readonly a: Float64Array
  private readonly Z: Float64Array
  private readonly r: Float64Array
  private readonly gU: Float64Array
  private readonly ga: Float64Array

  constructor(
    readonly data: XorData,
    readonly m: number,
    readonly beta: number,
    U0: Float64Array,
    a0: Float64Array,
  ) {
    this.U = U0.slice()
    this.a = a0.slice()
    this.Z = new Float64Array(data.n * m)
    this.r = new Float64Array(data.n)
    this.gU = new Float64Array(m * data.d)
    this.ga = new Float64Array(m)
  }

  /**
   * Objective and gradient at the current (U, a), with Z = X Uᵀ, A = Z₊, r = A a − y:
   *   ∇_a = Aᵀ r + β a,   ∇_{u_j} = a_j Xᵀ (r ⊙ 1[Z_{·j} > 0]) + β u_j.
   */
  objectiveAndGradient(): { objective: number; gradU: Float64Array; gradA: Float64Array } {
    const { data, m, beta, U, a, Z, r, gU, ga } = this
    const { n, d, X, y } = data
    for (let k = 0; k < n; k++) {
      let pred = 0
      if (d === 3) {
        // the lifted XOR features: unrolled, same summation order as the generic loop
        const x0 = X[k * 3], x1 = X[k * 3 + 1], x2 = X[k * 3 + 2]
        for (let j = 0; j < m; j++) {
          const z = x0 * U[j * 3] + x1 * U[j * 3 + 1] + x2 * U[j * 3 + 2]
          Z[k * m + j] = z
          if (z > 0) pred += z * a[j]
        }
      } else {
        for (let j = 0; j < m; j++) {
          let z = 0
          for (let c = 0; c < d; c++) z += X[k * d + c] * U[j * d + c]
          Z[k * m + j] = z
          if (z > 0) pred += z * a[j]
        }
      }
      r[k] = pred - y[k]
    }
    let loss = 0
    for (let k = 0; k < n; k++) loss += r[k] * r[k]
    let reg = 0
    for (let j = 0; j < m * d; j++) reg += U[j] * U[j]
    for (let j = 0; j < m; j++) reg += a[j] * a[j]
    for (let j = 0; j < m; j++) ga[j] = beta * a[j]
    for (let j = 0; j < m * d; j++) gU[j] = beta * U[j]
    for (let k = 0; k < n; k++) {
      const rk = r[k]
      for (let j = 0; j < m; j++) {
        const z = Z[k * m + j]
        if (!(z > 0)) continue
        ga[j] += z * rk
        const w = a[j] * rk
        if (d === 3) {
          gU[j * 3] += w * X[k * 3]
          gU[j * 3 + 1] += w * X[k * 3 + 1]
          gU[j * 3 + 2] += w * X[k * 3 + 2]
        } else {
          for (let c = 0; c < d; c++) gU[j * d + c] += w * X[k * d + c]
        }
      }
    }
    return { objective: 0.5 * loss + 0.5 * beta * reg, gradU: gU, gradA: ga }
  }

  /** One GD step with learning rate lr; returns the objective before the step. */
  step(lr: number): number {
    const { objective, gradU, gradA } = this.objectiveAndGradient()
    const { U, a } = this
    for (let j = 0; j < U.length; j++) U[j] -= lr * gradU[j]
    for (let j = 0; j < a.length; j++) a[j] -= lr * gradA[j]
    return objective
  }
}
