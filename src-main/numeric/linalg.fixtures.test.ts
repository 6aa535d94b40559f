/**
 * Agreement with numpy/LAPACK on the inputs in fixtures/linalg.json (written by
 * scripts/fixtures/numeric.py). Tolerance: 1e-12 relative to the largest reference entry, the
 * level at which two backward-stable float64 algorithms agree on well-conditioned inputs.
 */
import { describe, expect, it } from 'vitest'
import { gemm } from './dense'
import { cholesky, det, lstsq, qr, singularValues, solve, spectralNorm, svd, symEig, symInvSqrt, symSqrt } from './linalg'
import fixtures from './fixtures/linalg.json'

const TOL = 1e-12

function f64(xs: number[]): Float64Array {
  return Float64Array.from(xs)
}

/** max |got − want| / max |want|. */
function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  expect(got.length).toBe(want.length)
  let scale = 0
  let d = 0
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]))
    d = Math.max(d, Math.abs(got[i] - want[i]))
  }
  return d / scale
}

/** The fixture's sign convention: each column's largest-magnitude entry is positive. */
function signFixColumns(M: Float64Array, rows: number, cols: number): { M: Float64Array; flips: Float64Array } {
  const out = M.slice()
  const flips = new Float64Array(cols).fill(1)
  for (let j = 0; j < cols; j++) {
    let best = 0
    for (let i = 1; i < rows; i++) if (Math.abs(out[i * cols + j]) > Math.abs(out[best * cols + j])) best = i
    if (out[best * cols + j] < 0) {
      flips[j] = -1
      for (let i = 0; i < rows; i++) out[i * cols + j] = -out[i * cols + j]
    }
  }
  return { M: out, flips }
}

describe('linalg agrees with numpy (fixtures/linalg.json, rel. 1e-12)', () => {
  it('gemm: alpha·A·B + beta·C', () => {
    const c = fixtures.gemm
    const out = gemm(false, false, c.m, c.n, c.k, c.alpha, f64(c.A), f64(c.B), c.beta, f64(c.C))
    expect(relErr(out, c.out)).toBeLessThan(1e-14)
  })
  it('symEig: eigenvalues and sign-normalised eigenvectors match numpy.linalg.eigh', () => {
    const c = fixtures.symEig
    const { values, vectors } = symEig(f64(c.A), c.n)
    expect(relErr(values, c.values)).toBeLessThan(TOL)
    expect(relErr(signFixColumns(vectors, c.n, c.n).M, c.vectors)).toBeLessThan(TOL)
  })
  for (const c of fixtures.svd) {
    it(`svd ${c.m}×${c.n}: S, U, V match numpy.linalg.svd up to the column signs`, () => {
      const p = Math.min(c.m, c.n)
      const { U, S, V } = svd(f64(c.A), c.m, c.n)
      expect(relErr(S, c.S)).toBeLessThan(TOL)
      expect(relErr(singularValues(f64(c.A), c.m, c.n), c.S)).toBeLessThan(TOL)
      const { M: Vc, flips } = signFixColumns(V, c.n, p)
      expect(relErr(Vc, c.V)).toBeLessThan(TOL)
      const Uc = U.map((v, idx) => v * flips[idx % p])
      expect(relErr(Uc, c.U)).toBeLessThan(TOL)
    })
  }
  it('cholesky: L matches numpy.linalg.cholesky', () => {
    const c = fixtures.cholesky
    expect(relErr(cholesky(f64(c.A), c.n), c.L)).toBeLessThan(TOL)
  })
  it('solve with two right-hand sides and det match numpy', () => {
    const c = fixtures.solve
    expect(relErr(solve(f64(c.A), f64(c.b), c.n, c.nrhs), c.x)).toBeLessThan(TOL)
    expect(Math.abs(det(f64(c.A), c.n) / c.det - 1)).toBeLessThan(TOL)
  })
  it('lstsq matches numpy for full-rank and rank-deficient (minimum-norm) problems', () => {
    const a = fixtures.lstsq
    expect(relErr(lstsq(f64(a.A), f64(a.b), a.m, a.n), a.x)).toBeLessThan(TOL)
    const r = fixtures.lstsqRankDeficient
    // Rank-deficient: the pseudo-inverse amplifies rounding by σ₁/σ_r; 1e-11 is the honest level.
    expect(relErr(lstsq(f64(r.A), f64(r.b), r.m, r.n), r.x)).toBeLessThan(1e-11)
  })
  it('qr: Q and R (non-negative diagonal) match numpy.linalg.qr after the same sign fix', () => {
    const c = fixtures.qr
    const { Q, R } = qr(f64(c.A), c.m, c.n)
    expect(relErr(Q, c.Q)).toBeLessThan(TOL)
    expect(relErr(R, c.R)).toBeLessThan(TOL)
  })
  it('symSqrt and symInvSqrt match the eigh-based numpy construction', () => {
    const c = fixtures.symSqrt
    expect(relErr(symSqrt(f64(c.A), c.n), c.sqrt)).toBeLessThan(TOL)
    expect(relErr(symInvSqrt(f64(c.A), c.n), c.invSqrt)).toBeLessThan(TOL)
  })
  it('spectralNorm matches numpy.linalg.norm(A, 2)', () => {
    const c = fixtures.spectralNorm
    expect(Math.abs(spectralNorm(f64(c.A), c.m, c.n) / c.norm - 1)).toBeLessThan(TOL)
  })
})

describe('blocked and SIMD paths agree with numpy at n = 100 (fixtures/blocked.json, rel. 1e-12)', async () => {
  const fx = (await import('./fixtures/blocked.json')).default
  const n = fx.n
  const formula = (i: number, j: number) => ((37 * i + 91 * j + 11 * i * j) % 101) / 101 - 0.5
  const F = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) F[i * n + j] = formula(i, j)
  const S = F.map((v, idx) => v + F[(idx % n) * n + Math.floor(idx / n)])
  const P = S.map((v, idx) => v + (idx % (n + 1) === 0 ? n + 1 : 0))
  const G = F.map((v, idx) => v + (idx % (n + 1) === 0 ? 3 : 0))
  const b = Float64Array.from({ length: n }, (_, i) => ((5 * i) % 13) / 13)

  it('inputs: the formula reproduces numpy bit for bit (checked through a symmetric sum)', () => {
    expect(S[3 * n + 5]).toBe(formula(3, 5) + formula(5, 3))
  })
  it('symEig (SIMD rotations) and symEigvalues', () => {
    expect(relErr(symEig(S, n).values, fx.symEigValues)).toBeLessThan(TOL)
  })
  it('blocked cholesky: diagonal and last row of L', () => {
    const L = cholesky(P, n)
    expect(relErr(Array.from({ length: n }, (_, i) => L[i * n + i]), fx.choleskyDiag)).toBeLessThan(TOL)
    expect(relErr(L.subarray((n - 1) * n), fx.choleskyLastRow)).toBeLessThan(TOL)
  })
  it('blocked LU solve', () => {
    expect(relErr(solve(G, b, n), fx.solveX)).toBeLessThan(TOL)
  })
  it('preconditioned svd and bidiagonal singularValues', () => {
    expect(relErr(svd(G, n, n).S, fx.svdS)).toBeLessThan(TOL)
    expect(relErr(singularValues(G, n, n), fx.svdS)).toBeLessThan(TOL)
  })
  it('qr: |diag R|', () => {
    const { R } = qr(G, n, n)
    expect(relErr(Array.from({ length: n }, (_, i) => Math.abs(R[i * n + i])), fx.qrAbsDiagR)).toBeLessThan(TOL)
  })
  it('packed SIMD gemm: a column and a row of G·S', () => {
    const C = gemm(false, false, n, n, n, 1, G, S, 0, new Float64Array(n * n))
    expect(relErr(Array.from({ length: n }, (_, i) => C[i * n]), fx.gemmFirstColumn)).toBeLessThan(1e-14)
    expect(relErr(C.subarray(7 * n, 8 * n), fx.gemmRow7)).toBeLessThan(1e-14)
  })
})
