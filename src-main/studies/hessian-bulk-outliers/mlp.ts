/**
 * A fully connected ReLU network with softmax output and mean cross-entropy, over one flat
 * float64 parameter vector, with its exact gradient and exact Hessian-vector products by
 * Pearlmutter's R-operator (forward-over-reverse), written by hand for speed.
 *
 * Layout of θ: for each layer l = 1..L, W_l (in_l × out_l, row-major, z = a·W + b) then b_l.
 * Activations are sample-major (n × width, row-major). The loss is
 *   L(θ) = (1/n) Σ_i −log softmax(z_L,i)[y_i],
 * computed through log-softmax (no probability clipping: the authors' `log_loss` clips at 1e-15,
 * which zeroes the gradient and Hessian of saturated samples).
 *
 * `forward` and `gradient` (the training loop's per-step work) run their layer products through
 * the numeric core's gemmStrided (each W_l read in place from θ): at N = 300 its packed SIMD
 * kernel is faster than any scalar loop here, even one that skips the ReLU zeros. `hvp` keeps
 * its own loops, which skip the rows of V that are zero (a basis direction touches one row).
 */
import { broadcastRow, gemmStrided, reluInto } from '../../numeric/dense'
import { gemmSkipZeros, WasmArena } from '../../numeric/wasm-arena'
import { GEMM_PANEL_DEPTH } from '../../numeric/wasm-simd'

export interface LayerShape {
  inDim: number
  outDim: number
  /** offset of W_l in θ */
  w: number
  /** offset of b_l in θ */
  b: number
}

/** Layer shapes and parameter offsets of the network sizes[0] → sizes[1] → … → sizes[L]. */
export function layerShapes(sizes: readonly number[]): { layers: LayerShape[]; P: number } {
  const layers: LayerShape[] = []
  let off = 0
  for (let l = 1; l < sizes.length; l++) {
    const inDim = sizes[l - 1]
    const outDim = sizes[l]
    layers.push({ inDim, outDim, w: off, b: off + inDim * outDim })
    off += inDim * outDim + outDim
  }
  return { layers, P: off }
}

/** Every weight and bias i.i.d. scale·N(0, 1) (the authors' initialisation). */
export function initParams(P: number, scale: number, rng: { normal(): number }): Float64Array {
  const theta = new Float64Array(P)
  for (let i = 0; i < P; i++) theta[i] = scale * rng.normal()
  return theta
}

export class Mlp {
  readonly layers: LayerShape[]
  readonly P: number
  readonly L: number
  readonly classes: number
  private readonly maxRows: number
  /**
   * z_l and a_l = relu(z_l) for l = 1..L (index l − 1); a_L is the softmax P. A hidden layer's
   * relu is taken in place (A[l] is Z[l]): its z is needed afterwards only through z > 0, which
   * a = relu(z) > 0 answers alike. One buffer instead of two also keeps the relu pass off the
   * cache conflicts between two 48 KB buffers (measured: 18 µs → 10 µs for the two passes).
   */
  private readonly Z: Float64Array[]
  private readonly A: Float64Array[]
  /** δ_l = ∂(loss)/∂z_l, kept from the last gradient pass for the R-backward */
  private readonly D: Float64Array[]
  private readonly RZ: Float64Array[]
  private readonly RD: Float64Array[]
  /** the input rows of the last forward pass */
  private X: Float64Array = new Float64Array(0)
  private labels: ArrayLike<number> = []
  private rows = 0
  private readonly rowsNonzero: Int32Array[]
  private readonly rowsCount: Int32Array

  /**
   * The WebAssembly memory the buffers live in, with room for `extraDoubles` more (θ and ∇L, see
   * setUp): the hidden layers' products among its views run in place (gemmSkipZeros).
   */
  readonly arena: WasmArena

  constructor(
    readonly sizes: readonly number[],
    maxRows: number,
    extraDoubles = 0,
  ) {
    const { layers, P } = layerShapes(sizes)
    this.layers = layers
    this.P = P
    this.L = layers.length
    this.classes = sizes[sizes.length - 1]
    this.maxRows = maxRows
    const widths = layers.reduce((sum, s) => sum + s.outDim, 0)
    const maxWidth = Math.max(...sizes)
    // Z, the output layer's A, D, RZ, RD; scratch: a transposed Wᵀ, a staged ∇Wᵀ and a list
    this.arena = WasmArena.create(5 * maxRows * widths + extraDoubles, 2 * maxWidth * maxWidth + 1024)
    const arena = this.arena
    const buf = () => layers.map((s) => arena.alloc(maxRows * s.outDim))
    this.Z = buf()
    const Z = this.Z
    this.A = layers.map((s, l) => (l < layers.length - 1 ? Z[l] : arena.alloc(maxRows * s.outDim)))
    this.D = buf()
    this.RZ = buf()
    this.RD = buf()
    this.rowsNonzero = layers.map((s) => new Int32Array(s.inDim))
    this.rowsCount = new Int32Array(layers.length)
  }

  /** The input of layer l (0-based): X for the first layer, a_{l} otherwise. */
  private input(l: number): Float64Array {
    return l === 0 ? this.X : this.A[l - 1]
  }

  /**
   * Forward pass on n rows of X (n × sizes[0]) with labels; returns the mean cross-entropy.
   * Keeps every z_l, a_l and the softmax for `gradient` and `hvp`.
   */
  forward(theta: Float64Array, X: Float64Array, labels: ArrayLike<number>, n: number): number {
    if (n > this.maxRows) throw new RangeError(`Mlp.forward: ${n} rows exceed the ${this.maxRows} allocated`)
    this.X = X
    this.labels = labels
    this.rows = n
    const L = this.L
    for (let l = 0; l < L; l++) {
      const { inDim, outDim, w, b } = this.layers[l]
      const z = this.Z[l]
      const hidden = l < L - 1
      if (inDim <= GEMM_PANEL_DEPTH) {
        // one panel: the product is acc, and acc + b = b + acc is the entry gemm gives on top of
        // a broadcast bias, so write acc and add b in the relu pass. A hidden layer's input is
        // relu output (zeros where a unit is off): gemmSkipZeros skips them, with the same bits.
        // relu as z·[z > 0], branch-free; a negative z gives −0, which no sum it enters can tell
        // from +0. In place: this.A[l] is z.
        if (l === 0) this.arena.gemm(n, outDim, inDim, 1, this.X, 0, inDim, 1, theta, w, outDim, 1, z, 0, outDim, true)
        else gemmSkipZeros(n, outDim, inDim, 1, this.A[l - 1], 0, inDim, 1, theta, w, outDim, 1, z, 0, outDim, true)
        this.arena.biasRelu(z, hidden ? z : null, n, outDim, theta, b)
      } else {
        broadcastRow(z, n, outDim, theta, b)
        gemmStrided(n, outDim, inDim, 1, this.input(l), 0, inDim, 1, theta, w, outDim, 1, z, 0, outDim)
        if (hidden) reluInto(z, z, n * outDim)
      }
    }
    // log-softmax cross-entropy; A[L-1] holds the probabilities
    return softmaxCrossEntropy(this.Z[L - 1], this.A[L - 1], labels, n, this.classes)
  }

  /** Fraction of the last forward pass's rows whose largest logit is the label. */
  accuracy(): number {
    const k = this.classes
    const z = this.Z[this.L - 1]
    let hit = 0
    for (let i = 0; i < this.rows; i++) {
      let best = 0
      for (let c = 1; c < k; c++) if (z[i * k + c] > z[i * k + best]) best = c
      if (best === this.labels[i]) hit++
    }
    return this.rows > 0 ? hit / this.rows : 0
  }

  /**
   * ∇L at the point of the last forward pass, into g (length P). Backprop:
   * δ_L = (P − Y)/n, gW_l = a_{l−1}ᵀ δ_l, gb_l = Σ_rows δ_l, δ_{l−1} = (δ_l W_lᵀ) ⊙ relu'(z_{l−1}).
   */
  gradient(theta: Float64Array, g: Float64Array): Float64Array {
    const n = this.rows
    const L = this.L
    const k = this.classes
    const dL = this.D[L - 1]
    const prob = this.A[L - 1]
    const labels = this.labels
    const inv = 1 / n
    // δ_L = (P − Y)/n column by column, each column's sum (gb_L) taken in the same pass, rows in
    // order from 0 (the sums addColumnSums would form, to the bit)
    const bL = this.layers[L - 1].b
    const end = n * k
    for (let c = 0; c < k; c++) {
      let s = 0
      for (let i = 0, o = c; o < end; i++, o += k) {
        let v = prob[o] * inv
        if (labels[i] === c) v -= inv
        dL[o] = v
        s += v
      }
      g[bL + c] = s
    }
    for (let l = L - 1; l >= 0; l--) {
      const { inDim, outDim, w } = this.layers[l]
      const d = this.D[l]
      // gW_l written over g's block (overwrite: no zero fill, no copy of g into the kernel);
      // gb_l was summed when δ_l was formed. A hidden δ_l is relu-masked (zeros where its unit
      // was off): ∇W_lᵀ = δ_lᵀ·a_{l−1} lists its nonzeros (the same products, in the same order,
      // as a_{l−1}ᵀ·δ_l), and so does δ_{l−1} = δ_l·W_lᵀ
      const masked = l < L - 1
      if (masked) gemmSkipZeros(outDim, inDim, n, 1, d, 0, 1, outDim, this.input(l), 0, inDim, 1, g, w, outDim, true, true)
      else this.arena.gemm(inDim, outDim, n, 1, this.input(l), 0, 1, inDim, d, 0, outDim, 1, g, w, outDim, true)
      if (l > 0) {
        // δ_{l−1} = (δ_l·W_lᵀ) ⊙ relu'(z_{l−1}), the mask as a product with 0 or 1: a branch on
        // the sign mispredicts half the time on a ReLU pattern (a masked entry is ±0, which the
        // sums it enters cannot tell from +0)
        const dPrev = this.D[l - 1]
        if (masked) gemmSkipZeros(n, inDim, outDim, 1, d, 0, outDim, 1, theta, w, 1, outDim, dPrev, 0, inDim, true)
        else this.arena.gemm(n, inDim, outDim, 1, d, 0, outDim, 1, theta, w, 1, outDim, dPrev, 0, inDim, true)
        const bPrev = this.layers[l - 1].b
        g.fill(0, bPrev, bPrev + inDim)
        this.arena.reluMaskAddColumnSums(dPrev, this.A[l - 1], n, inDim, g, bPrev)
      }
    }
    return g
  }

  /**
   * Exact Hessian-vector product H·v at the point of the last forward + gradient pass, by the
   * R-operator (Pearlmutter 1994):
   *   R-forward  Rz_l = Ra_{l−1} W_l + a_{l−1} VW_l + Vb_l,  Ra_l = Rz_l ⊙ relu'(z_l),  Ra_0 = 0;
   *   softmax    RP = P ⊙ (Rz_L − ⟨P, Rz_L⟩) row-wise,  Rδ_L = RP/n;
   *   R-backward Rδ_{l−1} = (Rδ_l W_lᵀ + δ_l VW_lᵀ) ⊙ relu'(z_{l−1})  (relu'' = 0);
   *   parameters RgW_l = Ra_{l−1}ᵀ δ_l + a_{l−1}ᵀ Rδ_l,  Rgb_l = Σ_rows Rδ_l.
   * Layers below the first one that v touches have Ra = 0 and are skipped, and only the
   * non-zero rows of each VW_l are visited: a basis direction costs far less than a dense one.
   */
  hvp(theta: Float64Array, v: Float64Array, out: Float64Array): Float64Array {
    const n = this.rows
    const L = this.L
    const k = this.classes
    // which rows p of each VW_l are non-zero, and whether each Vb_l is
    let first = L
    const vbNonzero: boolean[] = []
    for (let l = 0; l < L; l++) {
      const { inDim, outDim, w, b } = this.layers[l]
      const rowsNz = this.rowsNonzero[l]
      let cnt = 0
      for (let p = 0; p < inDim; p++) {
        const o = w + p * outDim
        for (let q = 0; q < outDim; q++) {
          if (v[o + q] !== 0) {
            rowsNz[cnt++] = p
            break
          }
        }
      }
      this.rowsCount[l] = cnt
      let bnz = false
      for (let q = 0; q < outDim; q++) if (v[b + q] !== 0) bnz = true
      vbNonzero.push(bnz)
      if ((cnt > 0 || bnz) && first === L) first = l
    }
    out.fill(0)
    if (first === L) return out
    // R-forward from the first touched layer; RZ[l] holds Ra_l (masked) for hidden layers
    for (let l = first; l < L; l++) {
      const { inDim, outDim, w, b } = this.layers[l]
      const a = this.input(l)
      const rz = this.RZ[l]
      const z = this.Z[l]
      const cnt = this.rowsCount[l]
      const rowsNz = this.rowsNonzero[l]
      const ra = l > first ? this.RZ[l - 1] : null
      for (let i = 0; i < n; i++) {
        const zo = i * outDim
        if (vbNonzero[l]) for (let q = 0; q < outDim; q++) rz[zo + q] = v[b + q]
        else for (let q = 0; q < outDim; q++) rz[zo + q] = 0
        const ao = i * inDim
        if (ra) {
          for (let p = 0; p < inDim; p++) {
            const r = ra[ao + p]
            if (r === 0) continue
            const wo = w + p * outDim
            for (let q = 0; q < outDim; q++) rz[zo + q] += r * theta[wo + q]
          }
        }
        for (let c = 0; c < cnt; c++) {
          const p = rowsNz[c]
          const ap = a[ao + p]
          if (ap === 0) continue
          const vo = w + p * outDim
          for (let q = 0; q < outDim; q++) rz[zo + q] += ap * v[vo + q]
        }
        if (l < L - 1) for (let q = 0; q < outDim; q++) if (!(z[zo + q] > 0)) rz[zo + q] = 0
      }
    }
    // softmax R-op and Rδ_L = RP/n
    const rzL = this.RZ[L - 1]
    const prob = this.A[L - 1]
    const rdL = this.RD[L - 1]
    const inv = 1 / n
    for (let i = 0; i < n; i++) {
      const o = i * k
      let s = 0
      for (let c = 0; c < k; c++) s += prob[o + c] * rzL[o + c]
      for (let c = 0; c < k; c++) rdL[o + c] = prob[o + c] * (rzL[o + c] - s) * inv
    }
    // R-backward
    for (let l = L - 1; l >= 0; l--) {
      const { inDim, outDim, w, b } = this.layers[l]
      const a = this.input(l)
      const d = this.D[l]
      const rd = this.RD[l]
      // RgW_l = a_{l−1}ᵀ Rδ_l + Ra_{l−1}ᵀ δ_l
      accumulateAtB(a, rd, n, inDim, outDim, out, w)
      if (l > first) accumulateAtB(this.RZ[l - 1], d, n, inDim, outDim, out, w)
      for (let i = 0; i < n; i++) for (let q = 0; q < outDim; q++) out[b + q] += rd[i * outDim + q]
      if (l === 0) break
      // Rδ_{l−1} = (Rδ_l W_lᵀ + δ_l VW_lᵀ) ⊙ relu'(z_{l−1})
      const rdPrev = this.RD[l - 1]
      const zPrev = this.Z[l - 1]
      const cnt = this.rowsCount[l]
      const rowsNz = this.rowsNonzero[l]
      for (let i = 0; i < n; i++) {
        const dof = i * outDim
        const po = i * inDim
        for (let p = 0; p < inDim; p++) {
          const idx = po + p
          if (!(zPrev[idx] > 0)) {
            rdPrev[idx] = 0
            continue
          }
          const wo = w + p * outDim
          let s = 0
          for (let q = 0; q < outDim; q++) s += rd[dof + q] * theta[wo + q]
          rdPrev[idx] = s
        }
        for (let c = 0; c < cnt; c++) {
          const p = rowsNz[c]
          const idx = po + p
          if (!(zPrev[idx] > 0)) continue
          const vo = w + p * outDim
          let s = 0
          for (let q = 0; q < outDim; q++) s += d[dof + q] * v[vo + q]
          rdPrev[idx] += s
        }
      }
    }
    return out
  }

  /**
   * The exact P × P Hessian at the point of the last forward + gradient pass, column by column
   * from basis-direction R-ops (H e_j), in blocks of `block` directions (progress/cancel
   * granularity), then symmetrised. Returns null when `shouldStop` answers true.
   */
  hessian(theta: Float64Array, opts: { block?: number; onBlock?: (done: number) => boolean } = {}): { H: Float64Array; asymmetry: number } | null {
    const P = this.P
    const block = opts.block ?? 64
    const H = new Float64Array(P * P)
    const e = new Float64Array(P)
    const col = new Float64Array(P)
    for (let j = 0; j < P; j++) {
      e[j] = 1
      this.hvp(theta, e, col)
      e[j] = 0
      // column j of H = row j of H (stored as row j; symmetrised below)
      H.set(col, j * P)
      if ((j + 1) % block === 0 || j === P - 1) {
        if (opts.onBlock && opts.onBlock(j + 1)) return null
      }
    }
    let asym = 0
    let scale = 0
    for (let i = 0; i < P; i++) {
      for (let j = i + 1; j < P; j++) {
        const a = H[i * P + j]
        const b = H[j * P + i]
        const d = Math.abs(a - b)
        if (d > asym) asym = d
        const m = 0.5 * (a + b)
        H[i * P + j] = m
        H[j * P + i] = m
      }
      const dv = Math.abs(H[i * P + i])
      if (dv > scale) scale = dv
    }
    return { H, asymmetry: scale > 0 ? asym / scale : asym }
  }
}

/**
 * P = softmax(z) row by row (z, P: n × k) and the mean cross-entropy −(1/n) Σ_i log P[i, y_i], by
 * log-softmax: P = e^{z − m} / Σ e^{z − m} with m the row's largest logit (one exp per logit, the
 * log-sum only enters the loss).
 */
function softmaxCrossEntropy(z: Float64Array, prob: Float64Array, labels: ArrayLike<number>, n: number, k: number): number {
  let loss = 0
  for (let i = 0, o = 0; i < n; i++, o += k) {
    let m = -Infinity
    for (let c = 0; c < k; c++) if (z[o + c] > m) m = z[o + c]
    let s = 0
    for (let c = 0; c < k; c++) {
      const e = Math.exp(z[o + c] - m)
      prob[o + c] = e
      s += e
    }
    const logS = Math.log(s)
    for (let c = 0; c < k; c++) prob[o + c] /= s
    loss -= z[o + labels[i]] - m - logS
  }
  return loss / n
}


/** G[off + p·out + q] += Σ_i A[i, p]·B[i, q] for A (n × inDim), B (n × outDim). */
function accumulateAtB(A: Float64Array, B: Float64Array, n: number, inDim: number, outDim: number, G: Float64Array, off: number): void {
  // G[p, q..q+3] accumulated in locals over the rows i (in order, skipping a_ip = 0, as the
  // row-by-row rank-one updates do): the same sums to the bit, without a store per multiply-add.
  for (let p = 0; p < inDim; p++) {
    const go = off + p * outDim
    let q = 0
    for (; q + 7 < outDim; q += 8) {
      let g0 = G[go + q]
      let g1 = G[go + q + 1]
      let g2 = G[go + q + 2]
      let g3 = G[go + q + 3]
      let g4 = G[go + q + 4]
      let g5 = G[go + q + 5]
      let g6 = G[go + q + 6]
      let g7 = G[go + q + 7]
      for (let i = 0, ai = p, bo = q; i < n; i++, ai += inDim, bo += outDim) {
        const ap = A[ai]
        if (ap === 0) continue
        g0 += ap * B[bo]
        g1 += ap * B[bo + 1]
        g2 += ap * B[bo + 2]
        g3 += ap * B[bo + 3]
        g4 += ap * B[bo + 4]
        g5 += ap * B[bo + 5]
        g6 += ap * B[bo + 6]
        g7 += ap * B[bo + 7]
      }
      G[go + q] = g0
      G[go + q + 1] = g1
      G[go + q + 2] = g2
      G[go + q + 3] = g3
      G[go + q + 4] = g4
      G[go + q + 5] = g5
      G[go + q + 6] = g6
      G[go + q + 7] = g7
    }
    for (; q + 3 < outDim; q += 4) {
      let g0 = G[go + q]
      let g1 = G[go + q + 1]
      let g2 = G[go + q + 2]
      let g3 = G[go + q + 3]
      for (let i = 0, ai = p, bo = q; i < n; i++, ai += inDim, bo += outDim) {
        const ap = A[ai]
        if (ap === 0) continue
        g0 += ap * B[bo]
        g1 += ap * B[bo + 1]
        g2 += ap * B[bo + 2]
        g3 += ap * B[bo + 3]
      }
      G[go + q] = g0
      G[go + q + 1] = g1
      G[go + q + 2] = g2
      G[go + q + 3] = g3
    }
    for (; q < outDim; q++) {
      let g0 = G[go + q]
      for (let i = 0, ai = p, bo = q; i < n; i++, ai += inDim, bo += outDim) {
        const ap = A[ai]
        if (ap === 0) continue
        g0 += ap * B[bo]
      }
      G[go + q] = g0
    }
  }
}
