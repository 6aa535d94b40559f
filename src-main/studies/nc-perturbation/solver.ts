/**
 * Tirer, Huang & Niles-Weed (2023), "Perturbation Analysis of Neural Collapse": the five
 * computations of the study (central-path flow, minimiser vs β, layer-wise stacking, the linear
 * response near collapse, and the regularisation sweep) on the model of Eq. (2) (see model.ts).
 */
import type { SolveContext } from '../../kit'
import { lu, luSolve, qr, singularValues, symEigvalues } from '../../numeric/linalg'
import { CollapseMeter } from './collapse'
import { classOf, collapsedMinimiser, collapseRho, gradient, hessian, objective, optimalW, SmallCholesky, type NcReg, type NcSizes } from './model'

export interface NcParams {
  experiment: 'flow' | 'minimiser' | 'layerwise' | 'response' | 'sweep'
  K: number
  n: number
  d: number
  lW: number
  lH: number
  beta: number
  withinStd: number
  dt: number
  T: number
  bcdTol: number
  bcdMaxIter: number
  layers: number
  sweepNoise: number
}

type Rng = { normal(): number }

/**
 * H0 = class means plus within-class noise: the K means are i.i.d. N(0, I_d), and each column of
 * H0 adds i.i.d. N(0, withinStd²·I_d) to its class mean.
 */
export function noisyFeatures(s: NcSizes, withinStd: number, rng: Rng): Float64Array {
  const { K, n, d } = s
  const means = new Float64Array(K * d)
  for (let j = 0; j < K * d; j++) means[j] = rng.normal()
  const H0 = new Float64Array(d * K * n)
  for (let i = 0; i < K * n; i++) {
    const k = classOf(i, n)
    for (let r = 0; r < d; r++) H0[i * d + r] = means[k * d + r] + withinStd * rng.normal()
  }
  return H0
}

/** A d×K matrix with orthonormal columns: Q of the thin QR of a Gaussian d×K matrix. */
export function orthonormalFrame(s: NcSizes, rng: Rng): Float64Array {
  const G = new Float64Array(s.d * s.K)
  for (let j = 0; j < G.length; j++) G[j] = rng.normal()
  return qr(G, s.d, s.K).Q
}

/**
 * The central-path flow, the paper's Eq. (4): dH/dt = −Kn·∇L(H) = −(W*(H)ᵀ(W*(H)H − Y) + lH·H),
 * with W*(H) = YHᵀ(HHᵀ + n·lW·I)⁻¹ re-solved at every evaluation.
 */
export class CentralPathField {
  private readonly chol: SmallCholesky
  private readonly G: Float64Array
  readonly W: Float64Array
  private readonly E: Float64Array

  constructor(
    readonly s: NcSizes,
    readonly reg: NcReg,
  ) {
    this.chol = new SmallCholesky(s.d)
    this.G = new Float64Array(s.d * s.d + s.K * s.d)
    this.W = new Float64Array(s.K * s.d)
    this.E = new Float64Array(s.K * s.K * s.n)
  }

  /** out = −(W*ᵀ(W* H − Y) + lH·H) */
  eval(H: Float64Array, out: Float64Array): void {
    const { K, n, d } = this.s
    const { W, E } = this
    optimalW(H, this.s, this.reg.lW, this.chol, this.G, W)
    for (let i = 0; i < K * n; i++) {
      const ho = i * d
      const eo = i * K
      for (let k = 0; k < K; k++) E[eo + k] = 0
      for (let a = 0; a < d; a++) {
        const h = H[ho + a]
        for (let k = 0; k < K; k++) E[eo + k] += W[a * K + k] * h
      }
      E[eo + classOf(i, n)] -= 1
      for (let a = 0; a < d; a++) {
        let s = 0
        for (let k = 0; k < K; k++) s += W[a * K + k] * E[eo + k]
        out[ho + a] = -(s + this.reg.lH * H[ho + a])
      }
    }
  }
}

export interface BcdResult {
  H: Float64Array
  W: Float64Array
  iterations: number
  converged: boolean
  lastDelta: number
}

/**
 * Exact block-coordinate descent on Eq. (2), from H = H0: W ← W*(H) = YHᵀ(HHᵀ + n·lW·I)⁻¹, then
 * H ← (WᵀW + (lH + β)I)⁻¹(WᵀY + βH0) (each the exact minimiser in its block), until
 * max|ΔH| < tol or maxIter sweeps. `onIteration` sees each (W, H) and may return true to stop.
 */
export function bcdMinimise(
  H0: Float64Array,
  s: NcSizes,
  reg: NcReg,
  beta: number,
  tol: number,
  maxIter: number,
  onIteration?: (it: number, W: Float64Array, H: Float64Array, maxDelta: number) => boolean,
): BcdResult {
  const { K, n, d } = s
  const chol = new SmallCholesky(d)
  const G = new Float64Array(d * d + K * d)
  const M = new Float64Array(d * d)
  const W = new Float64Array(K * d)
  const H = H0.slice()
  const Hn = new Float64Array(H.length)
  let lastDelta = Infinity
  for (let it = 1; it <= maxIter; it++) {
    optimalW(H, s, reg.lW, chol, G, W)
    // M = WᵀW + (lH + β)I
    for (let r = 0; r < d; r++) {
      for (let q = 0; q <= r; q++) {
        let acc = 0
        for (let k = 0; k < K; k++) acc += W[r * K + k] * W[q * K + k]
        M[r * d + q] = acc
      }
      M[r * d + r] += reg.lH + beta
    }
    chol.factor(M)
    for (let i = 0; i < K * n; i++) {
      const k = classOf(i, n)
      for (let a = 0; a < d; a++) Hn[i * d + a] = W[a * K + k] + beta * H0[i * d + a]
    }
    chol.solveVectors(Hn, K * n, 0)
    let delta = 0
    for (let j = 0; j < H.length; j++) {
      const dj = Math.abs(Hn[j] - H[j])
      if (dj > delta) delta = dj
      H[j] = Hn[j]
    }
    lastDelta = delta
    if (onIteration && onIteration(it, W, H, delta)) return { H, W, iterations: it, converged: false, lastDelta }
    if (delta < tol) {
      optimalW(H, s, reg.lW, chol, G, W)
      return { H, W, iterations: it, converged: true, lastDelta }
    }
  }
  optimalW(H, s, reg.lW, chol, G, W)
  return { H, W, iterations: maxIter, converged: false, lastDelta }
}

const sizesOf = (p: NcParams): NcSizes => ({ K: p.K, n: p.n, d: p.d })
const regOf = (p: NcParams): NcReg => ({ lW: p.lW, lH: p.lH })

/** Algorithm 1 of the study: RK4 on the central-path flow, statistics after every step. */
function flowExperiment(p: NcParams, ctx: SolveContext): void {
  const s = sizesOf(p)
  const H = noisyFeatures(s, p.withinStd, ctx.stream('data'))
  const field = new CentralPathField(s, regOf(p))
  const meter = new CollapseMeter(s)
  const m = H.length
  const k1 = new Float64Array(m)
  const k2 = new Float64Array(m)
  const k3 = new Float64Array(m)
  const k4 = new Float64Array(m)
  const tmp = new Float64Array(m)
  const steps = Math.round(p.T / p.dt)
  let prev: { nc1Tilde: number; trSwScaled: number; trSbScaled: number } | null = null
  let maxDeltaNc1Tilde = -Infinity
  let maxRelDeltaTrSwScaled = -Infinity
  let minRelDeltaTrSbScaled = Infinity
  let firstNc1TildeViolation = -1
  let firstTrSwViolation = -1
  let firstTrSbViolation = -1
  for (let step = 0; step <= steps; step++) {
    const t = step * p.dt
    const st = meter.stats(H)
    const scale = Math.exp(2 * p.lH * t)
    const cur = { nc1Tilde: st.nc1Tilde, trSwScaled: scale * st.trSw, trSbScaled: scale * st.trSb }
    const row: Record<string, number> = { t, nc1Tilde: st.nc1Tilde, nc1: st.nc1, trSw: st.trSw, trSb: st.trSb, trSwScaled: cur.trSwScaled, trSbScaled: cur.trSbScaled }
    if (prev) {
      const dN = cur.nc1Tilde - prev.nc1Tilde
      const dW = cur.trSwScaled - prev.trSwScaled
      const dB = cur.trSbScaled - prev.trSbScaled
      row.dNc1Tilde = dN
      row.dTrSwScaled = dW
      row.dTrSbScaled = dB
      if (dN > maxDeltaNc1Tilde) maxDeltaNc1Tilde = dN
      if (dW / prev.trSwScaled > maxRelDeltaTrSwScaled) maxRelDeltaTrSwScaled = dW / prev.trSwScaled
      if (dB / prev.trSbScaled < minRelDeltaTrSbScaled) minRelDeltaTrSbScaled = dB / prev.trSbScaled
      if (!(dN < 0) && firstNc1TildeViolation < 0) firstNc1TildeViolation = step
      if (!(dW <= 1e-12 * Math.abs(prev.trSwScaled)) && firstTrSwViolation < 0) firstTrSwViolation = step
      if (!(dB > 0) && firstTrSbViolation < 0) firstTrSbViolation = step
    }
    ctx.record(step, row)
    prev = cur
    if (step === steps) break
    if (ctx.cancelled) return
    // classical RK4
    const h = p.dt
    field.eval(H, k1)
    for (let j = 0; j < m; j++) tmp[j] = H[j] + 0.5 * h * k1[j]
    field.eval(tmp, k2)
    for (let j = 0; j < m; j++) tmp[j] = H[j] + 0.5 * h * k2[j]
    field.eval(tmp, k3)
    for (let j = 0; j < m; j++) tmp[j] = H[j] + h * k3[j]
    field.eval(tmp, k4)
    for (let j = 0; j < m; j++) H[j] += (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])
    ctx.count('wstar', 4)
    ctx.count('time', p.dt)
    if (step % 100 === 0) ctx.progress(step / steps)
  }
  if (steps > 0) {
    ctx.record(steps, {
      maxDeltaNc1Tilde,
      maxRelDeltaTrSwScaled,
      minRelDeltaTrSbScaled,
      firstNc1TildeViolation,
      firstTrSwViolation,
      firstTrSbViolation,
    })
  }
}

/** Algorithm 2 of the study: the minimiser of Eq. (2) by exact BCD from H0, and how collapsed it is. */
function minimiserExperiment(p: NcParams, ctx: SolveContext): void {
  const s = sizesOf(p)
  const reg = regOf(p)
  const H0 = noisyFeatures(s, p.withinStd, ctx.stream('data'))
  minimiseAndRecord(H0, s, reg, p, ctx)
}

function minimiseAndRecord(H0: Float64Array, s: NcSizes, reg: NcReg, p: NcParams, ctx: SolveContext): BcdResult | null {
  const meter = new CollapseMeter(s)
  const st0 = meter.stats(H0)
  const E = new Float64Array(s.K * s.K * s.n)
  const W0 = new Float64Array(s.K * s.d)
  optimalW(H0, s, reg.lW, new SmallCholesky(s.d), new Float64Array(s.d * s.d + s.K * s.d), W0)
  ctx.record(0, { objective: objective(W0, H0, H0, s, reg, p.beta, E), nc1Tilde: st0.nc1Tilde, nc1: st0.nc1 })
  let cancelled = false
  const res = bcdMinimise(H0, s, reg, p.beta, p.bcdTol, p.bcdMaxIter, (it, W, H, delta) => {
    ctx.count('bcd')
    const st = meter.stats(H)
    ctx.record(it, { objective: objective(W, H, H0, s, reg, p.beta, E), maxDeltaH: delta, nc1Tilde: st.nc1Tilde, nc1: st.nc1 })
    if (it % 200 === 0) {
      ctx.progress(Math.min(0.99, it / p.bcdMaxIter))
      cancelled = ctx.cancelled
    }
    return cancelled
  })
  if (cancelled) return null
  if (!res.converged) ctx.event('bcdCap', res.iterations, `max|ΔH| = ${res.lastDelta.toExponential(2)} after ${res.iterations} sweeps`)
  const st = meter.stats(res.H)
  ctx.record(res.iterations, {
    nc1TildeRatio: st.nc1Tilde / st0.nc1Tilde,
    nc1Ratio: st.nc1 / st0.nc1,
    nc1TildeH0: st0.nc1Tilde,
    nc1H0: st0.nc1,
    bcdConverged: res.converged ? 1 : 0,
    stationarity: stationarity(res, H0, s, reg, p.beta),
  })
  return res
}

/** ‖∇f‖_max at the BCD output, relative to the largest entry of H: the minimiser's certificate. */
function stationarity(res: BcdResult, H0: Float64Array, s: NcSizes, reg: NcReg, beta: number): number {
  const gW = new Float64Array(res.W.length)
  const gH = new Float64Array(res.H.length)
  gradient(res.W, res.H, H0, s, reg, beta, new Float64Array(s.K * s.K * s.n), gW, gH)
  let g = 0
  for (const x of gW) g = Math.max(g, Math.abs(x))
  for (const x of gH) g = Math.max(g, Math.abs(x))
  return g
}

/** Corollary 3.2 stacked: each layer's minimiser becomes the next layer's H0. */
function layerwiseExperiment(p: NcParams, ctx: SolveContext): void {
  const s = sizesOf(p)
  const reg = regOf(p)
  const meter = new CollapseMeter(s)
  let H = noisyFeatures(s, p.withinStd, ctx.stream('data'))
  const st0 = meter.stats(H)
  ctx.record(0, { nc1TildeRatio: 1, nc1Ratio: 1, nc1Tilde: st0.nc1Tilde, nc1: st0.nc1 })
  for (let l = 1; l <= p.layers; l++) {
    if (ctx.cancelled) return
    const res = bcdMinimise(H, s, reg, p.beta, p.bcdTol, p.bcdMaxIter)
    ctx.count('bcd', res.iterations)
    if (!res.converged) ctx.event('bcdCap', l, `layer ${l}: max|ΔH| = ${res.lastDelta.toExponential(2)} after ${res.iterations} sweeps`)
    H = res.H
    const st = meter.stats(H)
    ctx.record(l, { nc1TildeRatio: st.nc1Tilde / st0.nc1Tilde, nc1Ratio: st.nc1 / st0.nc1, nc1Tilde: st.nc1Tilde, nc1: st.nc1, bcdIterations: res.iterations })
    ctx.progress(l / p.layers)
  }
}

export interface ResponseResult {
  /** singular values of each intra-class block F_kk, descending (K arrays of d·n) */
  intra: Float64Array[]
  /** σ_1 and σ_2 of each inter-class block F_kj, k ≠ j */
  inter: { k: number; j: number; s1: number; s2: number }[]
  gradNorm: number
  hessianMinEig: number
}

/**
 * Algorithm 3 of the study (Theorem 4.2): at the collapsed minimiser with H0 = H*, the exact
 * Jacobian of H* in H0, (β/(Kn))·[(∇²f)⁻¹]_HH, cut into d·n × d·n class blocks.
 */
export function linearResponse(R: Float64Array, s: NcSizes, reg: NcReg, beta: number): ResponseResult {
  const { K, n, d } = s
  const N = K * n
  const { F, gradNorm, hessianMinEig } = responseJacobian(R, s, reg, beta)
  const bs = d * n
  const block = new Float64Array(bs * bs)
  const cut = (k: number, j: number): Float64Array => {
    for (let r = 0; r < bs; r++) {
      const row = (k * bs + r) * (d * N) + j * bs
      for (let c = 0; c < bs; c++) block[r * bs + c] = F[row + c]
    }
    return singularValues(block, bs, bs)
  }
  const intra: Float64Array[] = []
  const inter: ResponseResult['inter'] = []
  for (let k = 0; k < K; k++) {
    for (let j = 0; j < K; j++) {
      const sv = cut(k, j)
      if (k === j) intra.push(sv)
      else inter.push({ k, j, s1: sv[0], s2: sv[1] })
    }
  }
  return { intra, inter, gradNorm, hessianMinEig }
}

/**
 * F = (β/(Kn))·[(∇²f)⁻¹]_HH (dKn × dKn, row-major, column-stacked vec(H) on both sides) at the
 * collapsed minimiser (W*, H*) of Theorem 2.1 with H0 = H*, by an LU solve against [0; I].
 */
export function responseJacobian(R: Float64Array, s: NcSizes, reg: NcReg, beta: number): { F: Float64Array; gradNorm: number; hessianMinEig: number } {
  const { K, n, d } = s
  const N = K * n
  const { W, H } = collapsedMinimiser(R, s, reg)
  const gW = new Float64Array(W.length)
  const gH = new Float64Array(H.length)
  gradient(W, H, H, s, reg, beta, new Float64Array(K * N), gW, gH)
  let g2 = 0
  for (const x of gW) g2 += x * x
  for (const x of gH) g2 += x * x
  const A = hessian(W, H, s, reg, beta)
  const nW = K * d
  const M = nW + d * N
  const hessianMinEig = symEigvalues(A, M)[0]
  const f = lu(A, M)
  // right-hand sides [0; I_{dN}]: the H columns of the inverse
  const B = new Float64Array(M * d * N)
  for (let j = 0; j < d * N; j++) B[(nW + j) * (d * N) + j] = 1
  const X = luSolve(f, B, M, d * N)
  const scale = beta / N
  const F = new Float64Array(d * N * d * N)
  for (let j = 0; j < d * N * d * N; j++) F[j] = scale * X[nW * d * N + j]
  return { F, gradNorm: Math.sqrt(g2), hessianMinEig }
}

/** Theorem 4.2's predictions: σ_min(F_kk) = 1 − √(lH/lW)/β and σ(F_kj) = 2·lH·(1 − √(lH·lW))/β. */
export function responsePredictions(reg: NcReg, beta: number): { sigmaMinIntra: number; sigma1Inter: number } {
  return {
    sigmaMinIntra: 1 - Math.sqrt(reg.lH / reg.lW) / beta,
    sigma1Inter: (2 * reg.lH * (1 - Math.sqrt(reg.lH * reg.lW))) / beta,
  }
}

function responseExperiment(p: NcParams, ctx: SolveContext): void {
  const s = sizesOf(p)
  const reg = regOf(p)
  const R = orthonormalFrame(s, ctx.stream('data'))
  const res = linearResponse(R, s, reg, p.beta)
  ctx.count('hessian')
  const pred = responsePredictions(reg, p.beta)
  const sv0 = res.intra[0]
  for (let j = 0; j < sv0.length; j++) {
    ctx.count('svIndex')
    ctx.record(0, { intraSingularValue: sv0[j], intraSingularDeviation: Math.max(1 - sv0[j], 1e-17) })
  }
  let sigmaMax = -Infinity
  let sigmaMin = Infinity
  let maxErr = 0
  let minErr = 0
  for (const sv of res.intra) {
    sigmaMax = Math.max(sigmaMax, sv[0])
    sigmaMin = Math.min(sigmaMin, sv[sv.length - 1])
    maxErr = Math.max(maxErr, Math.abs(sv[0] - 1))
    minErr = Math.max(minErr, Math.abs(sv[sv.length - 1] - pred.sigmaMinIntra) / (1 - pred.sigmaMinIntra))
  }
  let s1 = -Infinity
  let s1Min = Infinity
  let s2 = 0
  let interErr = 0
  for (const b of res.inter) {
    s1 = Math.max(s1, b.s1)
    s1Min = Math.min(s1Min, b.s1)
    s2 = Math.max(s2, b.s2)
    interErr = Math.max(interErr, Math.abs(b.s1 - pred.sigma1Inter) / pred.sigma1Inter)
  }
  ctx.record(0, {
    sigmaMaxIntra: sigmaMax,
    sigmaMinIntra: sigmaMin,
    sigma1Inter: s1,
    sigma1InterMin: s1Min,
    sigma2Inter: s2,
    predSigmaMinIntra: pred.sigmaMinIntra,
    predSigma1Inter: pred.sigma1Inter,
    sigmaMaxIntraErr: maxErr,
    sigmaMinIntraRelErr: minErr,
    sigma1InterRelErr: interErr,
    gradNormAtCollapse: res.gradNorm,
    hessianMinEigenvalue: res.hessianMinEig,
    rho: collapseRho(reg),
  })
}

/** Algorithm 4 of the study: H0 = H* + noise·rms(H*)·N around the collapsed minimiser, then BCD at β. */
function sweepExperiment(p: NcParams, ctx: SolveContext): void {
  const s = sizesOf(p)
  const reg = regOf(p)
  const R = orthonormalFrame(s, ctx.stream('data'))
  const { H } = collapsedMinimiser(R, s, reg)
  let ms = 0
  for (const x of H) ms += x * x
  const rms = Math.sqrt(ms / H.length)
  const noise = ctx.rng
  const H0 = new Float64Array(H.length)
  for (let j = 0; j < H.length; j++) H0[j] = H[j] + p.sweepNoise * rms * noise.normal()
  minimiseAndRecord(H0, s, reg, p, ctx)
}

export function solveNc(p: NcParams, ctx: SolveContext): void {
  switch (p.experiment) {
    case 'flow':
      return flowExperiment(p, ctx)
    case 'minimiser':
      return minimiserExperiment(p, ctx)
    case 'layerwise':
      return layerwiseExperiment(p, ctx)
    case 'response':
      return responseExperiment(p, ctx)
    case 'sweep':
      return sweepExperiment(p, ctx)
  }
}
