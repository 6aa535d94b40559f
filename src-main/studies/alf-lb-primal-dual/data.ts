/**
 * The study's synthetic router (its own construction; the paper gives none): scores
 * s_ti = sigmoid(u_t·e_i/√d + β_i), token and expert vectors from N(0, I_d), expert popularity
 * β_i ~ N(0, skew²). Expert vectors and β are drawn once; each batch brings fresh tokens.
 */
import type { Rng } from '../../numeric/rng'

export interface Router {
  readonly E: number
  readonly dim: number
  /** E×dim expert vectors */
  readonly experts: Float64Array
  readonly beta: Float64Array
}

export function drawRouter(rng: Rng, E: number, dim: number, skew: number): Router {
  const experts = rng.gaussianMatrix(E, dim)
  const beta = new Float64Array(E)
  for (let i = 0; i < E; i++) beta[i] = skew * rng.normal()
  return { E, dim, experts, beta }
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z))

/** Fill scores[offset ..] with a fresh batch of m tokens (row-major m×E), with popularity `beta`. */
export function drawBatch(rng: Rng, router: Router, m: number, beta: Float64Array, scores: Float64Array, offset: number): void {
  const { E, dim, experts } = router
  const u = new Float64Array(dim)
  const inv = 1 / Math.sqrt(dim)
  for (let t = 0; t < m; t++) {
    for (let j = 0; j < dim; j++) u[j] = rng.normal()
    for (let i = 0; i < E; i++) {
      let z = 0
      for (let j = 0; j < dim; j++) z += u[j] * experts[i * dim + j]
      scores[offset + t * E + i] = sigmoid(z * inv + beta[i])
    }
  }
}
