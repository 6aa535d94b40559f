/**
 * The surrogate ĝ(x; β): an MLP d → H → H → 1 with leaky-ReLU hidden layers, all parameters in
 * one flat Float64Array β = [W1 (d×H), b1 (H), W2 (H×H), b2 (H), w3 (H), b3 (1)], so global norms,
 * perturbations, copies and Adam act on one vector. Hand-written float64 forward and backward
 * passes over a minibatch, with preallocated workspaces (no allocation per step).
 */
export class Mlp {
  readonly P: number
  readonly oW1: number
  readonly ob1: number
  readonly oW2: number
  readonly ob2: number
  readonly ow3: number
  readonly ob3: number
  private readonly a1: Float64Array
  private readonly h1: Float64Array
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
    this.a1 = new Float64Array(maxBatch * H)
    this.h1 = new Float64Array(maxBatch * H)
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
    const { d, H, slope, a1, h1, a2, h2, out } = this
    for (let i = 0; i < B; i++) {
      const xo = (idx ? idx[from + i] : i) * d
      const ro = i * H
      for (let j = 0; j < H; j++) a1[ro + j] = beta[this.ob1 + j]
      for (let k = 0; k < d; k++) {
        const xk = X[xo + k]
        const wo = this.oW1 + k * H
        for (let j = 0; j < H; j++) a1[ro + j] += xk * beta[wo + j]
      }
      for (let j = 0; j < H; j++) {
        const z = a1[ro + j]
        h1[ro + j] = z > 0 ? z : slope * z
        a2[ro + j] = beta[this.ob2 + j]
      }
      for (let k = 0; k < H; k++) {
        const hk = h1[ro + k]
        const wo = this.oW2 + k * H
        for (let j = 0; j < H; j++) a2[ro + j] += hk * beta[wo + j]
      }
      let o = beta[this.ob3]
      for (let j = 0; j < H; j++) {
        const z = a2[ro + j]
        const h = z > 0 ? z : slope * z
        h2[ro + j] = h
        o += h * beta[this.ow3 + j]
      }
      out[i] = o
    }
    return out
  }

  /**
   * Backward pass of Σ_i dout[i]·ĝ(x_i) through the last forward pass: writes ∇_β into grad
   * (overwritten), and, when dX is given, ∇_x into dX (B×d).
   */
  backward(beta: Float64Array, X: Float64Array, idx: Int32Array | null, from: number, B: number, dout: Float64Array, grad: Float64Array | null, dX: Float64Array | null = null): void {
    const { d, H, slope, a1, h1, a2, h2, d2, d1 } = this
    if (grad) grad.fill(0)
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const g = dout[i]
      if (grad) grad[this.ob3] += g
      for (let j = 0; j < H; j++) {
        if (grad) grad[this.ow3 + j] += g * h2[ro + j]
        d2[ro + j] = g * beta[this.ow3 + j] * (a2[ro + j] > 0 ? 1 : slope)
      }
      for (let k = 0; k < H; k++) {
        const wo = this.oW2 + k * H
        let s = 0
        for (let j = 0; j < H; j++) s += d2[ro + j] * beta[wo + j]
        d1[ro + k] = s * (a1[ro + k] > 0 ? 1 : slope)
      }
      if (grad) {
        for (let k = 0; k < H; k++) {
          const hk = h1[ro + k]
          const go = this.oW2 + k * H
          for (let j = 0; j < H; j++) grad[go + j] += hk * d2[ro + j]
        }
        for (let j = 0; j < H; j++) {
          grad[this.ob2 + j] += d2[ro + j]
          grad[this.ob1 + j] += d1[ro + j]
        }
        const xo = (idx ? idx[from + i] : i) * d
        for (let k = 0; k < d; k++) {
          const xk = X[xo + k]
          const go = this.oW1 + k * H
          for (let j = 0; j < H; j++) grad[go + j] += xk * d1[ro + j]
        }
      }
      if (dX) {
        for (let k = 0; k < d; k++) {
          const wo = this.oW1 + k * H
          let s = 0
          for (let j = 0; j < H; j++) s += d1[ro + j] * beta[wo + j]
          dX[i * d + k] = s
        }
      }
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
