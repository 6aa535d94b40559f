/**
 * modesFromExampleGram reads μ, Uᵀ(Xᵀd0), Uᵀε and U·diag(1/μ)·Uᵀ(Xᵀd0) off symEig's working
 * matrix (exampleEigenProjections), and the dynamics solvers draw through realisationModes:
 * both must give the modes of the code they replaced bit for bit. The previous
 * modesFromExampleGram is kept here verbatim (symEig + four gemv) as the reference.
 */
import { describe, expect, it } from 'vitest'
import { gemv } from '../../numeric/dense'
import { symEig } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { setWasmSimdEnabled } from '../../numeric/wasm-simd'
import { gramWasm } from './gramWasm'
import { DirectGd, drawRealisation, exampleGram, type Modes, modesFromExampleGram, modesFromInputGram, type Realisation, realisationModes, toModes } from './solver'
import { teacherVariances } from './theory'

/** modesFromExampleGram before exampleEigenProjections, verbatim (its scratch buffer aside). */
function oldModesFromExampleGram(r: Realisation): Modes | null {
  const { N, P, X, wbar, eps, w0 } = r
  const buf = new Float64Array(P * P + N + 5 * P)
  const H = exampleGram(X, N, P, buf.subarray(0, P * P))
  const { values: mu, vectors: U } = symEig(H, P)
  if (!(mu[0] > 1e-10 * mu[P - 1])) return null
  let at = P * P
  const take = (len: number): Float64Array => buf.subarray(at, (at += len))
  const d0 = take(N)
  for (let i = 0; i < N; i++) d0[i] = w0[i] - wbar[i]
  const b = take(P)
  gemv(true, N, P, 1, X, d0, 0, b) // Xᵀd0
  const c = take(P)
  gemv(true, P, P, 1, U, b, 0, c) // Uᵀ(Xᵀd0)
  const e = take(P)
  gemv(true, P, P, 1, U, eps, 0, e) // Uᵀε
  const frozen = N - P
  const lambda = new Float64Array(N)
  const z0 = new Float64Array(N)
  const epsTilde = new Float64Array(N)
  const g = take(P)
  for (let j = 0; j < P; j++) {
    const s = Math.sqrt(mu[j])
    lambda[frozen + j] = mu[j]
    z0[frozen + j] = c[j] / s
    epsTilde[frozen + j] = s * e[j]
    g[j] = c[j] / mu[j]
  }
  const Ug = take(P)
  gemv(false, P, P, 1, U, g, 0, Ug)
  gemv(false, N, P, -1, X, Ug, 1, d0)
  let perp = 0
  for (let i = 0; i < N; i++) perp += d0[i] * d0[i]
  z0[0] = Math.sqrt(perp)
  return { N, P, lambda, frozen, z0, epsTilde, epsPerp2: 0 }
}

function oldToModes(r: Realisation): Modes {
  return r.P < r.N ? (oldModesFromExampleGram(r) ?? modesFromInputGram(r)) : modesFromInputGram(r)
}

function differences(a: Modes | null, b: Modes | null): number {
  if (a === null || b === null) return a === b ? 0 : 1
  let n = 0
  if (a.frozen !== b.frozen || a.N !== b.N || a.P !== b.P || !Object.is(a.epsPerp2, b.epsPerp2)) n++
  for (const k of ['lambda', 'z0', 'epsTilde'] as const) for (let i = 0; i < a.N; i++) if (!Object.is(a[k][i], b[k][i])) n++
  return n
}

const SIZES = [
  [100, 50],
  [200, 100],
  [64, 16],
  [60, 32],
  [40, 18],
  [41, 17],
  [60, 57],
  [40, 10],
  [30, 3],
  [30, 1],
]

describe('linear-student-teacher-overtraining: modes bit for bit', () => {
  it('gramWasm is exampleGram bit for bit (and declines where exampleGram takes other routes)', () => {
    for (const [N, P] of [
      [100, 50],
      [200, 100],
      [256, 60],
      [64, 16],
      [60, 32],
      [50, 18],
      [41, 22],
      [24, 24],
      [256, 8],
      [256, 10],
    ]) {
      for (const scale of [1, 1e-3]) {
        const X = new Rng(N + P, 'data').fillNormal(new Float64Array(N * P), 0, scale / Math.sqrt(N))
        X[3] = 0
        X[P + 1] = -0
        const ref = exampleGram(X, N, P, new Float64Array(P * P).fill(NaN))
        const H = gramWasm(X, N, P)
        expect(H, `N ${N} P ${P}`).not.toBeNull()
        let differ = 0
        for (let i = 0; i < P * P; i++) if (!Object.is(H![i], ref[i])) differ++
        expect(differ, `N ${N} P ${P}`).toBe(0)
      }
    }
    const X = new Float64Array(300 * 50)
    for (const [N, P] of [[300, 50], [40, 17], [10, 2], [20, 20]]) expect(gramWasm(X, N, P), `N ${N} P ${P}`).toBeNull()
    setWasmSimdEnabled(false)
    try {
      expect(gramWasm(X, 100, 50)).toBeNull()
    } finally {
      setWasmSimdEnabled(true)
    }
  })

  it('modesFromExampleGram equals the symEig + gemv code, SIMD on and off', () => {
    for (const simdOn of [true, false]) {
      setWasmSimdEnabled(simdOn)
      try {
        for (const [N, P] of SIZES) {
          for (const [snr, s02] of [
            [4, 0],
            [0.5, 1],
          ]) {
            const v = teacherVariances(snr, s02)
            const data = new Rng(N * 7 + P, 'data')
            const init = new Rng(N * 7 + P, 'init')
            for (let k = 0; k < 6; k++) {
              const r = drawRealisation(N, P, v, data, init)
              expect(differences(modesFromExampleGram(r), oldModesFromExampleGram(r)), `N ${N} P ${P} SIMD ${simdOn} k ${k}`).toBe(0)
            }
          }
        }
      } finally {
        setWasmSimdEnabled(true)
      }
    }
  })

  it('a rank-deficient X still returns null (toModes then decomposes XXᵀ)', () => {
    const N = 40
    const P = 20
    const r = drawRealisation(N, P, teacherVariances(4, 0), new Rng(5, 'data'), new Rng(5, 'init'))
    for (let i = 0; i < N; i++) r.X[i * P + 1] = r.X[i * P] // two equal examples
    expect(modesFromExampleGram(r)).toBeNull()
    expect(oldModesFromExampleGram(r)).toBeNull()
    expect(differences(toModes(r), oldToModes(r))).toBe(0)
  })

  it('realisationModes equals toModes(drawRealisation(…)) in sequence, streams included', () => {
    for (const [N, P] of [
      [100, 50],
      [40, 10],
      [30, 45],
    ]) {
      for (const s02 of [0, 0.3]) {
        const v = teacherVariances(4, s02)
        const [d1, i1, d2, i2] = [new Rng(3, 'data'), new Rng(3, 'init'), new Rng(3, 'data'), new Rng(3, 'init')]
        const kept: Modes[] = []
        for (let k = 0; k < 5; k++) {
          const a = realisationModes(N, P, v, d1, i1)
          kept.push(a)
          expect(differences(a, oldToModes(drawRealisation(N, P, v, d2, i2))), `N ${N} P ${P} σ0² ${s02} k ${k}`).toBe(0)
        }
        // nothing returned points into the reused realisation
        expect(new Set(kept.map((m) => m.lambda)).size).toBe(5)
        expect(d1.uniform()).toBe(d2.uniform())
      }
    }
  })
})

/** DirectGd before its resident kernel, verbatim: two gemv of the numeric core per step. */
class OldDirectGd {
  readonly w: Float64Array
  private readonly r: Float64Array
  constructor(
    private readonly real: Realisation,
    private readonly eta: number,
  ) {
    this.w = Float64Array.from(real.w0)
    this.r = new Float64Array(real.P)
  }
  private residual(): void {
    const { N, P, X, y } = this.real
    this.r.set(y)
    gemv(true, N, P, -1, X, this.w, 1, this.r)
  }
  step(): void {
    const { N, P, X } = this.real
    this.residual()
    gemv(false, N, P, this.eta, X, this.r, 1, this.w)
  }
  errors(se2: number, out: Float64Array): void {
    const { N, P, wbar } = this.real
    this.residual()
    let e = 0
    for (let i = 0; i < N; i++) {
      const d = this.w[i] - wbar[i]
      e += d * d
    }
    let t = 0
    for (let mu = 0; mu < P; mu++) t += this.r[mu] * this.r[mu]
    out[0] = e / N + se2
    out[1] = t / P
  }
}

describe('linear-student-teacher-overtraining: DirectGd bit for bit', () => {
  it('the resident kernel gives the gemv steps and errors, SIMD on and off', () => {
    for (const simdOn of [true, false]) {
      setWasmSimdEnabled(simdOn)
      try {
        for (const [N, P, s02, eta] of [
          [100, 50, 0, 1e-3],
          [100, 50, 1, 0.05],
          [40, 100, 0.5, 0.01],
          [37, 13, 0, 0.02],
          [10, 5, 0, 0.1],
          [64, 32, 0, 0],
        ]) {
          const real = drawRealisation(N, P, teacherVariances(4, s02), new Rng(N + P, 'data'), new Rng(N + P, 'init'))
          const a = new DirectGd(real, eta)
          const b = new OldDirectGd(real, eta)
          const oa = new Float64Array(2)
          const ob = new Float64Array(2)
          for (let k = 0; k < 40; k++) {
            a.errors(0.2, oa)
            b.errors(0.2, ob)
            expect([Object.is(oa[0], ob[0]), Object.is(oa[1], ob[1])], `N ${N} P ${P} k ${k}`).toEqual([true, true])
            a.step()
            b.step()
          }
          let differ = 0
          for (let i = 0; i < N; i++) if (!Object.is(a.w[i], b.w[i])) differ++
          expect(differ, `N ${N} P ${P} SIMD ${simdOn}`).toBe(0)
        }
      } finally {
        setWasmSimdEnabled(true)
      }
    }
  })
})
