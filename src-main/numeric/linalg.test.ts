import { afterEach, describe, expect, it } from 'vitest'
import { dotAt, eye, frobNorm, gemm, matmul, transpose } from './dense'
import {
  cholesky,
  det,
  lstsq,
  polarDecomposition,
  qr,
  singularValues,
  solve,
  spectralNorm,
  svd,
  symEig,
  symEigRows,
  symEigvalues,
  symInvSqrt,
  symSqrt,
} from './linalg'
import { Rng } from './rng'
import { setWasmSimdEnabled } from './wasm-simd'

const EPS = 2 ** -52
const rng = Rng.stream(2, 'linalg.test')

function randomSymmetric(n: number): Float64Array {
  const G = rng.gaussianMatrix(n, n)
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = G[i * n + j] + G[j * n + i]
  return A
}

function randomSPD(n: number): Float64Array {
  const G = rng.gaussianMatrix(n, n)
  const A = gemm(true, false, n, n, n, 1, G, G, 0, new Float64Array(n * n))
  for (let i = 0; i < n; i++) A[i * n + i] += n
  return A
}

function diff(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v - b[i])
}

/** ‖QᵀQ − I‖_F for Q m×p. */
function orthogonalityError(Q: Float64Array, m: number, p: number): number {
  const G = gemm(true, false, p, p, m, 1, Q, Q, 0, new Float64Array(p * p))
  return frobNorm(diff(G, eye(p)))
}

/** U·diag(S)·Vᵀ. */
function recompose(U: Float64Array, S: Float64Array, V: Float64Array, m: number, n: number): Float64Array {
  const p = S.length
  const US = U.slice()
  for (let i = 0; i < m; i++) for (let j = 0; j < p; j++) US[i * p + j] *= S[j]
  return gemm(false, true, m, n, p, 1, US, V, 0, new Float64Array(m * n))
}

describe('symEig', () => {
  for (const n of [1, 2, 5, 30, 80]) {
    it(`diagonalises a random symmetric ${n}×${n}: residual and orthogonality ≤ 20n·eps (relative)`, () => {
      const A = randomSymmetric(n)
      const { values, vectors } = symEig(A, n)
      for (let j = 1; j < n; j++) expect(values[j]).toBeGreaterThanOrEqual(values[j - 1])
      const back = recompose(vectors, values, vectors, n, n)
      expect(frobNorm(diff(back, A)) / frobNorm(A)).toBeLessThan(20 * n * EPS)
      expect(orthogonalityError(vectors, n, n)).toBeLessThan(20 * n * EPS)
      const only = symEigvalues(A, n)
      for (let j = 0; j < n; j++) expect(Math.abs(only[j] - values[j])).toBeLessThan(20 * n * EPS * Math.abs(values[n - 1]))
    })
  }
  it('returns the known spectrum of the 1-D Laplacian, 2 − 2cos(kπ/(n+1)) (abs. 1e-14)', () => {
    const n = 40
    const T = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      T[i * n + i] = 2
      if (i > 0) T[i * n + i - 1] = T[(i - 1) * n + i] = -1
    }
    const { values } = symEig(T, n)
    for (let k = 1; k <= n; k++) expect(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(1e-14)
  })
  it('handles diagonal, zero and repeated-eigenvalue matrices', () => {
    const D = Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 2])
    expect(Array.from(symEig(D, 3).values)).toEqual([1, 2, 3])
    expect(Array.from(symEig(new Float64Array(9), 3).values)).toEqual([0, 0, 0])
    const I = symEig(eye(4), 4)
    expect(orthogonalityError(I.vectors, 4, 4)).toBeLessThan(1e-15)
  })
})

describe('svd', () => {
  const shapes: [number, number][] = [
    [1, 1],
    [6, 6],
    [20, 7],
    [7, 20],
    [60, 45],
    [30, 30], // Gram-preconditioned Jacobi without the QR step
    [24, 70],
  ]
  for (const [m, n] of shapes) {
    it(`factorises a random ${m}×${n}: residual and orthogonality ≤ 20·max(m,n)·eps`, () => {
      const A = rng.gaussianMatrix(m, n)
      const p = Math.min(m, n)
      const { U, S, V } = svd(A, m, n)
      expect(U.length).toBe(m * p)
      expect(V.length).toBe(n * p)
      for (let j = 1; j < p; j++) expect(S[j]).toBeLessThanOrEqual(S[j - 1])
      const tol = 20 * Math.max(m, n) * EPS
      expect(frobNorm(diff(recompose(U, S, V, m, n), A)) / frobNorm(A)).toBeLessThan(tol)
      expect(orthogonalityError(U, m, p)).toBeLessThan(tol)
      expect(orthogonalityError(V, n, p)).toBeLessThan(tol)
      const sv = singularValues(A, m, n)
      for (let j = 0; j < p; j++) expect(Math.abs(sv[j] - S[j])).toBeLessThan(tol * S[0])
    })
  }
  it('recovers prescribed singular values spanning 1e-11..1 to within 10·eps·σ₁ (the rounding of A itself)', () => {
    const m = 30
    const n = 12
    const Q1 = qr(rng.gaussianMatrix(m, n), m, n).Q
    const Q2 = qr(rng.gaussianMatrix(n, n), n, n).Q
    const sigma = Float64Array.from({ length: n }, (_, j) => 10 ** (-j))
    const A = recompose(Q1, sigma, Q2, m, n)
    const S = singularValues(A, m, n)
    for (let j = 0; j < n; j++) expect(Math.abs(S[j] - sigma[j])).toBeLessThan(10 * EPS)
  })
  it('handles graded spectra (1 … 1e-10) and an orthogonal matrix (all σ = 1) on the preconditioned path', () => {
    const m = 40
    const n = 20
    const Q1 = qr(rng.gaussianMatrix(m, n), m, n).Q
    const Q2 = qr(rng.gaussianMatrix(n, n), n, n).Q
    const sigma = Float64Array.from({ length: n }, (_, j) => 10 ** (-j / 2))
    const A = recompose(Q1, sigma, Q2, m, n)
    const { U, S, V } = svd(A, m, n)
    for (let j = 0; j < n; j++) expect(Math.abs(S[j] - sigma[j])).toBeLessThan(20 * EPS)
    expect(orthogonalityError(U, m, n)).toBeLessThan(1e-13)
    expect(orthogonalityError(V, n, n)).toBeLessThan(1e-13)
    expect(frobNorm(diff(recompose(U, S, V, m, n), A)) / frobNorm(A)).toBeLessThan(1e-14)
    const O = svd(Q2, n, n)
    for (const sj of O.S) expect(Math.abs(sj - 1)).toBeLessThan(1e-14)
    expect(frobNorm(diff(recompose(O.U, O.S, O.V, n, n), Q2))).toBeLessThan(1e-13)
  })
  it('completes U orthonormally for a rank-deficient matrix', () => {
    const m = 8
    const n = 5
    const B = rng.gaussianMatrix(m, 2)
    const C = rng.gaussianMatrix(2, n)
    const A = matmul(B, C, m, 2, n) // rank 2
    const { U, S, V } = svd(A, m, n)
    expect(S[2]).toBeLessThan(1e-14 * S[0])
    expect(orthogonalityError(U, m, n)).toBeLessThan(1e-13)
    expect(frobNorm(diff(recompose(U, S, V, m, n), A)) / frobNorm(A)).toBeLessThan(1e-14)
    // Rank 3 in 30×25 (preconditioned path): 22 completed columns of U.
    const A3 = matmul(rng.gaussianMatrix(30, 3), rng.gaussianMatrix(3, 25), 30, 3, 25)
    const r3 = svd(A3, 30, 25)
    expect(r3.S[3]).toBeLessThan(1e-13 * r3.S[0])
    expect(orthogonalityError(r3.U, 30, 25)).toBeLessThan(1e-13)
    expect(frobNorm(diff(recompose(r3.U, r3.S, r3.V, 30, 25), A3)) / frobNorm(A3)).toBeLessThan(1e-14)
    const Z = svd(new Float64Array(6), 3, 2)
    expect(Array.from(Z.S)).toEqual([0, 0])
    expect(orthogonalityError(Z.U, 3, 2)).toBeLessThan(1e-15)
  })
  it('spectralNorm equals the largest singular value (rel. 1e-14)', () => {
    for (const [m, n] of [[9, 4], [4, 9], [10, 10]] as const) {
      const A = rng.gaussianMatrix(m, n)
      expect(Math.abs(spectralNorm(A, m, n) / singularValues(A, m, n)[0] - 1)).toBeLessThan(1e-14)
    }
  })
})

describe('cholesky and solves', () => {
  for (const n of [25, 70]) {
    it(`cholesky gives lower-triangular L with L·Lᵀ = A for n = ${n} (rel. 1e-15·n; 70 spans three blocks)`, () => {
      const A = randomSPD(n)
      const L = cholesky(A, n)
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(L[i * n + j]).toBe(0)
      const back = gemm(false, true, n, n, n, 1, L, L, 0, new Float64Array(n * n))
      expect(frobNorm(diff(back, A)) / frobNorm(A)).toBeLessThan(n * 1e-15)
      // Garbage in the strict upper triangle is never read.
      const U = A.slice()
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) U[i * n + j] = NaN
      expect(Array.from(cholesky(U, n))).toEqual(Array.from(L))
    })
  }
  it('cholesky reports a failing pivot in a later block with its global index', () => {
    const n = 40
    const A = randomSPD(n)
    A[35 * n + 35] = -1e6
    expect(() => cholesky(A, n)).toThrow(/pivot 35 of 40/)
  })
  it('cholesky throws naming the failing pivot on an indefinite matrix', () => {
    const A = Float64Array.from([4, 2, 0, 2, 1, 0, 0, 0, 1]) // pivot 1 is exactly 0
    expect(() => cholesky(A, 3)).toThrow(/not positive definite \(pivot 1 of 3/)
  })
  it('solve reproduces a known solution with several right-hand sides (rel. 1e-12), across LU panels', () => {
    const n = 100 // four 32-column panels: exercises the blocked trailing update
    const A = rng.gaussianMatrix(n, n)
    const X = rng.gaussianMatrix(n, 3)
    const B = matmul(A, X, n, n, 3)
    const got = solve(A, B, n, 3)
    expect(frobNorm(diff(got, X)) / frobNorm(X)).toBeLessThan(1e-12)
  })
  it('solve needs pivoting for [[0,1],[1,0]] and throws on a singular matrix', () => {
    expect(Array.from(solve(Float64Array.from([0, 1, 1, 0]), Float64Array.from([2, 3]), 2))).toEqual([3, 2])
    expect(() => solve(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 1]), 2)).toThrow(/singular/)
    expect(det(Float64Array.from([1, 2, 3, 4]), 2)).toBeCloseTo(-2, 14)
  })
})

describe('qr and lstsq', () => {
  it('thin QR: Q orthonormal, R upper triangular with non-negative diagonal, QR = A', () => {
    const m = 50
    const n = 20
    const A = rng.gaussianMatrix(m, n)
    const { Q, R } = qr(A, m, n)
    expect(orthogonalityError(Q, m, n)).toBeLessThan(100 * EPS)
    for (let i = 0; i < n; i++) {
      expect(R[i * n + i]).toBeGreaterThanOrEqual(0)
      for (let j = 0; j < i; j++) expect(R[i * n + j]).toBe(0)
    }
    expect(frobNorm(diff(matmul(Q, R, m, n, n), A)) / frobNorm(A)).toBeLessThan(100 * EPS)
  })
  for (const [m, n] of [[100, 70], [300, 96], [64, 64]] as const) {
    it(`blocked thin QR ${m}×${n} (compact WY panels): orthonormal Q, QR = A to 50·eps·max(m, n)`, () => {
      const A = rng.gaussianMatrix(m, n)
      const { Q, R } = qr(A, m, n)
      expect(orthogonalityError(Q, m, n)).toBeLessThan(50 * EPS * m)
      for (let i = 0; i < n; i++) {
        expect(R[i * n + i]).toBeGreaterThanOrEqual(0)
        for (let j = 0; j < i; j++) expect(R[i * n + j]).toBe(0)
      }
      expect(frobNorm(diff(matmul(Q, R, m, n, n), A)) / frobNorm(A)).toBeLessThan(50 * EPS * m)
      const b = rng.gaussianMatrix(m, 1)
      const x = lstsq(A, b, m, n)
      const r = matmul(A, x, m, n, 1).map((v, i) => v - b[i])
      const g = gemm(true, false, n, 1, m, 1, A, r, 0, new Float64Array(n))
      expect(frobNorm(g) / (frobNorm(A) * frobNorm(b))).toBeLessThan(1e-13)
    })
  }
  it('lstsq solves the normal equations for a full-rank tall system (rel. 1e-12)', () => {
    const m = 40
    const n = 6
    const A = rng.gaussianMatrix(m, n)
    const b = rng.gaussianMatrix(m, 1)
    const x = lstsq(A, b, m, n)
    // Aᵀ(Ax − b) = 0
    const r = matmul(A, x, m, n, 1).map((v, i) => v - b[i])
    const g = gemm(true, false, n, 1, m, 1, A, r, 0, new Float64Array(n))
    expect(frobNorm(g) / (frobNorm(A) * frobNorm(b))).toBeLessThan(1e-13)
  })
  it('lstsq returns the minimum-norm solution of an underdetermined system', () => {
    // x1 + x2 = 2 → minimum-norm x = (1, 1).
    const x = lstsq(Float64Array.from([1, 1]), Float64Array.from([2]), 1, 2)
    expect(x[0]).toBeCloseTo(1, 14)
    expect(x[1]).toBeCloseTo(1, 14)
    // Rank-deficient tall: columns equal, the pseudo-inverse splits the weight evenly.
    const y = lstsq(Float64Array.from([1, 1, 1, 1, 1, 1]), Float64Array.from([1, 2, 3]), 3, 2)
    expect(y[0]).toBeCloseTo(1, 13)
    expect(y[1]).toBeCloseTo(1, 13)
  })
})

describe('symmetric matrix functions', () => {
  it('symSqrt(A)² = A and symInvSqrt(A)·A·symInvSqrt(A) = I for SPD A (rel. 1e-13)', () => {
    const n = 12
    const A = randomSPD(n)
    const R = symSqrt(A, n)
    expect(frobNorm(diff(matmul(R, R, n, n, n), A)) / frobNorm(A)).toBeLessThan(1e-13)
    const W = symInvSqrt(A, n)
    const I = matmul(matmul(W, A, n, n, n), W, n, n, n)
    expect(frobNorm(diff(I, eye(n)))).toBeLessThan(1e-13)
    expect(frobNorm(diff(transpose(W, n, n), W))).toBe(0)
  })
  it('polarDecomposition: U orthonormal, H symmetric PSD, U·H = B, and U = B·(BᵀB)^{-1/2} (1e-13)', () => {
    const m = 9
    const k = 4
    const B = rng.gaussianMatrix(m, k)
    const { U, H } = polarDecomposition(B, m, k)
    expect(orthogonalityError(U, m, k)).toBeLessThan(1e-14)
    expect(frobNorm(diff(transpose(H, k, k), H))).toBe(0)
    expect(symEigvalues(H, k)[0]).toBeGreaterThan(0)
    expect(frobNorm(diff(matmul(U, H, m, k, k), B)) / frobNorm(B)).toBeLessThan(1e-14)
    const BtB = gemm(true, false, k, k, m, 1, B, B, 0, new Float64Array(k * k))
    expect(frobNorm(diff(matmul(B, symInvSqrt(BtB, k), m, k, k), U))).toBeLessThan(1e-13)
  })
  it('symInvSqrt throws on a singular matrix, symSqrt on an indefinite one', () => {
    expect(() => symInvSqrt(Float64Array.from([1, 0, 0, 0]), 2)).toThrow(/not positive definite/)
    expect(() => symSqrt(Float64Array.from([1, 0, 0, -1]), 2)).toThrow(/not positive semidefinite/)
    expect(Array.from(symSqrt(Float64Array.from([4, 0, 0, 0]), 2))).toEqual([2, 0, 0, 0])
  })
})

describe('edge shapes', () => {
  it('empty and 1×1 inputs give empty or trivial results, never a throw', () => {
    const e = new Float64Array(0)
    expect(symEig(e, 0).values.length).toBe(0)
    expect(svd(e, 3, 0).S.length).toBe(0)
    expect(singularValues(e, 0, 3).length).toBe(0)
    expect(cholesky(e, 0).length).toBe(0)
    expect(solve(e, e, 0).length).toBe(0)
    expect(qr(e, 3, 0).R.length).toBe(0)
    expect(spectralNorm(e, 0, 3)).toBe(0)
    expect(det(e, 0)).toBe(1)
    const one = svd(Float64Array.of(-2), 1, 1)
    expect([one.U[0] * one.S[0] * one.V[0], one.S[0]]).toEqual([-2, 2])
    expect(Array.from(singularValues(Float64Array.of(3, 4), 2, 1))).toEqual([5])
    expect(Array.from(symEigvalues(Float64Array.of(-2), 1))).toEqual([-2])
  })
  it('rejects arrays shorter than the stated shape', () => {
    expect(() => symEig(new Float64Array(3), 2)).toThrow(/too short/)
    expect(() => svd(new Float64Array(5), 2, 3)).toThrow(/too short/)
    expect(() => qr(new Float64Array(6), 2, 3)).toThrow(/m ≥ n/)
  })
})

describe('SIMD and scalar paths', () => {
  it('symEig gives bit-identical results with the wasm rotations on and off (even and odd n)', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    for (const n of [16, 40, 41]) {
      const A = randomSymmetric(n)
      setWasmSimdEnabled(false)
      const scalar = symEig(A, n)
      setWasmSimdEnabled(true)
      const simd = symEig(A, n)
      expect(Array.from(simd.values)).toEqual(Array.from(scalar.values))
      expect(Array.from(simd.vectors)).toEqual(Array.from(scalar.vectors))
    }
  })
  it('svd, solve and cholesky are bit-identical with SIMD on and off', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    const n = 70
    const A = rng.gaussianMatrix(n, n)
    const P = randomSPD(n)
    const b = rng.gaussianMatrix(n, 1)
    const run = () => [svd(A, n, n).U, solve(A, b, n), cholesky(P, n)].map((x) => Array.from(x))
    setWasmSimdEnabled(false)
    const scalar = run()
    setWasmSimdEnabled(true)
    expect(run()).toEqual(scalar)
  })
})

describe('svd on rank-deficient, zero and repeated-σ matrices (used to throw)', () => {
  /** Checks the thin SVD's contract and returns it: descending S, orthonormal U and V, U·S·Vᵀ = A. */
  function checkedSvd(A: Float64Array, m: number, n: number): { U: Float64Array; S: Float64Array; V: Float64Array } {
    const p = Math.min(m, n)
    const f = svd(A, m, n)
    for (let j = 1; j < p; j++) expect(f.S[j]).toBeLessThanOrEqual(f.S[j - 1])
    const tol = 20 * Math.max(m, n) * EPS
    expect(orthogonalityError(f.U, m, p)).toBeLessThan(tol)
    expect(orthogonalityError(f.V, n, p)).toBeLessThan(tol)
    const scale = Math.max(frobNorm(A), 1)
    expect(frobNorm(diff(recompose(f.U, f.S, f.V, m, n), A)) / scale).toBeLessThan(tol)
    return f
  }
  const shapes: [number, number][] = [[6, 6], [20, 20], [30, 20], [20, 30], [64, 64]]
  for (const [m, n] of shapes) {
    it(`all-ones ${m}×${n}: σ₁ = √(mn), the rest 0 (abs. 1e-13·σ₁)`, () => {
      const S = checkedSvd(new Float64Array(m * n).fill(1), m, n).S
      expect(Math.abs(S[0] - Math.sqrt(m * n))).toBeLessThan(1e-13 * S[0])
      for (let j = 1; j < S.length; j++) expect(S[j]).toBeLessThan(1e-13 * S[0])
    })
    it(`zero ${m}×${n}: S = 0 with orthonormal U and V`, () => {
      const S = checkedSvd(new Float64Array(m * n), m, n).S
      for (const s of S) expect(s).toBe(0)
    })
  }
  for (const n of [8, 20, 50]) {
    it(`centring matrix I − 11ᵀ/${n}: σ = 1 (n − 1 times) and 0, its null vector 1/√n`, () => {
      const A = eye(n).map((v) => v - 1 / n)
      const { U, S, V } = checkedSvd(A, n, n)
      for (let j = 0; j < n - 1; j++) expect(Math.abs(S[j] - 1)).toBeLessThan(1e-14)
      expect(S[n - 1]).toBeLessThan(1e-14)
      for (let i = 0; i < n; i++) {
        expect(Math.abs(Math.abs(U[i * n + n - 1]) - 1 / Math.sqrt(n))).toBeLessThan(1e-13)
        expect(Math.abs(Math.abs(V[i * n + n - 1]) - 1 / Math.sqrt(n))).toBeLessThan(1e-13)
      }
    })
  }
  for (const [m, n, r] of [[10, 7, 1], [40, 40, 5], [25, 60, 12], [100, 64, 63]] as const) {
    it(`random rank ${r} in ${m}×${n}: ${r} positive σ, the rest below 1e-13·σ₁`, () => {
      const A = matmul(rng.gaussianMatrix(m, r), rng.gaussianMatrix(r, n), m, r, n)
      const S = checkedSvd(A, m, n).S
      expect(S[r - 1]).toBeGreaterThan(1e-6 * S[0])
      for (let j = r; j < S.length; j++) expect(S[j]).toBeLessThan(1e-13 * S[0])
      const sv = singularValues(A, m, n)
      for (let j = 0; j < S.length; j++) expect(Math.abs(sv[j] - S[j])).toBeLessThan(1e-13 * S[0])
    })
  }
  it('repeated singular values (3, 3, 3, 1, 1, 0, 0) in 30×7 and 7×30, and a scaled orthogonal 24×24', () => {
    const sigma = Float64Array.from([3, 3, 3, 1, 1, 0, 0])
    const Q1 = qr(rng.gaussianMatrix(30, 7), 30, 7).Q
    const Q2 = qr(rng.gaussianMatrix(7, 7), 7, 7).Q
    const A = recompose(Q1, sigma, Q2, 30, 7)
    for (const [B, m, n] of [[A, 30, 7], [transpose(A, 30, 7), 7, 30]] as const) {
      const S = checkedSvd(B, m, n).S
      for (let j = 0; j < 7; j++) expect(Math.abs(S[j] - sigma[j])).toBeLessThan(1e-14 * 3)
    }
    const O = qr(rng.gaussianMatrix(24, 24), 24, 24).Q.map((v) => 2 * v)
    for (const s of checkedSvd(O, 24, 24).S) expect(Math.abs(s - 2)).toBeLessThan(1e-14)
  })
  it('a diagonal matrix with exact zeros and repeats, and a single nonzero entry', () => {
    const d = [0, 5, 0, 5, 1e-300, 2]
    const D = new Float64Array(36)
    d.forEach((v, i) => (D[i * 6 + i] = v))
    expect(Array.from(checkedSvd(D, 6, 6).S)).toEqual([5, 5, 2, 1e-300, 0, 0])
    const E = new Float64Array(17 * 19)
    E[5 * 19 + 11] = -4
    expect(Array.from(checkedSvd(E, 17, 19).S).slice(0, 2)).toEqual([4, 0])
  })
})

describe('symEig on highly degenerate matrices (QL used to iterate on subnormal noise)', () => {
  for (const n of [16, 56, 64, 65, 128]) {
    it(`n·11ᵀ at n = ${n}: eigenvalues n² and 0 (abs. 1e-13·n²), orthonormal eigenvectors (20n·eps)`, () => {
      const { values, vectors } = symEig(new Float64Array(n * n).fill(n), n)
      expect(Math.abs(values[n - 1] - n * n)).toBeLessThan(1e-13 * n * n)
      for (let j = 0; j < n - 1; j++) expect(Math.abs(values[j])).toBeLessThan(1e-13 * n * n)
      expect(orthogonalityError(vectors, n, n)).toBeLessThan(20 * n * EPS)
    })
  }
})

// ---- symEig against its implementation at 9a507e8, kept verbatim below (scalar path) ----------
// Every study's setup goes through symEig, so a faster symEig must give the same bits: the
// eigenvalues and every eigenvector entry, for every input.

/** Indices where a and b differ in any bit (−0 ≠ +0; NaN equals NaN of the same bits). */
function bitMismatches(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Math.max(a.length, b.length)
  const x = new BigUint64Array(a.buffer, a.byteOffset, a.length)
  const y = new BigUint64Array(b.buffer, b.byteOffset, b.length)
  let bad = 0
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i] && !(Number.isNaN(a[i]) && Number.isNaN(b[i]))) bad++
  return bad
}

/** Q·diag(lambda)·Qᵀ with Q = I − 2vvᵀ/vᵀv (a Householder reflector, exactly symmetric result). */
function withSpectrum(lambda: Float64Array, g: Rng): Float64Array {
  const n = lambda.length
  const v = g.gaussianMatrix(n, 1)
  let vv = 0
  for (let i = 0; i < n; i++) vv += v[i] * v[i]
  const Q = eye(n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Q[i * n + j] -= (2 * v[i] * v[j]) / vv
  const QL = Q.slice()
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) QL[i * n + j] *= lambda[j]
  const A = gemm(false, true, n, n, n, 1, QL, Q, 0, new Float64Array(n * n))
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[j * n + i] = A[i * n + j]
  return A
}

function referenceFamilies(n: number, g: Rng): [string, Float64Array][] {
  const gaussian = () => {
    const G = g.gaussianMatrix(n, n)
    const A = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = G[i * n + j] + G[j * n + i]
    return A
  }
  const graded = gaussian()
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) graded[i * n + j] *= 10 ** (-6 * (i + j) / Math.max(1, n))
  const repeated = withSpectrum(Float64Array.from({ length: n }, (_, i) => 1 + Math.floor((3 * i) / Math.max(1, n))), g)
  const k = Math.floor(n / 3)
  const B = g.gaussianMatrix(n, Math.max(k, 1))
  const rankDeficient = k > 0 ? gemm(false, true, n, n, k, 1, B, B, 0, new Float64Array(n * n)) : new Float64Array(n * n)
  const diagonal = new Float64Array(n * n)
  for (let i = 0; i < n; i++) diagonal[i * n + i] = (i * 7) % 5
  return [
    ['gaussian', gaussian()],
    ['graded', graded],
    ['repeated eigenvalues', repeated],
    ['rank-deficient', rankDeficient],
    ['n·11ᵀ', new Float64Array(n * n).fill(n)],
    ['diagonal with repeats', diagonal],
  ]
}

describe('symEig and symEigvalues are bit-identical to the implementation at 9a507e8', () => {
  it('n = 1 … 130: gaussian, graded, repeated eigenvalues, rank-deficient, n·11ᵀ, diagonal; SIMD on and off', async () => {
    const { setWasmSimdEnabled } = await import('./wasm-simd')
    const g = Rng.stream(11, 'symEig reference')
    const failures: string[] = []
    for (let n = 1; n <= 130; n++) {
      for (const [name, A] of referenceFamilies(n, g)) {
        const ref = refSymEig(A, n)
        const refValues = refSymEigvalues(A, n)
        for (const simd of [true, false]) {
          setWasmSimdEnabled(simd)
          const got = symEig(A, n)
          const bad = bitMismatches(got.values, ref.values) + bitMismatches(got.vectors, ref.vectors) + bitMismatches(symEigvalues(A, n), refValues)
          if (bad > 0) failures.push(`${name} n=${n} simd=${simd}: ${bad} entries differ`)
        }
        setWasmSimdEnabled(true)
      }
    }
    expect(failures).toEqual([])
  })

  it('matrices with NaN or ±Inf give the same results (or the same error) as before', () => {
    const outcome = (f: () => { values: Float64Array; vectors: Float64Array }) => {
      try {
        return f()
      } catch (err) {
        return String(err)
      }
    }
    for (const n of [16, 17, 50]) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const A = randomSymmetric(n)
        A[3 * n + 5] = bad
        A[5 * n + 3] = bad
        const got = outcome(() => symEig(A, n))
        const want = outcome(() => refSymEig(A, n))
        if (typeof got === 'string' || typeof want === 'string') expect(got).toEqual(want)
        else {
          expect(bitMismatches(got.values, want.values)).toBe(0)
          expect(bitMismatches(got.vectors, want.vectors)).toBe(0)
        }
      }
    }
  })
})

/** sqrt(a² + b²) without destructive overflow or underflow (Math.hypot is slow in V8). */
function refHypot(a: number, b: number): number {
  const x = Math.abs(a)
  const y = Math.abs(b)
  if (x > y) {
    const r = y / x
    return x * Math.sqrt(1 + r * r)
  }
  if (y === 0) return 0
  const r = x / y
  return y * Math.sqrt(1 + r * r)
}

/**
 * Householder reduction of the symmetric matrix held in W (n×n) to tridiagonal form: EISPACK
 * tred2 as transcribed in JAMA, with every V[a][b] of the original read as W[b·n + a], so that
 * W ends as the transpose of the accumulated orthogonal matrix (row j = column j of Q). Writes
 * the diagonal to d and the subdiagonal to e[1..n-1]. With `vectors = false` the accumulation is
 * skipped and W is left as scratch.
 */
/** SIMD back-accumulation step: `d` is a view in wasm memory, `apply(i)` runs the step for row i + 1. */
type AccumulationStep = { d: Float64Array; apply: (i: number) => void }

/**
 * SIMD rank-2 update closing reduction step i (wasm-simd.ts `rank2`); only valid when W, d and e
 * all live in wasm memory.
 */
type Rank2Update = (i: number) => void

function refTridiagonalise(W: Float64Array, n: number, d: Float64Array, e: Float64Array, vectors: boolean, step: AccumulationStep | null = null, rank2: Rank2Update | null = null): void {
  for (let j = 0; j < n; j++) d[j] = W[j * n + n - 1]
  for (let i = n - 1; i > 0; i--) {
    let scale = 0
    let h = 0
    for (let k = 0; k < i; k++) scale += Math.abs(d[k])
    if (scale === 0) {
      e[i] = d[i - 1]
      for (let j = 0; j < i; j++) {
        d[j] = W[j * n + i - 1]
        W[j * n + i] = 0
        W[i * n + j] = 0
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale
        h += d[k] * d[k]
      }
      let f = d[i - 1]
      let g = Math.sqrt(h)
      if (f > 0) g = -g
      e[i] = scale * g
      h -= f * g
      d[i - 1] = f - g
      for (let j = 0; j < i; j++) e[j] = 0
      // e = A·u over the lower triangle (symv). Each row's dot product g is one running sum, so
      // a row alone waits on the adder's latency; two rows at a time run two independent sums.
      // Every g and every e[k] still gets the same additions in the same order (row j's before
      // row j + 1's), so the result is bit-identical to one row at a time.
      let j2 = 0
      for (; j2 + 3 < i; j2 += 4) {
        // Four rows: rows j2+1.. start once the earlier rows have added into their e entry.
        const f0 = d[j2]
        const f1 = d[j2 + 1]
        const f2 = d[j2 + 2]
        const f3 = d[j2 + 3]
        const wi = i * n + j2
        W[wi] = f0
        W[wi + 1] = f1
        W[wi + 2] = f2
        W[wi + 3] = f3
        const w0 = j2 * n
        const w1 = w0 + n
        const w2 = w1 + n
        const w3 = w2 + n
        let k = j2 + 1
        let g0 = e[j2] + W[w0 + j2] * f0
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        let g1 = e[k] + W[w1 + k] * f1
        k++
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        g1 += W[w1 + k] * d[k]
        e[k] += W[w1 + k] * f1
        let g2 = e[k] + W[w2 + k] * f2
        k++
        g0 += W[w0 + k] * d[k]
        e[k] += W[w0 + k] * f0
        g1 += W[w1 + k] * d[k]
        e[k] += W[w1 + k] * f1
        g2 += W[w2 + k] * d[k]
        e[k] += W[w2 + k] * f2
        let g3 = e[k] + W[w3 + k] * f3
        for (k++; k <= i - 1; k++) {
          const a0 = W[w0 + k]
          const a1 = W[w1 + k]
          const a2 = W[w2 + k]
          const a3 = W[w3 + k]
          const dk = d[k]
          g0 += a0 * dk
          g1 += a1 * dk
          g2 += a2 * dk
          g3 += a3 * dk
          e[k] = e[k] + a0 * f0 + a1 * f1 + a2 * f2 + a3 * f3
        }
        e[j2] = g0
        e[j2 + 1] = g1
        e[j2 + 2] = g2
        e[j2 + 3] = g3
      }
      for (; j2 + 1 < i; j2 += 2) {
        const f0 = d[j2]
        const f1 = d[j2 + 1]
        W[i * n + j2] = f0
        W[i * n + j2 + 1] = f1
        const w0 = j2 * n
        const w1 = w0 + n
        let g0 = e[j2] + W[w0 + j2] * f0
        g0 += W[w0 + j2 + 1] * d[j2 + 1]
        e[j2 + 1] += W[w0 + j2 + 1] * f0
        let g1 = e[j2 + 1] + W[w1 + j2 + 1] * f1
        for (let k = j2 + 2; k <= i - 1; k++) {
          const a = W[w0 + k]
          const b = W[w1 + k]
          const dk = d[k]
          g0 += a * dk
          g1 += b * dk
          e[k] += a * f0
          e[k] += b * f1
        }
        e[j2] = g0
        e[j2 + 1] = g1
      }
      for (let j = j2; j < i; j++) {
        f = d[j]
        W[i * n + j] = f
        const wj = j * n
        g = e[j] + W[wj + j] * f
        for (let k = j + 1; k <= i - 1; k++) {
          g += W[wj + k] * d[k]
          e[k] += W[wj + k] * f
        }
        e[j] = g
      }
      f = 0
      for (let j = 0; j < i; j++) {
        e[j] /= h
        f += e[j] * d[j]
      }
      const hh = f / (h + h)
      for (let j = 0; j < i; j++) e[j] -= hh * d[j]
      if (rank2) rank2(i)
      else for (let j = 0; j < i; j++) {
        f = d[j]
        g = e[j]
        const wj = j * n
        for (let k = j; k <= i - 1; k++) W[wj + k] -= f * e[k] + g * d[k]
        d[j] = W[wj + i - 1]
        W[wj + i] = 0
      }
    }
    d[i] = h
  }
  if (!vectors) {
    // The tridiagonal's diagonal sits on W's diagonal after the reduction (tred2 keeps it there).
    for (let i = 0; i < n; i++) d[i] = W[i * n + i]
    e[0] = 0
    return
  }
  // Accumulate the Householder transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i * n + n - 1] = W[i * n + i]
    W[i * n + i] = 1
    const h = d[i + 1]
    const wi1 = (i + 1) * n
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = W[wi1 + k] / h
      if (step) {
        step.d.set(d.subarray(0, i + 1))
        step.apply(i)
      } else for (let j = 0; j <= i; j++) {
        const wj = j * n
        const g = dotAt(W, wi1, W, wj, i + 1)
        for (let k = 0; k <= i; k++) W[wj + k] -= g * d[k]
      }
    }
    for (let k = 0; k <= i; k++) W[wi1 + k] = 0
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j * n + n - 1]
    W[j * n + n - 1] = 0
  }
  W[n * n - 1] = 1
  e[0] = 0
}

/**
 * Implicit QL with Wilkinson shifts on the tridiagonal (d, e): EISPACK tql2 via JAMA. Rotations
 * are applied to rows of W (eigenvectors as rows) when `vectors` is set. Leaves eigenvalues in d
 * (unsorted).
 */
/** Applies one QL sweep's rotations, recorded as (c, s) pairs in cs, to rows first, first−1, …. */
type RotationSweep = { cs: Float64Array; apply: (first: number, count: number) => void }

function refTridiagonalQL(W: Float64Array, n: number, d: Float64Array, e: Float64Array, vectors: boolean, sweep: RotationSweep | null = null): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]
  if (n > 0) e[n - 1] = 0
  let f = 0
  let tst1 = 0
  // tql2 deflates when |e_m| ≤ eps·(the largest |d|+|e| seen so far). When the leading block is
  // rounding noise (a highly degenerate A, e.g. n·11ᵀ at n = 64), that running bound is itself
  // noise, and QL then iterates on subnormal numbers whose rotations are not orthogonal
  // (eigenvectors lost orthogonality, 0.65 at n = 64). Entries below eps²·‖T‖ are negligible
  // by any standard, so they deflate too; this never triggers once tst1 ≥ eps·‖T‖.
  let tnorm = 0
  for (let i = 0; i < n; i++) tnorm = Math.max(tnorm, Math.abs(d[i]) + Math.abs(e[i]))
  const negligible = EPS * EPS * tnorm
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]))
    let m = l
    while (m < n) {
      if (Math.abs(e[m]) <= EPS * tst1 || Math.abs(e[m]) <= negligible) break
      m++
    }
    if (m > l) {
      let iter = 0
      do {
        if (++iter > 60) throw new Error(`symEig: QL iteration did not converge for eigenvalue ${l}`)
        let g = d[l]
        let p = (d[l + 1] - g) / (2 * e[l])
        let r = refHypot(p, 1)
        if (p < 0) r = -r
        d[l] = e[l] / (p + r)
        d[l + 1] = e[l] * (p + r)
        const dl1 = d[l + 1]
        let h = g - d[l]
        for (let i = l + 2; i < n; i++) d[i] -= h
        f += h
        p = d[m]
        let c = 1
        let c2 = c
        let c3 = c
        const el1 = e[l + 1]
        let s = 0
        let s2 = 0
        for (let i = m - 1; i >= l; i--) {
          c3 = c2
          c2 = c
          s2 = s
          g = c * e[i]
          h = c * p
          r = refHypot(p, e[i])
          e[i + 1] = s * r
          s = e[i] / r
          c = p / r
          p = c * d[i] - s * g
          d[i + 1] = h + s * (c * g + s * d[i])
          if (sweep) {
            const t = m - 1 - i
            sweep.cs[2 * t] = c
            sweep.cs[2 * t + 1] = s
          } else if (vectors) {
            const wi = i * n
            const wi1 = wi + n
            for (let k = 0; k < n; k++) {
              const hk = W[wi1 + k]
              const vk = W[wi + k]
              W[wi1 + k] = s * vk + c * hk
              W[wi + k] = c * vk - s * hk
            }
          }
        }
        // The rotations never feed back into the recurrence, so applying them after it, in the
        // same order, changes nothing (the SIMD path).
        if (sweep) sweep.apply(m - 1, m - l)
        p = (-s * s2 * c3 * el1 * e[l]) / dl1
        e[l] = s * p
        d[l] = c * p
      } while (Math.abs(e[l]) > EPS * tst1 && Math.abs(e[l]) > negligible)
    }
    d[l] += f
    e[l] = 0
  }
}

function refSymEig(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  // The scalar path of symEig at 9a507e8 (its wasm path was tested bit-identical to it).
  const W = A.slice(0, n * n)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  refTridiagonalise(W, n, d, e, true)
  refTridiagonalQL(W, n, d, e, true)
  const order = refAscendingOrder(d)
  const values = new Float64Array(n)
  const vectors = new Float64Array(n * n)
  for (let j = 0; j < n; j++) {
    const src = order[j]
    values[j] = d[src]
    const w = src * n
    for (let i = 0; i < n; i++) vectors[i * n + j] = W[w + i]
  }
  return { values, vectors }
}

function refSymEigvalues(A: Float64Array, n: number): Float64Array {
  const W = A.slice(0, n * n)
  const d = new Float64Array(n)
  const e = new Float64Array(n)
  refTridiagonalise(W, n, d, e, false)
  refTridiagonalQL(W, n, d, e, false)
  return d.sort()
}

function refAscendingOrder(v: Float64Array): Int32Array {
  const idx = Array.from({ length: v.length }, (_, i) => i)
  idx.sort((a, b) => v[a] - v[b] || a - b)
  return Int32Array.from(idx)
}

describe('symEigRows', () => {
  afterEach(() => setWasmSimdEnabled(true))

  it('holds symEig\'s eigenvalues and eigenvectors, bit for bit, as rows in `order`', () => {
    const rng = new Rng(21, 'symEigRows')
    for (const simd of [true, false]) {
      setWasmSimdEnabled(simd)
      for (const n of [1, 2, 5, 16, 17, 50, 64]) {
        const G = rng.gaussianMatrix(n, n)
        const A = new Float64Array(n * n)
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = G[i * n + j] + G[j * n + i]
        const { values, vectors } = symEig(A, n)
        const r = symEigRows(A, n)
        expect(Array.from(r.values).map((v) => Object.is(v, -0) ? '-0' : v)).toEqual(Array.from(values).map((v) => Object.is(v, -0) ? '-0' : v))
        for (let j = 0; j < n; j++) {
          for (let i = 0; i < n; i++) expect(Object.is(r.rows[r.order[j] * n + i], vectors[i * n + j]), `n=${n} simd=${simd} (${i}, ${j})`).toBe(true)
        }
      }
    }
  })
})
