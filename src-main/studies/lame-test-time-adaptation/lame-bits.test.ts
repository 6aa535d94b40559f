/**
 * The CCCP loop of lame.ts against the previous lame.ts (commit 5b3ff58), kept verbatim below
 * (names prefixed `old`; its workspace the four plain arrays): the WebAssembly softmax rows and
 * the sparse W·Y (gemmSkipZeros) must give the same bits — Y, log Y, W·Y, every energy of the
 * trace and the iteration count — and so must the JavaScript twin with WebAssembly SIMD off.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { gemm } from '../../numeric/dense'
import { Rng } from '../../numeric/rng'
import { setWasmSimdEnabled } from '../../numeric/wasm-emit'
import { buildAffinity, expNear, expNonPositive, lameSoftmaxRows, lameSolve, lameWorkspace, type Affinity } from './lame'

interface OldWorkspace {
  W: Float64Array
  Y: Float64Array
  U: Float64Array
  WY: Float64Array
  logY: Float64Array
}
interface OldResult {
  iterations: number
  energyFirst: number
  energyLast: number
  energyIncreases: number
  trace?: number[]
}
const LOG_CLIP = Math.log(1e-20)

// ---- the previous lame.ts, verbatim ----

function oldEnergy(ws: OldWorkspace, N: number, K: number): number {
  const { Y, U, WY, logY } = ws
  let E = 0
  for (let i = 0; i < N * K; i++) {
    const y = Y[i]
    E += U[i] * y - WY[i] * y + y * logY[i]
  }
  return E
}

function oldSoftmaxRows(U: Float64Array, A: Float64Array, N: number, K: number, Y: Float64Array, logY: Float64Array): void {
  for (let i = 0; i < N; i++) {
    const o = i * K
    let m = -Infinity
    let lo = Infinity
    for (let k = 0; k < K; k++) {
      const e = -U[o + k] + A[o + k]
      logY[o + k] = e
      if (e > m) m = e
      if (e < lo) lo = e
    }
    let s = 0
    // every finite t = e − m then lies in [−44, 0] (rounding is monotone); a NaN e is skipped by
    // both tests above and gives t = NaN, for which expNear returns NaN (its table read is
    // undefined) as Math.exp does; infinite logits make m − lo infinite or NaN: the checked path
    if (m - lo <= 44) {
      for (let k = 0; k < K; k++) {
        const t = logY[o + k] - m
        logY[o + k] = t
        const e = expNear(t)
        Y[o + k] = e
        s += e
      }
    } else {
      for (let k = 0; k < K; k++) {
        const t = logY[o + k] - m
        logY[o + k] = t
        const e = expNonPositive(t)
        Y[o + k] = e
        s += e
      }
    }
    const logS = Math.log(s)
    for (let k = 0; k < K; k++) {
      Y[o + k] /= s
      const l = logY[o + k] - logS
      logY[o + k] = l > LOG_CLIP ? l : LOG_CLIP
    }
  }
}

function oldSolve(ws: OldWorkspace, P: Float64Array, N: number, K: number, maxIter: number, tol: number, keepTrace = false): OldResult {
  const { W, Y, U, WY, logY } = ws
  for (let i = 0; i < N * K; i++) U[i] = -Math.log(P[i] + 1e-10)
  // Y = softmax(−U): the bound update with W·Y = 0
  WY.fill(0, 0, N * K)
  oldSoftmaxRows(U, WY, N, K, Y, logY)
  // W·Y by the numeric core's gemm (the packed SIMD kernel at 16×16·16×100): each entry sums
  // W_ij·Y_jk over j in order, as row-by-row axpys would.
  gemm(false, false, N, K, N, 1, W, Y, 0, WY)
  let oldE = Infinity
  let first = NaN
  let E = NaN
  let increases = 0
  const trace: number[] | undefined = keepTrace ? [] : undefined
  let it = 0
  for (let i = 0; i < maxIter; i++) {
    oldSoftmaxRows(U, WY, N, K, Y, logY)
    // W·Y of the new Y: the energy's, and the next bound update's
    gemm(false, false, N, K, N, 1, W, Y, 0, WY)
    E = oldEnergy(ws, N, K)
    trace?.push(E)
    if (i === 0) first = E
    else if (E > oldE) increases++
    it = i + 1
    if (i > 1 && Math.abs(E - oldE) <= tol * Math.abs(oldE)) break
    oldE = E
  }
  return { iterations: it, energyFirst: first, energyLast: E, energyIncreases: increases, trace }
}

// ---- the comparisons ----

function same(a: Float64Array, b: Float64Array, n: number): boolean {
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return false
  return true
}

function unitRows(rng: Rng, N: number, d: number): Float64Array {
  const X = rng.gaussianMatrix(N, d)
  for (let i = 0; i < N; i++) {
    let s = 0
    for (let c = 0; c < d; c++) s += X[i * d + c] ** 2
    for (let c = 0; c < d; c++) X[i * d + c] /= Math.sqrt(s)
  }
  return X
}

/** rows of probabilities exp(scale·z) normalised; some entries exactly 0 or 1 − 1e-10 when asked */
function probabilities(rng: Rng, N: number, K: number, scale: number, extremes: boolean): Float64Array {
  const P = new Float64Array(N * K)
  for (let i = 0; i < N; i++) {
    let s = 0
    for (let k = 0; k < K; k++) s += P[i * K + k] = Math.exp(scale * rng.normal())
    for (let k = 0; k < K; k++) P[i * K + k] /= s
  }
  if (extremes) {
    P[0] = 0
    // row 1 one-hot at its last entry: log(p + 1e-10) = 0, a zero max logit
    for (let k = 0; k < K; k++) P[K + k] = 0
    P[2 * K - 1] = 1 - 1e-10
  }
  return P
}

afterEach(() => setWasmSimdEnabled(true))

describe('LAME CCCP loop: the same bits as the previous lame.ts', () => {
  it('the WebAssembly kernel is there (else the comparisons below only test the JavaScript)', () => {
    expect(lameWorkspace(16, 100).kernel).not.toBeNull()
  })

  for (const simd of [true, false]) {
    it(`lameSolve with WebAssembly SIMD ${simd ? 'on' : 'off'}: Y, log Y, W·Y, the energy trace and the iterations of the old loop`, () => {
      const rng = new Rng(11, 'lame bits')
      let cases = 0
      for (const [N, K] of [
        [16, 100],
        [16, 37],
        [13, 10],
        [5, 1],
        [3, 8],
        [32, 21],
        [7, 2],
      ])
        for (const [affinity, symmetrise] of [
          ['knn', false],
          ['knn', true],
          ['rbf', false],
        ] as [Affinity, boolean][])
          for (const [scale, extremes, tol, maxIter] of [
            [2, false, 1e-8, 100],
            [8, true, 0, 12],
            [25, false, 1e-8, 100],
          ] as [number, boolean, number, number][]) {
            const d = 6
            const X = unitRows(rng, N, d)
            const P = probabilities(rng, N, K, scale, extremes && K > 1 && N > 1)
            setWasmSimdEnabled(simd)
            const ws = lameWorkspace(N, K)
            setWasmSimdEnabled(true)
            expect(ws.kernel !== null).toBe(simd)
            buildAffinity(ws, X, N, d, affinity, 5, symmetrise)
            const old: OldWorkspace = { W: ws.W.slice(), Y: new Float64Array(N * K), U: new Float64Array(N * K), WY: new Float64Array(N * K), logY: new Float64Array(N * K) }
            const a = lameSolve(ws, P, N, K, maxIter, tol, true)
            const b = oldSolve(old, P, N, K, maxIter, tol, true)
            const tag = `N=${N} K=${K} ${affinity}${symmetrise ? ' sym' : ''} scale=${scale}`
            expect(a.iterations, tag).toBe(b.iterations)
            expect(a.trace!.length, tag).toBe(b.trace!.length)
            expect(same(Float64Array.from(a.trace!), Float64Array.from(b.trace!), a.trace!.length), `${tag} trace`).toBe(true)
            expect(Object.is(a.energyFirst, b.energyFirst) && Object.is(a.energyLast, b.energyLast), tag).toBe(true)
            expect(a.energyIncreases, tag).toBe(b.energyIncreases)
            expect(same(ws.Y, old.Y, N * K), `${tag} Y`).toBe(true)
            expect(same(ws.logY, old.logY, N * K), `${tag} log Y`).toBe(true)
            expect(same(ws.WY, old.WY, N * K), `${tag} W·Y`).toBe(true)
            cases++
          }
      expect(cases).toBe(63)
    })
  }

  it('the softmax rows, kernel against the old loops, on rows it must decline: NaN, ±∞, a ±0 max (first maximal entry −0 or +0), a span over 44', () => {
    const rng = new Rng(12, 'lame softmax rows')
    for (const K of [1, 2, 3, 9, 10, 100]) {
      const N = 12
      const ws = lameWorkspace(N, K)
      expect(ws.kernel).not.toBeNull()
      const U = new Float64Array(N * K)
      const A = new Float64Array(N * K)
      for (let i = 0; i < N * K; i++) {
        U[i] = 3 * rng.normal()
        A[i] = Math.abs(rng.normal())
      }
      const at = (i: number, k: number) => i * K + Math.min(k, K - 1)
      // row 0 ordinary; row 1 a NaN; row 2 +∞ logit; row 3 −∞ logit; row 4 span ≈ 60
      U[at(1, 1)] = NaN
      U[at(2, 2)] = -Infinity
      U[at(3, 0)] = Infinity
      U[at(4, 1)] = 60
      // rows 5–8: the max logit 0 with its sign: −U + A = −0 needs U = +0 and A = −0
      for (const [row, first, second] of [
        [5, -0, 0],
        [6, 0, -0],
        [7, -0, -0],
        [8, 0, 0],
      ]) {
        for (let k = 0; k < K; k++) {
          U[row * K + k] = 1 + Math.abs(U[row * K + k])
          A[row * K + k] = 0
        }
        // logit = −U + A: +0 from U = −0, A = +0 … −0 from U = +0, A = −0
        const put = (k: number, z: number) => {
          U[at(row, k)] = Object.is(z, -0) ? 0 : -0
          A[at(row, k)] = Object.is(z, -0) ? -0 : 0
        }
        put(1, first)
        put(4, second)
      }
      // rows 9–11: the whole row equal, a span of exactly 44 (logits −43 and 1), an ordinary row
      for (let k = 0; k < K; k++) {
        U[9 * K + k] = 2.5
        A[9 * K + k] = 0
      }
      for (let k = 0; k < K; k++) {
        U[10 * K + k] = 0
        A[10 * K + k] = 1
      }
      U[at(10, 0)] = 44
      const old: OldWorkspace = { W: new Float64Array(0), Y: new Float64Array(N * K), U: U.slice(), WY: A.slice(), logY: new Float64Array(N * K) }
      ws.U.set(U)
      ws.WY.set(A)
      ws.Y.fill(7)
      old.Y.fill(7)
      const finite = lameSoftmaxRows(ws, N, K)
      oldSoftmaxRows(old.U, old.WY, N, K, old.Y, old.logY)
      expect(finite).toBe(false)
      expect(same(ws.Y, old.Y, N * K), `K=${K} Y`).toBe(true)
      expect(same(ws.logY, old.logY, N * K), `K=${K} log Y`).toBe(true)
    }
  })
})
