/**
 * Balcan, Nguyen & Sharma (2025): data-driven tuning of a hyperparameter α that interpolates the
 * activation between linear (α = 0) and ReLU (α = 1). With the inner problem solved exactly, each
 * task's utility u_x(α) is a low-oscillation function of α, and ERM over N tasks generalises to
 * new tasks: the held-out excess risk falls steadily with N. A demonstration, not a check of the bound.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView } from '../../kit'
import { parseNs, solveSampleComplexity, type DdParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const DEFAULT_NS = '2, 3, 5, 7, 10, 15, 20, 30, 50, 70, 100, 150, 200'

const curvesChart: ChartSpecInput = {
  kind: 'series',
  id: 'utility-curves',
  title: 'u_x(α) for a sample of tasks (validation MSE of the exact ridge solution)',
  y: ['sampleUtility'],
  x: 'oracle:alpha',
  logY: true,
}
const histogramChart: ChartSpecInput = {
  kind: 'series',
  id: 'extrema-histogram',
  title: 'local extrema per utility curve: fraction of tasks',
  y: ['extremaFraction'],
  x: 'oracle:extremaCount',
}
const expectedChart: ChartSpecInput = {
  kind: 'series',
  id: 'expected-utility',
  title: 'E[u](α) over the pool (α* marked), with the training- and held-out-pool means',
  y: ['expectedUtility', 'trainPoolUtility', 'heldOutUtility'],
  x: 'oracle:alpha',
  logY: true,
  overlays: [{ kind: 'events', event: 'alphaStar', label: 'α* = argmin E[u]' }],
}
const excessChart: ChartSpecInput = {
  kind: 'series',
  id: 'excess-vs-n',
  title: 'held-out excess risk of ERM-tuned α̂_N vs N (mean, median, 10–90 % band)',
  y: ['excessMean', 'excessMedian', 'excessQ10', 'excessQ90'],
  x: 'oracle:tasks',
  logX: true,
  logY: true,
  overlays: [{ kind: 'powerLaw', slope: -0.5, anchorX: 10, label: 'C/√N guide' }],
}

const defaultRun = [{ label: 'default', params: {} }]
const SEEDS = [0, 1, 2]

function summaryOf(fig: FigureView) {
  return fig.run('default').summary
}

export default defineStudy({
  id: 'dd-hparam-sample-complexity',
  title: 'Data-driven tuning of an activation hyperparameter: piecewise-structured utility and sample complexity',
  paper: {
    title: 'Sample complexity of data-driven tuning of model hyperparameters in neural networks with structured parameter-dependent dual function',
    authors: 'M.-F. Balcan, A. T. Nguyen, D. Sharma',
    year: 2025,
    arxiv: '2501.13734',
  },
  summary:
    'α interpolates the activation s_α(z) = α·ReLU(z) + (1 − α)·z of a network with a frozen random first layer; the ' +
    'second layer is solved exactly (ridge), so each task’s validation utility u_x(α) is a rational function of α with ' +
    'few local extrema (about 1.2–1.4 per curve). ERM over N training tasks picks α̂_N; its excess risk on held-out tasks ' +
    'falls steadily with N (more than 4× from N = 10 to N = 100). The pseudo-dimension bound itself is not checked.',
  params: {
    inputDim: param.integer({ label: 'input dimension d', help: 'task input dimension', default: 5, min: 1, max: 100 }),
    hiddenUnits: param.integer({ label: 'hidden units M', help: 'frozen random first-layer units (shared by all tasks)', default: 12, min: 1, max: 200 }),
    teacherUnits: param.integer({ label: 'teacher units', help: 'hidden units of each task’s leaky-ReLU teacher', default: 4, min: 1, max: 100 }),
    nTrain: param.integer({ label: 'n_train', help: 'training points per task', default: 25, min: 1, max: 10000 }),
    nVal: param.integer({ label: 'n_val', help: 'validation points per task', default: 50, min: 1, max: 10000 }),
    noiseStd: param.number({ label: 'noise std', help: 'label noise standard deviation', default: 0.1, min: 0, max: 10 }),
    ridge: param.number({ label: 'ridge', help: 'inner ℓ2 penalty on a, added to the mean training loss', default: 1e-3, min: 0, exclusiveMin: true, max: 100, log: true }),
    alphaGrid: param.integer({ label: 'α grid points', help: 'equally spaced α values on [0, 1] (201: step 0.005; 101 for a faster run)', default: 201, min: 3, max: 2001 }),
    poolSize: param.integer({ label: 'expected-utility pool', help: 'tasks averaged for E[u](α) and the extrema statistics: the first poolSize tasks (by default the union of the two ERM pools)', default: 600, min: 1, max: 20000 }),
    trainPool: param.integer({ label: 'ERM training pool', help: 'tasks ERM subsets are drawn from (tasks 1..trainPool)', default: 300, min: 1, max: 10000 }),
    heldOutPool: param.integer({ label: 'held-out pool', help: 'separate tasks on which the excess risk is measured (the next heldOutPool tasks)', default: 300, min: 1, max: 10000 }),
    repetitions: param.integer({ label: 'ERM repetitions', help: 'subset draws per N', default: 200, min: 1, max: 100000 }),
    Ns: param.text({ label: 'N values', help: 'numbers of tuning tasks, strictly increasing, each ≤ the training pool', default: DEFAULT_NS, maxLength: 400 }),
    extremaTol: param.number({ label: 'extrema tolerance', help: 'steps with |Δu| ≤ tol are skipped when counting sign changes of Δu', default: 1e-12, min: 0, exclusiveMin: true, max: 1, log: true }),
    curveSamples: param.integer({ label: 'curves shown', help: 'number of task utility curves drawn in the curves chart', default: 8, min: 1, max: 50 }),
  },
  validate(p) {
    const out: string[] = []
    let Ns: number[] = []
    try {
      Ns = parseNs(p.Ns)
    } catch (e) {
      out.push((e as Error).message)
    }
    if (Ns.length && Ns[Ns.length - 1] > p.trainPool) out.push(`the largest N (${Ns[Ns.length - 1]}) exceeds the ERM training pool (${p.trainPool}): subsets are drawn without replacement`)
    return out
  },
  derived(p) {
    return { tasks: Math.max(p.poolSize, p.trainPool + p.heldOutPool), ridgeSolves: Math.max(p.poolSize, p.trainPool + p.heldOutPool) * p.alphaGrid }
  },
  metrics: {
    expectedUtility: { label: 'E[u](α)', scale: 'log', help: 'mean validation MSE over the expected-utility pool' },
    trainPoolUtility: { label: 'mean u, ERM training pool', scale: 'log' },
    heldOutUtility: { label: 'Ū_held(α)', scale: 'log', help: 'mean over the held-out pool: the risk the excess is measured on' },
    sampleUtility: { label: 'u_x(α), sample tasks', scale: 'log', vector: true },
    extremaFraction: { label: 'fraction of tasks', scale: 'linear' },
    excessMean: { label: 'mean excess risk', scale: 'log' },
    excessMedian: { label: 'median excess risk', scale: 'log' },
    excessQ10: { label: '10 % quantile of the excess', scale: 'log' },
    excessQ90: { label: '90 % quantile of the excess', scale: 'log' },
    alphaHatMean: { label: 'mean α̂_N', scale: 'linear' },
    meanExtrema: { label: 'mean local extrema per curve', scale: 'linear' },
    maxExtrema: { label: 'max local extrema per curve', scale: 'linear' },
    alphaStar: { label: 'α* = argmin E[u]', scale: 'linear' },
    expectedAtZero: { label: 'E[u](0) (linear)', scale: 'linear' },
    expectedAtStar: { label: 'E[u](α*)', scale: 'linear' },
    expectedAtOne: { label: 'E[u](1) (ReLU)', scale: 'linear' },
    excessMonotone: { label: 'mean excess strictly decreasing in N', scale: 'linear', help: '1 if yes' },
    excessSlope: { label: 'log-log slope of mean excess vs N', scale: 'linear' },
    excessAt10: { label: 'mean excess, N = 10', scale: 'log' },
    excessAt100: { label: 'mean excess, N = 100', scale: 'log' },
    excessAt200: { label: 'mean excess, N = 200', scale: 'log' },
    excessRatio100to10: { label: 'excess(100)/excess(10)', scale: 'linear' },
  },
  oracles: {
    solve: 'exact inner ridge solves (one per task and α)',
    alpha: 'α: the x-axis of the utility curves',
    extremaCount: 'number of local extrema: the x-axis of the histogram',
    tasks: 'N, number of tuning tasks: the x-axis of the excess risk',
  },
  charts: [histogramChart, expectedChart, excessChart, curvesChart],
  figures: [
    {
      id: 'utility-curves',
      title: 'Utility curves u_x(α) and their local extrema',
      description: 'u_x(α) on the 201-point grid for a sample of tasks, and the histogram of local-extrema counts over the 600-task pool.',
      runs: defaultRun,
      charts: [curvesChart, histogramChart],
      seeds: SEEDS,
    },
    {
      id: 'expected-utility',
      title: 'Expected utility E[u](α) over 600 tasks',
      description: 'E[u](α) with α* marked; E[u](0), E[u](α*) and E[u](1) are in the run summary.',
      runs: defaultRun,
      charts: [expectedChart],
      seeds: SEEDS,
    },
    {
      id: 'sample-complexity',
      title: 'Empirical sample complexity of ERM tuning',
      description: 'Held-out excess risk of α̂_N vs N on log-log axes (mean, median and 10–90 % band over 200 draws), with a C/√N guide; the fitted slope is in the summary.',
      runs: defaultRun,
      charts: [excessChart, { kind: 'series', id: 'alpha-hat', title: 'mean α̂_N vs N', y: ['alphaHatMean'], x: 'oracle:tasks', logX: true }],
      seeds: SEEDS,
    },
  ],
  claims: [
    {
      id: 'low-oscillation',
      text: 'Utility curves oscillate little: the mean number of local extrema per curve is ≤ 2 and the maximum is ≤ 6 (600 tasks, 201-point grid)',
      scope: 'figure',
      figure: 'utility-curves',
      check(fig) {
        const s = summaryOf(fig)
        return {
          passed: s.meanExtrema <= 2 && s.maxExtrema <= 6,
          measured: `${compare('mean extrema', s.meanExtrema, '≤', 2)}; ${compare('max extrema', s.maxExtrema, '≤', 6)}`,
        }
      },
    },
    {
      id: 'interior-optimum',
      text: 'The best α is interior: α* = argmin E[u](α) lies in [0.05, 0.3]',
      scope: 'figure',
      figure: 'expected-utility',
      check(fig) {
        const s = summaryOf(fig)
        return {
          passed: s.alphaStar >= 0.05 && s.alphaStar <= 0.3,
          measured: `α* ${fmt(s.alphaStar, 3)} ∈ [0.05, 0.3]? ${s.alphaStar >= 0.05 && s.alphaStar <= 0.3 ? 'yes' : 'no'}; E[u](0) ${fmt(s.expectedAtZero, 3)}, E[u](α*) ${fmt(s.expectedAtStar, 3)}, E[u](1) ${fmt(s.expectedAtOne, 3)}`,
        }
      },
    },
    {
      id: 'more-tasks-help',
      text: 'Tuning on more tasks helps: mean excess(N = 100) ≤ 0.25·mean excess(N = 10)',
      scope: 'figure',
      figure: 'sample-complexity',
      check(fig) {
        const s = summaryOf(fig)
        const r = s.excessAt100 / s.excessAt10
        return {
          passed: s.excessAt100 <= 0.25 * s.excessAt10,
          measured: `${compare('excess(100)/excess(10)', r, '≤', 0.25)} (excess ${fmt(s.excessAt10)} at N = 10, ${fmt(s.excessAt100)} at N = 100, ${fmt(s.excessAt200)} at N = 200; log-log slope ${fmt(s.excessSlope)})`,
        }
      },
    },
    {
      id: 'steady-decrease',
      text: 'Excess falls steadily: the mean excess risk decreases strictly at every step of the N list',
      scope: 'figure',
      figure: 'sample-complexity',
      check(fig) {
        const run = fig.run('default')
        const ex = Array.from(run.column('excessMean')).filter((v) => Number.isFinite(v))
        const N = Array.from(run.column('oracle:tasks')).filter((_, i) => Number.isFinite(run.column('excessMean')[i]))
        const bad: string[] = []
        for (let i = 1; i < ex.length; i++) if (!(ex[i] < ex[i - 1])) bad.push(`N ${N[i - 1]} → ${N[i]}: ${fmt(ex[i - 1])} → ${fmt(ex[i])}`)
        return {
          passed: ex.length >= 2 && bad.length === 0,
          measured: bad.length === 0 ? `strictly decreasing over ${ex.length} N values: ${ex.map((v) => fmt(v)).join(', ')}` : `increases at ${bad.join('; ')}`,
        }
      },
    },
  ],
  solve(p, ctx) {
    solveSampleComplexity(p as unknown as DdParams, ctx)
  },
})
