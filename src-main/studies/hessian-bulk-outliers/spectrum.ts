/**
 * What the study reads off a Hessian spectrum: the top eigenvalues, the consecutive ratios
 * r_j = λ_j/λ_{j+1}, the ratio at the predicted gap (index k), the plain max-gap detector, the
 * near-zero fraction and a log-|λ| histogram of the bulk.
 */

export interface SpectrumSummary {
  /** all eigenvalues, descending */
  descending: Float64Array
  lambdaMax: number
  lambdaMin: number
  /** the largest (up to) topK positive eigenvalues, descending */
  top: Float64Array
  /** r_j = λ_j/λ_{j+1} over `top` (length top.length − 1) */
  ratios: Float64Array
  /** 1-based index j of the largest r_j among the top positive eigenvalues */
  detectedGap: number
  /** r_k at the predicted index k (NaN if the top list is too short) */
  predictedRatio: number
  /** max_{j<k} r_j (NaN for k = 1) */
  maxEarlierRatio: number
  /** #{|λ| < nearZeroRel·λ_max}/P */
  nearZeroFraction: number
  negativeCount: number
}

export function summariseSpectrum(ascending: Float64Array, k: number, topK: number, nearZeroRel: number): SpectrumSummary {
  const P = ascending.length
  const descending = new Float64Array(P)
  for (let i = 0; i < P; i++) descending[i] = ascending[P - 1 - i]
  const lambdaMax = descending[0]
  const lambdaMin = descending[P - 1]
  let nPos = 0
  while (nPos < P && nPos < topK && descending[nPos] > 0) nPos++
  const top = descending.slice(0, nPos)
  const ratios = new Float64Array(Math.max(nPos - 1, 0))
  for (let j = 0; j + 1 < nPos; j++) ratios[j] = top[j] / top[j + 1]
  let detectedGap = 0
  for (let j = 0; j < ratios.length; j++) if (detectedGap === 0 || ratios[j] > ratios[detectedGap - 1]) detectedGap = j + 1
  const predictedRatio = k - 1 < ratios.length ? ratios[k - 1] : NaN
  let maxEarlierRatio = NaN
  for (let j = 0; j < k - 1 && j < ratios.length; j++) if (!(ratios[j] <= maxEarlierRatio)) maxEarlierRatio = ratios[j]
  let nearZero = 0
  let negativeCount = 0
  const thr = nearZeroRel * lambdaMax
  for (let i = 0; i < P; i++) {
    if (Math.abs(ascending[i]) < thr) nearZero++
    if (ascending[i] < 0) negativeCount++
  }
  return {
    descending,
    lambdaMax,
    lambdaMin,
    top,
    ratios,
    detectedGap,
    predictedRatio,
    maxEarlierRatio,
    nearZeroFraction: nearZero / P,
    negativeCount,
  }
}

/** Edges of the log-|λ| histogram: log10(|λ|/λ_max) in half-decade bins from −12 to 0. */
export const LOG_BIN_LO = -12
export const LOG_BIN_WIDTH = 0.5
export const LOG_BINS = 24

/**
 * Fractions of the P eigenvalues by log10(|λ|/λ_max), split by sign: bin b covers
 * [LO + b·w, LO + (b+1)·w); values below 10^LO fall in bin 0, λ_max itself in the last bin.
 */
export function logAbsHistogram(ascending: Float64Array, lambdaMax: number): { centres: Float64Array; positive: Float64Array; negative: Float64Array } {
  const P = ascending.length
  const centres = new Float64Array(LOG_BINS)
  const positive = new Float64Array(LOG_BINS)
  const negative = new Float64Array(LOG_BINS)
  for (let b = 0; b < LOG_BINS; b++) centres[b] = LOG_BIN_LO + (b + 0.5) * LOG_BIN_WIDTH
  for (let i = 0; i < P; i++) {
    const lam = ascending[i]
    const r = Math.abs(lam) / lambdaMax
    let b = r > 0 ? Math.floor((Math.log10(r) - LOG_BIN_LO) / LOG_BIN_WIDTH) : 0
    if (b < 0) b = 0
    if (b >= LOG_BINS) b = LOG_BINS - 1
    if (lam >= 0) positive[b] += 1 / P
    else negative[b] += 1 / P
  }
  return { centres, positive, negative }
}
