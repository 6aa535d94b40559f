/**
 * Self-Tuning Networks on ridge regression: an affine best response ŵ(h) = a + u(h)·c trained
 * on per-example perturbed h, alternating with Adam on h through ŵ, against the exact w*(h).
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { MODES, solveStn } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const hChart: ChartSpecInput = {
  kind: 'series',
  id: 'h-trajectory',
  title: 'h = log λ vs step, with the exact optimum h* (dashed in the spec)',
  y: ['h', 'hStar'],
  x: 'oracle:steps',
  overlays: [{ kind: 'events', event: 'warmupEnd', label: 'warm-up ends' }],
}
const bestValChart: ChartSpecInput = {
  kind: 'series',
  id: 'val-vs-sgd-steps',
  title: 'best validation MSE so far vs total SGD steps (STN: ŵ(h); grid/random: each trained model)',
  y: ['bestValSoFar'],
  x: 'oracle:steps',
  logX: true,
}
const curveChart: ChartSpecInput = {
  kind: 'series',
  id: 'exact-validation-curve',
  title: 'exact L_val(w*(h)) on 221 values of h, grid-search points (SGD-trained) and the STN’s final h',
  y: ['exactValCurve', 'gridPointVal', 'stnFinalExactVal'],
  x: 'oracle:hAxis',
}
const cosineChart: ChartSpecInput = {
  kind: 'series',
  id: 'direction-quality',
  title: 'cos(c, dw*/dh) at the current h vs step',
  y: ['directionCosine'],
  x: 'oracle:steps',
  overlays: [{ kind: 'hline', value: 0.8, label: 'claim threshold 0.8' }],
}
const lossChart: ChartSpecInput = {
  kind: 'series',
  id: 'losses',
  title: 'training and validation loss of ŵ(h), and the exact L_val(w*(h)) at the current h',
  y: ['trainLoss', 'valLoss', 'exactVal'],
  x: 'oracle:steps',
  logY: true,
}

const STARTS = [
  { label: 'STN h0 = −6', params: { mode: 'stn', h0: -6 } },
  { label: 'STN h0 = +1', params: { mode: 'stn', h0: 1 } },
]
const SEEDS = [0, 1, 2]

/** A claim that must hold for both starts: the verdict and the numbers of each. */
function bothStarts(fig: FigureView, check: (run: RunView) => { passed: boolean; text: string }): { passed: boolean; measured: string } {
  const parts = STARTS.map((s) => ({ label: s.label, ...check(fig.run(s.label)) }))
  return { passed: parts.every((p) => p.passed), measured: parts.map((p) => `${p.label}: ${p.text}`).join('; ') }
}

export default defineStudy({
  id: 'stn-best-response',
  title: 'Self-Tuning Networks: the best-response function tunes ridge in one run',
  paper: {
    title: 'Self-Tuning Networks: Bilevel Optimization of Hyperparameters using Structured Best-Response Functions',
    authors: 'M. MacKay, P. Vicol, J. Lorraine, D. Duvenaud, R. Grosse',
    year: 2019,
    arxiv: '1903.03088',
  },
  summary:
    'An STN learns an affine approximation ŵ(h) = a + u(h)·c of the best-response function of ridge regression (h = log λ) from per-example perturbed h, while Adam moves h down the validation loss through ŵ. From h0 = −6 or +1, h ends near the exact optimum h*, c points along dw*/dh, and retraining at the found h matches an 11-point grid search at about a tenth of its SGD steps.',
  params: {
    mode: param.choice({ label: 'mode', help: 'stn: the Self-Tuning Network; grid / random: the search baselines (same SGD protocol per point)', default: 'stn', choices: MODES }),
    d: param.integer({ label: 'd', help: 'features', default: 50, min: 1, max: 2000 }),
    nTrain: param.integer({ label: 'n (train)', help: 'training samples', default: 60, min: 1, max: 100000 }),
    nVal: param.integer({ label: 'n (validation)', help: 'validation samples', default: 60, min: 1, max: 100000 }),
    nTest: param.integer({ label: 'n (test)', help: 'test samples', default: 2000, min: 1, max: 1000000 }),
    sparsity: param.number({ label: 'sparsity', help: 'fraction of non-zero teacher weights (values N(0, 1))', default: 0.3, min: 0, exclusiveMin: true, max: 1 }),
    noiseStd: param.number({ label: 'noise std', help: 'label noise', default: 1, min: 0, max: 100 }),
    h0: param.number({ label: 'h0', help: 'initial log λ (presets −6 and +1)', default: -6, min: -20, max: 10 }),
    hOffset: param.number({ label: 'h offset', help: 'hypernet input u(h) = (h + offset)/scale', default: 3, min: -100, max: 100 }),
    hScale: param.number({ label: 'h scale', help: 'hypernet input u(h) = (h + offset)/scale', default: 2.5, min: 0, exclusiveMin: true, max: 100 }),
    batch: param.integer({ label: 'batch', help: 'training minibatch (drawn with replacement)', default: 16, min: 1, max: 100000 }),
    lrWeights: param.number({ label: 'lr (weights)', help: 'SGD lr for (a, c), and for every plain-ridge SGD run', default: 2e-3, min: 0, exclusiveMin: true, max: 10, log: true }),
    momentum: param.number({ label: 'momentum', help: 'SGD momentum', default: 0.9, min: 0, max: 1, exclusiveMax: true }),
    warmupSteps: param.integer({ label: 'warm-up steps', help: 'φ-only SGD steps at h = h0 (perturbed)', default: 200, min: 0, max: 1000000 }),
    steps: param.integer({ label: 'steps', help: 'SGD (train) steps of the alternating phase; each T_train of them is followed by T_valid validation steps', default: 3000, min: 0, max: 1000000 }),
    trainSteps: param.integer({ label: 'T_train', help: 'train steps per period', default: 2, min: 1, max: 1000 }),
    validSteps: param.integer({ label: 'T_valid', help: 'validation (Adam on h) steps per period', default: 1, min: 1, max: 1000 }),
    lrHyper: param.number({ label: 'lr (h)', help: 'Adam lr on h', default: 0.03, min: 0, exclusiveMin: true, max: 10, log: true }),
    perturbSigma: param.number({ label: 'σ', help: 'per-example perturbation h̃_i = h + σ·ε_i', default: 0.5, min: 0, max: 10 }),
    gridPoints: param.integer({ label: 'grid points', help: 'grid search: evenly spaced h on [grid min, grid max]', default: 11, min: 1, max: 1000 }),
    gridMin: param.number({ label: 'grid min', help: 'lowest h of the grid and of the random search', default: -8, min: -30, max: 30 }),
    gridMax: param.number({ label: 'grid max', help: 'highest h of the grid and of the random search', default: 2, min: -30, max: 30 }),
    randomRuns: param.integer({ label: 'random runs', help: 'random search: h ~ U[grid min, grid max]', default: 5, min: 1, max: 1000 }),
    baselineSteps: param.integer({ label: 'SGD steps per model', help: 'SGD steps of each grid/random model and of the retraining at the STN’s h', default: 3000, min: 1, max: 1000000 }),
  },
  validate: (p) => (p.gridMax > p.gridMin ? [] : ['grid max must exceed grid min']),
  warnings: (p) => (p.mode === 'stn' && p.perturbSigma === 0 ? ['σ = 0: c is never trained and the hypergradient stays zero'] : []),
  derived: (p) => ({
    'STN budget (steps)': p.warmupSteps + p.steps,
    'grid budget (steps)': p.gridPoints * p.baselineSteps,
    'grid / STN': (p.gridPoints * p.baselineSteps) / Math.max(1, p.warmupSteps + p.steps),
  }),
  metrics: {
    h: { label: 'h = log λ', scale: 'linear' },
    hStar: { label: 'exact optimum h* (221-point grid)', scale: 'linear' },
    trainLoss: { label: 'training loss L_T(ŵ(h); h)', scale: 'log' },
    valLoss: { label: 'validation MSE of ŵ(h)', scale: 'log' },
    exactVal: { label: 'exact L_val(w*(h)) at the current h', scale: 'log' },
    bestValSoFar: { label: 'best validation MSE so far', scale: 'log' },
    directionCosine: { label: 'cos(c, dw*/dh)', scale: 'linear' },
    hypergrad: { label: 'dL_val/dh through ŵ', scale: 'linear' },
    hError: { label: '|h_final − h*|', scale: 'linear' },
    retrainValMse: { label: 'validation MSE retrained at the final h', scale: 'log' },
    retrainTestMse: { label: 'test MSE retrained at the final h', scale: 'log' },
    exactValAtFinalH: { label: 'exact L_val(w*(h_final))', scale: 'log' },
    exactValStar: { label: 'exact L_val(w*(h*))', scale: 'log' },
    stnFinalExactVal: { label: 'STN final h on the exact curve', scale: 'log' },
    searchValMse: { label: 'validation MSE of a search point', scale: 'log' },
    bestH: { label: 'best h of the search so far', scale: 'linear' },
    testMse: { label: 'test MSE of a search point', scale: 'log' },
    exactValCurve: { label: 'exact L_val(w*(h))', scale: 'log' },
    gridPointVal: { label: 'grid point (SGD-trained) validation MSE', scale: 'log' },
  },
  oracles: {
    steps: 'SGD steps of the budget (STN: warm-up + train steps; search: 3000 per model)',
    trainSteps: 'STN train (φ) steps',
    hyperSteps: 'STN validation (Adam on h) steps',
    hAxis: 'h: the x-axis of the exact validation curve',
  },
  charts: [hChart, bestValChart, curveChart, cosineChart, lossChart],
  figures: [
    {
      id: 'h-trajectory',
      title: 'h vs step from h0 = −6 and h0 = +1, with h*',
      description: 'Both starts converge to a neighbourhood of the exact optimum of the validation curve.',
      runs: STARTS,
      charts: [hChart, lossChart],
      seeds: SEEDS,
    },
    {
      id: 'val-vs-sgd-steps',
      title: 'Best validation MSE vs total SGD steps: STN (both starts), grid and random search',
      description: 'The paper’s loss-vs-time plot in SGD steps. The STN spends 3 200 steps; the 11-point grid 33 000.',
      runs: [...STARTS, { label: 'grid', params: { mode: 'grid' } }, { label: 'random', params: { mode: 'random' } }],
      charts: [bestValChart, hChart],
      seeds: SEEDS,
    },
    {
      id: 'exact-validation-curve',
      title: 'The exact validation curve with the grid points and the STN’s final h',
      description: 'L_val(w*(h)) on h ∈ [−8, 3] (step 0.05), the SGD-trained grid points, and where each STN ended.',
      runs: [{ label: 'grid', params: { mode: 'grid' } }, ...STARTS],
      charts: [curveChart],
      seeds: SEEDS,
    },
    {
      id: 'direction-quality',
      title: 'cos(c, dw*/dh) vs step',
      description: 'The learned best-response direction against the exact one at the current h.',
      runs: STARTS,
      charts: [cosineChart],
      seeds: SEEDS,
    },
  ],
  claims: [
    {
      id: 'h-finds-optimum',
      text: '|h_final − h*| ≤ 0.6 from both starts (h0 = −6 and h0 = +1)',
      scope: 'figure',
      figure: 'val-vs-sgd-steps',
      check: (fig) =>
        bothStarts(fig, (r) => {
          const e = r.last('hError')
          return { passed: e <= 0.6, text: `${compare('|h − h*|', e, '≤', 0.6)} (h ${fmt(r.last('h'), 3)}, h* ${fmt(r.last('hStar'), 3)})` }
        }),
    },
    {
      id: 'direction-right',
      text: 'cos(c, dw*/dh) ≥ 0.8 at the end, from both starts',
      scope: 'figure',
      figure: 'val-vs-sgd-steps',
      check: (fig) =>
        bothStarts(fig, (r) => {
          const c = r.last('directionCosine')
          return { passed: c >= 0.8, text: compare('cos', c, '≥', 0.8) }
        }),
    },
    {
      id: 'retrain-matches-grid',
      text: 'the validation MSE retrained at the final h ≤ 1.08 × the best validation MSE of the 11-point grid, from both starts',
      scope: 'figure',
      figure: 'val-vs-sgd-steps',
      check: (fig) => {
        const grid = fig.run('grid').last('bestValSoFar')
        return bothStarts(fig, (r) => {
          const v = r.last('retrainValMse')
          return { passed: v <= 1.08 * grid, text: `${compare('retrained/grid', v / grid, '≤', 1.08)} (retrained ${fmt(v, 4)}, grid best ${fmt(grid, 4)})` }
        })
      },
    },
    {
      id: 'budget-10x',
      text: 'the grid uses ≥ 10× the SGD steps of the STN (3 200 against 33 000)',
      scope: 'figure',
      figure: 'val-vs-sgd-steps',
      check: (fig) => {
        const grid = fig.run('grid').last('oracle:steps')
        return bothStarts(fig, (r) => {
          const s = r.last('oracle:steps')
          return { passed: grid >= 10 * s, text: `${compare('grid/STN steps', grid / s, '≥', 10)} (${s} vs ${grid})` }
        })
      },
    },
  ],
  solve: (p, ctx) => solveStn(p, ctx),
})
