/**
 * Delattre, Araujo, Barthélemy & Allauzen (ICLR 2024): randomized smoothing with soft votes
 * (softmax/sparsemax of temperature-scaled logits) and empirical Bernstein bounds, on a 2-D,
 * 3-class toy where the smoothed classifier is known exactly by quadrature. Bernstein beats
 * Hoeffding, the best temperature is interior, selecting (map, t) on separate samples helps —
 * and hard votes with Clopper–Pearson still win on Gaussian margins (the spec's negative result).
 */
import { compare, defineStudy, fmt, param, type FigureDefinition, type FigureView, type RunView } from '../../kit'
import { METHOD_KEY, METHODS, parseTemps, solveLvm, type LvmParams } from './solver'

type ChartSpecInput = FigureDefinition['charts'][number]

const certAccChart: ChartSpecInput = {
  kind: 'series',
  id: 'certified-accuracy',
  title: 'certified accuracy vs radius r (one curve per method)',
  y: METHODS.map((m) => `certAcc${METHOD_KEY[m]}`),
  x: 'oracle:radius',
}
const radiusVsTChart: ChartSpecInput = {
  kind: 'series',
  id: 'radius-vs-t',
  title: 'Bernstein radius vs inverse temperature t (log x), per map; CP-hard radius for reference',
  y: ['radiusSparsemax', 'radiusSoftmax', 'radiusCpHard'],
  x: 'oracle:temperature',
  logX: true,
}
const varianceChart: ChartSpecInput = {
  kind: 'series',
  id: 'variance-margin',
  title: 'mean and std of h_A and the margin h_A − h_B vs t (log x)',
  y: ['meanHASparsemax', 'stdHASparsemax', 'marginSparsemax', 'meanHASoftmax', 'stdHASoftmax', 'marginSoftmax'],
  x: 'oracle:temperature',
  logX: true,
}
const boundWidthChart: ChartSpecInput = {
  kind: 'series',
  id: 'bound-width',
  title: 'half-width of the bound on p_A vs n (log-log): CP, Hoeffding, Bernstein (softmax t = 1)',
  y: ['cpHalfWidth', 'hoeffdingHalfWidth', 'bernsteinHalfWidth'],
  x: 'oracle:baseEval',
  logX: true,
  logY: true,
  overlays: [
    { kind: 'powerLaw', slope: -0.5, anchorX: 100, label: 'n^(−1/2)' },
    { kind: 'powerLaw', slope: -1, anchorX: 100, label: 'n^(−1)' },
  ],
}
const sliceChart: ChartSpecInput = {
  kind: 'series',
  id: 'radius-slice',
  title: 'certified radius along x₁ at fixed x₂ (−1 = abstain); decision boundaries marked',
  y: ['radiusCpHard', 'radiusBernSelected'],
  x: 'oracle:x1',
  overlays: [{ kind: 'events', event: 'boundary', label: 'decision boundary' }],
}

const CERT = 'certified-accuracy'
/** test points of seed 0, one per class, each certified with an interior sparsemax optimum in the certify run (see README) */
const SWEEP_POINTS = [0, 3, 5]
const SLICES = [-1, 0, 1, 2]

const FIGURES: FigureDefinition[] = [
  {
    id: CERT,
    title: 'Certified accuracy vs radius, every method (100 test points)',
    description:
      'All five methods certify the same 100 test points from shared samples (n = 10⁴, n₀ = 100, α = 10⁻³, σ = 0.5); ' +
      'each certificate is checked against the exact smoothed classifier (241² quadrature).',
    runs: [{ label: 'all methods', params: { mode: 'certify', method: 'all' } }],
    charts: [certAccChart],
    seeds: [0, 1, 2],
  },
  {
    id: 'radius-vs-temperature',
    title: 'Bernstein radius vs inverse temperature for a few test points',
    description: 'The variance–margin trade-off: for sparsemax the radius peaks at an interior t; CP-hard is drawn flat for reference.',
    runs: SWEEP_POINTS.map((p) => ({ label: `point ${p}`, params: { mode: 'temperature-sweep', pointIndex: p } })),
    charts: [radiusVsTChart],
  },
  {
    id: 'variance-margin',
    title: 'Variance and margin of the soft vote vs t',
    description: 'Lower temperature (larger t) raises the mean of h_A and shrinks its std; the Bernstein shift follows the std.',
    runs: [{ label: `point ${SWEEP_POINTS[0]}`, params: { mode: 'temperature-sweep', pointIndex: SWEEP_POINTS[0] } }],
    charts: [varianceChart],
  },
  {
    id: 'radius-map',
    title: 'Certified radius over the plane',
    description:
      'The certified radius as a heatmap over (x₁, x₂): one row per slice x₂ ∈ {−1, 0, 1, 2}, 41 points along x₁ ∈ [−3, 5] (CP-hard and ' +
      'Bern-selected-t; −1 = abstain), and the same slices as profiles with the base classifier’s decision boundaries as markers.',
    runs: SLICES.map((x2) => ({ label: `x2 = ${x2}`, params: { mode: 'slice', sliceX2: x2 } })),
    charts: [
      { kind: 'heatmap', id: 'radius-map-cp', title: 'certified radius, CP-hard (−1 = abstain)', source: { from: 'runRows', value: 'radiusCpHard', x: 'oracle:x1', y: 'sliceX2' }, xLabel: 'x₁', yLabel: 'x₂' },
      { kind: 'heatmap', id: 'radius-map-bern', title: 'certified radius, Bern-selected-t (−1 = abstain)', source: { from: 'runRows', value: 'radiusBernSelected', x: 'oracle:x1', y: 'sliceX2' }, xLabel: 'x₁', yLabel: 'x₂' },
      sliceChart,
    ],
  },
  {
    id: 'bound-width',
    title: 'Bound half-widths vs n',
    description: 'CP, Hoeffding and Bernstein half-widths on p_A at one test point for n from 10² to 10⁵.',
    runs: [{ label: `point ${SWEEP_POINTS[0]}`, params: { mode: 'bound-width', pointIndex: SWEEP_POINTS[0] } }],
    charts: [boundWidthChart],
  },
]

const all = (f: FigureView): RunView => f.run('all methods')
const s = (v: number): string => fmt(v, 3)

export default defineStudy({
  id: 'lvm-randomized-smoothing',
  title: 'Lipschitz–variance–margin randomized smoothing: Bernstein vs Hoeffding vs Clopper–Pearson',
  paper: {
    title: 'The Lipschitz-Variance-Margin Tradeoff for Enhanced Randomized Smoothing',
    authors: 'B. Delattre, A. Araujo, Q. Barthélemy, A. Allauzen',
    year: 2024,
    arxiv: '2309.16883',
  },
  summary:
    'Randomized smoothing of a 2-D, 3-class QDA classifier (σ = 0.5, n = 10⁴ noisy copies, α = 10⁻³), certified with hard votes + ' +
    'Clopper–Pearson, softmax + Hoeffding, softmax + empirical Bernstein, Bernstein with the soft map and temperature chosen on ' +
    'separate samples, and the code’s max over all radii. Every certificate is checked against the exact smoothed classifier. ' +
    'Bernstein beats Hoeffding and an interior temperature is best, but hard votes with Clopper–Pearson keep the largest mean radius.',
  params: {
    mode: param.choice({
      label: 'mode',
      help: 'certify: the test set with every method; temperature-sweep: one point, radius/variance/margin on a fine t grid; bound-width: bound half-widths vs n at one point; slice: certify a line of points at fixed x₂ (the radius map)',
      default: 'certify',
      choices: ['certify', 'temperature-sweep', 'bound-width', 'slice'] as const,
    }),
    method: param.choice({
      label: 'method',
      help: 'which methods to record in certify mode (all are computed from shared samples)',
      default: 'all',
      choices: ['all', 'cp-hard', 'hoeffding-softmax', 'bernstein-softmax', 'bern-selected-t', 'lvm-max'] as const,
    }),
    sigma: param.number({ label: 'σ', help: 'smoothing noise standard deviation', default: 0.5, min: 0, exclusiveMin: true, max: 5 }),
    nMc: param.integer({ label: 'n', help: 'estimation samples per point', default: 10000, min: 100, max: 100000, log: true }),
    nSelect: param.integer({ label: 'n₀', help: 'selection samples per point (Bern-selected-t)', default: 100, min: 10, max: 10000, log: true }),
    alpha: param.number({ label: 'α', help: 'failure probability; α/K per class and per side', default: 1e-3, min: 0, max: 1, exclusiveMin: true, exclusiveMax: true, log: true }),
    temps: param.text({ label: 'temperatures t', help: 'inverse temperatures multiplying the logits, comma-separated', default: '0.25, 0.5, 1, 2, 4, 8, 16, 32', maxLength: 200 }),
    maps: param.choice({ label: 'soft maps', help: 'soft maps of t·z', default: 'both', choices: ['both', 'sparsemax', 'softmax'] as const }),
    nTest: param.integer({ label: 'test points', help: 'test points (label uniform, x ~ N(μ_label, s_label² I))', default: 100, min: 1, max: 2000 }),
    quadPoints: param.integer({ label: 'quadrature points', help: 'points per axis of the exact quadrature over ±6σ', default: 241, min: 21, max: 801 }),
    violationTol: param.number({ label: 'violation tolerance', help: 'slack in probability of the exact check (grid error at the boundary, pitfall 4)', default: 1e-3, min: 0, max: 0.1 }),
    pointIndex: param.integer({ label: 'point index', help: 'test point of the temperature-sweep and bound-width modes', default: 0, min: 0, max: 1999 }),
    sweepPoints: param.integer({ label: 'sweep temperatures', help: 'log-spaced t values of the temperature sweep', default: 37, min: 2, max: 400 }),
    tMin: param.number({ label: 't min', help: 'smallest t of the sweep', default: 0.125, min: 0, exclusiveMin: true, log: true }),
    tMax: param.number({ label: 't max', help: 'largest t of the sweep', default: 64, min: 0, exclusiveMin: true, log: true }),
    nMaxWidth: param.integer({ label: 'largest n', help: 'largest sample size of the bound-width mode', default: 100000, min: 100, max: 1000000, log: true }),
    sliceX2: param.number({ label: 'slice x₂', help: 'x₂ of the slice mode', default: 0 }),
    sliceX1Min: param.number({ label: 'slice x₁ from', help: 'first x₁ of the slice', default: -3 }),
    sliceX1Max: param.number({ label: 'slice x₁ to', help: 'last x₁ of the slice', default: 5 }),
    slicePoints: param.integer({ label: 'slice points', help: 'points along the slice', default: 41, min: 1, max: 1000 }),
  },
  metrics: {
    ...Object.fromEntries(
      METHODS.flatMap((m) => {
        const k = METHOD_KEY[m]
        return [
          [`radius${k}`, { label: `radius (${m})`, scale: 'linear', help: '−1 for abstain or wrong class' }],
          [`class${k}`, { label: `predicted class (${m})`, scale: 'linear', help: '−1 for abstain' }],
          [`exactRadius${k}`, { label: `exact radius (${m})`, scale: 'linear', help: 'radius of the exact smoothed function this method certified' }],
          [`violation${k}`, { label: `violation (${m})`, scale: 'linear', help: '1 if class ≠ exact top class or radius > exact radius (with the probability tolerance)' }],
          [`certAcc${k}`, { label: `certified accuracy (${m})`, scale: 'linear' }],
          [`meanRadius${k}`, { label: `mean radius (${m})`, scale: 'linear', help: 'mean of max(radius, 0) over the test points' }],
          [`certAcc0${k}`, { label: `cert. acc. r = 0 (${m})`, scale: 'linear' }],
          [`certAcc05${k}`, { label: `cert. acc. r = 0.5 (${m})`, scale: 'linear' }],
          [`certAcc1${k}`, { label: `cert. acc. r = 1 (${m})`, scale: 'linear' }],
          [`violations${k}`, { label: `violations (${m})`, scale: 'linear' }],
          [`strictViolations${k}`, { label: `strict violations (${m})`, scale: 'linear', help: 'tolerance 1e-9 on the radius, none in probability' }],
        ]
      }),
    ),
    label: { label: 'true label', scale: 'linear' },
    selectedT: { label: 'selected t (Bern-selected-t)', scale: 'log' },
    selectedMap: { label: 'selected map (0 sparsemax, 1 softmax)', scale: 'linear' },
    bestTSparsemax: { label: 'best t, sparsemax + Bernstein', scale: 'log' },
    bestTInterior: { label: 'best t interior (1/0)', scale: 'linear' },
    bernGeHoeff: { label: 'Bernstein ≥ Hoeffding (1/0)', scale: 'linear' },
    lvmFromHard: { label: 'LVM-max returned CP-hard (1/0)', scale: 'linear' },
    interiorFraction: { label: 'interior optimum fraction (certified points)', scale: 'linear' },
    certifiedSparsemaxPoints: { label: 'points certified by sparsemax + Bernstein at its best t', scale: 'linear' },
    bernGeHoeffFraction: { label: 'fraction Bernstein ≥ Hoeffding', scale: 'linear' },
    lvmHardFraction: { label: 'fraction of LVM-max certificates from CP-hard', scale: 'linear' },
    radiusSparsemax: { label: 'Bernstein radius, sparsemax', scale: 'linear' },
    radiusSoftmax: { label: 'Bernstein radius, softmax', scale: 'linear' },
    exactRadiusSparsemax: { label: 'exact radius, sparsemax', scale: 'linear' },
    exactRadiusSoftmax: { label: 'exact radius, softmax', scale: 'linear' },
    classA: { label: 'class A (label)', scale: 'linear' },
    meanHASparsemax: { label: 'mean h_A, sparsemax', scale: 'linear' },
    stdHASparsemax: { label: 'std h_A, sparsemax', scale: 'linear' },
    marginSparsemax: { label: 'margin h_A − h_B, sparsemax', scale: 'linear' },
    meanHASoftmax: { label: 'mean h_A, softmax', scale: 'linear' },
    stdHASoftmax: { label: 'std h_A, softmax', scale: 'linear' },
    marginSoftmax: { label: 'margin h_A − h_B, softmax', scale: 'linear' },
    cpHalfWidth: { label: 'CP half-width', scale: 'log' },
    hoeffdingHalfWidth: { label: 'Hoeffding half-width', scale: 'log' },
    bernsteinHalfWidth: { label: 'Bernstein half-width', scale: 'log' },
    stdSoftmaxA: { label: 'std of softmax h_A', scale: 'log' },
    baseClass: { label: 'base classifier class', scale: 'linear' },
  },
  oracles: {
    baseEval: 'base-classifier evaluations (noisy copies)',
    radius: 'certification radius r (the x-axis of the certified-accuracy curves; not an oracle)',
    temperature: 'inverse temperature t (the x-axis of the temperature sweep; not an oracle)',
    x1: 'x₁ coordinate along the slice (the x-axis of the radius map; not an oracle)',
  },
  charts: [certAccChart, radiusVsTChart],
  figures: FIGURES,
  validate: (p) => {
    const out: string[] = []
    try {
      parseTemps(p.temps)
    } catch (e) {
      out.push((e as Error).message)
    }
    if (p.mode === 'temperature-sweep' && !(p.tMax > p.tMin)) out.push('t max must exceed t min')
    if (p.mode === 'slice' && !(p.sliceX1Max >= p.sliceX1Min)) out.push('slice x₁ to must be ≥ slice x₁ from')
    return out
  },
  warnings: (p) => {
    const out: string[] = []
    if (p.mode === 'certify' && p.nTest * p.nMc > 5e6) out.push(`${p.nTest} points × n = ${p.nMc} is slow (tens of seconds)`)
    return out
  },
  derived: (p) => ({
    'Hoeffding shift': Math.sqrt(Math.log((2 * 3) / p.alpha) / (2 * p.nMc)),
    'Bernstein constant 7 ln(2/α′)/(3(n−1))': (7 * Math.log((2 * 3) / p.alpha)) / (3 * (p.nMc - 1)),
  }),
  claims: [
    {
      id: 'validity',
      text: 'Every certificate is valid: zero violations for every method (class = exact top class and radius ≤ exact radius, tolerance 1e-3 in probability).',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const r = all(f)
        const v = METHODS.map((m) => r.summary[`violations${METHOD_KEY[m]}`])
        const strict = METHODS.map((m) => r.summary[`strictViolations${METHOD_KEY[m]}`])
        const total = v.reduce((a, b) => a + b, 0)
        return {
          passed: total === 0 && v.every((x) => Number.isFinite(x)),
          measured: `violations (tol 1e-3 in probability) ${METHODS.map((m, i) => `${m} ${v[i]}`).join(', ')}; strict (1e-9 on the radius): ${strict.reduce((a, b) => a + b, 0)}; over ${r.params.nTest} points, seed ${r.seed}`,
        }
      },
    },
    {
      id: 'bernstein-ge-hoeffding',
      text: 'Bernstein radius ≥ Hoeffding radius (softmax, t = 1) on ≥ 95 % of the points.',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const x = all(f).summary.bernGeHoeffFraction
        return { passed: x >= 0.95, measured: `${compare('fraction', x, '≥', 0.95)}, seed ${all(f).seed}` }
      },
    },
    {
      id: 'bernstein-large-radius',
      text: 'Bernstein helps at large radius: certified accuracy at r = 1, Bernstein − Hoeffding ≥ +0.1.',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const r = all(f)
        const b = r.summary.certAcc1Bernstein
        const h = r.summary.certAcc1Hoeffding
        return { passed: b - h >= 0.1, measured: `${s(b)} − ${s(h)} = ${compare('gain', b - h, '≥', 0.1)}, seed ${r.seed}` }
      },
    },
    {
      id: 'interior-optimum',
      text: 'The optimal t for sparsemax + Bernstein is interior (neither the smallest nor the largest t) for ≥ 60 % of the certified points.',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const r = all(f)
        const x = r.summary.interiorFraction
        return {
          passed: x >= 0.6,
          measured: `${compare('interior fraction', x, '≥', 0.6)} of ${r.summary.certifiedSparsemaxPoints} certified points, seed ${r.seed}`,
        }
      },
    },
    {
      id: 'selection-helps',
      text: 'Temperature selection helps: mean radius of Bern-selected-t − Bernstein (softmax, t = 1) ≥ +0.1.',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const r = all(f)
        const a = r.summary.meanRadiusBernSelected
        const b = r.summary.meanRadiusBernstein
        return { passed: a - b >= 0.1, measured: `${s(a)} − ${s(b)} = ${compare('gain', a - b, '≥', 0.1)}, seed ${r.seed}` }
      },
    },
    {
      id: 'negative-result',
      text: 'Negative result: hard votes with Clopper–Pearson keep the largest mean radius, mean radius CP-hard ≥ Bern-selected-t.',
      scope: 'figure',
      figure: CERT,
      check: (f) => {
        const r = all(f)
        const a = r.summary.meanRadiusCpHard
        const b = r.summary.meanRadiusBernSelected
        return {
          passed: a >= b,
          measured: `CP-hard ${s(a)} ≥ Bern-selected-t ${s(b)} (LVM-max ${s(r.summary.meanRadiusLvmMax)}, from CP-hard on ${fmt(100 * r.summary.lvmHardFraction, 3)} % of its certificates), seed ${r.seed}`,
        }
      },
    },
  ],
  solve: (params, ctx) => solveLvm(params as unknown as LvmParams, ctx),
})
