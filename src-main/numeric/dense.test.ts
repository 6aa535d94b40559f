import { describe, expect, it } from 'vitest'
import { addColumnSums, amax, axpy, broadcastRow, dot, reluInto, reluMaskAddColumnSums, eye, frobNorm, gemm, gemmStrided, gemmStridedScalar, gemv, hadamard, mapInto, matmul, nrm2, outer, scal, sum, syrk, transpose, waxpby, zipInto } from './dense'
import { Rng } from './rng'
import { gemmModuleBytes, gemmWasm, wasmSimdKernel, wasmSimdAvailable } from './wasm-simd'

/** Textbook triple loop on explicitly transposed copies: the reference every kernel must match. */
function naiveGemm(tA: boolean, tB: boolean, m: number, n: number, k: number, alpha: number, A: Float64Array, B: Float64Array, beta: number, C: Float64Array): Float64Array {
  const out = new Float64Array(m * n)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0
      for (let p = 0; p < k; p++) {
        const a = tA ? A[p * m + i] : A[i * k + p]
        const b = tB ? B[j * k + p] : B[p * n + j]
        s += a * b
      }
      out[i * n + j] = alpha * s + (beta === 0 ? 0 : beta * C[i * n + j])
    }
  }
  return out
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let scale = 0
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]))
  let d = 0
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]))
  return scale === 0 ? d : d / scale
}

const rng = Rng.stream(1, 'dense.test')

describe('level 1', () => {
  it('dot sums x·y over n entries, default all', () => {
    const x = Float64Array.from([1, 2, 3, 4, 5])
    const y = Float64Array.from([5, 4, 3, 2, 1])
    expect(dot(x, y)).toBe(35)
    expect(dot(x, y, 3)).toBe(22)
  })
  it('axpy adds alpha·x into y in place; scal scales in place', () => {
    const y = Float64Array.from([1, 1, 1])
    axpy(2, Float64Array.from([1, 2, 3]), y)
    expect(Array.from(y)).toEqual([3, 5, 7])
    expect(Array.from(scal(0.5, y))).toEqual([1.5, 2.5, 3.5])
  })
  it('nrm2 neither overflows nor underflows (Hammarling scaling)', () => {
    expect(nrm2(Float64Array.from([3, 4]))).toBe(5)
    expect(nrm2(Float64Array.from([3e200, 4e200]))).toBeCloseTo(5e200, -186)
    expect(nrm2(Float64Array.from([3e-200, 4e-200])) / 5e-200).toBeCloseTo(1, 14)
    expect(nrm2(new Float64Array(4))).toBe(0)
    expect(frobNorm(Float64Array.from([1, 2, 2, 4]))).toBe(5)
  })
})

describe('elementwise, allocation-free', () => {
  it('waxpby, hadamard, mapInto, zipInto write into out (aliasing allowed); amax and sum reduce', () => {
    const x = Float64Array.from([1, -2, 3])
    const y = Float64Array.from([4, 5, -6])
    expect(Array.from(waxpby(2, x, -1, y, new Float64Array(3)))).toEqual([-2, -9, 12])
    expect(Array.from(hadamard(x, y, new Float64Array(3)))).toEqual([4, -10, -18])
    const z = x.slice()
    expect(mapInto(z, z, (v, i) => v * v + i)).toBe(z)
    expect(Array.from(z)).toEqual([1, 5, 11])
    expect(Array.from(zipInto(new Float64Array(3), x, y, (a, b) => Math.max(a, b)))).toEqual([4, 5, 3])
    expect(amax(y)).toBe(6)
    expect(Number.isNaN(amax(Float64Array.from([1, NaN, 2])))).toBe(true)
    expect(sum(Float64Array.from([1, 2, 3, 4, 5]))).toBe(15)
  })
})

describe('gemv', () => {
  it('matches the naive product for op(A) = A and Aᵀ, with alpha and beta (rel. 1e-14)', () => {
    const m = 7
    const n = 5
    const A = rng.gaussianMatrix(m, n)
    for (const trans of [false, true]) {
      const x = rng.gaussianMatrix(1, trans ? m : n)
      const y = rng.gaussianMatrix(1, trans ? n : m)
      const want = naiveGemm(trans, false, trans ? n : m, 1, trans ? m : n, 1.5, A, x, -0.5, y)
      const got = gemv(trans, m, n, 1.5, A, x, -0.5, y.slice())
      expect(maxRelDiff(got, want)).toBeLessThan(1e-14)
    }
  })
  it('four rows at a time keep the summation order of every entry: bit-identical to row-by-row loops', () => {
    for (const [m, n] of [[13, 9], [64, 64], [7, 1], [5, 32]] as const) {
      const A = rng.gaussianMatrix(m, n)
      const xn = rng.gaussianMatrix(1, n)
      const xm = rng.gaussianMatrix(1, m)
      xm[1] = 0 // a zero x_i skips its row in Aᵀx (as the reference BLAS does)
      A[3] = Infinity
      const want = new Float64Array(m)
      for (let i = 0; i < m; i++) {
        let s0 = 0
        let s1 = 0
        let j = 0
        for (; j + 1 < n; j += 2) {
          s0 += A[i * n + j] * xn[j]
          s1 += A[i * n + j + 1] * xn[j + 1]
        }
        if (j < n) s0 += A[i * n + j] * xn[j]
        want[i] = 0.5 * (s0 + s1)
      }
      expect(Array.from(gemv(false, m, n, 0.5, A, xn, 0, new Float64Array(m)))).toEqual(Array.from(want))
      const wantT = new Float64Array(n)
      for (let i = 0; i < m; i++) {
        const xi = 0.5 * xm[i]
        if (xi === 0) continue
        for (let j = 0; j < n; j++) wantT[j] += xi * A[i * n + j]
      }
      expect(Array.from(gemv(true, m, n, 0.5, A, xm, 0, new Float64Array(n)))).toEqual(Array.from(wantT))
    }
  })
  it('the wasm SIMD path is bit-identical to the scalar loops: both transposes, odd sizes, zeros in x, Inf in A, beta ≠ 0, several row blocks', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    // 6400×20 and 1000×401 span several of gemvWasm's row blocks; 301×21 ends on leftover rows.
    for (const [m, n] of [[16, 16], [13, 21], [301, 21], [3, 101], [6400, 20], [1000, 401], [37, 8]] as const) {
      const A = rng.gaussianMatrix(m, n)
      A[5] = Infinity
      A[m * n - 2] = -1e300
      for (const trans of [false, true]) {
        const x = rng.gaussianMatrix(1, trans ? m : n)
        for (const z of [1, 6, 7, (trans ? m : n) - 1]) x[z] = 0
        const y0 = rng.gaussianMatrix(1, trans ? n : m)
        for (const [alpha, beta] of [[1, 0], [-0.7, 1], [2.5, -0.5]]) {
          setWasmSimdEnabled(true)
          const on = gemv(trans, m, n, alpha, A, x, beta, y0.slice())
          setWasmSimdEnabled(false)
          const off = gemv(trans, m, n, alpha, A, x, beta, y0.slice())
          setWasmSimdEnabled(true)
          expect(on.some((v) => !Number.isFinite(v))).toBe(true) // the Inf reached y
          expect(Array.from(on)).toEqual(Array.from(off))
        }
      }
    }
  })
  it('beta = 0 overwrites y, even NaN (BLAS semantics)', () => {
    const y = Float64Array.from([NaN, NaN])
    gemv(false, 2, 2, 1, eye(2), Float64Array.from([1, 2]), 0, y)
    expect(Array.from(y)).toEqual([1, 2])
  })
})

describe('gemm', () => {
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [3, 5, 4],
    [9, 7, 13],
    [17, 6, 130],
    [4, 0, 3],
    // Packed path (≥ 24³ multiply-adds): ragged edges and k across two 256-deep panels.
    [37, 29, 300],
    [64, 64, 64],
    [5, 70, 90],
  ]
  for (const [m, n, k] of shapes) {
    for (const tA of [false, true]) {
      for (const tB of [false, true]) {
        it(`matches the naive product for ${m}×${n}×${k}, transA=${tA}, transB=${tB} (rel. 1e-13)`, () => {
          const A = rng.gaussianMatrix(m, k)
          const B = rng.gaussianMatrix(k, n)
          const C = rng.gaussianMatrix(m, n)
          const want = naiveGemm(tA, tB, m, n, k, 0.75, A, B, 2, C)
          const got = gemm(tA, tB, m, n, k, 0.75, A, B, 2, C.slice())
          expect(maxRelDiff(got, want)).toBeLessThan(1e-13)
        })
      }
    }
  }
  it('matmul returns A·B as a new array', () => {
    const A = Float64Array.from([1, 2, 3, 4, 5, 6]) // 2×3
    const B = Float64Array.from([7, 8, 9, 10, 11, 12]) // 3×2
    expect(Array.from(matmul(A, B, 2, 3, 2))).toEqual([58, 64, 139, 154])
  })
})

describe('syrk, outer, transpose, eye', () => {
  it('syrk gives A·Aᵀ and Aᵀ·A with both triangles filled (rel. 1e-14)', () => {
    const A = rng.gaussianMatrix(6, 4)
    const C0 = syrk(false, 4, 6, 1, A, 0, new Float64Array(16)) // A is 4×6 here: rows of length 6
    expect(maxRelDiff(C0, naiveGemm(false, true, 4, 4, 6, 1, A, A, 0, new Float64Array(16)))).toBeLessThan(1e-14)
    const S = syrk(true, 4, 6, 2, A, 0, new Float64Array(16)) // A is 6×4, C = 2AᵀA
    expect(maxRelDiff(S, naiveGemm(true, false, 4, 4, 6, 2, A, A, 0, new Float64Array(16)))).toBeLessThan(1e-14)
    const I = eye(4)
    syrk(true, 4, 6, 1, A, 3, I)
    const want = naiveGemm(true, false, 4, 4, 6, 1, A, A, 3, eye(4))
    expect(maxRelDiff(I, want)).toBeLessThan(1e-14)
  })
  it('syrk on the packed path (n²k ≥ 24³) matches the naive product and is exactly symmetric', () => {
    const A = rng.gaussianMatrix(50, 40)
    const G = syrk(true, 40, 50, 1.5, A, 0, new Float64Array(1600))
    expect(maxRelDiff(G, naiveGemm(true, false, 40, 40, 50, 1.5, A, A, 0, new Float64Array(1600)))).toBeLessThan(1e-14)
    const H = syrk(false, 50, 40, 1, A, 0, new Float64Array(2500))
    expect(maxRelDiff(H, naiveGemm(false, true, 50, 50, 40, 1, A, A, 0, new Float64Array(2500)))).toBeLessThan(1e-14)
    for (let i = 0; i < 40; i++) for (let j = 0; j < 40; j++) expect(G[i * 40 + j]).toBe(G[j * 40 + i])
    for (let i = 0; i < 50; i++) for (let j = 0; j < 50; j++) expect(H[i * 50 + j]).toBe(H[j * 50 + i])
  })
  it('small syrk is bit-identical with SIMD on and off (both forms, beta ≠ 0, odd sizes, a zero entry)', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    for (const [n, k] of [[7, 9], [16, 16], [5, 33], [12, 3]]) {
      for (const trans of [false, true]) {
        const A = rng.gaussianMatrix(n, k)
        A[4] = 0
        const S = syrk(false, n, n, 1, rng.gaussianMatrix(n, n), 0, new Float64Array(n * n))
        for (const [alpha, beta] of [[1, 0], [0.5, 2]]) {
          setWasmSimdEnabled(true)
          const on = syrk(trans, n, k, alpha, A, beta, S.slice())
          setWasmSimdEnabled(false)
          const off = syrk(trans, n, k, alpha, A, beta, S.slice())
          setWasmSimdEnabled(true)
          expect(Array.from(on)).toEqual(Array.from(off))
        }
      }
    }
  })
  it('outer adds alpha·x·yᵀ', () => {
    const A = new Float64Array(6)
    outer(2, Float64Array.from([1, 2]), Float64Array.from([1, 0, -1]), A)
    expect(Array.from(A)).toEqual([2, 0, -2, 4, 0, -4])
  })
  it('transpose swaps indices across tile boundaries', () => {
    const m = 37
    const n = 70
    const A = rng.gaussianMatrix(m, n)
    const T = transpose(A, m, n)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) expect(T[j * m + i]).toBe(A[i * n + j])
    expect(() => transpose(A, m, n, A)).toThrow(/alias/)
  })
})

describe('gemmStrided', () => {
  it('updates a submatrix in place through offsets and leading dimensions (rel. 1e-14)', () => {
    // A 24×30 array: C block at (3, 5) of size 9×11, A block rows 12..20 × cols 0..6, B block rows 0..6 × cols 19..29.
    const ld = 30
    const F = rng.gaussianMatrix(24, ld)
    const before = F.slice()
    const m = 9
    const n = 11
    const k = 7
    gemmStrided(m, n, k, -1, F, 12 * ld, ld, 1, F, 0 * ld + 19, ld, 1, F, 3 * ld + 5, ld)
    for (let i = 0; i < 24; i++) {
      for (let j = 0; j < ld; j++) {
        const inBlock = i >= 3 && i < 3 + m && j >= 5 && j < 5 + n
        let want = before[i * ld + j]
        if (inBlock) for (let p = 0; p < k; p++) want -= before[(12 + i - 3) * ld + p] * before[p * ld + 19 + j - 5]
        expect(Math.abs(F[i * ld + j] - want)).toBeLessThan(1e-13)
      }
    }
  })
})

describe('WebAssembly SIMD gemm kernel', () => {
  it('is available under Node and bit-identical to the scalar kernel on ragged shapes and beta ≠ 0', () => {
    expect(wasmSimdKernel()).not.toBeNull()
    for (const [m, n, k] of [[5, 7, 3], [37, 29, 300], [64, 64, 64], [4, 130, 513]]) {
      const A = rng.gaussianMatrix(m, k)
      const B = rng.gaussianMatrix(k, n)
      const C = rng.gaussianMatrix(m, n)
      const viaWasm = C.slice()
      const viaScalar = C.slice()
      expect(gemmWasm(m, n, k, 0.75, A, 0, k, 1, B, 0, n, 1, viaWasm, 0, n)).toBe(true)
      gemmStridedScalar(m, n, k, 0.75, A, 0, k, 1, B, 0, n, 1, viaScalar, 0, n)
      expect(Array.from(viaWasm)).toEqual(Array.from(viaScalar))
    }
  })
  it('gemm in all four transposition cases, beta = 0 and 2, is bit-identical with SIMD on and off (grouped packing, ragged edges)', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    for (const [m, n, k] of [[70, 45, 300], [33, 64, 40], [128, 36, 257]]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const A = rng.gaussianMatrix(m, k)
          const B = rng.gaussianMatrix(k, n)
          const C = rng.gaussianMatrix(m, n)
          for (const beta of [0, 2]) {
            setWasmSimdEnabled(true)
            const on = gemm(tA, tB, m, n, k, 1, A, B, beta, C.slice())
            setWasmSimdEnabled(false)
            const off = gemm(tA, tB, m, n, k, 1, A, B, beta, C.slice())
            setWasmSimdEnabled(true)
            expect(Array.from(on)).toEqual(Array.from(off))
            expect(maxRelDiff(on, naiveGemm(tA, tB, m, n, k, 1, A, B, beta, C))).toBeLessThan(1e-13)
          }
        }
      }
    }
  })
  it('small products (direct loops) are bit-identical with SIMD on and off: all transposes, alpha, beta, zeros, −0, Inf, odd edges', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    for (const [m, n, k] of [[16, 16, 16], [5, 7, 9], [9, 7, 13], [17, 6, 130], [1, 9, 40], [9, 1, 40], [2, 3, 300], [23, 23, 23]]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const A = rng.gaussianMatrix(m, k)
          const B = rng.gaussianMatrix(k, n)
          const C = rng.gaussianMatrix(m, n)
          A[1] = 0
          A[5] = -0
          B[2] = 0
          B[7] = Infinity
          C[0] = -0
          for (const [alpha, beta] of [[1, 0], [0.75, 2], [-2, 0], [1, 1]]) {
            setWasmSimdEnabled(true)
            const on = gemm(tA, tB, m, n, k, alpha, A, B, beta, C.slice())
            setWasmSimdEnabled(false)
            const off = gemm(tA, tB, m, n, k, alpha, A, B, beta, C.slice())
            setWasmSimdEnabled(true)
            for (let i = 0; i < m * n; i++) expect(Object.is(on[i], off[i])).toBe(true)
          }
        }
      }
    }
  })
  it('reads contiguous operands in place (no packing) bit-identically to the packed path: all transposes, alpha, beta, k over two panels, ragged edges', async () => {
    const { setGemmInPlaceMax } = await import('./wasm-simd')
    for (const [m, n, k] of [[50, 64, 10], [37, 29, 300], [5, 70, 90], [33, 63, 41], [4, 130, 513]]) {
      for (const tA of [false, true]) {
        for (const tB of [false, true]) {
          const A = rng.gaussianMatrix(m, k)
          const B = rng.gaussianMatrix(k, n)
          const C = rng.gaussianMatrix(m, n)
          A[7] = 0
          B[3] = Infinity
          for (const [alpha, beta] of [[1, 0], [0.75, 2], [-2, 0], [1, 1]]) {
            setGemmInPlaceMax(1 << 30)
            const inPlace = gemm(tA, tB, m, n, k, alpha, A, B, beta, C.slice())
            setGemmInPlaceMax(0)
            const packed = gemm(tA, tB, m, n, k, alpha, A, B, beta, C.slice())
            setGemmInPlaceMax()
            expect(Array.from(inPlace)).toEqual(Array.from(packed))
          }
        }
      }
    }
  })
  it('in place also into a strided block of C (gemmStrided with contiguous operands), bit-identical to the packed path', async () => {
    const { setGemmInPlaceMax } = await import('./wasm-simd')
    for (const [m, n, k, ldc] of [[50, 13, 10, 17], [9, 64, 33, 70], [40, 8, 300, 9]]) {
      const A = rng.gaussianMatrix(m, k)
      const B = rng.gaussianMatrix(k, n)
      const C = rng.gaussianMatrix(m + 1, ldc)
      for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]]) {
        const args = [m, n, k, 0.5, A, 0, tA ? 1 : k, tA ? m : 1, B, 0, tB ? 1 : n, tB ? k : 1] as const
        const inPlace = C.slice()
        setGemmInPlaceMax(1 << 30)
        gemmStrided(...args, inPlace, ldc + 1, ldc)
        setGemmInPlaceMax(0)
        const packed = C.slice()
        gemmStrided(...args, packed, ldc + 1, ldc)
        setGemmInPlaceMax()
        expect(Array.from(inPlace)).toEqual(Array.from(packed))
        expect(inPlace[ldc]).toBe(C[ldc]) // outside the block: untouched
      }
    }
  })
  it('emits a module that validates', () => {
    expect(wasmSimdAvailable()).toBe(true)
    expect(Array.from(gemmModuleBytes().subarray(0, 8))).toEqual([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])
  })
})

describe('bias helpers', () => {
  it('broadcastRow fills every row with the bias, for row counts around the doubling steps', () => {
    const bias = Float64Array.of(9, 1.5, -2, 0.25, 7)
    for (const rows of [0, 1, 2, 3, 4, 5, 7, 8, 9, 33]) {
      const Z = new Float64Array(rows * 3 + 2).fill(NaN)
      broadcastRow(Z, rows, 3, bias, 1)
      for (let i = 0; i < rows; i++) expect([...Z.subarray(i * 3, i * 3 + 3)]).toEqual([1.5, -2, 0.25])
      expect(Number.isNaN(Z[rows * 3])).toBe(true)
    }
  })

  it('addColumnSums adds each column in row order, bit for bit, for widths around the 4-wide blocks', () => {
    const rng = new Rng(4, 'colsums')
    for (const [rows, n] of [[1, 1], [3, 4], [7, 5], [50, 64], [13, 11]]) {
      const D = rng.gaussianMatrix(rows, n)
      const out = rng.gaussianMatrix(1, n + 2)
      const want = out.slice()
      for (let j = 0; j < n; j++) for (let i = 0; i < rows; i++) want[1 + j] += D[i * n + j]
      addColumnSums(D, rows, n, out, 1)
      expect(Buffer.from(out.buffer).equals(Buffer.from(want.buffer))).toBe(true)
    }
  })
  it('reluMaskAddColumnSums is the ReLU mask then addColumnSums, bit for bit', () => {
    const rng = new Rng(5, 'relumask')
    for (const [rows, n] of [[1, 1], [3, 4], [7, 5], [50, 64], [13, 11]]) {
      const D = rng.gaussianMatrix(rows, n)
      const A = rng.gaussianMatrix(rows, n)
      const out = rng.gaussianMatrix(1, n + 2)
      const wantD = D.map((v, i) => v * +(A[i] > 0))
      const wantOut = out.slice()
      addColumnSums(wantD, rows, n, wantOut, 1)
      reluMaskAddColumnSums(D, A, rows, n, out, 1)
      expect(Buffer.from(D.buffer).equals(Buffer.from(wantD.buffer))).toBe(true)
      expect(Buffer.from(out.buffer).equals(Buffer.from(wantOut.buffer))).toBe(true)
    }
  })
})

describe('gemmStrided with overwrite', () => {
  it('replaces the C block without reading it: equal to zeroing first, SIMD on and off, strided and contiguous', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    const rng = new Rng(11, 'overwrite')
    try {
      for (const simd of [true, false]) {
        setWasmSimdEnabled(simd)
        for (const [m, n, k, ldc] of [[3, 5, 2, 5], [16, 16, 16, 16], [50, 64, 10, 64], [128, 64, 64, 70], [300, 20, 20, 23], [40, 40, 300, 40]]) {
          for (const transA of [false, true]) {
            const A = rng.gaussianMatrix(m, k)
            const B = rng.gaussianMatrix(k, n)
            const [ars, acs] = transA ? [1, m] : [k, 1]
            const want = new Float64Array(m * ldc + 3)
            gemmStrided(m, n, k, 0.5, A, 0, ars, acs, B, 0, n, 1, want, 3, ldc)
            const C = new Float64Array(m * ldc + 3).fill(NaN)
            for (let i = 0; i < m; i++) for (let j = n; j < ldc; j++) C[3 + i * ldc + j] = 0
            C[0] = C[1] = C[2] = 0
            gemmStrided(m, n, k, 0.5, A, 0, ars, acs, B, 0, n, 1, C, 3, ldc, true)
            expect(Buffer.from(C.buffer).equals(Buffer.from(want.buffer)), `${m}x${n}x${k} ldc ${ldc} transA ${transA} simd ${simd}`).toBe(true)
          }
        }
        const Z = new Float64Array(12).fill(NaN)
        gemmStrided(3, 4, 0, 1, new Float64Array(0), 0, 0, 1, new Float64Array(0), 0, 4, 1, Z, 0, 4, true)
        expect([...Z]).toEqual(new Array(12).fill(0))
      }
    } finally {
      setWasmSimdEnabled(true)
    }
  })
})

describe('reluInto', () => {
  it('writes z·[z > 0] entry by entry (−0 for negatives, NaN kept), also in place, for every length mod 4', () => {
    const z = Float64Array.from([1.5, -2, 0, -0, NaN, Infinity, -Infinity, 3, -1e-300, 7, 5e-324])
    for (let n = 0; n <= z.length; n++) {
      const a = new Float64Array(z.length).fill(9)
      reluInto(z, a, n)
      const inPlace = z.slice()
      reluInto(inPlace, inPlace, n)
      for (let t = 0; t < z.length; t++) {
        const want = t < n ? z[t] * +(z[t] > 0) : 9
        expect(Object.is(a[t], want), `n=${n} t=${t}`).toBe(true)
        expect(Object.is(inPlace[t], t < n ? want : z[t])).toBe(true)
      }
    }
  })
})
