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
  private readonly a1: Float64Array
  private readonly a2: Float64Array
  private readonly h2: Float64Array
  private readonly d2: Float64Array
  private readonly d1: Float64Array
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
    this.a1 = new Float64Array(maxBatch * H)
    this.a2 = new Float64Array(maxBatch * H)
    this.h2 = new Float64Array(maxBatch * H)
    this.d2 = new Float64Array(maxBatch * H)
    this.d1 = new Float64Array(maxBatch * H)
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
    const { d, H, slope, xa, h1a, w1a, w2a, a1, a2, h2, out } = this
    const d1c = d + 1
    const H1c = H + 1
    for (let i = 0; i < B; i++) {
      const xo = (idx ? idx[from + i] : i) * d
      const ro = i * d1c
      xa[ro] = 1
      for (let k = 0; k < d; k++) xa[ro + 1 + k] = X[xo + k]
    }
    copyRange(beta, this.ob1, H, w1a, 0)
    copyRange(beta, this.oW1, d * H, w1a, H)
    copyRange(beta, this.ob2, H, w2a, 0)
    copyRange(beta, this.oW2, H * H, w2a, H)
    const BH = B * H
    a1.fill(0, 0, BH)
    gemmStrided(B, H, d1c, 1, xa, 0, d1c, 1, w1a, 0, H, 1, a1, 0, H)
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rh = i * H1c
      h1a[rh] = 1
      for (let j = 0; j < H; j++) {
        const z = a1[ro + j]
        h1a[rh + 1 + j] = z > 0 ? z : slope * z
      }
    }
    a2.fill(0, 0, BH)
    gemmStrided(B, H, H1c, 1, h1a, 0, H1c, 1, w2a, 0, H, 1, a2, 0, H)
    const ow3 = this.ow3
    for (let i = 0; i < B; i++) {
      const ro = i * H
      let o = beta[this.ob3]
      for (let j = 0; j < H; j++) {
        const z = a2[ro + j]
        const h = z > 0 ? z : slope * z
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
    const { d, H, slope, a1, a2, h2, d2, d1, h1a, xa } = this
    const ow3 = this.ow3
    if (grad) {
      grad.fill(0)
      const ob3 = this.ob3
      for (let i = 0; i < B; i++) {
        const ro = i * H
        const g = dout[i]
        grad[ob3] += g
        for (let j = 0; j < H; j++) grad[ow3 + j] += g * h2[ro + j]
      }
    }
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const g = dout[i]
      for (let j = 0; j < H; j++) d2[ro + j] = g * beta[ow3 + j] * (a2[ro + j] > 0 ? 1 : slope)
    }
    // d1 = (d2·W2ᵀ) ⊙ σ'(a1)
    const BH = B * H
    d1.fill(0, 0, BH)
    gemmStrided(B, H, H, 1, d2, 0, H, 1, beta, this.oW2, 1, H, d1, 0, H)
    for (let t = 0; t < BH; t++) d1[t] = d1[t] * (a1[t] > 0 ? 1 : slope)
    if (grad) {
      // ∇W2 = h1ᵀ·d2 and ∇W1 = xᵀ·d1 (the inputs without their bias column)
      gemmStrided(H, H, B, 1, h1a, 1, 1, H + 1, d2, 0, H, 1, grad, this.oW2, H)
      const ob1 = this.ob1
      const ob2 = this.ob2
      for (let i = 0; i < B; i++) {
        const ro = i * H
        for (let j = 0; j < H; j++) {
          grad[ob2 + j] += d2[ro + j]
          grad[ob1 + j] += d1[ro + j]
        }
      }
      gemmStrided(d, H, B, 1, xa, 1, 1, d + 1, d1, 0, H, 1, grad, this.oW1, H)
    }
    if (dX) {
      // ∇_x = d1·W1ᵀ
      dX.fill(0, 0, B * d)
      gemmStrided(B, d, H, 1, d1, 0, H, 1, beta, this.oW1, 1, H, dX, 0, d)
    }
  }
}

function copyRange(src: Float64Array, from: number, len: number, dst: Float64Array, to: number): void {
  for (let i = 0; i < len; i++) dst[to + i] = src[from + i]
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
