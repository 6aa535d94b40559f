/**
 * lame-test-time-adaptation: LAME's work on one test batch at the default (batch N = 16, K = 100
 * classes, d = 64 features, kNN affinity k = 5, unsymmetrised): buildAffinity (pairwise
 * distances, each row's k nearest, W) and lameSolve (the CCCP bound updates
 * Y ← softmax(−U + WY) with the energy after each). The CCCP loop stops on a relative tolerance, so its iteration count depends
 * on the batch; here both sides run exactly 10 iterations (tol = 0, cap 10), so the work matches.
 * Uses the study's own lame.ts (the softmax rows by its WebAssembly SIMD kernel, softmaxWasm.ts,
 * and W·Y by the numeric core's gemmSkipZeros over W's 5 nonzeros per row, as the solver runs
 * them); features and probabilities are random of the right shapes.
 */
import { Rng } from '../../src-main/numeric/rng'
import { buildAffinity, lameSolve, lameWorkspace } from '../../src-main/studies/lame-test-time-adaptation/lame'
import type { StepCase } from './types'

const N = 16
const K = 100
const D = 64
const ITERS = 10

export function steps(): StepCase[] {
  return [
    {
      name: `lame-test-time-adaptation batch=${N} K=${K} d=${D} kNN affinity + ${ITERS} CCCP iterations`,
      py: 'lame-test-time-adaptation_step',
      pyCase: 'default',
      note: 'buildAffinity + lameSolve(maxIter 10, tol 0)',
      setup: () => {
        const rng = new Rng(0, 'data')
        const X = rng.gaussianMatrix(N, D)
        for (let i = 0; i < N; i++) {
          let s = 0
          for (let c = 0; c < D; c++) s += X[i * D + c] ** 2
          for (let c = 0; c < D; c++) X[i * D + c] /= Math.sqrt(s)
        }
        const P = new Float64Array(N * K)
        for (let i = 0; i < N; i++) {
          let s = 0
          for (let k = 0; k < K; k++) s += P[i * K + k] = Math.exp(2 * rng.normal())
          for (let k = 0; k < K; k++) P[i * K + k] /= s
        }
        const ws = lameWorkspace(N, K)
        return () => {
          buildAffinity(ws, X, N, D, 'knn', 5, false)
          lameSolve(ws, P, N, K, ITERS, 0)
        }
      },
    },
  ]
}
