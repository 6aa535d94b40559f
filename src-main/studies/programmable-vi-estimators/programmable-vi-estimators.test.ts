import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { dual, logMeanExp, tangent, flip, normal, type Adev, type DiscreteStrategy } from './adev'
import { coneIwaeEstimate, coneLogEvidence, coneLogJoint } from './cone'
import { ElboEnumReparam, elboEstimate, exactElbo, iwaeEstimate, logEvidence, logJoint, PHI0 } from './m2'
import study from './study'

const ctxOf = (discrete: DiscreteStrategy, continuous: 'reparam' | 'reinforce', seed = 1): Adev => ({ rng: new Rng(seed, 'test'), discrete, continuous, baseline: 0, valueOnly: false })

describe('model M2 in closed form', () => {
  it('log p(x) = −7.0857 and the exact ELBO gradient at φ₀ = (8.5316, 7.2367, −0.9766, −2.2929) (spec)', () => {
    expect(logEvidence()).toBeCloseTo(-7.0857, 4)
    const g = tangent(exactElbo(PHI0))
    const want = [8.5316, 7.2367, -0.9766, -2.2929]
    for (let i = 0; i < 4; i++) expect(g[i]).toBeCloseTo(want[i], 4)
  })

  it('the dual tangent of the exact ELBO matches central finite differences', () => {
    const g = tangent(exactElbo(PHI0))
    for (let i = 0; i < 4; i++) {
      const h = 1e-6
      const up = [...PHI0]
      const dn = [...PHI0]
      up[i] += h
      dn[i] -= h
      expect(Math.abs((exactElbo(up).v - exactElbo(dn).v) / (2 * h) - g[i])).toBeLessThan(1e-7)
    }
  })

  it('KL = 0 at the exact posterior, which the guide family contains', () => {
    // posterior: q(c=1) = P(c=1|x); μ | c ~ N(Σ(x_j − a_c)/6, 1/6)
    const x = [1.9, 2.4, 0.7, 1.6, 2.2]
    const sx = x.reduce((a, b) => a + b)
    const lw = [0, 1].map((c) => {
      const r = x.map((v) => v - (2 * c - 1) * 1.5)
      const s = r.reduce((a, b) => a + b)
      return -0.5 * (r.reduce((a, b) => a + b * b, 0) - (s * s) / 6)
    })
    const phi = [lw[1] - lw[0], (sx + 7.5) / 6, -15 / 6, 0.5 * Math.log(1 / 6)]
    expect(logEvidence() - exactElbo(phi).v).toBeLessThan(1e-12)
  })

  it('log p(x, c, μ) carries the μ-tangent (one chain-rule step) correctly', () => {
    const mu = dual(0.7, 1, 2, 0, 0)
    const h = 1e-6
    const f = (m: number) => logJoint(1, dual(m)).v
    const d = (f(0.7 + h) - f(0.7 - h)) / (2 * h)
    const j = logJoint(1, mu)
    expect(j.t0).toBeCloseTo(d, 7)
    expect(j.t1).toBeCloseTo(2 * d, 7)
  })
})

describe('ADEV primitives', () => {
  it('ENUM of a flip is exact: E[f(c)] and ∂ of it, with no randomness', () => {
    const p = dual(0.3, 1)
    const d = flip(ctxOf('enum', 'reparam'), p, (c) => dual(c === 1 ? 5 : 2))
    expect(d.v).toBeCloseTo(0.3 * 5 + 0.7 * 2, 15)
    expect(d.t0).toBeCloseTo(5 - 2, 15)
  })

  it('MVD, REINFORCE and REINFORCE + baseline of a flip are unbiased for ∂_p E[f(c)] = f(1) − f(0)', () => {
    for (const s of ['mvd', 'reinforce', 'reinforce+baseline'] as const) {
      const ad = { ...ctxOf(s, 'reparam', 7), baseline: 3 }
      let m = 0
      const R = 40000
      for (let r = 0; r < R; r++) m += flip(ad, dual(0.3, 1), (c) => dual(c === 1 ? 5 : 2)).t0 / R
      expect(Math.abs(m - 3)).toBeLessThan(s === 'mvd' ? 1e-10 : 0.1) // MVD of a deterministic f is exact (up to rounding)
    }
  })

  it('REPARAM and REINFORCE of a normal are unbiased for ∂_m E[x²] = 2m and ∂_s E[x²] = 2s', () => {
    for (const s of ['reparam', 'reinforce'] as const) {
      const ad = ctxOf('enum', s, 8)
      let gm = 0
      let gs = 0
      const R = 40000
      for (let r = 0; r < R; r++) {
        const d = normal(ad, dual(0.5, 1), dual(2, 0, 1), (x) => ({ v: x.v * x.v, t0: 2 * x.v * x.t0, t1: 2 * x.v * x.t1, t2: 0, t3: 0 }))
        gm += d.t0 / R
        gs += d.t1 / R
      }
      const tol = s === 'reparam' ? 0.05 : 0.25
      expect(Math.abs(gm - 1)).toBeLessThan(tol)
      expect(Math.abs(gs - 4)).toBeLessThan(tol)
    }
  })

  it('log-mean-exp in dual arithmetic: max-subtraction keeps it finite and its tangent is the softmax-weighted mean', () => {
    const a = logMeanExp([dual(-1000, 1), dual(-1001, 0, 1)])
    const w = 1 / (1 + Math.exp(-1))
    expect(a.v).toBeCloseTo(-1000 + Math.log((1 + Math.exp(-1)) / 2), 10)
    expect(a.t0).toBeCloseTo(w, 14)
    expect(a.t1).toBeCloseTo(1 - w, 14)
  })

  it('IWAE with K = 1 is the ELBO estimator, draw for draw', () => {
    const a = elboEstimate(ctxOf('mvd', 'reparam', 3), PHI0)
    const b = iwaeEstimate(ctxOf('mvd', 'reparam', 3), PHI0, 1)
    expect(b.v).toBeCloseTo(a.v, 12)
    expect(tangent(b)[3]).toBeCloseTo(tangent(a)[3], 12)
  })

  it('the hand-expanded ENUM + REPARAM ELBO estimator is the dual interpreter, bit for bit, draw for draw', () => {
    // φ₀, then points that take the other branches of σ and log σ (φ₀ < 0), a zero and a large scale
    for (const phi of [PHI0, [-1.7, 0.4, -2, 0.8], [0, 0, 0, 0], [2.5, -3, 0.5, -2.2], [-0.2, 1.1, 3, 1.5]]) {
      const ad = ctxOf('enum', 'reparam', 5)
      const rng = new Rng(5, 'test')
      const fast = new ElboEnumReparam(phi)
      const g = new Float64Array(4)
      for (let r = 0; r < 500; r++) {
        const d = elboEstimate(ad, phi)
        const v = fast.estimate(rng, g, 0)
        expect(v).toBe(d.v)
        expect(Array.from(g)).toEqual(tangent(d))
      }
    }
  })

  it('ENUM + REPARAM ELBO estimates average to the exact gradient (z < 4 on each component, R = 4000)', () => {
    const ad = ctxOf('enum', 'reparam', 9)
    const R = 4000
    const m = [0, 0, 0, 0]
    const m2 = [0, 0, 0, 0]
    for (let r = 0; r < R; r++) {
      const g = tangent(elboEstimate(ad, PHI0))
      for (let i = 0; i < 4; i++) {
        m[i] += g[i] / R
        m2[i] += (g[i] * g[i]) / R
      }
    }
    const ex = tangent(exactElbo(PHI0))
    for (let i = 0; i < 4; i++) expect(Math.abs(m[i] - ex[i]) / Math.sqrt((m2[i] - m[i] ** 2) / R)).toBeLessThan(4)
  })
})

describe('noisy cone', () => {
  it('exact log p(z = 5) = −5.3232 by radial quadrature (spec)', () => {
    expect(coneLogEvidence()).toBeCloseTo(-5.3232, 4)
  })

  it('the pathwise tangent of log p(x, y, 5) matches finite differences', () => {
    const h = 1e-6
    const f = (x: number, y: number) => coneLogJoint(dual(x), dual(y)).v
    const j = coneLogJoint(dual(1.3, 1), dual(-1.7, 0, 1))
    expect(j.t0).toBeCloseTo((f(1.3 + h, -1.7) - f(1.3 - h, -1.7)) / (2 * h), 6)
    expect(j.t1).toBeCloseTo((f(1.3, -1.7 + h) - f(1.3, -1.7 - h)) / (2 * h), 6)
  })

  it('REPARAM gradient = central difference with common random numbers (spec pitfall 5)', () => {
    const phi = [1, 0.5, -1, -0.5]
    const g = tangent(coneIwaeEstimate(new Rng(4, 'crn'), phi, 5))
    const h = 1e-6
    for (let i = 0; i < 4; i++) {
      const up = [...phi]
      const dn = [...phi]
      up[i] += h
      dn[i] -= h
      const fd = (coneIwaeEstimate(new Rng(4, 'crn'), up, 5).v - coneIwaeEstimate(new Rng(4, 'crn'), dn, 5).v) / (2 * h)
      expect(Math.abs(fd - g[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(g[i])))
    }
  })
})

describe('runs', () => {
  it('is deterministic and pins golden values (seed 0, R = 200)', async () => {
    const params = { part: 'estimators', objective: 'iwae', discrete: 'mvd', continuous: 'reparam', R: 200 }
    const a = await runLocal(study, params, 0)
    const b = await runLocal(study, params, 0)
    expect(a.status).toBe('done')
    expect(a.summary.traceVar).toBe(b.summary.traceVar)
    expect(Array.from(a.columns['gradient[2]'])).toEqual(Array.from(b.columns['gradient[2]']))
    expect(a.summary.traceVar).toBeCloseTo(GOLDEN.traceVar, 9)
    expect(a.summary.maxAbsZ).toBeCloseTo(GOLDEN.maxAbsZ, 9)
  })

  it('validation rejects ENUM with K > 10 (2^K continuations)', async () => {
    await expect(runLocal(study, { part: 'estimators', objective: 'iwae', discrete: 'enum', K: 11 }, 0)).rejects.toThrow(/2\^11/)
  })

  it('short SGD and cone runs finish and record their metrics', async () => {
    const sgd = await runLocal(study, { part: 'sgd', sgdSteps: 50 }, 0)
    expect(sgd.status).toBe('done')
    expect(sgd.summary.klExact).toBeLessThan(sgd.columns.klExact[0])
    const cone = await runLocal(study, { part: 'cone', objective: 'iwae', K: 5, coneSteps: 50, coneEvalScale: 0.01 }, 0)
    expect(cone.status).toBe('done')
    expect(cone.summary.logPzExact).toBeCloseTo(-5.3232, 4)
    expect(cone.summary.iwelbo1000).toBeLessThan(cone.summary.logPzExact + 0.05)
  })
})

/** pinned from the first run of this code (seed 0; the reference uses 4·200 ENUM + REPARAM estimates) */
const GOLDEN = { traceVar: 33.050293057658, maxAbsZ: 0.9683053549281391 }
