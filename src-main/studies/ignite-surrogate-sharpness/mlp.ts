import { gemmStrided } from '../../numeric/dense'

/**
 * The surrogate ĝ(x; β): an MLP d → H → H → 1 with leaky-ReLU hidden layers, all parameters in
 * one flat Float64Array β = [W1 (d×H), b1 (H), W2 (H×H), b2 (H), w3 (H), b3 (1)], so global norms,
 * perturbations, copies and Adam act on one vector. Hand-written float64 forward and backward
 * passes over a minibatch with preallocated workspaces (no allocation per step).
 *
 * Backward of Σ_i g_i·ĝ(x_i): the output-layer factor and the layer-1 factor do not depend on g,
 *   e2_ij = w3_j·σ'(a2_ij),   e1_ik = (Σ_j e2_ij·W2_kj)·σ'(a1_ik),
 * and ∂/∂a2_ij = g_i·e2_ij, ∂/∂a1_ik = g_i·e1_ik. The forward pass leaves e2 (and σ'(a1)); one
 * product e2·W2ᵀ serves every backward pass through it (the training step's ∇L and ∇G, and ∇_x in
 * the gradient ascent), and only cheap row scalings by g are per pass:
 *   ∇W2 = h1ᵀ·δ2 with δ2 = g ⊙ e2,   ∇W1 = (g ⊙ x)ᵀ·e1,   ∇w3 = h2ᵀ·g,   ∇_x = g ⊙ (e1·W1ᵀ)
 * (layer 1 scales its d inputs per row rather than e1's H columns).
 *
 * The layer products go through numeric/dense.ts's packed gemm (WebAssembly SIMD), which sums
 * each output in ascending order of the summed index starting from the output's prior value. A
 * layer's bias is therefore folded in as a leading row of its weights against a leading column of
 * ones in its input (b + x₀w₀ + x₁w₁ + …, the order of the plain per-sample loop), the bias
 * gradients likewise come out of the weight-gradient products (0 + δ_0 + δ_1 + …), and every
 * backward product accumulates into zeros: for sums of at most 256 terms (gemm's panel depth;
 * widths and batches of this study's presets) the results equal plain per-sample loops in this
 * order bit for bit (the unit test's reference).
 *
 * The leaky-ReLU and its derivative are a multiply by a factor looked up from the sign
 * (σ(z) = z·s, s = [slope, 1][z > 0]) rather than a branch: the signs of a minibatch's
 * pre-activations are random, and a mispredicted branch per element cost more than the layer's
 * products (z·s is the same double as slope·z or z).
 */
export class Mlp {
  readonly P: number
  readonly oW1: number
  readonly ob1: number
  readonly oW2: number
  readonly ob2: number
  readonly ow3: number
  readonly ob3: number
  /** [1 | x_i] per row (B×(d+1)): the minibatch rows gathered, with the bias column */
  private readonly xa: Float64Array
  /** a layer's pre-activations (B×H) */
  private readonly a: Float64Array
  /** [1 | h1_i] per row (B×(H+1)) */
  private readonly h1a: Float64Array
  /** [b1; W1] ((d+1)×H) and [b2; W2] ((H+1)×H), copied from β at each forward pass */
  private readonly w1a: Float64Array
  private readonly w2a: Float64Array
  /** [1 | h2_i] per row (B×(H+1)) */
  private readonly h2a: Float64Array
  /** e2 = w3 ⊙ σ'(a2), σ'(a1), e1 per row (B×H) */
  private readonly e2: Float64Array
  private readonly s1: Float64Array
  private readonly e1: Float64Array
  /** δ2 of up to two passes side by side (B×2H) */
  private readonly d2: Float64Array
  /** g ⊙ [1 | x_i] of up to two passes side by side (B×2(d+1)) */
  private readonly xs: Float64Array
  /** the per-sample weights g of up to two passes, as rows (c×B) */
  private readonly gs: Float64Array
  /** a layer's [bias; weights] gradients of up to two passes (2·max(d, H)+2 rows of H, or the transpose) */
  private readonly gw: Float64Array
  /** [slope, 1], indexed by +(z > 0) */
  private readonly sFactor: Float64Array
  /** the outputs of the last forward pass (length = its batch size) */
  readonly out: Float64Array

  constructor(
    readonly d: number,
    readonly H: number,
    readonly slope: number,
    readonly maxBatch: number,
  ) {
    this.oW1 = 0
    this.ob1 = d * H
    this.oW2 = this.ob1 + H
    this.ob2 = this.oW2 + H * H
    this.ow3 = this.ob2 + H
    this.ob3 = this.ow3 + H
    this.P = this.ob3 + 1
    this.xa = new Float64Array(maxBatch * (d + 1))
    this.a = new Float64Array(maxBatch * H)
    this.h1a = new Float64Array(maxBatch * (H + 1))
    this.w1a = new Float64Array((d + 1) * H)
    this.w2a = new Float64Array((H + 1) * H)
    this.h2a = new Float64Array(maxBatch * (H + 1))
    this.gs = new Float64Array(2 * maxBatch)
    this.e2 = new Float64Array(maxBatch * H)
    this.s1 = new Float64Array(maxBatch * H)
    this.e1 = new Float64Array(maxBatch * H)
    this.d2 = new Float64Array(maxBatch * 2 * H)
    this.xs = new Float64Array(maxBatch * 2 * (d + 1))
    this.gw = new Float64Array(Math.max(H + 1, d + 1) * 2 * H)
    this.sFactor = Float64Array.from([slope, 1])
    this.out = new Float64Array(maxBatch)
  }

  /** He-normal weights N(0, 2/fan_in), zero biases. */
  init(beta: Float64Array, rng: { normal(): number }): void {
    const { d, H } = this
    beta.fill(0)
    const s1 = Math.sqrt(2 / d)
    for (let i = 0; i < d * H; i++) beta[this.oW1 + i] = s1 * rng.normal()
    const s2 = Math.sqrt(2 / H)
    for (let i = 0; i < H * H; i++) beta[this.oW2 + i] = s2 * rng.normal()
    for (let i = 0; i < H; i++) beta[this.ow3 + i] = s2 * rng.normal()
  }

  /** Forward pass on rows idx[from..from+B) of X (n×d), or rows 0..B of X when idx is null. */
  forward(beta: Float64Array, X: Float64Array, idx: Int32Array | null, from: number, B: number): Float64Array {
    const { d, H, xa, a, h1a, w1a, w2a, h2a, e2, s1, out, sFactor } = this
    const d1c = d + 1
    const H1c = H + 1
    for (let i = 0; i < B; i++) {
      const xo = (idx ? idx[from + i] : i) * d
      const ro = i * d1c
      xa[ro] = 1
      for (let k = 0; k < d; k++) xa[ro + 1 + k] = X[xo + k]
    }
    w1a.set(beta.subarray(this.ob1, this.ob1 + H), 0)
    w1a.set(beta.subarray(this.oW1, this.oW1 + d * H), H)
    w2a.set(beta.subarray(this.ob2, this.ob2 + H), 0)
    w2a.set(beta.subarray(this.oW2, this.oW2 + H * H), H)
    // a1 (contiguous, so that gemm moves it with one copy each way), then h1 = σ(a1) into h1a
    a.fill(0, 0, B * H)
    gemmStrided(B, H, d1c, 1, xa, 0, d1c, 1, w1a, 0, H, 1, a, 0, H)
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rh = i * H1c + 1
      h1a[rh - 1] = 1
      for (let j = 0; j < H; j++) {
        const z = a[ro + j]
        const s = sFactor[+(z > 0)]
        s1[ro + j] = s
        h1a[rh + j] = z * s
      }
    }
    // a2, then h2 = σ(a2) into h2a, e2 = w3 ⊙ σ'(a2) and the output layer
    a.fill(0, 0, B * H)
    gemmStrided(B, H, H1c, 1, h1a, 0, H1c, 1, w2a, 0, H, 1, a, 0, H)
    // two rows at a time: each output's sum (b3 + h_0w_0 + h_1w_1 + …) is a chain of dependent
    // additions, and two independent chains run in the time of one
    const ow3 = this.ow3
    const b3 = beta[this.ob3]
    for (let i = 0; i < B; i += 2) {
      const i1 = Math.min(i + 1, B - 1)
      const r0 = i * H
      const r1 = i1 * H
      const q0 = i * H1c + 1
      const q1 = i1 * H1c + 1
      h2a[q0 - 1] = 1
      h2a[q1 - 1] = 1
      let o0 = b3
      let o1 = b3
      for (let j = 0; j < H; j++) {
        const w = beta[ow3 + j]
        const z0 = a[r0 + j]
        const z1 = a[r1 + j]
        const s0 = sFactor[+(z0 > 0)]
        const s1 = sFactor[+(z1 > 0)]
        const h0 = z0 * s0
        const h1 = z1 * s1
        h2a[q0 + j] = h0
        h2a[q1 + j] = h1
        e2[r0 + j] = w * s0
        e2[r1 + j] = w * s1
        o0 += h0 * w
        o1 += h1 * w
      }
      out[i] = o0
      out[i1] = o1
    }
    return out
  }

  /**
   * Backward pass of Σ_i dout[i]·ĝ(x_i) through the last forward pass: writes ∇_β into grad
   * (overwritten) when grad is given, and ∇_x into dX (B×d) when dX is given.
   */
  backward(beta: Float64Array, _X: Float64Array, _idx: Int32Array | null, _from: number, B: number, dout: Float64Array, grad: Float64Array | null, dX: Float64Array | null = null): void {
    this.layer1(beta, B)
    if (grad) this.paramGrads(beta, B, 1, dout, grad, dout, null)
    if (dX) {
      // ∇_x = g ⊙ (e1·W1ᵀ), the row scaling after the product
      const { d, H } = this
      dX.fill(0, 0, B * d)
      gemmStrided(B, d, H, 1, this.e1, 0, H, 1, beta, this.oW1, 1, H, dX, 0, d)
      for (let i = 0; i < B; i++) {
        const g = dout[i]
        for (let k = 0; k < d; k++) dX[i * d + k] *= g
      }
    }
  }

  /**
   * Two backward passes through the last forward pass at once: ∇_β Σ_i doutA[i]·ĝ(x_i) into gradA
   * and ∇_β Σ_i doutB[i]·ĝ(x_i) into gradB (both overwritten), each bit for bit what `backward`
   * gives, sharing the product e2·W2ᵀ and with their weight-gradient products side by side.
   */
  backward2(beta: Float64Array, B: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array): void {
    this.layer1(beta, B)
    this.paramGrads(beta, B, 2, doutA, gradA, doutB, gradB)
  }

  /** e1 = (e2·W2ᵀ) ⊙ σ'(a1), shared by every backward pass through the last forward pass. */
  private layer1(beta: Float64Array, B: number): void {
    const { H, e2, s1, e1 } = this
    const BH = B * H
    e1.fill(0, 0, BH)
    gemmStrided(B, H, H, 1, e2, 0, H, 1, beta, this.oW2, 1, H, e1, 0, H)
    for (let t = 0; t < BH; t++) e1[t] *= s1[t]
  }

  /** ∇_β of c = 1 or 2 passes after `layer1`. */
  private paramGrads(beta: Float64Array, B: number, c: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array | null): void {
    const { d, H, h2a, e2, d2, e1, h1a, xa, xs, gw, gs } = this
    const ow3 = this.ow3
    const cH = c * H
    // δ2 = g ⊙ e2 per pass, and the doubles gathered as the rows of G (c×B)
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rd = i * cH
      const ga = doutA[i]
      gs[i] = ga
      for (let j = 0; j < H; j++) d2[rd + j] = ga * e2[ro + j]
      if (c === 2) {
        const gb = doutB[i]
        gs[B + i] = gb
        for (let j = 0; j < H; j++) d2[rd + H + j] = gb * e2[ro + j]
      }
    }
    // [∇b3, ∇w3] = G·[1 | h2]
    gw.fill(0, 0, c * (H + 1))
    gemmStrided(c, H + 1, B, 1, gs, 0, B, 1, h2a, 0, H + 1, 1, gw, 0, H + 1)
    for (let t = 0; t < c; t++) {
      const g = t === 0 ? gradA : gradB
      if (!g) continue
      g[this.ob3] = gw[t * (H + 1)]
      for (let j = 0; j < H; j++) g[ow3 + j] = gw[t * (H + 1) + 1 + j]
    }
    // [∇b2; ∇W2] = [1 | h1]ᵀ·δ2 (the bias column of the input sums the bias gradient)
    gw.fill(0, 0, (H + 1) * cH)
    gemmStrided(H + 1, cH, B, 1, h1a, 0, 1, H + 1, d2, 0, cH, 1, gw, 0, cH)
    this.unpack(gw, H, c, gradA, gradB, this.ob2, this.oW2)
    // [∇b1; ∇W1] = (g ⊙ [1 | x])ᵀ·e1: layer 1's few inputs (d + 1 per row) are scaled by g rather
    // than e1 (H per row); the passes' blocks stacked, rows t(d+1) … (t+1)(d+1) − 1 for pass t
    const d1c = d + 1
    const cd = c * d1c
    for (let i = 0; i < B; i++) {
      const ro = i * d1c
      const rs = i * cd
      const ga = doutA[i]
      const gb = doutB[i]
      for (let k = 0; k < d1c; k++) {
        const x = xa[ro + k]
        xs[rs + k] = ga * x
        if (c === 2) xs[rs + d1c + k] = gb * x
      }
    }
    gw.fill(0, 0, cd * H)
    gemmStrided(cd, H, B, 1, xs, 0, 1, cd, e1, 0, H, 1, gw, 0, H)
    for (let t = 0; t < c; t++) {
      const g = t === 0 ? gradA : gradB
      if (!g) continue
      const base = t * d1c * H
      for (let j = 0; j < H; j++) g[this.ob1 + j] = gw[base + j]
      for (let j = 0; j < d * H; j++) g[this.oW1 + j] = gw[base + H + j]
    }
  }

  /**
   * The (rows+1) × cH block of a layer's [bias; weights] gradients, the passes side by side, into
   * gradA (and gradB when c = 2): row 0 to the bias at ob, rows 1…rows to the weights at oW.
   */
  private unpack(gw: Float64Array, rows: number, c: number, gradA: Float64Array, gradB: Float64Array | null, ob: number, oW: number): void {
    const H = this.H
    const cH = c * H
    for (let r = 0; r <= rows; r++) {
      const src = r * cH
      const dst = r === 0 ? ob : oW + (r - 1) * H
      for (let j = 0; j < H; j++) gradA[dst + j] = gw[src + j]
      if (gradB) for (let j = 0; j < H; j++) gradB[dst + j] = gw[src + H + j]
    }
  }
}

/** Adam with the Keras defaults (β1 0.9, β2 0.999, ε̂ 1e-7; tf.keras.optimizers.Adam, the repo's framework). */
export class Adam {
  private readonly m: Float64Array
  private readonly v: Float64Array
  private t = 0
  constructor(
    P: number,
    readonly lr: number,
    readonly beta1 = 0.9,
    readonly beta2 = 0.999,
    readonly eps = 1e-7,
  ) {
    this.m = new Float64Array(P)
    this.v = new Float64Array(P)
  }
  /** β ← β − lr·√(1 − β2ᵗ)/(1 − β1ᵗ)·m/(√v + ε̂) (Kingma & Ba, Alg. 1, Keras's ε̂ form). */
  step(beta: Float64Array, g: Float64Array): void {
    this.t++
    const { m, v, beta1, beta2, eps } = this
    const lrT = (this.lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t)
    const c1 = 1 - beta1
    const c2 = 1 - beta2
    const n = beta.length
    for (let i = 0; i < n; i++) {
      const gi = g[i]
      const mi = beta1 * m[i] + c1 * gi
      const vi = beta2 * v[i] + c2 * gi * gi
      m[i] = mi
      v[i] = vi
      beta[i] -= (lrT * mi) / (Math.sqrt(vi) + eps)
    }
  }
}

export function globalNorm(x: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return Math.sqrt(s)
}
