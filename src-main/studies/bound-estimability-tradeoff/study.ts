/**
 * Gastpar, Nachum, Shafer & Weinberger (ICLR 2024), "Fantastic Generalization Measures are
 * Nowhere to be Found": when an algorithm learns a class of about 2^m functions from m < d
 * samples, no estimator — not even the Bayes-optimal one that knows the algorithm and the
 * prior — can tell from the sample whether it succeeded. Demonstrated exactly on parities over
 * F_2^30 with m = 20 (the study's own construction; the theorems are not reproduced).
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { MAX_D } from './gf2'
import { rankTheoryLearnability, solveParity, vcBound, type ParityParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const S_SWEEP = [0, 5, 10, 14, 16, 18, 19, 20, 22]
const Q_SWEEP = [0, 0.25, 0.5, 0.75, 1]
const sRuns = S_SWEEP.map((s) => ({ label: `s=${s}`, params: { s, q: 1 } }))
const qRuns = Q_SWEEP.map((q) => ({ label: `q=${q}`, params: { s: 19, q } }))

const summaryVsS = (id: string, title: string, y: string, logY = false): ChartSpecInput => ({ kind: 'summary', id, title, y, x: 's', logY })

const runningCharts: ChartSpecInput[] = [
  {
    kind: 'series',
    id: 'running-learn',
    title: 'running learnability on F_s and P(L = 0) on D_mix vs trial',
    y: ['learnabilityFs', 'pL0Mix'],
  },
  {
    kind: 'series',
    id: 'running-estimability',
    title: 'running inestimability E[min(p0, 1 − p0)] and Bayes-estimator failure rate vs trial',
    y: ['inestimability', 'bayesFailure'],
  },
  {
    kind: 'series',
    id: 'running-bounds',
    title: 'bounds vs trial: mean Occam bound (learned F_s targets), its validity rate, the VC bound',
    y: ['occamMean', 'occamValidFraction', 'vc'],
  },
]

function value(run: RunView, key: string): number {
  return run.summary[key] ?? NaN
}

function at(fig: FigureView, label: string, key: string): number {
  return value(fig.run(label), key)
}

export default defineStudy({
  id: 'bound-estimability-tradeoff',
  title: 'Learnability vs estimability: no bound can know when a biased learner succeeded',
  paper: {
    title: 'Fantastic Generalization Measures are Nowhere to be Found',
    authors: 'M. Gastpar, I. Nachum, J. Shafer, T. Weinberger',
    year: 2024,
    arxiv: '2309.13658',
  },
  summary:
    'Parities over F_2^30 learned from m = 20 examples, with the 0-1 loss L ∈ {0, 1/2} and the Bayes posterior computed exactly ' +
    'from GF(2) ranks. An ERM biased towards a class F_s of 2^s parities learns it almost perfectly for s ≤ 10 and its loss is ' +
    'then estimable; for s near m it learns far more targets, but no estimator — not even the Bayes-optimal one that knows ' +
    'the algorithm and the prior — can tell from the sample whether it succeeded: at s = 20 every estimator is off by ≥ 1/4 ' +
    'on ~31 % of draws. Switching the bias on with probability q trades accuracy for estimability linearly. The VC bound is ' +
    'vacuous and an Occam bound with a prior favouring F_s is valid but ≥ 0.53. The parity construction is the study\'s own; ' +
    'it illustrates the trade-off (Thms 3–5), not the theorems\' universality.',
  params: {
    d: param.integer({ label: 'dimension d', help: 'X = F_2^d (one 32-bit word per row with the label: d ≤ 31); d is the VC dimension of parities', default: 30, min: 1, max: MAX_D }),
    m: param.integer({ label: 'sample size m', help: 'm < d is the overparameterised regime', default: 20, min: 1, max: 64 }),
    s: param.integer({ label: 'bias class size s', help: 'the favoured class F_s = parities on the first s coordinates (2^s of them)', default: 19, min: 0, max: MAX_D }),
    q: param.number({ label: 'bias probability q', help: 'A uses its bias when u(S) < q, with u(S) a function of S (hash)', default: 1, min: 0, max: 1 }),
    trials: param.integer({ label: 'trials', help: 'independent draws of (w*, S)', default: 3000, min: 1, max: 1_000_000 }),
    delta: param.number({ label: 'confidence δ', help: 'confidence of the VC and Occam bounds', default: 0.05, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true }),
  },
  metrics: {
    inFs: { label: 'w* ∈ F_s', scale: 'linear' },
    L: { label: 'loss L', scale: 'linear', help: 'exact population 0-1 loss: 0 if A(S) = w*, else 1/2' },
    p0: { label: 'p0 = P(w* = A(S) | S)', scale: 'linear' },
    eStar: { label: 'E*(S) = (1 − p0)/2', scale: 'linear', help: 'the Bayes-optimal estimate of L' },
    rankX: { label: 'rank X', scale: 'linear' },
    rankXs: { label: 'rank X_s', scale: 'linear' },
    usedBias: { label: 'used bias', scale: 'linear' },
    occam: { label: 'Occam bound', scale: 'linear', help: '(ln(1/prior(h)) + ln(1/δ))/m, not capped at 1' },
    vc: { label: 'VC bound', scale: 'linear' },
    learnabilityFs: { label: 'learnability on F_s', scale: 'linear', help: 'running P(L = 0 | w* ∈ F_s)' },
    pL0Mix: { label: 'P(L = 0) on D_mix', scale: 'linear' },
    inestimability: { label: 'inestimability', scale: 'linear', help: 'running mean of min(p0, 1 − p0) = min over all estimators of P(|E(S) − L| ≥ 1/4)' },
    bayesFailure: { label: 'Bayes-estimator failure', scale: 'linear', help: 'running fraction with |E*(S) − L| ≥ 1/4' },
    occamMean: { label: 'mean Occam bound (learned F_s targets)', scale: 'linear', help: 'over trials with w* ∈ F_s and L = 0' },
    occamValidFraction: { label: 'Occam bound valid', scale: 'linear', help: 'fraction of trials with occam ≥ L' },
    eStarMean: { label: 'mean E*', scale: 'linear' },
    lossMean: { label: 'mean L', scale: 'linear' },
    biasFraction: { label: 'bias used', scale: 'linear', help: 'fraction of trials in which A output an F_s-consistent parity' },
    rankTheoryObserved: { label: 'rank prediction (observed ranks)', scale: 'linear', help: 'running mean of 2^{−(s − rank X_s)}' },
  },
  charts: runningCharts,
  figures: [
    {
      id: 'learnability-vs-estimability',
      title: 's sweep (q = 1): learnability on F_s and inestimability vs s',
      description: 'For s ≤ 10 the biased ERM learns F_s and its loss is estimable; as s nears m = 20 it learns many more targets but the inestimability rises to ~0.31: no estimator can tell success from failure. The Occam bound (prior favouring F_s) is valid but loose; the VC bound is 1.',
      runs: sRuns,
      seeds: [0, 1, 2],
      charts: [
        summaryVsS('learnability', 'learnability on F_s vs s', 'learnabilityFs'),
        summaryVsS('inestimability', 'inestimability (min over estimators of P(|E − L| ≥ 1/4)) vs s', 'inestimability'),
        summaryVsS('occam', 'mean Occam bound over learned F_s targets vs s', 'occamMean'),
        summaryVsS('vc', 'VC bound vs s (vacuous)', 'vc'),
        summaryVsS('targets', 'targets learned 2^s × learnability vs s', 'targetsLearned', true),
      ],
    },
    {
      id: 'bias-tradeoff',
      title: 'q sweep (s = 19): accuracy against estimability',
      description: 'Switching the bias on with probability q (a function of S) raises P(L = 0) on D_mix and the inestimability together, both linearly in q.',
      runs: qRuns,
      seeds: [0, 1, 2],
      charts: [
        { kind: 'summary', id: 'pl0-vs-q', title: 'P(L = 0) on D_mix vs q', y: 'pL0Mix', x: 'q' },
        { kind: 'summary', id: 'inest-vs-q', title: 'inestimability vs q', y: 'inestimability', x: 'q' },
        { kind: 'summary', id: 'inest-vs-pl0', title: 'inestimability against P(L = 0), one point per q', y: 'inestimability', x: 'pL0Mix' },
      ],
    },
    {
      id: 'bounds-vs-limit',
      title: 'bounds vs the information-theoretic limit, per s',
      description: 'The mean Occam bound and the VC bound against the Bayes-optimal estimate E* and the true mean loss, per s (q = 1).',
      runs: sRuns,
      charts: [
        summaryVsS('bounds-occam', 'mean Occam bound (learned F_s targets)', 'occamMean'),
        summaryVsS('bounds-vc', 'VC bound', 'vc'),
        summaryVsS('bounds-estar', 'mean Bayes-optimal estimate E*', 'eStarMean'),
        summaryVsS('bounds-loss', 'mean true loss L', 'lossMean'),
        summaryVsS('bounds-bayes-failure', 'Bayes estimator: P(|E* − L| ≥ 1/4)', 'bayesFailure'),
      ],
    },
    {
      id: 'rank-theory',
      title: 'learnability vs s against the GF(2) rank prediction',
      description: 'Learnability on F_s against Σ_r P(rank X_s = r)·2^{−(s−r)}, from the closed form for uniformly random m×s matrices over GF(2) and from the ranks observed in the trials.',
      runs: sRuns,
      charts: [
        summaryVsS('rank-learnability', 'learnability on F_s (measured)', 'learnabilityFs'),
        summaryVsS('rank-closed-form', 'rank prediction, closed form', 'rankTheory'),
        summaryVsS('rank-observed', 'rank prediction, observed ranks', 'rankTheoryObserved'),
      ],
    },
  ],
  claims: [
    {
      id: 'small-class-estimable',
      text: 'Small bias class: for s ≤ 10 (q = 1), learnability on F_s ≥ 0.99 and inestimability ≤ 0.01',
      scope: 'figure',
      figure: 'learnability-vs-estimability',
      check: (fig) => {
        const parts: string[] = []
        let passed = true
        for (const s of S_SWEEP.filter((x) => x <= 10)) {
          const l = at(fig, `s=${s}`, 'learnabilityFs')
          const i = at(fig, `s=${s}`, 'inestimability')
          passed &&= l >= 0.99 && i <= 0.01
          parts.push(`s=${s}: ${compare('learnability', l, '≥', 0.99)}, ${compare('inestimability', i, '≤', 0.01)}`)
        }
        return { passed, measured: parts.join('; ') }
      },
    },
    {
      id: 'large-class-inestimable',
      text: 'Large bias class: at s = 20 (q = 1) the inestimability is ≥ 0.28',
      scope: 'figure',
      figure: 'learnability-vs-estimability',
      check: (fig) => {
        const i = at(fig, 's=20', 'inestimability')
        const r = fig.run('s=20')
        return { passed: i >= 0.28, measured: `${compare('inestimability', i, '≥', 0.28)} at s = 20 over ${r.params.trials} trials (learnability ${fmt(value(r, 'learnabilityFs'), 3)})` }
      },
    },
    {
      id: 'bias-dial',
      text: 'The bias dial trades accuracy for estimability (s = 19): at q = 0, P(L = 0) ≤ 0.005 and inestimability ≤ 0.005; at q = 1, P(L = 0) ≥ 0.35 and inestimability ≥ 0.22; both increase monotonically in q',
      scope: 'figure',
      figure: 'bias-tradeoff',
      check: (fig) => {
        const pl = Q_SWEEP.map((q) => at(fig, `q=${q}`, 'pL0Mix'))
        const ie = Q_SWEEP.map((q) => at(fig, `q=${q}`, 'inestimability'))
        const n = Q_SWEEP.length
        const increasing = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1])
        const passed = pl[0] <= 0.005 && ie[0] <= 0.005 && pl[n - 1] >= 0.35 && ie[n - 1] >= 0.22 && increasing(pl) && increasing(ie)
        const list = (xs: number[]) => xs.map((x) => x.toFixed(3)).join(', ')
        return {
          passed,
          measured:
            `q = ${Q_SWEEP.join(', ')}: P(L = 0) = ${list(pl)} (${increasing(pl) ? 'increasing' : 'not increasing'}); ` +
            `inestimability = ${list(ie)} (${increasing(ie) ? 'increasing' : 'not increasing'}); ` +
            `q = 0: ${compare('P(L=0)', pl[0], '≤', 0.005)}, ${compare('inest.', ie[0], '≤', 0.005)}; ` +
            `q = 1: ${compare('P(L=0)', pl[n - 1], '≥', 0.35)}, ${compare('inest.', ie[n - 1], '≥', 0.22)}`,
        }
      },
    },
  ],
  validate: (p) => (p.s > p.d ? [`s (${p.s}) must be ≤ d (${p.d}): F_s lives on the first s of d coordinates`] : []),
  warnings: (p) => (p.m >= p.d ? [`m ≥ d (${p.m} ≥ ${p.d}): not the overparameterised regime; the VC bound can be non-vacuous`] : []),
  derived: (p) => ({
    vcBound: vcBound(p.d, p.m, p.delta),
    rankTheory: rankTheoryLearnability(p.m, p.s),
  }),
  summarize: (run) => {
    const s = Number(run.params.s)
    const m = Number(run.params.m)
    const learn = run.last('learnabilityFs')
    const out: Record<string, number> = { rankTheory: rankTheoryLearnability(m, s) }
    if (Number.isFinite(learn)) out.targetsLearned = 2 ** s * learn
    return out
  },
  /**
   * Trials of the parity construction: w* ~ D_mix, S ~ (uniform x, f_{w*}(x))^m, h = A_{s,q}(S)
   * (hash-seeded coins), L = ½·1[h ≠ w*] exactly, p0 from ranks (Bayes' rule with the D_mix
   * prior), E* = (1 − p0)/2; see solver.ts.
   */
  solve: (p, ctx) => solveParity(p satisfies ParityParams, ctx),
})
