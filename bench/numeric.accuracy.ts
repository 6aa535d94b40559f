/**
 * Measured agreement with numpy on the committed fixtures, for Descent and, where it offers the
 * same decomposition, ml-matrix: the numbers quoted in src-main/numeric/README.md.
 *
 *   node bench/numeric.mjs --accuracy
 */
import { EigenvalueDecomposition, Matrix, SingularValueDecomposition, CholeskyDecomposition, LuDecomposition, QrDecomposition } from 'ml-matrix'
import { cholesky, lstsq, qr, singularValues, solve, spectralNorm, symEig, symInvSqrt, symSqrt } from '../src-main/numeric/linalg'
import { hessianVectorProduct, valueAndGrad, type Parameter, type ScalarFunction } from '../src-main/numeric/autodiff'
import * as ad from '../src-main/numeric/autodiff'
import linalg from '../src-main/numeric/fixtures/linalg.json'
import autodiff from '../src-main/numeric/fixtures/autodiff.json'

function relErr(got: ArrayLike<number>, want: ArrayLike<number>): number {
  let scale = 0
  let d = 0
  for (let i = 0; i < want.length; i++) {
    scale = Math.max(scale, Math.abs(want[i]))
    d = Math.max(d, Math.abs(got[i] - want[i]))
  }
  return d / scale
}

const f64 = (x: number[]) => Float64Array.from(x)
const toMatrix = (A: number[], m: number, n: number) => new Matrix(Array.from({ length: m }, (_, i) => A.slice(i * n, i * n + n)))
const flat = (M: Matrix) => Float64Array.from(M.to1DArray())

export function main(): void {
  const rows: [string, number, number | null][] = []
  const e = linalg.symEig
  const mlEig = new EigenvalueDecomposition(toMatrix(e.A, e.n, e.n), { assumeSymmetric: true })
  rows.push(['symEig values', relErr(symEig(f64(e.A), e.n).values, e.values), relErr(mlEig.realEigenvalues, e.values)])
  for (const c of linalg.svd) {
    const ml = new SingularValueDecomposition(toMatrix(c.A, c.m, c.n), { autoTranspose: true })
    rows.push([`svd ${c.m}x${c.n} values`, relErr(singularValues(f64(c.A), c.m, c.n), c.S), relErr(ml.diagonal, c.S)])
  }
  const ch = linalg.cholesky
  rows.push(['cholesky L', relErr(cholesky(f64(ch.A), ch.n), ch.L), relErr(flat(new CholeskyDecomposition(toMatrix(ch.A, ch.n, ch.n)).lowerTriangularMatrix), ch.L)])
  const s = linalg.solve
  const mlSolve = new LuDecomposition(toMatrix(s.A, s.n, s.n)).solve(toMatrix(s.b, s.n, s.nrhs))
  rows.push(['solve x', relErr(solve(f64(s.A), f64(s.b), s.n, s.nrhs), s.x), relErr(flat(mlSolve), s.x)])
  const l = linalg.lstsq
  const mlLs = new QrDecomposition(toMatrix(l.A, l.m, l.n)).solve(toMatrix(l.b, l.m, 1))
  rows.push(['lstsq x (full rank)', relErr(lstsq(f64(l.A), f64(l.b), l.m, l.n), l.x), relErr(flat(mlLs), l.x)])
  const r = linalg.lstsqRankDeficient
  rows.push(['lstsq x (rank 2 of 4)', relErr(lstsq(f64(r.A), f64(r.b), r.m, r.n), r.x), null])
  const q = linalg.qr
  const mine = qr(f64(q.A), q.m, q.n)
  rows.push(['qr R', relErr(mine.R, q.R), null])
  rows.push(['qr Q', relErr(mine.Q, q.Q), null])
  const sq = linalg.symSqrt
  rows.push(['symSqrt', relErr(symSqrt(f64(sq.A), sq.n), sq.sqrt), null])
  rows.push(['symInvSqrt', relErr(symInvSqrt(f64(sq.A), sq.n), sq.invSqrt), null])
  const sn = linalg.spectralNorm
  rows.push(['spectralNorm', Math.abs(spectralNorm(f64(sn.A), sn.m, sn.n) / sn.norm - 1), null])

  const params: Parameter[] = autodiff.params.map((p, k) => ({ value: Float64Array.from(p), shape: autodiff.shapes[k] }))
  const f: ScalarFunction = (t, [W1, b1, W2, b2]) => {
    const h = ad.tanh(ad.add(ad.matmul(t.constant(Float64Array.from(autodiff.X), [autodiff.N, autodiff.d]), W1), b1))
    return ad.crossEntropy(ad.add(ad.matmul(h, W2), b2), autodiff.labels)
  }
  const { value, grads } = valueAndGrad(f, params)
  const { hv } = hessianVectorProduct(f, params, autodiff.direction.map((v) => Float64Array.from(v)))
  rows.push(['MLP loss', Math.abs(value / autodiff.loss - 1), null])
  rows.push(['MLP gradient', Math.max(...grads.map((g, k) => relErr(g, autodiff.grads[k]))), null])
  rows.push(['MLP H·v vs numpy FD', Math.max(...hv.map((g, k) => relErr(g, autodiff.hvFiniteDifference[k]))), null])

  console.log('quantity'.padEnd(26), 'descent'.padStart(10), 'ml-matrix'.padStart(10), '  (max |err| / max |numpy|)')
  for (const [name, d, m] of rows) console.log(name.padEnd(26), d.toExponential(1).padStart(10), (m === null ? '-' : m.toExponential(1)).padStart(10))
}
