import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { groupSumGrid, klTable, logSigmoid, mixtureRegret, resolvability, weightFunction } from './mixture'
import { drawMinibatch, exactPredictive, functionOf, functionSpaceCholesky, logLikGradV, sgldStep, sigmoid } from './posterior'
import { drawLogisticData, recordPriorMap } from './solver'
import study from './study'
import { fillZiggurat, zigguratNormal } from './ziggurat'

describe('demo A: the exact mixture by counting', () => {
  it('grid sizes and prior masses from log-binomials (no 2^P ever formed)', () => {
    expect([32, 128, 512, 2048].map((P) => groupSumGrid(P, 8).values.length ** 2)).toEqual([289, 4225, 16641, 66049])
    const full = groupSumGrid(32, 8)
    expect(Math.abs(full.logMass.reduce((a, l) => a + Math.exp(l), 0) - 1)).toBeLessThan(1e-14)
    // truncation at |v| ≤ 8 omits < e⁻³⁰ of the prior per group at P = 2048: sum the omitted tail itself
    const big = groupSumGrid(2048, 8)
    for (const l of big.logMass) expect(Number.isFinite(l)).toBe(true)
    const h = 1024
    let lnC = -h * Math.LN2 // k = 0
    let omitted = 0
    for (let k = 0; k <= h; k++) {
      if (k > 0) lnC += Math.log((h - k + 1) / k)
      if (Math.abs((2 * k - h) / Math.sqrt(h)) > 8) omitted += Math.exp(lnC)
    }
    expect(omitted).toBeGreaterThan(0)
    expect(omitted).toBeLessThan(Math.exp(-30))
  })
  it('the counted mixture equals brute-force enumeration of all 2^P hypotheses (P = 8)', () => {
    const P = 8
    const beta = 2
    const vStar: [number, number] = [0.6, -0.8]
    const data = drawLogisticData(12, beta, vStar, new Rng(5))
    const grid = groupSumGrid(P, 8)
    const m = grid.values.length
    const prior = new Float64Array(m * m)
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) prior[i * m + j] = Math.exp(grid.logMass[i] + grid.logMass[j])
    const sum = new Float64Array(12)
    const sq = new Float64Array(12)
    mixtureRegret(grid.values, prior, 0, beta, vStar, data.x, data.y, sum, sq)
    // brute force: logsumexp over w ∈ {±1}^8 of −P ln 2 + Σ_t ln p_w(y_t|x_t), at every prefix
    for (const T of [1, 5, 12]) {
      const terms: number[] = []
      for (let mask = 0; mask < 1 << P; mask++) {
        let s1 = 0
        let s2 = 0
        for (let b = 0; b < P; b++) {
          const wb = mask & (1 << b) ? 1 : -1
          if (b < P / 2) s1 += wb
          else s2 += wb
        }
        const v1 = s1 / Math.sqrt(P / 2)
        const v2 = s2 / Math.sqrt(P / 2)
        let ll = -P * Math.LN2
        for (let t = 0; t < T; t++) ll += logSigmoid(data.y[t] * beta * (data.x[2 * t] * v1 + data.x[2 * t + 1] * v2))
        terms.push(ll)
      }
      const mx = Math.max(...terms)
      const lnQ = mx + Math.log(terms.reduce((a, l) => a + Math.exp(l - mx), 0))
      let truth = 0
      for (let t = 0; t < T; t++) truth += logSigmoid(data.y[t] * beta * (data.x[2 * t] * vStar[0] + data.x[2 * t + 1] * vStar[1]))
      // regret, not loss: the truth's log-likelihood on the same data is subtracted
      expect(Math.abs(sum[T - 1] - (truth - lnQ))).toBeLessThan(1e-12)
    }
  })
  it('the x-averaged KL table matches the direct formula, truth first (and the mirror trick)', () => {
    const grid = groupSumGrid(32, 8)
    const xs = new Rng(3).gaussianMatrix(50, 2)
    const vStar: [number, number] = [2.4, -3.2]
    const kl = klTable(grid, 2, vStar, xs)!
    const m = grid.values.length
    for (const [i, j] of [[0, 0], [3, 11], [8, 8], [16, 2], [16, 16]]) {
      const v1 = grid.values[i]
      const v2 = grid.values[j]
      let direct = 0
      let reversed = 0
      for (let s = 0; s < 50; s++) {
        const p = sigmoid(2 * (xs[2 * s] * vStar[0] + xs[2 * s + 1] * vStar[1]))
        const q = sigmoid(2 * (xs[2 * s] * v1 + xs[2 * s + 1] * v2))
        direct += p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q))
        reversed += q * Math.log(q / p) + (1 - q) * Math.log((1 - q) / (1 - p))
      }
      // the decomposition cancels O(1) terms: 1e-9 absolute (the bound uses KL ≳ 1e-4)
      expect(Math.abs(kl[i * m + j] - direct / 50)).toBeLessThan(1e-9 * Math.max(1, direct / 50))
      if (Math.abs(direct - reversed) > 1e-6) expect(Math.abs(kl[i * m + j] - reversed / 50)).toBeGreaterThan(1e-9)
    }
  })
  it('the resolvability bound groups ties and takes the minimum over ε', () => {
    const kl = Float64Array.from([0, 0.1, 0.1, 0.5])
    const logPrior = Float64Array.from([Math.log(0.1), Math.log(0.2), Math.log(0.3), Math.log(0.4)])
    const wf = weightFunction(kl, logPrior)
    expect(Array.from(wf.eps)).toEqual([0, 0.1, 0.5])
    expect(wf.logW[1]).toBeCloseTo(Math.log(0.6), 14)
    // n = 10: min(0 − ln 0.1, 1 − ln 0.6, 5 − ln 1) = 1 − ln 0.6
    expect(resolvability(wf, 10).bound).toBeCloseTo(1 - Math.log(0.6), 14)
    expect(resolvability(wf, 10).epsStar).toBe(0.1)
  })
  it('log-sigmoid is stable far in the tails (pitfall: overflow)', () => {
    expect(logSigmoid(800)).toBe(-0)
    expect(logSigmoid(-800)).toBe(-800)
    expect(logSigmoid(0)).toBeCloseTo(-Math.LN2, 15)
  })
})

describe('demo B: exact predictive and SGLD', () => {
  it('with no data the exact predictive is E σ(β⟨x, v⟩), v ~ N(0, AAᵀ/P) (1-D check)', () => {
    const P = 50
    const A = new Rng(1).gaussianMatrix(2, P)
    const L = functionSpaceCholesky(A, P)
    const xTest = Float64Array.from([0.7, -1.2, 0.1, 0.3])
    const pred = exactPredictive(L, 2, { x: new Float64Array(0), y: new Int8Array(0) }, xTest, 281)
    for (let s = 0; s < 2; s++) {
      const x1 = xTest[2 * s]
      const x2 = xTest[2 * s + 1]
      // sd of ⟨x, v⟩ = ‖Lᵀx‖
      const sd = Math.hypot(L[0] * x1 + L[2] * x2, L[3] * x2)
      let e = 0
      let wsum = 0
      for (let i = -4000; i <= 4000; i++) {
        const u = i / 500
        const w = Math.exp(-0.5 * u * u)
        e += w * sigmoid(2 * sd * u)
        wsum += w
      }
      expect(Math.abs(pred[s] - e / wsum)).toBeLessThan(1e-9)
    }
  })
  it('the minibatch gradient rescaled by n/B is unbiased for the full-data gradient (pitfall: rescaling)', () => {
    const data = drawLogisticData(20, 2, [1, -0.5], new Rng(2))
    const v = Float64Array.from([0.3, 0.2])
    const full = new Float64Array(2)
    logLikGradV(v, 2, data, Int32Array.from({ length: 20 }, (_, i) => i), 20, 1, full)
    const perm = Int32Array.from({ length: 20 }, (_, i) => i)
    const idx = new Int32Array(16)
    const g = new Float64Array(2)
    const acc = [0, 0]
    const rng = new Rng(4)
    const R = 20000
    for (let r = 0; r < R; r++) {
      drawMinibatch(perm, 16, rng, idx)
      logLikGradV(v, 2, data, idx, 16, 20 / 16, g)
      acc[0] += g[0] / R
      acc[1] += g[1] / R
    }
    expect(Math.abs(acc[0] - full[0])).toBeLessThan(0.01 * Math.max(1, Math.abs(full[0])))
    expect(Math.abs(acc[1] - full[1])).toBeLessThan(0.01 * Math.max(1, Math.abs(full[1])))
  })
  it('SGLD with full batches samples the posterior: its averaged probabilities match the exact predictive', () => {
    const P = 20
    const A = new Rng(6).gaussianMatrix(2, P)
    const data = drawLogisticData(8, 2, [1, -0.5], new Rng(7))
    const xTest = new Rng(8).gaussianMatrix(5, 2)
    const exact = exactPredictive(functionSpaceCholesky(A, P), 2, data, xTest, 141)
    const rng = new Rng(9)
    const scratch = { perm: Int32Array.from({ length: 8 }, (_, i) => i), idx: new Int32Array(8), gv: new Float64Array(2), noise: new Float64Array(P) }
    const acc = new Float64Array(5)
    let kept = 0
    for (let c = 0; c < 4; c++) {
      const w = rng.gaussianMatrix(1, P)
      const v = new Float64Array(2)
      functionOf(A, w, P, v)
      for (let step = 1; step <= 30000; step++) {
        sgldStep(A, w, v, P, 2, data, 8, 5e-3, rng, scratch)
        if (step > 2000 && step % 10 === 0) {
          // a mixture: average probabilities, not logits
          for (let s = 0; s < 5; s++) acc[s] += sigmoid(2 * (xTest[2 * s] * v[0] + xTest[2 * s + 1] * v[1]))
          kept++
        }
      }
    }
    for (let s = 0; s < 5; s++) expect(Math.abs(acc[s] / kept - exact[s])).toBeLessThan(0.04)
  })
  it('ziggurat normals: moments, tails and the bulk fill give the same stream', () => {
    const rng = new Rng(10)
    const N = 400000
    let s1 = 0
    let s2 = 0
    let s4 = 0
    let tail = 0
    for (let i = 0; i < N; i++) {
      const z = zigguratNormal(rng)
      s1 += z
      s2 += z * z
      s4 += z * z * z * z
      if (Math.abs(z) > 3) tail++
    }
    expect(Math.abs(s1 / N)).toBeLessThan(0.01)
    expect(Math.abs(s2 / N - 1)).toBeLessThan(0.01)
    expect(Math.abs(s4 / N - 3)).toBeLessThan(0.06)
    expect(Math.abs(tail / N - 0.0026998)).toBeLessThan(0.0006)
    const a = new Rng(11)
    const b = new Rng(11)
    const buf = new Float64Array(1000)
    fillZiggurat(a, buf)
    for (let i = 0; i < 1000; i++) expect(buf[i]).toBe(zigguratNormal(b))
  })
})

describe('study', () => {
  const smallA = { demo: 'A', P: 32, n: 20, nDatasets: 3, nKlSample: 200 }
  it('a small demo A run is deterministic, below its bound, with pinned golden values (12 decimals)', async () => {
    const a = await runLocal(study, smallA, 0)
    const b = await runLocal(study, smallA, 0)
    expect(a.status).toBe('done')
    expect(a.columns.expectedRegret).toEqual(b.columns.expectedRegret)
    expect(a.summary.logH).toBeCloseTo(32 * Math.LN2, 12)
    expect(a.summary.minBoundMargin).toBeGreaterThan(0)
    expect(a.view.at('expectedRegret', 20)).toBeCloseTo(GOLDEN.regret20, 12)
    expect(a.view.at('bound', 20)).toBeCloseTo(GOLDEN.bound20, 12)
  })
  it('the KL sample is fixed per seed and independent of the data sets (pitfall: fixed KL sample)', async () => {
    const one = await runLocal(study, { ...smallA, nDatasets: 1 }, 0)
    const three = await runLocal(study, { ...smallA, nDatasets: 3 }, 0)
    expect(one.columns.bound).toEqual(three.columns.bound)
    // the first data set is the same in both: the regret of 1 data set is not the mean of 3
    expect(one.view.at('expectedRegret', 20)).not.toBe(three.view.at('expectedRegret', 20))
    const other = await runLocal(study, { ...smallA, nDatasets: 1 }, 1)
    expect(other.view.at('bound', 20)).not.toBe(one.view.at('bound', 20))
  })
  it('a small demo B run records the trace, the comparison and the scatter', async () => {
    const r = await runLocal(study, { demo: 'B', P: 30, n: 10, sgldChains: 2, sgldSteps: 400, sgldBurnIn: 100, sgldThin: 10, mapSteps: 50, quadPoints: 41, nTest: 10 }, 0)
    expect(r.status).toBe('done')
    expect(r.summary.keptSamples).toBe(60)
    expect(r.columns['vNorm[1]'].filter((v) => Number.isFinite(v)).length).toBe(41)
    expect(r.columns.sgldPredictive.filter((v) => Number.isFinite(v)).length).toBe(10)
    expect(r.summary.maxAbsDeltaP).toBeLessThan(0.5)
  })
  it('records the prior map: one row per v₂ summing to the prior, the KL-ball boundary inside the ball, v* last', async () => {
    const r = await runLocal(study, { ...smallA, priorMap: true }, 0)
    const plain = await runLocal(study, smallA, 0)
    // the map is extra rows only: the regret curve and bound are unchanged
    expect(r.view.at('expectedRegret', 20)).toBe(plain.view.at('expectedRegret', 20))
    const grid = groupSumGrid(32, 8)
    const m = grid.values.length
    const v2 = r.columns.mapV2.filter((v) => Number.isFinite(v))
    expect(Array.from(v2)).toEqual(Array.from(grid.values))
    let total = 0
    const rows = r.columns.mapV2.map((v, k) => (Number.isFinite(v) ? k : -1)).filter((k) => k >= 0)
    for (const k of rows) for (let i = 0; i < m; i++) total += r.columns[`priorWeightRow[${i}]`][k]
    expect(total).toBeCloseTo(1, 12)
    // the prior is symmetric in v₁ ↔ v₂: row j component i equals row i component j
    expect(r.columns[`priorWeightRow[1]`][rows[3]]).toBe(r.columns[`priorWeightRow[3]`][rows[1]])
    const n = Object.keys(r.summary).filter((k) => k.startsWith('klBallLabel[')).length
    expect(n).toBeGreaterThan(1)
    expect(r.summary[`klBallLabel[${n - 1}]`]).toBe(-1)
    expect([r.summary[`klBallV1[${n - 1}]`], r.summary[`klBallV2[${n - 1}]`]]).toEqual([0.6, -0.8])
    for (let k = 0; k < n - 1; k++) {
      expect(r.summary[`klBallLabel[${k}]`]).toBe(1)
      expect(grid.values).toContain(r.summary[`klBallV1[${k}]`])
      expect(grid.values).toContain(r.summary[`klBallV2[${k}]`])
    }
    expect(r.summary.klBallEps).toBeGreaterThan(0)
  })
  it('the KL-ball boundary: cells inside the ball with a 4-neighbour outside, sorted by angle, then v*', () => {
    const G = Float64Array.from([0, 1, 2, 3, 4])
    const m = G.length
    const kl = new Float64Array(m * m)
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) kl[i * m + j] = (G[i] - 2) ** 2 + (G[j] - 2) ** 2
    const rows: Record<string, number | ArrayLike<number>>[] = []
    const ctx = { record: (_it: number, v: Record<string, number | ArrayLike<number>>) => rows.push(v) } as unknown as Parameters<typeof recordPriorMap>[0]
    recordPriorMap(ctx, G, new Float64Array(m * m).fill(1 / (m * m)), kl, 1.5, [2, 2], 100)
    expect(rows.length).toBe(m)
    const last = rows[m - 1]
    // the ball {(2,2) and its 4 neighbours}: the centre is interior, the 4 neighbours are the boundary
    expect(Array.from(last.klBallV1 as Float64Array)).toEqual([2, 3, 2, 1, 2])
    expect(Array.from(last.klBallV2 as Float64Array)).toEqual([1, 2, 3, 2, 2])
    expect(Array.from(last.klBallLabel as Float64Array)).toEqual([1, 1, 1, 1, -1])
    expect(last.klBallCells).toBe(4)
  })
  it('rejects odd P in demo A', async () => {
    await expect(runLocal(study, { demo: 'A', P: 33 }, 0)).rejects.toThrow(/even/)
  })
})

const GOLDEN = { regret20: 2.166408389256666, bound20: 3.229449317783908 }
