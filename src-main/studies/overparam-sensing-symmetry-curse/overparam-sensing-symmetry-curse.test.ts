import { describe, expect, it } from 'vitest'
import { ChartSpec, FigureSpec } from '../../../src-shared/model'
import { resolveStudyParams, runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { setWasmSimdEnabled, wasmSimdAvailable } from '../../numeric/wasm-simd'
import { linearPhaseSlope, logLogSlope } from './fits'
import { groundTruthSpectrum, makeSensingData, orthonormaliseColumns, residualMatrix, residualMatrixSymmetric, type SensingData } from './problem'
import { SmallSymEig } from './smallEig'
import { asymmetricStep, balancingStep, GdIteration, gram, productFGt, symmetricStep } from './solver'
import study from './study'

const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]))
  return m
}

/** L(FGᵀ) for the finite-difference checks */
function lossAt(data: SensingData, F: Float64Array, G: Float64Array, k: number): number {
  const n = data.n
  const Z = productFGt(F, G, n, k, new Float64Array(n * n))
  return residualMatrix(data, Z, new Float64Array(n * n), new Float64Array(Math.max(1, data.m)))
}

function residualAt(data: SensingData, F: Float64Array, G: Float64Array, k: number): Float64Array {
  const n = data.n
  const S = new Float64Array(n * n)
  residualMatrix(data, productFGt(F, G, n, k, new Float64Array(n * n)), S, new Float64Array(Math.max(1, data.m)))
  return S
}

/** central-difference gradient of f at x (all entries) */
function fdGradient(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const g = new Float64Array(x.length)
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]
    x[i] = x0 + h
    const fp = f()
    x[i] = x0 - h
    const fm = f()
    x[i] = x0
    g[i] = (fp - fm) / (2 * h)
  }
  return g
}

describe('SmallSymEig (cyclic Jacobi)', () => {
  it('reconstructs A = V·diag(λ)·Vᵀ with orthonormal V and ascending λ to 1e-13', () => {
    const k = 7
    const rng = new Rng(3)
    const B = rng.gaussianMatrix(k, k)
    const A = new Float64Array(k * k)
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) A[i * k + j] = B[i * k + j] + B[j * k + i]
    const e = new SmallSymEig(k).compute(A, true)
    const V = e.vectors
    const R = new Float64Array(k * k)
    const VtV = new Float64Array(k * k)
    for (let i = 0; i < k; i++)
      for (let j = 0; j < k; j++) {
        let s = 0
        let o = 0
        for (let l = 0; l < k; l++) {
          s += V[i * k + l] * e.values[l] * V[j * k + l]
          o += V[l * k + i] * V[l * k + j]
        }
        R[i * k + j] = s
        VtV[i * k + j] = o - (i === j ? 1 : 0)
      }
    expect(maxAbs(R, A)).toBeLessThan(1e-13)
    expect(maxAbs(VtV, new Float64Array(k * k))).toBeLessThan(1e-14)
    for (let j = 1; j < k; j++) expect(e.values[j]).toBeGreaterThanOrEqual(e.values[j - 1])
  })
})

describe('the problem', () => {
  it('has M* = U·diag(1, 0.75, 0.5)·Uᵀ with orthonormal U (eigenvalues 1, 0.75, 0.5, 0, …)', () => {
    expect(Array.from(groundTruthSpectrum(3))).toEqual([1, 0.75, 0.5])
    expect(Array.from(groundTruthSpectrum(2))).toEqual([1, 0.5])
    const n = 8
    const data = makeSensingData('factorisation', n, 3, 0, 'general', new Rng(1, 'data'))
    const ev = new SmallSymEig(n).compute(data.Mstar).values
    expect(maxAbs(ev, [0, 0, 0, 0, 0, 0.5, 0.75, 1])).toBeLessThan(1e-14)
    expect(data.normMstar).toBeCloseTo(Math.sqrt(1 + 0.5625 + 0.25), 14)
    const Q = orthonormaliseColumns(new Rng(2).gaussianMatrix(6, 3), 6, 3)
    expect(maxAbs(gram(Q, 6, 3, new Float64Array(9)), [1, 0, 0, 0, 1, 0, 0, 0, 1])).toBeLessThan(1e-15)
  })

  it('factorisation mode: S = Z − M* and L = ½‖Z − M*‖²_F', () => {
    const n = 5
    const data = makeSensingData('factorisation', n, 2, 0, 'general', new Rng(4, 'data'))
    const Z = new Rng(5).gaussianMatrix(n, n)
    const S = new Float64Array(n * n)
    const L = residualMatrix(data, Z, S, new Float64Array(1))
    let ss = 0
    for (let p = 0; p < n * n; p++) {
      expect(S[p]).toBe(Z[p] - data.Mstar[p])
      ss += S[p] * S[p]
    }
    expect(L).toBeCloseTo(0.5 * ss, 15)
  })

  it('sensing mode: S is the gradient of L(Z) = (1/2m)Σ(⟨A_i, Z⟩ − y_i)² (finite differences, 1e-8)', () => {
    const n = 4
    const data = makeSensingData('sensing', n, 2, 30, 'general', new Rng(6, 'data'))
    const Z = new Rng(7).gaussianMatrix(n, n, 0.3)
    const S = new Float64Array(n * n)
    const res = new Float64Array(30)
    residualMatrix(data, Z, S, res)
    const fd = fdGradient(() => residualMatrix(data, Z, new Float64Array(n * n), res), Z)
    expect(maxAbs(S, fd)).toBeLessThan(1e-8)
    // y = A(M*): the loss vanishes at M*
    expect(residualMatrix(data, data.Mstar, new Float64Array(n * n), res)).toBeLessThan(1e-28)
  })

  it('the folded pass for symmetric Z gives the loss and the symmetric part of S of the full pass (1e-13)', () => {
    for (const measurements of ['general', 'symmetrised'] as const) {
      const n = 7
      const m = 45
      const data = makeSensingData('sensing', n, 2, m, measurements, new Rng(21, 'data'))
      const X = new Rng(22, 'x').gaussianMatrix(n, 3, 0.5)
      const Z = productFGt(X, X, n, 3, new Float64Array(n * n))
      const S = new Float64Array(n * n)
      const Ssym = new Float64Array(n * n)
      const L = residualMatrix(data, Z, S, new Float64Array(m))
      for (let rep = 0; rep < 2; rep++) {
        const Lsym = residualMatrixSymmetric(data, Z, Ssym, new Float64Array(m))
        expect(Math.abs(Lsym - L) / L).toBeLessThan(1e-13)
        let scale = 0
        for (const v of S) scale = Math.max(scale, Math.abs(v))
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) {
            expect(Ssym[i * n + j]).toBe(Ssym[j * n + i])
            expect(Math.abs(Ssym[i * n + j] - 0.5 * (S[i * n + j] + S[j * n + i]))).toBeLessThan(1e-13 * scale)
          }
      }
    }
  })

  it('the WebAssembly SIMD sensing pass is bit-identical to the JavaScript loops (odd and even sizes, m mod 4 ≠ 0, fewer than two groups)', () => {
    expect(wasmSimdAvailable()).toBe(true)
    // the pass is pipelined in groups of 4 rows: m < 4 (no group), m = 4 (one: no overlapped
    // sweep), 8, 9 and the rest (leftover rows one at a time); odd and even row lengths
    for (const [n, m] of [[3, 1], [3, 3], [4, 4], [5, 8], [6, 9], [4, 30], [5, 23], [7, 45], [20, 600]]) {
      const X = new Rng(31, 'x').gaussianMatrix(n, 3, 0.5)
      const Y = new Rng(32, 'y').gaussianMatrix(n, 3, 0.5)
      for (const sym of [false, true]) {
        const Z = productFGt(X, sym ? X : Y, n, 3, new Float64Array(n * n))
        const out = (simd: boolean) => {
          setWasmSimdEnabled(simd)
          try {
            // a fresh draw each time: the kernel is built on first use and kept on the data
            const data = makeSensingData('sensing', n, 2, m, 'general', new Rng(30, 'data'))
            const S = new Float64Array(n * n)
            const res = new Float64Array(m)
            const L = (sym ? residualMatrixSymmetric : residualMatrix)(data, Z, S, res)
            // a second call reuses the kernel (and must restart s from zero)
            const L2 = (sym ? residualMatrixSymmetric : residualMatrix)(data, Z, S, res)
            expect(L2).toBe(L)
            expect(data.wasm?.[sym ? 'folded' : 'full'] != null).toBe(simd)
            return { L, S, res }
          } finally {
            setWasmSimdEnabled(true)
          }
        }
        const js = out(false)
        const wasm = out(true)
        expect(wasm.L).toBe(js.L)
        expect(Array.from(wasm.S)).toEqual(Array.from(js.S))
        expect(Array.from(wasm.res)).toEqual(Array.from(js.res))
      }
    }
  })

  it('symmetrised sensing matrices are symmetric; general ones are not', () => {
    const n = 4
    const sym = makeSensingData('sensing', n, 1, 3, 'symmetrised', new Rng(8, 'data')).A!
    const gen = makeSensingData('sensing', n, 1, 3, 'general', new Rng(8, 'data')).A!
    expect(sym[1 * n + 2]).toBe(sym[2 * n + 1])
    expect(gen[1 * n + 2]).not.toBe(gen[2 * n + 1])
  })
})

describe('GD updates', () => {
  const n = 4
  const k = 3
  const eta = 0.05
  const data = makeSensingData('sensing', n, 2, 40, 'general', new Rng(9, 'data'))

  it('symmetric step is X − η·∇_X L(XXᵀ) = X − η·(S + Sᵀ)·X (finite differences, 1e-9)', () => {
    const X = new Rng(10).gaussianMatrix(n, k, 0.5)
    const S = residualAt(data, X, X, k)
    const Xn = symmetricStep(X, S, eta, n, k, new Float64Array(n * k))
    const grad = fdGradient(() => lossAt(data, X, X, k), X)
    const expected = X.map((x, i) => x - eta * grad[i])
    expect(maxAbs(Xn, expected)).toBeLessThan(1e-9)
  })

  it('asymmetric step is simultaneous GD: F − η·∇_F L, G − η·∇_G L at the old (F, G) (finite differences, 1e-9)', () => {
    const rng = new Rng(11)
    const F = rng.gaussianMatrix(n, k, 0.5)
    const G = rng.gaussianMatrix(n, k, 0.5)
    const S = residualAt(data, F, G, k)
    const Fn = new Float64Array(n * k)
    const Gn = new Float64Array(n * k)
    asymmetricStep(F, G, S, eta, n, k, Fn, Gn)
    const gF = fdGradient(() => lossAt(data, F, G, k), F)
    const gG = fdGradient(() => lossAt(data, F, G, k), G)
    expect(maxAbs(Fn, F.map((x, i) => x - eta * gF[i]))).toBeLessThan(1e-9)
    expect(maxAbs(Gn, G.map((x, i) => x - eta * gG[i]))).toBeLessThan(1e-9)
  })

  it('the WebAssembly SIMD iteration is bit-identical to the JavaScript loops (both modes, odd and even n, k)', () => {
    expect(wasmSimdAvailable()).toBe(true)
    for (const [mode, n, k] of [['factorisation', 7, 1], ['factorisation', 8, 3], ['factorisation', 9, 5], ['factorisation', 50, 5], ['factorisation', 13, 12], ['sensing', 7, 3], ['sensing', 20, 5]] as const) {
      for (const sym of [true, false]) {
        const run = (simd: boolean) => {
          setWasmSimdEnabled(simd)
          try {
            const data = makeSensingData(mode, n, 2, mode === 'sensing' ? 37 : 0, 'general', new Rng(40, 'data'))
            const init = new Rng(41, 'init')
            const F0 = init.gaussianMatrix(n, k, 0.4)
            const it = new GdIteration(data, k, 0.1, F0, sym ? null : init.gaussianMatrix(n, k, 0.2))
            // the SIMD kernel keeps the factors in its memory: F is then not the array passed in
            expect(it.F !== F0).toBe(simd)
            const trace: number[] = []
            for (let t = 0; t < 6; t++) {
              it.evaluate()
              trace.push(it.loss, it.sumSq, ...it.Z, ...it.S)
              if (t === 3 && !sym) balancingStep(it.F, it.G, n, k)
              it.step()
              trace.push(...it.F, ...it.G)
            }
            return trace
          } finally {
            setWasmSimdEnabled(true)
          }
        }
        const js = run(false)
        const wasm = run(true)
        expect(wasm.length).toBe(js.length)
        let same = true
        for (let i = 0; i < js.length; i++) if (!Object.is(js[i], wasm[i])) same = false
        expect(same, `${mode} n=${n} k=${k} ${sym ? 'sym' : 'asym'}`).toBe(true)
      }
    }
  })

  it('balancing step keeps FGᵀ, gives F all singular values √s with s = ‖FGᵀ‖₂', () => {
    const nn = 9
    const kk = 4
    const rng = new Rng(12)
    const F = rng.gaussianMatrix(nn, kk, 0.7)
    const G = rng.gaussianMatrix(nn, kk, 0.2)
    const Z0 = productFGt(F, G, nn, kk, new Float64Array(nn * nn))
    // ‖FGᵀ‖₂² = λ_max((FGᵀ)ᵀ(FGᵀ)), from the n×n Gram matrix
    const ZtZ = new Float64Array(nn * nn)
    for (let i = 0; i < nn; i++)
      for (let j = 0; j < nn; j++) {
        let s = 0
        for (let l = 0; l < nn; l++) s += Z0[l * nn + i] * Z0[l * nn + j]
        ZtZ[i * nn + j] = s
      }
    const spectral = Math.sqrt(new SmallSymEig(nn).compute(ZtZ).values[nn - 1])
    const s = balancingStep(F, G, nn, kk)
    expect(s).toBeCloseTo(spectral, 12)
    const Z1 = productFGt(F, G, nn, kk, new Float64Array(nn * nn))
    expect(maxAbs(Z1, Z0)).toBeLessThan(1e-13)
    const svF = new SmallSymEig(kk).compute(gram(F, nn, kk, new Float64Array(kk * kk))).values
    for (const v of svF) expect(v / s).toBeCloseTo(1, 12)
  })
})

describe('fits', () => {
  it('recovers the slope of a geometric sequence and of t^(−1)', () => {
    const T = 2000
    const it = new Float64Array(T + 1).map((_, i) => i)
    // plateau above 1e-3 until t = 100, then 1e-3·10^(−0.01·(t − 100))
    const geo = it.map((t) => (t < 100 ? 1 : 1e-3 * 10 ** (-0.01 * (t - 100))))
    const f = linearPhaseSlope(it, geo)
    expect(f.slope).toBeCloseTo(-0.01, 12)
    expect(f.t0).toBe(100)
    expect(f.t1).toBe(800)
    const pow = it.map((t) => (t > 0 ? 3 / t : 1))
    expect(logLogSlope(it, pow, 100, 2000)).toBeCloseTo(-1, 12)
  })
})

describe('runs', () => {
  const tiny = { n: 10, r: 2, k: 4, T: 300, alpha: 0.1, eta: 0.1 }

  it('gives bit-identical metrics for the same seed and different ones for another seed', async () => {
    const a = await runLocal(study, tiny, 5)
    const b = await runLocal(study, tiny, 5)
    const c = await runLocal(study, tiny, 6)
    expect(a.status).toBe('done')
    for (const name of ['relError', 'imbalanceMin', 'redundantSingularValues[1]']) {
      expect(Buffer.from(a.columns[name].buffer).equals(Buffer.from(b.columns[name].buffer))).toBe(true)
    }
    expect(Buffer.from(a.columns.relError.buffer).equals(Buffer.from(c.columns.relError.buffer))).toBe(false)
    expect(a.columns.relError.length).toBe(301)
    expect(a.summary['oracle:grad']).toBe(300)
  })

  it('draws data and initialisation from separate streams (changing α leaves M* alone)', async () => {
    // same data stream, different init scale: the relError at t = 0 is ‖F0G0ᵀ − M*‖/‖M*‖ ≈ 1 for both
    const a = await runLocal(study, { ...tiny, alpha: 1e-4, T: 1 }, 5)
    const b = await runLocal(study, { ...tiny, alpha: 2e-4, T: 1 }, 5)
    expect(a.columns.relError[0]).toBeCloseTo(1, 6)
    expect(b.columns.relError[0]).toBeCloseTo(1, 6)
  })

  it('pins golden values (seed 0, tiny factorisation and sensing runs; relative tolerance 1e-9)', async () => {
    const fact = await runLocal(study, { ...tiny }, 0)
    const sym = await runLocal(study, { ...tiny, parameterisation: 'symmetric' }, 0)
    const sens = await runLocal(study, { ...tiny, mode: 'sensing', m: 120, T: 200, eta: 0.05 }, 0)
    const golden = {
      asym: fact.view.at('relError', 300),
      sym: sym.view.at('relError', 300),
      sens: sens.view.at('relError', 200),
      imb: fact.view.at('imbalanceMin', 0),
    }
    const pinned = GOLDEN
    for (const key of Object.keys(pinned) as (keyof typeof pinned)[]) {
      expect(Math.abs(golden[key] - pinned[key]) / Math.abs(pinned[key]), `${key} = ${golden[key]}`).toBeLessThan(1e-9)
    }
  })

  it('fires the balancing step once, as an event, and reports its iteration', async () => {
    const r = await runLocal(study, { ...tiny, fix: true, T: 400 }, 1)
    const fixes = r.events.filter((e) => e.name === 'balancingStep')
    expect(fixes).toHaveLength(1)
    expect(fixes[0].message).toMatch(/balancing step \(reconstruction\)/)
    expect(r.summary.fixIteration).toBe(fixes[0].iteration)
    // the trigger: the first t with relError ≤ τ
    expect(r.view.firstBelow('relError', 1e-2)).toBe(fixes[0].iteration)
  })

  it('stops with a blowUp event, not a diverged run, when η is far too large', async () => {
    const r = await runLocal(study, { ...tiny, parameterisation: 'symmetric', alpha: 1, eta: 1 }, 0)
    expect(r.status).toBe('done')
    expect(r.events.map((e) => e.name)).toContain('blowUp')
  })

  it('rejects impossible combinations with messages naming the params', () => {
    expect(() => resolveStudyParams(study, { r: 3, k: 2 })).toThrow(/k = 2 must be ≥ r = 3/)
    expect(() => resolveStudyParams(study, { parameterisation: 'symmetric', fix: true })).toThrow(/asymmetric parameterisation only/)
    expect(() => resolveStudyParams(study, { n: 5, r: 6, k: 6 })).toThrow(/r = 6 must be ≤ n = 5/)
  })

  it('declares every figure the spec lists, with the balancing-step marker on the asymmetric charts', () => {
    expect(study.figures!.map((f) => f.id)).toEqual([
      'factorisation-panel',
      'rate-vs-alpha-squared',
      'imbalance',
      'sensing-panel',
      'balanced-init',
    ])
    const panel = study.figures!.find((f) => f.id === 'factorisation-panel')!
    expect(panel.runs).toHaveLength(9)
    const rate = study.figures!.find((f) => f.id === 'rate-vs-alpha-squared')!
    expect(rate.charts[0]).toMatchObject({ kind: 'summary', y: 'semilogSlope', x: 'alphaSquared' })
    expect(JSON.stringify(panel.charts)).toContain('"label":"balancing step (reconstruction)"')
    for (const f of study.figures!) expect(() => FigureSpec.parse(f)).not.toThrow()
    for (const c of study.charts) expect(() => ChartSpec.parse(c)).not.toThrow()
    // every chart's run filter names runs of its figure
    for (const f of study.figures!) {
      const names = new Set(f.runs.map((r) => r.label))
      for (const c of f.charts) for (const l of c.runs ?? []) expect(names.has(l), `${f.id}: ${l}`).toBe(true)
    }
  })
})

/** pinned from this implementation (seed 0); a change beyond 1e-9 relative means the numerics changed */
const GOLDEN = { asym: 0.005325623346199995, sym: 0.009595781288820236, sens: 0.16270256129854585, imb: 0.008938999161830307 }
