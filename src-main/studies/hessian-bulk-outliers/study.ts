/**
 * Sagun, Evci, Güney, Dauphin & Bottou (2017): the exact Hessian of a small ReLU network's
 * training loss has a bulk near zero and a few outliers that track the number of classes; the
 * bulk grows with width; less separable data lifts the outliers; a small-batch solution continued
 * from a large-batch one is flatter yet joined to it without a barrier.
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView } from '../../kit'
import { layerShapes } from './mlp'
import { solveHessian, type HessianParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const spectrumChart: ChartSpecInput = {
  kind: 'series',
  id: 'spectrum',
  title: 'ordered spectrum |λ_j| (log): positive and negative eigenvalues',
  y: ['eigPositive', 'eigNegativeAbs'],
  x: 'oracle:eigIndex',
  logY: true,
}
const signedSpectrumChart: ChartSpecInput = {
  kind: 'series',
  id: 'spectrum-signed',
  title: 'ordered spectrum λ_j (symlog: linear within ±1e-4, log outside; negatives below 0)',
  y: ['eigenvalue'],
  x: 'oracle:eigIndex',
  symlogY: 1e-4,
}
/** the paper's eigenvalue histogram: linear λ bins, log counts (the outliers are the isolated bins) */
const eigenHistogramChart: ChartSpecInput = {
  kind: 'histogram',
  id: 'eigen-histogram',
  title: 'histogram of all P eigenvalues (log count): the bulk at 0, the outliers to the right',
  source: { from: 'column', metric: 'eigenvalue' },
  bins: 60,
  logY: true,
  xLabel: 'λ',
}
/** the bulk histograms of several runs overlaid, as fractions of P */
const eigenHistogramOverlay: ChartSpecInput = { ...eigenHistogramChart, id: 'eigen-histogram-overlay', title: 'eigenvalue histograms overlaid (fraction of P, log y)', normalize: true }
const topChart: ChartSpecInput = {
  kind: 'series',
  id: 'top',
  title: 'top 30 eigenvalues (the predicted gap at index k and the max-gap detector marked)',
  y: ['topEigenvalue', 'predictedGapEigenvalue', 'detectedGapEigenvalue'],
  x: 'oracle:topIndex',
  logY: true,
}
const histogramChart: ChartSpecInput = {
  kind: 'series',
  id: 'bulk-histogram',
  title: 'bulk histogram: fraction of eigenvalues by log10(|λ|/λ_max), split by sign',
  y: ['histPositive', 'histNegative'],
  x: 'oracle:logRelLambda',
}
const lossChart: ChartSpecInput = {
  kind: 'series',
  id: 'loss',
  title: 'training loss vs iteration',
  y: ['loss'],
  logY: true,
  overlays: [{ kind: 'events', event: 'sbStart', label: 'SB SGD starts' }],
}

const A_KS = [2, 3, 4, 5, 6]
const A_CLAIM_KS = [2, 3, 4, 5]
const WIDTHS = [10, 20, 30]
const COVS = [1, 3, 6]

function fmtRatio(x: number): string {
  return Number.isFinite(x) ? x.toFixed(2) : String(x)
}

export default defineStudy({
  id: 'hessian-bulk-outliers',
  title: 'Hessian of an over-parametrised network: bulk and outliers',
  paper: {
    title: 'Empirical Analysis of the Hessian of Over-Parametrized Neural Networks',
    authors: 'L. Sagun, U. Evci, V. U. Güney, Y. Dauphin, L. Bottou',
    year: 2017,
    arxiv: '1706.04454',
  },
  summary:
    'A 10-w-w-k ReLU network is trained by full-batch GD on k Gaussian blobs; the exact Hessian of its training loss ' +
    '(P basis-direction R-operator products, float64) has a bulk of eigenvalues near zero and about k outliers: the ratio ' +
    'λ_k/λ_{k+1} is the big gap. Widening the network only grows the bulk; spreading the blobs lifts the outliers by orders ' +
    'of magnitude; small-batch SGD continued from a large-batch solution is ~4× flatter, yet the straight segment between ' +
    'them has no loss barrier.',
  params: {
    experiment: param.choice({
      label: 'experiment',
      help: 'spectrum: train, then the exact Hessian and all P eigenvalues (experiments A–C); trajectory: top eigenvalues by Lanczos every few iterations; lbsb: large-batch GD, small-batch SGD continuation and the loss on the segment between them (experiment D)',
      default: 'spectrum',
      choices: ['spectrum', 'trajectory', 'lbsb'] as const,
    }),
    N: param.integer({ label: 'N (points)', help: 'number of training points (class i mod k)', default: 300, min: 10, max: 3000 }),
    d: param.integer({ label: 'd (input dimension)', help: 'blob dimension', default: 10, min: 1, max: 100 }),
    k: param.integer({ label: 'k (classes)', help: 'number of classes / blobs (experiment A: 2…6)', default: 4, min: 2, max: 10 }),
    width: param.integer({ label: 'width', help: 'width of both hidden layers (experiment B: 10, 20, 30)', default: 20, min: 1, max: 40 }),
    cov: param.number({ label: 'cov (cluster std)', help: 'blob standard-deviation factor (experiment C: 1, 3, 6; 3 in experiment D)', default: 1, min: 0, exclusiveMin: true, max: 100 }),
    initScale: param.number({ label: 'init scale', help: 'every weight and bias i.i.d. initScale·N(0, 1) (the authors’ init)', default: 0.1, min: 0, exclusiveMin: true, max: 10, log: true }),
    lr: param.number({ label: 'learning rate', help: 'GD (and SB SGD) step size', default: 0.1, min: 0, exclusiveMin: true, max: 10, log: true }),
    iterations: param.integer({ label: 'GD iterations', help: 'full-batch GD iterations', default: 2000, min: 1, max: 100000 }),
    gradTol: param.number({ label: 'gradient tolerance', help: 'early stop when ‖∇L‖ < gradTol (the authors’ rule; normally not reached in 2000 iterations)', default: 1e-4, min: 0, max: 1, log: true }),
    sbBatch: param.integer({ label: 'SB batch size', help: 'batch size of the small-batch SGD continuation (lbsb)', default: 10, min: 1, max: 3000 }),
    sbSteps: param.integer({ label: 'SB steps', help: 'SGD steps of the small-batch continuation (lbsb)', default: 6000, min: 1, max: 200000 }),
    segmentLo: param.number({ label: 'segment start a', help: 'the segment w(a) = (1 − a)·w_LB + a·w_SB starts here (≤ 0)', default: -0.25, min: -5, max: 0 }),
    segmentHi: param.number({ label: 'segment end a', help: 'the segment ends here (≥ 1)', default: 1.25, min: 1, max: 6 }),
    segmentDivisions: param.integer({ label: 'segment points per unit', help: 'a runs over j/divisions, so a = 0 and a = 1 are on the grid exactly', default: 40, min: 1, max: 1000 }),
    hvpBlock: param.integer({ label: 'HVP block', help: 'basis directions per block of the Hessian assembly (progress and cancel granularity)', default: 64, min: 1, max: 4096 }),
    nearZeroRel: param.number({ label: 'near-zero threshold', help: 'an eigenvalue is near zero if |λ| < threshold·λ_max', default: 1e-3, min: 0, exclusiveMin: true, max: 1, log: true }),
    topK: param.integer({ label: 'top K', help: 'eigenvalues shown and searched for the gap', default: 30, min: 2, max: 200 }),
    trajectoryEvery: param.integer({ label: 'trajectory interval', help: 'iterations between top-spectrum snapshots (trajectory)', default: 250, min: 1, max: 100000 }),
    lanczosSteps: param.integer({ label: 'Lanczos steps', help: 'Lanczos steps (full reorthogonalisation) for the top eigenvalues in trajectory and lbsb', default: 90, min: 2, max: 1000 }),
  },
  validate(p) {
    const out: string[] = []
    if (p.topK < p.k + 1) out.push(`topK (${p.topK}) must be at least k + 1 = ${p.k + 1} to read the ratio at the predicted gap`)
    if (p.experiment !== 'spectrum' && p.lanczosSteps < p.topK) out.push(`lanczosSteps (${p.lanczosSteps}) must be at least topK (${p.topK})`)
    if (p.experiment === 'lbsb' && p.sbBatch > p.N) out.push(`sbBatch (${p.sbBatch}) exceeds N (${p.N})`)
    const P = layerShapes([p.d, p.width, p.width, p.k]).P
    if (p.experiment === 'spectrum' && P > 2500) out.push(`the network has P = ${P} parameters; the dense Hessian is limited to P ≤ 2500 (lower width or d)`)
    return out
  },
  derived(p) {
    return { P: layerShapes([p.d, p.width, p.width, p.k]).P }
  },
  warnings(p) {
    const out: string[] = []
    if (p.experiment === 'spectrum' && p.k >= 6) out.push('at k ≥ 6 the outlier count is not clean at this scale (the spec stops claim A at k = 5)')
    return out
  },
  metrics: {
    loss: { label: 'training loss (mean cross-entropy)', scale: 'log' },
    gradNorm: { label: '‖∇L‖', scale: 'log' },
    trainAcc: { label: 'training accuracy', scale: 'linear' },
    sbBatchLoss: { label: 'SB minibatch loss', scale: 'log', help: 'loss on the SGD batch before each SB step' },
    lambdaMax: { label: 'λ_max', scale: 'log' },
    lambdaMin: { label: 'λ_min', scale: 'linear', help: 'smallest eigenvalue (small and negative)' },
    ratios: { label: 'r_j = λ_j/λ_{j+1}', scale: 'linear', vector: true, help: 'consecutive ratios of the top positive eigenvalues' },
    detectedGap: { label: 'max-gap index', scale: 'linear', help: 'argmax_j r_j over the top K (the plain detector: not robust)' },
    predictedRatio: { label: 'r_k', scale: 'linear', help: 'the ratio at the predicted gap, index k' },
    maxEarlierRatio: { label: 'max_{j<k} r_j', scale: 'linear' },
    nearZeroFraction: { label: 'near-zero fraction', scale: 'linear', help: '#{|λ| < threshold·λ_max}/P' },
    negativeFraction: { label: 'negative fraction', scale: 'linear', help: '#{λ < 0}/P' },
    params: { label: 'P (parameters)', scale: 'linear' },
    hessianAsymmetry: { label: 'Hessian asymmetry', scale: 'log', help: 'max |H_ij − H_ji| / max |H_ii| of the raw R-op columns, before symmetrising' },
    eigenvalue: { label: 'λ_j (descending)', scale: 'linear' },
    eigPositive: { label: 'λ_j > 0', scale: 'log' },
    eigNegativeAbs: { label: '|λ_j|, λ_j < 0', scale: 'log' },
    topEigenvalue: { label: 'top eigenvalues', scale: 'log' },
    predictedGapEigenvalue: { label: 'λ_k (predicted gap)', scale: 'log' },
    detectedGapEigenvalue: { label: 'λ at the max-gap detector', scale: 'log' },
    histPositive: { label: 'fraction, λ > 0', scale: 'linear' },
    histNegative: { label: 'fraction, λ < 0', scale: 'linear' },
    topEig: { label: 'top eigenvalues (Lanczos)', scale: 'log', vector: true },
    ritzResidualTop: { label: 'Ritz residual of λ_1', scale: 'log' },
    ritzResidualLast: { label: 'Ritz residual of λ_K', scale: 'log' },
    segmentLoss: { label: 'L(w(a))', scale: 'log' },
    segmentLambdaMax: { label: 'λ_max at a = 0 (LB) and a = 1 (SB)', scale: 'log' },
    lossLB: { label: 'L(w_LB)', scale: 'log' },
    lossSB: { label: 'L(w_SB)', scale: 'log' },
    lambdaMaxLB: { label: 'λ_max(LB)', scale: 'log' },
    lambdaMaxSB: { label: 'λ_max(SB)', scale: 'log' },
    ritzResidualLB: { label: 'Ritz residual, λ_max(LB)', scale: 'log' },
    ritzResidualSB: { label: 'Ritz residual, λ_max(SB)', scale: 'log' },
    sharpnessRatio: { label: 'λ_max(SB)/λ_max(LB)', scale: 'linear' },
    barrier: { label: 'barrier', scale: 'linear', help: 'max_{a∈[0,1]} L(w(a)) − max(L(w_LB), L(w_SB))' },
    segmentMonotone: { label: 'loss monotone on [0, 1]', scale: 'linear', help: '1 if L(w(a)) is monotone on the grid over [0, 1]' },
    lbsbDistance: { label: '‖w_SB − w_LB‖', scale: 'linear' },
  },
  oracles: {
    grad: 'full-batch gradient evaluations (an SGD step counts batch/N)',
    hvp: 'Hessian-vector products (R-operator)',
    func: 'loss evaluations on the segment',
    eigIndex: 'eigenvalue index j (descending): the x-axis of the spectrum',
    topIndex: 'index j among the top eigenvalues',
    logRelLambda: 'log10(|λ|/λ_max) (bin centre): the x-axis of the bulk histogram',
    segmentA: 'a on the segment w(a) = (1 − a)·w_LB + a·w_SB',
  },
  charts: [lossChart, signedSpectrumChart, topChart, eigenHistogramChart, histogramChart],
  figures: [
    {
      id: 'outliers-vs-classes',
      title: 'A: outliers vs classes (k = 2…6, width 20, cov = 1)',
      description: 'The top 30 eigenvalues per k with the predicted gap at index k; r_k = λ_k/λ_{k+1} and the largest earlier ratio vs k.',
      runs: A_KS.map((k) => ({ label: `k=${k}`, params: { experiment: 'spectrum', k } })),
      charts: [
        topChart,
        { kind: 'summary', id: 'rk', title: 'r_k at the predicted gap vs k', y: 'predictedRatio', x: 'k', overlays: [{ kind: 'hline', value: 2, label: 'r = 2' }] },
        { kind: 'summary', id: 'earlier', title: 'largest earlier ratio max_{j<k} r_j vs k', y: 'maxEarlierRatio', x: 'k', overlays: [{ kind: 'hline', value: 2, label: 'r = 2' }] },
        { kind: 'summary', id: 'detector', title: 'plain max-gap detector vs k', y: 'detectedGap', x: 'k' },
      ],
      seeds: [0, 1, 2],
    },
    {
      id: 'full-spectrum',
      title: 'The whole spectrum at k = 4',
      description: 'All P = 724 eigenvalues ordered (|λ| on a log axis, negatives in their own colour), the signed spectrum, and the bulk histogram.',
      runs: [{ label: 'k=4', params: { experiment: 'spectrum', k: 4 } }],
      charts: [signedSpectrumChart, spectrumChart, eigenHistogramChart, histogramChart, lossChart],
    },
    {
      id: 'bulk-vs-width',
      title: 'B: bulk vs width (10-w-w-4, w = 10, 20, 30, same data)',
      description: 'Near-zero fraction #{|λ| < 1e-3·λ_max}/P vs P, the bulk histograms overlaid, and r_4 per width.',
      runs: WIDTHS.map((w) => ({ label: `w=${w}`, params: { experiment: 'spectrum', k: 4, width: w } })),
      charts: [
        { kind: 'summary', id: 'nzf', title: 'near-zero fraction vs P', y: 'nearZeroFraction', x: 'params' },
        eigenHistogramOverlay,
        histogramChart,
        { kind: 'summary', id: 'r4', title: 'r_4 vs width', y: 'predictedRatio', x: 'width', overlays: [{ kind: 'hline', value: 1.9, label: 'r = 1.9' }] },
      ],
      seeds: [0, 1, 2],
    },
    {
      id: 'separability',
      title: 'C: separability (cov = 1, 3, 6 at k = 4)',
      description: 'λ_max vs the blob spread (log y) and the top 30 per cov.',
      runs: COVS.map((c) => ({ label: `cov=${c}`, params: { experiment: 'spectrum', k: 4, cov: c } })),
      charts: [{ kind: 'summary', id: 'lmax', title: 'λ_max vs cov', y: 'lambdaMax', x: 'cov', logY: true }, topChart],
      seeds: [0, 1, 2],
    },
    {
      id: 'lb-sb-connectivity',
      title: 'D: large batch vs small batch (k = 4, width 20, cov = 3)',
      description: 'Training loss on w(a) = (1 − a)·w_LB + a·w_SB for a ∈ [−0.25, 1.25], with λ_max at a = 0 and a = 1.',
      runs: [{ label: 'LB→SB', params: { experiment: 'lbsb', k: 4, cov: 3 } }],
      charts: [
        { kind: 'series', id: 'segment', title: 'L(w(a)) along the LB→SB segment', y: ['segmentLoss'], x: 'oracle:segmentA', logY: true },
        { kind: 'series', id: 'segment-lmax', title: 'λ_max at a = 0 (LB) and a = 1 (SB)', y: ['segmentLambdaMax'], x: 'oracle:segmentA', logY: true },
        lossChart,
      ],
      seeds: [0, 1, 2],
    },
    {
      id: 'spectrum-trajectory',
      title: 'Top eigenvalues during training (k = 4, Lanczos every 250 iterations)',
      description: 'The top 30 eigenvalues by Lanczos with full reorthogonalisation every 250 iterations (log y), with the ratio at the predicted gap.',
      runs: [{ label: 'k=4', params: { experiment: 'trajectory', k: 4 } }],
      charts: [
        { kind: 'series', id: 'top-trajectory', title: 'top 30 eigenvalues vs iteration', y: ['topEig'], logY: true },
        { kind: 'series', id: 'rk-trajectory', title: 'r_k and the max-gap index vs iteration', y: ['predictedRatio', 'detectedGap'] },
        lossChart,
      ],
    },
  ],
  claims: [
    {
      id: 'A-k-outliers',
      text: 'A: for each k ∈ {2, 3, 4, 5}, r_k = λ_k/λ_{k+1} ≥ 2 and r_k is the largest of r_1..r_k (width 20, cov = 1)',
      scope: 'figure',
      figure: 'outliers-vs-classes',
      check(fig: FigureView) {
        let passed = true
        const parts: string[] = []
        for (const k of A_CLAIM_KS) {
          const run = fig.run(`k=${k}`)
          const rk = run.summary.predictedRatio
          const earlier = run.summary.maxEarlierRatio
          const ok = rk >= 2 && rk > earlier
          if (!ok) passed = false
          parts.push(`k=${k}: r_${k} ${fmtRatio(rk)} ${rk >= 2 ? '≥' : '<'} 2 (max earlier ${fmtRatio(earlier)})${ok ? '' : ' ✗'}`)
        }
        const k6 = fig.runs.find((r) => r.label === 'k=6')
        const ref = k6 ? `; reference k=6: r_6 ${fmtRatio(k6.summary.predictedRatio)}, max-gap detector at ${k6.summary.detectedGap}` : ''
        return { passed, measured: parts.join('; ') + ref }
      },
    },
    {
      id: 'B-bulk-grows-with-width',
      text: 'B: the near-zero fraction #{|λ| < 1e-3·λ_max}/P increases with width (10 → 20 → 30), and r_4 ≥ 1.9 at widths 20 and 30',
      scope: 'figure',
      figure: 'bulk-vs-width',
      check(fig: FigureView) {
        const nz = WIDTHS.map((w) => fig.run(`w=${w}`).summary.nearZeroFraction)
        const r4 = WIDTHS.map((w) => fig.run(`w=${w}`).summary.predictedRatio)
        const increasing = nz[0] < nz[1] && nz[1] < nz[2]
        const gaps = r4[1] >= 1.9 && r4[2] >= 1.9
        return {
          passed: increasing && gaps,
          measured:
            `near-zero fraction ${nz.map((x) => x.toFixed(3)).join(' → ')} (${increasing ? 'increasing' : 'not increasing'}); ` +
            `r_4 ${r4.map(fmtRatio).join(' / ')} at widths 10 / 20 / 30 (≥ 1.9 needed at 20 and 30)`,
        }
      },
    },
    {
      id: 'C-separability-lifts-outliers',
      text: 'C: λ_max increases with the blob spread cov (1 → 3 → 6) at k = 4, width 20',
      scope: 'figure',
      figure: 'separability',
      check(fig: FigureView) {
        const lm = COVS.map((c) => fig.run(`cov=${c}`).summary.lambdaMax)
        return { passed: lm[0] < lm[1] && lm[1] < lm[2], measured: `λ_max ${lm.map((x) => fmt(x)).join(' → ')}` }
      },
    },
    {
      id: 'D-lb-sb-one-basin',
      text: 'D: the loss on the segment between the LB and SB solutions has barrier ≤ 1e-6, and λ_max(SB) < 0.5·λ_max(LB)',
      scope: 'figure',
      figure: 'lb-sb-connectivity',
      check(fig: FigureView) {
        const run = fig.run('LB→SB')
        const b = run.summary.barrier
        const ratio = run.summary.sharpnessRatio
        return {
          passed: b <= 1e-6 && ratio < 0.5,
          measured:
            `${compare('barrier', b, '≤', 1e-6)} (loss ${run.summary.segmentMonotone === 1 ? 'monotone' : 'not monotone'} on [0, 1]; ` +
            `L_LB ${fmt(run.summary.lossLB)}, L_SB ${fmt(run.summary.lossSB)}); ` +
            `${compare('λ_max(SB)/λ_max(LB)', ratio, '<', 0.5)} (${fmt(run.summary.lambdaMaxSB)} / ${fmt(run.summary.lambdaMaxLB)})`,
        }
      },
    },
  ],
  solve(p, ctx) {
    solveHessian(p as HessianParams, ctx)
  },
})
