import { afterEach, describe, expect, it } from 'vitest'
import { gemmStrided, gemv, reluMaskAddColumnSums } from './dense'
import { gemmSkipZeros, WasmArena } from './wasm-arena'
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

/**
 * The bits of every entry, so that −0 ≠ +0; every NaN as one (which NaN an operation on two
 * NaNs returns is the engine's and the CPU's choice, not part of the result).
 */
function bits(x: Float64Array): string {
  const c = Float64Array.from(x, (v) => (Number.isNaN(v) ? NaN : v))
  return Buffer.from(c.buffer).toString('hex')
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

describe('WasmArena', () => {
  afterEach(() => setWasmSimdEnabled(true))

  it('runs products on its views in place with gemmStrided\'s bits', () => {
    const rng = new Rng(10, 'gemm-skip-zeros arena')
    let cases = 0
    for (const [m, n, k] of [[50, 64, 64], [64, 64, 50], [50, 64, 10], [300, 20, 20], [17, 32, 300], [6, 18, 9], [40, 16, 3]]) {
      for (const transB of [false, true]) {
        for (const cTransposed of [false, true]) {
          for (const overwrite of [false, true]) {
            const arena = WasmArena.create(m * k + k * n + m * n + 8, m * n + k * n + 600)
            expect(arena.resident).toBe(true)
            const A = arena.alloc(m * k)
            A.set(sparse(rng, m * k, 0.6))
            const B = arena.alloc(k * n + 3)
            B.set(sparse(rng, k * n + 3, 0.1))
            const C = arena.alloc(m * n)
            C.set(sparse(rng, m * n, 0.2))
            const want = C.slice()
            const [brs, bcs] = transB ? [1, k] : [n, 1]
            const alpha = cases % 3 === 0 ? 1.5 : 1
            if (!cTransposed) gemmStrided(m, n, k, alpha, A.slice(), 0, k, 1, B.slice(), 3, brs, bcs, want, 0, n, overwrite)
            else {
              const T = new Float64Array(m * n)
              for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[i * n + j] = want[j * m + i]
              gemmStrided(m, n, k, alpha, A.slice(), 0, k, 1, B.slice(), 3, brs, bcs, T, 0, n, overwrite)
              for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[j * m + i] = T[i * n + j]
            }
            gemmSkipZeros(m, n, k, alpha, A, 0, k, 1, B, 3, brs, bcs, C, 0, cTransposed ? m : n, overwrite, cTransposed)
            expect(bits(C), JSON.stringify({ m, n, k, transB, cTransposed, overwrite })).toBe(bits(want))
            cases++
          }
        }
      }
    }
    expect(cases).toBe(56)
  })

  it('takes the dense product for a non-finite op(B), refuses to overfill, and gives plain arrays without SIMD', () => {
    const rng = new Rng(11, 'gemm-skip-zeros arena 2')
    const arena = WasmArena.create(3 * 400, 2000)
    const A = arena.alloc(400)
    A.set(sparse(rng, 400, 0.5))
    const B = arena.alloc(400)
    B.set(sparse(rng, 400, 0))
    B[17] = Infinity
    const C = arena.alloc(400)
    const want = new Float64Array(400)
    gemmStrided(20, 20, 20, 1, A.slice(), 0, 20, 1, B.slice(), 0, 20, 1, want, 0, 20, true)
    gemmSkipZeros(20, 20, 20, 1, A, 0, 20, 1, B, 0, 20, 1, C, 0, 20, true)
    expect(bits(C)).toBe(bits(want))
    // the memory is whole 64 KiB pages: at least the 1,200 doubles asked for
    expect(() => arena.alloc(1e6)).toThrow(/WasmArena: 1000000 doubles do not fit/)
    setWasmSimdEnabled(false)
    const plain = WasmArena.create(10, 10)
    expect(plain.resident).toBe(false)
    expect(plain.alloc(5)).toEqual(new Float64Array(5))
  })
})

describe('WasmArena elementwise ops', () => {
  afterEach(() => setWasmSimdEnabled(true))

  /** the awkward values: ±0, ±∞, NaN, tiny and huge, between ordinary normals */
  function awkward(rng: Rng, len: number): Float64Array {
    const special = [0, -0, Infinity, -Infinity, NaN, 5e-324, -1e308]
    const x = new Float64Array(len)
    for (let i = 0; i < len; i++) x[i] = rng.uniform() < 0.15 ? special[Math.floor(rng.uniform() * special.length)] : rng.normal()
    return x
  }

  it('biasRelu, reluMaskAddColumnSums, momentumStep and addScaled give their JavaScript twins\' bits', () => {
    const rng = new Rng(12, 'arena ops')
    for (const [rows, n] of [[50, 64], [7, 4], [3, 6], [5, 5], [1, 2]]) {
      const arena = WasmArena.create(12 * rows * n + 64, 64)
      const views = (len: number) => {
        const src = awkward(rng, len)
        const v = arena.copyOf(src)
        return [v, src.slice()] as const
      }
      // biasRelu: arena (wasm where n is even) against a plain-array arena call (JavaScript)
      const [z, zRef] = views(rows * n)
      const [b, bRef] = views(n + 2)
      const a = arena.alloc(rows * n)
      const aRef = new Float64Array(rows * n)
      arena.biasRelu(z, a, rows, n, b, 2)
      arena.biasRelu(zRef, aRef, rows, n, bRef, 2)
      expect(bits(z)).toBe(bits(zRef))
      expect(bits(a)).toBe(bits(aRef))
      // reluMaskAddColumnSums against dense.ts's
      const [D, DRef] = views(rows * n)
      const [G, GRef] = views(rows * n)
      const [out, outRef] = views(n + 1)
      arena.reluMaskAddColumnSums(D, G, rows, n, out, 1)
      reluMaskAddColumnSums(DRef, GRef, rows, n, outRef, 1)
      expect(bits(D)).toBe(bits(DRef))
      expect(bits(out)).toBe(bits(outRef))
      // momentumStep and addScaled against their formulas, entry by entry
      const [w, wRef] = views(rows * n)
      const [v, vRef] = views(rows * n)
      const [g] = views(rows * n)
      arena.momentumStep(w, v, g, 0.9, 5e-3, 0.05)
      for (let i = 0; i < wRef.length; i++) {
        const vi = 0.9 * vRef[i] + g[i] + 5e-3 * wRef[i]
        vRef[i] = vi
        wRef[i] = wRef[i] - 0.05 * vi
      }
      expect(bits(w)).toBe(bits(wRef))
      expect(bits(v)).toBe(bits(vRef))
      const o = arena.alloc(rows * n)
      arena.addScaled(o, w, -0.37, g)
      expect(bits(o)).toBe(bits(w.map((x, i) => x + -0.37 * g[i])))
    }
  })
})

describe('WasmArena.gemm', () => {
  it('gives gemmStrided\'s bits, in place on its views and through gemmStrided otherwise', () => {
    const rng = new Rng(13, 'arena gemm')
    let cases = 0
    for (const [m, n, k] of [[128, 64, 65], [128, 64, 9], [128, 8, 64], [4, 4, 1], [8, 12, 300], [50, 64, 10], [12, 7, 5]]) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const [overwrite, ldcExtra, alpha] of [[true, 0, 1], [false, 4, 1], [false, 0, 0.5]] as const) {
            const ldc = n + ldcExtra
            const arena = WasmArena.create(m * k + k * n + m * ldc + 16, k * n + 64)
            const A = arena.copyOf(sparse(rng, m * k + 2, 0.2))
            const B = arena.copyOf(sparse(rng, k * n + 1, 0))
            const C = arena.copyOf(sparse(rng, m * ldc, 0.1))
            const want = C.slice()
            const [ars, acs] = transA ? [1, m] : [k, 1]
            const [brs, bcs] = transB ? [1, k] : [n, 1]
            gemmStrided(m, n, k, alpha, A.slice(), 2, ars, acs, B.slice(), 1, brs, bcs, want, 0, ldc, overwrite)
            arena.gemm(m, n, k, alpha, A, 2, ars, acs, B, 1, brs, bcs, C, 0, ldc, overwrite)
            expect(bits(C), JSON.stringify({ m, n, k, transA, transB, overwrite, ldcExtra, alpha })).toBe(bits(want))
            cases++
          }
        }
      }
    }
    expect(cases).toBe(84)
  })
})

describe('WasmArena.gemv', () => {
  afterEach(() => setWasmSimdEnabled(true))

  it('gives gemv\'s bits on its views, across gemv\'s 4096-entry blocks, with zeros in x', () => {
    const rng = new Rng(14, 'arena gemv')
    for (const [m, n] of [[100, 50], [50, 100], [7, 9], [1, 3], [130, 64], [4, 1]]) {
      for (const trans of [false, true]) {
        for (const [alpha, beta] of [[1, 0], [-0.5, 1], [2, 0.25]]) {
          const arena = WasmArena.create(m * n + 2 * (m + n), 64)
          const A = arena.copyOf(sparse(rng, m * n, 0.1))
          const x = arena.copyOf(sparse(rng, trans ? m : n, 0.3))
          const y = arena.copyOf(sparse(rng, trans ? n : m, 0))
          const want = gemv(trans, m, n, alpha, A.slice(), x.slice(), beta, y.slice())
          arena.gemv(trans, m, n, alpha, A, x, beta, y)
          expect(bits(y), JSON.stringify({ m, n, trans, alpha, beta })).toBe(bits(want))
        }
      }
    }
  })
})
