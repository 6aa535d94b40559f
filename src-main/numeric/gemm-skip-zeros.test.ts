import { afterEach, describe, expect, it } from 'vitest'
import { gemmStrided } from './dense'
import { gemmSkipZeros } from './gemm-skip-zeros'
import { Rng } from './rng'
import { setWasmSimdEnabled } from './wasm-simd'

/** Random entries, a fraction `zeros` of them ±0 (half −0). */
function sparse(rng: Rng, len: number, zeros: number): Float64Array {
  const x = new Float64Array(len)
  for (let i = 0; i < len; i++) {
    const u = rng.uniform()
    x[i] = u < zeros / 2 ? 0 : u < zeros ? -0 : rng.normal()
  }
  return x
}

/** the bits of every entry, so that −0 ≠ +0 and NaN payloads count */
function bits(x: Float64Array): string {
  return Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex')
}

interface Case {
  m: number
  n: number
  k: number
  transA: boolean
  transB: boolean
  alpha: number
  overwrite: boolean
  ldcExtra: number
  zeros: number
  cTransposed?: boolean
}

function compare(c: Case, rng: Rng, patch?: (A: Float64Array, B: Float64Array) => void): void {
  const { m, n, k, transA, transB, alpha, overwrite, ldcExtra, zeros } = c
  const aOff = 3
  const bOff = 5
  const A = new Float64Array(aOff + m * k)
  A.set(sparse(rng, m * k, zeros), aOff)
  const B = new Float64Array(bOff + k * n)
  B.set(sparse(rng, k * n, 0.1), bOff)
  patch?.(A, B)
  const cT = c.cTransposed === true
  const ldc = (cT ? m : n) + ldcExtra
  const cOff = 2
  const C0 = sparse(rng, cOff + (cT ? n : m) * ldc, 0.2)
  const want = C0.slice()
  const got = C0.slice()
  const [ars, acs] = transA ? [1, m] : [k, 1]
  const [brs, bcs] = transB ? [1, k] : [n, 1]
  if (!cT) gemmStrided(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, want, cOff, ldc, overwrite)
  else {
    // the reference: gemmStrided on a row-major block holding Cᵀ, transposed back
    const T = new Float64Array(m * n)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[i * n + j] = want[cOff + j * ldc + i]
    gemmStrided(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, T, 0, n, overwrite)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[cOff + j * ldc + i] = T[i * n + j]
  }
  gemmSkipZeros(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, got, cOff, ldc, overwrite, cT)
  expect(bits(got), JSON.stringify(c)).toBe(bits(want))
}

describe('gemmSkipZeros', () => {
  afterEach(() => setWasmSimdEnabled(true))

  it('gives gemmStrided\'s bits over shapes, transposes (of A, B and C), alpha, overwrite, strided C and sparsity', () => {
    const rng = new Rng(7, 'gemm-skip-zeros')
    let cases = 0
    for (const [m, n, k] of [[1, 1, 1], [3, 5, 7], [2, 16, 3], [5, 17, 9], [50, 64, 64], [64, 64, 50], [50, 64, 4], [10, 64, 50], [50, 4, 64], [17, 30, 300], [300, 20, 20], [6, 18, 520]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [alpha, overwrite, ldcExtra, zeros] of [[1, true, 0, 0.55], [1, false, 0, 0.9], [-0.75, false, 3, 0.3], [2.5, true, 1, 0], [1, true, 0, 1]] as const) {
            for (const cTransposed of [false, true]) {
              compare({ m, n, k, transA, transB, alpha, overwrite, ldcExtra, zeros, cTransposed }, rng)
              cases++
            }
          }
        }
      }
    }
    expect(cases).toBe(480)
  })

  it('matches on operands holding ∞ and NaN (a non-finite op(B) takes the dense product)', () => {
    const rng = new Rng(8, 'gemm-skip-zeros nonfinite')
    const base = { m: 20, n: 12, k: 30, transA: false, transB: false, alpha: 1, overwrite: true, ldcExtra: 0, zeros: 0.6 }
    compare(base, rng, (A) => {
      A[10] = Infinity
      A[50] = NaN
    })
    compare(base, rng, (_, B) => {
      B[5 + 7] = Infinity
    })
    compare({ ...base, transB: true }, rng, (_, B) => {
      B[5 + 100] = NaN
    })
    compare({ ...base, overwrite: false }, rng, (_, B) => {
      B[5 + 3] = -Infinity
    })
    compare({ ...base, overwrite: false, cTransposed: true, ldcExtra: 2 }, rng, (_, B) => {
      B[5 + 30] = NaN
    })
  })

  it('is gemmStrided itself without WebAssembly SIMD, and for strided operands', () => {
    const rng = new Rng(9, 'gemm-skip-zeros scalar')
    setWasmSimdEnabled(false)
    compare({ m: 9, n: 7, k: 11, transA: true, transB: false, alpha: 1, overwrite: false, ldcExtra: 2, zeros: 0.5 }, rng)
    compare({ m: 9, n: 20, k: 11, transA: false, transB: true, alpha: 1, overwrite: false, ldcExtra: 1, zeros: 0.5, cTransposed: true }, rng)
    setWasmSimdEnabled(true)
    // a submatrix of A (row stride k + 2): not a contiguous block
    const A = sparse(rng, 8 * 12, 0.5)
    const B = sparse(rng, 10 * 6, 0)
    const want = new Float64Array(8 * 6)
    const got = new Float64Array(8 * 6)
    gemmStrided(8, 6, 10, 1, A, 0, 12, 1, B, 0, 6, 1, want, 0, 6)
    gemmSkipZeros(8, 6, 10, 1, A, 0, 12, 1, B, 0, 6, 1, got, 0, 6)
    expect(bits(got)).toBe(bits(want))
  })
})
