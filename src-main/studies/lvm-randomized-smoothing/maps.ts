/**
 * The base classifier of the toy (QDA logits over 3 Gaussian classes in the plane) and the
 * logits-to-simplex maps of the paper (softmax and sparsemax of temperature-scaled logits, t an
 * inverse temperature multiplying the logits, as `simplex_layer(predictions * tmp)` in the code).
 */

export const K = 3
/** class means μ_k (row-major 3×2) and standard deviations s_k */
export const CLASS_MEANS = Float64Array.from([0, 0, 2.5, 0, -1.25, 2.165])
export const CLASS_STDS = Float64Array.from([1, 0.6, 0.6])

export type SimplexMap = 'sparsemax' | 'softmax'

/** QDA logits z_k(x) = −‖x − μ_k‖²/(2 s_k²) − 2 ln s_k, written into `z` (length 3). */
export function qdaLogits(x1: number, x2: number, z: Float64Array): void {
  for (let k = 0; k < K; k++) {
    const d1 = x1 - CLASS_MEANS[2 * k]
    const d2 = x2 - CLASS_MEANS[2 * k + 1]
    const s = CLASS_STDS[k]
    z[k] = -(d1 * d1 + d2 * d2) / (2 * s * s) - 2 * Math.log(s)
  }
}

/** argmax_k z_k, the first index among ties. */
export function argmax3(z: ArrayLike<number>): number {
  let c = 0
  if (z[1] > z[c]) c = 1
  if (z[2] > z[c]) c = 2
  return c
}

/** softmax(t·z) for K = 3, max-shifted, into `out`. */
export function softmax3(z: ArrayLike<number>, t: number, out: Float64Array): void {
  const m = Math.max(z[0], z[1], z[2])
  const e0 = Math.exp(t * (z[0] - m))
  const e1 = Math.exp(t * (z[1] - m))
  const e2 = Math.exp(t * (z[2] - m))
  const s = e0 + e1 + e2
  out[0] = e0 / s
  out[1] = e1 / s
  out[2] = e2 / s
}

/**
 * sparsemax(t·z) (Martins & Astudillo 2016): the Euclidean projection onto the simplex,
 * p = max(t·z − τ, 0) with τ from the sorted values: k(z) = max{k : 1 + k·u_(k) > Σ_{j≤k} u_(j)},
 * τ = (Σ_{j≤k(z)} u_(j) − 1)/k(z). Written for K = 3 (sorting network), into `out`.
 */
export function sparsemax3(z: ArrayLike<number>, t: number, out: Float64Array): void {
  const u0 = t * z[0]
  const u1 = t * z[1]
  const u2 = t * z[2]
  let a = u0
  let b = u1
  let c = u2
  let tmp: number
  if (a < b) {
    tmp = a
    a = b
    b = tmp
  }
  if (b < c) {
    tmp = b
    b = c
    c = tmp
  }
  if (a < b) {
    tmp = a
    a = b
    b = tmp
  }
  // a ≥ b ≥ c; k = 1 always satisfies the support condition
  let tau = a - 1
  if (1 + 2 * b > a + b) {
    tau = (a + b - 1) / 2
    if (1 + 3 * c > a + b + c) tau = (a + b + c - 1) / 3
  }
  out[0] = u0 > tau ? u0 - tau : 0
  out[1] = u1 > tau ? u1 - tau : 0
  out[2] = u2 > tau ? u2 - tau : 0
}

export function applyMap(map: SimplexMap, z: ArrayLike<number>, t: number, out: Float64Array): void {
  if (map === 'softmax') softmax3(z, t, out)
  else sparsemax3(z, t, out)
}
