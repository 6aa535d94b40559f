/**
 * Du, Zhou, Feng, Tan & Zhou (NeurIPS 2022), "Sharpness-Aware Training for Free": SAF adds a KL
 * "trajectory loss" between a sample's current logits and its logits Ẽ epochs earlier, which
 * flattens the loss like SAM does but at SGD's cost. A small MLP on a noisy Gaussian mixture is
 * trained with SGD, SAM and SAF; the top Hessian eigenvalue (exact R-operator HVPs, power
 * iteration), accuracy and gradient evaluations are compared.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { mlpShape } from './mlp'
import { CLASSES, INPUT_DIM, parseEpochList, solveSaf, type SafParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const lambdaChart: ChartSpecInput = {
  kind: 'series',
  id: 'lambda-max',
  title: 'λ_max of the training-loss Hessian vs epoch (tracked epochs and the end)',
  y: ['lambdaMax'],
  x: 'epoch',
}
const testAccChart: ChartSpecInput = { kind: 'series', id: 'test-acc', title: 'clean test accuracy vs epoch', y: ['testAcc'], x: 'epoch' }
const trainLossChart: ChartSpecInput = {
  kind: 'series',
  id: 'train-loss',
  title: 'training loss (full set, noisy labels, CE only) vs epoch',
  y: ['trainLoss'],
  x: 'epoch',
  logY: true,
}
const trainAccChart: ChartSpecInput = {
  kind: 'series',
  id: 'train-acc',
  title: 'training accuracy on the noisy labels vs epoch',
  y: ['trainAccNoisy'],
  x: 'epoch',
}
const gradEvalsChart: ChartSpecInput = {
  kind: 'series',
  id: 'grad-evals',
  title: 'gradient evaluations vs step (the cost: SAM pays two per step)',
  y: ['gradEvals'],
}
const klChart: ChartSpecInput = {
  kind: 'series',
  id: 'kl-term',
  title: 'SAF trajectory term τ²·KL(p_old ‖ p) per sample vs epoch (0 until e > E_start)',
  y: ['klTerm'],
  x: 'epoch',
}

const FOUR = [
  { label: 'SGD', params: { method: 'sgd', safLambda: 0 } },
  { label: 'SAM', params: { method: 'sam', safLambda: 0 } },
  { label: 'SAF λ=0.3', params: { method: 'saf', safLambda: 0.3 } },
  { label: 'SAF λ=3', params: { method: 'saf', safLambda: 3 } },
] as const

/** the four methods with extra params (figures that need only final values skip the per-epoch work) */
function four(extra: Record<string, number | string>): FigureDefinition['runs'] {
  return FOUR.map((r) => ({ label: r.label, params: { ...r.params, ...extra } }))
}

/** final values only: no tracked checkpoints, one evaluation at the end (identical training) */
const FINAL_ONLY = { trackEpochs: '', evalEvery: 1000 }

const SWEEP_LAMBDAS = [0.1, 0.3, 1, 3, 10]

function finalOf(run: RunView, key: string): number {
  return run.summary[key] ?? NaN
}

function flattens(fig: FigureView, label: string, ratio: number): { passed: boolean; measured: string } {
  const sgd = finalOf(fig.run('SGD'), 'lambdaMax')
  const other = finalOf(fig.run(label), 'lambdaMax')
  const r = other / sgd
  return {
    passed: r <= ratio,
    measured: `λ_max(${label}) ${fmt(other, 3)} vs λ_max(SGD) ${fmt(sgd, 3)}: ${compare('ratio', r, '≤', ratio)} at epoch ${fig.run('SGD').params.epochs}`,
  }
}

function generalises(fig: FigureView, label: string, margin: number): { passed: boolean; measured: string } {
  const sgd = finalOf(fig.run('SGD'), 'testAcc')
  const other = finalOf(fig.run(label), 'testAcc')
  return {
    passed: other >= sgd + margin,
    measured: `test(${label}) ${other.toFixed(4)} vs test(SGD) ${sgd.toFixed(4)}: ${compare('gain', other - sgd, '≥', margin)}`,
  }
}

export default defineStudy({
  id: 'saf-trajectory-sharpness',
  title: 'Sharpness-aware training for free (SAF) vs SAM vs SGD',
  paper: {
    title: 'Sharpness-Aware Training for Free',
    authors: 'J. Du, D. Zhou, J. Feng, V. Y. F. Tan, J. T. Zhou',
    year: 2022,
    arxiv: '2205.14083',
  },
  summary:
    'A 10-64-64-4 ReLU MLP on a 4-class Gaussian mixture with 20 % label noise, trained 100 epochs with SGD (momentum, weight ' +
    'decay), SAM or SAF. SAF adds a KL trajectory loss between each sample\'s current logits and its logits Ẽ = 3 epochs ' +
    'earlier: at λ = 3 it lowers the top Hessian eigenvalue λ_max (exact R-operator HVPs, 50 power iterations) below SAM\'s ' +
    'and well below SGD\'s, at SGD\'s cost of one gradient evaluation per step (SAM pays two), with the best clean test ' +
    'accuracy. Part of that gain is self-distillation against the noisy labels, not only flatness; at the paper\'s λ = 0.3 ' +
    'the effect is weak in this toy. The scaled configuration (data, width, λ = 3, weight decay, constant lr) is the study\'s own.',
  params: {
    method: param.choice({
      label: 'method',
      help: 'sgd: heavy-ball SGD with coupled weight decay; sam: SAM (ascent step ρ·g/‖g‖, two gradients per step); saf: SGD on CE + λ·τ²·KL(old ‖ new) trajectory loss (one gradient per step)',
      default: 'saf',
      choices: ['sgd', 'sam', 'saf'] as const,
    }),
    lr: param.number({ label: 'learning rate', help: 'constant learning rate (the official code uses a cosine schedule; see README)', default: 0.05, min: 0, exclusiveMin: true, log: true }),
    momentum: param.number({ label: 'momentum μ', help: 'heavy-ball momentum: buf ← μ·buf + (g + wd·w)', default: 0.9, min: 0, max: 1, exclusiveMax: true }),
    weightDecay: param.number({ label: 'weight decay', help: 'coupled L2 weight decay on every parameter; 0 shows the pitfall (λ_max of CE collapses as the loss goes to 0)', default: 5e-3, min: 0, max: 1 }),
    batch: param.integer({ label: 'batch size', help: 'minibatch size (the last batch of an epoch is partial when it does not divide nTrain)', default: 50, min: 1, max: 5000 }),
    epochs: param.integer({ label: 'epochs', help: 'training epochs (2000 steps at the defaults)', default: 100, min: 1, max: 1000 }),
    samRho: param.number({ label: 'SAM radius ρ', help: 'SAM ascent radius', default: 0.05, min: 0, exclusiveMin: true, log: true }),
    safLambda: param.number({ label: 'SAF weight λ', help: 'weight of the trajectory KL term (paper 0.3; study default 3); 0 switches it off', default: 3, min: 0, max: 1000 }),
    tau: param.number({ label: 'temperature τ', help: 'softmax temperature of the KL term', default: 5, min: 0, exclusiveMin: true }),
    eTilde: param.integer({ label: 'epoch lag Ẽ', help: 'the KL compares with the logits of the same sample Ẽ epochs earlier (buffer of Ẽ+1 slots)', default: 3, min: 1, max: 20 }),
    eStart: param.integer({ label: 'E_start', help: 'the KL term acts at 0-based epochs e > E_start', default: 5, min: 0, max: 1000 }),
    nTrain: param.integer({ label: 'training points', help: 'training set size', default: 1000, min: 20, max: 5000 }),
    nTest: param.integer({ label: 'test points', help: 'clean test set size', default: 5000, min: 100, max: 50000 }),
    labelNoise: param.number({ label: 'label noise', help: 'probability that a training label is corrupted', default: 0.2, min: 0, max: 1, exclusiveMax: true }),
    noiseKind: param.choice({
      label: 'noise kind',
      help: 'resample: the label is redrawn from all K classes (may keep the true one: ~15 % actually change at 0.2; the spec\'s expected values); flip: redrawn from the other K − 1 classes',
      default: 'resample',
      choices: ['resample', 'flip'] as const,
    }),
    centreScale: param.number({ label: 'centre scale', help: 'sub-cluster centres are centreScale·N(0, I₁₀)', default: 1.6, min: 0, exclusiveMin: true }),
    hidden: param.integer({ label: 'hidden width', help: 'width of both hidden layers', default: 64, min: 2, max: 512 }),
    initGain: param.choice({
      label: 'init bound',
      help: 'weights uniform in ±gain/√fan_in, biases 0: sqrt3 is what the spec\'s expected values used; sqrt6 is textbook He-uniform',
      default: 'sqrt3',
      choices: ['sqrt3', 'sqrt6'] as const,
    }),
    powerIters: param.integer({ label: 'power iterations', help: 'power iterations per λ_max estimate (the final one always uses power iteration on the full set)', default: 50, min: 1, max: 1000 }),
    trackEpochs: param.text({ label: 'tracked epochs', help: 'epochs (comma-separated) at which λ_max is also estimated; empty for the final value only', default: '20, 40, 60, 80', maxLength: 200 }),
    trackSubset: param.integer({ label: 'tracking subset', help: 'tracked checkpoints use the first this-many training points (0: the full set); the final λ_max always uses the full set', default: 0, min: 0, max: 5000 }),
    trackMethod: param.choice({
      label: 'tracking method',
      help: 'power: powerIters power iterations; lanczos: Lanczos with full reorthogonalisation (lanczosSteps products), the cheaper alternative',
      default: 'power',
      choices: ['power', 'lanczos'] as const,
    }),
    lanczosSteps: param.integer({ label: 'Lanczos steps', help: 'Lanczos steps at the tracked checkpoints when trackMethod = lanczos', default: 20, min: 2, max: 200 }),
    profilePoints: param.integer({ label: 'loss-profile points', help: 'after training, the training CE at this many points along the final top Hessian eigenvector (0: off)', default: 0, min: 0, max: 401 }),
    profileRadius: param.number({ label: 'loss-profile radius', help: 'the profile spans w + t·v for t in [−radius, radius] (‖v‖ = 1)', default: 1, min: 0, exclusiveMin: true, max: 100 }),
    evalEvery: param.integer({ label: 'evaluate every', help: 'epochs between full-set evaluations (train loss/accuracy, test accuracy); the last epoch is always evaluated. Evaluation does not change training', default: 1, min: 1, max: 1000 }),
  },
  metrics: {
    epoch: { label: 'epoch', scale: 'linear', help: 'completed steps / steps per epoch' },
    batchLoss: { label: 'minibatch CE', scale: 'log', help: 'CE of the step\'s minibatch at w, before the update' },
    gradEvals: { label: 'gradient evaluations', scale: 'linear', help: 'cumulative; +1 per step for SGD and SAF, +2 for SAM' },
    trainLoss: { label: 'training loss', scale: 'log', help: 'mean CE over the full training set on the noisy labels (no weight decay, no KL)' },
    trainAccNoisy: { label: 'train accuracy (noisy labels)', scale: 'linear' },
    trainAccClean: { label: 'train accuracy (clean labels)', scale: 'linear', help: 'accuracy of the training points against their uncorrupted labels' },
    testAcc: { label: 'clean test accuracy', scale: 'linear' },
    klTerm: { label: 'τ²·KL(p_old ‖ p)', scale: 'linear', help: 'SAF only: the trajectory term before the λ weight, averaged over the epoch\'s samples' },
    lambdaMax: { label: 'λ_max', scale: 'linear', help: 'top eigenvalue of the full-training-set CE Hessian (noisy labels, no weight decay)' },
    weightNorm: { label: '‖w‖₂', scale: 'linear' },
    profileT: { label: 't (step along the top eigenvector)', scale: 'linear' },
    profileLoss: { label: 'training CE at w + t·v', scale: 'linear', help: 'full training set, noisy labels, CE only' },
    profileQuadratic: { label: 'quadratic model L + t·gᵀv + ½λ_max·t²', scale: 'linear' },
  },
  oracles: { grad: 'gradient evaluations (minibatch forward + backward)', hvp: 'Hessian-vector products (sharpness)' },
  charts: [lambdaChart, testAccChart, trainLossChart, gradEvalsChart],
  figures: [
    {
      id: 'sharpness-trajectory',
      title: 'λ_max vs epoch: SGD, SAM, SAF λ = 0.3, SAF λ = 3',
      description: 'λ_max of the full-training-set CE Hessian at epochs 20, 40, 60, 80 and 100 (50 power iterations each). SAM and SAF λ = 3 stay below SGD at every tracked epoch; SAF λ = 0.3 only slightly.',
      runs: four({}),
      charts: [lambdaChart, testAccChart],
    },
    {
      id: 'training-curves',
      title: 'training loss, noisy-train and clean-test accuracy',
      description: 'Per-epoch full-set evaluations of the four methods. SAF with λ = 3 fits the noisy labels least and generalises best: self-distillation against the noise, not only flatness.',
      runs: four({ trackEpochs: '' }),
      charts: [trainLossChart, trainAccChart, testAccChart, klChart],
    },
    {
      id: 'final-comparison',
      title: 'final test accuracy, λ_max and cost per method (seeds 0–2)',
      description: 'Final clean test accuracy, final λ_max and gradient evaluations per method. SGD and SAM are listed with λ = 0 (no trajectory term). Only final values are computed (training is identical to the default runs).',
      runs: four(FINAL_ONLY),
      seeds: [0, 1, 2],
      charts: [
        { kind: 'summary', id: 'final-test', title: 'final clean test accuracy', y: 'testAcc', x: 'method', groupBy: 'safLambda' },
        { kind: 'summary', id: 'final-lambda', title: 'final λ_max', y: 'lambdaMax', x: 'method', groupBy: 'safLambda' },
        { kind: 'summary', id: 'final-cost', title: 'gradient evaluations', y: 'oracle:grad', x: 'method', groupBy: 'safLambda' },
      ],
    },
    {
      id: 'saf-lambda-sweep',
      title: 'SAF λ sweep: final λ_max and test accuracy vs λ',
      description: 'SAF with λ ∈ {0.1, 0.3, 1, 3, 10}; SGD is the λ = 0 reference (drawn at the log-axis floor).',
      runs: [
        { label: 'SGD', params: { method: 'sgd', safLambda: 0, ...FINAL_ONLY } },
        ...SWEEP_LAMBDAS.map((l) => ({ label: `SAF λ=${l}`, params: { method: 'saf', safLambda: l, ...FINAL_ONLY } })),
      ],
      charts: [
        { kind: 'summary', id: 'sweep-lambda', title: 'final λ_max vs SAF λ', y: 'lambdaMax', x: 'safLambda', groupBy: 'method', logX: true },
        { kind: 'summary', id: 'sweep-test', title: 'final clean test accuracy vs SAF λ', y: 'testAcc', x: 'safLambda', groupBy: 'method', logX: true },
      ],
    },
    {
      id: 'loss-profile',
      title: '1-D loss profile along the top Hessian eigenvector (optional figure)',
      description: 'The full-training-set CE at w + t·v, v the final top eigenvector, t ∈ [−1, 1], with the local quadratic model: SGD\'s valley is the narrowest, SAF λ = 3\'s the widest.',
      runs: four({ trackEpochs: '', evalEvery: 1000, profilePoints: 41 }),
      charts: [
        { kind: 'series', id: 'profile', title: 'training CE along the top eigenvector', y: ['profileLoss'], x: 'profileT' },
        { kind: 'series', id: 'profile-quadratic', title: 'local quadratic model L + t·gᵀv + ½λ_max·t²', y: ['profileQuadratic'], x: 'profileT' },
      ],
    },
    {
      id: 'no-weight-decay-trap',
      title: 'without weight decay: the final λ_max alone misleads',
      description: 'All four methods with weight decay 0. SGD memorises the noisy labels, its CE goes towards 0 and its λ_max collapses: the final value makes SGD look flattest. Read the whole curve with the training loss.',
      runs: four({ weightDecay: 0 }),
      charts: [lambdaChart, trainLossChart],
    },
  ],
  claims: [
    {
      id: 'saf-flattens',
      text: 'SAF flattens strongly: λ_max(SAF, λ = 3) ≤ 0.6·λ_max(SGD) at the end of training',
      scope: 'figure',
      figure: 'final-comparison',
      check: (fig) => flattens(fig, 'SAF λ=3', 0.6),
    },
    {
      id: 'sam-flattens',
      text: 'SAM flattens: λ_max(SAM) ≤ 0.8·λ_max(SGD) at the end of training',
      scope: 'figure',
      figure: 'final-comparison',
      check: (fig) => flattens(fig, 'SAM', 0.8),
    },
    {
      id: 'saf-generalises',
      text: 'SAF generalises better: test(SAF, λ = 3) ≥ test(SGD) + 0.02',
      scope: 'figure',
      figure: 'final-comparison',
      check: (fig) => generalises(fig, 'SAF λ=3', 0.02),
    },
    {
      id: 'sam-generalises',
      text: 'SAM generalises better: test(SAM) ≥ test(SGD) + 0.01',
      scope: 'figure',
      figure: 'final-comparison',
      check: (fig) => generalises(fig, 'SAM', 0.01),
    },
    {
      id: 'saf-free',
      text: 'SAF is free: its gradient evaluations equal SGD\'s (one per step, 2000), SAM\'s are twice as many (4000)',
      scope: 'figure',
      figure: 'final-comparison',
      check: (fig) => {
        const sgd = fig.run('SGD')
        const steps = Number(sgd.params.epochs) * Math.ceil(Number(sgd.params.nTrain) / Number(sgd.params.batch))
        const g = (label: string) => finalOf(fig.run(label), 'oracle:grad')
        const [s, a, f3, f03] = [g('SGD'), g('SAM'), g('SAF λ=3'), g('SAF λ=0.3')]
        return {
          passed: s === steps && f3 === steps && f03 === steps && a === 2 * steps,
          measured: `gradient evaluations: SGD ${s}, SAF λ=3 ${f3}, SAF λ=0.3 ${f03} (= ${steps} steps), SAM ${a} (= 2·${steps})`,
        }
      },
    },
  ],
  validate: (p) => {
    const issues: string[] = []
    try {
      parseEpochList(p.trackEpochs)
    } catch (err) {
      issues.push((err as Error).message)
    }
    if (p.batch > p.nTrain) issues.push(`batch (${p.batch}) exceeds nTrain (${p.nTrain})`)
    if (p.trackSubset > p.nTrain) issues.push(`trackSubset (${p.trackSubset}) exceeds nTrain (${p.nTrain})`)
    if (p.method === 'saf' && p.eStart < p.eTilde - 1) {
      issues.push(`eStart (${p.eStart}) must be ≥ eTilde − 1 (${p.eTilde - 1}): at e = eStart + 1 the lagged slot of epoch e − eTilde must already be written`)
    }
    return issues
  },
  warnings: (p) => {
    const w: string[] = []
    if (p.weightDecay === 0) w.push('weight decay 0: SGD can memorise the noisy labels and its final λ_max collapses with the loss; compare whole λ_max curves')
    if (p.method === 'saf' && p.eStart + 1 >= p.epochs) w.push(`the KL term never acts: it starts at epoch eStart + 1 = ${p.eStart + 1} ≥ epochs`)
    return w
  },
  derived: (p) => {
    const steps = p.epochs * Math.ceil(p.nTrain / Math.min(p.batch, p.nTrain))
    return {
      parameters: mlpShape([INPUT_DIM, p.hidden, p.hidden, CLASSES]).P,
      steps,
      gradEvals: p.method === 'sam' ? 2 * steps : steps,
    }
  },
  /**
   * SGD with momentum and coupled weight decay, SAM (Foret et al. 2021, the paper's baseline) or
   * SAF (Du et al. 2022, Alg. 1, trajectory loss eq. (6)–(7), official SAF_train.py); see
   * `solveSaf` for the update rules, and `MlpWorkspace.hvp` for the exact R-operator HVP.
   */
  solve: (p, ctx) => solveSaf(p satisfies SafParams, ctx),
})
