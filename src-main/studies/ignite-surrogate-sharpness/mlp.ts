import { gemmStrided } from '../../numeric/dense'
import { WasmArena } from '../../numeric/wasm-arena'

/**
 * The surrogate ĝ(x; β): an MLP d → H → H → 1 with leaky-ReLU hidden layers, all parameters in
 * one flat Float64Array β = [W1 (d×H), b1 (H), W2 (H×H), b2 (H), w3 (H), b3 (1)], so global norms,
 * perturbations, copies and Adam act on one vector. Hand-written float64 forward and backward
 * passes over a minibatch with preallocated workspaces (no allocation per step).
 *
 * Each layer's weights and bias lie in β as one (fan_in + 1)×fan_out matrix [W; b], so a layer is
 * one product [x | 1]·[W; b] straight from β, and its gradient [∇W; ∇b] = [x | 1]ᵀ·δ lands in β's
 * layout (the bias gradient summed by the column of ones).
 *
 * Backward of Σ_i g_i·ĝ(x_i): the output-layer factor and the layer-1 factor do not depend on g,
 *   e2_ij = w3_j·σ'(a2_ij),   e1_ik = (Σ_j e2_ij·W2_kj)·σ'(a1_ik),
 * and ∂/∂a2_ij = g_i·e2_ij, ∂/∂a1_ik = g_i·e1_ik. The forward pass leaves e2 (and σ'(a1)); one
 * product e2·W2ᵀ serves every backward pass through it (the training step's ∇L and ∇G, and ∇_x in
 * the gradient ascent), and only cheap row scalings by g are per pass:
 *   [∇W2; ∇b2] = [h1 | 1]ᵀ·(g ⊙ e2),   [∇W1; ∇b1] = (g ⊙ [x | 1])ᵀ·e1,   [∇w3; ∇b3] = [h2 | 1]ᵀ·g,
 *   ∇_x = g ⊙ (e1·W1ᵀ)
 * (layer 1 scales its d + 1 inputs per row rather than e1's H columns).
 *
 * The layer products go through numeric/dense.ts's packed gemm (WebAssembly SIMD) — those on
 * B rows with B a multiple of 4 through the arena's `gemm`, the same kernel on the buffers where
 * they lie in wasm memory, with gemmStrided's bits — which sums
 * each output in ascending order of the summed index starting from the output's prior value, and
 * every product here writes over its output (gemm's overwrite: the same as accumulating into
 * zeros, without zero fills or the kernel copying the old contents in): a pre-activation is
 * (x₀w₀ + x₁w₁ + …) + b and a gradient entry Σ_i in sample order, and for sums of at most 256
 * terms (gemm's panel depth; widths and batches of this study's presets) the results equal plain
 * per-sample loops in this order bit for bit (the unit test's reference).
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
  /** [x_i | 1] per row (B×(d+1)): the minibatch rows gathered, with the bias column */
  private readonly xa: Float64Array
  /** a layer's pre-activations (B×H) */
  private readonly a: Float64Array
  /** [h1_i | 1] and [h2_i | 1] per row (B×(H+1)) */
  private readonly h1a: Float64Array
  private readonly h2a: Float64Array
  /** e2 = w3 ⊙ σ'(a2), σ'(a1), e1 per row (B×H) */
  private readonly e2: Float64Array
  private readonly s1: Float64Array
  private readonly e1: Float64Array
  /** δ2 = g ⊙ e2 (B×H), and g ⊙ [x_i | 1] (B×(d+1)), of the pass being summed */
  private readonly d2: Float64Array
  private readonly xs: Float64Array
  /** [∇w3; ∇b3] of up to two passes (2×(H+1)) */
  private readonly gw3: Float64Array
  /** the per-sample weights g of up to two passes, as rows (c×B) */
  private readonly gs: Float64Array
  /** [slope, 1], indexed by +(z > 0) */
  private readonly sFactor: Float64Array
  /** the outputs of the last forward pass (length = its batch size) */
  readonly out: Float64Array
  /** whether the last forward pass kept h2a (∇β needs it; ∇_x alone does not) */
  private h2Kept = false

  /**
   * The WebAssembly memory the buffers live in (numeric/wasm-arena.ts), with room for one
   * parameter vector of the caller's (`arena.alloc(net.P)`: β), `perturbed` and `inputGradient`:
   * the layer products among its views (m and n multiples of 4) read and write them in place.
   */
  readonly arena: WasmArena
  /** a parameter-sized scratch vector in the arena (IGNITE's β̂) */
  readonly perturbed: Float64Array
  /** maxBatch × d in the arena, for ∇_x (the gradient ascent's) */
  readonly inputGradient: Float64Array

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
    const rowsTimes = (cols: number) => maxBatch * cols
    const buffers = 2 * rowsTimes(d + 1) + 2 * rowsTimes(H + 1) + 5 * rowsTimes(H) + rowsTimes(d)
    // scratch: a transposed Wᵀ (H² at most)
    this.arena = WasmArena.create(buffers + 2 * this.P, H * Math.max(H, d) + 64)
    const arena = this.arena
    this.xa = arena.alloc(rowsTimes(d + 1))
    this.a = arena.alloc(rowsTimes(H))
    this.h1a = arena.alloc(rowsTimes(H + 1))
    this.h2a = arena.alloc(rowsTimes(H + 1))
    this.e2 = arena.alloc(rowsTimes(H))
    this.s1 = arena.alloc(rowsTimes(H))
    this.e1 = arena.alloc(rowsTimes(H))
    this.d2 = arena.alloc(rowsTimes(H))
    this.xs = arena.alloc(rowsTimes(d + 1))
    this.perturbed = arena.alloc(this.P)
    this.inputGradient = arena.alloc(rowsTimes(d))
    this.gw3 = new Float64Array(2 * (H + 1))
    this.gs = new Float64Array(2 * maxBatch)
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

  /**
   * Forward pass on rows idx[from..from+B) of X (n×d), or rows 0..B of X when idx is null. With
   * `inputGradientOnly`, the output layer's inputs [h2 | 1] (which only ∇β reads) are not stored:
   * the gradient ascent's passes, whose backward asks for ∇_x alone; `backward` then refuses ∇β.
   */
  forward(beta: Float64Array, X: Float64Array, idx: Int32Array | null, from: number, B: number, inputGradientOnly = false): Float64Array {
    const { d, H, xa, a, h1a, h2a, e2, s1, out, sFactor } = this
    const d1c = d + 1
    const H1c = H + 1
    for (let i = 0; i < B; i++) {
      const xo = (idx ? idx[from + i] : i) * d
      const ro = i * d1c
      for (let k = 0; k < d; k++) xa[ro + k] = X[xo + k]
      xa[ro + d] = 1
    }
    // a1 = [x | 1]·[W1; b1] (into a contiguous buffer, so that gemm moves it with one copy each
    // way), then h1 = σ(a1) into h1a
    this.arena.gemm(B, H, d1c, 1, xa, 0, d1c, 1, beta, this.oW1, H, 1, a, 0, H, true)
    // four units at a time (independent loads, lookups and stores: 1.6× faster than one at a time)
    const H4 = H & ~3
    for (let i = 0; i < B; i++) {
      const ro = i * H
      const rh = i * H1c
      let j = 0
      for (; j < H4; j += 4) {
        const z0 = a[ro + j]
        const z1 = a[ro + j + 1]
        const z2 = a[ro + j + 2]
        const z3 = a[ro + j + 3]
        const t0 = sFactor[+(z0 > 0)]
        const t1 = sFactor[+(z1 > 0)]
        const t2 = sFactor[+(z2 > 0)]
        const t3 = sFactor[+(z3 > 0)]
        s1[ro + j] = t0
        s1[ro + j + 1] = t1
        s1[ro + j + 2] = t2
        s1[ro + j + 3] = t3
        h1a[rh + j] = z0 * t0
        h1a[rh + j + 1] = z1 * t1
        h1a[rh + j + 2] = z2 * t2
        h1a[rh + j + 3] = z3 * t3
      }
      for (; j < H; j++) {
        const z = a[ro + j]
        const s = sFactor[+(z > 0)]
        s1[ro + j] = s
        h1a[rh + j] = z * s
      }
      h1a[rh + H] = 1
    }
    // a2 = [h1 | 1]·[W2; b2], then h2 = σ(a2) into h2a, e2 = w3 ⊙ σ'(a2) and the output layer
    this.arena.gemm(B, H, H1c, 1, h1a, 0, H1c, 1, beta, this.oW2, H, 1, a, 0, H, true)
    // two rows at a time: each output's sum (h_0w_0 + h_1w_1 + … + b3) is a chain of dependent
    // additions, and two independent chains run in the time of one
    const ow3 = this.ow3
    const b3 = beta[this.ob3]
    this.h2Kept = !inputGradientOnly
    if (inputGradientOnly) {
      outputLayerNoH2(B, H, beta, ow3, b3, a, sFactor, e2, out)
      return out
    }
    for (let i = 0; i < B; i += 2) {
      const i1 = Math.min(i + 1, B - 1)
      const r0 = i * H
      const r1 = i1 * H
      const q0 = i * H1c
      const q1 = i1 * H1c
      let o0 = 0
      let o1 = 0
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
      h2a[q0 + H] = 1
      h2a[q1 + H] = 1
      out[i] = o0 + b3
      out[i1] = o1 + b3
    }
    return out
  }

  /**
   * Backward pass of Σ_i dout[i]·ĝ(x_i) through the last forward pass: writes ∇_β into grad
   * (overwritten) when grad is given, and ∇_x into dX (B×d) when dX is given.
   */
  backward(beta: Float64Array, _X: Float64Array, _idx: Int32Array | null, _from: number, B: number, dout: Float64Array, grad: Float64Array | null, dX: Float64Array | null = null): void {
    this.layer1(beta, B)
    if (grad) {
      if (!this.h2Kept) throw new Error('Mlp.backward: ∇β after a forward pass with inputGradientOnly')
      this.outputLayerGrads(B, 1, dout, grad, dout, null)
      this.layerGrads(B, dout, grad)
    }
    if (dX) {
      // ∇_x = g ⊙ (e1·W1ᵀ), the row scaling after the product
      const { d, H } = this
      this.arena.gemm(B, d, H, 1, this.e1, 0, H, 1, beta, this.oW1, 1, H, dX, 0, d, true)
      for (let i = 0; i < B; i++) {
        const g = dout[i]
        for (let k = 0; k < d; k++) dX[i * d + k] *= g
      }
    }
  }

  /**
   * Two backward passes through the last forward pass at once: ∇_β Σ_i doutA[i]·ĝ(x_i) into gradA
   * and ∇_β Σ_i doutB[i]·ĝ(x_i) into gradB (both overwritten), each bit for bit what `backward`
   * gives, sharing the product e2·W2ᵀ.
   */
  backward2(beta: Float64Array, B: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array): void {
    if (!this.h2Kept) throw new Error('Mlp.backward2: ∇β after a forward pass with inputGradientOnly')
    this.layer1(beta, B)
    this.outputLayerGrads(B, 2, doutA, gradA, doutB, gradB)
    this.layerGrads(B, doutA, gradA)
    this.layerGrads(B, doutB, gradB)
  }

  /** e1 = (e2·W2ᵀ) ⊙ σ'(a1), shared by every backward pass through the last forward pass. */
  private layer1(beta: Float64Array, B: number): void {
    const { H, e2, s1, e1 } = this
    const BH = B * H
    this.arena.gemm(B, H, H, 1, e2, 0, H, 1, beta, this.oW2, 1, H, e1, 0, H, true)
    for (let t = 0; t < BH; t++) e1[t] *= s1[t]
  }

  /** [∇w3; ∇b3] = [h2 | 1]ᵀ·g of c = 1 or 2 passes, as one product G·[h2 | 1] (G: the g's as rows). */
  private outputLayerGrads(B: number, c: number, doutA: Float64Array, gradA: Float64Array, doutB: Float64Array, gradB: Float64Array | null): void {
    const { H, h2a, gs, gw3 } = this
    const H1c = H + 1
    for (let i = 0; i < B; i++) gs[i] = doutA[i]
    if (c === 2) for (let i = 0; i < B; i++) gs[B + i] = doutB[i]
    gemmStrided(c, H1c, B, 1, gs, 0, B, 1, h2a, 0, H1c, 1, gw3, 0, H1c, true)
    for (let j = 0; j < H1c; j++) gradA[this.ow3 + j] = gw3[j]
    if (gradB) for (let j = 0; j < H1c; j++) gradB[this.ow3 + j] = gw3[H1c + j]
  }

  /** The hidden layers' gradients of one pass, straight into grad's [W2; b2] and [W1; b1] blocks. */
  private layerGrads(B: number, dout: Float64Array, grad: Float64Array): void {
    const { d, H, h1a, e2, d2, e1, xa, xs } = this
    const d1c = d + 1
    // [∇W2; ∇b2] = [h1 | 1]ᵀ·δ2, δ2 = g ⊙ e2
    for (let i = 0; i < B; i++) {
      const g = dout[i]
      for (let j = i * H, e = j + H; j < e; j++) d2[j] = g * e2[j]
    }
    gemmStrided(H + 1, H, B, 1, h1a, 0, 1, H + 1, d2, 0, H, 1, grad, this.oW2, H, true)
    // [∇W1; ∇b1] = (g ⊙ [x | 1])ᵀ·e1
    for (let i = 0; i < B; i++) {
      const g = dout[i]
      for (let k = i * d1c, e = k + d1c; k < e; k++) xs[k] = g * xa[k]
    }
    gemmStrided(d1c, H, B, 1, xs, 0, 1, d1c, e1, 0, H, 1, grad, this.oW1, H, true)
  }
}

/**
 * `Mlp.forward`'s output layer without storing h2 = σ(a2): e2 = w3 ⊙ σ'(a2) and out = h2·w3 + b3,
 * four rows at a time (four independent chains), each output the same chain of additions (bit for
 * bit the full pass's).
 */
function outputLayerNoH2(B: number, H: number, beta: Float64Array, ow3: number, b3: number, a: Float64Array, sFactor: Float64Array, e2: Float64Array, out: Float64Array): void {
  for (let i = 0; i < B; i += 4) {
    // the last group repeats row B − 1 where B is not a multiple of 4 (the same values, written twice)
    const i1 = Math.min(i + 1, B - 1)
    const i2 = Math.min(i + 2, B - 1)
    const i3 = Math.min(i + 3, B - 1)
    const r0 = i * H
    const r1 = i1 * H
    const r2 = i2 * H
    const r3 = i3 * H
    let o0 = 0
    let o1 = 0
    let o2 = 0
    let o3 = 0
    for (let j = 0; j < H; j++) {
      const w = beta[ow3 + j]
      const z0 = a[r0 + j]
      const z1 = a[r1 + j]
      const z2 = a[r2 + j]
      const z3 = a[r3 + j]
      const s0 = sFactor[+(z0 > 0)]
      const s1 = sFactor[+(z1 > 0)]
      const s2 = sFactor[+(z2 > 0)]
      const s3 = sFactor[+(z3 > 0)]
      e2[r0 + j] = w * s0
      e2[r1 + j] = w * s1
      e2[r2 + j] = w * s2
      e2[r3 + j] = w * s3
      o0 += z0 * s0 * w
      o1 += z1 * s1 * w
      o2 += z2 * s2 * w
      o3 += z3 * s3 * w
    }
    out[i] = o0 + b3
    out[i1] = o1 + b3
    out[i2] = o2 + b3
    out[i3] = o3 + b3
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
