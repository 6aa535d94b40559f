/**
 * Gradient-Normalized Smoothness (Semenov, Jaggi & Doikov, 2025): Algorithm 1, the
 * gradient-regularised Newton method with adaptive γ, with exact and approximate Hessians
 * (weighted Gauss–Newton, empirical Fisher) against backtracking gradient methods.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { solveRun } from './solver'

const TOL = 1e-8

type ChartSpecInput = FigureDefinition['charts'][number]

// ---------------------------------------------------------------- run presets

const softmaxSharp = { problem: 'softmax', m: 100, n: 100, mu: 0.25, maxIter: 2000 } as const
const logistic = { problem: 'logistic', samples: 500, features: 50, reg: 1e-3, maxIter: 2000 } as const
const gnsExact = { method: 'gns', hessian: 'exact' } as const
const gnsWgn = { method: 'gns', hessian: 'wgn' } as const
const gnsFisher = { method: 'gns', hessian: 'fisher' } as const
const gdB = { method: 'gd', metric: 'AtA' } as const
const gdEuclid = { method: 'gd', metric: 'I' } as const

const SOFTMAX_RUNS = [
  { label: 'GNS exact', params: { ...softmaxSharp, ...gnsExact } },
  { label: 'GNS WGN', params: { ...softmaxSharp, ...gnsWgn } },
  { label: 'GD (B)', params: { ...softmaxSharp, ...gdB } },
  { label: 'GD (Euclidean)', params: { ...softmaxSharp, ...gdEuclid } },
]
const LOGISTIC_RUNS = [
  { label: 'Newton exact', params: { ...logistic, ...gnsExact } },
  { label: 'GNS Fisher', params: { ...logistic, ...gnsFisher } },
  { label: 'GD', params: { ...logistic, method: 'gd' } },
]

// ---------------------------------------------------------------- charts

const tolLine = { kind: 'hline' as const, value: TOL, label: 'tolerance 1e-8' }

function gapCharts(prefix: string, newtonLabels: string[]): ChartSpecInput[] {
  return [
    { kind: 'series', id: `${prefix}-gap-iter`, title: 'f − f* vs iterations', y: ['gap'], x: 'iteration', logY: true, overlays: [tolLine] },
    {
      kind: 'series',
      id: `${prefix}-gap-solves`,
      title: 'f − f* vs linear solves (Cholesky of H + λB, inner tries included)',
      y: ['gap'],
      x: 'oracle:solve',
      logY: true,
      overlays: [tolLine],
      runs: newtonLabels,
    },
    { kind: 'series', id: `${prefix}-gap-grads`, title: 'f − f* vs gradient evaluations', y: ['gap'], x: 'oracle:grad', logY: true, overlays: [tolLine] },
  ]
}

// ---------------------------------------------------------------- claim helpers

/** The first recorded iteration with f − f* < tol, with the oracle counts there. */
function firstHit(run: RunView, tol = TOL): { k: number; solves: number; grads: number; gap: number } {
  const gap = run.column('gap')
  const it = run.column('iteration')
  for (let i = 0; i < gap.length; i++) {
    if (gap[i] < tol) {
      return { k: it[i], solves: run.column('oracle:solve')[i], grads: run.column('oracle:grad')[i], gap: gap[i] }
    }
  }
  return { k: Infinity, solves: Infinity, grads: Infinity, gap: run.last('gap') }
}

/**
 * The linear-phase rate: the geometric-mean contraction of f − f* from the first iteration with
 * f − f* < 1 (the end of the damped phase) to the last recorded iteration. NaN when undefined.
 */
function linearPhaseRate(run: RunView): number {
  const gap = run.column('gap')
  const last = gap.length - 1
  let first = 0
  while (first < last && !(gap[first] < 1)) first++
  if (last <= first || !(gap[first] > 0) || !(gap[last] > 0)) return NaN
  return Math.pow(gap[last] / gap[first], 1 / (last - first))
}

function hitText(name: string, h: { k: number; solves: number; grads: number; gap: number }, op: '≤' | '≥', bound: number, maxIter: number): string {
  if (!Number.isFinite(h.k)) return `${name}: not reached in ${maxIter} iterations (f − f* = ${fmt(h.gap)}) ${op} ${bound}`
  const cost = h.solves > 0 ? `${h.solves} linear solves` : `${h.grads} gradient evaluations`
  return `${name}: ${compare('k', h.k, op, bound)} (f − f* = ${fmt(h.gap)}, ${cost})`
}

function gapAtEnd(fig: FigureView, label: string): { gap: number; k: number } {
  const run = fig.run(label)
  return { gap: run.last('gap'), k: run.last('iteration') }
}

// ---------------------------------------------------------------- the study

export default defineStudy({
  id: 'gns-approx-newton',
  title: 'Gradient-Normalized Smoothness: Newton with approximate Hessians',
  paper: {
    title: 'Gradient-Normalized Smoothness for Optimization with Approximate Hessians',
    authors: 'A. Semenov, M. Jaggi, N. Doikov',
    year: 2025,
    arxiv: '2506.13710',
  },
  summary:
    'Algorithm 1 is a gradient-regularised Newton method, Δ = −(H_k + λ_k B)⁻¹g_k with λ_k = ‖g_k‖_*/γ_k, where γ doubles on ' +
    'success and halves on failure of a sufficient-decrease test. It converges globally and linearly on sharp softmax and ' +
    'ill-conditioned logistic problems even when H_k is only a weighted Gauss–Newton or empirical-Fisher approximation, ' +
    'while backtracking gradient methods stall. μ (softmax temperature) is the difficulty knob.',
  params: {
    problem: param.choice({
      label: 'problem',
      help: 'softmax: μ·log Σ exp((⟨a_i,x⟩ − b_i)/μ), shifted so x* = 0; logistic: ℓ2-regularised logistic regression (this study’s instance)',
      default: 'softmax',
      choices: ['softmax', 'logistic'] as const,
    }),
    method: param.choice({
      label: 'method',
      help: 'gns: Algorithm 1 (gradient-regularised Newton, adaptive γ); gd: gradient method with backtracking on L in the metric B',
      default: 'gns',
      choices: ['gns', 'gd'] as const,
    }),
    hessian: param.choice({
      label: 'Hessian model H_k',
      help: 'exact ∇²f; wgn: weighted Gauss–Newton (1/μ)Aᵀdiag(softmax)A (softmax only); fisher: empirical Fisher Aᵀdiag((1−s)²)A/m + reg·I (logistic only). Ignored by gd.',
      default: 'exact',
      choices: ['exact', 'wgn', 'fisher'] as const,
    }),
    metric: param.choice({
      label: 'metric B',
      help: 'auto: AᵀA (unshifted data) for softmax, I for logistic; AtA; I (Euclidean)',
      default: 'auto',
      choices: ['auto', 'AtA', 'I'] as const,
    }),
    m: param.integer({ label: 'm (softmax rows)', help: 'number of linear pieces a_i of the softmax', default: 100, min: 1, max: 2000 }),
    n: param.integer({ label: 'n (softmax dimension)', help: 'dimension of x for the softmax problem', default: 100, min: 1, max: 2000 }),
    mu: param.number({
      label: 'μ (softmax temperature)',
      help: 'the difficulty knob: smaller μ is sharper (presets 0.05, 0.25, 1)',
      default: 0.25,
      min: 0,
      exclusiveMin: true,
      max: 100,
      log: true,
    }),
    samples: param.integer({ label: 'm (logistic samples)', help: 'number of logistic-regression samples', default: 500, min: 1, max: 20000 }),
    features: param.integer({ label: 'n (logistic features)', help: 'number of logistic-regression features', default: 50, min: 1, max: 1000 }),
    featureScaleRange: param.number({
      label: 'feature scale range r',
      help: 'each feature (column) is scaled by e^{U[−r, r]}: the ill-conditioning knob of the logistic problem',
      default: 1.5,
      min: 0,
      max: 10,
    }),
    labelFlip: param.number({ label: 'label-flip fraction', help: 'fraction of logistic labels flipped (exactly round(p·m), chosen uniformly)', default: 0.1, min: 0, max: 1, exclusiveMax: true }),
    reg: param.number({ label: 'reg (ℓ2)', help: 'logistic ℓ2 regularisation (reg/2)‖x‖²', default: 1e-3, min: 0, max: 10 }),
    gamma0: param.number({ label: 'γ₀', help: 'initial γ of Algorithm 1', default: 1, min: 0, exclusiveMin: true, log: true }),
    eps: param.number({
      label: 'ε',
      help: 'guard in λ_k = ‖g_k‖_*/(γ_k + ε); also the ε·I added to B = AᵀA when m < n',
      default: 1e-8,
      min: 0,
      exclusiveMin: true,
      log: true,
    }),
    gammaMin: param.number({ label: 'γ_min', help: 'lower clamp of γ after a doubling', default: 1e-9, min: 0, exclusiveMin: true, log: true }),
    maxTries: param.integer({ label: 'max tries', help: 'inner γ-search tries (linear solves) per iteration of Algorithm 1', default: 40, min: 1, max: 200 }),
    tol: param.number({ label: 'tol', help: 'stop when f − f* < tol', default: 1e-8, min: 0, exclusiveMin: true, log: true }),
    maxIter: param.integer({ label: 'max iterations', help: 'iteration cap (the gradient baselines run all of it unless they reach tol)', default: 2000, min: 1, max: 100000 }),
    L0: param.number({ label: 'L₀ (gd)', help: 'initial smoothness estimate of the gradient method', default: 1, min: 0, exclusiveMin: true, log: true }),
    Lmin: param.number({ label: 'L_min (gd)', help: 'lower clamp of L after a halving', default: 1e-5, min: 0, exclusiveMin: true, log: true }),
    maxBacktracks: param.integer({ label: 'max backtracks (gd)', help: 'backtracking tries per iteration of the gradient method', default: 30, min: 1, max: 200 }),
  },
  metrics: {
    gap: { label: 'f − f*', scale: 'log', help: 'functional residual; f* exact (softmax: f(0) after the shift; logistic: damped Newton to ‖∇f‖ ≈ 1e-13)' },
    gradNorm: { label: '‖∇f‖_*', scale: 'log', help: 'dual norm √(gᵀB⁻¹g)' },
    gamma: { label: 'γ_k', scale: 'log', help: 'Algorithm 1: the γ the iteration starts with' },
    lambda: { label: 'λ', scale: 'log', help: 'Algorithm 1: the regularisation ‖g‖_*/(γ + ε) of the accepted try that produced x_k' },
    L: { label: 'L_k', scale: 'log', help: 'gradient method: the smoothness estimate the iteration starts with' },
    tries: { label: 'inner tries', scale: 'linear', help: 'linear solves (GNS) or function evaluations (gd) of the step that produced x_k' },
    contraction: { label: '(f_k − f*)/(f_{k−1} − f*)', scale: 'linear', help: 'empirical contraction factor; a flat level below 1 is a linear rate' },
  },
  oracles: {
    func: 'function evaluations',
    grad: 'gradient evaluations',
    hess: 'exact Hessian evaluations',
    hessApprox: 'Hessian-approximation evaluations (weighted Gauss–Newton or empirical Fisher)',
    solve: 'linear solves (Cholesky factorisations of H_k + λ_k B, every inner try counted)',
  },
  charts: [
    { kind: 'series', id: 'gap-iter', title: 'f − f* vs iterations', y: ['gap'], x: 'iteration', logY: true, overlays: [tolLine] },
    { kind: 'series', id: 'gap-solves', title: 'f − f* vs linear solves', y: ['gap'], x: 'oracle:solve', logY: true, overlays: [tolLine] },
    { kind: 'series', id: 'gap-grads', title: 'f − f* vs gradient evaluations', y: ['gap'], x: 'oracle:grad', logY: true, overlays: [tolLine] },
    { kind: 'series', id: 'gamma', title: 'γ_k vs k', y: ['gamma'], x: 'iteration', logY: true, overlays: [{ kind: 'events', event: 'searchExhausted', label: 'γ-search exhausted' }] },
  ],
  figures: [
    {
      id: 'softmax-sharp',
      title: 'Sharp softmax (m = n = 100, μ = 0.25): GNS exact and WGN vs gradient methods',
      description:
        'Algorithm 1 with the exact Hessian and with the weighted Gauss–Newton approximation, against backtracking gradient ' +
        'descent in the B = AᵀA norm and in the Euclidean norm, up to 2000 iterations, from x₀ = 1.',
      runs: SOFTMAX_RUNS,
      charts: gapCharts('softmax', ['GNS exact', 'GNS WGN']),
    },
    {
      id: 'logistic-fisher',
      title: 'Ill-conditioned logistic regression (m = 500, n = 50): exact Newton, empirical Fisher, GD',
      description:
        'Algorithm 1 with the exact Hessian and with the empirical-Fisher approximation, against the backtracking gradient ' +
        'method, on ℓ2-regularised logistic regression with features scaled by e^{U[−1.5, 1.5]} and 10% label flips, from x₀ = 0.',
      runs: LOGISTIC_RUNS,
      charts: gapCharts('logistic', ['Newton exact', 'GNS Fisher']),
    },
    {
      id: 'gamma-trace',
      title: 'γ_k of Algorithm 1 on the sharp softmax',
      description: 'The adaptive γ_k (doubled on success, halved on failure) and the resulting λ of the GNS runs of the softmax-sharp preset.',
      runs: SOFTMAX_RUNS.slice(0, 2),
      charts: [
        { kind: 'series', id: 'gamma', title: 'γ_k vs k', y: ['gamma'], x: 'iteration', logY: true },
        { kind: 'series', id: 'lambda', title: 'λ of the accepted step vs k', y: ['lambda'], x: 'iteration', logY: true },
        { kind: 'series', id: 'tries', title: 'inner tries per iteration', y: ['tries'], x: 'iteration' },
      ],
    },
    {
      id: 'contraction',
      title: 'Empirical contraction factor (f_{k+1} − f*)/(f_k − f*)',
      description:
        'A linear rate shows as a contraction factor that settles below 1: GNS with exact and weighted Gauss–Newton Hessians on ' +
        'the sharp softmax, with GD(B) for contrast (close to 1).',
      runs: [...SOFTMAX_RUNS.slice(0, 3)],
      charts: [
        {
          kind: 'series',
          id: 'contraction',
          title: 'contraction factor vs k',
          y: ['contraction'],
          x: 'iteration',
          overlays: [{ kind: 'hline', value: 1, label: 'no progress' }],
        },
      ],
    },
    {
      id: 'difficulty-mu',
      title: 'Difficulty knob μ: WGN-GNS vs GD(B) at μ ∈ {1 (n = 200), 0.25, 0.05}',
      description:
        'As μ shrinks the softmax sharpens: GD(B) is competitive at μ = 1 (m = n = 200) and stalls at μ = 0.25 and 0.05, ' +
        'while WGN-GNS keeps converging (more slowly at μ = 0.05).',
      runs: [
        { label: 'WGN μ=1', params: { problem: 'softmax', m: 200, n: 200, mu: 1, ...gnsWgn } },
        { label: 'GD(B) μ=1', params: { problem: 'softmax', m: 200, n: 200, mu: 1, ...gdB } },
        { label: 'WGN μ=0.25', params: { ...softmaxSharp, ...gnsWgn } },
        { label: 'GD(B) μ=0.25', params: { ...softmaxSharp, ...gdB } },
        { label: 'WGN μ=0.05', params: { ...softmaxSharp, mu: 0.05, ...gnsWgn } },
        { label: 'GD(B) μ=0.05', params: { ...softmaxSharp, mu: 0.05, ...gdB } },
      ],
      charts: [
        { kind: 'series', id: 'gap-iter', title: 'f − f* vs iterations', y: ['gap'], x: 'iteration', logY: true, overlays: [tolLine] },
        { kind: 'summary', id: 'iters-mu', title: 'iterations run (to tol or the cap) vs μ', y: 'iterations', x: 'mu', groupBy: 'method', logX: true, logY: true },
      ],
    },
    {
      id: 'notebook-softmax',
      title: 'Notebook instance size (m = n = 1000, μ = 1), heavy',
      description:
        'The repository notebook’s softmax size and temperature with all four methods (1000 iterations, as there). Heavy: each ' +
        'Newton iteration costs m·n² + n³/3 flops per try. Seed 3124 is the notebook’s NumPy seed; this study’s generator ' +
        'differs, so the instance is of the same law, not the same matrix.',
      seeds: [3124],
      runs: [
        { label: 'GNS exact', params: { problem: 'softmax', m: 1000, n: 1000, mu: 1, maxIter: 1000, ...gnsExact } },
        { label: 'GNS WGN', params: { problem: 'softmax', m: 1000, n: 1000, mu: 1, maxIter: 1000, ...gnsWgn } },
        { label: 'GD (B)', params: { problem: 'softmax', m: 1000, n: 1000, mu: 1, maxIter: 1000, ...gdB } },
        { label: 'GD (Euclidean)', params: { problem: 'softmax', m: 1000, n: 1000, mu: 1, maxIter: 1000, ...gdEuclid } },
      ],
      charts: [{ kind: 'series', id: 'gap-iter', title: 'f − f* vs iterations', y: ['gap'], x: 'iteration', logY: true, overlays: [tolLine] }],
    },
  ],
  claims: [
    {
      id: 'softmax-exact-gns-60',
      text: 'Sharp softmax (m = n = 100, μ = 0.25): exact-Hessian GNS reaches f − f* < 1e-8 in ≤ 60 iterations',
      scope: 'figure',
      figure: 'softmax-sharp',
      check(fig) {
        const h = firstHit(fig.run('GNS exact'))
        return { passed: h.k <= 60, measured: hitText('GNS exact', h, '≤', 60, 2000) }
      },
    },
    {
      id: 'softmax-wgn-gns-150',
      text: 'Sharp softmax: weighted Gauss–Newton GNS reaches f − f* < 1e-8 in ≤ 150 iterations and in ≤ 3× the exact-GNS count',
      scope: 'figure',
      figure: 'softmax-sharp',
      check(fig) {
        const exact = firstHit(fig.run('GNS exact'))
        const wgnRun = fig.run('GNS WGN')
        const wgn = firstHit(wgnRun)
        const passed = wgn.k <= 150 && wgn.k <= 3 * exact.k
        return {
          passed,
          measured:
            `${hitText('GNS WGN', wgn, '≤', 150, 2000)}; ${compare('k', wgn.k, '≤', 3 * exact.k, `= 3 × ${exact.k} (exact)`)}; ` +
            `linear-phase rate ${fmt(linearPhaseRate(wgnRun))} per iteration (from f − f* < 1 on)`,
        }
      },
    },
    {
      id: 'softmax-gd-stalls',
      text: 'Sharp softmax: both gradient methods, in the B-norm and Euclidean, still have f − f* > 1e-3 after 2000 iterations',
      scope: 'figure',
      figure: 'softmax-sharp',
      check(fig) {
        const b = gapAtEnd(fig, 'GD (B)')
        const e = gapAtEnd(fig, 'GD (Euclidean)')
        const passed = b.k === 2000 && e.k === 2000 && b.gap > 1e-3 && e.gap > 1e-3
        return {
          passed,
          measured: `GD(B): ${compare('f − f*', b.gap, '>', 1e-3, `at k = ${b.k}`)}; GD(Euclidean): ${compare('f − f*', e.gap, '>', 1e-3, `at k = ${e.k}`)}`,
        }
      },
    },
    {
      id: 'logistic-newton-10',
      text: 'Logistic regression (m = 500, n = 50): exact-Hessian Algorithm 1 reaches f − f* < 1e-8 in ≤ 10 iterations',
      scope: 'figure',
      figure: 'logistic-fisher',
      check(fig) {
        const h = firstHit(fig.run('Newton exact'))
        return { passed: h.k <= 10, measured: hitText('Newton exact', h, '≤', 10, 2000) }
      },
    },
    {
      id: 'logistic-fisher-80',
      text: 'Logistic regression: empirical-Fisher GNS reaches f − f* < 1e-8 in ≤ 80 iterations',
      scope: 'figure',
      figure: 'logistic-fisher',
      check(fig) {
        const run = fig.run('GNS Fisher')
        const h = firstHit(run)
        return { passed: h.k <= 80, measured: `${hitText('GNS Fisher', h, '≤', 80, 2000)}; linear-phase rate ${fmt(linearPhaseRate(run))} per iteration` }
      },
    },
    {
      id: 'logistic-gd-500',
      text: 'Logistic regression: the backtracking gradient method needs ≥ 500 iterations to reach f − f* < 1e-8',
      scope: 'figure',
      figure: 'logistic-fisher',
      check(fig) {
        const h = firstHit(fig.run('GD'))
        return { passed: h.k >= 500, measured: hitText('GD', h, '≥', 500, 2000) }
      },
    },
  ],
  validate(p) {
    const out: string[] = []
    if (p.method === 'gns' && p.hessian === 'wgn' && p.problem !== 'softmax') out.push('hessian = wgn (weighted Gauss–Newton) is defined for problem = softmax only')
    if (p.method === 'gns' && p.hessian === 'fisher' && p.problem !== 'logistic') out.push('hessian = fisher (empirical Fisher) is defined for problem = logistic only')
    return out
  },
  warnings(p) {
    const out: string[] = []
    const [m, n] = p.problem === 'softmax' ? [p.m, p.n] : [p.samples, p.features]
    if (p.method === 'gns' && m * n * n > 2e8) {
      out.push(`each Newton iteration costs about m·n² + n³/3 ≈ ${fmt(m * n * n + (n * n * n) / 3)} flops per try: expect seconds per iteration`)
    }
    if (p.problem === 'logistic' && p.reg === 0) out.push('reg = 0: the logistic optimum may be at infinity (separable data), and f* is then not attained')
    return out
  },
  derived(p) {
    const [m, n] = p.problem === 'softmax' ? [p.m, p.n] : [p.samples, p.features]
    return { newtonFlopsPerIteration: m * n * n + (n * n * n) / 3 }
  },
  summarize(run) {
    const out: Record<string, number> = {}
    const h = firstHit(run, Number(run.params.tol ?? TOL))
    out.reached = Number.isFinite(h.k) ? 1 : 0
    if (Number.isFinite(h.k)) {
      out.hitIteration = h.k
      out.hitSolves = h.solves
      out.hitGrads = h.grads
    }
    out.linearPhaseRate = linearPhaseRate(run)
    return out
  },
  solve(p, ctx) {
    solveRun(p, ctx)
  },
})
