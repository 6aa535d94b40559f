/**
 * Dao, Nguyen, Truong & Hoang (2025), IGNITE: a sharpness constraint ρ‖∇_β G‖ ≤ ε on the
 * surrogate of offline optimisation, enforced by dual ascent, against plain training; gradient
 * ascent on the surrogate from the top-128 offline designs of Styblinski–Tang (d = 8); the
 * step-size confound (IGNITE shrinks input gradients, so GA travels less) shown beside it.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { parseMultipliers, solveIgnite, type IgniteParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]
type FigureRun = FigureDefinition['runs'][number]

const TRIALS = Array.from({ length: 16 }, (_, t) => t)
const CONFOUND_MULTIPLIERS = '0.25, 0.5, 0.75, 0.9, 1'

const lossChart: ChartSpecInput = { kind: 'series', id: 'loss', title: 'minibatch MSE vs training step', y: ['loss'], logY: true }
const dualChart: ChartSpecInput = {
  kind: 'series',
  id: 'dual',
  title: 'λ(t) and n(t) = ‖∇_β G_B‖ vs training step (n = ε/ρ = 2 marked)',
  y: ['lambda', 'gradNormG'],
  overlays: [{ kind: 'hline', value: 2, label: 'n = ε/ρ (defaults)' }],
}
const gaChart: ChartSpecInput = {
  kind: 'series',
  id: 'ga-score',
  title: 'mean true normalised score and mean surrogate prediction (z-scored) vs GA step',
  y: ['meanTrueScore', 'meanPrediction'],
  x: 'oracle:gaStep',
}
const gaDistanceChart: ChartSpecInput = { kind: 'series', id: 'ga-distance', title: 'mean ‖x_t − x_0‖ (z-scored x) vs GA step', y: ['meanDistance'], x: 'oracle:gaStep' }

function label(method: string, t: number): string {
  return `${method} t=${t}`
}

/** Paired per-trial differences of a summary value between two methods of one figure. */
function paired(fig: FigureView, key: string, a: string, b: string): { da: number[]; va: number[]; vb: number[] } {
  const va: number[] = []
  const vb: number[] = []
  const da: number[] = []
  for (const t of TRIALS) {
    const x = fig.run(label(a, t)).summary[key]
    const y = fig.run(label(b, t)).summary[key]
    va.push(x)
    vb.push(y)
    da.push(x - y)
  }
  return { da, va, vb }
}

const mean = (x: number[]) => x.reduce((s, v) => s + v, 0) / x.length

function multiplierIndex(run: RunView, m: number): number {
  const list = parseMultipliers(String(run.params.extraMultipliers))
  return list.findIndex((v) => Math.abs(v - m) < 1e-12)
}

export default defineStudy({
  id: 'ignite-surrogate-sharpness',
  title: 'IGNITE: surrogate gradient-norm constraint for offline optimisation, and its step-size confound',
  paper: {
    title: 'Incorporating Surrogate Gradient Norm to Improve Offline Optimization Techniques',
    authors: 'M. C. Dao, P. L. Nguyen, T. N. Truong, T. N. Hoang',
    year: 2025,
    arxiv: '2503.04242',
  },
  summary:
    'An 8 → 64 → 64 → 1 leaky-ReLU surrogate is fitted to the low half of 4000 Styblinski–Tang points (d = 8); gradient ' +
    'ascent from the top-128 offline designs overshoots into the x⁴ region. IGNITE adds ρ‖∇_β G‖ ≤ ε by dual ascent ' +
    '(finite-difference HVP, as in the official trainers.py). The median normalised score gains a little over plain ' +
    'training on paired seeds, but IGNITE also shrinks the input gradients: plain GA with a 0.9× step does as well.',
  params: {
    method: param.choice({ label: 'method', help: 'surrogate training rule: plain MSE, IGNITE (dual ascent on λ) or IGNITE2 (fixed λ penalty)', default: 'ignite', choices: ['plain', 'ignite', 'ignite2'] as const }),
    task: param.choice({ label: 'task', help: 'oracle (maximised): Styblinski–Tang on [−5, 5]⁸; controls −Ackley on [−5, 5]⁸, −Rosenbrock on [−2, 2]⁸', default: 'styblinski-tang', choices: ['styblinski-tang', 'ackley', 'rosenbrock'] as const }),
    trial: param.integer({ label: 'trial (paired seed)', help: 'fixes the data, the initialisation and the batch order (named streams data/t, init/t, batch/t); methods of one trial are paired', default: 0, min: 0, max: 1000 }),
    dim: param.integer({ label: 'd', help: 'input dimension', default: 8, min: 1, max: 64 }),
    nFull: param.integer({ label: 'N_full', help: 'points drawn before keeping the bottom fraction (1000 / 2000 / 4000)', default: 4000, min: 10, max: 100000 }),
    keepFraction: param.number({ label: 'keep fraction', help: 'offline set = bottom fraction of the N_full points by f', default: 0.5, min: 0, exclusiveMin: true, max: 1 }),
    width: param.integer({ label: 'width', help: 'width of both hidden layers (64; 256 in the fragility check)', default: 64, min: 1, max: 2048 }),
    leakySlope: param.number({ label: 'leaky slope', help: 'leaky-ReLU negative slope', default: 0.2, min: 0, max: 1 }),
    lr: param.number({ label: 'Adam lr', help: 'surrogate learning rate (Adam, Keras defaults otherwise)', default: 3e-4, min: 0, exclusiveMin: true, max: 1, log: true }),
    batch: param.integer({ label: 'batch', help: 'minibatch size (2000 points: 15 batches of 128 and one of 80 per epoch)', default: 128, min: 1, max: 4096 }),
    epochs: param.integer({ label: 'epochs', help: 'training epochs', default: 100, min: 1, max: 10000 }),
    eps: param.number({ label: 'ε', help: 'sharpness budget (IGNITE; the repo scripts use 0.1)', default: 0.1, min: 0, exclusiveMin: true, max: 100, log: true }),
    lambda0: param.number({ label: 'λ₀', help: 'initial multiplier (IGNITE)', default: 1e-3, min: -10, max: 10 }),
    etaLambda: param.number({ label: 'η_λ', help: 'dual step size (IGNITE)', default: 1e-3, min: 0, exclusiveMin: true, max: 10, log: true }),
    rho: param.number({ label: 'ρ (IGNITE)', help: 'sharpness radius of IGNITE', default: 0.05, min: 0, exclusiveMin: true, max: 10, log: true }),
    r: param.number({ label: 'r (IGNITE)', help: 'finite-difference radius of IGNITE', default: 0.05, min: 0, exclusiveMin: true, max: 10, log: true }),
    rhoPenalty: param.number({ label: 'ρ (IGNITE2)', help: 'sharpness radius of IGNITE2', default: 0.2, min: 0, exclusiveMin: true, max: 10, log: true }),
    rPenalty: param.number({ label: 'r (IGNITE2)', help: 'finite-difference radius of IGNITE2', default: 0.2, min: 0, exclusiveMin: true, max: 10, log: true }),
    lambdaFixed: param.number({ label: 'λ (IGNITE2)', help: 'fixed multiplier of IGNITE2', default: 0.01, min: 0, max: 10 }),
    lambdaMode: param.choice({ label: 'λ mode', help: 'repo: λ unclipped (as in trainers.py); projected: λ ← max(0, λ) after each dual step', default: 'repo', choices: ['repo', 'projected'] as const }),
    gaSteps: param.integer({ label: 'GA steps', help: 'gradient-ascent steps on the surrogate', default: 200, min: 1, max: 100000 }),
    gaLr: param.number({ label: 'GA base step', help: 'the actual step is m·gaLr·√d in z-scored x space', default: 0.01, min: 0, exclusiveMin: true, max: 10, log: true }),
    stepMultiplier: param.number({ label: 'step multiplier m', help: 'GA step multiplier of the recorded GA trajectory', default: 1, min: 0, exclusiveMin: true, max: 10 }),
    extraMultipliers: param.text({ label: 'extra multipliers', help: 'further GA runs on the same trained surrogate (the step-size control), e.g. "0.25, 0.5, 0.9, 1"; empty for none', default: '', maxLength: 200 }),
    topK: param.integer({ label: 'top K', help: 'GA start designs (the top-K offline designs by y) and candidates', default: 128, min: 1, max: 4096 }),
  },
  validate(p) {
    const out: string[] = []
    try {
      parseMultipliers(p.extraMultipliers)
    } catch (e) {
      out.push((e as Error).message)
    }
    if (Math.floor(p.keepFraction * p.nFull) < Math.max(p.topK, 2)) out.push(`the offline set (${Math.floor(p.keepFraction * p.nFull)} points) must hold at least topK = ${p.topK} designs`)
    return out
  },
  derived(p) {
    const n = Math.floor(p.keepFraction * p.nFull)
    const P = p.dim * p.width + p.width + p.width * p.width + p.width + p.width + 1
    return { offlinePoints: n, parameters: P, trainingSteps: p.epochs * Math.ceil(n / p.batch), gaStep: p.stepMultiplier * p.gaLr * Math.sqrt(p.dim), sharpnessTarget: p.eps / p.rho }
  },
  metrics: {
    loss: { label: 'minibatch MSE (z-scored y)', scale: 'log' },
    gradNormG: { label: 'n = ‖∇_β G_B‖ (global norm)', scale: 'linear' },
    lambda: { label: 'λ (used in the step)', scale: 'linear' },
    penaltyNorm: { label: '‖λ·(ρ/r)·(û − u)‖', scale: 'linear' },
    meanPrediction: { label: 'mean surrogate prediction (z-scored y)', scale: 'linear' },
    meanTrueScore: { label: 'mean true normalised score', scale: 'linear' },
    meanDistance: { label: 'mean ‖x_t − x_0‖ (z-scored x)', scale: 'linear' },
    score100: { label: '100th percentile score', scale: 'linear' },
    score80: { label: '80th percentile score', scale: 'linear' },
    score50: { label: '50th percentile score', scale: 'linear' },
    finalDistance: { label: 'mean GA distance at the end', scale: 'linear' },
    finalLambda: { label: 'final λ', scale: 'linear' },
    finalGradNormG: { label: 'final n', scale: 'linear' },
    sweepScore50: { label: '50th percentile (step sweep)', scale: 'linear' },
    sweepScore100: { label: '100th percentile (step sweep)', scale: 'linear' },
    sweepDistance: { label: 'mean GA distance (step sweep)', scale: 'linear' },
    multipliers: { label: 'extra step multipliers', scale: 'linear', vector: true },
    score50AtM: { label: '50th percentile at each extra multiplier', scale: 'linear', vector: true },
    score100AtM: { label: '100th percentile at each extra multiplier', scale: 'linear', vector: true },
    distanceAtM: { label: 'GA distance at each extra multiplier', scale: 'linear', vector: true },
  },
  oracles: {
    grad: 'minibatch backward passes (plain: ∇L and ∇G; IGNITE: also ∇G at β̂)',
    gaStep: 'GA step: the x-axis of the design trajectory',
    multiplier: 'GA step multiplier: the x-axis of the step sweep',
  },
  charts: [lossChart, dualChart, gaChart, gaDistanceChart],
  figures: [
    {
      id: 'paired-seeds',
      title: 'Paired seeds: plain, IGNITE and IGNITE2 on trials 0–15 (N_full = 4000)',
      description: 'Per-trial 50th and 100th percentiles by method (paired by trial); plain runs also rerun GA at m = 0.9 on their surrogate (the step control of claim 3).',
      runs: TRIALS.flatMap((t): FigureRun[] => [
        { label: label('plain', t), params: { method: 'plain', trial: t, extraMultipliers: '0.9' } },
        { label: label('ignite', t), params: { method: 'ignite', trial: t } },
        { label: label('ignite2', t), params: { method: 'ignite2', trial: t } },
      ]),
      charts: [
        { kind: 'summary', id: 'p50', title: '50th percentile per trial, by method', y: 'score50', x: 'trial', groupBy: 'method' },
        { kind: 'summary', id: 'p100', title: '100th percentile per trial, by method', y: 'score100', x: 'trial', groupBy: 'method' },
        { kind: 'summary', id: 'distance', title: 'mean GA distance per trial, by method', y: 'finalDistance', x: 'trial', groupBy: 'method' },
      ],
    },
    {
      id: 'dual-trajectory',
      title: 'IGNITE dual trajectory (trial 0)',
      description: 'λ(t) and n(t) = ‖∇_β G‖ against training step, with n = ε/ρ marked: ρn − ε stays positive, so λ only grows.',
      runs: [{ label: 'ignite', params: { method: 'ignite', trial: 0 } }],
      charts: [dualChart, { kind: 'series', id: 'penalty', title: 'penalty-gradient norm ‖λ·(ρ/r)·(û − u)‖', y: ['penaltyNorm'] }, lossChart],
    },
    {
      id: 'ga-overshoot',
      title: 'GA overshoot: true score peaks, prediction keeps rising (trial 0)',
      description: 'Mean true normalised score and mean surrogate prediction of the 128 designs against GA step, plain and IGNITE.',
      runs: [
        { label: 'plain', params: { method: 'plain', trial: 0 } },
        { label: 'ignite', params: { method: 'ignite', trial: 0 } },
      ],
      charts: [
        { kind: 'series', id: 'true', title: 'mean true normalised score vs GA step', y: ['meanTrueScore'], x: 'oracle:gaStep' },
        { kind: 'series', id: 'pred', title: 'mean surrogate prediction vs GA step', y: ['meanPrediction'], x: 'oracle:gaStep' },
        gaDistanceChart,
      ],
    },
    {
      id: 'step-confound',
      title: 'Step-size confound: plain GA at m ∈ {0.25, 0.5, 0.75, 0.9, 1} vs IGNITE at m = 1 (trials 0–15)',
      description: 'Plain runs rerun GA on one trained surrogate per trial at each multiplier; score against travelled distance, IGNITE at 1× beside plain’s curve.',
      runs: TRIALS.flatMap((t): FigureRun[] => [
        { label: label('plain', t), params: { method: 'plain', trial: t, extraMultipliers: CONFOUND_MULTIPLIERS } },
        { label: label('ignite', t), params: { method: 'ignite', trial: t } },
      ]),
      charts: [
        { kind: 'series', id: 'sweep50', title: 'plain: 50th percentile vs step multiplier', y: ['sweepScore50'], x: 'oracle:multiplier' },
        { kind: 'series', id: 'sweep100', title: 'plain: 100th percentile vs step multiplier', y: ['sweepScore100'], x: 'oracle:multiplier' },
        { kind: 'series', id: 'sweep-distance', title: 'plain: GA distance vs step multiplier', y: ['sweepDistance'], x: 'oracle:multiplier' },
        { kind: 'summary', id: 'p50-distance', title: '50th percentile vs GA distance at m = 1, by method', y: 'score50', x: 'finalDistance', groupBy: 'method' },
      ],
    },
    {
      id: 'negative-controls',
      title: 'Negative controls: −Ackley and −Rosenbrock (trials 0–15)',
      description: 'Plain and IGNITE on the two control oracles; 100th and 50th percentiles per task and method.',
      runs: (['ackley', 'rosenbrock'] as const).flatMap((task) => TRIALS.flatMap((t): FigureRun[] => [
        { label: `${task} ${label('plain', t)}`, params: { method: 'plain', task, trial: t } },
        { label: `${task} ${label('ignite', t)}`, params: { method: 'ignite', task, trial: t } },
      ])),
      charts: [
        { kind: 'summary', id: 'c100', title: '100th percentile by task and method', y: 'score100', x: 'trial', groupBy: 'method' },
        { kind: 'summary', id: 'c50', title: '50th percentile by task and method', y: 'score50', x: 'trial', groupBy: 'method' },
      ],
    },
    {
      id: 'fragility',
      title: 'Fragility: width 256, and N_full = 1000 (trials 0–15)',
      description: 'Plain and IGNITE at width 256 and at N_full = 1000; compare the paired 50th-percentile differences with the default configuration (paired-seeds).',
      runs: ([['w256', { width: 256 }], ['n1000', { nFull: 1000 }]] as const).flatMap(([tag, extra]) => TRIALS.flatMap((t): FigureRun[] => [
        { label: `${tag} ${label('plain', t)}`, params: { method: 'plain', trial: t, ...extra } },
        { label: `${tag} ${label('ignite', t)}`, params: { method: 'ignite', trial: t, ...extra } },
      ])),
      charts: [{ kind: 'summary', id: 'f50', title: '50th percentile per trial by method', y: 'score50', x: 'trial', groupBy: 'method' }],
    },
  ],
  claims: [
    {
      id: 'wins-median',
      text: 'IGNITE wins the median on most seeds: score50(IGNITE) − score50(plain) > 0 in ≥ 13 of 16 paired trials',
      scope: 'figure',
      figure: 'paired-seeds',
      check(fig) {
        const { da } = paired(fig, 'score50', 'ignite', 'plain')
        const wins = da.filter((x) => x > 0).length
        const d100 = paired(fig, 'score100', 'ignite', 'plain').da.filter((x) => x > 0).length
        return { passed: wins >= 13, measured: `${compare('wins', wins, '≥', 13)} of 16 (min gain ${fmt(Math.min(...da), 2)}, max ${fmt(Math.max(...da), 2)}); 100th percentile wins ${d100}/16` }
      },
    },
    {
      id: 'small-positive-gain',
      text: 'The gain is small and positive: the mean paired 50th-percentile gain of IGNITE over plain lies in [+0.003, +0.03]',
      scope: 'figure',
      figure: 'paired-seeds',
      check(fig) {
        const { da, va, vb } = paired(fig, 'score50', 'ignite', 'plain')
        const g = mean(da)
        const i2 = paired(fig, 'score50', 'ignite2', 'plain')
        const s100 = paired(fig, 'score100', 'ignite', 'plain')
        const dist = paired(fig, 'finalDistance', 'ignite', 'plain')
        return {
          passed: g >= 0.003 && g <= 0.03,
          measured:
            `mean gain ${fmt(g, 2)} ∈ [0.003, 0.03]? ${g >= 0.003 && g <= 0.03 ? 'yes' : 'no'}; seed-mean 50th percentile IGNITE ${fmt(mean(va), 3)}, plain ${fmt(mean(vb), 3)}, IGNITE2 ${fmt(mean(i2.va), 3)}; ` +
            `100th IGNITE ${fmt(mean(s100.va), 3)}, plain ${fmt(mean(s100.vb), 3)}, IGNITE2 ${fmt(mean(paired(fig, 'score100', 'ignite2', 'plain').va), 3)}; GA distance IGNITE ${fmt(mean(dist.va), 3)}, plain ${fmt(mean(dist.vb), 3)}`,
        }
      },
    },
    {
      id: 'step-confound',
      text: 'Step-size confound: plain GA at m = 0.9 matches IGNITE at m = 1 to within 0.01 in the seed-mean 50th percentile',
      scope: 'figure',
      figure: 'paired-seeds',
      check(fig) {
        const plain09: number[] = []
        const plain09d: number[] = []
        const plain09top: number[] = []
        for (const t of TRIALS) {
          const run = fig.run(label('plain', t))
          const i = multiplierIndex(run, 0.9)
          plain09.push(i < 0 ? NaN : run.summary[`score50AtM[${i}]`])
          plain09top.push(i < 0 ? NaN : run.summary[`score100AtM[${i}]`])
          plain09d.push(i < 0 ? NaN : run.summary[`distanceAtM[${i}]`])
        }
        const ig = TRIALS.map((t) => fig.run(label('ignite', t)).summary.score50)
        const igTop = TRIALS.map((t) => fig.run(label('ignite', t)).summary.score100)
        const igD = TRIALS.map((t) => fig.run(label('ignite', t)).summary.finalDistance)
        const diff = Math.abs(mean(plain09) - mean(ig))
        return {
          passed: diff <= 0.01,
          measured: `${compare('|plain@0.9 − IGNITE@1|', diff, '≤', 0.01)} (50th: ${fmt(mean(plain09), 3)} vs ${fmt(mean(ig), 3)}; 100th: ${fmt(mean(plain09top), 3)} vs ${fmt(mean(igTop), 3)}; distance ${fmt(mean(plain09d), 3)} vs ${fmt(mean(igD), 3)})`,
        }
      },
    },
  ],
  solve(p, ctx) {
    solveIgnite(p as unknown as IgniteParams, ctx)
  },
})
