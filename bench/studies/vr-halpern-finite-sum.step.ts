/**
 * vr-halpern-finite-sum: one iteration of Algorithm 1 (methods.ts, algorithm1: Halpern with the
 * PAGE estimator) at the default (problem A, least squares N = 6400, d = 20, b = ⌊√N⌋ = 80),
 * written out from the loop body with the study's own LeastSquaresProblem. An iteration is
 * either a full pass g = F(u) (probability p_k; 4/(√N + 5) ≈ 4.7% after the first √N steps) or a
 * minibatch update g += (N/b)Σ_{i∈B}(F_i(u) − F_i(u_prev)) over a uniform b-subset; both are
 * timed, followed by the anchored step u ← λu_0 + (1 − λ)u − ηg.
 */
import { Rng } from '../../src-main/numeric/rng'
import { leastSquaresData, LeastSquaresProblem } from '../../src-main/studies/vr-halpern-finite-sum/problems'
import type { StepCase } from './types'

const N = 6400
const D = 20
const B = Math.floor(Math.sqrt(N))

function makeStep(full: boolean): () => () => void {
  return () => {
    const problem = new LeastSquaresProblem(leastSquaresData(new Rng(0, 'data'), N, D, 3, 0.5))
    const rng = new Rng(0, 'sampling#0')
    const eta = 1e-3 / problem.lipAvg
    const { u0, dim, n } = problem
    const u = u0.slice()
    const uPrev = u0.slice()
    for (let j = 0; j < dim; j++) u[j] = 0.1 * (j + 1)
    const g = new Float64Array(dim)
    const perm = new Int32Array(n)
    for (let i = 0; i < n; i++) perm[i] = i
    const lambda = 0.01
    return () => {
      if (full) {
        problem.full(u, g)
      } else {
        for (let j = 0; j < B; j++) {
          const r = j + rng.int(n - j)
          const t = perm[j]
          perm[j] = perm[r]
          perm[r] = t
          problem.addComponentDiff(perm[j], u, uPrev, n / B, g)
        }
      }
      uPrev.set(u)
      for (let j = 0; j < dim; j++) u[j] = lambda * u0[j] + (1 - lambda) * u[j] - eta * g[j]
      problem.resolvent()
    }
  }
}

export function steps(): StepCase[] {
  const id = 'vr-halpern-finite-sum'
  return [
    { name: `${id} A N=${N} d=${D} Alg.1 full-pass iteration`, py: `${id}_step`, pyCase: 'full', note: 'g = F(u) over all N rows + anchored step', setup: makeStep(true) },
    { name: `${id} A N=${N} d=${D} Alg.1 minibatch iteration b=${B}`, py: `${id}_step`, pyCase: 'batch', note: 'b-subset draw + PAGE update + anchored step', setup: makeStep(false) },
  ]
}
