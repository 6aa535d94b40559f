/**
 * The claims of vr-halpern-finite-sum at the spec's sizes (problem A: d = 20, N ∈ {1600, 6400, 25600},
 * 300 epochs; game: n = 100, 1000 epochs) on seeds 0, 1, 2, plus the game-equilibrium self-test.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import { Recorder } from '../../kit/recorder'
import { MatrixGameProblem, policemanBurglarMatrix } from './problems'
import { runMethod, type VrHalpernParams } from './solver'
import study from './study'

const ctxFor = (seed = 0) => new Recorder({ seed, oracles: ['component'], isCancelled: () => false, onBatch: () => {} })

const defaults: VrHalpernParams = {
  problem: 'A', method: 'alg1', N: 400, d: 5, noiseScale: 0.5, rowMean: 3, n: 20, decay: 0.8, scaling: 'rows',
  epochs: 0, etaAlg1: 0, etaHalpern: 0, etaBaseline: 0, batch: 0, innerFactor: 0.05, snapshot: 'inner', baseline: false, algoSeed: 0,
}

/** Recorded as not reproduced (see the README); the app reports it as failed. */
const NOT_REPRODUCED: KnownMiss[] = [
  {
    figure: 'cocoercive-gain',
    seed: 2,
    claim: 'gain-N25600',
    why: 'gain 8.74 < 10 at N = 25600 (Halpern 1.29 vs Algorithm 1 0.147 at 300 epochs); seeds 0-9 give a median of 10.3 with 2 of 10 below 10',
  },
]

describe('vr-halpern-finite-sum claims', () => {
  for (const figure of ['cocoercive-gain', 'matrix-game']) {
    for (const seed of [0, 1, 2]) {
      it(`${figure}, seed ${seed}`, async () => {
        const t0 = performance.now()
        const r = await reproduceLocal(study, figure, seed)
        const secs = ((performance.now() - t0) / 1000).toFixed(1)
        for (const c of r.claims) console.log(`[${figure} seed ${seed}, ${secs} s] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
        for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
        expect(r.claims.length).toBeGreaterThan(0)
        expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
      })
    }
  }
})

describe('game equilibria (pitfall: the official column scaling)', () => {
  function equilibrium(scaling: 'rows' | 'columns', seed: number) {
    const ctx = ctxFor(seed)
    const n = 100
    const problem = new MatrixGameProblem(policemanBurglarMatrix(ctx.stream('data'), n, 0.8, scaling), n)
    const u = runMethod(problem, { ...defaults, problem: 'B', method: 'vreg', n, scaling, epochs: 1500 }, ctx)
    const { A } = problem
    const Ax = new Float64Array(n)
    const Aty = new Float64Array(n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      Ax[i] += A[i * n + j] * u[j]
      Aty[j] += A[i * n + j] * u[n + i]
    }
    const gap = Math.max(...Ax) - Math.min(...Aty) // max_y yᵀAx − min_x yᵀAx ≥ 0
    const support = (off: number) => Array.from(u.subarray(off, off + n)).filter((v) => v > 1e-6).length
    return { gap, value: Math.max(...Ax), policeman: support(0), burglar: support(n), residual: problem.residual(u) }
  }
  // seed 2: VR-EG reaches a duality gap ≈ 2e-7 (rows) and 3e-6 (columns) within 1500 epochs
  it('row-scaled: a mixed equilibrium (supports 8/8, value 1.65 on seed 2); column-scaled: the policeman sits on one vertex', () => {
    const rows = equilibrium('rows', 2)
    expect(rows.gap).toBeLessThan(1e-6)
    expect(rows.policeman).toBe(8)
    expect(rows.burglar).toBe(8)
    expect(rows.value).toBeCloseTo(1.65, 2)
    const cols = equilibrium('columns', 2)
    expect(cols.gap).toBeLessThan(1e-5)
    expect(cols.policeman).toBe(1)
    expect(cols.value).toBeLessThan(0.1 * rows.value)
  })
})

