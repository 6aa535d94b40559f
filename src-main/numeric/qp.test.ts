import { describe, expect, it } from 'vitest'
import { eye, matmul, transpose } from './dense'
import { solve } from './linalg'
import { projectBox, projectSimplex, qpObjective, solveQP, svmDual } from './qp'
import { Rng } from './rng'

const rng = Rng.stream(4, 'qp.test')

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return d
}

describe('projections', () => {
  it('projectSimplex: known cases and the KKT conditions of the projection', () => {
    expect(Array.from(projectSimplex(Float64Array.from([0.5, 0.5])))).toEqual([0.5, 0.5])
    expect(Array.from(projectSimplex(Float64Array.from([2, 0])))).toEqual([1, 0])
    expect(Array.from(projectSimplex(Float64Array.from([1, 1, 1]), 3))).toEqual([1, 1, 1])
    const v = rng.gaussianMatrix(1, 50)
    const x = projectSimplex(v)
    let s = 0
    for (const xi of x) s += xi
    expect(Math.abs(s - 1)).toBeLessThan(1e-14)
    // v − x = θ on the support and ≤ θ off it.
    const support = Array.from(x.keys()).filter((i) => x[i] > 0)
    const theta = v[support[0]] - x[support[0]]
    for (let i = 0; i < 50; i++) {
      if (x[i] > 0) expect(Math.abs(v[i] - x[i] - theta)).toBeLessThan(1e-14)
      else expect(v[i]).toBeLessThanOrEqual(theta + 1e-14)
    }
  })
  it('projectBox clips per coordinate', () => {
    expect(Array.from(projectBox(Float64Array.from([-2, 0.3, 5]), 0, 1))).toEqual([0, 0.3, 1])
  })
})

describe('solveQP (OSQP-style ADMM + polishing)', () => {
  it('box-constrained least squares: x = clip(c, 0, 1) exactly (1e-12)', () => {
    const n = 8
    const c = rng.gaussianMatrix(1, n)
    const r = solveQP({ n, P: eye(n), q: c.map((v) => -v), m: n, A: eye(n), l: new Float64Array(n), u: new Float64Array(n).fill(1) })
    expect(r.status).toBe('solved')
    expect(r.polished).toBe(true)
    expect(maxAbsDiff(r.x, projectBox(c, 0, 1))).toBeLessThan(1e-12)
  })
  it('simplex-constrained projection agrees with the sorting algorithm (1e-12)', () => {
    const n = 20
    const v = rng.gaussianMatrix(1, n)
    const A = new Float64Array((n + 1) * n)
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 1
      A[n * n + i] = 1
    }
    const l = new Float64Array(n + 1)
    const u = new Float64Array(n + 1).fill(Infinity)
    l[n] = u[n] = 1
    const r = solveQP({ n, P: eye(n), q: v.map((x) => -x), m: n + 1, A, l, u })
    expect(r.status).toBe('solved')
    expect(maxAbsDiff(r.x, projectSimplex(v))).toBeLessThan(1e-12)
  })
  it('Nocedal & Wright Example 16.4: solution (1.4, 1.7) with the first constraint active', () => {
    // min (x1 − 1)² + (x2 − 2.5)²  s.t. x1 − 2x2 + 2 ≥ 0, −x1 − 2x2 + 6 ≥ 0, −x1 + 2x2 + 2 ≥ 0, x ≥ 0.
    const P = Float64Array.from([2, 0, 0, 2])
    const q = Float64Array.from([-2, -5])
    const A = Float64Array.from([1, -2, -1, -2, -1, 2, 1, 0, 0, 1])
    const l = Float64Array.from([-2, -6, -2, 0, 0])
    const u = new Float64Array(5).fill(Infinity)
    const r = solveQP({ n: 2, P, q, m: 5, A, l, u })
    expect(r.status).toBe('solved')
    expect(maxAbsDiff(r.x, [1.4, 1.7])).toBeLessThan(1e-12)
    // Multiplier of the active row: stationarity 2(x − c) = λ·a₁ gives λ = 0.8 (sign: lower-active < 0).
    expect(Math.abs(r.y[0] + 0.8)).toBeLessThan(1e-12)
    expect(maxAbsDiff(r.y.subarray(1), [0, 0, 0, 0])).toBeLessThan(1e-12)
  })
  it('equality-constrained QP matches the KKT solve (1e-12)', () => {
    const n = 6
    const G = rng.gaussianMatrix(n, n)
    // P = GᵀG + I, positive definite.
    const P = matmul(transpose(G, n, n), G, n, n, n)
    for (let i = 0; i < n; i++) P[i * n + i] += 1
    const q = rng.gaussianMatrix(1, n)
    const A = rng.gaussianMatrix(2, n)
    const b = rng.gaussianMatrix(1, 2)
    const K = new Float64Array(64)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) K[i * 8 + j] = P[i * n + j]
    for (let a = 0; a < 2; a++) for (let j = 0; j < n; j++) K[(n + a) * 8 + j] = K[j * 8 + n + a] = A[a * n + j]
    const rhs = Float64Array.from([...q.map((v) => -v), ...b])
    const want = solve(K, rhs, 8).subarray(0, n)
    const r = solveQP({ n, P, q, m: 2, A, l: b, u: b })
    expect(maxAbsDiff(r.x, want)).toBeLessThan(1e-12)
    expect(r.objective).toBeCloseTo(qpObjective({ n, P, q }, want), 12)
  })
})

describe('svmDual', () => {
  it('two points ±(1, 0): hard-margin α = (1/2, 1/2), b = 0', () => {
    const X = [[1, 0], [-1, 0]]
    const K = Float64Array.from(X.flatMap((a) => X.map((b) => a[0] * b[0] + a[1] * b[1])))
    const { alpha, bias } = svmDual(K, [1, -1], 1e3)
    expect(maxAbsDiff(alpha, [0.5, 0.5])).toBeLessThan(1e-12)
    expect(Math.abs(bias)).toBeLessThan(1e-12)
  })
  it('separable cloud: the margin equals 1/‖w‖ and every point satisfies y·(w·x + b) ≥ 1 − 1e-9', () => {
    const N = 30
    const X: number[][] = []
    const y: number[] = []
    for (let i = 0; i < N; i++) {
      const label = i % 2 ? 1 : -1
      X.push([label * 2 + rng.normal() * 0.5, rng.normal()])
      y.push(label)
    }
    const K = Float64Array.from(X.flatMap((a) => X.map((b) => a[0] * b[0] + a[1] * b[1])))
    const { alpha, bias, result } = svmDual(K, y, Infinity)
    expect(result.status).toBe('solved')
    const w = [0, 0]
    for (let i = 0; i < N; i++) {
      w[0] += alpha[i] * y[i] * X[i][0]
      w[1] += alpha[i] * y[i] * X[i][1]
    }
    let minMargin = Infinity
    for (let i = 0; i < N; i++) minMargin = Math.min(minMargin, y[i] * (w[0] * X[i][0] + w[1] * X[i][1] + bias))
    expect(Math.abs(minMargin - 1)).toBeLessThan(1e-9)
    // Strong duality: ½‖w‖² = Σα − ½‖w‖², i.e. Σα = ‖w‖².
    const sumAlpha = alpha.reduce((s, a) => s + a, 0)
    expect(Math.abs(sumAlpha - (w[0] ** 2 + w[1] ** 2)) / sumAlpha).toBeLessThan(1e-9)
  })
})
