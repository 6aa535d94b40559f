/**
 * Gaussian blobs as the authors' code builds them (sklearn `make_blobs`, then `StandardScaler`):
 * k centres U(−10, 10)^d, point i of class i mod k equal to its centre plus cov·N(0, I_d), then
 * every feature standardised to zero mean and unit (population, ddof = 0) standard deviation.
 */

export interface Blobs {
  /** N × d, row-major, standardised */
  X: Float64Array
  /** class of each point, i mod k */
  labels: Int32Array
  N: number
  d: number
  k: number
}

export function makeBlobs(N: number, d: number, k: number, cov: number, rng: { uniform(): number; normal(): number }): Blobs {
  const centres = new Float64Array(k * d)
  for (let i = 0; i < k * d; i++) centres[i] = -10 + 20 * rng.uniform()
  const X = new Float64Array(N * d)
  const labels = new Int32Array(N)
  for (let i = 0; i < N; i++) {
    const c = i % k
    labels[i] = c
    for (let j = 0; j < d; j++) X[i * d + j] = centres[c * d + j] + cov * rng.normal()
  }
  standardise(X, N, d)
  return { X, labels, N, d, k }
}

/** Each column to zero mean and unit population standard deviation (a constant column is only centred). */
export function standardise(X: Float64Array, N: number, d: number): void {
  for (let j = 0; j < d; j++) {
    let m = 0
    for (let i = 0; i < N; i++) m += X[i * d + j]
    m /= N
    let v = 0
    for (let i = 0; i < N; i++) v += (X[i * d + j] - m) ** 2
    const s = Math.sqrt(v / N)
    const inv = s > 0 ? 1 / s : 1
    for (let i = 0; i < N; i++) X[i * d + j] = (X[i * d + j] - m) * inv
  }
}
