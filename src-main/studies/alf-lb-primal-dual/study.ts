/**
 * Auxiliary-loss-free load balancing (Wang et al. 2024, Algorithm 1) as dual subgradient descent
 * on the balanced token-to-expert assignment LP (Han & Zhong 2025, arXiv 2512.03915), on a
 * synthetic sigmoid router: monotone decrease of the dual D(b), approximate balance and no idle
 * experts in one batch; logarithmic online regret with a c/k step of the right constant.
 */
import { compare, defineStudy, fmt, param, type RunView } from '../../kit'
import { runDeterministic, runOnline } from './solver'

const params = {
  setting: param.choice({ label: 'setting', help: 'deterministic: one fixed batch, many bias steps; online: a fresh batch per step, b_k fixed before batch k', default: 'deterministic', choices: ['deterministic', 'online'] as const }),
  E: param.integer({ label: 'E (experts)', help: 'number of experts', default: 16, min: 2, max: 256 }),
  K: param.integer({ label: 'K (top-K)', help: 'experts per token', default: 2, min: 1, max: 16 }),
  m: param.integer({ label: 'm (tokens, deterministic)', help: 'tokens in the deterministic batch; L = mK/E', default: 512, min: 2, max: 20000 }),
  mOnline: param.integer({ label: 'm (tokens per online batch)', help: 'tokens per online batch; L = mK/E', default: 256, min: 2, max: 20000 }),
  dim: param.integer({ label: 'd (embedding)', help: 'dimension of token and expert vectors', default: 16, min: 1, max: 512 }),
  skew: param.number({ label: 'skew', help: 'std of the expert popularity β_i', default: 1, min: 0, max: 10 }),
  rule: param.choice({
    label: 'bias rule',
    help: 'none: b = 0; sign: b += u·sign(L − load) (Wang et al. Alg. 1); linear: b += u·(L − load); constantProportional: b += s·(L − load)/L; oneOverK: b += (c/k)·(L − load)/L',
    default: 'sign',
    choices: ['none', 'sign', 'linear', 'constantProportional', 'oneOverK'] as const,
  }),
  u: param.number({ label: 'u', help: 'sign / linear rule step (Wang et al.: 1e-3)', default: 1e-3, min: 1e-7, max: 10, log: true }),
  iterations: param.integer({ label: 'iterations', help: 'deterministic-setting steps', default: 3000, min: 1, max: 200000 }),
  batches: param.integer({ label: 'batches (n)', help: 'online-setting batches', default: 300, min: 1, max: 20000 }),
  c: param.number({ label: 'c', help: 'constant of η_k = (c/k)/L; the spec suggests L/κ·[1, 2] (≈ 0.12 here)', default: 0.12, min: 1e-6, max: 100, log: true }),
  constantStep: param.number({ label: 'constant step', help: 'step s of the constant proportional rule', default: 0.02, min: 1e-6, max: 10, log: true }),
  driftBeta: param.boolean({ label: 'drifting β', help: 'online: the popularity β performs a Gaussian random walk (0.02·skew per batch)', default: false }),
  referenceIterations: param.integer({ label: 'b* iterations', help: 'diminishing-step subgradient iterations for b* on the pooled batches', default: 300, min: 1, max: 100000 }),
}

const det = (label: string, extra: Record<string, number | string | boolean> = {}) => ({ label, params: { setting: 'deterministic', rule: 'sign', u: 1e-3, ...extra } })
const onl = (label: string, extra: Record<string, number | string | boolean> = {}) => ({ label, params: { setting: 'online', ...extra } })

const gapChart = {
  kind: 'series' as const,
  id: 'dual-gap',
  title: 'D(b_k) − min D (log y); marker where monotone decrease stops',
  x: 'iteration',
  y: ['dualGap'],
  logY: true,
  overlays: [{ kind: 'events' as const, event: 'monotoneEnds', label: 'monotone decrease ends' }],
}
const maxVioChart = { kind: 'series' as const, id: 'max-vio', title: 'MaxVio = (max load − L)/L', x: 'iteration', y: ['maxVio'] }
const idleChart = { kind: 'series' as const, id: 'idle', title: 'Idle experts (load 0)', x: 'iteration', y: ['idleExperts'] }
const loadsChart = {
  kind: 'series' as const,
  id: 'loads-before-after',
  title: 'Expert loads at b = 0 and at the end, with the target L',
  x: 'expert',
  y: ['loadInitial', 'loadFinal', 'targetLoad'],
}
const regretChart = { kind: 'series' as const, id: 'online-regret', title: 'Cumulative regret R_k = Σ D_j(b_j) − D_j(b*) (log x)', x: 'iteration', y: ['cumRegret'], logX: true }
const biasChart = { kind: 'series' as const, id: 'bias', title: 'Biases b_i over k (one line per expert)', x: 'iteration', y: ['bias'] }
const scoreChart = { kind: 'series' as const, id: 'routed-score', title: 'Routed raw score Σ s: greedy top-K, balanced, LP optimum', x: 'iteration', y: ['routedScore', 'greedyScore', 'lpOptimum'] }

/** R_k read from the instance rows (per-expert tail rows share the last iteration number). */
function regretAt(run: RunView, k: number): number {
  const it = run.column('iteration')
  const r = run.column('cumRegret')
  for (let i = 0; i < it.length; i++) if (it[i] === k && Number.isFinite(r[i])) return r[i]
  throw new Error(`cumRegret not recorded at k = ${k}`)
}

/** Number of leading iterations over which D did not increase (from the monotoneEnds event). */
function monotoneIterations(run: RunView): number {
  const e = run.events.find((x) => x.name === 'monotoneEnds')
  if (!e) return NaN
  const last = run.last('iteration')
  return e.iteration >= last && /whole run/.test(e.message ?? '') ? last : e.iteration - 1
}

export default defineStudy({
  id: 'alf-lb-primal-dual',
  title: 'Auxiliary-loss-free load balancing as dual subgradient descent on the assignment LP',
  paper: {
    title: 'A Theoretical Framework for Auxiliary-Loss-Free Load Balancing of Sparse Mixture-of-Experts in Large-Scale AI Models',
    authors: 'X.Y. Han, Y. Zhong',
    year: 2025,
    arxiv: '2512.03915',
  },
  summary:
    'DeepSeek’s auxiliary-loss-free balancing nudges each expert’s routing bias by ±u towards the mean load; this is sign-subgradient descent on the dual D(b) of the balanced token-to-expert assignment LP. On one batch (512 tokens, 16 experts, top-2) D falls monotonically for a few hundred steps and ends within 0.01 of the LP optimum, MaxVio drops below 0.07 and idle experts vanish; online, a (c/k)/L step with the right c keeps regret nearly flat while no balancing grows linearly.',
  params,
  metrics: {
    dual: { label: 'D(b)', scale: 'linear', help: 'Σ_t topK_sum(s_t + b) − L·Σ b' },
    dualGap: { label: 'D(b) − min D', scale: 'log', help: 'min D = the LP optimum (exact min-cost flow)' },
    maxVio: { label: 'MaxVio', scale: 'linear' },
    idleExperts: { label: 'idle experts', scale: 'linear' },
    routedScore: { label: 'routed score', scale: 'linear', help: 'Σ raw s over the selected pairs' },
    greedyScore: { label: 'greedy top-K score', scale: 'linear' },
    lpOptimum: { label: 'LP optimum', scale: 'linear' },
    loads: { label: 'expert loads', scale: 'linear', vector: true },
    bias: { label: 'bias b', scale: 'linear', vector: true },
    kappa: { label: 'κ (tokens per unit bias)', scale: 'linear', help: 'load sensitivity by central finite differences at b = 0' },
    suggestedC: { label: 'suggested c = 1.5·L/κ', scale: 'linear' },
    expert: { label: 'expert', scale: 'linear', help: 'x column of the per-expert rows' },
    loadInitial: { label: 'load at b = 0', scale: 'linear' },
    loadFinal: { label: 'final load', scale: 'linear' },
    targetLoad: { label: 'L', scale: 'linear' },
    cumRegret: { label: 'R_k', scale: 'log' },
    regretIncrement: { label: 'D_k(b_k) − D_k(b*)', scale: 'linear' },
    biasStarDistance: { label: '‖b_k − b*‖', scale: 'log' },
    biasStar: { label: 'b*', scale: 'linear' },
  },
  oracles: { routing: 'batch routings (top-K over m × E)' },
  charts: [gapChart, maxVioChart, idleChart, loadsChart, regretChart, biasChart],
  figures: [
    {
      id: 'deterministic-convergence',
      title: 'One batch, sign rule u = 1e-3: D gap, MaxVio and idle experts',
      description: 'm = 512, E = 16, K = 2 (L = 64), 3000 iterations from b = 0.',
      runs: [det('u = 1e-3')],
      charts: [gapChart, maxVioChart, idleChart, scoreChart],
      seeds: [0, 1, 2],
    },
    {
      id: 'update-rate',
      title: 'Update rate u ∈ {1e-4, 1e-3, 1e-2}',
      description: 'Too small is slow, too large oscillates (the update-rate study of Wang et al.).',
      runs: [det('u = 1e-4', { u: 1e-4 }), det('u = 1e-3'), det('u = 1e-2', { u: 1e-2 })],
      charts: [maxVioChart, gapChart],
    },
    {
      id: 'loads-before-after',
      title: 'Expert loads before and after balancing',
      description: 'Loads at b = 0 (greedy top-K) and after 3000 sign steps, against L = 64.',
      runs: [det('u = 1e-3')],
      charts: [loadsChart],
    },
    {
      id: 'online-regret',
      title: 'Online: cumulative regret of the step rules',
      description: 'n = 300 batches of m = 256 (L = 32); rules none, sign (u = 1e-3), constant proportional 0.02, and (c/k)/L with c = 0.12; regret against b* of the pooled batches.',
      runs: [
        onl('none', { rule: 'none' }),
        onl('sign u = 1e-3', { rule: 'sign', u: 1e-3 }),
        onl('proportional 0.02', { rule: 'constantProportional', constantStep: 0.02 }),
        onl('1/k c = 0.12', { rule: 'oneOverK', c: 0.12 }),
      ],
      charts: [regretChart, { ...maxVioChart, title: 'MaxVio on the batch b_k has not seen' }],
      seeds: [0, 1, 2],
    },
    {
      id: 'online-step-constant',
      title: 'Online: the constant of the 1/k step',
      description: 'c ∈ {0.03, 0.12, 4}: small c never catches up, c = 4 overshoots.',
      runs: [onl('c = 0.03', { rule: 'oneOverK', c: 0.03 }), onl('c = 0.12', { rule: 'oneOverK', c: 0.12 }), onl('c = 4', { rule: 'oneOverK', c: 4 })],
      charts: [regretChart],
    },
    {
      id: 'bias-heatmap',
      title: 'Biases b_i over k',
      description: 'One line per expert (the ChartSpec has no heatmap kind).',
      runs: [det('u = 1e-3')],
      charts: [biasChart],
    },
  ],
  claims: [
    {
      id: 'monotone-decrease',
      text: 'Deterministic, u = 1e-3: D(b_k) does not increase over at least the first 200 iterations.',
      scope: 'figure',
      figure: 'deterministic-convergence',
      check: (fig) => {
        const run = fig.run('u = 1e-3')
        const n = monotoneIterations(run)
        return { passed: n >= 200, measured: `${compare('monotone for', n, '≥', 200)} iterations (seed ${run.seed})` }
      },
    },
    {
      id: 'final-gap',
      text: 'Deterministic, u = 1e-3, 3000 iterations: the final gap D(b) − min D is ≤ 0.01.',
      scope: 'figure',
      figure: 'deterministic-convergence',
      check: (fig) => {
        const run = fig.run('u = 1e-3')
        const gap = run.last('dualGap')
        return { passed: gap <= 0.01, measured: `${compare('gap', gap, '≤', 0.01)} (D ${run.last('dual').toFixed(2)}, LP optimum ${run.last('lpOptimum').toFixed(3)}, seed ${run.seed})` }
      },
    },
    {
      id: 'final-max-vio',
      text: 'Deterministic, u = 1e-3, 3000 iterations: the final MaxVio is ≤ 0.07.',
      scope: 'figure',
      figure: 'deterministic-convergence',
      check: (fig) => {
        const run = fig.run('u = 1e-3')
        const col = run.column('maxVio')
        const last = run.last('maxVio')
        let tail = -Infinity
        const it = run.column('iteration')
        const end = run.last('iteration')
        for (let i = 0; i < col.length; i++) if (it[i] > end - 200 && Number.isFinite(col[i])) tail = Math.max(tail, col[i])
        return { passed: last <= 0.07, measured: `${compare('MaxVio', last, '≤', 0.07)} (from ${fmt(col[0], 3)} at b = 0; max over the last 200 iterations ${fmt(tail, 3)}; seed ${run.seed})` }
      },
    },
    {
      id: 'no-idle',
      text: 'Deterministic, u = 1e-3: no expert is idle at the end.',
      scope: 'figure',
      figure: 'deterministic-convergence',
      check: (fig) => {
        const run = fig.run('u = 1e-3')
        const idle = run.last('idleExperts')
        return { passed: idle === 0, measured: `idle experts ${run.column('idleExperts')[0]} at b = 0 → ${idle} at the end (seed ${run.seed})` }
      },
    },
    {
      id: 'one-over-k-flat',
      text: 'Online, η_k = (c/k)/L with c = 0.12: R₃₀₀ − R₁₀₀ < 0.05·R₁₀₀.',
      scope: 'figure',
      figure: 'online-regret',
      check: (fig) => {
        const run = fig.run('1/k c = 0.12')
        const r100 = regretAt(run, 100)
        const r300 = regretAt(run, 300)
        const growth = (r300 - r100) / r100
        return { passed: growth < 0.05, measured: `R₁₀₀ ${r100.toFixed(1)} → R₃₀₀ ${r300.toFixed(1)}: ${compare('growth', growth, '<', 0.05)} (seed ${run.seed})` }
      },
    },
    {
      id: 'no-balancing-linear',
      text: 'Online, no balancing: regret grows linearly, R₃₀₀/R₁₀₀ ∈ [2.5, 3.5] (≈ 3).',
      scope: 'figure',
      figure: 'online-regret',
      check: (fig) => {
        const run = fig.run('none')
        const r100 = regretAt(run, 100)
        const r300 = regretAt(run, 300)
        const ratio = r300 / r100
        return { passed: ratio >= 2.5 && ratio <= 3.5, measured: `R₁₀₀ ${r100.toFixed(0)} → R₃₀₀ ${r300.toFixed(0)}: ratio ${ratio.toFixed(2)} ∈ [2.5, 3.5] (seed ${run.seed})` }
      },
    },
    {
      id: 'constant-step-drift',
      text: 'Online, constant proportional step 0.02·(L − load)/L: R₃₀₀ − R₁₀₀ ∈ [10, 25] (a slow linear drift).',
      scope: 'figure',
      figure: 'online-regret',
      check: (fig) => {
        const run = fig.run('proportional 0.02')
        const r100 = regretAt(run, 100)
        const r300 = regretAt(run, 300)
        const d = r300 - r100
        return { passed: d >= 10 && d <= 25, measured: `R₁₀₀ ${r100.toFixed(1)} → R₃₀₀ ${r300.toFixed(1)}: difference ${d.toFixed(1)} ∈ [10, 25] (seed ${run.seed})` }
      },
    },
  ],
  validate(p) {
    const out: string[] = []
    if (p.K >= p.E) out.push('K must be below E')
    if (!Number.isInteger((p.m * p.K) / p.E)) out.push(`m·K/E must be an integer (the balanced load L): m = ${p.m}, K = ${p.K}, E = ${p.E}`)
    if (!Number.isInteger((p.mOnline * p.K) / p.E)) out.push(`mOnline·K/E must be an integer: mOnline = ${p.mOnline}`)
    return out
  },
  warnings(p) {
    const out: string[] = []
    if (p.setting === 'online' && p.rule === 'oneOverK' && p.c > 1) out.push(`c = ${p.c} overshoots at k = 1 (a step of c·(L − load)/L can move b by many units); the spec suggests c ≈ 1.5·L/κ ≈ 0.12`)
    return out
  },
  derived(p) {
    return { L: (p.m * p.K) / p.E, Lonline: (p.mOnline * p.K) / p.E }
  },
  summarize(run) {
    const out: Record<string, number> = {}
    if (run.params.setting === 'deterministic') {
      out.monotoneIterations = monotoneIterations(run)
      out.initialMaxVio = run.column('maxVio')[0]
      out.initialIdle = run.column('idleExperts')[0]
    } else {
      const n = run.last('iteration')
      for (const k of [100, 300]) if (k <= n) out[`regret${k}`] = regretAt(run, k)
    }
    return out
  },
  solve(p, ctx) {
    const rule = { rule: p.rule, u: p.u, c: p.c, constantStep: p.constantStep }
    if (p.setting === 'deterministic') {
      runDeterministic({ ...rule, E: p.E, K: p.K, m: p.m, dim: p.dim, skew: p.skew, iterations: p.iterations }, ctx)
    } else {
      runOnline({ ...rule, E: p.E, K: p.K, m: p.mOnline, dim: p.dim, skew: p.skew, batches: p.batches, driftBeta: p.driftBeta, referenceIterations: p.referenceIterations }, ctx)
    }
  },
})
