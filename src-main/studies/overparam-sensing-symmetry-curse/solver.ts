/**
 * Gradient descent on the factorised matrix-sensing loss, symmetric (XXᵀ) and asymmetric (FGᵀ),
 * with the optional one-step balancing fix. Fused float64 loops over row-major Float64Arrays;
 * nothing is allocated inside the iteration loop.
 */
import type { SolveContext } from '../../kit'
import { FactorKernel } from './factorWasm'
import {
  makeSensingData,
  residualMatrix,
  residualMatrixSymmetric,
  sumSquaredResidual,
  type GaussianSource,
  type Measurements,
  type Mode,
  type SensingData,
} from './problem'
import { SmallSymEig } from './smallEig'

export interface SensingParams {
  mode: Mode
  n: number
  r: number
  k: number
  parameterisation: 'symmetric' | 'asymmetric'
  alpha: number
  initBalance: 'imbalanced' | 'balanced'
  eta: number
  T: number
  m: number
  measurements: Measurements
  fix: boolean
  tau: number
}

/** The event recorded when the balancing step fires (its overlay label says "reconstruction"). */
export const FIX_EVENT = 'balancingStep'
/** The event recorded when the iterate blows up (η too large) and the run stops. */
export const BLOWUP_EVENT = 'blowUp'
/** relError above this ends the run with a blow-up event instead of overflowing to Infinity. */
export const BLOWUP_LEVEL = 1e8

/**
 * Z = F·Gᵀ for F, G ∈ ℝ^{n×k} (Z = XXᵀ when F = G = X). Entries are computed in 2×2 blocks (four
 * dot products share each load of F and G); each entry still sums over l in order, so Z is the
 * same to the bit as the textbook triple loop. When F and G are the same array only the upper
 * triangle is computed and mirrored (f·g = g·f exactly).
 */
export function productFGt(F: Float64Array, G: Float64Array, n: number, k: number, Z: Float64Array): Float64Array {
  const sym = F === G
  let i = 0
  for (; i + 1 < n; i += 2) {
    const f0 = i * k
    const f1 = f0 + k
    let j = sym ? i : 0
    for (; j + 1 < n; j += 2) {
      const g0 = j * k
      const g1 = g0 + k
      let s00 = 0
      let s01 = 0
      let s10 = 0
      let s11 = 0
      for (let l = 0; l < k; l++) {
        const a0 = F[f0 + l]
        const a1 = F[f1 + l]
        const b0 = G[g0 + l]
        const b1 = G[g1 + l]
        s00 += a0 * b0
        s01 += a0 * b1
        s10 += a1 * b0
        s11 += a1 * b1
      }
      const z0 = i * n + j
      Z[z0] = s00
      Z[z0 + 1] = s01
      Z[z0 + n] = s10
      Z[z0 + n + 1] = s11
      if (sym) {
        Z[j * n + i] = s00
        Z[(j + 1) * n + i] = s01
        Z[j * n + i + 1] = s10
        Z[(j + 1) * n + i + 1] = s11
      }
    }
    for (; j < n; j++) {
      const g0 = j * k
      let s0 = 0
      let s1 = 0
      for (let l = 0; l < k; l++) {
        const b0 = G[g0 + l]
        s0 += F[f0 + l] * b0
        s1 += F[f1 + l] * b0
      }
      Z[i * n + j] = s0
      Z[(i + 1) * n + j] = s1
      if (sym) {
        Z[j * n + i] = s0
        Z[j * n + i + 1] = s1
      }
    }
  }
  for (; i < n; i++) {
    const f0 = i * k
    for (let j = sym ? i : 0; j < n; j++) {
      const g0 = j * k
      let s = 0
      for (let l = 0; l < k; l++) s += F[f0 + l] * G[g0 + l]
      Z[i * n + j] = s
      if (sym) Z[j * n + i] = s
    }
  }
  return Z
}

/**
 * W = η·S (or η·(S + Sᵀ) when symmetrised) into a scratch n×n buffer, so that the row updates
 * below read one weight per j (the products and sums are the ones the textbook loop forms).
 */
function scaledWeights(S: Float64Array, eta: number, n: number, symmetrised: boolean, W: Float64Array): void {
  if (symmetrised) {
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) W[i * n + j] = eta * (S[i * n + j] + S[j * n + i])
  } else {
    for (let p = 0; p < n * n; p++) W[p] = eta * S[p]
  }
}

/**
 * out[o + l] = base[o + l] − Σ_j W[wOff + j·wStride]·B[j·k + l] for l < k, j = 0..n−1 in order:
 * one row of X − W·B, its weights read along a row (stride 1) or a column (stride n) of W. Two
 * rows at a time (o0/wOff0 and o1/wOff1) share the loads of B; the entries are accumulated four
 * columns at a time in locals, each in the order of the row-by-row axpy, with no stores in the
 * j loop.
 */
function rowPairUpdate(
  out: Float64Array,
  base: Float64Array,
  o0: number,
  o1: number,
  B: Float64Array,
  W: Float64Array,
  wOff0: number,
  wOff1: number,
  wStride: number,
  n: number,
  k: number,
): void {
  let l = 0
  for (; l + 3 < k; l += 4) {
    let a0 = base[o0 + l]
    let a1 = base[o0 + l + 1]
    let a2 = base[o0 + l + 2]
    let a3 = base[o0 + l + 3]
    let c0 = base[o1 + l]
    let c1 = base[o1 + l + 1]
    let c2 = base[o1 + l + 2]
    let c3 = base[o1 + l + 3]
    for (let j = 0, b = l, w = 0; j < n; j++, b += k, w += wStride) {
      const u = W[wOff0 + w]
      const v = W[wOff1 + w]
      const b0 = B[b]
      const b1 = B[b + 1]
      const b2 = B[b + 2]
      const b3 = B[b + 3]
      a0 -= u * b0
      a1 -= u * b1
      a2 -= u * b2
      a3 -= u * b3
      c0 -= v * b0
      c1 -= v * b1
      c2 -= v * b2
      c3 -= v * b3
    }
    out[o0 + l] = a0
    out[o0 + l + 1] = a1
    out[o0 + l + 2] = a2
    out[o0 + l + 3] = a3
    out[o1 + l] = c0
    out[o1 + l + 1] = c1
    out[o1 + l + 2] = c2
    out[o1 + l + 3] = c3
  }
  for (; l < k; l++) {
    let a0 = base[o0 + l]
    let c0 = base[o1 + l]
    for (let j = 0, b = l, w = 0; j < n; j++, b += k, w += wStride) {
      const b0 = B[b]
      a0 -= W[wOff0 + w] * b0
      c0 -= W[wOff1 + w] * b0
    }
    out[o0 + l] = a0
    out[o1 + l] = c0
  }
}

/** out = base − W·B (rows of W along stride `along`, next row at `across`), rows in pairs. */
function rowsUpdate(out: Float64Array, base: Float64Array, B: Float64Array, W: Float64Array, along: number, across: number, n: number, k: number): void {
  let i = 0
  for (; i + 1 < n; i += 2) rowPairUpdate(out, base, i * k, (i + 1) * k, B, W, i * across, (i + 1) * across, along, n, k)
  // an odd last row: paired with itself
  if (i < n) rowPairUpdate(out, base, i * k, i * k, B, W, i * across, i * across, along, n, k)
}

/** Scratch for the weights of the GD steps, grown on demand (allocates nothing in steady state). */
let weights = new Float64Array(0)
function weightScratch(n: number): Float64Array {
  if (weights.length < n * n) weights = new Float64Array(n * n)
  return weights
}

/**
 * Symmetric GD step X⁺ = X − η·(S + Sᵀ)·X, the gradient of L(XXᵀ) (Xiong, Ding & Du 2023,
 * the symmetric GD update of Section 3), written into Xout (which must not alias X). Each entry
 * sums over j in order; zero weights are no longer skipped (x − 0·b = x for finite b).
 */
export function symmetricStep(
  X: Float64Array,
  S: Float64Array,
  eta: number,
  n: number,
  k: number,
  Xout: Float64Array,
): Float64Array {
  const W = weightScratch(n)
  scaledWeights(S, eta, n, true, W)
  rowsUpdate(Xout, X, X, W, 1, n, n, k)
  return Xout
}

/**
 * Asymmetric GD step, simultaneous (both right-hand sides use the old F and G; a Gauss–Seidel
 * update is a different method): F⁺ = F − η·S·G, G⁺ = G − η·Sᵀ·F (Xiong, Ding & Du 2023, the
 * asymmetric GD update of Section 4). Row i of F⁺ reads row i of S, row j of G⁺ column j.
 */
export function asymmetricStep(
  F: Float64Array,
  G: Float64Array,
  S: Float64Array,
  eta: number,
  n: number,
  k: number,
  Fout: Float64Array,
  Gout: Float64Array,
): void {
  const W = weightScratch(n)
  scaledWeights(S, eta, n, false, W)
  rowsUpdate(Fout, F, G, W, 1, n, n, k)
  rowsUpdate(Gout, G, F, W, n, 1, n, k)
}

/** AᵀA (k×k) for A ∈ ℝ^{n×k}, written into out. */
export function gram(A: Float64Array, n: number, k: number, out: Float64Array): Float64Array {
  out.fill(0, 0, k * k)
  for (let i = 0; i < n; i++) {
    const ai = i * k
    for (let p = 0; p < k; p++) {
      const v = A[ai + p]
      for (let q = p; q < k; q++) out[p * k + q] += v * A[ai + q]
    }
  }
  for (let p = 0; p < k; p++) for (let q = 0; q < p; q++) out[p * k + q] = out[q * k + p]
  return out
}

/**
 * The one-step balancing fix — "balancing step (reconstruction)". The paper's eq. (5.1)
 * modifies one GD step to make the rate independent of α; its formula was not available to
 * the spec, so this is the spec's reconstruction: with s = ‖FGᵀ‖₂ and P = √s·(FᵀF)^{−1/2},
 * set F ← F·P and G ← G·P^{−T} = G·(FᵀF)^{1/2}/√s. FGᵀ is unchanged, every singular value of F
 * becomes √s, and the redundant part of G then decays at rate η·s instead of η·α².
 * With FᵀF = VΛVᵀ, σ(FGᵀ) = σ(Λ^{1/2}VᵀGᵀ) (F·V·Λ^{−1/2} has orthonormal columns), so s² is the
 * top eigenvalue of the k×k matrix Λ^{1/2}Vᵀ(GᵀG)VΛ^{1/2}. Returns s. Allocates (runs once).
 */
export function balancingStep(F: Float64Array, G: Float64Array, n: number, k: number): number {
  const FtF = gram(F, n, k, new Float64Array(k * k))
  const GtG = gram(G, n, k, new Float64Array(k * k))
  const eig = new SmallSymEig(k).compute(FtF, true)
  const V = eig.vectors
  const lam = eig.values
  if (!(lam[0] > 0)) throw new Error(`balancing step: FᵀF is singular (λ_min = ${lam[0]})`)
  const sq = new Float64Array(k)
  for (let j = 0; j < k; j++) sq[j] = Math.sqrt(lam[j])
  // B = Λ^{1/2} Vᵀ GᵀG V Λ^{1/2}
  const GV = new Float64Array(k * k)
  for (let p = 0; p < k; p++)
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let q = 0; q < k; q++) s += GtG[p * k + q] * V[q * k + j]
      GV[p * k + j] = s
    }
  const B = new Float64Array(k * k)
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let s = 0
      for (let p = 0; p < k; p++) s += V[p * k + i] * GV[p * k + j]
      B[i * k + j] = sq[i] * s * sq[j]
    }
  for (let i = 0; i < k; i++) for (let j = 0; j < i; j++) B[i * k + j] = B[j * k + i] = 0.5 * (B[i * k + j] + B[j * k + i])
  const bEig = new SmallSymEig(k).compute(B, false)
  const s = Math.sqrt(Math.max(0, bEig.values[k - 1]))
  const rs = Math.sqrt(s)
  // P = √s·V Λ^{−1/2} Vᵀ and P^{−T} = V Λ^{1/2} Vᵀ / √s (both symmetric)
  const P = new Float64Array(k * k)
  const Pinv = new Float64Array(k * k)
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) {
      let a = 0
      let b = 0
      for (let l = 0; l < k; l++) {
        const vv = V[i * k + l] * V[j * k + l]
        a += vv / sq[l]
        b += vv * sq[l]
      }
      P[i * k + j] = rs * a
      Pinv[i * k + j] = b / rs
    }
  const row = new Float64Array(k)
  const rowG = new Float64Array(k)
  for (let i = 0; i < n; i++) {
    const o = i * k
    for (let j = 0; j < k; j++) {
      let a = 0
      let b = 0
      for (let l = 0; l < k; l++) {
        a += F[o + l] * P[l * k + j]
        b += G[o + l] * Pinv[l * k + j]
      }
      row[j] = a
      rowG[j] = b
    }
    F.set(row, o)
    G.set(rowG, o)
  }
  return s
}

/** The initialisation, from the "init" stream: X0 ~ N(0, α²); F0 ~ N(0, α²), G0 ~ N(0, (α/3)²) or N(0, α²). */
export function initialFactors(
  p: Pick<SensingParams, 'n' | 'k' | 'alpha' | 'parameterisation' | 'initBalance'>,
  rng: GaussianSource,
): { F: Float64Array; G: Float64Array | null } {
  const F = rng.gaussianMatrix(p.n, p.k, p.alpha)
  if (p.parameterisation === 'symmetric') return { F, G: null }
  const G = rng.gaussianMatrix(p.n, p.k, p.initBalance === 'imbalanced' ? p.alpha / 3 : p.alpha)
  return { F, G }
}

/**
 * The GD iteration of solveSensing (and of its bench step): `evaluate()` forms Z = FGᵀ (or XXᵀ),
 * the residual matrix S, the loss and ‖Z − M*‖²_F at the current iterate; `step()` moves to the
 * next one with that S. F and G may be changed in place in between (the balancing step). With
 * k ≤ 12 the iteration runs in the WebAssembly SIMD kernel (factorWasm.ts: the factors live in
 * its memory, F and G are views of it), with the sensing pass (senseWasm.ts) in between in
 * sensing mode; otherwise the JavaScript loops above. Both give the same bits.
 */
export class GdIteration {
  /** the current factors (for XXᵀ, G is F) */
  F: Float64Array
  G: Float64Array
  readonly Z: Float64Array
  readonly S: Float64Array
  /** at the last evaluate(): L and ‖Z − M*‖²_F */
  loss = NaN
  sumSq = NaN
  private Fn: Float64Array
  private Gn: Float64Array
  private readonly res: Float64Array
  private readonly kern: FactorKernel | null

  constructor(
    private readonly data: SensingData,
    private readonly k: number,
    private readonly eta: number,
    F0: Float64Array,
    G0: Float64Array | null,
  ) {
    const n = data.n
    this.kern = FactorKernel.create(data.Mstar, n, k, F0, G0)
    if (this.kern) {
      this.F = this.kern.F
      this.G = this.kern.G
      this.Z = this.kern.Z
      this.S = this.kern.S
    } else {
      this.F = F0
      this.G = G0 ?? F0
      this.Z = new Float64Array(n * n)
      this.S = new Float64Array(n * n)
    }
    this.Fn = new Float64Array(n * k)
    this.Gn = G0 === null ? this.Fn : new Float64Array(n * k)
    this.res = new Float64Array(Math.max(1, data.m))
  }

  get symmetric(): boolean {
    return this.F === this.G
  }

  evaluate(): void {
    const { data, k } = this
    if (this.kern) {
      this.sumSq = this.kern.residual(this.eta)
      if (data.mode === 'factorisation') {
        this.loss = 0.5 * this.sumSq
      } else {
        this.loss = this.symmetric ? residualMatrixSymmetric(data, this.Z, this.S, this.res) : residualMatrix(data, this.Z, this.S, this.res)
        this.kern.weights(this.eta)
      }
      return
    }
    productFGt(this.F, this.G, data.n, k, this.Z)
    // XXᵀ is symmetric: the folded sensing pass (half the work, same gradient S + Sᵀ)
    this.loss = this.symmetric ? residualMatrixSymmetric(data, this.Z, this.S, this.res) : residualMatrix(data, this.Z, this.S, this.res)
    this.sumSq = data.mode === 'factorisation' ? 2 * this.loss : sumSquaredResidual(this.Z, data.Mstar, data.n)
  }

  step(): void {
    const { data, k, eta } = this
    const n = data.n
    if (this.kern) {
      this.kern.step()
      this.F = this.kern.F
      this.G = this.kern.G
      return
    }
    if (this.symmetric) {
      symmetricStep(this.F, this.S, eta, n, k, this.Fn)
      const tmp = this.F
      this.F = this.Fn
      this.G = this.Fn
      this.Fn = tmp
      this.Gn = tmp
    } else {
      asymmetricStep(this.F, this.G, this.S, eta, n, k, this.Fn, this.Gn)
      let tmp = this.F
      this.F = this.Fn
      this.Fn = tmp
      tmp = this.G
      this.G = this.Gn
      this.Gn = tmp
    }
  }
}

/**
 * Run GD for T steps, recording at t = 0..T the metrics of the iterate (X_t or F_t, G_t):
 * relError, loss, the redundant singular values σ_{r+1..k} (of X, or of G), the norms and, for
 * FGᵀ, the eigenvalues of the imbalance FᵀF − GᵀG (conserved under gradient flow).
 */
export function solveSensing(p: SensingParams, ctx: SolveContext): void {
  const data: SensingData = makeSensingData(p.mode, p.n, p.r, p.m, p.measurements, ctx.stream('data'))
  const { n, k, r } = p
  const init = initialFactors(p, ctx.stream('init'))
  const symmetric = p.parameterisation === 'symmetric'
  const it = new GdIteration(data, k, p.eta, init.F, init.G)
  const FtF = new Float64Array(k * k)
  const GtG = new Float64Array(k * k)
  const D = new Float64Array(k * k)
  const eigD = new SmallSymEig(k)
  const eigG = new SmallSymEig(k)
  const redundant = new Float64Array(Math.max(0, k - r))
  const nRed = redundant.length
  let fired = false
  const values: Record<string, number | Float64Array> = {}

  for (let t = 0; t <= p.T; t++) {
    if ((t & 7) === 0) {
      if (ctx.cancelled) return
      if ((t & 127) === 0) ctx.progress(t / p.T)
    }
    it.evaluate()
    const loss = it.loss
    const F = it.F
    const G = it.G
    const relError = Math.sqrt(it.sumSq) / data.normMstar
    if (!(relError <= BLOWUP_LEVEL)) {
      ctx.event(BLOWUP_EVENT, t, `relError ${relError} > ${BLOWUP_LEVEL}: GD diverged (step size too large); the run stops`)
      return
    }
    if (!symmetric && p.fix && !fired && relError <= p.tau) {
      const s = balancingStep(F, G, n, k)
      fired = true
      ctx.event(FIX_EVENT, t, `balancing step (reconstruction) at relError ${relError.toExponential(2)} ≤ τ = ${p.tau}; ‖FGᵀ‖₂ = ${s.toPrecision(4)}`)
    }

    values.relError = relError
    values.loss = loss
    gram(G, n, k, GtG)
    eigG.compute(GtG)
    // σ_{r+1..k}, descending: the k − r smallest eigenvalues of GᵀG (or XᵀX), largest first
    for (let j = 0; j < nRed; j++) redundant[j] = Math.sqrt(Math.max(0, eigG.values[nRed - 1 - j]))
    if (nRed > 0) values.redundantSingularValues = redundant
    let trG = 0
    for (let j = 0; j < k; j++) trG += GtG[j * k + j]
    if (symmetric) {
      values.normX = Math.sqrt(trG)
    } else {
      gram(F, n, k, FtF)
      let trF = 0
      for (let j = 0; j < k; j++) trF += FtF[j * k + j]
      for (let q = 0; q < k * k; q++) D[q] = FtF[q] - GtG[q]
      eigD.compute(D)
      values.imbalanceEigs = eigD.values
      values.imbalanceMin = eigD.values[0]
      values.normF = Math.sqrt(trF)
      values.normG = Math.sqrt(trG)
    }
    ctx.record(t, values)
    if (t === p.T) break

    ctx.count('grad')
    it.step()
  }
  ctx.progress(1)
}
