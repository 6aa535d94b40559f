import { gemmStrided } from '../../numeric/dense'

/**
 * The surrogate ĝ(x; β): an MLP d → H → H → 1 with leaky-ReLU hidden layers, all parameters in
 * one flat Float64Array β = [W1 (d×H), b1 (H), W2 (H×H), b2 (H), w3 (H), b3 (1)], so global norms,
 * perturbations, copies and Adam act on one vector. Hand-written float64 forward and backward
 * passes over a minibatch with preallocated workspaces (no allocation per step).
 *
 * The layer products go through numeric/dense.ts's packed gemm (WebAssembly SIMD), which sums
 * each output in ascending order of the summed index starting from the output's prior value. A
 * layer's bias is therefore folded in as a leading row of its weights against a leading column of
 * ones in its input (b + x₀w₀ + x₁w₁ + …, the order of the plain per-sample loop), and every
 * backward product accumulates into zeros: for sums of at most 256 terms (gemm's panel depth;
 * widths and batches of this study's presets) the results equal the plain loops bit for bit.
 *
 * Speed notes. The leaky-ReLU and its derivative are a multiply by a factor looked up from the
 * sign (σ(z) = z·s, s = [slope, 1][z > 0]) rather than a branch: the signs of a minibatch's
 * pre-activations are random, and a mispredicted branch per element cost more than the layer's
 * products (z·s is the same double as slope·z or z). The activations are applied in place on the
 * layer products, and the backward passes read σ'(a) from the sign of h = σ(a), the same as a's
 * for slope ∈ [0, 1]. `backward2` runs the two backward passes of a training step (∇L and ∇G)
 * together: their blocks side by side (B×2H, i.e. 2B rows of H), so each layer product is one
 * gemm with the weights and activations packed once; every output is still summed alone, in the
 * same order, so each gradient equals `backward`'s bit for bit.
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
  /** [1 | h1_i] per row (B×(H+1)) */
  private readonly h1a: Float64Array
  /** [b1; W1] ((d+1)×H) and [b2; W2] ((H+1)×H), copied from β at each forward pass */
  private readonly w1a: Float64Array
  private readonly w2a: Float64Array
  /** σ(a2) per row (B×H) */
  private readonly h2: Float64Array
  /** backward blocks for up to two passes side by side (B×2H) */
  private readonly d2: Float64Array
  private readonly d1: Float64Array
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
    this.h1a = new Float64Array(maxBatch * (H + 1))
    this.w1a = new Float64Array((d + 1) * H)
    this.w2a = new Float64Array((H + 1) * H)
    this.h2 = new Float64Array(maxBatch * H)
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
    const { d, H, xa, h1a, w1a, w2a, h2, out, sFactor } = this
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
    // a1 into h1a's columns 1..H, then h1 = σ(a1) in place
    h1a.fill(0, 0, B * H1c)
    gemmStrided(B, H, d1c, 1, xa, 0, d1c, 1, w1a, 0, H, 1, h1a, 1, H1c)
    for (let i = 0; i < B; i++) {
      const rh = i * H1c + 1
      h1a[rh - 1] = 1
      for (let j = 0; j < H; j++) {
        const z = h1a[rh + j]
        h1a[rh + j] = z * sFactor[+(z > 0)]
      }
    }
    // a2 into h2, then h2 = σ(a2) in place and the output layer
    h2.fill(0, 0, B * H)
    gemmStrided(B, H, H1c, 1, h1a, 0, H1c, 1, w2a, 0, H, 1, h2, 0, H)
    const ow3 = this.ow3
    for (let i = 0; i < B; i++) {
      const ro = i * H
      let o = beta[this.ob3]
      for (let j = 0; j < H; j++) {
        const z = h2[ro + j]
        const h = z * sFactor[+(z > 0)]
        h2[ro + j] = h
        o += h * beta[ow3 + j]
      }
      out[i] = o
    }
    return out
  }

  /**
   * Backward pass of Σ_i dout[i]·ĝ(x_i) through the last forward pass: writes ∇_β into grad
   * (overwritten), and, when dX is given, ∇_x into dX (B×d).
   */
  backward(beta: Float64Array, _X: Float64Array, _idx: Int32Array | null, _from: number, B: number, dout: Float64Array, grad: Float64Array | null, dX: Float64Array | null = null): void {
    this.passes(beta, B, 1, dout, grad, dout, null)
    if (dX) {
      // ∇_x = d1·W1ᵀ
      const { d, H } = this
      dX.fill(0, 0, B * d)
      gemmStrided(B, d, H, 1, this.d1, 0, H, 1, beta, this.oW1, 1, H, dX, 0, d)
    }
  }

  /**
   * Two backward passes through the last forward pass at once: ∇_β Σ_i doutA[i]·ĝ(x_i) into gradA
   * and ∇_β Σ_i doutB[i]·ĝ(x_i) into gradB (both overwritten), each bit for bit what `backward` gives.
   */
  backward2(beta: Float64Array, B: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array): void {
    this.passes(beta, B, 2, doutA, gradA, doutB, gradB)
  }

  /**
   * c = 1 or 2 backward passes: d2 and d1 hold pass t's block in columns [tH, (t+1)H) of each row
   * (B×cH, the same memory as cB rows of H with the passes interleaved).
   */
  private passes(beta: Float64Array, B: number, c: number, doutA: Float64Array, gradA: Float64Array | null, doutB: Float64Array, gradB: Float64Array | null): void {
    const { d, H, h2, d2, d1, h1a, xa, gw, sFactor } = this
    const ow3 = this.ow3
    const cH = c * H
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rd = i * cH
      const ga = doutA[i]
      const gb = doutB[i]
      for (let j = 0; j < H; j++) {
        const s = sFactor[+(h2[ro + j] > 0)]
        d2[rd + j] = ga * beta[ow3 + j] * s
        if (c === 2) d2[rd + H + j] = gb * beta[ow3 + j] * s
      }
    }
    // d1 = (d2·W2ᵀ) ⊙ σ'(a1), all cB rows in one product
    const len = B * cH
    d1.fill(0, 0, len)
    gemmStrided(c * B, H, H, 1, d2, 0, H, 1, beta, this.oW2, 1, H, d1, 0, H)
    for (let i = 0; i < B; i++) {
      const rh = i * (H + 1) + 1
      const rd = i * cH
      for (let k = 0; k < H; k++) {
        const s = sFactor[+(h1a[rh + k] > 0)]
        d1[rd + k] *= s
        if (c === 2) d1[rd + H + k] *= s
      }
    }
    if (!gradA) return
    // [∇b2; ∇W2] = [1 | h1]ᵀ·d2 and [∇b1; ∇W1] = [1 | x]ᵀ·d1: the bias column of the inputs
    // sums the bias gradients (0 + d_0 + d_1 + …, the plain loop's order) in the same product
    gw.fill(0, 0, (H + 1) * cH)
    gemmStrided(H + 1, cH, B, 1, h1a, 0, 1, H + 1, d2, 0, cH, 1, gw, 0, cH)
    this.unpack(gw, H, c, gradA, gradB, this.ob2, this.oW2)
    gw.fill(0, 0, (d + 1) * cH)
    gemmStrided(d + 1, cH, B, 1, xa, 0, 1, d + 1, d1, 0, cH, 1, gw, 0, cH)
    this.unpack(gw, d, c, gradA, gradB, this.ob1, this.oW1)
    // ∇w3 = h2ᵀ·dout, ∇b3 = Σ dout
    let b3A = 0
    let b3B = 0
    for (let j = 0; j < H; j++) gradA[ow3 + j] = 0
    if (gradB) for (let j = 0; j < H; j++) gradB[ow3 + j] = 0
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const ga = doutA[i]
      b3A += ga
      for (let j = 0; j < H; j++) gradA[ow3 + j] += ga * h2[ro + j]
      if (gradB) {
        const gb = doutB[i]
        b3B += gb
        for (let j = 0; j < H; j++) gradB[ow3 + j] += gb * h2[ro + j]
      }
    }
    gradA[this.ob3] = b3A
    if (gradB) gradB[this.ob3] = b3B
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
    const { m, v, beta1, beta2 } = this
    const lrT = (this.lr * Math.sqrt(1 - beta2 ** this.t)) / (1 - beta1 ** this.t)
    for (let i = 0; i < beta.length; i++) {
      const gi = g[i]
      m[i] = beta1 * m[i] + (1 - beta1) * gi
      v[i] = beta2 * v[i] + (1 - beta2) * gi * gi
      beta[i] -= (lrT * m[i]) / (Math.sqrt(v[i]) + this.eps)
    }
  }
}

export function globalNorm(x: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return Math.sqrt(s)
}
