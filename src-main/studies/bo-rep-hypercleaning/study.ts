/**
 * BO-REP on linear hyper-cleaning: per-sample weights σ(x_i) of a logistic learner trained on
 * 30% flipped labels, learned by bilevel optimisation against a clean validation set.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition } from '../../kit'
import { METHODS, solveHypercleaning } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const accuracyVsOracle: ChartSpecInput = {
  kind: 'series',
  id: 'acc-vs-oracle',
  title: 'test accuracy of the current y vs oracle calls (all kinds, minibatch calls)',
  y: ['testAcc'],
  x: 'oracle:calls',
  logX: true,
}
const accuracyVsIteration: ChartSpecInput = {
  kind: 'series',
  id: 'acc-vs-iteration',
  title: 'test accuracy of the current y vs outer iterations',
  y: ['testAcc'],
}
const valLossVsOracle: ChartSpecInput = {
  kind: 'series',
  id: 'val-vs-oracle',
  title: 'validation loss f(y) vs oracle calls',
  y: ['valLoss'],
  x: 'oracle:calls',
  logX: true,
}
const histogramChart: ChartSpecInput = {
  kind: 'series',
  id: 'weight-histograms',
  title: 'final weights σ(x_i): fraction of clean / noisy samples per bin',
  y: ['histClean', 'histNoisy'],
  x: 'oracle:weightBin',
}
const aucChart: ChartSpecInput = {
  kind: 'series',
  id: 'weight-auc',
  title: 'AUC of the weights (clean > noisy) vs outer iterations',
  y: ['auc'],
  overlays: [{ kind: 'hline', value: 0.5, label: 'chance' }],
}
const meansChart: ChartSpecInput = {
  kind: 'series',
  id: 'weight-means',
  title: 'mean weight of clean and of noisy samples',
  y: ['meanWeightClean', 'meanWeightNoisy'],
}
const normsChart: ChartSpecInput = {
  kind: 'series',
  id: 'norms',
  title: '‖ĝ_t‖ and ‖m_t‖ (the step direction before normalisation), with the y refreshes',
  y: ['hypergradNorm', 'directionNorm'],
  logY: true,
  overlays: [{ kind: 'events', event: 'yRefresh', label: 'lower-level update' }],
}

const STOCHASTIC = ['BO-REP', 'BO-REP(z)', 'StocBio', 'MA-SOBA', 'TTSA'] as const
const SEEDS = [0, 1, 2]

export default defineStudy({
  id: 'bo-rep-hypercleaning',
  title: 'BO-REP: bilevel hyper-cleaning with normalised momentum and periodic lower updates',
  paper: {
    title: 'Bilevel Optimization under Unbounded Smoothness: A New Algorithm and Convergence Analysis',
    authors: 'J. Hao, X. Gong, M. Liu',
    year: 2024,
    arxiv: '2401.09587',
  },
  summary:
    'BO-REP (normalised momentum on the upper variable, initialisation refinement and periodic updates of the lower variable) learns one weight per training sample of a logistic learner on data with 30% flipped labels: noisy samples end near weight 0.2, clean ones near 0.8, and the reweighted learner beats uniform weighting. In this smooth, strongly convex setting BO-REP does NOT beat StocBio or MA-SOBA: the paper claims its advantage for upper levels with unbounded smoothness (RNNs), which this study does not implement.',
  params: {
    method: param.choice({ label: 'method', help: 'the bilevel method, or a reference (uniform weights, clean samples only)', default: 'BO-REP', choices: METHODS }),
    d: param.integer({ label: 'd', help: 'input dimension (a bias feature is added)', default: 20, min: 1, max: 500 }),
    teacherScale: param.number({ label: 'teacher scale', help: 'labels b ~ Bernoulli(σ(scale·aᵀw)), ‖w‖ = 1', default: 4, min: 0, exclusiveMin: true, max: 1000 }),
    nTrain: param.integer({ label: 'n (train)', help: 'training samples (one upper variable each)', default: 1000, min: 10, max: 100000 }),
    nVal: param.integer({ label: 'n_v (validation)', help: 'clean validation samples', default: 200, min: 1, max: 100000 }),
    nTest: param.integer({ label: 'n (test)', help: 'test samples', default: 4000, min: 1, max: 1000000 }),
    noiseRate: param.number({ label: 'noise rate', help: 'fraction of training labels flipped, once per sample', default: 0.3, min: 0, max: 1, exclusiveMax: true }),
    mu: param.number({ label: 'μ', help: 'lower-level ridge (strong convexity)', default: 0.01, min: 0, exclusiveMin: true, max: 100, log: true }),
    batch: param.integer({ label: 'batch', help: 'minibatch size of every stochastic oracle (drawn with replacement)', default: 64, min: 1, max: 100000 }),
    valBatch: param.integer({ label: 'validation batch', help: 'validation minibatch for ∇_y f (drawn with replacement); 0 = the whole validation set (default, see README)', default: 0, min: 0, max: 100000 }),
    iterations: param.integer({ label: 'iterations', help: 'outer iterations', default: 1500, min: 1, max: 1000000 }),
    eta: param.number({ label: 'η', help: 'BO-REP normalised step: ‖x_{t+1} − x_t‖ = η', default: 2, min: 0, exclusiveMin: true, max: 1000, log: true }),
    beta: param.number({ label: 'β', help: 'BO-REP momentum', default: 0.9, min: 0, max: 1, exclusiveMax: true }),
    interval: param.integer({ label: 'I', help: 'BO-REP lower-level update period', default: 2, min: 1, max: 10000 }),
    innerSteps: param.integer({ label: 'N', help: 'BO-REP SGD steps on y per period', default: 5, min: 0, max: 10000 }),
    warmStart: param.integer({ label: 'T_0', help: 'BO-REP initialisation refinement: SGD steps on g(x_0, ·)', default: 200, min: 0, max: 100000 }),
    neumannQ: param.integer({ label: 'Q', help: 'Neumann terms (BO-REP, StocBio): Q − 1 Hessian-vector products', default: 10, min: 1, max: 1000 }),
    innerLr: param.number({ label: 'inner lr', help: 'SGD step on y for BO-REP, BO-REP(z) and StocBio (this study’s choice; = MA-SOBA’s γ_y)', default: 0.5, min: 0, exclusiveMin: true, max: 100, log: true }),
    nu: param.number({ label: 'ν', help: 'BO-REP(z) auxiliary step z ← z − ν(∇²_yy g·z − ∇_y f)', default: 0.5, min: 0, exclusiveMin: true, max: 100, log: true }),
    stocbioInner: param.integer({ label: 'StocBio D', help: 'StocBio inner SGD steps per iteration', default: 5, min: 0, max: 10000 }),
    stocbioAlpha: param.number({ label: 'StocBio α', help: 'StocBio upper step', default: 200, min: 0, exclusiveMin: true, max: 1e6, log: true }),
    masobaGammaY: param.number({ label: 'MA-SOBA γ_y', help: 'MA-SOBA lower step', default: 0.5, min: 0, exclusiveMin: true, max: 100, log: true }),
    masobaRho: param.number({ label: 'MA-SOBA ρ', help: 'MA-SOBA auxiliary (z) step', default: 0.5, min: 0, exclusiveMin: true, max: 100, log: true }),
    masobaTheta: param.number({ label: 'MA-SOBA θ', help: 'MA-SOBA moving-average weight of the hypergradient', default: 0.1, min: 0, exclusiveMin: true, max: 1 }),
    masobaAlpha: param.number({ label: 'MA-SOBA α', help: 'MA-SOBA upper step', default: 200, min: 0, exclusiveMin: true, max: 1e6, log: true }),
    ttsaBeta0: param.number({ label: 'TTSA β_0', help: 'TTSA lower step β_t = β_0·t^−0.4', default: 0.5, min: 0, exclusiveMin: true, max: 100, log: true }),
    ttsaAlpha0: param.number({ label: 'TTSA α_0', help: 'TTSA upper step α_t = α_0·t^−0.6', default: 400, min: 0, exclusiveMin: true, max: 1e6, log: true }),
    ttsaQ: param.integer({ label: 'TTSA Q', help: 'TTSA Neumann truncation: p ~ U{0, …, Q−1} products', default: 3, min: 1, max: 1000 }),
    refitSteps: param.integer({ label: 'refit steps', help: 'full-batch gradient steps (step 1/L) of the final refit of y with the learned weights', default: 2000, min: 1, max: 1000000 }),
    evalEvery: param.integer({ label: 'evaluate every', help: 'iterations between evaluations of test accuracy, AUC and mean weights', default: 10, min: 1, max: 100000 }),
    histogramBins: param.integer({ label: 'histogram bins', help: 'bins of the weight histograms on [0, 1]', default: 10, min: 2, max: 1000 }),
  },
  validate: (p) => (p.interval > 0 && p.iterations > 0 ? [] : ['interval and iterations must be positive']),
  warnings: (p) =>
    p.method === 'BO-REP' || p.method === 'BO-REP(z)'
      ? []
      : p.method === 'uniform' || p.method === 'clean-only'
        ? ['references run no bilevel loop: they are the refit alone']
        : [],
  derived: (p) => ({ 'flipped samples': Math.round(p.noiseRate * p.nTrain), 'lower gradients / iteration (BO-REP)': p.innerSteps / p.interval }),
  metrics: {
    testAcc: { label: 'test accuracy of y_t', scale: 'linear' },
    valLoss: { label: 'validation loss f(y_t)', scale: 'log' },
    auc: { label: 'weight AUC (clean > noisy)', scale: 'linear' },
    meanWeightClean: { label: 'mean σ(x_i), clean samples', scale: 'linear' },
    meanWeightNoisy: { label: 'mean σ(x_i), noisy samples', scale: 'linear' },
    hypergradNorm: { label: '‖ĝ_t‖', scale: 'log' },
    directionNorm: { label: '‖m_t‖ (BO-REP), ‖h_t‖ (MA-SOBA), ‖ĝ_t‖ (others)', scale: 'log' },
    refitTestAcc: { label: 'test accuracy after the refit', scale: 'linear' },
    refitValLoss: { label: 'validation loss after the refit', scale: 'log' },
    histClean: { label: 'fraction of clean samples in the bin', scale: 'linear' },
    histNoisy: { label: 'fraction of noisy samples in the bin', scale: 'linear' },
  },
  oracles: {
    lowerGrad: 'lower-level minibatch gradients ∇_y g',
    hvp: 'minibatch Hessian-vector products ∇²_yy g·v',
    valGrad: 'validation minibatch gradients ∇_y f',
    jvp: 'minibatch Jacobian-vector products ∇²_xy g·v',
    calls: 'all oracle calls together (the default x-axis)',
    weightBin: 'weight-histogram bin centre: the x-axis of the histograms',
  },
  charts: [accuracyVsOracle, histogramChart, aucChart, meansChart, valLossVsOracle, normsChart],
  figures: [
    {
      id: 'hypercleaning-linear',
      title: 'Linear hyper-cleaning, 30% label noise: all methods and both references',
      description:
        'BO-REP, BO-REP(z), StocBio, MA-SOBA and TTSA, plus uniform weights and the clean-only oracle (references drawn flat). Compare at matched oracle budgets: the normalised step moves x by exactly η per iteration.',
      runs: METHODS.map((m) => ({ label: m, params: { method: m } })),
      charts: [accuracyVsOracle, accuracyVsIteration, valLossVsOracle, meansChart],
      seeds: SEEDS,
    },
    {
      id: 'weight-histograms',
      title: 'Histograms of the learned weights, clean vs noisy',
      description: 'BO-REP, and MA-SOBA for contrast.',
      runs: [
        { label: 'BO-REP', params: { method: 'BO-REP' } },
        { label: 'MA-SOBA', params: { method: 'MA-SOBA' } },
      ],
      charts: [histogramChart],
      seeds: SEEDS,
    },
    {
      id: 'weight-auc',
      title: 'AUC of the weights (clean > noisy) vs iterations, all methods',
      description: 'Reference values (independent implementation): BO-REP 0.74–0.76, BO-REP(z) 0.81–0.83, StocBio and MA-SOBA ≈ 0.87–0.88.',
      runs: STOCHASTIC.map((m) => ({ label: m, params: { method: m } })),
      charts: [aucChart],
      seeds: SEEDS,
    },
    {
      id: 'eta-sensitivity',
      title: 'BO-REP: η ∈ {0.5, 2, 8}',
      description: 'Reference values (independent implementation): AUC 0.80–0.84 at η = 0.5 and 0.69–0.70 at η = 8.',
      runs: [0.5, 2, 8].map((eta) => ({ label: `η = ${eta}`, params: { method: 'BO-REP', eta } })),
      charts: [aucChart, meansChart],
      seeds: SEEDS,
    },
  ],
  claims: [
    {
      id: 'beats-uniform',
      text: "BO-REP's refit test accuracy ≥ the uniform-weight accuracy + 0.03",
      scope: 'figure',
      figure: 'hypercleaning-linear',
      check: (fig) => {
        const a = fig.run('BO-REP').last('refitTestAcc')
        const u = fig.run('uniform').last('refitTestAcc')
        return { passed: a >= u + 0.03, measured: `${compare('BO-REP accuracy', a, '≥', u + 0.03)} (uniform ${fmt(u, 3)}, gain ${fmt(a - u, 3)})` }
      },
    },
    {
      id: 'near-clean-oracle',
      text: "BO-REP's refit test accuracy ≥ the clean-only-oracle accuracy − 0.035",
      scope: 'figure',
      figure: 'hypercleaning-linear',
      check: (fig) => {
        const a = fig.run('BO-REP').last('refitTestAcc')
        const c = fig.run('clean-only').last('refitTestAcc')
        return { passed: a >= c - 0.035, measured: `${compare('BO-REP accuracy', a, '≥', c - 0.035)} (clean-only ${fmt(c, 3)}, gap ${fmt(c - a, 3)})` }
      },
    },
    {
      id: 'noisy-weights-low',
      text: "BO-REP's mean weight σ(x_i) over the noisy samples ≤ 0.25",
      scope: 'figure',
      figure: 'hypercleaning-linear',
      check: (fig) => {
        const w = fig.run('BO-REP').last('meanWeightNoisy')
        return { passed: w <= 0.25, measured: compare('mean noisy weight', w, '≤', 0.25) }
      },
    },
    {
      id: 'clean-weights-high',
      text: "BO-REP's mean weight σ(x_i) over the clean samples ≥ 0.7",
      scope: 'figure',
      figure: 'hypercleaning-linear',
      check: (fig) => {
        const w = fig.run('BO-REP').last('meanWeightClean')
        return { passed: w >= 0.7, measured: compare('mean clean weight', w, '≥', 0.7) }
      },
    },
  ],
  solve: (p, ctx) => solveHypercleaning(p, ctx),
})
