import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { solve } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import {
  gram,
  logistic,
  lowerGrad,
  lowerHvp,
  makeData,
  meanCrossEntropy,
  refit,
  scatterHypergrad,
  sigmoid,
  valGrad,
  weightAuc,
} from './problem'
import { weightHistograms } from './solver'
import study from './study'

const spec = { d: 3, teacherScale: 4, nTrain: 30, nVal: 12, nTest: 50, noiseRate: 0.3 }
const D = makeData(spec, new Rng(5, 'data'))
const all = Int32Array.from({ length: D.n }, (_, i) => i)
const allVal = Int32Array.from({ length: D.nVal }, (_, i) => i)
const mu = 0.05
const x = Float64Array.from({ length: D.n }, (_, i) => Math.sin(i))
const y = Float64Array.from({ length: D.p }, (_, k) => 0.3 - 0.2 * k)

/** g(x, y) in closed form, for finite differences. */
function lowerObjective(xx: Float64Array, yy: Float64Array): number {
  let acc = 0
  for (let i = 0; i < D.n; i++) {
    let z = 0
    for (let k = 0; k < D.p; k++) z += D.A[i * D.p + k] * yy[k]
    acc += sigmoid(xx[i]) * logistic(D.s[i] * z)
  }
  let r = 0
  for (let k = 0; k < D.p; k++) r += yy[k] * yy[k]
  return acc / D.n + 0.5 * mu * r
}

describe('hyper-cleaning oracles', () => {
  it('flips exactly round(noiseRate·n) labels and adds a bias feature', () => {
    expect(D.noisy.reduce((a, b) => a + b, 0)).toBe(9)
    for (let i = 0; i < D.n; i++) expect(D.A[i * D.p + D.p - 1]).toBe(1)
  })

  it('lower gradient matches central finite differences of g (rel. 1e-7)', () => {
    const gr = new Float64Array(D.p)
    lowerGrad(D, x, y, all, D.n, mu, gr)
    const h = 1e-6
    for (let k = 0; k < D.p; k++) {
      const yp = y.slice()
      const ym = y.slice()
      yp[k] += h
      ym[k] -= h
      const fd = (lowerObjective(x, yp) - lowerObjective(x, ym)) / (2 * h)
      expect(Math.abs(gr[k] - fd)).toBeLessThan(1e-7 * Math.max(1, Math.abs(fd)))
    }
  })

  it('Hessian-vector product matches finite differences of the gradient (1e-7)', () => {
    const v = Float64Array.from({ length: D.p }, (_, k) => 1 - 0.5 * k)
    const hv = new Float64Array(D.p)
    lowerHvp(D, x, y, all, D.n, mu, v, hv)
    const h = 1e-6
    const gp = new Float64Array(D.p)
    const gm = new Float64Array(D.p)
    lowerGrad(D, x, y.map((yk, k) => yk + h * v[k]), all, D.n, mu, gp)
    lowerGrad(D, x, y.map((yk, k) => yk - h * v[k]), all, D.n, mu, gm)
    for (let k = 0; k < D.p; k++) expect(Math.abs(hv[k] - (gp[k] - gm[k]) / (2 * h))).toBeLessThan(1e-7)
  })

  it('validation gradient matches finite differences of f (1e-8)', () => {
    const gv = new Float64Array(D.p)
    valGrad(D, y, allVal, D.nVal, gv)
    const h = 1e-6
    for (let k = 0; k < D.p; k++) {
      const yp = y.slice()
      const ym = y.slice()
      yp[k] += h
      ym[k] -= h
      const fd = (meanCrossEntropy(D.Aval, D.sval, D.nVal, D.p, yp) - meanCrossEntropy(D.Aval, D.sval, D.nVal, D.p, ym)) / (2 * h)
      expect(Math.abs(gv[k] - fd)).toBeLessThan(1e-8)
    }
  })

  it('full-batch hypergradient with v = H⁻¹∇f equals the finite-difference derivative of Φ(x) = f(y*(x)) (rel. 1e-5)', () => {
    // trace(Gram) ≥ λ_max: a safe (slow) refit step; the refit stops at ‖∇G‖ ≤ 1e-10
    const G = gram(D, null)
    let ev = 0
    for (let k = 0; k < D.p; k++) ev += G[k * D.p + k]
    const ystar = (xx: Float64Array): Float64Array => refit(D, xx.map(sigmoid), null, ev, mu, 200000)
    const phi = (xx: Float64Array): number => meanCrossEntropy(D.Aval, D.sval, D.nVal, D.p, ystar(xx))
    const ys = ystar(x)
    const H = new Float64Array(D.p * D.p)
    const e = new Float64Array(D.p)
    const col = new Float64Array(D.p)
    for (let k = 0; k < D.p; k++) {
      e.fill(0)
      e[k] = 1
      lowerHvp(D, x, ys, all, D.n, mu, e, col)
      for (let r = 0; r < D.p; r++) H[r * D.p + k] = col[r]
    }
    const gf = new Float64Array(D.p)
    valGrad(D, ys, allVal, D.nVal, gf)
    const v = solve(H, gf, D.p)
    const hg = new Float64Array(D.n)
    scatterHypergrad(D, x, ys, v, all, D.n, hg)
    const h = 1e-4
    for (const i of [0, 7, 13, 29]) {
      const xp = x.slice()
      const xm = x.slice()
      xp[i] += h
      xm[i] -= h
      const fd = (phi(xp) - phi(xm)) / (2 * h)
      // the scatter carries the n/|B| scaling: with B = n it is exactly ∂Φ/∂x_i
      expect(Math.abs(hg[i] - fd)).toBeLessThan(1e-5 * Math.max(Math.abs(fd), 1e-4))
    }
  })

  it('AUC equals the brute-force pair count, ties counting ½', () => {
    const xs = Float64Array.from([0.3, -1, 0.3, 2, 0.1, -0.5, 0.3])
    const nz = Uint8Array.from([1, 1, 0, 0, 1, 0, 0])
    let wins = 0
    let pairs = 0
    for (let a = 0; a < xs.length; a++) for (let b = 0; b < xs.length; b++) {
      if (nz[a] || !nz[b]) continue
      pairs++
      wins += xs[a] > xs[b] ? 1 : xs[a] === xs[b] ? 0.5 : 0
    }
    expect(weightAuc(xs, nz, new Int32Array(xs.length))).toBeCloseTo(wins / pairs, 15)
  })

  it('weight histograms are fractions that sum to 1 per group', () => {
    const h = weightHistograms(x, D.noisy, 7)
    expect(h.clean.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14)
    expect(h.noisy.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14)
  })
})

const small = { d: 5, nTrain: 120, nVal: 40, nTest: 200, iterations: 60, warmStart: 20, refitSteps: 300, evalEvery: 5 }

describe('bo-rep-hypercleaning runs', () => {
  it('is bit-identical for the same seed, for every method', async () => {
    for (const method of ['BO-REP', 'BO-REP(z)', 'StocBio', 'MA-SOBA', 'TTSA']) {
      const a = await runLocal(study, { ...small, method }, 3)
      const b = await runLocal(study, { ...small, method }, 3)
      expect(a.status, `${method}: ${a.error}`).toBe('done')
      expect(Buffer.from(a.columns.valLoss.buffer).equals(Buffer.from(b.columns.valLoss.buffer))).toBe(true)
      expect(a.summary.refitTestAcc).toBe(b.summary.refitTestAcc)
    }
  })

  it('counts oracles per iteration as the spec table (BO-REP: N/I lower gradients, Q−1 HVPs, 1 val, 1 JVP)', async () => {
    const r = await runLocal(study, { ...small, method: 'BO-REP' }, 0)
    const T = small.iterations
    expect(r.summary['oracle:lowerGrad']).toBe(small.warmStart + (T / 2) * 5)
    expect(r.summary['oracle:hvp']).toBe(T * 9)
    expect(r.summary['oracle:valGrad']).toBe(T)
    expect(r.summary['oracle:jvp']).toBe(T)
    const m = await runLocal(study, { ...small, method: 'MA-SOBA' }, 0)
    expect(m.summary['oracle:calls']).toBe(4 * T)
  })

  it('pins golden values of a small BO-REP run (seed 0, 1e-12)', async () => {
    const r = await runLocal(study, { ...small, method: 'BO-REP' }, 0)
    expect(r.summary.valLoss).toBeCloseTo(GOLDEN.valLoss, 12)
    expect(r.summary.meanWeightNoisy).toBeCloseTo(GOLDEN.meanWeightNoisy, 12)
    expect(r.summary.refitTestAcc).toBe(GOLDEN.refitTestAcc)
  })
})

const GOLDEN = { valLoss: 0.30738322301634124, meanWeightNoisy: 0.2524560483668225, refitTestAcc: 0.845 }
