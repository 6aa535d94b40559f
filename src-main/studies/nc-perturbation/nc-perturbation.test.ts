import { describe, expect, it } from 'vitest'
import { resolveStudyParams, runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { CollapseMeter } from './collapse'
import { collapsedMinimiser, collapseRho, gradient, hessian, objective, optimalW, SmallCholesky, type NcReg, type NcSizes } from './model'
import { bcdMinimise, CentralPathField, linearResponse, noisyFeatures, orthonormalFrame, responseJacobian, responsePredictions } from './solver'
import study from './study'

const s: NcSizes = { K: 3, n: 2, d: 4 }
const reg: NcReg = { lW: 0.3, lH: 0.2 }
const N = s.K * s.n

function maxAbs(a: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]))
  return m
}

function randomPoint(seed: number) {
  const rng = new Rng(seed)
  return {
    W: rng.gaussianMatrix(1, s.K * s.d),
    H: rng.gaussianMatrix(1, s.d * N),
    H0: rng.gaussianMatrix(1, s.d * N),
  }
}

function fullGradient(W: Float64Array, H: Float64Array, H0: Float64Array, beta: number): Float64Array {
  const gW = new Float64Array(W.length)
  const gH = new Float64Array(H.length)
  gradient(W, H, H0, s, reg, beta, new Float64Array(s.K * N), gW, gH)
  return Float64Array.from([...gW, ...gH])
}

describe('model of Eq. 2', () => {
  it('the exact gradient matches central differences of f to 1e-9 (relative)', () => {
    const { W, H, H0 } = randomPoint(1)
    const g = fullGradient(W, H, H0, 3)
    const x = Float64Array.from([...W, ...H])
    const f = (v: Float64Array) => objective(v.subarray(0, W.length), v.subarray(W.length), H0, s, reg, 3, new Float64Array(s.K * N))
    const h = 1e-5
    let err = 0
    for (let i = 0; i < x.length; i++) {
      const p = x.slice()
      const m = x.slice()
      p[i] += h
      m[i] -= h
      err = Math.max(err, Math.abs((f(p) - f(m)) / (2 * h) - g[i]))
    }
    expect(err / maxAbs(g)).toBeLessThan(1e-9)
  })

  it('the analytic Hessian (column-stacked vec W, vec H) matches central differences of the gradient to 1e-9', () => {
    const { W, H, H0 } = randomPoint(2)
    const A = hessian(W, H, s, reg, 3)
    const M = W.length + H.length
    const x = Float64Array.from([...W, ...H])
    const h = 1e-6
    let err = 0
    for (let j = 0; j < M; j++) {
      const p = x.slice()
      const m = x.slice()
      p[j] += h
      m[j] -= h
      const gp = fullGradient(p.subarray(0, W.length), p.subarray(W.length), H0, 3)
      const gm = fullGradient(m.subarray(0, W.length), m.subarray(W.length), H0, 3)
      for (let i = 0; i < M; i++) err = Math.max(err, Math.abs((gp[i] - gm[i]) / (2 * h) - A[i * M + j]))
    }
    expect(err / maxAbs(A)).toBeLessThan(1e-9)
  })

  it('W*(H) = YHᵀ(HHᵀ + n·lW·I)⁻¹ zeroes ∇_W f', () => {
    const { H, H0 } = randomPoint(3)
    const W = new Float64Array(s.K * s.d)
    optimalW(H, s, reg.lW, new SmallCholesky(s.d), new Float64Array(s.d * s.d + s.K * s.d), W)
    const g = fullGradient(W, H, H0, 1)
    expect(maxAbs(g.subarray(0, W.length))).toBeLessThan(1e-15)
  })

  it('Theorem 2.1: the collapsed (W*, H*) is a stationary point with H0 = H* for any β, and with β = 0', () => {
    const R = orthonormalFrame(s, new Rng(4))
    const { W, H } = collapsedMinimiser(R, s, reg)
    for (const beta of [0, 7]) expect(maxAbs(fullGradient(W, H, H, beta))).toBeLessThan(1e-15)
    expect(collapseRho({ lW: 0.05, lH: 0.05 })).toBeCloseTo(0.95, 15)
  })

  it('the flow field is −Kn·∇_H f(W*(H), H) without the tie (the central path)', () => {
    const { H } = randomPoint(5)
    const field = new CentralPathField(s, reg)
    const out = new Float64Array(H.length)
    field.eval(H, out)
    const g = fullGradient(field.W, H, H, 0).subarray(s.K * s.d)
    expect(maxAbs(out.map((v, i) => v + N * g[i]))).toBeLessThan(1e-14)
  })

  it('BCD converges to a stationary point of Eq. 2 with a non-increasing objective', () => {
    const H0 = noisyFeatures(s, 1, new Rng(6, 'data'))
    const objs: number[] = []
    const E = new Float64Array(s.K * N)
    const res = bcdMinimise(H0, s, reg, 0.5, 1e-14, 10000, (_it, W, H) => {
      objs.push(objective(W, H, H0, s, reg, 0.5, E))
      return false
    })
    expect(res.converged).toBe(true)
    for (let i = 1; i < objs.length; i++) expect(objs[i]).toBeLessThanOrEqual(objs[i - 1] + 1e-15)
    expect(maxAbs(fullGradient(res.W, res.H, H0, 0.5))).toBeLessThan(1e-13)
  })
})

describe('collapse statistics', () => {
  it('NC1~ = Tr Σ_W/Tr Σ_B and NC1 = Tr(Σ_W Σ_B^†)/K on a hand example (and they differ)', () => {
    // K = 2, n = 2, d = 2: class means ±e1, within-class offsets ±(0.1, 0.3)
    const H = Float64Array.of(1.1, 0.3, 0.9, -0.3, -0.9, 0.3, -1.1, -0.3)
    const st = new CollapseMeter({ K: 2, n: 2, d: 2 }).stats(H)
    expect(st.trSw).toBeCloseTo(0.1, 15) // (0.01 + 0.09)
    expect(st.trSb).toBeCloseTo(1, 15)
    expect(st.nc1Tilde).toBeCloseTo(0.1, 14)
    // Σ_B = e1e1ᵀ, so Tr(Σ_W Σ_B^†) = (Σ_W)_11 = 0.01, over K = 2
    expect(st.nc1).toBeCloseTo(0.005, 14)
  })
})

describe('Theorem 4.2: the linear response', () => {
  const sr: NcSizes = { K: 3, n: 2, d: 5 }
  const regR: NcReg = { lW: Math.SQRT2, lH: 0.2 }

  it('F predicts the minimiser’s response to a perturbation of H0 within one class (column-stacked blocks)', () => {
    const beta = 50
    const R = orthonormalFrame(sr, new Rng(7))
    const { F } = responseJacobian(R, sr, regR, beta)
    const { H } = collapsedMinimiser(R, sr, regR)
    const dN = sr.d * sr.K * sr.n
    const delta = new Float64Array(dN)
    const rng = new Rng(8)
    // perturb class 1 only: its contiguous slice of vec(H0)
    for (let j = sr.d * sr.n; j < 2 * sr.d * sr.n; j++) delta[j] = rng.normal()
    const eps = 1e-6
    const H0 = H.map((h, j) => h + eps * delta[j])
    const res = bcdMinimise(H0, sr, regR, beta, 1e-15, 100000)
    const predicted = new Float64Array(dN)
    for (let i = 0; i < dN; i++) for (let j = 0; j < dN; j++) predicted[i] += F[i * dN + j] * delta[j]
    const actual = res.H.map((h, i) => (h - H[i]) / eps)
    expect(maxAbs(actual.map((a, i) => a - predicted[i])) / maxAbs(predicted)).toBeLessThan(1e-5)
  })

  it('σ_max(F_kk) = 1, σ_min close to 1 − √(lH/lW)/β at β = 1000, inter-class blocks rank 1; ∇f = 0 and ∇²f ≻ 0', () => {
    const beta = 1000
    const res = linearResponse(orthonormalFrame(sr, new Rng(9)), sr, regR, beta)
    const pred = responsePredictions(regR, beta)
    for (const sv of res.intra) {
      expect(Math.abs(sv[0] - 1)).toBeLessThan(1e-12)
      expect(Math.abs(sv[sv.length - 1] - pred.sigmaMinIntra) / (1 - pred.sigmaMinIntra)).toBeLessThan(2e-3)
    }
    for (const b of res.inter) {
      expect(Math.abs(b.s1 - pred.sigma1Inter) / pred.sigma1Inter).toBeLessThan(2e-3)
      expect(b.s2).toBeLessThan(1e-12 * b.s1)
    }
    expect(res.gradNorm).toBeLessThan(1e-14)
    expect(res.hessianMinEig).toBeGreaterThan(0)
  })
})

describe('study', () => {
  it('rejects lH·lW ≥ 1 for the collapsed minimiser and d ≤ K for Theorem 4.2', () => {
    expect(() => resolveStudyParams(study, { experiment: 'response', lW: 2, lH: 0.5 })).toThrow(/lH·lW < 1/)
    expect(() => resolveStudyParams(study, { experiment: 'response', d: 4, K: 4, lW: 1, lH: 0.1 })).toThrow(/d > K/)
    expect(() => resolveStudyParams(study, { experiment: 'flow', lH: 0 })).not.toThrow()
  })

  it('flow: bit-identical for the same seed, x-axis t, Theorem 3.1 at every step; golden NC1~(T)', async () => {
    const a = await runLocal(study, { experiment: 'flow', T: 2, lH: 0.05 }, 0)
    const b = await runLocal(study, { experiment: 'flow', T: 2, lH: 0.05 }, 0)
    expect(a.status, a.error ?? '').toBe('done')
    expect(Buffer.from(a.columns.nc1Tilde.buffer).equals(Buffer.from(b.columns.nc1Tilde.buffer))).toBe(true)
    expect(a.summary['oracle:time']).toBeCloseTo(2, 12)
    expect(a.summary.maxDeltaNc1Tilde).toBeLessThan(0)
    expect(a.summary.maxRelDeltaTrSwScaled).toBeLessThanOrEqual(1e-12)
    expect(a.summary.minRelDeltaTrSbScaled).toBeGreaterThan(0)
    expect(Math.abs(a.summary.nc1Tilde / GOLDEN.flowNc1Tilde - 1)).toBeLessThan(1e-10)
  })

  it('minimiser, layerwise and sweep runs finish with converged BCD; golden sweep ratio', async () => {
    const m = await runLocal(study, { experiment: 'minimiser', beta: 1 }, 1)
    expect(m.summary.bcdConverged).toBe(1)
    expect(m.summary.nc1TildeRatio).toBeLessThan(1)
    const l = await runLocal(study, { experiment: 'layerwise', beta: 5, layers: 3 }, 1)
    const col = l.columns.nc1TildeRatio.filter(Number.isFinite)
    expect(col.length).toBe(4)
    for (let i = 1; i < 4; i++) expect(col[i]).toBeLessThan(col[i - 1])
    const sw = await runLocal(study, { experiment: 'sweep', beta: 2 }, 0)
    expect(Math.abs(sw.summary.nc1Ratio / GOLDEN.sweepNc1Ratio - 1)).toBeLessThan(1e-10)
  })
})

const GOLDEN = { flowNc1Tilde: 0.41825078225024531, sweepNc1Ratio: 0.45930468194415058 }
