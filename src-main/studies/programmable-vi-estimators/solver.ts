/**
 * The three experiments: the estimator test on M2 (unbiasedness z-test and variance at φ₀), SGD on
 * M2 with the exact KL recorded, and gradient-ascent training of the noisy-cone guide.
 */
import type { SolveContext } from '../../kit'
import type { Rng } from '../../numeric/rng'
import { tangent, type Adev, type ContinuousStrategy, type DiscreteStrategy } from './adev'
import { coneIwaeEstimate, coneLogEvidence, iwelbo } from './cone'
import { ElboEnumReparam, elboEstimate, exactElbo, iwaeEstimate, logEvidence } from './m2'

export interface ViParams {
  part: 'estimators' | 'sgd' | 'cone'
  objective: 'elbo' | 'iwae'
  K: number
  discrete: DiscreteStrategy
  continuous: ContinuousStrategy
  phi0_0: number
  phi0_1: number
  phi0_2: number
  phi0_3: number
  R: number
  refFactor: number
  sgdLr: number
  sgdSamples: number
  sgdSteps: number
  coneLr: number
  coneSteps: number
  /** 0 = the objective's default (64 for ELBO, 1 for IWAE) */
  coneOuter: number
  /** auto = (0, 0, 1, 1) for ELBO and (3, 0, 1, 1) for IWAE (the artifact's settings) */
  coneStart: 'auto' | 'origin' | 'offset'
  coneEvalScale: number
}

/** One single-sample gradient estimate (value and 4-vector) of the chosen objective at φ. */
function estimate(ad: Adev, objective: ViParams['objective'], K: number, phi: ArrayLike<number>) {
  return objective === 'elbo' ? elboEstimate(ad, phi) : iwaeEstimate(ad, phi, K)
}

export interface Moments {
  mean: Float64Array
  /** standard error of the mean, sd/√R (sample sd, ddof 1) */
  se: Float64Array
  variance: Float64Array
  valueMean: number
  R: number
}

function moments(G: Float64Array, values: Float64Array, R: number): Moments {
  const mean = new Float64Array(4)
  const variance = new Float64Array(4)
  for (let r = 0; r < R; r++) for (let i = 0; i < 4; i++) mean[i] += G[r * 4 + i]
  for (let i = 0; i < 4; i++) mean[i] /= R
  for (let r = 0; r < R; r++) for (let i = 0; i < 4; i++) variance[i] += (G[r * 4 + i] - mean[i]) ** 2
  for (let i = 0; i < 4; i++) variance[i] /= R - 1
  const se = variance.map((v) => Math.sqrt(v / R))
  let valueMean = 0
  for (let r = 0; r < R; r++) valueMean += values[r] / R
  return { mean, se, variance, valueMean, R }
}

/**
 * The IWAE reference gradient: the mean of R_ref = refFactor·R ENUM + REPARAM estimates, from the
 * 'reference' stream. Memoised by (seed, φ₀, K, R_ref): the 8 IWAE cells of one seed share it, and
 * the stream is independent of the estimator's, so the cache changes no result.
 */
const referenceCache = new Map<string, Moments>()
export function iwaeReference(seed: number, phi0: ArrayLike<number>, K: number, Rref: number, rng: () => Rng, cancelled: () => boolean = () => false): Moments | null {
  const key = [seed, ...Array.from(phi0), K, Rref].join('|')
  const hit = referenceCache.get(key)
  if (hit) return hit
  const ad: Adev = { rng: rng(), discrete: 'enum', continuous: 'reparam', baseline: 0, valueOnly: false }
  const G = new Float64Array(Rref * 4)
  const values = new Float64Array(Rref)
  for (let r = 0; r < Rref; r++) {
    if (r % 256 === 0 && cancelled()) return null // a partial reference is never cached
    const d = iwaeEstimate(ad, phi0, K)
    values[r] = d.v
    G[r * 4] = d.t0
    G[r * 4 + 1] = d.t1
    G[r * 4 + 2] = d.t2
    G[r * 4 + 3] = d.t3
  }
  const m = moments(G, values, Rref)
  if (referenceCache.size >= 8) referenceCache.delete(referenceCache.keys().next().value as string)
  referenceCache.set(key, m)
  return m
}

/**
 * Estimator test at φ₀ (spec "Unbiasedness and variance test"): R independent single-sample
 * gradient estimates; tr Var = Σ_i sample variance; z_i = (mean_i − target_i)/se_i with target the
 * exact ELBO gradient (se = sd/√R) or, for IWAE, the reference gradient (se = √(se² + se_ref²)).
 * The REINFORCE + baseline constant is the exact ELBO at φ₀, or the reference's IWAE value.
 */
export function runEstimators(p: ViParams, ctx: SolveContext): void {
  const phi0 = [p.phi0_0, p.phi0_1, p.phi0_2, p.phi0_3]
  let target: number[]
  let targetSe = [0, 0, 0, 0]
  let baseline: number
  if (p.objective === 'elbo') {
    const e = exactElbo(phi0)
    target = tangent(e)
    baseline = e.v
  } else {
    const ref = iwaeReference(ctx.seed, phi0, p.K, p.refFactor * p.R, () => ctx.stream('reference'), () => ctx.cancelled)
    if (!ref) return
    target = Array.from(ref.mean)
    targetSe = Array.from(ref.se)
    baseline = ref.valueMean
  }
  const ad: Adev = { rng: ctx.stream('estimator'), discrete: p.discrete, continuous: p.continuous, baseline, valueOnly: false }
  const G = new Float64Array(p.R * 4)
  const values = new Float64Array(p.R)
  // the default cell (ELBO, ENUM + REPARAM) through the hand-expanded estimator: the same bits
  const fast = p.objective === 'elbo' && p.discrete === 'enum' && p.continuous === 'reparam' ? new ElboEnumReparam(phi0) : null
  let lastT = performance.now()
  for (let r = 0; r < p.R; r++) {
    if (ctx.cancelled) return
    const o = r * 4
    let v: number
    if (fast) v = fast.estimate(ad.rng, G, o)
    else {
      const d = estimate(ad, p.objective, p.K, phi0)
      v = d.v
      G[o] = d.t0
      G[o + 1] = d.t1
      G[o + 2] = d.t2
      G[o + 3] = d.t3
    }
    values[r] = v
    ctx.count('estimate', 1)
    ctx.record(r + 1, { gradient: [G[o], G[o + 1], G[o + 2], G[o + 3]], value: v })
    const now = performance.now()
    if (now - lastT > 50) {
      ctx.progress((r + 1) / p.R)
      lastT = now
    }
  }
  const m = moments(G, values, p.R)
  const z = new Float64Array(4)
  let maxAbsZ = 0
  let traceVar = 0
  let tail = 0
  for (let i = 0; i < 4; i++) {
    z[i] = (m.mean[i] - target[i]) / Math.sqrt(m.se[i] ** 2 + targetSe[i] ** 2)
    maxAbsZ = Math.max(maxAbsZ, Math.abs(z[i]))
    traceVar += m.variance[i]
    const sd = Math.sqrt(m.variance[i])
    for (let r = 0; r < p.R; r++) tail = Math.max(tail, Math.abs(G[r * 4 + i] - m.mean[i]) / sd)
  }
  ctx.record(p.R, {
    traceVar,
    maxAbsZ,
    zScore: z,
    gradMean: m.mean,
    gradSe: m.se,
    target,
    valueMean: m.valueMean,
    maxDeviationOverSd: tail,
  })
}

/** SGD on M2 (spec "SGD"): φ ← φ + lr·(mean of `sgdSamples` single-sample ELBO gradient estimates), from φ = 0. */
export function runSgd(p: ViParams, ctx: SolveContext): void {
  const logZ = logEvidence()
  const ad: Adev = { rng: ctx.stream('sgd'), discrete: p.discrete, continuous: p.continuous, baseline: 0, valueOnly: false }
  const phi = new Float64Array(4)
  const step = new Float64Array(4)
  const g = new Float64Array(4)
  const enumReparam = p.discrete === 'enum' && p.continuous === 'reparam'
  const recordAt = (t: number) => {
    const e = exactElbo(phi)
    ctx.record(t, { klExact: Math.max(logZ - e.v, 0), elboExact: e.v, phi })
  }
  recordAt(0)
  for (let t = 1; t <= p.sgdSteps; t++) {
    if (ctx.cancelled) return
    // the running-mean baseline of the trainer (spec: "a running mean is a valid choice")
    step.fill(0)
    let vsum = 0
    const fast = enumReparam ? new ElboEnumReparam(phi) : null
    for (let s = 0; s < p.sgdSamples; s++) {
      if (fast) {
        vsum += fast.estimate(ad.rng, g, 0)
        for (let i = 0; i < 4; i++) step[i] += g[i]
        continue
      }
      const d = elboEstimate(ad, phi)
      step[0] += d.t0
      step[1] += d.t1
      step[2] += d.t2
      step[3] += d.t3
      vsum += d.v
    }
    ad.baseline = ad.baseline === 0 && t === 1 ? vsum / p.sgdSamples : 0.9 * ad.baseline + (0.1 * vsum) / p.sgdSamples
    ctx.count('estimate', p.sgdSamples)
    for (let i = 0; i < 4; i++) phi[i] += (p.sgdLr * step[i]) / p.sgdSamples
    if (!phi.every(Number.isFinite)) {
      ctx.event('diverged', t, 'φ left the finite range')
      return
    }
    recordAt(t)
    if (t % 100 === 0) ctx.progress(t / p.sgdSteps)
  }
}

export const coneOuterFor = (p: Pick<ViParams, 'coneOuter' | 'objective'>) => (p.coneOuter > 0 ? p.coneOuter : p.objective === 'elbo' ? 64 : 1)
export const coneStartFor = (p: Pick<ViParams, 'coneStart' | 'objective'>) => {
  const s = p.coneStart === 'auto' ? (p.objective === 'elbo' ? 'origin' : 'offset') : p.coneStart
  return s === 'origin' ? [0, 0, 1, 1] : [3, 0, 1, 1]
}

/**
 * Noisy-cone training (artifact settings): plain gradient ascent φ ← φ + lr·mean(ĝ) over
 * `coneOuter` REPARAM estimates of the ELBO (K = 1 when objective = elbo) or IWAE-K. Final
 * evaluation: ELBO (20 000 samples), IWELBO(5) (4000 outer), IWELBO(1000) (200 outer), all scaled by
 * coneEvalScale, from the 'evaluation' stream.
 */
export function runCone(p: ViParams, ctx: SolveContext): void {
  const rng = ctx.stream('cone')
  const K = p.objective === 'elbo' ? 1 : p.K
  const outer = coneOuterFor(p)
  const phi = Float64Array.from(coneStartFor(p))
  const g = new Float64Array(4)
  for (let t = 1; t <= p.coneSteps; t++) {
    if (ctx.cancelled) return
    g.fill(0)
    let v = 0
    for (let o = 0; o < outer; o++) {
      const d = coneIwaeEstimate(rng, phi, K)
      v += d.v
      g[0] += d.t0
      g[1] += d.t1
      g[2] += d.t2
      g[3] += d.t3
    }
    ctx.count('particle', outer * K)
    for (let i = 0; i < 4; i++) phi[i] += (p.coneLr * g[i]) / outer
    if (!phi.every(Number.isFinite) || !Number.isFinite(v)) {
      ctx.event('diverged', t, 'the guide left the finite range')
      return
    }
    ctx.record(t, { objectiveEstimate: v / outer, muX: phi[0], muY: phi[1], sigmaX: Math.exp(phi[2]), sigmaY: Math.exp(phi[3]) })
    if (t % 250 === 0) ctx.progress((0.9 * t) / p.coneSteps)
  }
  const ev = ctx.stream('evaluation')
  const n = (base: number) => Math.max(1, Math.round(base * p.coneEvalScale))
  ctx.record(p.coneSteps, {
    elbo: iwelbo(ev, phi, 1, n(20000)),
    iwelbo5: iwelbo(ev, phi, 5, n(4000)),
    iwelbo1000: iwelbo(ev, phi, 1000, n(200)),
    logPzExact: coneLogEvidence(),
    sigmaGeoMean: Math.exp(0.5 * (phi[2] + phi[3])),
  })
}

export function solveVi(p: ViParams, ctx: SolveContext): void {
  if (p.part === 'estimators') runEstimators(p, ctx)
  else if (p.part === 'sgd') runSgd(p, ctx)
  else runCone(p, ctx)
}
