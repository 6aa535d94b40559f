/**
 * Advani & Saxe (2017), "High-dimensional dynamics of generalization error in neural networks":
 * the linear student–teacher model, trained by full-batch gradient descent, overtrains; the
 * overtraining gap peaks at α = P/N ≈ 1, and the finite-N simulation follows the
 * Marchenko–Pastur theory.
 */
import { compare, defineStudy, fmt, param } from '../../kit'
import type { FigureView, RunView, SolveContext } from '../../kit'
import {
  closedFormErrors,
  errorsAtTime,
  DirectGd,
  drawRealisation,
  realisationModes,
  egInfinity,
  type Engine,
  etInfinity,
  type Modes,
  timeGrid,
  toModes,
  trainingCoefficients,
} from './solver'
import { quantiles } from '../../numeric/stats'
import { MpTheory, mpEdges, teacherVariances } from './theory'

const params = {
  mode: param.choice({
    label: 'experiment',
    help: 'dynamics: E_g(t), E_t(t) of the closed-form solution against the MP theory; spectrum: histogram of the eigenvalues of XXᵀ against ρ_MP; gd-crosscheck: direct gradient descent against the closed form.',
    default: 'dynamics',
    choices: ['dynamics', 'spectrum', 'gd-crosscheck'] as const,
  }),
  N: param.integer({ label: 'N', help: 'input dimension (number of student weights)', default: 100, min: 2, max: 1000 }),
  alpha: param.number({
    label: 'α = P/N',
    help: 'examples per parameter, α = P/N (not N/P); P = round(α·N)',
    default: 0.5,
    min: 0.1,
    max: 4,
  }),
  snr: param.number({
    label: 'SNR',
    help: 'teacher signal-to-noise ratio: σ_w² = SNR/(1+SNR), σ_ε² = 1/(1+SNR)',
    default: 4,
    min: 0,
    exclusiveMin: true,
    max: 1e4,
    log: true,
  }),
  sigma0sq: param.number({ label: 'σ0²', help: 'variance of the initial student weights', default: 0, min: 0, max: 100 }),
  eta: param.number({
    label: 'η',
    help: 'GD learning rate; stable while η(1+√α)² < 2; time t = η·k',
    default: 0.1,
    min: 0,
    exclusiveMin: true,
    max: 2,
  }),
  engine: param.choice({
    label: 'closed form',
    help: 'gradient flow: modes decay as e^{−λt}; discrete GD: as (1−ηλ)^k at t = η·k (exact for the discrete iteration)',
    default: 'gradient flow',
    choices: ['gradient flow', 'discrete GD'] as const,
  }),
  realisations: param.integer({
    label: 'realisations',
    help: 'independent draws of (X, w̄, ε, w0); 0 runs the N = ∞ theory alone',
    default: 20,
    min: 0,
    max: 500,
  }),
  timePoints: param.integer({ label: 'time points', help: 'log-spaced evaluation times', default: 200, min: 2, max: 5000 }),
  tMin: param.number({ label: 't min', help: 'first evaluation time', default: 0.01, min: 0, exclusiveMin: true, log: true }),
  tMax: param.number({ label: 't max', help: 'last evaluation time (t = ∞ comes from the pseudo-inverse, not from iterating)', default: 1e4, min: 0, exclusiveMin: true, log: true }),
  gdSteps: param.integer({ label: 'GD steps', help: 'steps of the direct-GD cross-check', default: 5000, min: 1, max: 200000 }),
  gdRealisations: param.integer({ label: 'GD realisations', help: 'realisations cross-checked by direct GD', default: 1, min: 1, max: 3 }),
  quadratureNodes: param.integer({ label: 'quadrature nodes', help: 'midpoint nodes in θ for the MP integrals', default: 4000, min: 16, max: 200000 }),
  histogramBins: param.integer({ label: 'histogram bins', help: 'bins of the eigenvalue histogram on [0, 1.1·(1+√α)²]', default: 40, min: 4, max: 1000 }),
}

type P = {
  mode: 'dynamics' | 'spectrum' | 'gd-crosscheck'
  N: number
  alpha: number
  snr: number
  sigma0sq: number
  eta: number
  engine: Engine
  realisations: number
  timePoints: number
  tMin: number
  tMax: number
  gdSteps: number
  gdRealisations: number
  quadratureNodes: number
  histogramBins: number
}

/** t-range over which claim 1 compares simulation and theory. */
const CLAIM_T = [0.1, 500] as const

/** The largest |egMean − egTheory|/egTheory over recorded times t ∈ [lo, hi], and where. */
export function maxRelativeDeviation(run: RunView, lo: number, hi: number): { dev: number; at: number } {
  const t = run.column('t')
  const sim = run.column('egMean')
  const th = run.column('egTheory')
  let dev = -Infinity
  let at = NaN
  for (let i = 0; i < t.length; i++) {
    if (!(t[i] >= lo && t[i] <= hi) || !Number.isFinite(sim[i])) continue
    const d = Math.abs(sim[i] - th[i]) / th[i]
    if (d > dev) {
      dev = d
      at = t[i]
    }
  }
  return { dev, at }
}

function maxAbsDeviationEt(run: RunView, lo: number, hi: number): number {
  const t = run.column('t')
  const sim = run.column('etMean')
  const th = run.column('etTheory')
  let dev = -Infinity
  for (let i = 0; i < t.length; i++) {
    if (t[i] >= lo && t[i] <= hi && Number.isFinite(sim[i])) dev = Math.max(dev, Math.abs(sim[i] - th[i]))
  }
  return dev
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`
}

// ------------------------------------------------------------------ solvers

/**
 * `count` realisations in their eigenbasis; with `keepDraws` (direct GD needs X, y, w0) the draws
 * too, otherwise realisationModes: the same modes, drawn into one reused realisation.
 */
function drawModes(p: P, count: number, ctx: SolveContext, progressShare: number, keepDraws = false): { modes: Modes[]; reals: ReturnType<typeof drawRealisation>[] } | null {
  const v = teacherVariances(p.snr, p.sigma0sq)
  const P_ = Math.round(p.alpha * p.N)
  const data = ctx.stream('data')
  const init = ctx.stream('init')
  const modes: Modes[] = []
  const reals: ReturnType<typeof drawRealisation>[] = []
  for (let r = 0; r < count; r++) {
    if (ctx.cancelled) return null
    if (keepDraws) {
      const real = drawRealisation(p.N, P_, v, data, init)
      reals.push(real)
      modes.push(toModes(real))
    } else modes.push(realisationModes(p.N, P_, v, data, init))
    ctx.progress((progressShare * (r + 1)) / count)
  }
  return { modes, reals }
}

/**
 * Closed-form dynamics (Advani & Saxe 2017, eqs. 6–8 for finite N; eqs. 10–12 for the MP theory):
 * per realisation z_i(t) = z_i(0)e^{−λ_i t} + (ε̃_i/λ_i)(1 − e^{−λ_i t}) (or (1−ηλ_i)^k for discrete
 * GD), E_g = ‖z‖²/N + σ_ε², E_t = ‖y − Xᵀw‖²/P; E_g(∞) from the pseudo-inverse solution.
 */
function solveDynamics(p: P, ctx: SolveContext): void {
  const v = teacherVariances(p.snr, p.sigma0sq)
  const theory = new MpTheory(p.alpha, v, p.quadratureNodes)
  const times = timeGrid(p.engine, p.tMin, p.tMax, p.timePoints, p.eta)
  const R = p.realisations
  const drawn = drawModes(p, R, ctx, 0.7)
  if (!drawn) return
  const { modes } = drawn
  const tcs = modes.map(trainingCoefficients)
  const scratch = new Float64Array(2)
  const out4 = new Float64Array(4)
  const eg = new Float64Array(R)
  const et = new Float64Array(R)
  const QS = [0.1, 0.5, 0.9]
  let best = { t: NaN, eg: Infinity }
  let bestTheory = { t: NaN, eg: Infinity }
  for (let j = 0; j < times.length; j++) {
    if (ctx.cancelled) return
    const t = times[j]
    const row: Record<string, number | Float64Array> = { t }
    const egTh = theory.eg(t)
    row.egTheory = egTh
    row.etTheory = theory.et(t)
    if (egTh < bestTheory.eg) bestTheory = { t, eg: egTh }
    if (R > 0) {
      let egSum = 0
      let etSum = 0
      let egEx = 0
      let etEx = 0
      for (let r = 0; r < R; r++) {
        // closedFormErrors and spectrumAveragedErrors in one pass (bit-identical to the two)
        errorsAtTime(modes[r], tcs[r], v, p.engine, t, p.eta, scratch, out4)
        eg[r] = out4[0]
        et[r] = out4[1]
        egSum += out4[0]
        etSum += out4[1]
        egEx += out4[2]
        etEx += out4[3]
      }
      const egQ = quantiles(eg, QS)
      const etQ = quantiles(et, QS)
      row.egMean = egSum / R
      row.egMedian = egQ[1]
      row.egQ10 = egQ[0]
      row.egQ90 = egQ[2]
      row.egReal = eg
      row.etReal = et
      row.etMean = etSum / R
      row.etMedian = etQ[1]
      row.etQ10 = etQ[0]
      row.etQ90 = etQ[2]
      row.egExact = egEx / R
      row.etExact = etEx / R
      if (row.egMean < best.eg) best = { t, eg: row.egMean }
    }
    if (j === times.length - 1) {
      // per-run values (recorded once, on the last row, so they become summary values)
      row.tStarTheory = bestTheory.t
      row.egStarTheory = bestTheory.eg
      const egInfTh = theory.egInfinity()
      if (Number.isFinite(egInfTh)) {
        row.egInfTheory = egInfTh
        row.gapTheory = egInfTh - bestTheory.eg
      }
      row.etInfTheory = theory.etInfinity()
      if (R > 0) {
        const infs = Float64Array.from(modes.map((m) => egInfinity(m, v.se2)))
        const infQ = quantiles(infs, QS)
        let mean = 0
        for (const x of infs) mean += x / R
        row.tStarSim = best.t
        row.egStarSim = best.eg
        row.egInfMean = mean
        row.egInfMedian = infQ[1]
        row.egInfQ10 = infQ[0]
        row.egInfQ90 = infQ[2]
        row.gapSim = row.egInfMedian - best.eg
        row.etInfMean = modes.reduce((s, m) => s + etInfinity(m), 0) / R
        row.frozenModes = modes[0].frozen
      }
    }
    ctx.record(j, row)
    ctx.progress(0.7 + (0.3 * (j + 1)) / times.length)
  }
}

/** Eigenvalues of XXᵀ pooled over realisations, as a density on [0, 1.1·λ₊], against ρ_MP (bin averages). */
function solveSpectrum(p: P, ctx: SolveContext): void {
  const R = p.realisations
  const drawn = drawModes(p, R, ctx, 0.9)
  if (!drawn) return
  const { modes } = drawn
  const v = teacherVariances(p.snr, p.sigma0sq)
  const theory = new MpTheory(p.alpha, v, p.quadratureNodes)
  const { hi } = mpEdges(p.alpha)
  const top = 1.1 * hi
  const B = p.histogramBins
  const width = top / B
  const counts = new Float64Array(B)
  let frozen = 0
  let above = 0
  let lamMax = 0
  let lamMinNonzero = 0
  for (const m of modes) {
    frozen += m.frozen
    lamMax += m.lambda[m.N - 1] / R
    lamMinNonzero += m.lambda[m.frozen] / R
    for (let i = m.frozen; i < m.N; i++) {
      const b = Math.floor(m.lambda[i] / width)
      if (b >= 0 && b < B) counts[b]++
      else above++
    }
  }
  const total = R * p.N
  for (let b = 0; b < B; b++) {
    const centre = (b + 0.5) * width
    const row: Record<string, number> = {
      lambdaBin: centre,
      histDensity: counts[b] / (total * width),
      mpDensity: theory.massOn(b * width, (b + 1) * width) / width,
    }
    if (b === B - 1) {
      row.frozenFraction = frozen / total
      row.frozenFractionTheory = Math.max(0, 1 - p.alpha)
      row.outsideHistogram = above
      row.lambdaMaxMean = lamMax
      row.lambdaPlus = hi
      row.lambdaMinNonzeroMean = lamMinNonzero
      row.lambdaMinus = mpEdges(p.alpha).lo
    }
    ctx.record(b, row)
  }
  ctx.progress(1)
}

/**
 * Direct GD, w ← w + η·X(y − Xᵀw) (Advani & Saxe 2017, eq. 3), against the closed form at t = η·k:
 * the discrete formula (1−ηλ)^k must agree to round-off, the gradient-flow one to O(η).
 */
function solveGdCrosscheck(p: P, ctx: SolveContext): void {
  const v = teacherVariances(p.snr, p.sigma0sq)
  const R = p.gdRealisations
  const drawn = drawModes(p, R, ctx, 0.05, true)
  if (!drawn) return
  const { modes, reals } = drawn
  const tcs = modes.map(trainingCoefficients)
  const gds = reals.map((r) => new DirectGd(r, p.eta))
  const scratch = new Float64Array(2)
  const out = new Float64Array(2)
  const egGd = new Float64Array(R)
  const etGd = new Float64Array(R)
  const egClosed = new Float64Array(R)
  const etClosed = new Float64Array(R)
  const egFlow = new Float64Array(R)
  let worst = 0
  for (let k = 0; k <= p.gdSteps; k++) {
    if (ctx.cancelled) return
    const t = k * p.eta
    let rel = 0
    for (let r = 0; r < R; r++) {
      gds[r].errors(v.se2, out)
      egGd[r] = out[0]
      etGd[r] = out[1]
      closedFormErrors(modes[r], tcs[r], 'discrete GD', t, p.eta, v.se2, scratch, out)
      egClosed[r] = out[0]
      etClosed[r] = out[1]
      closedFormErrors(modes[r], tcs[r], 'gradient flow', t, p.eta, v.se2, scratch, out)
      egFlow[r] = out[0]
      rel = Math.max(rel, Math.abs(egGd[r] - egClosed[r]) / egClosed[r])
    }
    worst = Math.max(worst, rel)
    const row: Record<string, number | Float64Array> = { t, egGd, etGd, egClosed, etClosed, egFlow, gdRelDiff: rel }
    if (k === p.gdSteps) row.gdMaxRelDiff = worst
    ctx.record(k, row)
    if (k < p.gdSteps) {
      for (let r = 0; r < R; r++) gds[r].step()
      ctx.count('grad', R)
    }
    if (k % 256 === 0) ctx.progress(0.05 + (0.95 * k) / p.gdSteps)
  }
}

// ------------------------------------------------------------------ figures

const ALPHAS_THEORY = [0.2, 0.5, 0.8, 0.9, 1.1, 1.25, 2, 4]
const SNRS = [0.05, 4, 100]

const base = { N: 100, snr: 4, sigma0sq: 0, realisations: 20 }

function dynamicsChart(label: string, alpha: number) {
  const v = teacherVariances(4, 0)
  const th = new MpTheory(alpha, v, 16)
  const overlays = [
    ...(Number.isFinite(th.egInfinity()) ? [{ kind: 'hline' as const, value: th.egInfinity(), label: `theory E_g(∞) = ${fmt(th.egInfinity())}` }] : []),
    ...(th.etInfinity() > 0 ? [{ kind: 'hline' as const, value: th.etInfinity(), label: `theory E_t(∞) = (1−1/α)σ_ε² = ${fmt(th.etInfinity())}` }] : []),
  ]
  return {
    kind: 'series' as const,
    id: `errors-${label}`,
    title: `E_g and E_t vs t, ${label} (N = 100, SNR = 4, 20 realisations)`,
    y: ['egMean', 'egQ10', 'egQ90', 'egTheory', 'egExact', 'etMean', 'etTheory', 'etExact'],
    x: 't',
    logX: true,
    logY: alpha === 1,
    overlays,
    runs: [label],
  }
}

export default defineStudy({
  id: 'linear-student-teacher-overtraining',
  title: 'Overtraining of a linear student: generalisation dynamics vs Marchenko–Pastur',
  paper: {
    title: 'High-dimensional dynamics of generalization error in neural networks',
    authors: 'Madhu S. Advani, Andrew M. Saxe',
    year: 2017,
    arxiv: '1710.03667',
  },
  summary:
    'A linear student trained by full-batch gradient descent on P noisy examples of a linear teacher with N inputs first generalises better, then worse: it overtrains. The gap E_g(∞) − min_t E_g peaks at α = P/N ≈ 1, where E_g(∞) diverges; for α < 1 the initial weights stay in the frozen subspace. Finite-N closed-form dynamics (exact eigen-decomposition of XXᵀ) against the Marchenko–Pastur theory, in float64.',
  params,
  metrics: {
    t: { label: 'gradient-flow time t = η·k (learning rate × full-batch steps)', scale: 'log' },
    egMean: { label: 'E_g mean over realisations', scale: 'linear' },
    egMedian: { label: 'E_g median', scale: 'linear' },
    egQ10: { label: 'E_g 10% quantile', scale: 'linear' },
    egQ90: { label: 'E_g 90% quantile', scale: 'linear' },
    egReal: { label: 'E_g per realisation', scale: 'linear', vector: true },
    etReal: { label: 'E_t per realisation', scale: 'linear', vector: true },
    etMean: { label: 'E_t mean over realisations', scale: 'linear' },
    etMedian: { label: 'E_t median', scale: 'linear' },
    etQ10: { label: 'E_t 10% quantile', scale: 'linear' },
    etQ90: { label: 'E_t 90% quantile', scale: 'linear' },
    egTheory: { label: 'E_g, MP theory (N = ∞)', scale: 'linear' },
    etTheory: { label: 'E_t, MP theory (N = ∞)', scale: 'linear' },
    egExact: { label: 'E_g, finite-N exact (averaged over w̄, ε, w0 given each spectrum)', scale: 'linear' },
    etExact: { label: 'E_t, finite-N exact (averaged over w̄, ε, w0 given each spectrum)', scale: 'linear' },
    tStarTheory: { label: 't* = argmin E_g, theory', scale: 'log' },
    egStarTheory: { label: 'E_g(t*), theory', scale: 'log' },
    egInfTheory: { label: 'E_g(∞), theory', scale: 'log' },
    gapTheory: { label: 'overtraining gap E_g(∞) − E_g(t*), theory', scale: 'log' },
    etInfTheory: { label: 'E_t(∞) = (1−1/α)₊σ_ε², theory', scale: 'linear' },
    tStarSim: { label: 't* = argmin of the mean E_g', scale: 'log' },
    egStarSim: { label: 'E_g(t*), simulated mean', scale: 'log' },
    egInfMean: { label: 'E_g(∞) (pseudo-inverse), mean over realisations', scale: 'log' },
    egInfMedian: { label: 'E_g(∞) (pseudo-inverse), median over realisations', scale: 'log' },
    egInfQ10: { label: 'E_g(∞) 10% quantile', scale: 'log' },
    egInfQ90: { label: 'E_g(∞) 90% quantile', scale: 'log' },
    gapSim: { label: 'overtraining gap, median E_g(∞) − E_g(t*)', scale: 'log' },
    etInfMean: { label: 'E_t(∞) = ‖ε_⊥‖²/P, mean', scale: 'linear' },
    frozenModes: { label: 'frozen modes (N − P)₊', scale: 'linear' },
    lambdaBin: { label: 'eigenvalue λ of XXᵀ (bin centre)', scale: 'linear' },
    histDensity: { label: 'eigenvalue density of XXᵀ (non-zero eigenvalues, pooled)', scale: 'linear' },
    mpDensity: { label: 'ρ_MP (bin average)', scale: 'linear' },
    frozenFraction: { label: 'fraction of zero eigenvalues', scale: 'linear' },
    frozenFractionTheory: { label: '(1 − α)₊', scale: 'linear' },
    outsideHistogram: { label: 'eigenvalues beyond 1.1·λ₊', scale: 'linear' },
    lambdaMaxMean: { label: 'largest eigenvalue, mean', scale: 'linear' },
    lambdaPlus: { label: 'λ₊ = (1+√α)²', scale: 'linear' },
    lambdaMinNonzeroMean: { label: 'smallest non-zero eigenvalue, mean', scale: 'log' },
    lambdaMinus: { label: 'λ₋ = (1−√α)²', scale: 'linear' },
    egGd: { label: 'E_g, direct GD', scale: 'linear', vector: true },
    etGd: { label: 'E_t, direct GD', scale: 'linear', vector: true },
    egClosed: { label: 'E_g, closed form (1−ηλ)^k', scale: 'linear', vector: true },
    etClosed: { label: 'E_t, closed form (1−ηλ)^k', scale: 'linear', vector: true },
    egFlow: { label: 'E_g, gradient flow e^{−λt}', scale: 'linear', vector: true },
    gdRelDiff: { label: 'max |E_g(GD) − E_g(closed form)|/E_g', scale: 'log' },
    gdMaxRelDiff: { label: 'largest relative GD/closed-form difference over the run', scale: 'log' },
  },
  oracles: {
    grad: 'full-batch gradient evaluations X(y − Xᵀw) (direct GD)',
  },
  charts: [
    {
      kind: 'series',
      id: 'errors',
      title: 'E_g and E_t vs t (simulated mean, 10–90% band, MP theory, finite-N exact)',
      y: ['egMean', 'egQ10', 'egQ90', 'egTheory', 'egExact', 'etMean', 'etTheory', 'etExact'],
      x: 't',
      logX: true,
    },
    {
      kind: 'summary',
      id: 'egstar-vs-alpha',
      title: 'E_g(t*) (early stopping) vs α, theory',
      y: 'egStarTheory',
      x: 'alpha',
      groupBy: 'snr',
      logY: true,
    },
    {
      kind: 'summary',
      id: 'eginf-vs-alpha',
      title: 'E_g(∞) vs α, theory (diverges at α = 1)',
      y: 'egInfTheory',
      x: 'alpha',
      groupBy: 'snr',
      logY: true,
    },
    {
      kind: 'series',
      id: 'spectrum',
      title: 'eigenvalues of XXᵀ against ρ_MP',
      y: ['histDensity', 'mpDensity'],
      x: 'lambdaBin',
    },
  ],
  figures: [
    {
      id: 'error-dynamics',
      title: 'Generalisation and training error vs time, α = 0.5, 1, 2',
      description:
        'SNR = 4, σ0² = 0, N = 100, 20 realisations: the simulated mean (with its 10–90% band) of E_g and E_t against the Marchenko–Pastur theory and the finite-N exact curve; t from 0.01 to 10⁴, log x. E_g falls, then rises (overtraining); at α = 2, E_t tends to (1−1/α)σ_ε², not 0.',
      runs: [0.5, 1, 2].map((alpha) => ({ label: `α=${alpha}`, params: { ...base, alpha } })),
      charts: [dynamicsChart('α=0.5', 0.5), dynamicsChart('α=1', 1), dynamicsChart('α=2', 2)],
    },
    {
      id: 'overtraining-vs-alpha',
      title: 'Early-stopping and asymptotic error vs α',
      description:
        'Theory (N = ∞) over α ∈ {0.2, 0.5, 0.8, 0.9, 1.1, 1.25, 2, 4} for SNR ∈ {0.05, 4, 100}, and finite-N medians of E_g(∞) over 20 draws at α ∈ {0.9, 1.1, 2} (SNR = 4). E_g(∞) diverges at α = 1; the overtraining gap peaks there.',
      runs: [
        ...SNRS.flatMap((snr) =>
          ALPHAS_THEORY.map((alpha) => ({ label: `theory SNR=${snr} α=${alpha}`, params: { N: 100, alpha, snr, realisations: 0 } })),
        ),
        ...[0.9, 1.1, 2].map((alpha) => ({ label: `N=100 α=${alpha}`, params: { ...base, alpha } })),
      ],
      charts: [
        { kind: 'summary', id: 'egstar', title: 'E_g(t*) vs α (theory)', y: 'egStarTheory', x: 'alpha', groupBy: 'snr', logY: true, runs: SNRS.flatMap((snr) => ALPHAS_THEORY.map((a) => `theory SNR=${snr} α=${a}`)) },
        { kind: 'summary', id: 'eginf', title: 'E_g(∞) vs α (theory)', y: 'egInfTheory', x: 'alpha', groupBy: 'snr', logY: true, runs: SNRS.flatMap((snr) => ALPHAS_THEORY.map((a) => `theory SNR=${snr} α=${a}`)) },
        { kind: 'summary', id: 'gap', title: 'overtraining gap E_g(∞) − E_g(t*) vs α (theory)', y: 'gapTheory', x: 'alpha', groupBy: 'snr', logY: true, runs: SNRS.flatMap((snr) => ALPHAS_THEORY.map((a) => `theory SNR=${snr} α=${a}`)) },
        { kind: 'summary', id: 'eginf-finite', title: 'E_g(∞), median over 20 draws at N = 100 (SNR = 4)', y: 'egInfMedian', x: 'alpha', logY: true, runs: ['N=100 α=0.9', 'N=100 α=1.1', 'N=100 α=2'] },
      ],
    },
    {
      id: 'mp-spectrum',
      title: 'Spectrum of XXᵀ against the Marchenko–Pastur density',
      description:
        'Eigenvalues of XXᵀ pooled over 20 realisations at N = 100, as a density of the non-zero eigenvalues, with the bin-averaged ρ_MP. For α < 1 a fraction 1 − α of eigenvalues is zero (the frozen subspace) and is reported separately.',
      runs: [0.5, 1, 2].map((alpha) => ({ label: `α=${alpha}`, params: { ...base, alpha, mode: 'spectrum' } })),
      charts: [0.5, 1, 2].map((alpha) => ({
        kind: 'series' as const,
        id: `spectrum-${alpha}`,
        title: `eigenvalue density, α = ${alpha}`,
        y: ['histDensity', 'mpDensity'],
        x: 'lambdaBin',
        runs: [`α=${alpha}`],
      })),
    },
    {
      id: 'initial-weights',
      title: 'Initial weights stay in the frozen subspace (α = 0.5)',
      description:
        'α = 0.5, SNR = 4, σ0² ∈ {0, 1} on the same data (the init direction comes from its own stream): E_g(∞) rises by (1 − α)σ0² = 0.5, from 0.80 to 1.30 in theory.',
      runs: [0, 1].map((s) => ({ label: `σ0²=${s}`, params: { ...base, alpha: 0.5, sigma0sq: s } })),
      charts: [
        {
          kind: 'summary',
          id: 'eginf-vs-sigma0',
          title: 'E_g(∞) vs σ0² (mean over 20 draws; slope 1 − α)',
          y: 'egInfMean',
          x: 'sigma0sq',
          overlays: [
            { kind: 'hline', value: 0.8, label: 'theory σ0² = 0: 0.80' },
            { kind: 'hline', value: 1.3, label: 'theory σ0² = 1: 1.30' },
          ],
        },
        { kind: 'series', id: 'eg-sigma0', title: 'E_g vs t for σ0² = 0 and 1', y: ['egMean', 'egTheory'], x: 't', logX: true },
      ],
    },
    {
      id: 'gd-crosscheck',
      title: 'Direct gradient descent against the closed form',
      description:
        '5000 steps of w ← w + η·X(y − Xᵀw) at α = 0.5, η = 0.1, on the first 3 realisations, against the closed form at t = η·k: the discrete formula (1−ηλ)^k agrees to round-off, gradient flow e^{−λt} to O(η).',
      runs: [{ label: 'α=0.5 GD', params: { ...base, alpha: 0.5, mode: 'gd-crosscheck', gdRealisations: 3 } }],
      charts: [
        { kind: 'series', id: 'gd-vs-closed', title: 'E_g: direct GD, closed form (1−ηλ)^k, gradient flow', y: ['egGd', 'egClosed', 'egFlow'], x: 't', logX: true },
        { kind: 'series', id: 'gd-diff', title: 'relative difference GD vs closed form', y: ['gdRelDiff'], x: 't', logX: true, logY: true },
      ],
    },
  ],
  claims: [
    {
      id: 'simulation-matches-theory',
      text: 'With N = 100 and 20 realisations (SNR = 4), the mean E_g stays within 10% of the MP theory over t ∈ [0.1, 500] at α = 0.5 and α = 2, and within 20% at α = 1.',
      scope: 'figure',
      figure: 'error-dynamics',
      check: (fig: FigureView) => {
        const bounds: [string, number][] = [
          ['α=0.5', 0.1],
          ['α=1', 0.2],
          ['α=2', 0.1],
        ]
        let passed = true
        const parts = bounds.map(([label, bound]) => {
          const { dev, at } = maxRelativeDeviation(fig.run(label), CLAIM_T[0], CLAIM_T[1])
          if (!(dev <= bound)) passed = false
          return `${label}: ${pct(dev)} ≤ ${pct(bound)} (at t = ${fmt(at)})`
        })
        return { passed, measured: `max |mean E_g − theory|/theory over t ∈ [0.1, 500]: ${parts.join('; ')}` }
      },
    },
    {
      id: 'overtraining-peaks-near-one',
      text: 'On the theory curve (N = ∞, SNR = 4) over α ∈ {0.2, 0.5, 0.8, 0.9, 1.1, 1.25, 2, 4}, the overtraining gap E_g(∞) − E_g(t*) is largest at α = 0.9 or α = 1.1.',
      scope: 'figure',
      figure: 'overtraining-vs-alpha',
      check: (fig: FigureView) => {
        const gaps = ALPHAS_THEORY.map((alpha) => ({ alpha, gap: fig.run(`theory SNR=4 α=${alpha}`).summary.gapTheory }))
        const top = gaps.reduce((a, b) => (b.gap > a.gap ? b : a))
        const passed = gaps.every((g) => Number.isFinite(g.gap)) && (top.alpha === 0.9 || top.alpha === 1.1)
        return {
          passed,
          measured: `largest gap ${fmt(top.gap, 3)} at α = ${top.alpha}; gaps: ${gaps.map((g) => `α=${g.alpha}: ${fmt(g.gap, 2)}`).join(', ')}`,
        }
      },
    },
    {
      id: 'frozen-subspace-keeps-init',
      text: 'At α = 0.5 (SNR = 4, N = 100, 20 draws), raising σ0² from 0 to 1 raises the mean E_g(∞) by (1 − α)σ0² = 0.5 ± 0.1, and each level is within 10% of the theory values 0.80 and 1.30.',
      scope: 'figure',
      figure: 'initial-weights',
      check: (fig: FigureView) => {
        const a = fig.run('σ0²=0').summary.egInfMean
        const b = fig.run('σ0²=1').summary.egInfMean
        const rise = b - a
        const okRise = Math.abs(rise - 0.5) <= 0.1
        const okA = Math.abs(a - 0.8) <= 0.08
        const okB = Math.abs(b - 1.3) <= 0.13
        return {
          passed: okRise && okA && okB,
          measured: `E_g(∞): ${fmt(a, 3)} (theory 0.80, |Δ| ${fmt(Math.abs(a - 0.8), 2)} ≤ 0.08) → ${fmt(b, 3)} (theory 1.30, |Δ| ${fmt(Math.abs(b - 1.3), 2)} ≤ 0.13); rise ${fmt(rise, 3)} (|rise − 0.5| ${fmt(Math.abs(rise - 0.5), 2)} ≤ 0.1); medians ${fmt(fig.run('σ0²=0').summary.egInfMedian, 3)} → ${fmt(fig.run('σ0²=1').summary.egInfMedian, 3)}`,
        }
      },
    },
    {
      id: 'gd-matches-closed-form',
      text: 'Direct gradient descent agrees with the discrete closed form (1−ηλ)^k: max relative E_g difference ≤ 1e-9 over the run.',
      scope: 'run',
      appliesTo: (p) => p.mode === 'gd-crosscheck',
      check: (run: RunView) => {
        const d = run.summary.gdMaxRelDiff
        return { passed: d <= 1e-9, measured: compare('max relative difference', d, '≤', 1e-9, `over ${run.params.gdSteps} steps, ${run.params.gdRealisations} realisation(s)`) }
      },
    },
  ],
  validate: (p) => {
    const out: string[] = []
    const P_ = Math.round(p.alpha * p.N)
    if (P_ < 1) out.push(`α·N = ${p.alpha * p.N} rounds to P = 0 examples: raise N or α`)
    if (!(p.tMax > p.tMin)) out.push(`t max (${p.tMax}) must exceed t min (${p.tMin})`)
    const lamPlus = (1 + Math.sqrt(p.alpha)) ** 2
    const usesEta = p.mode === 'gd-crosscheck' || (p.mode === 'dynamics' && p.engine === 'discrete GD')
    if (usesEta && p.eta * lamPlus >= 2) out.push(`η(1+√α)² = ${fmt(p.eta * lamPlus)} ≥ 2: gradient descent diverges; lower η`)
    if ((p.mode === 'spectrum') && p.realisations < 1) out.push('the spectrum needs at least 1 realisation')
    return out
  },
  warnings: (p) => {
    const out: string[] = []
    const P_ = Math.round(p.alpha * p.N)
    if (P_ === p.N && p.realisations > 0)
      out.push('P = N exactly: E_g(∞) has an infinite mean even at finite N (E[1/σ_min²] diverges); read the median, or use P = N ± 1 in sweeps')
    const lamPlus = (1 + Math.sqrt(p.alpha)) ** 2
    if (p.eta * lamPlus > 0.6 && p.eta * lamPlus < 2)
      out.push(`η(1+√α)² = ${fmt(p.eta * lamPlus)}: discrete GD departs from gradient flow; keep it ≪ 1 or use the discrete closed form`)
    if (p.tMin > 0.1 || p.tMax < 500) out.push('the time range should cover t ∈ [0.1, 500] (claim 1 compares there)')
    return out
  },
  derived: (p) => {
    const v = teacherVariances(p.snr, p.sigma0sq)
    const { lo, hi } = mpEdges(p.alpha)
    return { P: Math.round(p.alpha * p.N), 'σ_w²': v.sw2, 'σ_ε²': v.se2, 'λ₋': lo, 'λ₊': hi, 'η·λ₊': p.eta * hi }
  },
  summarize: (run): Record<string, number> => {
    if (run.status !== 'done' || run.params.mode !== 'dynamics' || run.params.realisations === 0) return {}
    const { dev, at } = maxRelativeDeviation(run, CLAIM_T[0], CLAIM_T[1])
    return { maxRelDevEg: dev, maxRelDevEgAt: at, maxAbsDevEt: maxAbsDeviationEt(run, CLAIM_T[0], CLAIM_T[1]) }
  },
  solve(p, ctx) {
    const q = p as unknown as P
    if (q.mode === 'spectrum') return solveSpectrum(q, ctx)
    if (q.mode === 'gd-crosscheck') return solveGdCrosscheck(q, ctx)
    return solveDynamics(q, ctx)
  },
})
