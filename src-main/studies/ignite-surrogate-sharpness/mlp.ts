import { gemmStrided } from '../../numeric/dense'

/**
 * The surrogate ĝ(x; β): an MLP d → H → H → 1 with leaky-ReLU hidden layers, all parameters in
 * one flat Float64Array β = [W1 (d×H), b1 (H), W2 (H×H), b2 (H), w3 (H), b3 (1)], so global norms,
 * perturbations, copies and Adam act on one vector. Hand-written float64 forward and backward
 * passes over a minibatch with preallocated workspaces (no allocation per step).
 *
 * Backward of Σ_i g_i·ĝ(x_i): the output-layer factor and the layer-1 factor do not depend on g,
 *   e2_ij = w3_j·σ'(a2_ij),   e1_ik = (Σ_j e2_ij·W2_kj)·σ'(a1_ik),
 * and δ2_ij = g_i·e2_ij, δ1_ik = g_i·e1_ik. The forward pass leaves e2 (and σ'(a1)); one product
 * e2·W2ᵀ serves every backward pass through it (the training step's ∇L and ∇G, and ∇_x in the
 * gradient ascent), and only the cheap row scalings by g are per pass. Then ∇W2 = h1ᵀ·δ2,
 * ∇W1 = xᵀ·δ1, ∇w3 = h2ᵀ·g, ∇_x = g ⊙ (e1·W1ᵀ).
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
  /** δ2 and δ1 of up to two passes side by side (B×2H) */
  private readonly d2: Float64Array
  private readonly d1: Float64Array
  /** the per-sample weights g of up to two passes, as rows (c×B) */
  private readonly gs: Float64Array
  /** a layer's [bias; weights] gradients of up to two passes side by side ((max(d, H) + 1)×2H) */
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
    this.d1 = new Float64Array(maxBatch * 2 * H)
    this.gw = new Float64Array((Math.max(d, H) + 1) * 2 * H)
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
    const ow3 = this.ow3
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rh = i * H1c + 1
      h2a[rh - 1] = 1
      let o = beta[this.ob3]
      for (let j = 0; j < H; j++) {
        const z = a[ro + j]
        const s = sFactor[+(z > 0)]
        const w = beta[ow3 + j]
        const h = z * s
        h2a[rh + j] = h
        e2[ro + j] = w * s
        o += h * w
      }
      out[i] = o
    }
    return out
  }

  /**
   * Backward pass of Σ_i dout[i]·ĝ(x_i) through the last forward pass: writes ∇_β into grad
   * (overwritten) when grad is given, and ∇_x into dX (B×d) when dX is given.
   */
  backward(beta: Float64Array, _X: Float64Array, _idx: Int32Array | null, _from: number, B: number, dout: Float64Array, grad: Float64Array | null, dX: Float64Array | null = null): void {
    this.layer1(beta, B, grad ? 1 : 0, dout, dout)
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
    this.layer1(beta, B, 2, doutA, doutB)
    this.paramGrads(beta, B, 2, doutA, gradA, doutB, gradB)
  }

  /** e1 = (e2·W2ᵀ) ⊙ σ'(a1), and δ1 = g ⊙ e1 for c = 0, 1 or 2 passes (pass t in columns tH…). */
  private layer1(beta: Float64Array, B: number, c: number, doutA: Float64Array, doutB: Float64Array): void {
    const { H, e2, s1, e1, d1 } = this
    e1.fill(0, 0, B * H)
    gemmStrided(B, H, H, 1, e2, 0, H, 1, beta, this.oW2, 1, H, e1, 0, H)
    const cH = c * H
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rd = i * cH
      const ga = doutA[i]
      const gb = doutB[i]
      for (let k = 0; k < H; k++) {
        const e = e1[ro + k] * s1[ro + k]
        e1[ro + k] = e
        if (c > 0) d1[rd + k] = ga * e
        if (c === 2) d1[rd + H + k] = gb * e
      }
    }
  }

  /** ∇_β of c = 1 or 2 passes after `layer1`. */
  private paramGrads(beta: Float64Array, B: number, c: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array | null): void {
    const { d, H, h2a, e2, d2, d1, h1a, xa, gw, gs } = this
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
    // [∇b2; ∇W2] = [1 | h1]ᵀ·δ2 and [∇b1; ∇W1] = [1 | x]ᵀ·δ1 (the bias column of the inputs
    // sums the bias gradients)
    gw.fill(0, 0, (H + 1) * cH)
    gemmStrided(H + 1, cH, B, 1, h1a, 0, 1, H + 1, d2, 0, cH, 1, gw, 0, cH)
    this.unpack(gw, H, c, gradA, gradB, this.ob2, this.oW2)
    gw.fill(0, 0, (d + 1) * cH)
    gemmStrided(d + 1, cH, B, 1, xa, 0, 1, d + 1, d1, 0, cH, 1, gw, 0, cH)
    this.unpack(gw, d, c, gradA, gradB, this.ob1, this.oW1)
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
