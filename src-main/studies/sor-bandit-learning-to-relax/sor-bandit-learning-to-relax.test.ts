import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { boxLeastSquares, gramScratch, minNormFromGram } from './boxls'
import { drawInstances, sampleBeta, sampleTruncatedNormal } from './instances'
import { ChebCB, TsallisInf } from './learners'
import { linspace } from './solver'
import { applyResidualIteration, applyResidualIterationTransposed, degenerateRhs, residualIterationPowerNorm, jacobiRadius, omegaOptimal, sorIterations, sorWorkspace } from './sor'
import study from './study'

const N = 10
const n = N * N

/** sor.m literally, on dense matrices: M = D/ω + tril(A, −1), x += M\r, r = b − A x. */
function denseSor(c: number, omega: number, b: Float64Array, tol: number, cap: number): number {
  const A = new Float64Array(n * n)
  for (let q = 0; q < N; q++) {
    for (let p = 0; p < N; p++) {
      const i = p + N * q
      A[i * n + i] = 4 + c
      if (p > 0) A[i * n + i - 1] = -1
      if (p < N - 1) A[i * n + i + 1] = -1
      if (q > 0) A[i * n + i - N] = -1
      if (q < N - 1) A[i * n + i + N] = -1
    }
  }
  const x = new Float64Array(n)
  const r = Float64Array.from(b)
  const norm0 = Math.hypot(...b)
  for (let k = 1; k <= cap; k++) {
    const d = new Float64Array(n)
    for (let i = 0; i < n; i++) {
      let s = r[i]
      for (let j = 0; j < i; j++) s -= A[i * n + j] * d[j]
      d[i] = s / (A[i * n + i] / omega)
    }
    for (let i = 0; i < n; i++) x[i] += d[i]
    let rr = 0
    for (let i = 0; i < n; i++) {
      let ax = 0
      for (let j = 0; j < n; j++) ax += A[i * n + j] * x[j]
      r[i] = b[i] - ax
      rr += r[i] * r[i]
    }
    if (Math.sqrt(rr) / norm0 < tol) return k
  }
  return cap
}

describe('SOR cost (sor.m, residual-correction form)', () => {
  it('matches a dense transcription of sor.m on random (c, ω, b)', () => {
    const rng = new Rng(3, 'test')
    const ws = sorWorkspace(N)
    const b = new Float64Array(n)
    for (const [c, w] of [[-0.15, 1], [0, 1.4], [0.2, 1.75], [0.45, 1.95], [-0.1, 1.6]]) {
      sampleTruncatedNormal(rng, b, 10)
      expect(sorIterations(ws, c, w, b, 1e-8, 10000)).toBe(denseSor(c, w, b, 1e-8, 10000))
    }
  })

  it('converges in 21 sweeps at ω = 1.4 for b = the eigenvector of C for λ = 1 − ω (degenerate.m)', () => {
    const b = degenerateRhs(N, 0, 1.4)
    const Cb = new Float64Array(n)
    applyResidualIteration(N, 0, 1.4, b, Cb, new Float64Array(n))
    for (let i = 0; i < n; i++) expect(Cb[i]).toBeCloseTo(-0.4 * b[i], 12)
    // ‖C^k b‖ = 0.4^k: the first k with 0.4^k < 1e-8 is 21
    expect(sorIterations(sorWorkspace(N), 0, 1.4, b, 1e-8, 10000)).toBe(Math.ceil(Math.log(1e-8) / Math.log(0.4)))
  })

  it('still converges at ω = 1.95 (ρ = ω − 1: about log(1e-8)/log(0.95) ≈ 359 sweeps), below the cap', () => {
    const b = new Float64Array(n)
    sampleTruncatedNormal(new Rng(1, 'b'), b, 10)
    const k = sorIterations(sorWorkspace(N), 0.2, 1.95, b, 1e-8, 10000)
    expect(k).toBeGreaterThan(300)
    expect(k).toBeLessThan(420)
    expect(sorIterations(sorWorkspace(N), 0.2, 1.95, b, 1e-8, 50)).toBe(50)
  })

  it('ω*(c) is Young’s optimum for β = 4cos(π/11)/(4 + c), the Jacobi radius of the sine mode', () => {
    // D⁻¹(L + U) applied to z_pq = sin(pπ/11) sin(qπ/11) gives β·z
    const c = 0.1
    const z = new Float64Array(n)
    for (let q = 0; q < N; q++) for (let p = 0; p < N; p++) z[p + N * q] = Math.sin(((p + 1) * Math.PI) / 11) * Math.sin(((q + 1) * Math.PI) / 11)
    for (let q = 0; q < N; q++) {
      for (let p = 0; p < N; p++) {
        const i = p + N * q
        const nb = (p > 0 ? z[i - 1] : 0) + (p < N - 1 ? z[i + 1] : 0) + (q > 0 ? z[i - N] : 0) + (q < N - 1 ? z[i + N] : 0)
        expect(nb / (4 + c)).toBeCloseTo(jacobiRadius(N, c) * z[i], 13)
      }
    }
    expect(omegaOptimal(N, 0)).toBeCloseTo(1.5603879, 6)
  })
})

describe('near-asymptotic bound (comparators.m)', () => {
  it('applies Cᵀ as the adjoint of C: ⟨Cx, y⟩ = ⟨x, Cᵀy⟩', () => {
    const rng = new Rng(8, 'adj')
    const x = rng.gaussianMatrix(n, 1)
    const y = rng.gaussianMatrix(n, 1)
    const cx = new Float64Array(n)
    const cty = new Float64Array(n)
    applyResidualIteration(N, 0.1, 1.3, x, cx, new Float64Array(n))
    applyResidualIterationTransposed(N, 0.1, 1.3, y, cty, new Float64Array(n))
    let a = 0
    let b = 0
    for (let i = 0; i < n; i++) {
      a += cx[i] * y[i]
      b += x[i] * cty[i]
    }
    expect(a).toBeCloseTo(b, 12)
  })

  it('‖C^p‖₂ by power iteration bounds ‖C^p v‖ for random v and decays like ρ^p', () => {
    const rng = new Rng(6, 'pw')
    const start = rng.gaussianMatrix(n, 1)
    const p = 40
    const norm = residualIterationPowerNorm(N, 0, 1.3, p, start, 30)
    const v = rng.gaussianMatrix(n, 1)
    const nv = Math.hypot(...v)
    let w = Float64Array.from(v)
    let u = new Float64Array(n)
    for (let k = 0; k < p; k++) {
      applyResidualIteration(N, 0, 1.3, w, u, new Float64Array(n))
      ;[w, u] = [u, w]
    }
    expect(Math.hypot(...w) / nv).toBeLessThanOrEqual(norm * (1 + 1e-9))
    const rho = Math.pow(norm, 1 / p)
    expect(rho).toBeGreaterThan(0.7)
    expect(rho).toBeLessThan(1)
  })

  it('the bound lies above the mean actual cost at every ω (small run)', async () => {
    const r = await runLocal(study, { experiment: 'comparators', comparatorInstances: 3, comparatorStep: 0.25, powerSteps: 4 }, 0)
    expect(r.status).toBe('done')
    for (let i = 0; i < r.columns.omega.length; i++) expect(r.columns.comparatorBound[i]).toBeGreaterThanOrEqual(r.columns.comparatorActual[i] - 1)
  })
})

describe('instances', () => {
  it('draws truncated-normal b with ‖b‖ ≤ 10, fresh per instance, and c in [−0.15, 0.45] with the Beta mean', () => {
    const inst = drawInstances(new Rng(0, 'data'), 400, n, 'high', 10)
    for (let t = 0; t < 400; t++) expect(Math.hypot(...inst.rhs.subarray(t * n, (t + 1) * n))).toBeLessThanOrEqual(10)
    expect(inst.rhs.subarray(0, n)).not.toEqual(inst.rhs.subarray(n, 2 * n))
    for (const c of inst.shifts) expect(c >= -0.15 && c <= 0.45).toBe(true)
    const rng = new Rng(5, 'beta')
    for (const [a, b2] of [[0.5, 1.5], [2, 6]]) {
      let s = 0
      for (let i = 0; i < 20000; i++) s += sampleBeta(rng, a, b2)
      expect(Math.abs(s / 20000 - a / (a + b2))).toBeLessThan(0.01)
    }
  })
})

describe('Tsallis-INF (TsallisINF.m)', () => {
  it('normalises p so that Σ 4/(η(L_i/s − x))² = 1 at the Newton root (checked by bisection)', () => {
    const learner = new TsallisInf(20, 20)
    const rng = new Rng(2, 'l')
    for (let t = 0; t < 300; t++) {
      learner.predict(rng)
      learner.update(50 + 10 * (learner as unknown as { chosen: number }).chosen)
    }
    const p = Float64Array.from(learner.distribution())
    const eta = 2 / Math.sqrt(301)
    const a = Array.from(learner.cumLoss, (L) => L / learner.scale)
    const f = (x: number) => a.reduce((s, ai) => s + 4 / (eta * (ai - x)) ** 2, 0) - 1
    let lo = Math.min(...a) - 1e6
    let hi = Math.min(...a) - 1e-12
    for (let i = 0; i < 200; i++) {
      const mid = (lo + hi) / 2
      if (f(mid) < 0) lo = mid
      else hi = mid
    }
    for (let i = 0; i < 20; i++) expect(p[i]).toBeCloseTo(4 / (eta * (a[i] - lo)) ** 2, 10)
    expect(learner.domainViolations).toBe(0)
  })

  it('pitfall: the literal source iteration (x0 = −1 on raw L/s) leaves the domain x < min L/s; the shifted one never does', () => {
    const run = (mode: 'shifted' | 'source') => {
      const l = new TsallisInf(20, 20, mode)
      const rng = new Rng(4, 'l')
      for (let t = 0; t < 500; t++) {
        const i = l.predict(rng)
        l.update(60 + 5 * i)
      }
      return l.domainViolations
    }
    expect(run('shifted')).toBe(0)
    expect(run('source')).toBeGreaterThan(0)
  })
})

describe('ChebCB regression kernels', () => {
  it('box-constrained least squares reaches the KKT point found by long projected gradient', () => {
    const rng = new Rng(9, 'box')
    const p = 6
    const s = gramScratch(p)
    for (let trial = 0; trial < 20; trial++) {
      const rows = 3 + trial
      const X = rng.gaussianMatrix(rows, p)
      const y = rng.gaussianMatrix(rows, 1)
      const G = new Float64Array(p * p)
      const g = new Float64Array(p)
      for (let r = 0; r < rows; r++) for (let j = 0; j < p; j++) {
        g[j] += X[r * p + j] * y[r]
        for (let k = 0; k < p; k++) G[j * p + k] += X[r * p + j] * X[r * p + k]
      }
      const ub = Float64Array.from({ length: p }, () => 0.05 + 0.3 * rng.uniform())
      const theta = new Float64Array(p)
      boxLeastSquares(G, g, ub, p, theta, s)
      // projected gradient with step 1/λmax (trace bound), many iterations
      let tr = 0
      for (let j = 0; j < p; j++) tr += G[j * p + j]
      const ref = new Float64Array(p)
      for (let it = 0; it < 60000; it++) {
        for (let j = 0; j < p; j++) {
          let gr = -g[j]
          for (let k = 0; k < p; k++) gr += G[j * p + k] * ref[k]
          ref[j] = Math.min(ub[j], Math.max(-ub[j], ref[j] - gr / tr))
        }
      }
      const obj = (t: Float64Array) => {
        let v = 0
        for (let j = 0; j < p; j++) {
          let gt = 0
          for (let k = 0; k < p; k++) gt += G[j * p + k] * t[k]
          v += 0.5 * t[j] * gt - g[j] * t[j]
        }
        return v
      }
      expect(obj(theta)).toBeLessThanOrEqual(obj(ref) + 1e-10 * (1 + Math.abs(obj(ref))))
      for (let j = 0; j < p; j++) expect(Math.abs(theta[j])).toBeLessThanOrEqual(ub[j])
    }
  })

  it('min-norm least squares from one row is x·y/‖x‖² (lsqminnorm)', () => {
    const x = Float64Array.from([1, 0.3, -0.5, 0.2, 0.7, -1.1])
    const G = new Float64Array(36)
    for (let j = 0; j < 6; j++) for (let k = 0; k < 6; k++) G[j * 6 + k] = x[j] * x[k]
    const g = x.map((v) => v * 2.5)
    const th = new Float64Array(6)
    minNormFromGram(G, g, 6, th, gramScratch(6))
    const nx = x.reduce((s, v) => s + v * v, 0)
    for (let j = 0; j < 6; j++) expect(th[j]).toBeCloseTo((x[j] * 2.5) / nx, 12)
  })

  it('uses Chebyshev features T_j(z) = cos(j·arccos z) of z = 2(c + 0.15)/0.8 − 1', () => {
    const cheb = new ChebCB(20, 10, 6, -0.15, 0.65)
    const c = 0.1
    const z = (2 / 0.8) * (c + 0.15) - 1
    const phi = cheb.features(c, new Float64Array(6))
    for (let j = 0; j < 6; j++) expect(phi[j]).toBeCloseTo(Math.cos(j * Math.acos(z)), 13)
  })
})

describe('stream runs', () => {
  const small = { experiment: 'stream', T: 24, omegaCount: 8, omegaMax: 1.9 }
  it('are bit-identical for the same seed, and the learners’ costs do not depend on the replay table', async () => {
    const a = await runLocal(study, small, 0)
    const b = await runLocal(study, small, 0)
    const c = await runLocal(study, { ...small, replayTable: false }, 0)
    expect(a.status).toBe('done')
    for (const col of ['costTsallisInf', 'costChebCB', 'costTsallisInfCB', 'costInstanceOptimal', 'tsallisProb[3]']) {
      expect(Buffer.from(a.columns[col].buffer).equals(Buffer.from(b.columns[col].buffer))).toBe(true)
      expect(Array.from(c.columns[col].subarray(0, 24))).toEqual(Array.from(a.columns[col].subarray(0, 24)))
    }
  })

  it('replays grid costs exactly: a learner’s cost equals the table entry of its ω', async () => {
    const r = await runLocal(study, small, 1)
    const grid = linspace(1, 1.9, 8)
    for (let t = 0; t < 24; t++) {
      const j = grid.findIndex((w) => w === r.columns.omegaTsallisInf[t])
      expect(r.columns.costTsallisInf[t]).toBe(r.columns[`gridCost[${j}]`][t])
    }
  })

  it('golden values (seed 0, T = 24, 8 arms): pinned to guard against silent drift', async () => {
    const r = await runLocal(study, small, 0)
    const s = r.summary
    expect(s.meanInstanceOptimal).toBe(GOLDEN.opt)
    expect(s.meanBestFixed).toBe(GOLDEN.bf)
    expect(s.meanTsallisInf).toBe(GOLDEN.tsallis)
    expect(s.meanChebCB).toBe(GOLDEN.cheb)
  })

  it('degenerate experiment: the eigenvector b dips to 21 sweeps at exactly ω = 1.4', async () => {
    const r = await runLocal(study, { experiment: 'degenerate', degenerateStep: 0.1, degenerateSamples: 3 }, 0)
    const i = Array.from(r.columns.omega).findIndex((w) => w === 1.4)
    expect(r.columns.degenerateCost[i]).toBe(21)
    expect(r.columns.randomMeanCost[i]).toBeGreaterThan(30)
  })
})

/**
 * Means of integer iteration counts over 24 instances, so exact (tolerance 0); produced by this
 * implementation (MATLAB could not be run here; the SOR kernel itself is checked against a dense
 * transcription of sor.m above).
 */
const GOLDEN = { opt: 57.958333333333336, bf: 108.79166666666667, tsallis: 345.0416666666667, cheb: 240.58333333333334 }
