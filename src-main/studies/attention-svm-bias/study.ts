/**
 * Tarzanagh, Li, Thrampoulidis & Oymak (2023), "Transformers as Support Vector Machines": normalized
 * GD on one-layer softmax attention converges in direction to a hard-margin attention SVM that
 * separates the selected token of each sequence: the Frobenius-norm SVM when W is trained directly,
 * the nuclear-norm SVM when W = KᵀQ is trained through (K, Q) (with a vanishing penalty).
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { solveAttention, type AttentionParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const INSTANCES = 20
const LAMBDA_PATH = [0, 1e-5, 1e-8, 1e-12, Number.EPSILON]
const LAMBDA_INSTANCES = 10
/** (n, T) pairs of the official svm_rank.ipynb: n = 5 or T = 5 */
const RANK_NT: [number, number][] = [[5, 5], [5, 10], [5, 15], [10, 5], [15, 5]]
const RANK_D = [2, 3, 4, 5, 10, 15, 20]
const RANK_INSTANCES = 3

function rankLabels(keep: (n: number, T: number) => boolean): string[] {
  return RANK_NT.filter(([n, T]) => keep(n, T)).flatMap(([n, T]) => RANK_D.flatMap((d) => Array.from({ length: RANK_INSTANCES }, (_, k) => `n=${n} T=${T} d=${d} #${k}`)))
}

const corrChart: ChartSpecInput = {
  kind: 'series',
  id: 'direction',
  title: 'corr(W_t, W_fro) and corr(W_t, W_nuc) (W-param "W #k", (K,Q)-param "KQ #k")',
  y: ['corrFro', 'corrNuc'],
  logX: true,
}
const softmaxChart: ChartSpecInput = { kind: 'series', id: 'max-softmax', title: 'mean max-softmax probability', y: ['maxSoftmax'], logX: true }
const wNormChart: ChartSpecInput = { kind: 'series', id: 'w-norm', title: '‖W_t‖_F', y: ['wNorm'], logX: true, logY: true }
const lossChart: ChartSpecInput = { kind: 'series', id: 'loss', title: 'training loss L(W_t)', y: ['loss'], logX: true, logY: true }

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length
}

function finalCorr(r: RunView, metric: 'corrFro' | 'corrNuc'): number {
  return r.last(metric)
}

function byParam(fig: FigureView, param: 'W' | 'KQ'): RunView[] {
  return fig.runs.filter((r) => r.params.param === param)
}

export default defineStudy({
  id: 'attention-svm-bias',
  title: 'Transformers as SVMs: the implicit bias of attention',
  paper: {
    title: 'Transformers as Support Vector Machines',
    authors: 'D. A. Tarzanagh, Y. Li, C. Thrampoulidis, S. Oymak',
    year: 2023,
    arxiv: '2308.16898',
  },
  summary:
    'A one-layer softmax cross-attention model f(X) = vᵀXᵀ softmax(XWz) with a fixed head is trained by normalized GD on a ' +
    'logistic loss. Attention saturates (max-softmax → 1) and ‖W‖ grows, while the direction of W converges to a hard-margin ' +
    'SVM separating each sequence\'s selected token: the Frobenius-norm Att-SVM when W is trained directly, the nuclear-norm ' +
    'Att-SVM (lower rank) when W = KᵀQ is trained through (K, Q) with the penalty λ = 2⁻⁵² (machine epsilon).',
  params: {
    n: param.integer({ label: 'n', help: 'number of sequences', default: 6, min: 1, max: 50 }),
    T: param.integer({ label: 'T', help: 'tokens per sequence', default: 8, min: 2, max: 50 }),
    d: param.integer({ label: 'd', help: 'embedding dimension (≥ 2: with d = 1 unit tokens are ±1, so tokens tie and the SVMs are infeasible)', default: 10, min: 2, max: 40 }),
    param: param.choice({ label: 'parameterisation', help: 'W: train W directly; KQ: train W = KᵀQ through K and Q (d×d each)', default: 'W', choices: ['W', 'KQ'] as const }),
    eta: param.number({ label: 'η', help: 'normalized-GD step', default: 0.1, min: 0, exclusiveMin: true, max: 10, log: true }),
    iterations: param.integer({ label: 'iterations', help: 'GD iterations', default: 2000, min: 1, max: 100000, log: true }),
    lambda: param.number({
      label: 'λ',
      help: '(K,Q) penalty λ(‖K‖² + ‖Q‖²); default 2⁻⁵² (Number.EPSILON), as in the official code: the iterate then freezes on the regularisation path at ‖W‖ ≈ 120. With 0 the run stops when the gradient underflows.',
      default: Number.EPSILON,
      min: 0,
      max: 1,
    }),
    normGuard: param.number({ label: 'norm guard', help: 'added to ‖g‖_F in the normalized steps (1e-300, not eps: the gradient can legitimately reach 1e-15)', default: 1e-300, min: 0, max: 1e-6 }),
    svmRho: param.number({ label: 'SVM ADMM ρ', help: 'penalty of the nuclear-norm SVM ADMM', default: 1, min: 0, exclusiveMin: true, max: 100, log: true }),
    svmIters: param.integer({ label: 'SVM ADMM iterations', help: 'iterations of the nuclear-norm SVM ADMM', default: 3000, min: 1, max: 100000, log: true }),
    rankTol: param.number({ label: 'rank tolerance', help: 'relative singular-value threshold for the rank', default: 1e-3, min: 0, exclusiveMin: true, max: 1, log: true }),
    svmTokens: param.choice({
      label: 'SVM tokens',
      help: 'selected: the tokens GD attends to at the end of training (the locally optimal ones; the official local_converge.ipynb); optimal: argmax_t Y_i vᵀx_{i,t} (the official svm_rank.ipynb)',
      default: 'selected',
      choices: ['selected', 'optimal'] as const,
    }),
    instance: param.integer({ label: 'instance', help: 'problem instance: data from stream "data:<k>", initialisation from "init:<k>" of the run seed (figures use 20 instances per seed)', default: 0, min: 0, max: 100000 }),
  },
  metrics: {
    loss: { label: 'L(W_t)', scale: 'log' },
    gradNorm: { label: '‖∇_W L‖_F', scale: 'log' },
    gradK: { label: '‖∇_K‖_F', scale: 'log' },
    gradQ: { label: '‖∇_Q‖_F', scale: 'log' },
    wNorm: { label: '‖W_t‖_F', scale: 'log' },
    maxSoftmax: { label: 'mean max-softmax', scale: 'linear' },
    corrFro: { label: 'corr(W_t, W_fro)', scale: 'linear' },
    corrNuc: { label: 'corr(W_t, W_nuc)', scale: 'linear' },
    rankFro: { label: 'rank W_fro', scale: 'linear' },
    rankNuc: { label: 'rank W_nuc', scale: 'linear' },
    froGap: { label: 'Frobenius SVM duality gap', scale: 'log' },
    froViolation: { label: 'Frobenius SVM violation', scale: 'log' },
    nucRelGap: { label: 'nuclear SVM relative gap', scale: 'log' },
    corrFroNuc: { label: 'corr(W_fro, W_nuc)', scale: 'linear' },
    svFro: { label: 'σ_j(W_fro)/σ_1', scale: 'log' },
    svNuc: { label: 'σ_j(W_nuc)/σ_1', scale: 'log' },
  },
  oracles: { gradient: 'gradient evaluations', svIndex: 'singular-value index' },
  charts: [corrChart, softmaxChart, wNormChart, lossChart],
  figures: [
    {
      id: 'direction-convergence',
      title: 'W → Frobenius SVM, (K,Q) → nuclear SVM',
      description: '20 instances × {W, KQ}, n = 6, T = 8, d = 10, η = 0.1, 2000 iterations; correlation of W_t with both SVM solutions of the finally selected tokens.',
      runs: (['W', 'KQ'] as const).flatMap((pm) => Array.from({ length: INSTANCES }, (_, k) => ({ label: `${pm} #${k}`, params: { param: pm, instance: k } }))),
      charts: [corrChart, { kind: 'summary', id: 'final-corr', title: 'final corr(W, W_nuc) per instance', y: 'corrNuc', x: 'instance', groupBy: 'param' }],
    },
    {
      id: 'softmax-saturation',
      title: 'Attention saturates while ‖W‖ grows',
      description: 'Same runs as the direction figure: mean max-softmax (log x) and ‖W_t‖_F (log-log).',
      runs: (['W', 'KQ'] as const).flatMap((pm) => Array.from({ length: INSTANCES }, (_, k) => ({ label: `${pm} #${k}`, params: { param: pm, instance: k } }))),
      charts: [softmaxChart, wNormChart, lossChart],
    },
    {
      id: 'svm-rank',
      title: 'Rank of the two SVM solutions',
      description:
        'The official svm_rank.ipynb grid: (n = 5, T ∈ {5, 10, 15}) and (T = 5, n ∈ {5, 10, 15}), d ∈ {2, 3, 4, 5, 10, 15, 20}, ' +
        `${RANK_INSTANCES} instances each, SVMs for the optimal tokens argmax_t Y_i vᵀx_it; rank at 1e-3·σ_1. Infeasible instances (no separating W) are marked and left out.`,
      runs: RANK_NT.flatMap(([n, T]) =>
        RANK_D.flatMap((d) =>
          Array.from({ length: RANK_INSTANCES }, (_, k) => ({ label: `n=${n} T=${T} d=${d} #${k}`, params: { n, T, d, param: 'W', svmTokens: 'optimal', instance: k } })),
        ),
      ),
      charts: [
        { kind: 'summary', id: 'rank-fro-n', title: 'rank(W_fro) vs d, T = 5 (≤ n)', y: 'rankFro', x: 'd', groupBy: 'n', runs: rankLabels((n, T) => T === 5) },
        { kind: 'summary', id: 'rank-nuc-n', title: 'rank(W_nuc) vs d, T = 5', y: 'rankNuc', x: 'd', groupBy: 'n', runs: rankLabels((n, T) => T === 5) },
        { kind: 'summary', id: 'rank-fro-T', title: 'rank(W_fro) vs d, n = 5', y: 'rankFro', x: 'd', groupBy: 'T', runs: rankLabels((n) => n === 5) },
        { kind: 'summary', id: 'rank-nuc-T', title: 'rank(W_nuc) vs d, n = 5', y: 'rankNuc', x: 'd', groupBy: 'T', runs: rankLabels((n) => n === 5) },
        { kind: 'series', id: 'spectra', title: 'normalised singular values of W_fro and W_nuc (n = 5, T = 5, d = 10)', y: ['svFro', 'svNuc'], x: 'oracle:svIndex', logY: true, runs: ['n=5 T=5 d=10 #0'] },
      ],
    },
    {
      id: 'kq-lambda-path',
      title: '(K,Q): the penalty λ and the nuclear-norm bias',
      description: '(K,Q)-param, λ ∈ {0, 1e-5, 1e-8, 1e-12, 2⁻⁵²} × 10 instances; final corr(W, W_nuc) vs λ (λ = 0 sits at the floor of the log axis).',
      runs: LAMBDA_PATH.flatMap((lambda) => Array.from({ length: LAMBDA_INSTANCES }, (_, k) => ({ label: `λ=${lambda === Number.EPSILON ? 'eps' : lambda} #${k}`, params: { param: 'KQ', lambda, instance: k } }))),
      charts: [
        { kind: 'summary', id: 'corr-vs-lambda', title: 'final corr(W, W_nuc) vs λ', y: 'corrNuc', x: 'lambda', logX: true },
        { kind: 'series', id: 'lambda-w-norm', title: '‖W_t‖_F', y: ['wNorm'], logX: true, logY: true, overlays: [{ kind: 'events', event: 'gradientUnderflow', label: 'gradient underflow (λ = 0)' }] },
      ],
    },
    {
      id: 'toy-2d',
      title: 'd = 2 toy: the path of W_t/‖W_t‖',
      description: 'd = 2 (n = 6, T = 8 as elsewhere; the visualisation notebooks were not consulted): correlation of W_t with both SVM directions, W- and (K,Q)-param.',
      runs: (['W', 'KQ'] as const).map((pm) => ({ label: pm, params: { param: pm, d: 2 } })),
      charts: [corrChart, wNormChart],
    },
  ],
  summarize(run) {
    const out: Record<string, number> = {}
    // runs whose SVM was infeasible record no correlations
    if (!run.events.some((e) => e.name === 'svmInfeasible')) {
      for (const t of [100, 500, 1000]) {
        const c = run.at('corrFro', t)
        if (Number.isFinite(c)) out[`corrFro@${t}`] = c
        const c2 = run.at('corrNuc', t)
        if (Number.isFinite(c2)) out[`corrNuc@${t}`] = c2
      }
    }
    return out
  },
  claims: [
    {
      id: 'w-param-frobenius',
      text: 'W-param: corr(W_2000, W_fro) ≥ 0.99 in every one of the 20 instances.',
      scope: 'figure',
      figure: 'direction-convergence',
      check: (fig) => {
        const c = byParam(fig, 'W').map((r) => finalCorr(r, 'corrFro'))
        const min = Math.min(...c)
        return { passed: c.length === INSTANCES && min >= 0.99, measured: `${compare('min corr(W, W_fro)', min, '≥', 0.99)} (mean ${mean(c).toFixed(4)}, ${c.length} instances)` }
      },
    },
    {
      id: 'kq-param-nuclear',
      text: '(K,Q)-param (λ = 2⁻⁵²): the mean of corr(W_2000, W_nuc) over the 20 instances is ≥ 0.99 and its min ≥ 0.97.',
      scope: 'figure',
      figure: 'direction-convergence',
      check: (fig) => {
        const c = byParam(fig, 'KQ').map((r) => finalCorr(r, 'corrNuc'))
        const m = mean(c)
        const min = Math.min(...c)
        return { passed: c.length === INSTANCES && m >= 0.99 && min >= 0.97, measured: `${compare('mean corr(W, W_nuc)', m, '≥', 0.99)}, ${compare('min', min, '≥', 0.97)}` }
      },
    },
    {
      id: 'biases-distinct',
      text: 'The biases are distinct: mean corr(W_2000, W_nuc) for W-param ≤ 0.90 and mean corr(W_2000, W_fro) for (K,Q)-param ≤ 0.90.',
      scope: 'figure',
      figure: 'direction-convergence',
      check: (fig) => {
        const wNuc = byParam(fig, 'W').map((r) => finalCorr(r, 'corrNuc'))
        const kqFro = byParam(fig, 'KQ').map((r) => finalCorr(r, 'corrFro'))
        const a = mean(wNuc)
        const b = mean(kqFro)
        const rf = mean(byParam(fig, 'W').map((r) => r.last('rankFro')))
        const rn = mean(byParam(fig, 'KQ').map((r) => r.last('rankNuc')))
        return {
          passed: a <= 0.9 && b <= 0.9,
          measured: `${compare('W-param mean corr(W, W_nuc)', a, '≤', 0.9)} (min ${fmt(Math.min(...wNuc), 3)}), ${compare('(K,Q) mean corr(W, W_fro)', b, '≤', 0.9)}; mean rank W_fro ${rf.toFixed(2)}, W_nuc ${rn.toFixed(2)}`,
        }
      },
    },
  ],
  solve: (p, ctx) => solveAttention(p as unknown as AttentionParams, ctx),
})
