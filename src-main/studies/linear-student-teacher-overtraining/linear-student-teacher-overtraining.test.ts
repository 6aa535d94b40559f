import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { syrk } from '../../numeric/dense'
import { Rng } from '../../numeric/rng'
import { setWasmSimdEnabled } from '../../numeric/wasm-simd'
import {
  closedFormErrors,
  DirectGd,
  drawRealisation,
  egInfinity,
  etInfinity,
  gram,
  exampleGram,
  modesFromExampleGram,
  modesFromInputGram,
  spectrumAveragedErrors,
  timeGrid,
  toModes,
  trainingCoefficients,
} from './solver'
import study from './study'
import { MpTheory, teacherVariances } from './theory'

const ID = 'linear-student-teacher-overtraining'

function realisation(N: number, P: number, snr: number, s02: number, seed: number) {
  const v = teacherVariances(snr, s02)
  return { v, real: drawRealisation(N, P, v, Rng.stream(seed, 'data'), Rng.stream(seed, 'init')) }
}

describe(`${ID}: spectrum of XXᵀ`, () => {
  it('a rank-deficient XXᵀ (α < 1) has N − P eigenvalues at round-off level and the right trace', () => {
    const { real } = realisation(40, 10, 4, 0, 1)
    const G = gram(real.X, 40, 10)
    const m = toModes(real)
    for (let i = 0; i < 30; i++) expect(Math.abs(m.lambda[i])).toBeLessThan(1e-13)
    expect(m.lambda[30]).toBeGreaterThan(1e-3)
    let trace = 0
    for (let i = 0; i < 40; i++) trace += G[i * 41]
    const sum = m.lambda.reduce((a, b) => a + b, 0)
    expect(Math.abs(sum - trace)).toBeLessThan(1e-12 * trace)
    // z(0) = Vᵀ(w0 − w̄) is an orthogonal change of basis: the norm is kept
    let a = 0
    let b = 0
    for (let i = 0; i < 40; i++) {
      a += (real.w0[i] - real.wbar[i]) ** 2
      b += m.z0[i] ** 2
    }
    expect(Math.abs(a - b)).toBeLessThan(1e-12 * a)
  })
})

describe(`${ID}: modes from the P×P Gram matrix (P < N)`, () => {
  it('exampleGram is the numeric core\'s syrk(true, …) bit for bit, with SIMD on and off', () => {
    for (const simdOn of [true, false]) {
      setWasmSimdEnabled(simdOn)
      try {
        for (const [N, P] of [
          [100, 50],
          [200, 100],
          [60, 57],
          [40, 10],
          [30, 3],
          [24, 23],
          [1000, 5],
        ]) {
          const X = new Rng(N + P, 'data').fillNormal(new Float64Array(N * P), 0, 1 / Math.sqrt(N))
          const a = exampleGram(X, N, P, new Float64Array(P * P).fill(NaN))
          const b = syrk(true, P, N, 1, X, 0, new Float64Array(P * P))
          let differ = 0
          for (let i = 0; i < P * P; i++) if (!Object.is(a[i], b[i])) differ++
          expect(differ, `N = ${N}, P = ${P}, SIMD ${simdOn}`).toBe(0)
        }
      } finally {
        setWasmSimdEnabled(true)
      }
    }
  })

  it('agree with the N×N eigendecomposition: λ, z(0) and ε̃ per mode (up to sign), the frozen energy, the errors', () => {
    for (const [N, P, s02] of [
      [100, 50, 0],
      [40, 10, 1],
      [60, 57, 0.5],
      [30, 1, 1],
    ]) {
      const { v, real } = realisation(N, P, 4, s02, 11)
      const a = modesFromExampleGram(real)!
      const b = modesFromInputGram(real)
      expect(a.frozen).toBe(N - P)
      const lmax = b.lambda[N - 1]
      let scale = 0
      for (let i = 0; i < N; i++) scale += b.z0[i] ** 2
      scale = Math.sqrt(scale)
      for (let i = a.frozen; i < N; i++) {
        expect(Math.abs(a.lambda[i] - b.lambda[i])).toBeLessThan(1e-13 * lmax)
        // a mode's eigenvector is defined up to sign: z(0) and ε̃ flip together
        const sign = Math.sign(a.z0[i] * b.z0[i])
        expect(Math.abs(a.z0[i] - sign * b.z0[i])).toBeLessThan(1e-11 * scale)
        expect(Math.abs(a.epsTilde[i] - sign * b.epsTilde[i])).toBeLessThan(1e-11 * Math.sqrt(lmax))
      }
      let fa = 0
      let fb = 0
      for (let i = 0; i < a.frozen; i++) {
        expect(a.lambda[i]).toBe(0)
        fa += a.z0[i] ** 2
        fb += b.z0[i] ** 2
      }
      expect(Math.abs(fa - fb)).toBeLessThan(1e-12 * scale * scale)
      const oa = new Float64Array(2)
      const ob = new Float64Array(2)
      const sc = new Float64Array(2)
      for (const t of [0.1, 3, 100, 1e6]) {
        closedFormErrors(a, trainingCoefficients(a), 'gradient flow', t, 0, v.se2, sc, oa)
        closedFormErrors(b, trainingCoefficients(b), 'gradient flow', t, 0, v.se2, sc, ob)
        expect(Math.abs(oa[0] - ob[0])).toBeLessThan(1e-12 * ob[0])
        expect(Math.abs(oa[1] - ob[1])).toBeLessThan(1e-12 * Math.max(ob[1], 1e-3))
      }
    }
  })
})

describe(`${ID}: closed-form dynamics`, () => {
  it('matches direct gradient descent w ← w + η·X(y − Xᵀw) step by step (discrete formula, 1e-12)', () => {
    for (const [N, P] of [
      [20, 10],
      [20, 40],
      [20, 20],
    ]) {
      const { v, real } = realisation(N, P, 4, 1, 2)
      const m = toModes(real)
      const tc = trainingCoefficients(m)
      const gd = new DirectGd(real, 0.1)
      const a = new Float64Array(2)
      const b = new Float64Array(2)
      const s = new Float64Array(2)
      for (let k = 0; k <= 400; k++) {
        if (k % 50 === 0 || k < 3) {
          gd.errors(v.se2, a)
          closedFormErrors(m, tc, 'discrete GD', 0.1 * k, 0.1, v.se2, s, b)
          expect(Math.abs(a[0] - b[0])).toBeLessThan(1e-12 * b[0])
          expect(Math.abs(a[1] - b[1])).toBeLessThan(1e-12 * Math.max(1, b[1]))
        }
        gd.step()
      }
    }
  })

  it('direct GD gives the same bits with and without the wasm SIMD gemv', () => {
    const { real } = realisation(100, 50, 4, 1, 12)
    const run = (simd: boolean) => {
      setWasmSimdEnabled(simd)
      try {
        const gd = new DirectGd(real, 1e-2)
        for (let k = 0; k < 50; k++) gd.step()
        return gd.w
      } finally {
        setWasmSimdEnabled(true)
      }
    }
    // w may be a view of wasm memory (DirectGd's resident kernel): compare its own bytes
    const bytes = (w: Float64Array) => Buffer.from(w.buffer, w.byteOffset, w.byteLength)
    expect(bytes(run(false)).equals(bytes(run(true)))).toBe(true)
  })

  it('gradient flow is the η → 0 limit of discrete GD at equal t = η·k (error O(η))', () => {
    const { v, real } = realisation(15, 30, 4, 0, 3)
    const m = toModes(real)
    const tc = trainingCoefficients(m)
    const s = new Float64Array(2)
    const flow = new Float64Array(2)
    const disc = new Float64Array(2)
    closedFormErrors(m, tc, 'gradient flow', 2, 0, v.se2, s, flow)
    const errs = [1e-2, 1e-3].map((eta) => {
      closedFormErrors(m, tc, 'discrete GD', 2, eta, v.se2, s, disc)
      return Math.abs(disc[0] - flow[0])
    })
    expect(errs[1]).toBeLessThan(errs[0] / 5) // first order: ×10 smaller η, ≈ ×10 smaller error
    expect(errs[1]).toBeLessThan(1e-3)
  })

  it('E_g(∞) is the pseudo-inverse solution: long GD converges to it, frozen modes stay at z(0)', () => {
    for (const [N, P] of [
      [12, 6],
      [12, 24],
    ]) {
      const { v, real } = realisation(N, P, 4, 1, 4)
      const m = toModes(real)
      const gd = new DirectGd(real, 0.2)
      for (let k = 0; k < 20000; k++) gd.step()
      const out = new Float64Array(2)
      gd.errors(v.se2, out)
      expect(Math.abs(out[0] - egInfinity(m, v.se2))).toBeLessThan(1e-10)
      expect(Math.abs(out[1] - etInfinity(m))).toBeLessThan(1e-10)
    }
  })

  it('zero eigenvalues (α < 1) are frozen: ε̃ = 0 there and nothing divides by round-off', () => {
    const { v, real } = realisation(30, 12, 4, 1, 6)
    const m = toModes(real)
    expect(m.frozen).toBe(18)
    for (let i = 0; i < 18; i++) expect(m.epsTilde[i]).toBe(0)
    const out = new Float64Array(2)
    closedFormErrors(m, trainingCoefficients(m), 'gradient flow', 1e12, 0, v.se2, new Float64Array(2), out)
    expect(Number.isFinite(out[0]) && Number.isFinite(out[1])).toBe(true)
    expect(Math.abs(out[0] - egInfinity(m, v.se2))).toBeLessThan(1e-9)
  })

  it('the finite-N exact curve is the average over (w̄, ε, w0) given the spectrum (Monte Carlo, 2%)', () => {
    // fix X, redraw teacher, noise and init many times
    const N = 10
    const P = 20
    const v = teacherVariances(4, 0.5)
    const base = drawRealisation(N, P, v, Rng.stream(7, 'data'), Rng.stream(7, 'init'))
    const m0 = toModes(base)
    const exact = new Float64Array(2)
    spectrumAveragedErrors(m0, v, 'gradient flow', 3, 0, new Float64Array(2), exact)
    const rng = new Rng(8)
    let eg = 0
    const trials = 3000
    const out = new Float64Array(2)
    for (let k = 0; k < trials; k++) {
      const other = drawRealisation(N, P, v, rng, rng)
      const mixed = { ...other, X: base.X, y: new Float64Array(P) }
      for (let mu = 0; mu < P; mu++) {
        let s = 0
        for (let i = 0; i < N; i++) s += base.X[i * P + mu] * other.wbar[i]
        mixed.y[mu] = s + other.eps[mu]
      }
      const m = toModes(mixed)
      closedFormErrors(m, trainingCoefficients(m), 'gradient flow', 3, 0, v.se2, new Float64Array(2), out)
      eg += out[0] / trials
    }
    expect(Math.abs(eg - exact[0]) / exact[0]).toBeLessThan(0.02)
  })

  it('discrete time grid uses whole steps t = η·k with k ≥ 1', () => {
    const g = timeGrid('discrete GD', 0.01, 100, 50, 0.1)
    for (let j = 0; j < g.length; j++) {
      expect(Math.abs(g[j] / 0.1 - Math.round(g[j] / 0.1))).toBeLessThan(1e-9)
      if (j > 0) expect(g[j]).toBeGreaterThan(g[j - 1])
    }
    expect(g[0]).toBeCloseTo(0.1, 12)
  })
})

describe(`${ID}: Marchenko–Pastur theory`, () => {
  it('starts at σ_w² + σ0² + σ_ε² and reaches the closed-form limits', () => {
    for (const alpha of [0.5, 2]) {
      const th = new MpTheory(alpha, teacherVariances(4, 1), 4000)
      expect(th.eg(0)).toBeCloseTo(2, 10)
      expect(th.et(0)).toBeCloseTo(2, 10)
      expect(Math.abs(th.eg(1e7) - th.egInfinity())).toBeLessThan(1e-6)
      expect(Math.abs(th.et(1e7) - th.etInfinity())).toBeLessThan(1e-9)
      expect(th.massOn(-1, 100)).toBeCloseTo(Math.min(1, alpha), 10)
    }
    expect(new MpTheory(0.5, teacherVariances(4, 0), 16).egInfinity()).toBeCloseTo(0.8, 14)
    expect(new MpTheory(2, teacherVariances(4, 0), 16).egInfinity()).toBeCloseTo(0.4, 14)
    expect(new MpTheory(1, teacherVariances(4, 0), 16).egInfinity()).toBe(Infinity)
  })

  it('E_t tends to (1 − 1/α)σ_ε² for α > 1, not 0 (a vanishing training error would be a bug)', () => {
    const th = new MpTheory(2, teacherVariances(4, 0), 4000)
    expect(th.et(1e4)).toBeCloseTo(0.1, 8)
    const { real } = realisation(50, 100, 4, 0, 9)
    expect(etInfinity(toModes(real))).toBeGreaterThan(0.05)
  })

  it('the overtraining gap of the theory matches the spec table at SNR = 4', async () => {
    const table: [number, number][] = [
      [0.2, 0.013],
      [0.5, 0.084],
      [0.9, 1.53],
      [1.1, 1.71],
      [4, 0.005],
    ]
    for (const [alpha, gap] of table) {
      const r = await runLocal(study, { alpha, realisations: 0 }, 0)
      expect(Math.abs(r.summary.gapTheory - gap) / gap).toBeLessThan(0.05)
    }
  })
})

describe(`${ID}: runs`, () => {
  it('gives bit-identical metrics for the same seed and pins golden values (N = 20, 3 realisations)', async () => {
    const p = { N: 20, realisations: 3, timePoints: 20, quadratureNodes: 400 }
    const a = await runLocal(study, p, 0)
    const b = await runLocal(study, p, 0)
    expect(a.status).toBe('done')
    expect(Buffer.from(a.columns.egMean.buffer).equals(Buffer.from(b.columns.egMean.buffer))).toBe(true)
    expect(Buffer.from(a.columns.etMean.buffer).equals(Buffer.from(b.columns.etMean.buffer))).toBe(true)
    // golden values (seed 0): drift beyond 1e-12 means the data, the eigensolver or the formulas changed
    expect(a.summary.egInfMean).toBeCloseTo(GOLDEN.egInfMean, 12)
    expect(a.summary.egStarSim).toBeCloseTo(GOLDEN.egStarSim, 12)
    expect(a.columns.etMean[10]).toBeCloseTo(GOLDEN.etMean10, 12)
  })

  it('σ0² changes only the init: same data, and the rise of E_g(∞) is the frozen-subspace energy', async () => {
    const p = { N: 30, realisations: 4, timePoints: 10, quadratureNodes: 200 }
    const a = await runLocal(study, { ...p, sigma0sq: 0 }, 3)
    const b = await runLocal(study, { ...p, sigma0sq: 1 }, 3)
    // at t → 0 nothing has moved: E_g(0) differs by ‖w0‖²/N − 2w0·w̄/N, and at α = 0.5 the rise stays ≈ (1−α)σ0²
    expect(b.summary.egInfMean - a.summary.egInfMean).toBeGreaterThan(0.2)
    expect(b.summary.egInfMean - a.summary.egInfMean).toBeLessThan(0.8)
    expect(a.summary.frozenModes).toBe(15)
  })

  it('spectrum: zero eigenvalues are counted apart, the rest follow ρ_MP with λ_max ≈ (1+√α)²', async () => {
    const r = await runLocal(study, { mode: 'spectrum', N: 60, realisations: 5, alpha: 0.5 }, 1)
    expect(r.status).toBe('done')
    expect(r.summary.frozenFraction).toBe(0.5)
    expect(Math.abs(r.summary.lambdaMaxMean - r.summary.lambdaPlus) / r.summary.lambdaPlus).toBeLessThan(0.15)
    const hist = r.columns.histDensity
    const mp = r.columns.mpDensity
    const width = r.columns.lambdaBin[1] - r.columns.lambdaBin[0]
    let l1 = 0
    for (let i = 0; i < hist.length; i++) l1 += Math.abs(hist[i] - mp[i]) * width
    expect(l1).toBeLessThan(0.15)
  })

  it('gd-crosscheck: counts full-batch gradients, records t = η·k, agrees to round-off', async () => {
    const r = await runLocal(study, { mode: 'gd-crosscheck', N: 20, gdSteps: 300, gdRealisations: 2 }, 0)
    expect(r.status).toBe('done')
    expect(r.summary['oracle:grad']).toBe(600)
    expect(r.summary.gdMaxRelDiff).toBeLessThan(1e-12)
    expect(r.claims.find((c) => c.id === 'gd-matches-closed-form')?.passed).toBe(true)
    expect(r.columns.t[300]).toBeCloseTo(30, 12)
  })

  it('validates P ≥ 1 and GD stability, and warns at α = 1 exactly (infinite-mean E_g(∞))', async () => {
    await expect(runLocal(study, { N: 4, alpha: 0.1 }, 0)).rejects.toThrow(/rounds to P = 0/)
    await expect(runLocal(study, { mode: 'gd-crosscheck', alpha: 4, eta: 0.3 }, 0)).rejects.toThrow(/diverges/)
    const w = study.warnings!({ ...defaults(), alpha: 1 } as never)
    expect(w.join(' ')).toMatch(/infinite mean/)
    expect(study.warnings!({ ...defaults(), alpha: 1.01 } as never).join(' ')).not.toMatch(/infinite mean/)
  })
})

function defaults(): Record<string, unknown> {
  return Object.fromEntries(Object.entries(study.params).map(([k, s]) => [k, s.default]))
}

const GOLDEN = { egInfMean: 0.7816929049768087, egStarSim: 0.6414697738727875, etMean10: 0.0005745466203134462 }
