import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { solve } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { bestResponse, cosine, exactValidationCurve, makeRidgeData, mse } from './problem'
import { Stn, type StnParams } from './solver'
import study from './study'

const spec = { d: 6, nTrain: 10, nVal: 8, nTest: 20, sparsity: 0.5, noiseStd: 0.5 }
const D = makeRidgeData(spec, new Rng(2, 'data'))

function ridgeDirect(h: number): Float64Array {
  const d = D.d
  const M = new Float64Array(d * d)
  const b = new Float64Array(d)
  for (let i = 0; i < D.n; i++)
    for (let a = 0; a < d; a++) {
      b[a] += (D.X[i * d + a] * D.y[i]) / D.n
      for (let c = 0; c < d; c++) M[a * d + c] += (D.X[i * d + a] * D.X[i * d + c]) / D.n
    }
  for (let a = 0; a < d; a++) M[a * d + a] += Math.exp(h)
  return solve(M, b, d)
}

const baseParams: StnParams = {
  mode: 'stn', d: 6, nTrain: 10, nVal: 8, nTest: 20, sparsity: 0.5, noiseStd: 0.5, h0: -1, hOffset: 3, hScale: 2.5,
  batch: 4, lrWeights: 1e-2, momentum: 0.9, warmupSteps: 0, steps: 0, trainSteps: 2, validSteps: 1, lrHyper: 0.03,
  perturbSigma: 0.5, gridPoints: 3, gridMin: -8, gridMax: 2, randomRuns: 2, baselineSteps: 10,
}

describe('ridge best response', () => {
  it('w*(h) from the eigendecomposition equals the direct solve (1e-12)', () => {
    const w = new Float64Array(D.d)
    for (const h of [-6, -1, 2]) {
      bestResponse(D, h, w)
      const ref = ridgeDirect(h)
      for (let k = 0; k < D.d; k++) expect(Math.abs(w[k] - ref[k])).toBeLessThan(1e-12 * Math.max(1, Math.abs(ref[k])))
    }
  })

  it('dw*/dh matches central finite differences of w*(h) (1e-8)', () => {
    const w = new Float64Array(D.d)
    const dw = new Float64Array(D.d)
    const wp = new Float64Array(D.d)
    const wm = new Float64Array(D.d)
    const h = -2
    bestResponse(D, h, w, dw)
    bestResponse(D, h + 1e-5, wp)
    bestResponse(D, h - 1e-5, wm)
    for (let k = 0; k < D.d; k++) expect(Math.abs(dw[k] - (wp[k] - wm[k]) / 2e-5)).toBeLessThan(1e-8)
  })

  it('the exact curve has 221 points on [−8, 3] and h* is its argmin', () => {
    const c = exactValidationCurve(D, -8, 3, 0.05)
    expect(c.h.length).toBe(221)
    expect(c.h[220]).toBeCloseTo(3, 12)
    expect(Math.min(...c.val)).toBe(c.valStar)
  })
})

describe('STN updates', () => {
  it('the validation hypergradient u′(h)·cᵀ∇_w L_val equals the finite-difference derivative of L_val(ŵ(h)) (1e-8)', () => {
    const stn = new Stn(D, baseParams)
    for (let k = 0; k < D.d; k++) {
      stn.a[k] = Math.sin(k)
      stn.c[k] = Math.cos(2 * k)
    }
    const L = (h: number): number => mse(D.Xval, D.yval, D.nVal, D.d, stn.response(h).slice())
    const fd = (L(-1 + 1e-6) - L(-1 - 1e-6)) / 2e-6
    const g = stn.validStep()
    expect(Math.abs(g - fd)).toBeLessThan(1e-8 * Math.max(1, Math.abs(fd)))
    // first Adam step moves h by lr·sign(g) (bias-corrected m̂/√v̂ = ±1 up to ε)
    expect(Math.abs(stn.h - (-1 - 0.03 * Math.sign(g)))).toBeLessThan(1e-9)
  })

  it('with σ = 0 (no perturbation) c is not trained on its own: c = u(h)·a after one step from zero', () => {
    const stn = new Stn(D, { ...baseParams, perturbSigma: 0 })
    const rng = new Rng(1, 'train')
    stn.trainStep(rng)
    // ∇_c = u(h)·∇_a for every example when h̃ = h, so c = u(h)·a after one step from zero
    const u = stn.u(-1)
    for (let k = 0; k < D.d; k++) expect(stn.c[k]).toBeCloseTo(u * stn.a[k], 14)
    expect(cosine(stn.c, stn.a)).toBeCloseTo(Math.sign(u), 12)
  })
})

const small = { d: 8, nTrain: 12, nVal: 12, nTest: 50, warmupSteps: 20, steps: 60, baselineSteps: 50, gridPoints: 3, randomRuns: 2 }

describe('stn-best-response runs', () => {
  it('is bit-identical for the same seed, in every mode', async () => {
    for (const mode of ['stn', 'grid', 'random']) {
      const a = await runLocal(study, { ...small, mode }, 4)
      const b = await runLocal(study, { ...small, mode }, 4)
      expect(a.status, `${mode}: ${a.error}`).toBe('done')
      expect(Buffer.from(a.columns.h.buffer).equals(Buffer.from(b.columns.h.buffer))).toBe(true)
    }
  })

  it('counts the budget: warm-up + train steps for the STN, points × steps for the grid', async () => {
    const s = await runLocal(study, { ...small, mode: 'stn' }, 0)
    expect(s.summary['oracle:steps']).toBe(80)
    expect(s.summary['oracle:hyperSteps']).toBe(30)
    const g = await runLocal(study, { ...small, mode: 'grid' }, 0)
    expect(g.summary['oracle:steps']).toBe(150)
  })

  it('pins golden values of a small STN run (seed 0, 1e-12)', async () => {
    const r = await runLocal(study, { ...small, mode: 'stn' }, 0)
    expect(r.summary.h).toBeCloseTo(GOLDEN.h, 12)
    expect(r.summary.directionCosine).toBeCloseTo(GOLDEN.directionCosine, 12)
    expect(r.summary.retrainValMse).toBeCloseTo(GOLDEN.retrainValMse, 12)
  })
})

const GOLDEN = { h: -5.9296538032918855, directionCosine: 0.6905692546647859, retrainValMse: 1.2023037964242238 }
