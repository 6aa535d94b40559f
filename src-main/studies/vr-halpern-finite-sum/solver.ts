/**
 * Builds the problem a run asks for, resolves the step sizes the spec and the official
 * scripts give, and runs one method. Data come from the 'data' stream; the algorithms'
 * sampling (PAGE coins and batches, VR indices and snapshot coins) from the stream
 * 'sampling#<algoSeed>', so "same problem, other sampling" is one param away.
 */
import type { SolveContext } from '../../kit'
import {
  algorithm1,
  algorithm2,
  deterministicHalpern,
  extraAnchoredGradient,
  extragradient,
  OracleTracker,
  varianceReducedEG,
  type MethodName,
  type MethodSettings,
} from './methods'
import {
  HardQpProblem,
  leastSquaresData,
  LeastSquaresProblem,
  MatrixGameProblem,
  policemanBurglarMatrix,
  type FiniteSumProblem,
} from './problems'

export interface VrHalpernParams {
  problem: 'A' | 'B' | 'D'
  method: MethodName
  N: number
  d: number
  noiseScale: number
  rowMean: number
  n: number
  decay: number
  scaling: 'rows' | 'columns'
  epochs: number
  etaAlg1: number
  etaHalpern: number
  etaBaseline: number
  batch: number
  innerFactor: number
  snapshot: 'inner' | 'outer'
  baseline: boolean
  algoSeed: number
}

export const DEFAULT_EPOCHS = { A: 300, B: 1000, D: 5000 } as const

export function buildProblem(p: VrHalpernParams, ctx: SolveContext): FiniteSumProblem {
  if (p.problem === 'A') return new LeastSquaresProblem(leastSquaresData(ctx.stream('data'), p.N, p.d, p.rowMean, p.noiseScale))
  if (p.problem === 'B') return new MatrixGameProblem(policemanBurglarMatrix(ctx.stream('data'), p.n, p.decay, p.scaling), p.n)
  return new HardQpProblem(p.n)
}

/**
 * Step sizes. Transcribed from the official scripts where they exist (game: EG and EAG
 * 5/‖A‖₂, Algorithm 1 5/‖A‖_F, VR-EG 3√p/‖A‖_F, Algorithm 2 c = √n/‖A‖_F and
 * γ = 5√(p(1−p))/(√n+1); QP: Algorithm 1 0.3, EG 0.5, VR-EG 0.01, Algorithm 2 c = √n and
 * γ = 0.001); this study's choices otherwise (problem A: Algorithm 1 2/L_avg, EG and EAG
 * 1/L_F, VR methods with L_avg in place of ‖A‖_F; deterministic Halpern 2/L_F, on the QP
 * 2/(‖H‖₂ + ‖A‖₂); EAG on the QP 1/‖M‖₂ — see README for why).
 */
export function stepSize(problem: FiniteSumProblem, method: MethodName, p: Pick<VrHalpernParams, 'etaAlg1' | 'etaHalpern' | 'etaBaseline'>): number {
  const { kind, lipF, lipAvg, n } = problem
  switch (method) {
    case 'halpern':
      if (p.etaHalpern > 0) return p.etaHalpern
      // on the QP 2/‖M‖₂ diverges (M is not cocoercive); 2/(‖H‖₂ + ‖A‖₂) = 2 gives the spec's reference
      return problem instanceof HardQpProblem ? 2 / problem.blockLipschitz : 2 / lipF
    case 'alg1':
      if (p.etaAlg1 > 0) return p.etaAlg1
      return kind === 'A' ? 2 / lipAvg : kind === 'B' ? 5 / lipAvg : 0.3
    case 'eg':
      if (p.etaBaseline > 0) return p.etaBaseline
      return kind === 'B' ? 5 / lipF : kind === 'D' ? 0.5 : 1 / lipF
    case 'eag':
      if (p.etaBaseline > 0) return p.etaBaseline
      // QP: 1/‖M‖₂ (the script's 0.3 is tuned for its 10⁶ epochs and barely moves in 5000)
      return kind === 'B' ? 5 / lipF : 1 / lipF
    case 'vreg':
      if (p.etaBaseline > 0) return p.etaBaseline
      return kind === 'D' ? 0.01 : (3 * Math.sqrt(1 / n)) / lipAvg
    case 'alg2':
      return kind === 'D' ? 0.001 : (5 * Math.sqrt((1 / n) * (1 - 1 / n))) / (Math.sqrt(n) + 1)
  }
}

export function resolventScale(problem: FiniteSumProblem): number {
  return problem.kind === 'D' ? Math.sqrt(problem.n) : Math.sqrt(problem.n) / problem.lipAvg
}

/** Run the method `p` asks for on `problem`, recording through ctx; returns the last iterate. */
export function runMethod(problem: FiniteSumProblem, p: VrHalpernParams, ctx: SolveContext): Float64Array {
  const epochs = p.epochs > 0 ? p.epochs : DEFAULT_EPOCHS[p.problem]
  const settings: MethodSettings = {
    epochs,
    eta: stepSize(problem, p.method, p),
    batch: p.batch > 0 ? Math.min(p.batch, problem.n) : Math.floor(Math.sqrt(problem.n)),
    innerFactor: p.innerFactor,
    resolventScale: resolventScale(problem),
    innerStep: stepSize(problem, 'alg2', p),
    snapshot: p.snapshot,
    recordEveryIteration: problem.kind === 'A',
    baselineResiduals: null,
  }
  if (p.baseline && problem.kind === 'A' && p.method !== 'halpern') {
    settings.baselineResiduals = deterministicHalpern(problem, stepSize(problem, 'halpern', p), Math.ceil(epochs), null, ctx).residuals
  }
  const tracker = new OracleTracker(ctx, problem, settings)
  const rng = ctx.stream(`sampling#${p.algoSeed}`)
  switch (p.method) {
    case 'halpern':
      return deterministicHalpern(problem, settings.eta, Math.ceil(epochs), tracker, ctx).u
    case 'alg1':
      return algorithm1(problem, settings, tracker, rng, ctx)
    case 'alg2':
      return algorithm2(problem, settings, tracker, rng, ctx)
    case 'eg':
      return extragradient(problem, settings, tracker, ctx)
    case 'eag':
      return extraAnchoredGradient(problem, settings, tracker, ctx)
    case 'vreg':
      return varianceReducedEG(problem, settings, tracker, rng, ctx)
  }
}

export function solveVrHalpern(p: VrHalpernParams, ctx: SolveContext): void {
  runMethod(buildProblem(p, ctx), p, ctx)
}
