/**
 * A ReLU MLP with softmax cross-entropy over one flat float64 parameter vector: batched forward
 * with stored activations, backward from a given logit gradient, and the exact Hessian-vector
 * product of the mean CE loss by Pearlmutter's R-operator (forward-over-reverse). Every
 * layer product is the numeric core's packed gemm on strided operands (each W_l read in place from
 * w, no copies); the core's tape autodiff would allocate tensors per op in a 2000-step loop.
 *
 * Layout of w: for each layer l = 1..L, W_l (in_l × out_l, row-major, z_l = a_{l−1}·W_l + b_l)
 * then b_l. Activations are sample-major (rows × width). relu'(0) = 0 throughout.
 */
import { addColumnSums, broadcastRow, gemmStrided, reluInto } from '../../numeric/dense'
import { gemmSkipZeros, WasmArena } from '../../numeric/wasm-arena'
import { GEMM_PANEL_DEPTH } from '../../numeric/wasm-simd'

export interface Layer {
  inDim: number
  outDim: number
  /** offset of W_l in w */
  w: number
  /** offset of b_l in w */
  b: number
}

export interface MlpShape {
  sizes: readonly number[]
  layers: Layer[]
  /** number of parameters */
  P: number
}

export function mlpShape(sizes: readonly number[]): MlpShape {
  const layers: Layer[] = []
  let off = 0
  for (let l = 1; l < sizes.length; l++) {
    layers.push({ inDim: sizes[l - 1], outDim: sizes[l], w: off, b: off + sizes[l - 1] * sizes[l] })
    off += sizes[l - 1] * sizes[l] + sizes[l]
  }
  return { sizes, layers, P: off }
}

/**
 * Weights uniform in ±gain·√(1/fan_in), biases 0. gain = √3 is the bound the spec's expected
 * values were measured with; gain = √6 is the textbook He-uniform bound.
 */
export function initParams(shape: MlpShape, gain: number, rng: { uniform(): number }): Float64Array {
  const w = new Float64Array(shape.P)
  for (const L of shape.layers) {
    const bound = gain / Math.sqrt(L.inDim)
    for (let i = 0; i < L.inDim * L.outDim; i++) w[L.w + i] = bound * (2 * rng.uniform() - 1)
  }
  return w
}

/**
 * Per-row softmax cross-entropy from logits Z (rows × K): returns the summed CE, writes the
 * softmax into Pout, and counts correct argmax predictions into the second return value.
 */
export function softmaxCE(Z: Float64Array, labels: ArrayLike<number>, rows: number, K: number, Pout: Float64Array): { ceSum: number; correct: number } {
  let ceSum = 0
  let correct = 0
  for (let i = 0; i < rows; i++) {
    const o = i * K
    let m = Z[o]
    let arg = 0
    for (let k = 1; k < K; k++) {
      if (Z[o + k] > m) {
        m = Z[o + k]
        arg = k
      }
    }
    let s = 0
    for (let k = 0; k < K; k++) {
      const e = Math.exp(Z[o + k] - m)
      Pout[o + k] = e
      s += e
    }
    const lse = m + Math.log(s)
    for (let k = 0; k < K; k++) Pout[o + k] /= s
    const y = labels[i]
    ceSum += lse - Z[o + y]
    if (arg === y) correct++
  }
  return { ceSum, correct }
}

/** softmax(z/τ) of one row into out; returns log Σ exp(z/τ) (the log-partition). */
export function temperedSoftmax(Z: Float64Array, o: number, K: number, tau: number, out: Float64Array, oo: number): number {
  let m = -Infinity
  for (let k = 0; k < K; k++) m = Math.max(m, Z[o + k] / tau)
  let s = 0
  for (let k = 0; k < K; k++) {
    const e = Math.exp(Z[o + k] / tau - m)
    out[oo + k] = e
    s += e
  }
  for (let k = 0; k < K; k++) out[oo + k] /= s
  return m + Math.log(s)
}

/**
 * Buffers for one network and a maximum number of rows. After `forward`, `logits` holds z_L;
 * set `delta[L−1]` (∂loss/∂z_L) and call `backward` for the gradient.
 */
export class MlpWorkspace {
  readonly shape: MlpShape
  readonly maxRows: number
  /** z_l for l = 1..L (index l − 1) */
  readonly Z: Float64Array[]
  /** a_l = relu(z_l) for hidden layers (index l − 1); unused for the output layer */
  readonly A: Float64Array[]
  /** δ_l = ∂loss/∂z_l (index l − 1) */
  readonly delta: Float64Array[]
  /** R-operator buffers: Rz_l (also Ra_l after masking) and Rδ_l */
  private readonly RZ: Float64Array[]
  private readonly RD: Float64Array[]
  /** softmax probabilities of the last `prepareHessian` */
  readonly probs: Float64Array
  private X: Float64Array = new Float64Array(0)
  private rows = 0

  /**
   * The WebAssembly memory the buffers live in, with room for `extraDoubles` more (a trainer's
   * parameter vectors): products among its views run in place (gemmSkipZeros), others copy.
   */
  readonly arena: WasmArena

  constructor(shape: MlpShape, maxRows: number, extraDoubles = 0) {
    this.shape = shape
    this.maxRows = maxRows
    const widths = shape.layers.reduce((sum, L) => sum + L.outDim, 0)
    const K = shape.sizes[shape.sizes.length - 1]
    const maxWidth = Math.max(...shape.sizes)
    // scratch: a transposed Wᵀ and a staged ∇Wᵀ (width² each) and a product's list
    this.arena = WasmArena.create(5 * maxRows * widths + maxRows * K + extraDoubles, 2 * maxWidth * maxWidth + 1024)
    const buf = () => shape.layers.map((L) => this.arena.alloc(maxRows * L.outDim))
    this.Z = buf()
    this.A = buf()
    this.delta = buf()
    this.RZ = buf()
    this.RD = buf()
    this.probs = this.arena.alloc(maxRows * K)
  }

  get logits(): Float64Array {
    return this.Z[this.Z.length - 1]
  }

  /** z_l, a_l for `rows` input rows X (rows × d, row-major). */
  forward(w: Float64Array, X: Float64Array, rows: number): void {
    if (rows > this.maxRows) throw new Error(`forward: ${rows} rows exceed the workspace's ${this.maxRows}`)
    this.X = X
    this.rows = rows
    const layers = this.shape.layers
    for (let l = 0; l < layers.length; l++) {
      const { inDim, outDim, w: wo, b: bo } = layers[l]
      const ain = l === 0 ? X : this.A[l - 1]
      const z = this.Z[l]
      const hidden = l < layers.length - 1
      // One panel (inDim ≤ the gemm's panel depth): the product is acc, and acc + b = b + acc is
      // the entry gemm gives on top of a broadcast bias; so write acc and add b in the ReLU pass.
      const onePanel = inDim <= GEMM_PANEL_DEPTH
      if (!onePanel) broadcastRow(z, rows, outDim, w, bo)
      // a hidden layer's input is ReLU output, half of it zeros: skip them (same bits)
      if (l === 0) this.arena.gemm(rows, outDim, inDim, 1, ain, 0, inDim, 1, w, wo, outDim, 1, z, 0, outDim, onePanel)
      else gemmSkipZeros(rows, outDim, inDim, 1, ain, 0, inDim, 1, w, wo, outDim, 1, z, 0, outDim, onePanel)
      if (onePanel) this.arena.biasRelu(z, hidden ? this.A[l] : null, rows, outDim, w, bo)
      else if (hidden) reluInto(z, this.A[l], rows * outDim)
    }
  }

  /**
   * grad ← ∂loss/∂w given δ_L in delta[L−1] (overwrites grad):
   *   ∇W_l = a_{l−1}ᵀ·δ_l,  ∇b_l = Σ_rows δ_l,  δ_{l−1} = (δ_l·W_lᵀ) ⊙ relu'(z_{l−1}).
   * Leaves every δ_l in place, which the R-backward of `hvp` reuses.
   */
  backward(w: Float64Array, grad: Float64Array): void {
    const layers = this.shape.layers
    const rows = this.rows
    // each product writes over its output block (gemm's overwrite: no zero fill, and the kernel
    // does not copy the old contents in); only the bias sums start from a zeroed slot. A hidden
    // δ's bias sum is taken in the same pass as its ReLU mask.
    const last = layers[layers.length - 1]
    grad.fill(0, last.b, last.b + last.outDim)
    addColumnSums(this.delta[layers.length - 1], rows, last.outDim, grad, last.b)
    for (let l = layers.length - 1; l >= 0; l--) {
      const { inDim, outDim, w: wo } = layers[l]
      const ain = l === 0 ? this.X : this.A[l - 1]
      const d = this.delta[l]
      if (l === 0) {
        this.arena.gemm(inDim, outDim, rows, 1, ain, 0, 1, inDim, d, 0, outDim, 1, grad, wo, outDim, true)
        break
      }
      const dPrev = this.delta[l - 1]
      if (l < layers.length - 1) {
        // a hidden δ is ReLU-masked (zeros wherever its unit was off, 75–95 % of saf's second
        // layer): ∇W_lᵀ = δ_lᵀ·a_{l−1} lists δ's nonzeros (the same products, in the same order,
        // as a_{l−1}ᵀ·δ_l), and so does δ_{l−1} = δ_l·W_lᵀ
        gemmSkipZeros(outDim, inDim, rows, 1, d, 0, 1, outDim, ain, 0, inDim, 1, grad, wo, outDim, true, true)
        gemmSkipZeros(rows, inDim, outDim, 1, d, 0, outDim, 1, w, wo, 1, outDim, dPrev, 0, inDim, true)
      } else {
        this.arena.gemm(inDim, outDim, rows, 1, ain, 0, 1, inDim, d, 0, outDim, 1, grad, wo, outDim, true)
        this.arena.gemm(rows, inDim, outDim, 1, d, 0, outDim, 1, w, wo, 1, outDim, dPrev, 0, inDim, true)
      }
      const bPrev = layers[l - 1].b
      grad.fill(0, bPrev, bPrev + inDim)
      this.arena.reluMaskAddColumnSums(dPrev, this.A[l - 1], rows, inDim, grad, bPrev)
    }
  }

  /**
   * Mean CE loss and its gradient over `rows` rows (X, labels): forward, δ_L = (P − onehot)/rows,
   * backward. Leaves P in `probs` and every δ_l in place for `hvp`. Returns the mean CE.
   */
  prepareHessian(w: Float64Array, X: Float64Array, labels: ArrayLike<number>, rows: number, grad: Float64Array): number {
    this.forward(w, X, rows)
    const K = this.shape.sizes[this.shape.sizes.length - 1]
    const { ceSum } = softmaxCE(this.logits, labels, rows, K, this.probs)
    const dL = this.delta[this.delta.length - 1]
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < K; k++) dL[i * K + k] = this.probs[i * K + k] / rows
      dL[i * K + labels[i]] -= 1 / rows
    }
    this.backward(w, grad)
    return ceSum / rows
  }

  /**
   * out ← H·v, H the Hessian of the mean CE at the point of the last `prepareHessian`
   * (Pearlmutter's R-operator; ReLU's second derivative is 0 almost everywhere):
   *   Rz_l = Ra_{l−1}·W_l + a_{l−1}·VW_l + Vb_l,  Ra_l = Rz_l ⊙ relu'(z_l),  Ra_0 = 0
   *   Rδ_L = P ⊙ (Rz_L − ⟨P, Rz_L⟩) / n
   *   R∇W_l = Ra_{l−1}ᵀ·δ_l + a_{l−1}ᵀ·Rδ_l,  R∇b_l = Σ_rows Rδ_l
   *   Rδ_{l−1} = (Rδ_l·W_lᵀ + δ_l·VW_lᵀ) ⊙ relu'(z_{l−1})
   */
  hvp(w: Float64Array, v: Float64Array, out: Float64Array): void {
    const layers = this.shape.layers
    const rows = this.rows
    const Lc = layers.length
    // R-forward
    for (let l = 0; l < Lc; l++) {
      const { inDim, outDim, w: wo, b: bo } = layers[l]
      const ain = l === 0 ? this.X : this.A[l - 1]
      const rz = this.RZ[l]
      broadcastRow(rz, rows, outDim, v, bo)
      gemmStrided(rows, outDim, inDim, 1, ain, 0, inDim, 1, v, wo, outDim, 1, rz, 0, outDim)
      if (l > 0) gemmStrided(rows, outDim, inDim, 1, this.RZ[l - 1], 0, inDim, 1, w, wo, outDim, 1, rz, 0, outDim)
      if (l < Lc - 1) maskBy(rz, this.A[l], rows * outDim) // Ra_l = Rz_l ⊙ relu'(z_l), in place
    }
    // output: Rδ_L = P ⊙ (Rz_L − ⟨P, Rz_L⟩) / n
    const K = layers[Lc - 1].outDim
    const rzL = this.RZ[Lc - 1]
    const rdL = this.RD[Lc - 1]
    const P = this.probs
    for (let i = 0; i < rows; i++) {
      const o = i * K
      let pr = 0
      for (let k = 0; k < K; k++) pr += P[o + k] * rzL[o + k]
      for (let k = 0; k < K; k++) rdL[o + k] = (P[o + k] * (rzL[o + k] - pr)) / rows
    }
    // R-backward (a hidden Rδ's bias sum in the same pass as its mask, as in `backward`)
    out.fill(0, layers[Lc - 1].b, layers[Lc - 1].b + K)
    addColumnSums(rdL, rows, K, out, layers[Lc - 1].b)
    for (let l = Lc - 1; l >= 0; l--) {
      const { inDim, outDim, w: wo } = layers[l]
      const ain = l === 0 ? this.X : this.A[l - 1]
      const d = this.delta[l]
      const rd = this.RD[l]
      gemmStrided(inDim, outDim, rows, 1, ain, 0, 1, inDim, rd, 0, outDim, 1, out, wo, outDim, true)
      if (l === 0) break
      gemmStrided(inDim, outDim, rows, 1, this.RZ[l - 1], 0, 1, inDim, d, 0, outDim, 1, out, wo, outDim)
      const rdPrev = this.RD[l - 1]
      gemmStrided(rows, inDim, outDim, 1, rd, 0, outDim, 1, w, wo, 1, outDim, rdPrev, 0, inDim, true)
      gemmStrided(rows, inDim, outDim, 1, d, 0, outDim, 1, v, wo, 1, outDim, rdPrev, 0, inDim)
      const bPrev = layers[l - 1].b
      out.fill(0, bPrev, bPrev + inDim)
      this.arena.reluMaskAddColumnSums(rdPrev, this.A[l - 1], rows, inDim, out, bPrev)
    }
  }
}




/**
 * X ⊙ relu'(z) with relu'(z) = 1[a > 0], a = relu(z): X times 0 or 1, without a branch on the
 * sign (one mispredicts half the time on a ReLU pattern). A masked entry becomes ±0, which the
 * sums it enters cannot tell from +0.
 */
function maskBy(X: Float64Array, a: Float64Array, n: number): void {
  for (let t = 0; t < n; t++) X[t] *= +(a[t] > 0)
}
