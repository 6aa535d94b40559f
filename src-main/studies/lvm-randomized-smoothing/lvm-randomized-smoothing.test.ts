import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { bernsteinShift, cpHardRadius, exactRadius, hoeffdingShift, radiusFromBounds, SmoothingQuadrature, VoteStats } from './certify'
import { argmax3, qdaLogits, softmax3, sparsemax3 } from './maps'
import { certifyPoint, drawTestSet, parseTemps, widthSampleSizes } from './solver'
import { betaInc, betaInv, clopperPearson, lnGamma, normInv } from './special'
import study from './study'

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300)

describe('special functions (references from scipy 1.17)', () => {
  it('Φ⁻¹ matches scipy.stats.norm.ppf to 1e-14 relative, tails included', () => {
    expect(rel(normInv(0.975), 1.959963984540054)).toBeLessThan(1e-14)
    expect(rel(normInv(1e-10), -6.361340902404056)).toBeLessThan(1e-14)
    expect(rel(normInv(0.3), -0.5244005127080409)).toBeLessThan(1e-14)
    expect(rel(normInv(0.999999), 4.753424308817087)).toBeLessThan(1e-13)
    expect(rel(normInv(1e-300), -37.0470962993612)).toBeLessThan(1e-13)
    expect(normInv(1)).toBe(Infinity)
    expect(normInv(0)).toBe(-Infinity)
  })
  it('ln Γ and I_x(a, b) match scipy', () => {
    expect(rel(lnGamma(0.3), 1.0957979948180756)).toBeLessThan(1e-13)
    expect(rel(lnGamma(10000.5), 82104.32265412837)).toBeLessThan(1e-13)
    expect(rel(betaInc(0.3, 5, 7), 0.2103046172999999)).toBeLessThan(1e-12)
    expect(rel(betaInc(0.998, 9990, 11), 0.010753619802882967)).toBeLessThan(1e-9)
    // closed forms: I_x(1, b) = 1 − (1 − x)^b, I_x(a, 1) = x^a
    expect(rel(betaInc(0.2, 1, 7), 1 - Math.pow(0.8, 7))).toBeLessThan(1e-14)
    expect(rel(betaInc(0.7, 4, 1), Math.pow(0.7, 4))).toBeLessThan(1e-14)
  })
  it('Clopper–Pearson at α/K per side matches scipy.stats.beta.ppf', () => {
    const a = 1e-3 / 3
    expect(rel(betaInv(a, 9950, 51), 0.9921235312170553)).toBeLessThan(1e-9)
    const saturated = clopperPearson(10000, 10000, a)
    expect(rel(saturated.lower, 0.9991996836673229)).toBeLessThan(1e-11)
    expect(saturated.upper).toBe(1)
    const empty = clopperPearson(0, 10000, a)
    expect(empty.lower).toBe(0)
    expect(rel(empty.upper, 0.0008003163326770334)).toBeLessThan(1e-9)
    expect(rel(clopperPearson(30, 10000, a).upper, 0.0053471301617984465)).toBeLessThan(1e-9)
    expect(rel(clopperPearson(3, 100, a).lower, 0.0013137778970032112)).toBeLessThan(1e-9)
  })
})

describe('soft maps', () => {
  it('sparsemax is the Euclidean projection onto the simplex (closed form and KKT)', () => {
    const out = new Float64Array(3)
    sparsemax3([0.5, 0.4, 0], 1, out)
    expect(Array.from(out).map((v) => +v.toFixed(12))).toEqual([0.533333333333, 0.433333333333, 0.033333333333])
    sparsemax3([1, 0, 0], 1, out)
    expect(Array.from(out)).toEqual([1, 0, 0])
    const rng = new Rng(3)
    for (let trial = 0; trial < 200; trial++) {
      const z = [rng.normal(), rng.normal(), rng.normal()]
      const t = Math.exp(2 * rng.normal())
      sparsemax3(z, t, out)
      expect(Math.abs(out[0] + out[1] + out[2] - 1)).toBeLessThan(1e-12)
      // KKT: p_k = t z_k − τ on the support, t z_k ≤ τ off it
      const support = [0, 1, 2].filter((k) => out[k] > 0)
      const tau = t * z[support[0]] - out[support[0]]
      for (const k of [0, 1, 2]) {
        if (out[k] > 0) expect(Math.abs(t * z[k] - tau - out[k])).toBeLessThan(1e-10 * Math.max(1, t))
        else expect(t * z[k]).toBeLessThanOrEqual(tau + 1e-10 * Math.max(1, t))
      }
    }
  })
  it('t multiplies the logits: large t gives the argmax, small t the uniform vote (pitfall 5)', () => {
    const z = Float64Array.from([0.3, 1.2, -0.5])
    const out = new Float64Array(3)
    softmax3(z, 1e7, out)
    expect(Array.from(out)).toEqual([0, 1, 0])
    sparsemax3(z, 1e7, out)
    expect(Array.from(out)).toEqual([0, 1, 0])
    softmax3(z, 1e-9, out)
    for (const v of out) expect(Math.abs(v - 1 / 3)).toBeLessThan(1e-8)
  })
})

describe('bounds and radius', () => {
  it('Bernstein uses the unbiased (ddof = 1) std of the soft votes (pitfall 5)', () => {
    const stats = new VoteStats([{ map: 'softmax', t: 1 }], 50)
    const rng = new Rng(7)
    stats.sample(0.5, 0.2, 0.5, rng)
    const rng2 = new Rng(7)
    const z = new Float64Array(3)
    const h = new Float64Array(3)
    const vals: number[] = []
    for (let i = 0; i < 50; i++) {
      qdaLogits(0.5 + 0.5 * rng2.normal(), 0.2 + 0.5 * rng2.normal(), z)
      softmax3(z, 1, h)
      vals.push(h[0])
    }
    const mean = vals.reduce((a, b) => a + b, 0) / 50
    const std = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / 49)
    expect(rel(stats.mean(0, 0), mean)).toBeLessThan(1e-13)
    expect(rel(stats.std(0, 0), std)).toBeLessThan(1e-10)
    expect(bernsteinShift(1e-3 / 3, 50, std)).toBeCloseTo(std * Math.sqrt((2 * Math.log(6000)) / 50) + (7 * Math.log(6000)) / (3 * 49), 14)
    expect(hoeffdingShift(1e-3 / 3, 50)).toBeCloseTo(Math.sqrt(Math.log(6000) / 100), 14)
  })
  it('the radius formula, abstention and the clamps at the edges (pitfall 6)', () => {
    const r = radiusFromBounds([0.9, 0.05, 0.01], [0.95, 0.1, 0.02], 0.5)
    expect(r.cls).toBe(0)
    expect(r.radius).toBeCloseTo(0.25 * (normInv(0.9) - normInv(0.1)), 14)
    expect(radiusFromBounds([0.4, 0.3, 0.1], [0.5, 0.45, 0.2], 0.5).cls).toBe(-1)
    // a bound outside [0, 1] still gives a finite radius
    const e = radiusFromBounds([1.2, -0.1, -0.1], [1.3, 0, 0], 0.5)
    expect(Number.isFinite(e.radius)).toBe(true)
    // CP at k = n: p̄_B from k = 0 is > 0 and p̲_A < 1
    const cp = cpHardRadius([10000, 0, 0], 10000, 1e-3, 0.5)
    expect(cp.radius).toBeCloseTo(0.25 * (normInv(0.9991996836673229) - normInv(0.0008003163326770334)), 8)
  })
  it('Bonferroni: every bound is at α/K per class and per side (pitfall 7)', () => {
    const cp = cpHardRadius([9000, 700, 300], 10000, 1e-3, 0.5)
    const lower = betaInv(1e-3 / 3, 9000, 1001)
    const upper = betaInv(1 - 1e-3 / 3, 701, 9300)
    expect(cp.radius).toBeCloseTo(0.25 * (normInv(lower) - normInv(upper)), 12)
  })
})

describe('exact smoothing and certification', () => {
  it('quadrature probabilities sum to 1 and converge with the grid', () => {
    const q = new SmoothingQuadrature(0.5, 241)
    const q2 = new SmoothingQuadrature(0.5, 481)
    const votes = [null, { map: 'softmax' as const, t: 1 }, { map: 'sparsemax' as const, t: 4 }]
    const p = q.smoothed(1.2, 0.3, votes)
    const p2 = q2.smoothed(1.2, 0.3, votes)
    for (let v = 0; v < 3; v++) expect(Math.abs(p[3 * v] + p[3 * v + 1] + p[3 * v + 2] - 1)).toBeLessThan(1e-12)
    // hard votes near a boundary: O(h) error, well under the 1e-3 tolerance (pitfall 4)
    for (let i = 0; i < 9; i++) expect(Math.abs(p[i] - p2[i])).toBeLessThan(1e-3)
    // soft votes: softmax is smooth (spectral accuracy), sparsemax has kinks (O(h²))
    for (let i = 3; i < 6; i++) expect(Math.abs(p[i] - p2[i])).toBeLessThan(1e-9)
    for (let i = 6; i < 9; i++) expect(Math.abs(p[i] - p2[i])).toBeLessThan(2e-4)
  })
  it('Monte Carlo soft votes agree with the exact smoothed vote within 4 standard errors', () => {
    const stats = new VoteStats([{ map: 'sparsemax', t: 2 }], 20000)
    stats.sample(1.0, 0.8, 0.5, new Rng(11))
    const p = new SmoothingQuadrature(0.5, 241).smoothed(1.0, 0.8, [{ map: 'sparsemax', t: 2 }])
    for (let k = 0; k < 3; k++) expect(Math.abs(stats.mean(0, k) - p[k])).toBeLessThan(4 * (stats.std(0, k) / Math.sqrt(20000)) + 1e-12)
  })
  it('LVM-max is never below CP-hard: a max over radii from the same samples (pitfall 2)', () => {
    const temps = parseTemps('0.25, 1, 4, 16')
    const votes = (['sparsemax', 'softmax'] as const).flatMap((map) => temps.map((t) => ({ map, t })))
    const cfg = { sigma: 0.5, n: 2000, n0: 50, alpha: 1e-3, votes, temps, quad: new SmoothingQuadrature(0.5, 61), tol: 1e-3 }
    const { x } = drawTestSet(6, new Rng(1, 'data'))
    const rng = new Rng(2)
    for (let i = 0; i < 6; i++) {
      const c = certifyPoint(x[2 * i], x[2 * i + 1], cfg, rng)
      expect(c.methods['lvm-max'].radius).toBeGreaterThanOrEqual(c.methods['cp-hard'].radius)
    }
  })
  it('Gaussian margins: E[sigmoid(t·m)] < Φ(a/s) for every t (pitfall 1, why soft votes cannot win here)', () => {
    // 1-D quadrature of E over m = a + sε; Φ(a/s) via the inverse: Φ⁻¹(E) < a/s
    for (const ratio of [1, 2, 3, 3.5]) {
      for (const t of [0.25, 1, 4, 16, 64]) {
        let e = 0
        let wsum = 0
        for (let i = -4000; i <= 4000; i++) {
          const u = i / 400
          const w = Math.exp(-0.5 * u * u)
          e += w / (1 + Math.exp(-t * (ratio + u)))
          wsum += w
        }
        expect(normInv(e / wsum)).toBeLessThan(ratio)
      }
    }
  })
  it('exact radius with tolerance is looser than without', () => {
    const a = exactRadius([0.9, 0.08, 0.02], 0.5)
    const b = exactRadius([0.9, 0.08, 0.02], 0.5, 1e-3)
    expect(b.radius).toBeGreaterThan(a.radius)
    expect(a.top).toBe(0)
  })
})

describe('study', () => {
  const small = { nTest: 4, nMc: 1000, nSelect: 50, quadPoints: 41 }
  it('a small certify run is deterministic and records the totals and the curves', async () => {
    const a = await runLocal(study, small, 0)
    const b = await runLocal(study, small, 0)
    expect(a.status).toBe('done')
    expect(a.columns.radiusCpHard).toEqual(b.columns.radiusCpHard)
    expect(a.summary).toEqual(b.summary)
    expect(a.summary['oracle:baseEval']).toBe(4 * 1050)
    expect(a.columns.certAccCpHard.filter((v) => Number.isFinite(v)).length).toBe(101)
    // golden values (seed 0), pinned to 12 decimals
    expect(a.summary.meanRadiusCpHard).toBeCloseTo(GOLDEN.meanRadiusCpHard, 12)
    expect(a.summary.meanRadiusBernstein).toBeCloseTo(GOLDEN.meanRadiusBernstein, 12)
  })
  it('temperature-sweep, bound-width and slice modes run', async () => {
    const sweep = await runLocal(study, { ...small, mode: 'temperature-sweep', sweepPoints: 5 }, 0)
    expect(sweep.status).toBe('done')
    expect(sweep.summary['oracle:temperature']).toBeCloseTo(64, 10)
    const width = await runLocal(study, { ...small, mode: 'bound-width', nMaxWidth: 1000 }, 0)
    expect(width.status).toBe('done')
    expect(width.summary['oracle:baseEval']).toBe(1000)
    // Bernstein's width at large n tracks std·√(2 ln(2/α′)/n) while Hoeffding's is √(ln(2/α′)/(2n))
    expect(widthSampleSizes(1000)).toEqual([100, 178, 316, 562, 1000])
    const slice = await runLocal(study, { ...small, mode: 'slice', slicePoints: 5 }, 0)
    expect(slice.status).toBe('done')
    expect(slice.events.some((e) => e.name === 'boundary')).toBe(true)
  })
  it('validates the temperature list', () => {
    expect(() => parseTemps('1, -2')).toThrow()
    expect(parseTemps('0.25,0.5 1')).toEqual([0.25, 0.5, 1])
    expect(argmax3([1, 3, 3])).toBe(1)
  })
})

const GOLDEN = { meanRadiusCpHard: 0.9477337970387051, meanRadiusBernstein: 0.7322852478065218 }
