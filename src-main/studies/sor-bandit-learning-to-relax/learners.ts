/**
 * The three learners of mkhodak/learning-to-relax (`learners/*.m`), as explicit state machines:
 * `predict` draws an arm from the learner's own random stream, `update` takes the observed cost.
 */
import type { Rng } from '../../numeric/rng'
import { boxLeastSquares, gramScratch, minNormFromGram, residualNormSq, type GramScratch } from './boxls'

/**
 * Tsallis-INF with α = ½ (Zimmert & Seldin 2021), as in `learners/TsallisINF.m` (paper §3,
 * Algorithm 1 with the time-varying η_t = 2/√t). At round t:
 *   η = 2/√t;  x = −1;  repeat `newtonSteps` times:
 *     p_i = 4/(η·(L_i/s − x))²,  x ← x − (Σ p_i − 1)/(η·Σ p_i^{3/2});
 *   renormalise p (MATLAB's `randsample` does so implicitly), sample i ~ p,
 *   after the cost k: L_i += (k − 1)/p_i, and s = mean(k_1..k_t) − 1 for the next round.
 * The p used is the one computed in the last Newton step (before its x update), as in the source.
 * The scale s used at round t is from rounds 1..t−1 (s = 1 at t = 1): the source sets it in
 * `update`, after the round's prediction.
 *
 * Newton start (`newton`):
 *  - 'shifted' (default): the normalised losses L_i/s − min_j L_j/s ≥ 0 are used, so f(−1) =
 *    Σp − 1 ≥ t − 1 ≥ 0 and Newton descends monotonically onto the root from the right, never
 *    crossing the pole x = min L/s. The distribution is shift-invariant, so this is the exact
 *    Tsallis-INF distribution; the importance weight uses the renormalised p.
 *  - 'source': the literal MATLAB iteration on the raw L_i/s from x = −1, importance weight with
 *    the unnormalised probs(i). Once min L/s ≫ 1 the first Newton step overshoots past the pole
 *    and the iterate runs away (counted in `domainViolations`).
 */
export type TsallisNewton = 'shifted' | 'source'

export class TsallisInf {
  readonly d: number
  /** rounds completed so far (the source's t − 1) */
  rounds = 0
  readonly cumLoss: Float64Array
  readonly prob: Float64Array
  scale = 1
  private costSum = 0
  private chosen = -1
  /** rounds at which the Newton iterate left the domain x < min L_i/s (never expected) */
  domainViolations = 0

  /** sum of the Newton p before renormalisation (the source's importance weights use it) */
  private rawSum = 1

  constructor(
    d: number,
    private readonly newtonSteps: number,
    private readonly newton: TsallisNewton = 'shifted',
  ) {
    this.d = d
    this.cumLoss = new Float64Array(d)
    this.prob = new Float64Array(d)
  }

  /** The arm distribution for the coming round (fills `prob`, normalised). */
  distribution(): Float64Array {
    const { d, cumLoss, prob } = this
    const t = this.rounds + 1
    const eta = 2 / Math.sqrt(t)
    let minL = Infinity
    for (let i = 0; i < d; i++) minL = Math.min(minL, cumLoss[i] / this.scale)
    const shift = this.newton === 'shifted' ? minL : 0
    let x = -1
    for (let step = 0; step < this.newtonSteps; step++) {
      let sum = 0
      let sum32 = 0
      for (let i = 0; i < d; i++) {
        const den = eta * (cumLoss[i] / this.scale - shift - x)
        const pi = 4 / (den * den)
        prob[i] = pi
        sum += pi
        sum32 += pi * Math.sqrt(pi)
      }
      x = x - (sum - 1) / (eta * sum32)
      if (!(x < minL - shift)) this.domainViolations++
    }
    let total = 0
    for (let i = 0; i < d; i++) total += prob[i]
    this.rawSum = total
    for (let i = 0; i < d; i++) prob[i] /= total
    return prob
  }

  predict(rng: Rng): number {
    this.distribution()
    this.chosen = rng.choice(this.prob)
    return this.chosen
  }

  update(cost: number): void {
    const i = this.chosen
    // 'source': probs(i) before MATLAB's implicit normalisation in randsample
    const p = this.newton === 'source' ? this.prob[i] * this.rawSum : this.prob[i]
    this.cumLoss[i] += (cost - 1) / p
    this.rounds++
    this.costSum += cost
    this.scale = this.costSum / this.rounds - 1
  }
}

/**
 * Tsallis-INF-CB (`learners/TsallisINFCB.m`): the context interval [a, b] is cut into `bins`
 * cells with centres a + (b − a)·(j − ½)/bins; an independent Tsallis-INF (own round counter)
 * runs in the cell whose centre is nearest to the context (ties to the lower cell, as `min`).
 */
export class TsallisInfCB {
  readonly learners: TsallisInf[]
  readonly centres: Float64Array
  private active = 0

  constructor(d: number, bins: number, a: number, b: number, newtonSteps: number, newton: TsallisNewton = 'shifted') {
    this.learners = Array.from({ length: bins }, () => new TsallisInf(d, newtonSteps, newton))
    this.centres = new Float64Array(bins)
    for (let j = 0; j < bins; j++) this.centres[j] = a + (b - a) * ((j + 0.5) / bins)
  }

  binOf(context: number): number {
    let best = 0
    for (let j = 1; j < this.centres.length; j++) {
      if (Math.abs(this.centres[j] - context) < Math.abs(this.centres[best] - context)) best = j
    }
    return best
  }

  predict(context: number, rng: Rng): number {
    this.active = this.binOf(context)
    return this.learners[this.active].predict(rng)
  }

  update(cost: number): void {
    this.learners[this.active].update(cost)
  }
}

/**
 * ChebCB (`learners/ChebCB.m`; paper §4, the contextual bandit with Chebyshev regression and
 * inverse-gap weighting, SquareCB of Foster & Rakhlin 2020). Features T_0..T_{m−1} of
 * z = 2(c − a)/(b − a) − 1; per action a linear model of (k − 1)/scale.
 *
 * predict: ŷ_i = θ_i·φ(c), i* = argmin ŷ (first on ties); p_i = 1/(d + η(ŷ_i − ŷ*)) for i ≠ i*,
 *   p_i* = 1 − Σ_{i≠i*} p_i; records the prediction θ_i·φ of the drawn action.
 * update(k): K = max cost so far; L = (max − min)/(b − a); N = 2 + 4(b − a)L/K·(1 + ln m);
 *   scale = K·N; ub = [1/N, 2(b − a)L/scale/j for j = 1..m−1]; refit every action if the scale
 *   changed, else only the drawn one: θ = lsqminnorm(X, (k − 1)/scale), and lsqlin with
 *   −ub ≤ θ ≤ ub when any |θ_j| > ub_j; α̃ = (π + (2/π)ln(2m + 1))/(2·scale·(m + 1))·(b − a)L;
 *   R = Σ_s (predicted_s − k_s/K/N)²;  η = 2t·√(d·t/(R − resnorm + 2α̃²t)).
 *
 * Quirks of the source kept as they are (labelled):
 *  - QUIRK(min): `min(obj.losses)` runs over the preallocated zeros(T, 1), so it is 0 before the
 *    last round; L = K/(b − a) and N = 2 + 4(1 + ln m) are then constants.
 *  - QUIRK(R): R compares predictions of (k − 1)/scale with k/scale (K·N = scale).
 *  - QUIRK(resnorm): resnorm is that of the last `lsqlin` call of the current update (0 if none).
 */
export class ChebCB {
  readonly d: number
  readonly m: number
  private readonly a: number
  private readonly bma: number
  private readonly T: number
  /** completed rounds */
  rounds = 0
  eta = 0
  scale = 0
  readonly theta: Float64Array
  private readonly gram: Float64Array
  private readonly xty: Float64Array
  private readonly yty: Float64Array
  private readonly counts: Int32Array
  private readonly feature: Float64Array
  readonly yhat: Float64Array
  readonly prob: Float64Array
  private readonly predicted: Float64Array
  private readonly losses: Float64Array
  private chosen = -1
  private maxCost = 0
  private minCost = Infinity
  private readonly ub: Float64Array
  private readonly g: Float64Array
  private readonly scratch: GramScratch
  private readonly th: Float64Array
  /** lsqlin (box) refits so far */
  boxRefits = 0
  /** rounds where R − resnorm + 2α̃²t ≤ 0 (η kept; reported as an event) */
  etaGuards = 0

  constructor(d: number, T: number, m: number, a: number, b: number) {
    this.d = d
    this.m = m
    this.a = a
    this.bma = b - a
    this.T = T
    this.theta = new Float64Array(d * m)
    this.gram = new Float64Array(d * m * m)
    this.xty = new Float64Array(d * m)
    this.yty = new Float64Array(d)
    this.counts = new Int32Array(d)
    this.feature = new Float64Array(m)
    this.yhat = new Float64Array(d)
    this.prob = new Float64Array(d)
    this.predicted = new Float64Array(T)
    this.losses = new Float64Array(T)
    this.ub = new Float64Array(m)
    this.g = new Float64Array(m)
    this.scratch = gramScratch(m)
    this.th = new Float64Array(m)
  }

  /** Chebyshev features T_0..T_{m−1} of z = 2(c − a)/(b − a) − 1 (three-term recurrence). */
  features(context: number, out: Float64Array = this.feature): Float64Array {
    const z = (2 / this.bma) * (context - this.a) - 1
    out[0] = 1
    if (this.m > 1) out[1] = z
    for (let j = 2; j < this.m; j++) out[j] = 2 * z * out[j - 1] - out[j - 2]
    return out
  }

  /** Predicted cost 1 + scale·θ_i·φ(c) of action i (the source's `show`). */
  predictedCost(action: number, context: number, phi: Float64Array): number {
    this.features(context, phi)
    let v = 0
    for (let j = 0; j < this.m; j++) v += this.theta[action * this.m + j] * phi[j]
    return 1 + this.scale * v
  }

  predict(context: number, rng: Rng): number {
    const { d, m, theta, feature, yhat, prob } = this
    this.features(context)
    let istar = 0
    for (let i = 0; i < d; i++) {
      let v = 0
      for (let j = 0; j < m; j++) v += theta[i * m + j] * feature[j]
      yhat[i] = v
      if (v < yhat[istar]) istar = i
    }
    let others = 0
    for (let i = 0; i < d; i++) {
      if (i === istar) continue
      prob[i] = 1 / (d + this.eta * (yhat[i] - yhat[istar]))
      others += prob[i]
    }
    prob[istar] = 1 - others
    this.chosen = rng.choice(prob)
    this.predicted[this.rounds] = yhat[this.chosen]
    return this.chosen
  }

  update(cost: number): void {
    const { d, m, gram, xty, yty, counts, feature, theta, ub, g, scratch } = this
    const t = this.rounds + 1
    this.losses[this.rounds] = cost
    const i0 = this.chosen
    // accumulate the drawn action's Gram data on the raw targets k − 1
    const y = cost - 1
    for (let j = 0; j < m; j++) {
      for (let k = 0; k < m; k++) gram[i0 * m * m + j * m + k] += feature[j] * feature[k]
      xty[i0 * m + j] += feature[j] * y
    }
    yty[i0] += y * y
    counts[i0]++
    this.maxCost = Math.max(this.maxCost, cost)
    this.minCost = Math.min(this.minCost, cost)
    const K = this.maxCost
    // QUIRK(min): the source's min runs over the preallocated zeros until the last round
    const minLoss = t < this.T ? Math.min(0, this.minCost) : this.minCost
    const L = (K - minLoss) / this.bma
    const N = 2 + ((4 * this.bma * L) / K) * (1 + Math.log(m))
    const refitAll = this.scale !== K * N
    this.scale = K * N
    ub[0] = 1 / N
    for (let j = 1; j < m; j++) ub[j] = (2 * this.bma * L) / this.scale / j
    let resnorm = 0
    const th = this.th
    for (let i = 0; i < d; i++) {
      if (!(refitAll || i === i0) || counts[i] === 0) continue
      const G = gram.subarray(i * m * m, (i + 1) * m * m)
      for (let j = 0; j < m; j++) g[j] = xty[i * m + j] / this.scale
      minNormFromGram(G, g, m, th, scratch)
      let outside = false
      for (let j = 0; j < m; j++) if (Math.abs(th[j]) > ub[j]) outside = true
      if (outside) {
        // lsqlin warm start x0 = the previous θ_i (ignored by its default algorithm; used here)
        for (let j = 0; j < m; j++) th[j] = theta[i * m + j]
        boxLeastSquares(G, g, ub, m, th, scratch)
        resnorm = residualNormSq(G, g, yty[i] / (this.scale * this.scale), m, th)
        this.boxRefits++
      }
      for (let j = 0; j < m; j++) theta[i * m + j] = th[j]
    }
    const alpha = ((Math.PI + (2 / Math.PI) * Math.log(2 * m + 1)) / (2 * this.scale * (m + 1))) * this.bma * L
    // QUIRK(R): predictions of (k − 1)/scale against k/(K·N)
    let R = 0
    for (let s = 0; s < t; s++) {
      const e = this.predicted[s] - this.losses[s] / K / N
      R += e * e
    }
    // QUIRK(resnorm): only the last lsqlin call's residual enters
    const den = R - resnorm + 2 * alpha * alpha * t
    // the source would take the square root of a negative number (complex η); never seen here
    if (den > 0) this.eta = 2 * t * Math.sqrt((d * t) / den)
    else this.etaGuards++
    this.rounds = t
  }
}
