/**
 * The study's Gaussian-mixture task (the spec's scaled configuration, not the paper's data):
 * K classes × 2 sub-clusters in R^d with centres centreScale·N(0, I), points = centre + N(0, I);
 * training labels corrupted by symmetric noise, test labels clean.
 */
import type { Rng } from '../../numeric/rng'

export interface MixtureData {
  d: number
  K: number
  nTrain: number
  nTest: number
  Xtrain: Float64Array
  /** the (noisy) labels training uses */
  yTrain: Int32Array
  /** the clean labels of the training points (for the memorisation read-out only) */
  yTrainClean: Int32Array
  Xtest: Float64Array
  yTest: Int32Array
  /** how many training labels differ from the clean ones */
  flipped: number
}

export type NoiseKind = 'resample' | 'flip'

export interface MixtureOptions {
  d: number
  K: number
  subclusters: number
  nTrain: number
  nTest: number
  centreScale: number
  labelNoise: number
  /**
   * resample: with probability labelNoise the label is redrawn uniformly from all K classes
   * (may return the true class; what the spec's expected values used); flip: it is redrawn
   * from the K − 1 other classes.
   */
  noiseKind: NoiseKind
}

function drawPoints(rng: Rng, centres: Float64Array, o: MixtureOptions, n: number, X: Float64Array, y: Int32Array): void {
  const { d, K, subclusters } = o
  for (let i = 0; i < n; i++) {
    const c = rng.int(K)
    const s = rng.int(subclusters)
    const co = (c * subclusters + s) * d
    for (let j = 0; j < d; j++) X[i * d + j] = centres[co + j] + rng.normal()
    y[i] = c
  }
}

/** All draws from `rng` in a fixed order: centres, training points, label noise, test points. */
export function makeMixture(rng: Rng, o: MixtureOptions): MixtureData {
  const { d, K, subclusters, nTrain, nTest } = o
  const centres = new Float64Array(K * subclusters * d)
  for (let i = 0; i < centres.length; i++) centres[i] = o.centreScale * rng.normal()
  const Xtrain = new Float64Array(nTrain * d)
  const yTrainClean = new Int32Array(nTrain)
  drawPoints(rng, centres, o, nTrain, Xtrain, yTrainClean)
  const yTrain = new Int32Array(yTrainClean)
  let flipped = 0
  for (let i = 0; i < nTrain; i++) {
    if (!(rng.uniform() < o.labelNoise)) continue
    if (o.noiseKind === 'resample') yTrain[i] = rng.int(K)
    else {
      const r = rng.int(K - 1)
      yTrain[i] = r >= yTrainClean[i] ? r + 1 : r
    }
    if (yTrain[i] !== yTrainClean[i]) flipped++
  }
  const Xtest = new Float64Array(nTest * d)
  const yTest = new Int32Array(nTest)
  drawPoints(rng, centres, o, nTest, Xtest, yTest)
  return { d, K, nTrain, nTest, Xtrain, yTrain, yTrainClean, Xtest, yTest, flipped }
}
