import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Recorder } from '../../kit/recorder'
import { Rng } from '../../numeric/rng'
import { fullEvaluationProbability } from './methods'
import { HardQpProblem, leastSquaresData, LeastSquaresProblem, MatrixGameProblem, policemanBurglarMatrix, type FiniteSumProblem } from './problems'
import { SimplexProjector } from './simplex'
import { runMethod, type VrHalpernParams } from './solver'
import study from './study'

const ctxFor = (seed = 0) => new Recorder({ seed, oracles: ['component'], isCancelled: () => false, onBatch: () => {} })

const defaults: VrHalpernParams = {
  problem: 'A', method: 'alg1', N: 400, d: 5, noiseScale: 0.5, rowMean: 3, n: 20, decay: 0.8, scaling: 'rows',
  epochs: 0, etaAlg1: 0, etaHalpern: 0, etaBaseline: 0, batch: 0, innerFactor: 0.05, snapshot: 'inner', baseline: false, algoSeed: 0,
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** Σ_i (F_i(u) − F_i(v)) through the component oracle must equal F(u) − F(v) (the PAGE update assumes F = Σ F_i). */
function componentSumError(problem: FiniteSumProblem, rng: Rng): number {
  const u = new Float64Array(problem.dim).map(() => rng.normal())
  const v = new Float64Array(problem.dim).map(() => rng.normal())
  const acc = new Float64Array(problem.dim)
  for (let i = 0; i < problem.n; i++) problem.addComponentDiff(i, u, v, 1, acc)
  const Fu = new Float64Array(problem.dim)
  const Fv = new Float64Array(problem.dim)
  problem.full(u, Fu)
  problem.full(v, Fv)
  let err = 0
  let scale = 0
  for (let j = 0; j < problem.dim; j++) {
    err = Math.max(err, Math.abs(acc[j] - (Fu[j] - Fv[j])))
    scale = Math.max(scale, Math.abs(Fu[j] - Fv[j]))
  }
  return err / scale
}

describe('simplex projection', () => {
  const proj = new SimplexProjector(4)
  it('projects onto the simplex with the KKT structure x = max(z − τ, 0)', () => {
    const out = new Float64Array(4)
    proj.project(new Float64Array([0.5, 2, -1, 0.3]), out)
    expect(Array.from(out)).toEqual([0, 1, 0, 0])
    proj.project(new Float64Array([0.4, 0.4, 0.1, 0.0]), out) // Σ = 0.9: shift up by τ = −0.025
    for (const [i, x] of [0.425, 0.425, 0.125, 0.025].entries()) expect(out[i]).toBeCloseTo(x, 15)
  })
  it('returns a point already on the simplex unchanged (the official helper crashed on this input)', () => {
    const x = new Float64Array([0.25, 0.5, 0, 0.25])
    const out = new Float64Array(4)
    proj.project(x, out)
    expect(maxAbsDiff(out, x)).toBeLessThan(1e-16)
  })
  it('is the nearest simplex point: no random simplex point is closer (200 trials)', () => {
    const rng = new Rng(3)
    const z = new Float64Array(4).map(() => 2 * rng.normal())
    const p = new Float64Array(4)
    proj.project(z, p)
    const d0 = z.reduce((s, zi, i) => s + (zi - p[i]) ** 2, 0)
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14)
    for (let t = 0; t < 200; t++) {
      const e = new Float64Array(4).map(() => -Math.log(rng.uniform() + 1e-300))
      const s = e.reduce((a, b) => a + b, 0)
      expect(z.reduce((acc, zi, i) => acc + (zi - e[i] / s) ** 2, 0)).toBeGreaterThanOrEqual(d0 - 1e-12)
    }
  })
})

describe('problems', () => {
  it('A: F = Σ_i F_i with F_i = (1/N)a_i(a_iᵀu − b_i); the cheap probe Hu − h agrees; L_avg ≈ 1.3·L_F', () => {
    const p = new LeastSquaresProblem(leastSquaresData(new Rng(1, 'data'), 1600, 20, 3, 0.5))
    expect(componentSumError(p, new Rng(2))).toBeLessThan(1e-12)
    const u = new Float64Array(20).map((_, j) => Math.sin(j))
    const a = new Float64Array(20)
    const b = new Float64Array(20)
    p.full(u, a)
    p.probeF(u, b)
    expect(maxAbsDiff(a, b) / Math.max(...b.map(Math.abs))).toBeLessThan(1e-12)
    expect(p.lipF).toBeGreaterThan(170) // ≈ 9·d + 1 for rows N(3·1, I)
    expect(p.lipAvg / p.lipF).toBeGreaterThan(1.1)
    expect(p.lipAvg / p.lipF).toBeLessThan(1.6)
  })
  it('A: the full pass (wasm SIMD and its scalar twin) gives the bits of the textbook row-by-row loop', () => {
    for (const [N, d] of [[6400, 20], [1603, 20], [45, 5], [8, 1], [5, 4], [17, 3]]) {
      const data = leastSquaresData(new Rng(N + d, 'data'), N, d, 3, 0.5)
      const simd = new LeastSquaresProblem(data)
      const scalar = new LeastSquaresProblem(data, false)
      if (N >= 8) expect(simd.rows.simd).toBe(true) // Node has WebAssembly SIMD
      expect(scalar.rows.simd).toBe(false)
      const rng = new Rng(d)
      for (let t = 0; t < 3; t++) {
        const u = new Float64Array(d).map(() => rng.normal())
        if (t === 2) u[0] = -0.5 // a negative entry next to padding
        const ref = new Float64Array(d)
        for (let i = 0; i < N; i++) {
          let r = -data.b[i]
          for (let j = 0; j < d; j++) r += data.A[i * d + j] * u[j]
          r /= N
          for (let j = 0; j < d; j++) ref[j] += r * data.A[i * d + j]
        }
        const a = new Float64Array(d)
        const b = new Float64Array(d)
        simd.full(u, a)
        scalar.full(u, b)
        expect(Array.from(a)).toEqual(Array.from(ref))
        expect(Array.from(b)).toEqual(Array.from(ref))
      }
      // the component oracle reads the same rows
      const u = new Float64Array(d).fill(1)
      const v = new Float64Array(d)
      for (const i of [0, Math.min(7, N - 1), N - 1]) {
        const got = new Float64Array(d)
        simd.addComponentDiff(i, u, v, N, got)
        let r = 0
        for (let j = 0; j < d; j++) r += data.A[i * d + j]
        for (let j = 0; j < d; j++) expect(got[j]).toBe(r * data.A[i * d + j])
      }
    }
  })
  it('B: rows are scaled by the wealth w_i by default; the official convention scales columns', () => {
    const rows = policemanBurglarMatrix(new Rng(5, 'data'), 6, 0.8, 'rows')
    const cols = policemanBurglarMatrix(new Rng(5, 'data'), 6, 0.8, 'columns')
    // row scaling: A_ij / (1 − e^{−θ|i−j|}) depends on i only
    const base = (i: number, j: number) => 1 - Math.exp(-0.8 * Math.abs(i - j))
    expect(rows[0 * 6 + 2] / base(0, 2)).toBeCloseTo(rows[0 * 6 + 5] / base(0, 5), 14)
    expect(cols[2 * 6 + 0] / base(2, 0)).toBeCloseTo(cols[5 * 6 + 0] / base(5, 0), 14)
    expect(rows[0 * 6 + 2] / base(0, 2)).toBeCloseTo(cols[2 * 6 + 0] / base(2, 0), 14)
    const game = new MatrixGameProblem(rows, 6)
    expect(componentSumError(game, new Rng(7))).toBeLessThan(1e-12)
  })
  it('D: the hard QP at n = 100 has ‖M‖₂ = 0.81, ‖M‖_F = 5.85 (the spec\'s L_avg ≈ 5.86) and is not cocoercive', () => {
    const qp = new HardQpProblem(100)
    expect(qp.lipF).toBeCloseTo(0.8089, 3)
    expect(qp.lipAvg).toBeCloseTo(5.85, 2) // the spec quotes 5.86
    expect(qp.blockLipschitz).toBeCloseTo(1, 3)
    expect(componentSumError(qp, new Rng(9))).toBeLessThan(1e-12)
    // u = (0, y): ⟨Mu, u⟩ = 0 while Mu ≠ 0, so no ⟨Mu, u⟩ ≥ ‖Mu‖²/L holds
    const m = 200
    const u = new Float64Array(m)
    for (let j = 100; j < m; j++) u[j] = Math.cos(j)
    const Mu = new Float64Array(m)
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Mu[i] += qp.M[i * m + j] * u[j]
    const inner = Mu.reduce((s, x, i) => s + x * u[i], 0)
    expect(Math.abs(inner)).toBeLessThan(1e-14)
    expect(Math.hypot(...Mu)).toBeGreaterThan(0.1)
  })
})

describe('oracle accounting and update rules', () => {
  it('deterministic Halpern: exactly n calls per iteration, residual probes uncounted', async () => {
    const r = await runLocal(study, { problem: 'A', method: 'halpern', N: 400, d: 5, epochs: 30 }, 0)
    expect(r.summary['oracle:component']).toBe(30 * 400)
    expect(r.summary.iterations).toBe(30)
    expect(r.summary.fullPasses).toBe(30)
    expect(r.summary.minibatchCalls).toBe(0)
  })
  it('Algorithm 1: calls = n·full passes + 2b·minibatch steps; λ_k = 2/(k+4); p_k as in the official script', async () => {
    const r = await runLocal(study, { problem: 'A', method: 'alg1', N: 400, d: 5, epochs: 20, baseline: false }, 1)
    const b = 20
    const it = r.columns.iteration
    const full = r.columns.fullPasses
    const mini = r.columns.minibatchCalls
    const calls = r.columns['oracle:component']
    for (let i = 0; i < it.length; i++) {
      expect(calls[i]).toBe(400 * full[i] + mini[i])
      expect(mini[i] % (2 * b)).toBe(0)
    }
    for (let i = 1; i < it.length; i++) expect(r.columns.anchorWeight[i]).toBe(2 / (it[i] - 1 + 4))
    expect(full[1]).toBe(1)
    expect(full[2]).toBe(2) // p_0 = p_1 = 1
    expect(fullEvaluationProbability(2, 400)).toBe(4 / 6)
    expect(fullEvaluationProbability(21, 400)).toBe(4 / 25) // k − 1 = 20 ≤ √400
    expect(fullEvaluationProbability(22, 400)).toBe(4 / 25) // then 4/(√n + 5)
    expect(r.summary.epochs).toBeGreaterThanOrEqual(20)
    expect(r.summary.epochs).toBeLessThan(21)
  })
  it('Algorithm 1 with b = n (no sampling error) keeps g_k = F(u_k) exactly', async () => {
    const r = await runLocal(study, { problem: 'A', method: 'alg1', N: 100, d: 5, batch: 100, epochs: 10, baseline: false }, 2)
    const err = r.columns.estimatorError
    const res = r.columns.residual
    for (let i = 1; i < err.length; i++) expect(err[i]).toBeLessThan(1e-9 * Math.max(1, res[i - 1]))
  })
  it('one Halpern step matches the closed form u_1 = λ_0·u_0 + (1−λ_0)(u_0 − ηF(u_0))', () => {
    const ctx = ctxFor(0)
    const problem = new LeastSquaresProblem(leastSquaresData(ctx.stream('data'), 50, 3, 3, 0.5))
    const u = runMethod(problem, { ...defaults, method: 'halpern', N: 50, d: 3, epochs: 1 }, ctx)
    const F0 = new Float64Array(3)
    problem.probeF(problem.u0, F0)
    const eta = 2 / problem.lipF
    for (let j = 0; j < 3; j++) expect(u[j]).toBeCloseTo(0.5 * problem.u0[j] + 0.5 * (problem.u0[j] - eta * F0[j]), 14)
  })
  it('VR-EG and Algorithm 2 count 2 per inner step and n per full pass; the budget is met', async () => {
    for (const method of ['vreg', 'alg2'] as const) {
      const r = await runLocal(study, { problem: 'B', method, n: 20, epochs: 50 }, 0)
      const calls = r.summary['oracle:component']
      expect(calls).toBe(20 * r.summary.fullPasses + r.summary.minibatchCalls)
      expect(r.summary.minibatchCalls % 2).toBe(0)
      expect(calls).toBeGreaterThanOrEqual(50 * 20)
    }
  })
})

describe('every method on every problem', () => {
  it('runs to its budget with finite residuals (tiny sizes)', async () => {
    for (const problem of ['A', 'B', 'D'] as const) {
      for (const method of ['halpern', 'alg1', 'alg2', 'eg', 'eag', 'vreg'] as const) {
        const r = await runLocal(study, { problem, method, N: 200, d: 4, n: 16, epochs: 12, baseline: true }, 3)
        expect(r.status, `${problem}/${method}: ${r.error}`).toBe('done')
        expect(r.summary.epochs).toBeGreaterThanOrEqual(12)
        expect(Number.isFinite(r.summary.residual)).toBe(true)
      }
    }
  })
})

describe('determinism and golden values', () => {
  it('same seed: bit-identical; another sampling stream: same data, other path', async () => {
    const a = await runLocal(study, { problem: 'A', method: 'alg1', N: 400, d: 5, epochs: 10, baseline: true }, 4)
    const b = await runLocal(study, { problem: 'A', method: 'alg1', N: 400, d: 5, epochs: 10, baseline: true }, 4)
    const c = await runLocal(study, { problem: 'A', method: 'alg1', N: 400, d: 5, epochs: 10, baseline: true, algoSeed: 1 }, 4)
    expect(Buffer.from(a.columns.residual.buffer).equals(Buffer.from(b.columns.residual.buffer))).toBe(true)
    expect(a.columns.residual[0]).toBe(c.columns.residual[0]) // same data, same u_0
    expect(a.summary.baselineResidual).toBe(c.summary.baselineResidual) // same Halpern baseline
    expect(a.summary.residual).not.toBe(c.summary.residual)
  })
  it('pinned values (relative tolerance 1e-9)', async () => {
    const a = await runLocal(study, { problem: 'A', method: 'alg1', N: 400, d: 5, epochs: 10, baseline: true }, 0)
    const g = await runLocal(study, { problem: 'B', method: 'alg2', n: 20, epochs: 30 }, 0)
    const pinned = { alg1: a.summary.residual, halpern: a.summary.baselineResidual, alg2: g.summary.residual }
    const golden = GOLDEN
    for (const k of Object.keys(golden) as (keyof typeof golden)[]) expect(Math.abs(pinned[k] / golden[k] - 1)).toBeLessThan(1e-9)
  })
})

// seed 0; recorded on x86-64 Node 20 when the solver was written
const GOLDEN = { alg1: 4.144326824708459, halpern: 7.171572985452048, alg2: 0.2897705572384095 }
