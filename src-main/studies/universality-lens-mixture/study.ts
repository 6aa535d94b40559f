/**
 * Feder, Urbanke & Fogel (2025), "The Universality Lens": a Bayes mixture over a huge class
 * learns well when the truth carries prior weight. Demo A computes the mixture exactly over
 * 2^P sign-weight hypotheses (P up to 2048) and checks its expected regret against the
 * index-of-resolvability bound; demo B checks that an SGLD ensemble in a 1000-dimensional
 * weight space reproduces the exact posterior predictive.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { solveUniversality, type UniversalityParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const regretChart: ChartSpecInput = {
  kind: 'series',
  id: 'regret-vs-n',
  title: 'E[regret_n] and the resolvability bound min_ε[nε − ln W(ε)] vs n (log-log); ln|H| = P ln 2 flat',
  y: ['expectedRegret', 'bound', 'logH'],
  logX: true,
  logY: true,
}
const marginChart: ChartSpecInput = {
  kind: 'series',
  id: 'bound-margin',
  title: 'bound − E[regret_n] vs n (log x)',
  y: ['boundMargin'],
  logX: true,
  overlays: [{ kind: 'hline', value: 0.5, label: 'claim A1: 0.5 nats' }],
}
const regretVsPChart: ChartSpecInput = { kind: 'summary', id: 'regret-vs-P', title: 'E[regret] at the last n vs P, per truth', y: 'expectedRegret', x: 'P', groupBy: 'truth', logX: true }
const logHChart: ChartSpecInput = { kind: 'summary', id: 'logH-vs-P', title: 'ln|H| = P ln 2 vs P (same runs)', y: 'logH', x: 'P', groupBy: 'truth', logX: true, logY: true }
const weightChart: ChartSpecInput = {
  kind: 'series',
  id: 'prior-weight',
  title: 'prior mass near the truth: ln W(θ₀, ε) vs ε (log x), and nε − ln W(ε) whose minimum is the bound',
  y: ['logPriorMass', 'resolvabilityObjective'],
  x: 'oracle:epsilon',
  logX: true,
}
const priorMapChart = (label: string, truth: string): ChartSpecInput => ({
  kind: 'heatmap',
  id: `prior-map-${truth}`,
  title: `prior weight over the (v₁, v₂) grid (log colour), ${truth} truth v* (triangle) and the KL ball {v : KL(v*‖v) ≤ ε*} at n = 100 (its boundary cells, circles)`,
  source: { from: 'rows', metric: 'priorWeightRow', y: 'mapV2', xValues: 'mapV1Grid' },
  logColor: true,
  points: { x: 'klBallV1', y: 'klBallV2', label: 'klBallLabel' },
  xLabel: 'v₁',
  yLabel: 'v₂',
  runs: [label],
})
const scatterChart: ChartSpecInput = {
  kind: 'series',
  id: 'sgld-vs-exact',
  title: 'SGLD predictive vs exact posterior predictive over the test inputs (diagonal = exact; MAP for contrast)',
  y: ['sgldPredictive', 'exactPredictiveDiagonal', 'mapPredictive'],
  x: 'oracle:exactPredictive',
}
const traceChart: ChartSpecInput = { kind: 'series', id: 'vnorm-trace', title: '‖v‖ = ‖Aw/√P‖ per chain vs SGLD step', y: ['vNorm'] }

const demoA = (P: number, truth: 'simple' | 'complex', n: number, nDatasets: number) => ({
  label: `A ${truth} P=${P}`,
  params: { demo: 'A', P, truth, n, nDatasets },
})
const demoB = (P: number, n: number) => ({ label: `B P=${P} n=${n}`, params: { demo: 'B', P, n } })

const PAPER = 'paper-check'
const FIGURES: FigureDefinition[] = [
  {
    id: 'regret-vs-n',
    title: 'Expected regret vs n, with the bound and ln|H|',
    description: 'Demo A at the default size (n = 100, 20 data sets): simple truth at P = 32, 128, 512 and the complex truth at P = 512.',
    runs: [demoA(32, 'simple', 100, 20), demoA(128, 'simple', 100, 20), demoA(512, 'simple', 100, 20), demoA(512, 'complex', 100, 20)],
    charts: [regretChart, marginChart],
  },
  {
    id: 'regret-vs-P',
    title: 'Expected regret at n = 100 vs P, for both truths',
    description: 'The regret stays flat while ln|H| = P ln 2 grows 16-fold; the complex truth costs more at every P.',
    runs: [32, 128, 512].flatMap((P) => [demoA(P, 'simple', 100, 20), demoA(P, 'complex', 100, 20)]),
    charts: [regretVsPChart, logHChart],
  },
  {
    id: 'prior-weight-map',
    title: 'Prior weight near the truth (P = 128, both truths)',
    description:
      'The prior weight over the (v₁, v₂) grid on a log colour scale, with the truth and the KL ball {v : KL(v*‖v) ≤ ε*} at the ε* that minimises ' +
      'the bound at n = 100: the simple truth sits where the prior is heavy, the complex one far out in its tail. Beside it, what the bound uses: ' +
      'the prior mass W(ε) of the ball of radius ε, and nε − ln W(ε), whose minimum over ε is the bound.',
    runs: [
      { ...demoA(128, 'simple', 100, 20), params: { ...demoA(128, 'simple', 100, 20).params, priorMap: true } },
      { ...demoA(128, 'complex', 100, 20), params: { ...demoA(128, 'complex', 100, 20).params, priorMap: true } },
    ],
    charts: [priorMapChart('A simple P=128', 'simple'), priorMapChart('A complex P=128', 'complex'), weightChart],
  },
  {
    id: 'sgld-vs-exact',
    title: 'SGLD ensemble vs exact posterior predictive (P = 1000, n = 20)',
    description: '8 SGLD chains × 20 000 steps in the 1000-dimensional weight space against the exact 2-D quadrature.',
    runs: [demoB(1000, 20)],
    charts: [scatterChart, traceChart],
    seeds: [0, 1, 2],
  },
  {
    id: PAPER,
    title: 'The claims configuration (n = 200, 40 data sets; SGLD at P = 1000, n = 20)',
    description:
      'Demo A with n = 200 and 40 data sets at P = 32, 128, 2048 (simple truth) and P = 2048 (complex truth); demo B at the headline ' +
      '(P = 1000, n = 20). The other two demo B configurations are the figure sgld-configs.',
    runs: [demoA(32, 'simple', 200, 40), demoA(128, 'simple', 200, 40), demoA(2048, 'simple', 200, 40), demoA(2048, 'complex', 200, 40), demoB(1000, 20)],
    charts: [regretChart, marginChart, scatterChart],
    seeds: [0, 1, 2],
  },
  {
    id: 'sgld-configs',
    title: 'SGLD vs exact at the three demo B configurations',
    description: '(P, n) ∈ {(200, 20), (1000, 20), (1000, 100)}: max and mean |Δp| and the test log-loss of the exact mixture, SGLD and MAP.',
    runs: [demoB(200, 20), demoB(1000, 20), demoB(1000, 100)],
    charts: [scatterChart, { kind: 'summary', id: 'max-dp', title: 'max |Δp| vs P, per n', y: 'maxAbsDeltaP', x: 'P', groupBy: 'n', logY: true }],
    seeds: [0, 1, 2],
  },
]

const regretAt = (r: RunView, n: number): number => r.at('expectedRegret', n)

export default defineStudy({
  id: 'universality-lens-mixture',
  title: 'Universality lens: an exact mixture over 2^P hypotheses regrets only the weight near the truth',
  paper: {
    title: 'The Universality Lens: Why Even Highly Over-Parametrized Models Learn Well',
    authors: 'M. Feder, R. Urbanke, Y. Fogel',
    year: 2025,
    arxiv: '2506.07661',
  },
  summary:
    'A Bayes mixture over w ∈ {±1}^P (a logistic model of the two group sums, β = 2) is computed exactly by counting, for P up to 2048 ' +
    '(ln|H| up to 1420 nats). Its expected regret stays below the index-of-resolvability bound min_ε[nε − ln W(θ₀, ε)] and does not grow ' +
    'with ln|H|; a truth with low prior weight costs several nats more. An SGLD ensemble in a 1000-dimensional weight space matches the ' +
    'exact posterior predictive to a few hundredths.',
  params: {
    demo: param.choice({ label: 'demo', help: 'A: exact mixture over 2^P hypotheses; B: SGLD ensemble vs the exact posterior predictive', default: 'A', choices: ['A', 'B'] as const }),
    beta: param.number({ label: 'β', help: 'inverse temperature of the logistic model', default: 2, min: 0, exclusiveMin: true, max: 20 }),
    P: param.integer({ label: 'P', help: 'number of parameters (A: even, 2^P hypotheses; B: Gaussian weights)', default: 128, min: 2, max: 4096, log: true }),
    truth: param.choice({ label: 'truth', help: 'demo A truth: simple v* = (0.6, −0.8), high prior weight; complex v* = (2.4, −3.2), low prior weight', default: 'simple', choices: ['simple', 'complex'] as const }),
    n: param.integer({ label: 'n', help: 'sample size (demo A records every prefix t ≤ n)', default: 100, min: 1, max: 2000, log: true }),
    nDatasets: param.integer({ label: 'data sets', help: 'Monte Carlo data sets for E[regret] (demo A)', default: 20, min: 1, max: 1000 }),
    vWindow: param.number({ label: 'grid window', help: 'truncate the grid to |v_g| ≤ window (omitted prior mass < e⁻³⁰ at 8)', default: 8, min: 1, max: 64 }),
    nKlSample: param.integer({ label: 'KL sample', help: 'fixed x sample for the x-averaged KL of W(θ₀, ε)', default: 4000, min: 10, max: 100000, log: true }),
    sgldEta: param.number({ label: 'SGLD η', help: 'SGLD step; needs η ≪ 2/λ_max(posterior Hessian)', default: 2e-3, min: 0, exclusiveMin: true, log: true }),
    sgldChains: param.integer({ label: 'chains', help: 'SGLD chains, each initialised from the prior', default: 8, min: 1, max: 64 }),
    sgldSteps: param.integer({ label: 'SGLD steps', help: 'steps per chain', default: 20000, min: 1, max: 1000000, log: true }),
    sgldBurnIn: param.integer({ label: 'burn-in', help: 'discarded steps', default: 4000, min: 0, max: 1000000 }),
    sgldThin: param.integer({ label: 'thinning', help: 'keep every k-th iterate (also the trace recording interval)', default: 20, min: 1, max: 10000 }),
    sgldBatch: param.integer({ label: 'minibatch', help: 'minibatch size; the likelihood is rescaled by n/batch', default: 16, min: 1, max: 10000 }),
    mapSteps: param.integer({ label: 'MAP steps', help: 'full-batch gradient-ascent steps of the MAP baseline', default: 3000, min: 0, max: 1000000 }),
    mapLr: param.number({ label: 'MAP step', help: 'gradient-ascent step of the MAP baseline', default: 0.01, min: 0, exclusiveMin: true, log: true }),
    quadPoints: param.integer({ label: 'quadrature points', help: 'points per axis of the demo B quadrature over u ∈ [−7, 7]²', default: 281, min: 11, max: 2001 }),
    nTest: param.integer({ label: 'test inputs', help: 'test inputs of demo B', default: 200, min: 1, max: 10000 }),
    priorMap: param.boolean({ label: 'record the prior map', help: 'demo A: also record the prior weight over the (v₁, v₂) grid and the KL ball at n (the prior-weight-map figure)', default: false }),
  },
  metrics: {
    expectedRegret: { label: 'E[regret_n]', unit: 'nats', scale: 'log' },
    regretSE: { label: 'standard error of E[regret_n]', unit: 'nats', scale: 'log' },
    bound: { label: 'resolvability bound min_ε[nε − ln W(ε)]', unit: 'nats', scale: 'log' },
    boundMargin: { label: 'bound − E[regret_n]', unit: 'nats', scale: 'linear' },
    epsStar: { label: 'minimising ε*', unit: 'nats', scale: 'log' },
    logH: { label: 'ln|H| = P ln 2', unit: 'nats', scale: 'log' },
    minBoundMargin: { label: 'smallest bound − E[regret] over n', unit: 'nats', scale: 'linear' },
    minBoundMarginAt: { label: 'n of the smallest margin', scale: 'linear' },
    gridPoints: { label: 'grid points (k₁, k₂)', scale: 'log' },
    logPriorMass: { label: 'ln W(θ₀, ε)', unit: 'nats', scale: 'linear' },
    resolvabilityObjective: { label: 'nε − ln W(ε) at the run’s n', unit: 'nats', scale: 'log' },
    vNorm: { label: '‖v‖ per chain', scale: 'linear', vector: true },
    potential: { label: 'U(w) per chain (full data)', scale: 'linear', vector: true },
    maxAbsDeltaP: { label: 'max |p_SGLD − p_exact| over test inputs', scale: 'log' },
    meanAbsDeltaP: { label: 'mean |p_SGLD − p_exact| over test inputs', scale: 'log' },
    testLogLossTruth: { label: 'test log-loss, truth (entropy)', unit: 'nats', scale: 'linear' },
    testLogLossExact: { label: 'test log-loss, exact mixture', unit: 'nats', scale: 'linear' },
    testLogLossSgld: { label: 'test log-loss, SGLD ensemble', unit: 'nats', scale: 'linear' },
    testLogLossMap: { label: 'test log-loss, MAP plug-in', unit: 'nats', scale: 'linear' },
    keptSamples: { label: 'kept SGLD iterates (all chains)', scale: 'linear' },
    sgldPredictive: { label: 'SGLD predictive', scale: 'linear' },
    exactPredictiveDiagonal: { label: 'exact predictive (diagonal)', scale: 'linear' },
    mapPredictive: { label: 'MAP predictive', scale: 'linear' },
    truePredictive: { label: 'true p*(y = 1|x)', scale: 'linear' },
    mapV2: { label: 'v₂', scale: 'linear' },
    priorWeightRow: { label: 'prior weight w(v₁, v₂)', scale: 'log', vector: true, help: 'one recorded row per grid v₂ (mapV2), one component per grid v₁ (mapV1Grid)' },
    mapV1Grid: { label: 'v₁', scale: 'linear', vector: true },
    klBallV1: { label: 'KL-ball boundary and v*: v₁', scale: 'linear', vector: true },
    klBallV2: { label: 'KL-ball boundary and v*: v₂', scale: 'linear', vector: true },
    klBallLabel: { label: '+1: KL-ball boundary cell, −1: the truth v*', scale: 'linear', vector: true },
    klBallEps: { label: 'ε* of the KL ball (the bound’s minimiser at n)', unit: 'nats', scale: 'log' },
    klBallCells: { label: 'KL-ball boundary cells (before thinning)', scale: 'linear' },
  },
  oracles: {
    likelihood: 'per-hypothesis likelihood evaluations (grid points × samples)',
    minibatchGrad: 'SGLD minibatch gradients (all chains)',
    fullGrad: 'full-batch gradients (MAP)',
    epsilon: 'KL-ball radius ε (the x-axis of the weight function; not an oracle)',
    exactPredictive: 'exact predictive p of a test input (the x-axis of the scatter; not an oracle)',
  },
  charts: [regretChart, marginChart, traceChart],
  figures: FIGURES,
  validate: (p) => {
    const out: string[] = []
    if (p.demo === 'A' && p.P % 2 !== 0) out.push(`P must be even in demo A (two groups of P/2), got ${p.P}`)
    if (p.demo === 'B' && p.sgldBurnIn >= p.sgldSteps) out.push('burn-in must be smaller than the SGLD steps')
    return out
  },
  warnings: (p) => {
    const out: string[] = []
    if (p.demo === 'A' && p.P > 2048) out.push('P > 2048: recheck that |v_g| ≤ window keeps the omitted prior mass negligible')
    if (p.demo === 'B' && p.sgldEta > 0.2 / (0.2 * p.n * p.beta * p.beta)) out.push('η is not ≪ 2/λ_max ≈ 2/(0.2 n β²): SGLD bias may be visible')
    if (p.demo === 'A' && p.P === 32) out.push('P = 32 has a coarse grid (Δv = 0.5): its approximation regret grows with n (a class property, not a P effect)')
    return out
  },
  derived: (p) => ({ 'ln|H| = P ln 2': p.P * Math.LN2, 'grid spacing Δv = 2/√(P/2)': 2 / Math.sqrt(p.P / 2) }),
  claims: [
    {
      id: 'A1-below-bound',
      text: 'A1. bound − E[regret_n] ≥ 0.5 nats for every n, every P and both truths (n = 200, 40 data sets).',
      scope: 'figure',
      figure: PAPER,
      check: (f: FigureView) => {
        const runs = f.runs.filter((r) => r.params.demo === 'A')
        let worst = Infinity
        let where = ''
        for (const r of runs) {
          const m = r.summary.minBoundMargin
          if (!(m >= worst)) {
            worst = m
            where = `${r.label} at n = ${r.summary.minBoundMarginAt}`
          }
        }
        return { passed: runs.length === 4 && worst >= 0.5, measured: `${compare('smallest margin', worst, '≥', 0.5)} nats (${where}), seed ${runs[0]?.seed}` }
      },
    },
    {
      id: 'A2-flat-in-P',
      text: 'A2. Simple truth: |E[regret₂₀₀](P = 2048) − E[regret₂₀₀](P = 128)| ≤ 0.6 nats while ln|H| grows from 89 to 1420.',
      scope: 'figure',
      figure: PAPER,
      check: (f) => {
        const a = regretAt(f.run('A simple P=2048'), 200)
        const b = regretAt(f.run('A simple P=128'), 200)
        return {
          passed: Math.abs(a - b) <= 0.6,
          measured: `|${fmt(a, 3)} − ${fmt(b, 3)}| = ${compare('', Math.abs(a - b), '≤', 0.6).trim()} nats; ln|H| ${fmt(128 * Math.LN2, 3)} → ${fmt(2048 * Math.LN2, 4)}, seed ${f.runs[0].seed}`,
        }
      },
    },
    {
      id: 'A3-weight-matters',
      text: 'A3. At n = 200 and P = 2048: E[regret](complex) − E[regret](simple) ≥ 3 nats.',
      scope: 'figure',
      figure: PAPER,
      check: (f) => {
        const c = regretAt(f.run('A complex P=2048'), 200)
        const s = regretAt(f.run('A simple P=2048'), 200)
        return { passed: c - s >= 3, measured: `${fmt(c, 3)} − ${fmt(s, 3)} = ${compare('gap', c - s, '≥', 3)} nats, seed ${f.runs[0].seed}` }
      },
    },
    {
      id: 'B1-sgld-matches-exact',
      text: 'B1. Demo B at (P = 1000, n = 20): max |Δp| ≤ 0.05 and mean |Δp| ≤ 0.01 over the 200 test inputs (SGLD vs exact predictive).',
      scope: 'figure',
      figure: PAPER,
      check: (f) => {
        const r = f.run('B P=1000 n=20')
        const mx = r.summary.maxAbsDeltaP
        const mn = r.summary.meanAbsDeltaP
        return {
          passed: mx <= 0.05 && mn <= 0.01,
          measured: `${compare('max |Δp|', mx, '≤', 0.05)}, ${compare('mean |Δp|', mn, '≤', 0.01)}; test log-loss exact ${fmt(r.summary.testLogLossExact, 4)}, SGLD ${fmt(r.summary.testLogLossSgld, 4)}, MAP ${fmt(r.summary.testLogLossMap, 4)}, seed ${r.seed}`,
        }
      },
    },
  ],
  solve: (params, ctx) => solveUniversality(params as unknown as UniversalityParams, ctx),
})
