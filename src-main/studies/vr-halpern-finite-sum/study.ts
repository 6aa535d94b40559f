/**
 * Variance-reduced Halpern iteration for finite-sum monotone inclusions
 * (Cai, Alacaoglu & Diakonikolas, ICLR 2024, arXiv 2310.02987).
 *
 * One run = one method on one problem; the x-axis of every residual chart is the
 * component-oracle counter `oracle:component` (a full pass counts n, a PAGE minibatch 2b, a
 * VR-FoRB / VR-EG inner step 2), i.e. epochs × n.
 */
import { compare, defineStudy, fmt, param, type FigureView, type RunView } from '../../kit'
import { solveVrHalpern, type VrHalpernParams } from './solver'

const METHODS = ['halpern', 'alg1', 'alg2', 'eg', 'eag', 'vreg'] as const
const METHOD_LABEL: Record<(typeof METHODS)[number], string> = {
  halpern: 'Halpern',
  alg1: 'Alg 1',
  alg2: 'Alg 2',
  eg: 'EG',
  eag: 'EAG',
  vreg: 'VR-EG',
}
const GAIN_N = [1600, 6400, 25600] as const

const gainRuns = GAIN_N.flatMap((N) =>
  (['halpern', 'alg1'] as const).map((method) => ({
    label: `${METHOD_LABEL[method]} N=${N}`,
    params: { problem: 'A', method, N, baseline: method === 'alg1' },
  })),
)
const panelsPerN = (idPrefix: string, title: string, y: string) =>
  GAIN_N.map((N) => ({
    kind: 'series' as const,
    id: `${idPrefix}-${N}`,
    title: `${title}, N = ${N}`,
    y: [y],
    x: 'oracle:component',
    logY: true,
    runs: [`Halpern N=${N}`, `Alg 1 N=${N}`],
  }))

const gameMethods = ['eg', 'eag', 'vreg', 'alg2', 'alg1'] as const
const gameRuns = (scaling: 'rows' | 'columns') =>
  gameMethods.map((method) => ({ label: METHOD_LABEL[method], params: { problem: 'B', method, scaling } }))

/** residual at the end of the run, and where that end is in epochs */
function finalResidual(run: RunView): { residual: number; epochs: number } {
  return { residual: run.last('residual'), epochs: run.last('epochs') }
}

function gainClaim(N: number, threshold: number) {
  return {
    id: `gain-N${N}`,
    text: `Problem A, N = ${N}, 300 epochs: deterministic Halpern residual ÷ Algorithm 1 residual ≥ ${threshold}`,
    scope: 'figure' as const,
    figure: 'cocoercive-gain',
    check: (fig: FigureView) => {
      const det = finalResidual(fig.run(`Halpern N=${N}`))
      const vr = finalResidual(fig.run(`Alg 1 N=${N}`))
      const ratio = det.residual / vr.residual
      return {
        passed: ratio >= threshold,
        measured: `${compare('gain', ratio, '≥', threshold)} (Halpern ${fmt(det.residual)} at ${fmt(det.epochs, 3)} epochs, Alg 1 ${fmt(vr.residual)} at ${fmt(vr.epochs, 4)} epochs)`,
      }
    },
  }
}

export default defineStudy({
  id: 'vr-halpern-finite-sum',
  title: 'Variance-reduced Halpern iteration for finite sums',
  paper: {
    title: 'Variance Reduced Halpern Iteration for Finite-Sum Monotone Inclusions',
    authors: 'Xufeng Cai, Ahmet Alacaoglu, Jelena Diakonikolas',
    year: 2024,
    arxiv: '2310.02987',
  },
  summary:
    'Halpern anchoring with the PAGE estimator (Algorithm 1) against deterministic Halpern on a cocoercive ' +
    'least-squares finite sum: per epoch of component-oracle calls the residual gain grows like √N (about 3×, 5× and 10× at N = 1600, 6400 and 25600 after 300 epochs). ' +
    'On the row-scaled policeman–burglar matrix game (monotone, not cocoercive) Algorithm 1 stalls, the ' +
    'inexact-Halpern Algorithm 2 stays within 2× of EAG, and loopless VR-EG converges linearly.',
  params: {
    problem: param.choice({
      label: 'problem',
      help: 'A: cocoercive least squares (Algorithm 1 demo); B: policeman–burglar matrix game on simplices; D: the hard QP of the official script',
      default: 'A',
      choices: ['A', 'B', 'D'] as const,
    }),
    method: param.choice({
      label: 'method',
      help: 'halpern: deterministic Halpern; alg1: Halpern + PAGE (Alg. 1); alg2: inexact Halpern with VR-FoRB (Alg. 2); eg: extragradient; eag: extra-anchored gradient; vreg: loopless VR-EG',
      default: 'alg1',
      choices: METHODS,
    }),
    N: param.integer({ label: 'N', help: 'components (rows) of problem A', default: 6400, min: 4, max: 200000, log: true }),
    d: param.integer({ label: 'd', help: 'dimension of problem A', default: 20, min: 1, max: 200 }),
    noiseScale: param.number({ label: 'noise scale', help: 'b = A·w + noiseScale·ε, ε ~ N(0, I) (problem A)', default: 0.5, min: 0 }),
    rowMean: param.number({ label: 'row mean', help: 'each entry of a_i ~ N(rowMean, 1) (problem A)', default: 3 }),
    n: param.integer({ label: 'n', help: 'game size / QP size (problems B and D); also their number of components', default: 100, min: 2, max: 1000 }),
    decay: param.number({ label: 'θ', help: 'A_ij = w_i(1 − e^{−θ|i−j|}) (problem B)', default: 0.8, min: 0, exclusiveMin: true }),
    scaling: param.choice({
      label: 'wealth scaling',
      help: "rows: w scales rows (Nemirovski's game, house wealth); columns: the official script's numpy broadcast `w * C`, which scales columns (equilibrium collapses to a vertex for the policeman)",
      default: 'rows',
      choices: ['rows', 'columns'] as const,
    }),
    epochs: param.number({ label: 'epochs', help: 'budget in oracle calls / n; 0 = 300 (A), 1000 (B), 5000 (D)', default: 0, min: 0, max: 1e6 }),
    etaAlg1: param.number({ label: 'η (Alg. 1)', help: 'Algorithm 1 step; 0 = 2/L_avg (A), 5/‖A‖_F (B), 0.3 (D)', default: 0, min: 0 }),
    etaHalpern: param.number({ label: 'η (Halpern)', help: 'deterministic Halpern step; 0 = 2/L_F', default: 0, min: 0 }),
    etaBaseline: param.number({ label: 'η (EG / EAG / VR-EG)', help: 'step of the EG, EAG or VR-EG baseline; 0 = the official scripts\' (game: 5/‖A‖₂ for EG and EAG, 3√p/‖A‖_F for VR-EG; QP: 0.5, 0.3, 0.01) or 1/L_F, 3√p/L_avg on problem A', default: 0, min: 0 }),
    batch: param.integer({ label: 'batch b', help: 'PAGE minibatch size; 0 = ⌊√n⌋', default: 0, min: 0 }),
    innerFactor: param.number({ label: 'inner factor', help: 'Algorithm 2: M_k = ⌊factor·n·log(k+2)⌋ VR-FoRB steps', default: 0.05, min: 0, exclusiveMin: true }),
    snapshot: param.choice({
      label: 'VR-FoRB snapshot',
      help: 'Algorithm 2: refresh the snapshot to the inner iterate v (inner) or to the outer point u_k (outer, as the official script does)',
      default: 'inner',
      choices: ['inner', 'outer'] as const,
    }),
    baseline: param.boolean({
      label: 'gain ratio',
      help: 'problem A: also run deterministic Halpern on the same data (uncounted) and record the gain ratio Halpern residual ÷ this residual at equal epochs',
      default: true,
    }),
    algoSeed: param.integer({ label: 'sampling stream', help: 'index of the sampling stream; the data stream stays the same', default: 0, min: 0, max: 1000000 }),
  },
  metrics: {
    residual: { label: 'residual ‖F(u)‖ / natural residual', scale: 'log' },
    epochs: { label: 'epochs (oracle calls / n)', scale: 'linear' },
    residualTimesEpochs: { label: 'residual × epochs', scale: 'log', help: 'flat for O(1/k) methods' },
    fullPasses: { label: 'full passes', scale: 'linear' },
    minibatchCalls: { label: 'component calls outside full passes', scale: 'linear' },
    anchorWeight: { label: 'anchor weight λ_k', scale: 'log' },
    fullProb: { label: 'full-evaluation probability p_k', scale: 'log' },
    fullEvaluation: { label: 'full evaluation at k (0/1)', scale: 'linear' },
    estimatorError: { label: 'estimator error ‖g_k − F(u_k)‖', scale: 'log', help: 'diagnostic; its F(u_k) is not counted' },
    innerSteps: { label: 'VR-FoRB steps M_k', scale: 'linear' },
    baselineResidual: { label: 'deterministic Halpern residual at equal epochs', scale: 'log' },
    gainRatio: { label: 'gain: Halpern residual ÷ residual', scale: 'log' },
  },
  oracles: { component: 'component-operator evaluations F_i (a full pass counts n)' },
  charts: [
    { kind: 'series', id: 'residual', title: 'Residual vs component calls', y: ['residual'], x: 'oracle:component', logY: true },
    { kind: 'series', id: 'residual-times-epochs', title: 'Residual × epochs', y: ['residualTimesEpochs'], x: 'oracle:component', logY: true },
    {
      kind: 'summary',
      id: 'gain-vs-N',
      title: 'Gain ratio at the budget vs N',
      y: 'gainRatio',
      x: 'N',
      logX: true,
      logY: true,
      overlays: [{ kind: 'powerLaw', slope: 0.5, anchorX: 1600, label: '∝ √N' }],
    },
  ],
  figures: [
    {
      id: 'cocoercive-gain',
      title: 'Cocoercive least squares: Halpern vs Algorithm 1',
      description: 'Problem A (d = 20), N ∈ {1600, 6400, 25600}, 300 epochs; residual ‖F(u)‖ against component calls, one panel per N.',
      runs: gainRuns,
      charts: [
        ...panelsPerN('residual', 'Residual ‖F(u)‖', 'residual'),
        {
          kind: 'summary',
          id: 'gain',
          title: 'Gain ratio at 300 epochs vs N',
          y: 'gainRatio',
          x: 'N',
          logX: true,
          logY: true,
          runs: GAIN_N.map((N) => `Alg 1 N=${N}`),
          overlays: [{ kind: 'powerLaw', slope: 0.5, anchorX: 1600, label: '∝ √N' }],
        },
      ],
      seeds: [0, 1, 2],
    },
    {
      id: 'gain-vs-N',
      title: 'Gain ratio vs N (log-log)',
      description:
        'The runs of `cocoercive-gain`; deterministic Halpern residual ÷ Algorithm 1 residual at 300 epochs against N, with a √N reference line. The Halpern residual comes from the uncounted baseline each Algorithm 1 run carries (identical to the separate Halpern run on the same seed).',
      runs: gainRuns,
      charts: [
        {
          kind: 'summary',
          id: 'gain',
          title: 'Gain ratio at 300 epochs vs N',
          y: 'gainRatio',
          x: 'N',
          logX: true,
          logY: true,
          runs: GAIN_N.map((N) => `Alg 1 N=${N}`),
          overlays: [{ kind: 'powerLaw', slope: 0.5, anchorX: 1600, label: '∝ √N' }],
        },
        { kind: 'summary', id: 'final-residual', title: 'Residual at 300 epochs vs N', y: 'residual', x: 'N', groupBy: 'method', logX: true, logY: true },
      ],
      seeds: [0, 1, 2],
    },
    {
      id: 'residual-times-epochs',
      title: 'Residual × epochs (flat for O(1/k))',
      description: 'The runs of `cocoercive-gain`; residual × epochs makes the constants of the O(1/k) rates visible.',
      runs: gainRuns,
      charts: panelsPerN('rte', 'Residual × epochs', 'residualTimesEpochs'),
    },
    {
      id: 'matrix-game',
      title: 'Policeman–burglar game (rows scaled), Fig. 1 left analogue',
      description: 'Problem B, n = 100, row-scaled wealth; EG, EAG, VR-EG, Algorithm 2, Algorithm 1 for 1000 epochs; natural residual ("operator norm") against component calls.',
      runs: gameRuns('rows'),
      charts: [{ kind: 'series', id: 'game', title: 'Operator norm (natural residual) vs component calls', y: ['residual'], x: 'oracle:component', logY: true }],
      seeds: [0, 1, 2],
    },
    {
      id: 'matrix-game-column-scaled',
      title: "Policeman–burglar game, official script's column scaling",
      description:
        "As `matrix-game`, with the official script's numpy convention `w * C` (w scales columns). The policeman's equilibrium is then a single vertex and the natural residual takes quantised values shared by several methods.",
      runs: gameRuns('columns'),
      charts: [{ kind: 'series', id: 'game', title: 'Operator norm (column-scaled convention)', y: ['residual'], x: 'oracle:component', logY: true }],
    },
    {
      id: 'hard-qp',
      title: 'Hard QP (n = 100), Fig. 1 right analogue',
      description: 'Problem D from `quadratic_programming.py` at n = 100: deterministic Halpern, EAG and Algorithm 1 for 5000 epochs.',
      runs: (['halpern', 'eag', 'alg1'] as const).map((method) => ({ label: METHOD_LABEL[method], params: { problem: 'D', method } })),
      charts: [{ kind: 'series', id: 'qp', title: '‖F(u)‖ vs component calls', y: ['residual'], x: 'oracle:component', logY: true }],
    },
    {
      id: 'schedules',
      title: 'Algorithm 1 schedules λ_k and p_k',
      description: 'One Algorithm 1 run (problem A, N = 1600): anchor weight λ_k = 2/(k+4) and full-evaluation probability p_k against k.',
      runs: [{ label: 'Alg 1 N=1600', params: { problem: 'A', method: 'alg1', N: 1600, baseline: false } }],
      charts: [
        { kind: 'series', id: 'schedules', title: 'λ_k and p_k', y: ['anchorWeight', 'fullProb'], x: 'iteration', logX: true, logY: true },
        { kind: 'series', id: 'estimator', title: 'Estimator error ‖g_k − F(u_k)‖', y: ['estimatorError'], x: 'iteration', logX: true, logY: true },
      ],
    },
  ],
  claims: [
    gainClaim(1600, 2.5),
    gainClaim(6400, 4.5),
    gainClaim(25600, 10),
    {
      id: 'alg2-within-2x-eag',
      text: 'Row-scaled game, n = 100, 1000 epochs: Algorithm 2 residual ≤ 2 × EAG residual',
      scope: 'figure',
      figure: 'matrix-game',
      check: (fig) => {
        const alg2 = finalResidual(fig.run('Alg 2'))
        const eag = finalResidual(fig.run('EAG'))
        const ratio = alg2.residual / eag.residual
        return {
          passed: ratio <= 2,
          measured: `${compare('Alg 2 / EAG', ratio, '≤', 2)} (Alg 2 ${fmt(alg2.residual)} at ${fmt(alg2.epochs, 4)} epochs, EAG ${fmt(eag.residual)} at ${fmt(eag.epochs, 4)})`,
        }
      },
    },
    {
      id: 'alg1-stalls-on-game',
      text: 'Row-scaled game, n = 100, 1000 epochs: Algorithm 1 residual > 0.1 (it needs cocoercivity; the game is only monotone)',
      scope: 'figure',
      figure: 'matrix-game',
      check: (fig) => {
        const r = finalResidual(fig.run('Alg 1'))
        const start = fig.run('Alg 1').column('residual')[0]
        return {
          passed: r.residual > 0.1,
          measured: `${compare('Alg 1 residual', r.residual, '>', 0.1)} at ${fmt(r.epochs, 4)} epochs (start ${fmt(start)})`,
        }
      },
    },
  ],
  solve: (p, ctx) => solveVrHalpern(p as unknown as VrHalpernParams, ctx),
})
