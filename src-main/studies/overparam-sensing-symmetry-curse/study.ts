/**
 * Xiong, Ding & Du (2023), "How Over-Parameterization Slows Down Gradient Descent in Matrix
 * Sensing: The Curses of Symmetry and Initialization" (arXiv 2310.01769, ICLR 2024).
 *
 * GD on the factorised sensing loss L(Z) = (1/2m) Σ_i (⟨A_i, Z⟩ − y_i)², with Z = XXᵀ or FGᵀ:
 *   symmetric    X ← X − η·(S + Sᵀ)·X
 *   asymmetric   F ← F − η·S·G,  G ← G − η·Sᵀ·F  (simultaneous)
 * where S = (1/m) Σ_i (⟨A_i, Z⟩ − y_i)·A_i (S = Z − M* in the population limit). Over-
 * parameterised symmetric GD is sublinear (the paper's Ω(1/T²) lower bound), asymmetric GD with
 * an imbalanced small initialisation is linear at a rate ∝ α², and a one-step balancing fix
 * (here a reconstruction of the paper's eq. (5.1)) removes the α dependence.
 */
import { compare, defineStudy, fmt, param, type FigureView, type RunView } from '../../kit'
import { linearPhaseSlope, logLogSlope } from './fits'
import { BLOWUP_EVENT, FIX_EVENT, solveSensing } from './solver'

/** α of the symmetric presets (the spec leaves it open; 0.01 reproduces its reference values). */
const SYM_ALPHA = 0.01
const FIX_LABEL = 'balancing step (reconstruction)'

const FACT = { mode: 'factorisation', n: 50, r: 3, eta: 0.1, T: 8000 } as const
const SENS = { mode: 'sensing', n: 20, r: 2, m: 600, eta: 0.05, T: 4000, measurements: 'general' } as const
const FACT_ALPHAS = [0.01, 0.03, 0.1] as const
const SENS_ALPHAS = [0.02, 0.06, 0.2] as const

const symRun = (base: typeof FACT | typeof SENS, k: number) => ({
  label: `sym k=${k}`,
  params: { ...base, parameterisation: 'symmetric', k, alpha: SYM_ALPHA, fix: false },
})
const asymRun = (base: typeof FACT | typeof SENS, alpha: number, fix: boolean) => ({
  label: `${fix ? 'asym+fix' : 'asym'} α=${alpha}`,
  params: { ...base, parameterisation: 'asymmetric', k: base.r + 2, alpha, initBalance: 'imbalanced', fix, tau: 1e-2 },
})

const factSym = [symRun(FACT, 5), symRun(FACT, 10), symRun(FACT, 3)]
const factAsym = FACT_ALPHAS.map((a) => asymRun(FACT, a, false))
const factFix = FACT_ALPHAS.map((a) => asymRun(FACT, a, true))
const sensSym = [symRun(SENS, 4), symRun(SENS, 2)]
const sensAsym = SENS_ALPHAS.map((a) => asymRun(SENS, a, false))
const sensFix = SENS_ALPHAS.map((a) => asymRun(SENS, a, true))
const labels = (runs: { label: string }[]) => runs.map((r) => r.label)

const errorCharts = (prefix: string, sym: { label: string }[], asym: { label: string }[], anchor: number) => [
  {
    kind: 'series' as const,
    id: `${prefix}-symmetric`,
    title: '(a) symmetric XXᵀ: relative error, log-log (k = r linear; k > r sublinear)',
    y: ['relError'],
    logX: true,
    logY: true,
    runs: labels(sym),
    overlays: [{ kind: 'powerLaw' as const, slope: -1, anchorX: anchor, label: 'slope −1 (1/T² in the loss)' }],
  },
  {
    kind: 'series' as const,
    id: `${prefix}-asymmetric`,
    title: '(b) asymmetric FGᵀ: relative error, semilog (rate ∝ α²; the fix removes α)',
    y: ['relError'],
    logY: true,
    runs: labels(asym),
    overlays: [{ kind: 'events' as const, event: FIX_EVENT, label: FIX_LABEL }],
  },
]

function fixIterationOf(run: RunView): number {
  const e = run.events.find((x) => x.name === FIX_EVENT)
  return e ? e.iteration : NaN
}

export default defineStudy({
  id: 'overparam-sensing-symmetry-curse',
  title: 'Over-parameterisation slows GD in matrix sensing: the curses of symmetry and initialisation',
  paper: {
    title:
      'How Over-Parameterization Slows Down Gradient Descent in Matrix Sensing: The Curses of Symmetry and Initialization',
    authors: 'Nuoya Xiong, Lijun Ding, Simon S. Du',
    year: 2023,
    arxiv: '2310.01769',
  },
  summary:
    'Gradient descent fits a rank-r PSD matrix M* through a factorisation. Symmetric XXᵀ with exact rank k = r converges ' +
    'linearly, but over-parameterised (k > r) it slows to a sublinear rate (the paper proves an Ω(1/T²) lower bound for the loss). ' +
    'The asymmetric FGᵀ with an imbalanced small initialisation (F0 ~ α, G0 ~ α/3) is linear again, at a rate ∝ α²; ' +
    'a one-step balancing fix (a reconstruction of the paper’s eq. (5.1)) makes the rate independent of α.',
  params: {
    mode: param.choice({
      label: 'mode',
      help: 'factorisation: the population limit, S = Z − M*; sensing: m Gaussian measurements (non-symmetric A_i)',
      default: 'factorisation',
      choices: ['factorisation', 'sensing'] as const,
    }),
    n: param.integer({ label: 'n', help: 'matrix size (spec: 50; sensing mode 20)', default: 50, min: 2, max: 200 }),
    r: param.integer({ label: 'r', help: 'rank of M* = U·diag(σ)·Uᵀ, σ from 1 down to 0.5 (spec: 3; sensing mode 2)', default: 3, min: 1, max: 20 }),
    k: param.integer({ label: 'k', help: 'factor width: k = r exact, k > r over-parameterised (presets: r, r + 2, 2r + 4)', default: 5, min: 1, max: 60 }),
    parameterisation: param.choice({
      label: 'parameterisation',
      help: 'symmetric XXᵀ or asymmetric FGᵀ',
      default: 'asymmetric',
      choices: ['symmetric', 'asymmetric'] as const,
    }),
    alpha: param.number({
      label: 'α',
      help: 'initialisation scale: entries N(0, α²). Note FᵀF ≈ n·α²·I, so α means different things at different n; the run shows the actual λ_min(FᵀF − GᵀG)',
      default: 0.03,
      min: 1e-4,
      max: 1,
      log: true,
    }),
    initBalance: param.choice({
      label: 'initialisation balance',
      help: 'imbalanced: F0 ~ N(0, α²), G0 ~ N(0, (α/3)²) (the paper’s); balanced: both N(0, α²) — a small imbalance of mixed sign, which slows GD',
      default: 'imbalanced',
      choices: ['imbalanced', 'balanced'] as const,
    }),
    eta: param.number({
      label: 'η',
      help: 'step size; symmetric GD converges for η ≤ 0.4 when σ1(M*) = 1 (spec: 0.1; sensing mode 0.05)',
      default: 0.1,
      min: 0,
      max: 1,
      exclusiveMin: true,
      log: true,
    }),
    T: param.integer({ label: 'T', help: 'iterations (spec: 8000; sensing mode 4000)', default: 8000, min: 1, max: 200000 }),
    m: param.integer({ label: 'm', help: 'number of Gaussian measurements (sensing mode only)', default: 600, min: 1, max: 20000 }),
    measurements: param.choice({
      label: 'sensing matrices',
      help: 'general: i.i.d. Gaussian A_i (what FGᵀ needs); symmetrised: (A_i + A_iᵀ)/2 — the pitfall: the skew part of FGᵀ is invisible, so ‖FGᵀ − M*‖ plateaus',
      default: 'general',
      choices: ['general', 'symmetrised'] as const,
    }),
    fix: param.boolean({ label: 'balancing step', help: 'apply the one-step balancing fix (a reconstruction of the paper’s eq. (5.1)) once relError ≤ τ; asymmetric only', default: false }),
    tau: param.number({
      label: 'τ',
      help: 'trigger of the balancing step: the first t with ‖FGᵀ − M*‖_F ≤ τ·‖M*‖_F',
      default: 1e-2,
      min: 0,
      max: 1,
      exclusiveMin: true,
      exclusiveMax: true,
      log: true,
    }),
  },
  metrics: {
    relError: { label: '‖Z − M*‖_F / ‖M*‖_F', scale: 'log' },
    loss: { label: 'loss L(Z)', scale: 'log' },
    imbalanceEigs: { label: 'eigenvalues of FᵀF − GᵀG', scale: 'linear', vector: true, help: 'conserved exactly under gradient flow' },
    imbalanceMin: { label: 'λ_min(FᵀF − GᵀG)', scale: 'linear', help: 'the imbalance that drives the linear rate of FGᵀ; ≈ (8/9)·n·α² at the imbalanced initialisation' },
    redundantSingularValues: { label: 'σ_{r+1..k} (of X, or of G)', scale: 'log', vector: true },
    normF: { label: '‖F‖_F', scale: 'linear' },
    normG: { label: '‖G‖_F', scale: 'linear' },
    normX: { label: '‖X‖_F', scale: 'linear' },
  },
  oracles: { grad: 'gradient evaluations' },
  charts: [
    {
      kind: 'series',
      id: 'error-loglog',
      title: 'relative error, log-log (symmetric: sublinear for k > r)',
      y: ['relError'],
      logX: true,
      logY: true,
      overlays: [{ kind: 'powerLaw', slope: -1, anchorX: 1000, label: 'slope −1' }],
    },
    {
      kind: 'series',
      id: 'error-semilog',
      title: 'relative error, semilog (asymmetric: linear)',
      y: ['relError'],
      logY: true,
      overlays: [{ kind: 'events', event: FIX_EVENT, label: FIX_LABEL }],
    },
    {
      kind: 'series',
      id: 'imbalance',
      title: 'λ_min(FᵀF − GᵀG)',
      y: ['imbalanceMin'],
      overlays: [{ kind: 'events', event: FIX_EVENT, label: FIX_LABEL }],
    },
    { kind: 'series', id: 'redundant', title: 'redundant singular values σ_{r+1..k}', y: ['redundantSingularValues'], logY: true },
  ],
  figures: [
    {
      id: 'factorisation-panel',
      title: 'Factorisation mode: symmetric vs asymmetric, with and without the balancing step',
      description:
        'n = 50, r = 3, M* = U·diag(1, 0.75, 0.5)·Uᵀ, S = Z − M*, η = 0.1, T = 8000. Symmetric k = 3, 5, 10 (α = 0.01); ' +
        'asymmetric k = 5 with α ∈ {0.01, 0.03, 0.1}, imbalanced init, each with and without the ' + FIX_LABEL + ' (τ = 1e-2).',
      runs: [...factSym, ...factAsym, ...factFix],
      charts: errorCharts('factorisation', factSym, [...factAsym, ...factFix], 1000),
    },
    {
      id: 'rate-vs-alpha-squared',
      title: 'The linear rate of asymmetric GD grows ∝ α²',
      description:
        'Asymmetric plain GD (k = 5, factorisation mode) at α ∈ {0.01, 0.03, 0.1}: the fitted semilog slope of the linear phase ' +
        '(decades per iteration, fitted where 1e-10 ≤ relError ≤ 1e-3) against α², on linear axes; close to a line through the origin.',
      runs: factAsym,
      charts: [
        {
          kind: 'summary',
          id: 'slope-vs-alpha2',
          title: 'fitted semilog slope (decades / iteration) vs α²',
          y: 'semilogSlope',
          x: 'alphaSquared',
          overlays: [{ kind: 'powerLaw', slope: 1, anchorX: 0.01, label: 'line through the origin (∝ α²)' }],
        },
        { kind: 'series', id: 'rate-curves', title: 'relative error, semilog', y: ['relError'], logY: true },
      ],
    },
    {
      id: 'imbalance',
      title: 'The imbalance λ_min(FᵀF − GᵀG) is almost constant',
      description:
        'The asymmetric runs of the factorisation panel. FᵀF − GᵀG is conserved exactly under gradient flow and nearly so under GD; ' +
        'its λ_min (≈ (8/9)·n·α², shown as the summary value imbalanceMinInit) sets the linear rate. The balancing step resets it to ≈ s·I − GᵀG.',
      runs: [...factAsym, ...factFix],
      charts: [
        { kind: 'series', id: 'imbalance-plain', title: 'λ_min(FᵀF − GᵀG), plain GD (log y)', y: ['imbalanceMin'], logY: true, runs: labels(factAsym) },
        {
          kind: 'series',
          id: 'imbalance-all',
          title: 'λ_min(FᵀF − GᵀG), with the balancing step',
          y: ['imbalanceMin'],
          overlays: [{ kind: 'events', event: FIX_EVENT, label: FIX_LABEL }],
        },
      ],
    },
    {
      id: 'sensing-panel',
      title: 'Sensing mode: m = 600 non-symmetric Gaussian measurements',
      description:
        'n = 20, r = 2 (M* spectrum 1, 0.5), m = 600 i.i.d. Gaussian A_i (not symmetrised), noise-free, η = 0.05, T = 4000. ' +
        'Symmetric k = 2, 4 (α = 0.01); asymmetric k = 4 with α ∈ {0.02, 0.06, 0.2}, with and without the ' + FIX_LABEL + '. ' +
        'About 3 s per curve: the worker pool runs it on one worker per core.',
      runs: [...sensSym, ...sensAsym, ...sensFix],
      charts: errorCharts('sensing', sensSym, [...sensAsym, ...sensFix], 1000),
    },
    {
      id: 'balanced-init',
      title: 'Pitfall: a balanced initialisation loses the imbalance that makes FGᵀ fast',
      description:
        'Factorisation mode, asymmetric k = 5, α = 0.03, T = 8000: imbalanced (F0 ~ α, G0 ~ α/3) vs balanced (both ~ α) initialisation.',
      runs: [
        { label: 'imbalanced α=0.03', params: { ...asymRun(FACT, 0.03, false).params, initBalance: 'imbalanced' } },
        { label: 'balanced α=0.03', params: { ...asymRun(FACT, 0.03, false).params, initBalance: 'balanced' } },
      ],
      charts: [
        { kind: 'series', id: 'balanced-error', title: 'relative error, semilog', y: ['relError'], logY: true },
        { kind: 'series', id: 'balanced-imbalance', title: 'λ_min(FᵀF − GᵀG)', y: ['imbalanceMin'] },
      ],
    },
  ],
  claims: [
    {
      id: 'symmetric-exact-rank-linear',
      text: 'Symmetric GD with exact rank k = r reaches relative error ≤ 1e-9 at t = 250 (factorisation mode, n = 50, r = 3, η = 0.1).',
      scope: 'figure',
      figure: 'factorisation-panel',
      check: (fig: FigureView) => {
        const e = fig.run('sym k=3').at('relError', 250)
        return { passed: e <= 1e-9, measured: compare('relError', e, '≤', 1e-9, 'at t = 250 (sym k=3)') }
      },
    },
    {
      id: 'symmetric-overparam-sublinear',
      text: 'Symmetric GD with k = r + 2 is sublinear: relative error in [2e-4, 5e-4] at t = 8000, never below 1e-4.',
      scope: 'figure',
      figure: 'factorisation-panel',
      check: (fig: FigureView) => {
        const run = fig.run('sym k=5')
        const e = run.at('relError', 8000)
        const below = run.firstBelow('relError', 1e-4)
        const slope = run.summary.loglogSlope
        return {
          passed: e >= 2e-4 && e <= 5e-4 && below === Infinity,
          measured:
            `relError ${fmt(e)} ∈ [2e-4, 5e-4] at t = 8000; ` +
            (below === Infinity ? 'never ≤ 1e-4' : `≤ 1e-4 first at t = ${below}`) +
            `; log-log slope over [1000, 8000] ${fmt(slope)} (sym k=5)`,
        }
      },
    },
    {
      id: 'asymmetric-large-alpha-fast',
      text: 'Asymmetric plain GD with k = r + 2 and α = 0.1 reaches relative error ≤ 1e-6 by t = 500.',
      scope: 'figure',
      figure: 'factorisation-panel',
      check: (fig: FigureView) => {
        const run = fig.run('asym α=0.1')
        const first = run.firstBelow('relError', 1e-6)
        return {
          passed: first <= 500,
          measured: `relError ${fmt(run.at('relError', 500))} at t = 500; ≤ 1e-6 first at t = ${first} ≤ 500 (asym α=0.1)`,
        }
      },
    },
    {
      id: 'asymmetric-small-alpha-slow',
      text: 'Asymmetric plain GD with k = r + 2 and α = 0.01 still has relative error > 1e-5 at t = 8000.',
      scope: 'figure',
      figure: 'factorisation-panel',
      check: (fig: FigureView) => {
        const e = fig.run('asym α=0.01').at('relError', 8000)
        return { passed: e > 1e-5, measured: compare('relError', e, '>', 1e-5, 'at t = 8000 (asym α=0.01)') }
      },
    },
    {
      id: 'balancing-step-removes-alpha',
      text:
        'With the balancing step (reconstruction, τ = 1e-2), asymmetric GD with k = r + 2 reaches relative error ≤ 1e-11 at t = 1000 ' +
        'for every α ∈ {0.01, 0.03, 0.1}.',
      scope: 'figure',
      figure: 'factorisation-panel',
      check: (fig: FigureView) => {
        let passed = true
        const parts: string[] = []
        for (const a of FACT_ALPHAS) {
          const run = fig.run(`asym+fix α=${a}`)
          const e = run.at('relError', 1000)
          const fired = fixIterationOf(run)
          passed &&= e <= 1e-11 && Number.isFinite(fired)
          parts.push(`α=${a}: ${fmt(e)} (fix at t = ${Number.isFinite(fired) ? fired : 'never'}; ${fmt(run.at('relError', 500))} at t = 500)`)
        }
        return { passed, measured: `relError at t = 1000 ≤ 1e-11: ${parts.join('; ')}` }
      },
    },
  ],
  validate(p) {
    const issues: string[] = []
    if (p.r > p.n) issues.push(`r = ${p.r} must be ≤ n = ${p.n}`)
    if (p.k < p.r) issues.push(`k = ${p.k} must be ≥ r = ${p.r} (k = r exact, k > r over-parameterised)`)
    if (p.k > p.n) issues.push(`k = ${p.k} must be ≤ n = ${p.n}`)
    if (p.fix && p.parameterisation === 'symmetric') issues.push('the balancing step (fix) applies to the asymmetric parameterisation only')
    if (p.mode === 'sensing' && p.m * p.n * p.n > 2e7) {
      issues.push(`m·n² = ${p.m * p.n * p.n} exceeds 2e7 (the sensing matrices would take ${Math.round((p.m * p.n * p.n * 8) / 2 ** 20)} MiB)`)
    }
    return issues
  },
  warnings(p) {
    const w: string[] = []
    if (p.eta > 0.4) w.push(`η = ${p.eta} > 0.4: with σ1(M*) = 1 symmetric GD stalls or diverges above η ≈ 0.4`)
    if (p.mode === 'sensing' && p.m < 4 * p.n * p.k) w.push(`m = ${p.m} is small for n = ${p.n}, k = ${p.k}: the measurements may not be near-isotropic on rank-2k matrices`)
    if (p.mode === 'sensing' && p.measurements === 'symmetrised' && p.parameterisation === 'asymmetric') {
      w.push('symmetrised A_i cannot see the skew part of FGᵀ: the error will plateau (the pitfall this option demonstrates)')
    }
    if (p.mode === 'factorisation' && p.measurements === 'symmetrised') w.push('sensing matrices are not used in factorisation mode')
    return w
  },
  derived(p) {
    const scale = p.n * p.alpha * p.alpha
    return {
      'n·α² (≈ FᵀF at init)': scale,
      'expected λ_min(FᵀF − GᵀG) at init ≈ n·α²·(1 − 1/9)': p.parameterisation === 'asymmetric' && p.initBalance === 'imbalanced' ? (8 / 9) * scale : 0,
    }
  },
  summarize(run) {
    const out: Record<string, number> = {}
    const alpha = run.params.alpha as number
    out.alphaSquared = alpha * alpha
    const it = run.column('iteration')
    const err = run.column('relError')
    if (run.params.parameterisation === 'asymmetric') {
      const fit = linearPhaseSlope(it, err)
      out.semilogSlope = fit.slope
      out.itersPerDecade = -1 / fit.slope
      out.linearPhaseStart = fit.t0
      out.linearPhaseEnd = fit.t1
      out.imbalanceMinInit = run.column('imbalanceMin')[0]
      out.fixIteration = fixIterationOf(run)
    } else {
      const T = run.params.T as number
      if (T >= 2000) out.loglogSlope = logLogSlope(it, err, 1000, T)
    }
    const blow = run.events.find((e) => e.name === BLOWUP_EVENT)
    if (blow) out.blowUpIteration = blow.iteration
    for (const t of [250, 500, 1000, 2000, 4000, 8000]) {
      const v = run.at('relError', t)
      if (Number.isFinite(v)) out[`relError@${t}`] = v
    }
    const hit = run.firstBelow('relError', 1e-6)
    if (Number.isFinite(hit)) out.firstBelow1e6 = hit
    return out
  },
  solve: (p, ctx) => solveSensing(p, ctx),
})
