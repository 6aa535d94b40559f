import { describe, expect, it } from 'vitest'
import { dot } from './dense'
import { Rng } from './rng'
import { denseMatVec, lanczos, lanczosExtremes, powerIteration, slqTrace, spectralDensity, stochasticLanczosQuadrature } from './spectra'
import fixtures from './fixtures/spectra.json'

// A 60×60 symmetric matrix with spectrum linspace(−1, 1, 57) ∪ {3, 5, 10} (numpy, seed 7).
const n = fixtures.n
const A = Float64Array.from(fixtures.A)
const eigenvalues = Float64Array.from(fixtures.eigenvalues)
const countingMatVec = () => {
  let count = 0
  const mv = denseMatVec(A, n)
  return { mv: (x: Float64Array, out: Float64Array) => (count++, mv(x, out)), count: () => count }
}

describe('powerIteration', () => {
  it('finds the dominant eigenvalue 10 to rel. 1e-12 at rate |λ₂/λ₁| = 1/2', () => {
    const { mv, count } = countingMatVec()
    const r = powerIteration(mv, n, { rng: Rng.stream(1, 'power'), tol: 1e-13 })
    expect(r.converged).toBe(true)
    expect(Math.abs(r.value - 10) / 10).toBeLessThan(1e-12)
    expect(count()).toBeLessThan(80)
    // The eigenvector: A·v = 10·v.
    const w = new Float64Array(n)
    mv(r.vector, w)
    let res = 0
    for (let i = 0; i < n; i++) res = Math.max(res, Math.abs(w[i] - r.value * r.vector[i]))
    expect(res).toBeLessThan(1e-11)
  })
  it('demands a source of randomness or a start vector', () => {
    expect(() => powerIteration(denseMatVec(A, n), n)).toThrow(/rng/)
  })
})

describe('lanczos', () => {
  it('keeps its basis orthonormal to 1e-14 (full reorthogonalisation)', () => {
    const lz = lanczos(denseMatVec(A, n), n, 40, { rng: Rng.stream(2, 'lanczos') })
    expect(lz.steps).toBe(40)
    let worst = 0
    for (let a = 0; a < 40; a++) {
      for (let b = 0; b <= a; b++) {
        const g = dot(lz.basis.subarray(a * n, a * n + n), lz.basis.subarray(b * n, b * n + n))
        worst = Math.max(worst, Math.abs(g - (a === b ? 1 : 0)))
      }
    }
    expect(worst).toBeLessThan(1e-14)
  })
  it('25 steps give the top three eigenvalues 10, 5, 3 to rel. 1e-12, within their residual bounds', () => {
    const r = lanczosExtremes(denseMatVec(A, n), n, 25, { rng: Rng.stream(3, 'lanczos') })
    const k = r.steps
    for (const [offset, want] of [[1, 10], [2, 5], [3, 3]] as const) {
      expect(Math.abs(r.values[k - offset] - want) / 10).toBeLessThan(1e-12)
    }
    // The bottom Ritz value lies within its residual of an eigenvalue (GVL Thm. 8.1.15).
    const gap = Math.min(...Array.from(eigenvalues, (l) => Math.abs(l - r.values[0])))
    expect(gap).toBeLessThanOrEqual(r.residuals[0] * (1 + 1e-12) + 1e-15)
  })
  it('n steps reproduce numpy.linalg.eigvalsh entirely (abs. 1e-12·‖A‖)', () => {
    const r = lanczosExtremes(denseMatVec(A, n), n, n, { rng: Rng.stream(4, 'lanczos'), vectors: true })
    expect(r.steps).toBe(n)
    for (let i = 0; i < n; i++) expect(Math.abs(r.values[i] - eigenvalues[i])).toBeLessThan(1e-12 * 10)
    // Ritz vectors of the full Krylov space are eigenvectors.
    const w = new Float64Array(n)
    const top = r.vectors.subarray((n - 1) * n, n * n)
    denseMatVec(A, n)(top, w)
    for (let i = 0; i < n; i++) expect(Math.abs(w[i] - r.values[n - 1] * top[i])).toBeLessThan(1e-11)
  })
  it('stops early on an invariant subspace (start vector in a 2-dimensional eigenspace)', () => {
    const D = new Float64Array(16)
    D[0] = 1
    D[5] = 2
    D[10] = 3
    D[15] = 4
    const lz = lanczos(denseMatVec(D, 4), 4, 4, { start: Float64Array.from([1, 1, 0, 0]) })
    expect(lz.steps).toBe(2)
    const r = lanczosExtremes(denseMatVec(D, 4), 4, 4, { start: Float64Array.from([1, 1, 0, 0]) })
    expect(r.values[0]).toBeCloseTo(1, 14)
    expect(r.values[1]).toBeCloseTo(2, 14)
  })
})

describe('stochastic Lanczos quadrature', () => {
  it('is exact for polynomials of degree < 2·steps on each probe (Gauss rule): tr(A²) per probe', () => {
    const steps = 6
    const probes = 5
    const q = stochasticLanczosQuadrature(denseMatVec(A, n), n, { steps, probes, rng: Rng.stream(5, 'slq') })
    // Hutchinson with the same Rademacher probes: (n / probes)·Σ ‖A·v‖² / ‖v‖², ‖v‖² = n.
    const rng = Rng.stream(5, 'slq')
    const v = new Float64Array(n)
    const w = new Float64Array(n)
    let hutchinson = 0
    for (let p = 0; p < probes; p++) {
      for (let i = 0; i < n; i++) v[i] = rng.bernoulli(0.5) ? 1 : -1
      denseMatVec(A, n)(v, w)
      hutchinson += dot(w, w) / probes
    }
    expect(Math.abs(slqTrace(q, n, (l) => l * l) / hutchinson - 1)).toBeLessThan(1e-12)
    let mass = 0
    for (const wk of q.weights) mass += wk
    expect(Math.abs(mass - 1)).toBeLessThan(1e-14)
    expect(q.matvecs).toBe(steps * probes)
  })
  it('estimates tr exp(A/10) and tr log(A + 2) within 3% from 100 probes of 15 steps', () => {
    const q = stochasticLanczosQuadrature(denseMatVec(A, n), n, { steps: 15, probes: 100, rng: Rng.stream(6, 'slq') })
    expect(Math.abs(slqTrace(q, n, (l) => Math.exp(l / 10)) / fixtures.traceExp - 1)).toBeLessThan(0.03)
    expect(Math.abs(slqTrace(q, n, (l) => Math.log(l + 2)) / fixtures.traceLog - 1)).toBeLessThan(0.03)
  })
  it('gives a smoothed density that integrates to 1 and puts mass 1/60 near the outlier 10', () => {
    const q = stochasticLanczosQuadrature(denseMatVec(A, n), n, { steps: 30, probes: 40, rng: Rng.stream(7, 'slq') })
    const h = 0.01
    const grid = Float64Array.from({ length: 1600 }, (_, i) => -3 + i * h)
    const phi = spectralDensity(q, grid, 0.05)
    let total = 0
    let nearTen = 0
    for (let i = 0; i < grid.length; i++) {
      total += phi[i] * h
      if (Math.abs(grid[i] - 10) < 0.5) nearTen += phi[i] * h
    }
    expect(Math.abs(total - 1)).toBeLessThan(1e-6)
    expect(Math.abs(nearTen - 1 / 60)).toBeLessThan(0.01)
  })
})
