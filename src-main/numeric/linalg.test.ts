import { describe, expect, it } from 'vitest'
import { eye, frobNorm, gemm, matmul, transpose } from './dense'
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
  symEigvalues,
  symInvSqrt,
  symSqrt,
} from './linalg'
import { Rng } from './rng'

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
