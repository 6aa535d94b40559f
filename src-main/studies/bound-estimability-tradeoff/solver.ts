/**
 * The learnability–estimability demonstration on parities over F_2^d (the study's own
 * construction around Gastpar, Nachum, Shafer & Weinberger 2024, Thms 3–5): targets from the
 * mixture prior D_mix, samples of m uniform points, the biased ERM A_{s,q}, its exact 0-1 loss
 * L ∈ {0, 1/2}, the exact Bayes posterior p0 = P(w* = A(S) | S) from GF(2) ranks, and the VC and
 * Occam bounds beside it.
 */
import type { SolveContext } from '../../kit'
import { Rng } from '../../numeric/rng'
import { coordMask, eliminate, hashWords, newEchelon, parity, solution, Y_BIT, type Echelon } from './gf2'

export interface ParityParams {
  d: number
  m: number
  s: number
  q: number
  trials: number
  delta: number
}

/** ln prior(w) for D_mix: prior(w) = ½·2^{−d} + ½·2^{−s}·1[w ∈ F_s]. */
export function logPrior(inFs: boolean, d: number, s: number): number {
  const LN2 = Math.LN2
  return inFs ? Math.log(0.5 * 2 ** -d + 0.5 * 2 ** -s) : -(d + 1) * LN2
}

/**
 * The exact posterior probability that the output is the target, given S:
 *   p0 = prior(A(S)) / Σ_{w consistent with S} prior(w)
 *      = (½·2^{−d} + ½·2^{−s}·1[A(S) ∈ F_s]) / (½·2^{−s}·N_F + ½·2^{−d}·N_all),
 * N_F = 2^{s − rank X_s} (0 if X_s w = y is inconsistent), N_all = 2^{d − rank X}; every power is
 * formed from the rank exponents, never by enumerating the version space.
 */
export function posteriorCorrect(outInFs: boolean, d: number, s: number, rankX: number, rankXs: number, xsConsistent: boolean): number {
  const num = 0.5 * 2 ** -d + (outInFs ? 0.5 * 2 ** -s : 0)
  const den = (xsConsistent ? 0.5 * 2 ** -rankXs : 0) + 0.5 * 2 ** -rankX
  return Math.min(1, num / den)
}

/** Classic VC bound for a consistent hypothesis, VC dimension d: min(1, (2/m)(d·log2(2em/d) + log2(2/δ))). */
export function vcBound(d: number, m: number, delta: number): number {
  return Math.min(1, (2 / m) * (d * Math.log2((2 * Math.E * m) / d) + Math.log2(2 / delta)))
}

/** Occam / PAC-Bayes bound with the D_mix prior: (ln(1/prior(h)) + ln(1/δ))/m (not capped at 1). */
export function occamBound(outInFs: boolean, d: number, s: number, m: number, delta: number): number {
  return (-logPrior(outInFs, d, s) + Math.log(1 / delta)) / m
}

/**
 * E_r[2^{−(s−r)}] for r the rank of a uniformly random m×s matrix over GF(2), with
 * P(rank = r) = 2^{−ms} Π_{i<r} (2^m − 2^i)(2^s − 2^i)/(2^r − 2^i): the learnability on F_s
 * that A_{s,1} (free variables 0) must have.
 */
export function rankTheoryLearnability(m: number, s: number): number {
  let total = 0
  for (let r = 0; r <= Math.min(m, s); r++) {
    let log2P = -m * s
    for (let i = 0; i < r; i++) {
      log2P += m + Math.log2(1 - 2 ** (i - m)) + s + Math.log2(1 - 2 ** (i - s)) - r - Math.log2(1 - 2 ** (i - r))
    }
    total += 2 ** (log2P + r - s)
  }
  return total
}

export interface AlgorithmOutput {
  w: number
  usedBias: boolean
}

/**
 * A_{s,q}(S): u(S) and the free-variable coins come from a generator seeded by a hash of S, so
 * the output is a function of S alone. If u(S) < q and X_s w = y is consistent, output the
 * F_s-consistent parity with free variables 0 (all F_s-consistent parities have the same
 * posterior); otherwise a uniformly random member of the full version space {w : Xw = y}
 * (free variables set to random bits: "free variables = 0" would itself be a bias towards F_s).
 */
export function algorithm(rows: Int32Array, m: number, q: number, full: Echelon, restricted: Echelon): AlgorithmOutput {
  const coins = new Rng(hashWords(rows, m), 'A')
  const u = coins.uniform()
  if (u < q && restricted.consistent) return { w: solution(restricted, 0), usedBias: true }
  return { w: solution(full, coins.nextUint32() | 0), usedBias: false }
}

/** What one trial produced (the scratch it points into is reused by the next trial). */
export interface TrialOutcome {
  wStar: number
  /** w* lies in F_s */
  inFs: boolean
  out: AlgorithmOutput
  /** A's output lies in F_s */
  outInFs: boolean
  /** 0-1 loss of A's output against f_{w*}: 0, or 1/2 (a wrong parity errs on half the points) */
  L: number
  /** exact posterior probability that A's output is f_{w*} */
  p0: number
  full: Echelon
  restricted: Echelon
}

/**
 * One trial, with its scratch allocated once: draw w* from the mixture prior (F_s or F_d, each
 * with probability 1/2) and m uniform points of F_2^d labelled by the parity, eliminate [X | y]
 * and [X_s | y] over GF(2), run A_{s,q} and compute the exact posterior p0. The solver and its
 * bench (bench/studies) both call this.
 */
export function parityTrial(d: number, m: number, s: number, q: number): (rng: Rng) => TrialOutcome {
  const maskD = coordMask(d)
  const maskS = coordMask(s)
  const rows = new Int32Array(m)
  const full = newEchelon(m)
  const restricted = newEchelon(m)
  return (rng) => {
    const fromFs = rng.uniform() < 0.5
    const word = rng.nextUint32() | 0
    const wStar = fromFs ? word & maskS : word & maskD
    for (let j = 0; j < m; j++) {
      const x = (rng.nextUint32() | 0) & maskD
      rows[j] = x | (parity(x & wStar) ? Y_BIT : 0)
    }
    eliminate(rows, m, maskD, full)
    eliminate(rows, m, maskS, restricted)
    const out = algorithm(rows, m, q, full, restricted)
    const outInFs = (out.w & ~maskS) === 0
    const p0 = posteriorCorrect(outInFs, d, s, full.rank, restricted.rank, restricted.consistent)
    return { wStar, inFs: (wStar & ~maskS) === 0, out, outInFs, L: out.w === wStar ? 0 : 0.5, p0, full, restricted }
  }
}

/**
 * `trials` independent draws (w* ~ D_mix, S of m uniform points labelled by f_{w*}), each run
 * through A_{s,q}; records the per-trial quantities and running aggregates against the trial
 * count. The draws use the same number of words for every (s, q), so settings with one seed are
 * coupled (common random numbers).
 */
export function solveParity(p: ParityParams, ctx: SolveContext): void {
  const { d, m, s, q, trials, delta } = p
  const rng = ctx.rng
  const trial = parityTrial(d, m, s, q)
  const vc = vcBound(d, m, delta)
  let nFs = 0
  let learnedFs = 0
  let learned = 0
  let inest = 0
  let bayesFail = 0
  let occamSum = 0
  let occamCount = 0
  let occamValid = 0
  let eStarSum = 0
  let lossSum = 0
  let rankTheorySum = 0
  let biasUsed = 0
  for (let t = 0; t < trials; t++) {
    if ((t & 63) === 0 && ctx.cancelled) return
    const { inFs, out, outInFs, L, p0, full, restricted } = trial(rng)
    const eStar = (1 - p0) / 2
    const occam = occamBound(outInFs, d, s, m, delta)
    if (inFs) {
      nFs++
      if (L === 0) {
        learnedFs++
        occamSum += occam
        occamCount++
      }
    }
    if (L === 0) learned++
    if (out.usedBias) biasUsed++
    inest += Math.min(p0, 1 - p0)
    if (Math.abs(eStar - L) >= 0.25) bayesFail++
    if (occam >= L) occamValid++
    eStarSum += eStar
    lossSum += L
    rankTheorySum += 2 ** (restricted.rank - s)
    const n = t + 1
    const row: Record<string, number> = {
      inFs: inFs ? 1 : 0,
      L,
      p0,
      eStar,
      rankX: full.rank,
      rankXs: restricted.rank,
      usedBias: out.usedBias ? 1 : 0,
      occam,
      vc,
      pL0Mix: learned / n,
      inestimability: inest / n,
      bayesFailure: bayesFail / n,
      occamValidFraction: occamValid / n,
      eStarMean: eStarSum / n,
      lossMean: lossSum / n,
      biasFraction: biasUsed / n,
      rankTheoryObserved: rankTheorySum / n,
    }
    if (nFs > 0) row.learnabilityFs = learnedFs / nFs
    if (occamCount > 0) row.occamMean = occamSum / occamCount
    ctx.record(n, row)
    if ((t & 255) === 0) ctx.progress(n / trials)
  }
  ctx.progress(1)
}
