/**
 * Learning to Relax (Khodak, Chow, Balcan, Talwalkar; ICLR 2024, arXiv 2310.02246): choosing the
 * SOR relaxation ω for each system of a stream A_t = A0 + c_t·I from iteration counts alone, with
 * Tsallis-INF (bandit), Tsallis-INF-CB and ChebCB (contextual bandits seeing c_t), against fixed
 * ω, the best fixed grid ω in hindsight and the instance-optimal ω*(c). Transcribed from the
 * authors' MATLAB code (mkhodak/learning-to-relax).
 */
import { compare, defineStudy, param, type FigureView, type ParamsOf, type RunView } from '../../kit'
import { linspace, omegaSteps, runComparators, runDegenerate, runStream } from './solver'
import { bestFixed, instanceCount, lastQuarterStart, meanCost, modalValue } from './stats'

const params = {
  experiment: param.choice({
    label: 'experiment',
    help: 'stream: a sequence of T systems solved by every policy (learning.m, contextual.m); comparators: mean cost vs ω with the near-asymptotic bound (comparators.m); degenerate: c = 0, cost vs ω for random b against an eigenvector b (degenerate.m)',
    default: 'stream',
    choices: ['stream', 'comparators', 'degenerate'] as const,
  }),
  T: param.integer({ label: 'T (instances)', help: 'number of systems in the stream (the paper: 5000)', default: 2000, min: 4, max: 20000 }),
  shiftDistribution: param.choice({
    label: 'shift law',
    help: 'c_t = −0.15 + 0.6·Beta(0.5, 1.5) (high variance) or Beta(2, 6) (low variance)',
    default: 'high',
    choices: ['high', 'low'] as const,
  }),
  omegaMin: param.number({ label: 'ω grid: first', help: 'smallest arm of the grid linspace(ωmin, ωmax, count)', default: 1, min: 0.05, max: 1.99 }),
  omegaMax: param.number({ label: 'ω grid: last', help: 'largest arm; must stay below 2 (SOR diverges at ω ≥ 2)', default: 1.95, min: 0.05, max: 2, exclusiveMax: true }),
  omegaCount: param.integer({ label: 'ω grid: arms', help: 'number of arms d', default: 20, min: 2, max: 200 }),
  tolerance: param.number({ label: 'tolerance', help: 'relative residual ‖b − Ax‖/‖b‖ that stops SOR', default: 1e-8, min: 1e-14, max: 0.1, log: true }),
  maxIterations: param.integer({ label: 'SOR cap', help: 'SOR iteration cap (sor.m: 10000)', default: 10000, min: 1, max: 100000 }),
  rhsNormMax: param.number({ label: '‖b‖ bound', help: 'b ~ N(0, I) redrawn until ‖b‖ ≤ this (truncated_normal.m: √n = 10)', default: 10, min: 1, max: 100 }),
  tsallisNewton: param.choice({
    label: 'Tsallis-INF Newton',
    help: 'shifted: Newton from x = −1 on the normalised losses L/s − min L/s ≥ 0 (stays below the pole; the exact Tsallis-INF distribution); source: the literal MATLAB iteration on raw L/s, which overshoots past the pole once min L/s ≫ 1',
    default: 'shifted',
    choices: ['shifted', 'source'] as const,
  }),
  newtonSteps: param.integer({ label: 'Newton steps', help: 'Tsallis-INF normalisation steps', default: 20, min: 1, max: 200 }),
  chebDegree: param.integer({ label: 'Chebyshev degree', help: 'ChebCB features T_0..T_deg of the context', default: 5, min: 1, max: 12 }),
  contextBins: param.integer({ label: 'context bins', help: 'Tsallis-INF-CB cells on [−0.15, 0.65]', default: 5, min: 1, max: 50 }),
  fixedOmegas: param.text({ label: 'fixed ω', help: 'comma-separated fixed-ω comparators', default: '1.0,1.2,1.4,1.6,1.8', maxLength: 200 }),
  replayTable: param.boolean({ label: 'replay table', help: 'solve every grid ω on every instance (needed for the best fixed ω in hindsight, the grid-best and the cost-vs-ω curve; ≈ 20× the learners’ cost)', default: true }),
  learnerSeed: param.integer({ label: 'learner seed', help: 'seed of the learners’ sampling streams; −1 means 1000 + the run seed (data seed s pairs with learner seed 1000 + s)', default: -1, min: -1, max: 1e9 }),
  movingWindow: param.integer({ label: 'moving-average window', help: 'instances in the moving-average cost', default: 100, min: 1, max: 5000 }),
  comparatorInstances: param.integer({ label: 'comparators: instances', help: 'random systems averaged in the comparators experiment (comparators.m: 40)', default: 40, min: 1, max: 1000 }),
  comparatorStep: param.number({ label: 'comparators: ω step', help: 'ω grid step from 1 to 1.95 (comparators.m: 0.01 to 1.99)', default: 0.05, min: 0.005, max: 0.5 }),
  powerSteps: param.integer({ label: 'comparators: power steps', help: 'power-iteration steps for ‖C^(k−1)‖₂ in τ', default: 8, min: 1, max: 200 }),
  degenerateShift: param.number({ label: 'degenerate: c', help: 'diagonal shift of the degenerate experiment', default: 0, min: -0.15, max: 0.65 }),
  degenerateOmega: param.number({ label: 'degenerate: ω of b', help: 'b is an eigenvector of the residual iteration matrix at this ω', default: 1.4, min: 1.01, max: 1.99 }),
  degenerateStep: param.number({ label: 'degenerate: ω step', help: 'ω grid step from 1 to 1.9 (degenerate.m: 0.001)', default: 0.01, min: 0.001, max: 0.1 }),
  degenerateSamples: param.integer({ label: 'degenerate: random b', help: 'random right-hand sides per ω (degenerate.m: 40)', default: 40, min: 1, max: 1000 }),
}

type P = ParamsOf<typeof params>

export function parseFixedOmegas(text: string): number[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number)
}

function gridOf(p: { omegaMin: number; omegaMax: number; omegaCount: number }): Float64Array {
  return linspace(p.omegaMin, p.omegaMax, p.omegaCount)
}

function gridOfRun(run: RunView): Float64Array {
  return gridOf(run.params as unknown as P)
}

const POLICY_COSTS = [
  ['TsallisInf', 'costTsallisInf'],
  ['ChebCB', 'costChebCB'],
  ['TsallisInfCB', 'costTsallisInfCB'],
  ['InstanceOptimal', 'costInstanceOptimal'],
  ['GridBest', 'costGridBest'],
] as const

const stream = (label: string, extra: Record<string, number | string | boolean> = {}) => ({
  label,
  params: { experiment: 'stream', T: 2000, shiftDistribution: 'high', ...extra },
})

const cumulativeChart = {
  kind: 'series' as const,
  id: 'cumulative-cost',
  title: 'Total SOR iterations vs instances solved (the paper’s “instances remaining vs total iterations”, axes swapped)',
  x: 'iteration',
  y: ['cumTsallisInf', 'cumChebCB', 'cumTsallisInfCB', 'cumInstanceOptimal', 'prefixBestFixed', 'cumFixed'],
}
const movingChart = {
  kind: 'series' as const,
  id: 'moving-average-cost',
  title: 'Moving-average cost per instance',
  x: 'iteration',
  y: ['movingCostTsallisInf', 'movingCostChebCB', 'movingCostTsallisInfCB', 'movingCostGridBest', 'movingCostInstanceOptimal'],
  logY: true,
}
const chosenChart = {
  kind: 'series' as const,
  id: 'chosen-omega',
  title: 'Chosen ω vs t (ω*(c_t) for reference)',
  x: 'iteration',
  y: ['omegaTsallisInf', 'omegaChebCB', 'omegaTsallisInfCB', 'omegaStar'],
}
const contextChart = { kind: 'series' as const, id: 'context', title: 'Diagonal shift c_t', x: 'iteration', y: ['context'] }
const costVsOmegaChart = {
  kind: 'series' as const,
  id: 'cost-vs-omega',
  title: 'Mean iterations vs ω over the grid, with the best-fixed, grid-best and instance-optimal levels',
  x: 'gridOmega',
  y: ['gridMeanCost', 'bestFixedLevel', 'gridBestLevel', 'instanceOptimalLevel'],
  logY: true,
}
const regretChart = {
  kind: 'series' as const,
  id: 'regret-per-instance',
  title: 'Regret/t against the best fixed grid ω in hindsight over the first t instances',
  x: 'iteration',
  y: ['regretPerInstanceTsallisInf', 'regretPerInstanceChebCB', 'regretPerInstanceTsallisInfCB'],
  logX: true,
  overlays: [{ kind: 'powerLaw' as const, slope: -0.5, anchorX: 100, label: '∝ t^(−1/2) (O(√(dT)) regret)' }],
}
const probChart = { kind: 'series' as const, id: 'tsallis-prob', title: 'Tsallis-INF arm probabilities', x: 'iteration', y: ['tsallisProb'], logY: true }

function streamClaimStats(run: RunView) {
  const T = instanceCount(run)
  const from = lastQuarterStart(T)
  const grid = gridOfRun(run)
  const bf = bestFixed(run, grid)
  return {
    T,
    from,
    bf,
    bfLastQuarter: meanCost(run, `gridCost[${bf.index}]`, from),
    optMean: meanCost(run, 'costInstanceOptimal'),
    optLastQuarter: meanCost(run, 'costInstanceOptimal', from),
  }
}

function ratioClaim(fig: FigureView, learner: 'TsallisInf' | 'ChebCB', against: 'bestFixed' | 'instanceOptimal', bound: number) {
  const run = fig.run('all policies')
  const s = streamClaimStats(run)
  const lq = meanCost(run, `cost${learner}`, s.from)
  const all = meanCost(run, `cost${learner}`)
  const den = against === 'bestFixed' ? s.bfLastQuarter : s.optLastQuarter
  const ratio = lq / den
  const denName = against === 'bestFixed' ? `best fixed ω = ${s.bf.omega.toFixed(2)}` : 'instance-optimal ω*(c)'
  return {
    passed: ratio <= bound,
    measured: `${compare('ratio', ratio, '≤', bound)}: ${learner} last quarter (t = ${s.from}..${s.T}) ${lq.toFixed(1)} vs ${denName} ${den.toFixed(1)} over the same quarter; ${learner} mean over all t ${all.toFixed(1)}`,
  }
}

export default defineStudy({
  id: 'sor-bandit-learning-to-relax',
  title: 'Learning to relax: bandits choosing the SOR ω across a stream of linear systems',
  paper: {
    title: 'Learning to Relax: Setting Solver Parameters Across a Sequence of Linear System Instances',
    authors: 'Mikhail Khodak, Edmond Chow, Maria-Florina Balcan, Ameet Talwalkar',
    year: 2024,
    arxiv: '2310.02246',
  },
  summary:
    'A stream of 10×10 shifted 5-point Laplacians A0 + c_t·I is solved by SOR, and ω is chosen per system from iteration counts alone. Tsallis-INF approaches the best fixed ω in hindsight (≈ 103 iterations vs ≈ 600 at ω = 1); the contextual bandit ChebCB, seeing c_t, approaches the instance-optimal ω*(c) (≈ 64 vs ≈ 56), far below any fixed ω.',
  params,
  metrics: {
    context: { label: 'c_t', scale: 'linear', help: 'diagonal shift of instance t' },
    omegaTsallisInf: { label: 'ω Tsallis-INF', scale: 'linear' },
    omegaChebCB: { label: 'ω ChebCB', scale: 'linear' },
    omegaTsallisInfCB: { label: 'ω Tsallis-INF-CB', scale: 'linear' },
    omegaStar: { label: 'ω*(c_t)', scale: 'linear', help: '1 + (β/(1 + √(1 − β²)))², β = 4cos(π/11)/(4 + c)' },
    costTsallisInf: { label: 'cost Tsallis-INF', unit: 'iterations', scale: 'log' },
    costChebCB: { label: 'cost ChebCB', unit: 'iterations', scale: 'log' },
    costTsallisInfCB: { label: 'cost Tsallis-INF-CB', unit: 'iterations', scale: 'log' },
    costInstanceOptimal: { label: 'cost at ω*(c_t)', unit: 'iterations', scale: 'log' },
    costGridBest: { label: 'grid-best cost', unit: 'iterations', scale: 'log', help: 'min over the grid on this instance' },
    costFixed: { label: 'cost fixed ω', unit: 'iterations', scale: 'log', vector: true, help: 'one component per fixed ω' },
    gridCost: { label: 'replay table row', unit: 'iterations', scale: 'log', vector: true, help: 'cost of every grid ω on instance t' },
    cumTsallisInf: { label: 'total Tsallis-INF', unit: 'iterations', scale: 'linear' },
    cumChebCB: { label: 'total ChebCB', unit: 'iterations', scale: 'linear' },
    cumTsallisInfCB: { label: 'total Tsallis-INF-CB', unit: 'iterations', scale: 'linear' },
    cumInstanceOptimal: { label: 'total instance-optimal', unit: 'iterations', scale: 'linear' },
    cumGridBest: { label: 'total grid-best', unit: 'iterations', scale: 'linear' },
    cumFixed: { label: 'total fixed ω', unit: 'iterations', scale: 'linear', vector: true },
    instancesRemaining: { label: 'instances remaining', scale: 'linear' },
    prefixBestFixed: { label: 'total best fixed ω over the first t (hindsight)', unit: 'iterations', scale: 'linear', help: 'min over the grid of the cumulative cost of a fixed ω; at t = T the best fixed ω in hindsight' },
    tsallisProb: { label: 'Tsallis-INF p', scale: 'log', vector: true },
    regretOptTsallisInf: { label: 'regret vs ω*, Tsallis-INF', unit: 'iterations', scale: 'linear' },
    regretOptChebCB: { label: 'regret vs ω*, ChebCB', unit: 'iterations', scale: 'linear' },
    regretOptTsallisInfCB: { label: 'regret vs ω*, Tsallis-INF-CB', unit: 'iterations', scale: 'linear' },
    regretPerInstanceTsallisInf: { label: 'regret/t Tsallis-INF', unit: 'iterations', scale: 'linear' },
    regretPerInstanceChebCB: { label: 'regret/t ChebCB', unit: 'iterations', scale: 'linear' },
    regretPerInstanceTsallisInfCB: { label: 'regret/t Tsallis-INF-CB', unit: 'iterations', scale: 'linear' },
    movingCostTsallisInf: { label: 'moving cost Tsallis-INF', unit: 'iterations', scale: 'log' },
    movingCostChebCB: { label: 'moving cost ChebCB', unit: 'iterations', scale: 'log' },
    movingCostTsallisInfCB: { label: 'moving cost Tsallis-INF-CB', unit: 'iterations', scale: 'log' },
    movingCostGridBest: { label: 'moving cost grid-best', unit: 'iterations', scale: 'log' },
    movingCostInstanceOptimal: { label: 'moving cost ω*', unit: 'iterations', scale: 'log' },
    gridOmega: { label: 'ω (grid)', scale: 'linear', help: 'x column of the cost-vs-ω rows' },
    gridMeanCost: { label: 'mean cost at ω', unit: 'iterations', scale: 'log' },
    bestFixedLevel: { label: 'best fixed (level)', unit: 'iterations', scale: 'log' },
    gridBestLevel: { label: 'grid-best per instance (level)', unit: 'iterations', scale: 'log' },
    instanceOptimalLevel: { label: 'instance-optimal (level)', unit: 'iterations', scale: 'log' },
    quarter: { label: 'quarter', scale: 'linear', help: 'x column of the per-quarter rows' },
    quarterMeanTsallisInf: { label: 'quarter mean Tsallis-INF', unit: 'iterations', scale: 'log' },
    quarterMeanChebCB: { label: 'quarter mean ChebCB', unit: 'iterations', scale: 'log' },
    quarterMeanTsallisInfCB: { label: 'quarter mean Tsallis-INF-CB', unit: 'iterations', scale: 'log' },
    quarterMeanBestFixed: { label: 'quarter mean best fixed', unit: 'iterations', scale: 'log' },
    quarterMeanInstanceOptimal: { label: 'quarter mean ω*', unit: 'iterations', scale: 'log' },
    sortedContext: { label: 'c (sorted)', scale: 'linear', help: 'x column of the instances sorted by c' },
    sortedGridCost: { label: 'cost over (c, ω)', unit: 'iterations', scale: 'log', vector: true },
    sortedOmegaStar: { label: 'ω*(c)', scale: 'linear' },
    sortedPickTsallisInf: { label: 'Tsallis-INF pick', scale: 'linear' },
    sortedPickChebCB: { label: 'ChebCB pick', scale: 'linear' },
    sortedPickTsallisInfCB: { label: 'Tsallis-INF-CB pick', scale: 'linear' },
    sortedCostInstanceOptimal: { label: 'cost at ω*(c)', unit: 'iterations', scale: 'log' },
    chebContext: { label: 'c (ChebCB snapshot)', scale: 'linear' },
    chebPredictedCost: { label: 'ChebCB predicted cost per ω', unit: 'iterations', scale: 'linear', vector: true },
    omega: { label: 'ω', scale: 'linear', help: 'x column of the degenerate experiment' },
    degenerateCost: { label: 'cost, eigenvector b', unit: 'iterations', scale: 'log' },
    randomMeanCost: { label: 'mean cost, random b', unit: 'iterations', scale: 'log' },
    randomMinCost: { label: 'min cost, random b', unit: 'iterations', scale: 'log' },
    randomMaxCost: { label: 'max cost, random b', unit: 'iterations', scale: 'log' },
    omegaStarLevel: { label: 'ω*', scale: 'linear' },
    comparatorActual: { label: 'mean actual cost', unit: 'iterations', scale: 'log' },
    comparatorBound: { label: 'near-asymptotic bound', unit: 'iterations', scale: 'log', help: '1 + log ε / log(ρ + τ(1 − ρ)), comparators.m' },
    comparatorActualBest: { label: 'instance-optimal actual (level)', unit: 'iterations', scale: 'log' },
    comparatorBoundBest: { label: 'instance-optimal bound (level)', unit: 'iterations', scale: 'log' },
    comparatorTau: { label: 'mean τ', scale: 'linear' },
  },
  oracles: { sweeps: 'SOR sweeps (each with its residual)' },
  charts: [cumulativeChart, movingChart, chosenChart, costVsOmegaChart, regretChart, contextChart, probChart],
  figures: [
    {
      id: 'instances-remaining',
      title: 'High variance: total iterations of every policy (paper Fig. “instances remaining vs total iterations”)',
      description: 'c_t = −0.15 + 0.6·Beta(0.5, 1.5), T = 2000, all learners and comparators on the same instances; data seed s, learner seed 1000 + s.',
      runs: [stream('all policies')],
      charts: [cumulativeChart, chosenChart, movingChart],
      seeds: [0, 1, 2],
    },
    {
      id: 'instances-remaining-low-variance',
      title: 'Low variance: total iterations of every policy',
      description: 'c_t = −0.15 + 0.6·Beta(2, 6), T = 2000.',
      runs: [stream('all policies', { shiftDistribution: 'low' })],
      charts: [cumulativeChart, chosenChart, movingChart],
      seeds: [0, 1, 2],
    },
    {
      id: 'cost-vs-omega',
      title: 'Mean iterations vs ω (comparators.m), log y',
      description: 'Mean replay-table cost per grid ω with the best-fixed, grid-best and instance-optimal levels, for both shift laws.',
      runs: [
        stream('high variance'),
        stream('low variance', { shiftDistribution: 'low' }),
        { label: 'bound, high variance', params: { experiment: 'comparators', shiftDistribution: 'high' } },
        { label: 'bound, low variance', params: { experiment: 'comparators', shiftDistribution: 'low' } },
      ],
      charts: [
        { ...costVsOmegaChart, runs: ['high variance', 'low variance'] },
        {
          kind: 'series',
          id: 'near-asymptotic-bound',
          title: 'Actual mean cost vs the near-asymptotic bound over ω (40 instances), with the instance-optimal levels, log y',
          x: 'omega',
          y: ['comparatorActual', 'comparatorBound', 'comparatorActualBest', 'comparatorBoundBest'],
          logY: true,
          runs: ['bound, high variance', 'bound, low variance'],
        },
      ],
    },
    {
      id: 'moving-average-cost',
      title: 'Moving average of the cost per instance',
      description: 'Window 100, high variance, T = 2000.',
      runs: [stream('all policies')],
      charts: [movingChart],
    },
    {
      id: 'chosen-omega',
      title: 'Chosen ω vs t with the context c_t',
      description: 'The ChartSpec has no colour-by; c_t is drawn in its own panel and ω*(c_t) as a series.',
      runs: [stream('all policies')],
      charts: [chosenChart, contextChart],
    },
    {
      id: 'cost-heatmap',
      title: 'Cost over (c, ω) from the replay table, with ω*(c) and the learners’ picks',
      description: 'Instances sorted by c: the heat map of cost over (c, ω) (log colour), the same as one line per grid ω, ω*(c) and each learner’s pick against c, and ChebCB’s final fitted cost curves.',
      runs: [stream('all policies')],
      charts: [
        {
          kind: 'heatmap',
          id: 'cost-heat',
          title: 'Cost (iterations) over (c, ω): rows are instances sorted by c (log colour)',
          source: { from: 'rows', metric: 'sortedGridCost', y: 'sortedContext', xValues: 'gridOmega' },
          xLabel: 'ω (grid)',
          yLabel: 'c',
          logColor: true,
        },
        { kind: 'series', id: 'cost-over-c', title: 'Cost of each grid ω vs c', x: 'sortedContext', y: ['sortedGridCost', 'sortedCostInstanceOptimal'], logY: true },
        { kind: 'series', id: 'picks-over-c', title: 'ω*(c) and the learners’ picks vs c', x: 'sortedContext', y: ['sortedOmegaStar', 'sortedPickChebCB', 'sortedPickTsallisInfCB', 'sortedPickTsallisInf'] },
        { kind: 'series', id: 'chebcb-curves', title: 'ChebCB predicted cost per ω vs c (snapshot at t = T)', x: 'chebContext', y: ['chebPredictedCost'] },
      ],
    },
    {
      id: 'long-horizon',
      title: 'Long horizon: T = 5000, data seed 0, learner seeds 1000–1002',
      description: 'Per-quarter mean costs and regret/t against the best fixed ω; heavy (three 5000-instance replay tables): use 2 workers.',
      runs: [1000, 1001, 1002].map((s) => stream(`learner seed ${s}`, { T: 5000, learnerSeed: s })),
      charts: [
        {
          kind: 'series',
          id: 'quarter-means',
          title: 'Per-quarter mean cost',
          x: 'quarter',
          y: ['quarterMeanTsallisInf', 'quarterMeanChebCB', 'quarterMeanTsallisInfCB', 'quarterMeanBestFixed', 'quarterMeanInstanceOptimal'],
          logY: true,
        },
        regretChart,
      ],
      seeds: [0],
    },
    {
      id: 'degenerate-rhs',
      title: 'Degenerate right-hand side (degenerate.m): cost vs ω at c = 0',
      description: 'Mean, min and max over 40 random b per ω against b = an eigenvector of the ω = 1.4 residual iteration matrix (eigenvalue 1 − ω), which converges in 21 sweeps at exactly ω = 1.4.',
      runs: [{ label: 'c = 0', params: { experiment: 'degenerate' } }],
      charts: [
        {
          kind: 'series',
          id: 'degenerate-cost',
          title: 'Cost vs ω: random b (mean, min, max) and the eigenvector b',
          x: 'omega',
          y: ['randomMeanCost', 'randomMinCost', 'randomMaxCost', 'degenerateCost'],
          logY: true,
        },
      ],
    },
  ],
  claims: [
    {
      id: 'fixed-omega-one',
      text: 'High variance, T = 2000: fixed ω = 1.0 costs between 550 and 650 iterations per instance.',
      scope: 'figure',
      figure: 'instances-remaining',
      check: (fig) => {
        const run = fig.run('all policies')
        const idx = parseFixedOmegas(String(run.params.fixedOmegas)).findIndex((w) => Math.abs(w - 1) < 1e-12)
        if (idx < 0) throw new Error('ω = 1.0 is not among the fixed ω')
        const m = meanCost(run, `costFixed[${idx}]`)
        return { passed: m >= 550 && m <= 650, measured: `mean cost at ω = 1.0: ${m.toFixed(1)} ∈ [550, 650] (T = ${instanceCount(run)}, seed ${run.seed})` }
      },
    },
    {
      id: 'best-fixed',
      text: 'High variance, T = 2000: the best fixed grid ω in hindsight costs between 95 and 110 iterations per instance.',
      scope: 'figure',
      figure: 'instances-remaining',
      check: (fig) => {
        const run = fig.run('all policies')
        const bf = bestFixed(run, gridOfRun(run))
        return { passed: bf.mean >= 95 && bf.mean <= 110, measured: `best fixed ω = ${bf.omega.toFixed(2)}: mean ${bf.mean.toFixed(1)} ∈ [95, 110] (seed ${run.seed})` }
      },
    },
    {
      id: 'instance-optimal',
      text: 'High variance, T = 2000: the instance-optimal ω*(c) costs between 50 and 60 iterations per instance.',
      scope: 'figure',
      figure: 'instances-remaining',
      check: (fig) => {
        const run = fig.run('all policies')
        const m = meanCost(run, 'costInstanceOptimal')
        const gb = meanCost(run, 'costGridBest')
        return { passed: m >= 50 && m <= 60, measured: `mean cost at ω*(c): ${m.toFixed(1)} ∈ [50, 60]; grid-best per instance ${gb.toFixed(1)} (seed ${run.seed})` }
      },
    },
    {
      id: 'tsallis-near-best-fixed-high',
      text: 'High variance, T = 2000: Tsallis-INF’s last-quarter mean cost is ≤ 1.25× the best fixed ω’s mean cost over the same quarter.',
      scope: 'figure',
      figure: 'instances-remaining',
      check: (fig) => ratioClaim(fig, 'TsallisInf', 'bestFixed', 1.25),
    },
    {
      id: 'chebcb-near-instance-optimal-high',
      text: 'High variance, T = 2000: ChebCB’s last-quarter mean cost is ≤ 1.2× the instance-optimal cost over the same quarter, and ≤ 0.8× the best fixed ω’s (“far below”).',
      scope: 'figure',
      figure: 'instances-remaining',
      check: (fig) => {
        const a = ratioClaim(fig, 'ChebCB', 'instanceOptimal', 1.2)
        const run = fig.run('all policies')
        const s = streamClaimStats(run)
        const lq = meanCost(run, 'costChebCB', s.from)
        const r2 = lq / s.bfLastQuarter
        return { passed: a.passed && r2 <= 0.8, measured: `${a.measured}; ${compare('vs best fixed', r2, '≤', 0.8)} (${s.bfLastQuarter.toFixed(1)})` }
      },
    },
    {
      id: 'tsallis-near-best-fixed-low',
      text: 'Low variance, T = 2000: Tsallis-INF’s last-quarter mean cost is ≤ 1.1× the best fixed ω’s mean cost over the same quarter.',
      scope: 'figure',
      figure: 'instances-remaining-low-variance',
      check: (fig) => ratioClaim(fig, 'TsallisInf', 'bestFixed', 1.1),
    },
    {
      id: 'chebcb-near-instance-optimal-low',
      text: 'Low variance, T = 2000: ChebCB’s last-quarter mean cost is ≤ 1.2× the instance-optimal cost over the same quarter.',
      scope: 'figure',
      figure: 'instances-remaining-low-variance',
      check: (fig) => ratioClaim(fig, 'ChebCB', 'instanceOptimal', 1.2),
    },
  ],
  validate(p) {
    const out: string[] = []
    if (!(p.omegaMin < p.omegaMax)) out.push('omegaMin must be below omegaMax')
    if (!(p.omegaMax < 2)) out.push('omegaMax must stay below 2: SOR diverges for ω ≥ 2')
    const fixed = parseFixedOmegas(p.fixedOmegas)
    if (fixed.some((w) => !(w > 0 && w < 2))) out.push('fixedOmegas must be numbers in (0, 2), comma-separated')
    if (p.degenerateStep > 0.9) out.push('degenerateStep must be below 0.9')
    return out
  },
  warnings(p) {
    const out: string[] = []
    if (p.experiment === 'stream' && p.replayTable && p.T > 3000) out.push(`the replay table solves ${p.omegaCount} systems per instance: T = ${p.T} takes about ${Math.round((p.T * 6) / 1000)} s of CPU`)
    if (p.experiment === 'stream' && !p.replayTable) out.push('without the replay table there is no best fixed ω in hindsight, grid-best or cost-vs-ω curve')
    return out
  },
  derived(p) {
    return { gridStep: (p.omegaMax - p.omegaMin) / (p.omegaCount - 1) }
  },
  summarize(run) {
    if (run.params.experiment !== 'stream') return {}
    const out: Record<string, number> = {}
    const T = instanceCount(run)
    const from = lastQuarterStart(T)
    for (const [name, col] of POLICY_COSTS) {
      try {
        out[`mean${name}`] = meanCost(run, col)
        out[`lastQuarter${name}`] = meanCost(run, col, from)
      } catch {
        // column absent (no replay table)
      }
    }
    if (run.params.replayTable) {
      const bf = bestFixed(run, gridOfRun(run))
      out.bestFixedOmega = bf.omega
      out.meanBestFixed = bf.mean
      out.lastQuarterBestFixed = meanCost(run, `gridCost[${bf.index}]`, from)
    }
    out.modalOmegaTsallisInfLastQuarter = modalValue(run, 'omegaTsallisInf', from)
    return out
  },
  solve(p, ctx) {
    if (p.experiment === 'comparators') {
      runComparators(
        {
          law: p.shiftDistribution,
          instances: p.comparatorInstances,
          omegas: omegaSteps(1, 1.95, p.comparatorStep),
          tolerance: p.tolerance,
          maxIterations: p.maxIterations,
          rhsNormMax: p.rhsNormMax,
          powerSteps: p.powerSteps,
        },
        ctx,
      )
      return
    }
    if (p.experiment === 'degenerate') {
      runDegenerate(
        {
          shift: p.degenerateShift,
          omegaLo: 1,
          omegaHi: 1.9,
          omegaStep: p.degenerateStep,
          degenerateOmega: p.degenerateOmega,
          samples: p.degenerateSamples,
          tolerance: p.tolerance,
          maxIterations: p.maxIterations,
          rhsNormMax: p.rhsNormMax,
        },
        ctx,
      )
      return
    }
    runStream(
      {
        T: p.T,
        law: p.shiftDistribution,
        omegaGrid: gridOf(p),
        tolerance: p.tolerance,
        maxIterations: p.maxIterations,
        rhsNormMax: p.rhsNormMax,
        newtonSteps: p.newtonSteps,
        chebDegree: p.chebDegree,
        contextBins: p.contextBins,
        fixedOmegas: parseFixedOmegas(p.fixedOmegas),
        replayTable: p.replayTable,
        learnerSeed: p.learnerSeed === -1 ? 1000 + ctx.seed : p.learnerSeed,
        movingWindow: p.movingWindow,
        tsallisNewton: p.tsallisNewton,
      },
      ctx,
    )
  },
})
