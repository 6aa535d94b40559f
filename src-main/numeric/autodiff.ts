/**
 * A small reverse-mode automatic differentiation over float64 tensors, with exact
 * Hessian-vector products by forward-over-reverse (Pearlmutter, "Fast exact multiplication by
 * the Hessian", Neural Computation 6(1), 1994: the R{·} operator).
 *
 * Every tensor carries its value and, when a direction v is seeded on the parameters, its
 * tangent (the directional derivative R{value}). The backward pass propagates adjoints and the
 * tangents of the adjoints, R{grad}; at the parameters R{grad} = H·v exactly, at the cost of
 * about two gradients. Each op therefore states four rules: value, tangent (JVP), adjoint (VJP)
 * and the tangent of the adjoint.
 *
 *   const { value, grads } = valueAndGrad((t, [w]) => ad.mean(ad.square(ad.matmul(X, w))), [param])
 *   const { hv } = hessianVectorProduct(f, [param], [v])
 *
 * Shapes are row-major; matmul is 2-D; broadcasting is NumPy's for the case a bias needs: the
 * smaller operand's shape is a suffix of the larger's ([n] onto [m, n], a scalar onto anything).
 */
import { gemm } from './dense'

export class Tape {
  /** Tensors in creation order (a topological order of the graph). */
  readonly nodes: Tensor[] = []
  /** Whether tangents propagate (set when a direction is seeded: HVP mode). */
  tangents = false

  /** A leaf that receives a gradient. */
  param(value: Float64Array, shape: readonly number[], tangent: Float64Array | null = null): Tensor {
    const t = new Tensor(this, value, shape, tangent, true)
    if (tangent) this.tangents = true
    return t
  }

  /** A leaf that receives no gradient (data, labels, fixed weights). */
  constant(value: Float64Array | number[], shape: readonly number[] = [value.length]): Tensor {
    return new Tensor(this, value instanceof Float64Array ? value : Float64Array.from(value), shape, null, false)
  }

  /**
   * Backpropagate from the scalar `output` (seed 1). Afterwards each tensor that requires a
   * gradient holds `grad` and, in tangent mode, `gradTangent` (H·v at the parameters).
   */
  backward(output: Tensor): void {
    if (output.size !== 1) throw new Error(`backward: output must be a scalar, got shape [${output.shape}]`)
    for (const node of this.nodes) {
      node.grad = null
      node.gradTangent = null
    }
    output.grad = Float64Array.of(1)
    if (this.tangents) output.gradTangent = new Float64Array(1)
    for (let i = this.nodes.length - 1; i >= 0; i--) {
      const node = this.nodes[i]
      if (node.grad && node.backwardRule) node.backwardRule()
    }
  }
}

export class Tensor {
  readonly shape: readonly number[]
  readonly size: number
  /** Adjoint ∂output/∂this after Tape.backward (null when unreached or not required). */
  grad: Float64Array | null = null
  /** R{adjoint}: the derivative of the adjoint along the seeded direction (tangent mode). */
  gradTangent: Float64Array | null = null
  /** Propagates this tensor's adjoint to its inputs. */
  backwardRule: (() => void) | null = null

  constructor(
    readonly tape: Tape,
    readonly value: Float64Array,
    shape: readonly number[],
    /** R{value}: the directional derivative of the value (null means zero). */
    readonly tangent: Float64Array | null,
    /** Whether some parameter influences this tensor. */
    readonly requiresGrad: boolean,
  ) {
    this.shape = [...shape]
    this.size = shape.reduce((a, b) => a * b, 1)
    if (value.length !== this.size) throw new RangeError(`Tensor: ${value.length} values for shape [${shape}]`)
    if (tangent && tangent.length !== this.size) throw new RangeError(`Tensor: tangent of length ${tangent.length} for shape [${shape}]`)
    tape.nodes.push(this)
  }

  /** The adjoint buffer, created at zero on first use. */
  adjoint(): Float64Array {
    if (!this.grad) this.grad = new Float64Array(this.size)
    return this.grad
  }

  /** The adjoint's tangent buffer, created at zero on first use (tangent mode only). */
  adjointTangent(): Float64Array {
    if (!this.gradTangent) this.gradTangent = new Float64Array(this.size)
    return this.gradTangent
  }

  /** The scalar value of a size-1 tensor. */
  item(): number {
    if (this.size !== 1) throw new Error(`item: tensor of shape [${this.shape}] is not a scalar`)
    return this.value[0]
  }
}

function result(inputs: Tensor[], value: Float64Array, shape: readonly number[], tangent: Float64Array | null): Tensor {
  const tape = inputs[0].tape
  for (const t of inputs) if (t.tape !== tape) throw new Error('autodiff: tensors from different tapes')
  return new Tensor(tape, value, shape, tape.tangents ? (tangent ?? new Float64Array(value.length)) : null, inputs.some((t) => t.requiresGrad))
}

/** Whether `small` broadcasts onto `big` as a suffix (or a scalar). */
function isSuffix(small: readonly number[], big: readonly number[]): boolean {
  const s = small.reduce((a, b) => a * b, 1)
  if (s === 1) return true
  if (small.length > big.length) return false
  const off = big.length - small.length
  return small.every((d, i) => d === big[off + i])
}

function broadcastPair(op: string, a: Tensor, b: Tensor): { big: Tensor; small: Tensor; swapped: boolean } {
  if (isSuffix(b.shape, a.shape)) return { big: a, small: b, swapped: false }
  if (isSuffix(a.shape, b.shape)) return { big: b, small: a, swapped: true }
  throw new RangeError(`${op}: shapes [${a.shape}] and [${b.shape}] do not broadcast (one must be a suffix of the other)`)
}

// ---------------------------------------------------------------------------------------------
// Linear ops

/** alpha·a + beta·b with suffix broadcasting. */
function linearCombination(op: string, a: Tensor, b: Tensor, alpha: number, beta: number): Tensor {
  const { big, small, swapped } = broadcastPair(op, a, b)
  const cBig = swapped ? beta : alpha
  const cSmall = swapped ? alpha : beta
  const n = big.size
  const s = small.size
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) v[i] = cBig * big.value[i] + cSmall * small.value[i % s]
  let t: Float64Array | null = null
  if (big.tape.tangents) {
    t = new Float64Array(n)
    if (big.tangent) for (let i = 0; i < n; i++) t[i] = cBig * big.tangent[i]
    if (small.tangent) for (let i = 0; i < n; i++) t[i] += cSmall * small.tangent[i % s]
  }
  const out = result([a, b], v, big.shape, t)
  out.backwardRule = () => {
    const g = out.grad!
    const gt = out.gradTangent
    if (big.requiresGrad) {
      const bg = big.adjoint()
      for (let i = 0; i < n; i++) bg[i] += cBig * g[i]
      if (gt) {
        const bt = big.adjointTangent()
        for (let i = 0; i < n; i++) bt[i] += cBig * gt[i]
      }
    }
    if (small.requiresGrad) {
      const sg = small.adjoint()
      for (let i = 0; i < n; i++) sg[i % s] += cSmall * g[i]
      if (gt) {
        const st = small.adjointTangent()
        for (let i = 0; i < n; i++) st[i % s] += cSmall * gt[i]
      }
    }
  }
  return out
}

/** a + b (suffix broadcasting: a bias [n] onto [m, n]). */
export function add(a: Tensor, b: Tensor): Tensor {
  return linearCombination('add', a, b, 1, 1)
}

/** a − b (suffix broadcasting). */
export function sub(a: Tensor, b: Tensor): Tensor {
  return linearCombination('sub', a, b, 1, -1)
}

/** c·a for a constant c. */
export function scale(a: Tensor, c: number): Tensor {
  const n = a.size
  const v = a.value.map((x) => c * x)
  const t = a.tangent ? a.tangent.map((x) => c * x) : null
  const out = result([a], v, a.shape, t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const g = out.grad!
    const ag = a.adjoint()
    for (let i = 0; i < n; i++) ag[i] += c * g[i]
    if (out.gradTangent) {
      const at = a.adjointTangent()
      for (let i = 0; i < n; i++) at[i] += c * out.gradTangent[i]
    }
  }
  return out
}

/** −a. */
export function neg(a: Tensor): Tensor {
  return scale(a, -1)
}

/** Σ of all entries, a scalar of shape [1]. */
export function sum(a: Tensor): Tensor {
  const n = a.size
  let s = 0
  for (let i = 0; i < n; i++) s += a.value[i]
  let t: Float64Array | null = null
  if (a.tangent) {
    let st = 0
    for (let i = 0; i < n; i++) st += a.tangent[i]
    t = Float64Array.of(st)
  }
  const out = result([a], Float64Array.of(s), [1], t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const g = out.grad![0]
    const ag = a.adjoint()
    for (let i = 0; i < n; i++) ag[i] += g
    if (out.gradTangent) {
      const gt = out.gradTangent[0]
      const at = a.adjointTangent()
      for (let i = 0; i < n; i++) at[i] += gt
    }
  }
  return out
}

/** Mean of all entries. */
export function mean(a: Tensor): Tensor {
  return scale(sum(a), 1 / a.size)
}

/** The same values under a new shape of equal size. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const size = shape.reduce((x, y) => x * y, 1)
  if (size !== a.size) throw new RangeError(`reshape: [${a.shape}] has ${a.size} entries, [${shape}] needs ${size}`)
  const out = result([a], a.value.slice(), shape, a.tangent ? a.tangent.slice() : null)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const ag = a.adjoint()
    const g = out.grad!
    for (let i = 0; i < g.length; i++) ag[i] += g[i]
    if (out.gradTangent) {
      const at = a.adjointTangent()
      for (let i = 0; i < g.length; i++) at[i] += out.gradTangent[i]
    }
  }
  return out
}

function transposeInto(src: Float64Array, m: number, n: number, dst: Float64Array, accumulate: boolean): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      if (accumulate) dst[j * m + i] += src[i * n + j]
      else dst[j * m + i] = src[i * n + j]
    }
  }
}

/** The transpose of a 2-D tensor. */
export function transpose(a: Tensor): Tensor {
  if (a.shape.length !== 2) throw new RangeError(`transpose: needs a 2-D tensor, got [${a.shape}]`)
  const [m, n] = a.shape
  const v = new Float64Array(m * n)
  transposeInto(a.value, m, n, v, false)
  let t: Float64Array | null = null
  if (a.tangent) {
    t = new Float64Array(m * n)
    transposeInto(a.tangent, m, n, t, false)
  }
  const out = result([a], v, [n, m], t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    transposeInto(out.grad!, n, m, a.adjoint(), true)
    if (out.gradTangent) transposeInto(out.gradTangent, n, m, a.adjointTangent(), true)
  }
  return out
}

/**
 * C = A·B for A [m, k] and B [k, n] (a vector B of shape [k] is treated as [k, 1] and the result
 * has shape [m]). R{C} = R{A}·B + A·R{B}; Ā += C̄·Bᵀ, B̄ += Aᵀ·C̄, and their tangents by the
 * product rule.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  if (a.shape.length !== 2) throw new RangeError(`matmul: left operand must be 2-D, got [${a.shape}]`)
  const [m, k] = a.shape
  const vectorB = b.shape.length === 1
  const kb = b.shape[0]
  const n = vectorB ? 1 : b.shape[1]
  if (b.shape.length > 2 || kb !== k) throw new RangeError(`matmul: shapes [${a.shape}] and [${b.shape}] do not chain`)
  const A = a.value
  const B = b.value
  const v = gemm(false, false, m, n, k, 1, A, B, 0, new Float64Array(m * n))
  let t: Float64Array | null = null
  if (a.tape.tangents) {
    t = new Float64Array(m * n)
    if (a.tangent) gemm(false, false, m, n, k, 1, a.tangent, B, 1, t)
    if (b.tangent) gemm(false, false, m, n, k, 1, A, b.tangent, 1, t)
  }
  const out = result([a, b], v, vectorB ? [m] : [m, n], t)
  out.backwardRule = () => {
    const G = out.grad!
    const Gt = out.gradTangent
    if (a.requiresGrad) {
      gemm(false, true, m, k, n, 1, G, B, 1, a.adjoint())
      if (Gt) {
        const at = a.adjointTangent()
        gemm(false, true, m, k, n, 1, Gt, B, 1, at)
        if (b.tangent) gemm(false, true, m, k, n, 1, G, b.tangent, 1, at)
      }
    }
    if (b.requiresGrad) {
      gemm(true, false, k, n, m, 1, A, G, 1, b.adjoint())
      if (Gt) {
        const bt = b.adjointTangent()
        gemm(true, false, k, n, m, 1, A, Gt, 1, bt)
        if (a.tangent) gemm(true, false, k, n, m, 1, a.tangent, G, 1, bt)
      }
    }
  }
  return out
}

/** y = a ⊙ b, elementwise with suffix broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  const { big, small } = broadcastPair('mul', a, b)
  const n = big.size
  const s = small.size
  const X = big.value
  const Y = small.value
  const Xt = big.tangent
  const Yt = small.tangent
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) v[i] = X[i] * Y[i % s]
  let t: Float64Array | null = null
  if (big.tape.tangents) {
    t = new Float64Array(n)
    if (Xt) for (let i = 0; i < n; i++) t[i] = Xt[i] * Y[i % s]
    if (Yt) for (let i = 0; i < n; i++) t[i] += X[i] * Yt[i % s]
  }
  const out = result([a, b], v, big.shape, t)
  out.backwardRule = () => {
    const g = out.grad!
    const gt = out.gradTangent
    if (big.requiresGrad) {
      const bg = big.adjoint()
      for (let i = 0; i < n; i++) bg[i] += g[i] * Y[i % s]
      if (gt) {
        const bt = big.adjointTangent()
        for (let i = 0; i < n; i++) bt[i] += gt[i] * Y[i % s] + (Yt ? g[i] * Yt[i % s] : 0)
      }
    }
    if (small.requiresGrad) {
      const sg = small.adjoint()
      for (let i = 0; i < n; i++) sg[i % s] += g[i] * X[i]
      if (gt) {
        const st = small.adjointTangent()
        for (let i = 0; i < n; i++) st[i % s] += gt[i] * X[i] + (Xt ? g[i] * Xt[i] : 0)
      }
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Elementwise nonlinearities: value f, slope f′, curvature f″ (for the adjoint's tangent).

/**
 * y = f(x) elementwise. R{y} = f′(x)·R{x}; x̄ += ȳ·f′(x); R{x̄} += R{ȳ}·f′(x) + ȳ·f″(x)·R{x}.
 * `derivs` writes f′ and f″ given x and y = f(x) (so sigmoid and tanh reuse y).
 */
function elementwise(a: Tensor, f: (x: number) => number, derivs: (x: number, y: number, d: Float64Array, i: number, d2: Float64Array | null) => void): Tensor {
  const n = a.size
  const x = a.value
  const v = new Float64Array(n)
  for (let i = 0; i < n; i++) v[i] = f(x[i])
  const d1 = new Float64Array(n)
  const tangentMode = a.tape.tangents
  const d2 = tangentMode && a.tangent ? new Float64Array(n) : null
  for (let i = 0; i < n; i++) derivs(x[i], v[i], d1, i, d2)
  let t: Float64Array | null = null
  if (tangentMode) {
    t = new Float64Array(n)
    if (a.tangent) for (let i = 0; i < n; i++) t[i] = d1[i] * a.tangent[i]
  }
  const out = result([a], v, a.shape, t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const g = out.grad!
    const ag = a.adjoint()
    for (let i = 0; i < n; i++) ag[i] += g[i] * d1[i]
    if (out.gradTangent) {
      const gt = out.gradTangent
      const at = a.adjointTangent()
      for (let i = 0; i < n; i++) at[i] += gt[i] * d1[i]
      if (d2 && a.tangent) for (let i = 0; i < n; i++) at[i] += g[i] * d2[i] * a.tangent[i]
    }
  }
  return out
}

/** max(x, 0); f′ = [x > 0], f″ = 0 (almost everywhere). */
export function relu(a: Tensor): Tensor {
  return elementwise(a, (x) => (x > 0 ? x : 0), (x, _y, d, i) => {
    d[i] = x > 0 ? 1 : 0
  })
}

export function tanh(a: Tensor): Tensor {
  return elementwise(a, Math.tanh, (_x, y, d, i, d2) => {
    d[i] = 1 - y * y
    if (d2) d2[i] = -2 * y * (1 - y * y)
  })
}

/** Logistic sigmoid 1/(1 + e^{−x}), evaluated without overflow. */
export function sigmoid(a: Tensor): Tensor {
  return elementwise(a, sigmoidScalar, (_x, y, d, i, d2) => {
    d[i] = y * (1 - y)
    if (d2) d2[i] = y * (1 - y) * (1 - 2 * y)
  })
}

export function exp(a: Tensor): Tensor {
  return elementwise(a, Math.exp, (_x, y, d, i, d2) => {
    d[i] = y
    if (d2) d2[i] = y
  })
}

export function log(a: Tensor): Tensor {
  return elementwise(a, Math.log, (x, _y, d, i, d2) => {
    d[i] = 1 / x
    if (d2) d2[i] = -1 / (x * x)
  })
}

/** log(1 + eˣ), stable for large |x|; f′ = σ(x), f″ = σ(x)(1 − σ(x)). */
export function softplus(a: Tensor): Tensor {
  return elementwise(a, softplusScalar, (x, _y, d, i, d2) => {
    const s = sigmoidScalar(x)
    d[i] = s
    if (d2) d2[i] = s * (1 - s)
  })
}

/** x². */
export function square(a: Tensor): Tensor {
  return elementwise(a, (x) => x * x, (x, _y, d, i, d2) => {
    d[i] = 2 * x
    if (d2) d2[i] = 2
  })
}

export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

export function softplusScalar(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))
}

// ---------------------------------------------------------------------------------------------
// Softmax family over the last axis.

function lastAxis(a: Tensor): { rows: number; cols: number } {
  const cols = a.shape[a.shape.length - 1]
  return { rows: a.size / cols, cols }
}

/** Row-wise softmax probabilities (max-shifted). */
function softmaxRows(x: Float64Array, rows: number, cols: number): Float64Array {
  const s = new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    const o = r * cols
    let mx = -Infinity
    for (let j = 0; j < cols; j++) mx = Math.max(mx, x[o + j])
    let z = 0
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(x[o + j] - mx)
      s[o + j] = e
      z += e
    }
    for (let j = 0; j < cols; j++) s[o + j] /= z
  }
  return s
}

/** Row-wise ṡ = s ⊙ (ẋ − ⟨s, ẋ⟩): the softmax Jacobian (diag(s) − s·sᵀ) applied to ẋ. */
function softmaxJvp(s: Float64Array, xt: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(rows * cols)
  for (let r = 0; r < rows; r++) {
    const o = r * cols
    let c = 0
    for (let j = 0; j < cols; j++) c += s[o + j] * xt[o + j]
    for (let j = 0; j < cols; j++) out[o + j] = s[o + j] * (xt[o + j] - c)
  }
  return out
}

/**
 * Softmax over the last axis. The Jacobian is symmetric, so x̄ = s ⊙ (ȳ − ⟨s, ȳ⟩), and
 * R{x̄} = ṡ ⊙ (ȳ − ⟨s, ȳ⟩) + s ⊙ (R{ȳ} − ⟨ṡ, ȳ⟩ − ⟨s, R{ȳ}⟩).
 */
export function softmax(a: Tensor): Tensor {
  const { rows, cols } = lastAxis(a)
  const s = softmaxRows(a.value, rows, cols)
  const st = a.tangent ? softmaxJvp(s, a.tangent, rows, cols) : null
  const out = result([a], s, a.shape, st)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const g = out.grad!
    const gt = out.gradTangent
    const ag = a.adjoint()
    const at = gt ? a.adjointTangent() : null
    for (let r = 0; r < rows; r++) {
      const o = r * cols
      let c = 0
      for (let j = 0; j < cols; j++) c += s[o + j] * g[o + j]
      for (let j = 0; j < cols; j++) ag[o + j] += s[o + j] * (g[o + j] - c)
      if (at && gt) {
        let ct = 0
        let cs = 0
        for (let j = 0; j < cols; j++) {
          if (st) ct += st[o + j] * g[o + j]
          cs += s[o + j] * gt[o + j]
        }
        for (let j = 0; j < cols; j++) {
          at[o + j] += (st ? st[o + j] * (g[o + j] - c) : 0) + s[o + j] * (gt[o + j] - ct - cs)
        }
      }
    }
  }
  return out
}

/**
 * log softmax over the last axis: x − logΣexp(x). R{y} = ẋ − ⟨s, ẋ⟩; x̄ = ȳ − s·Σȳ;
 * R{x̄} = R{ȳ} − ṡ·Σȳ − s·ΣR{ȳ}.
 */
export function logSoftmax(a: Tensor): Tensor {
  const { rows, cols } = lastAxis(a)
  const x = a.value
  const s = softmaxRows(x, rows, cols)
  const v = new Float64Array(a.size)
  for (let r = 0; r < rows; r++) {
    const o = r * cols
    let mx = -Infinity
    for (let j = 0; j < cols; j++) mx = Math.max(mx, x[o + j])
    let z = 0
    for (let j = 0; j < cols; j++) z += Math.exp(x[o + j] - mx)
    const lse = mx + Math.log(z)
    for (let j = 0; j < cols; j++) v[o + j] = x[o + j] - lse
  }
  let t: Float64Array | null = null
  let st: Float64Array | null = null
  if (a.tape.tangents) {
    t = new Float64Array(a.size)
    if (a.tangent) {
      st = softmaxJvp(s, a.tangent, rows, cols)
      for (let r = 0; r < rows; r++) {
        const o = r * cols
        let c = 0
        for (let j = 0; j < cols; j++) c += s[o + j] * a.tangent[o + j]
        for (let j = 0; j < cols; j++) t[o + j] = a.tangent[o + j] - c
      }
    }
  }
  const out = result([a], v, a.shape, t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const g = out.grad!
    const gt = out.gradTangent
    const ag = a.adjoint()
    const at = gt ? a.adjointTangent() : null
    for (let r = 0; r < rows; r++) {
      const o = r * cols
      let gs = 0
      for (let j = 0; j < cols; j++) gs += g[o + j]
      for (let j = 0; j < cols; j++) ag[o + j] += g[o + j] - s[o + j] * gs
      if (at && gt) {
        let gts = 0
        for (let j = 0; j < cols; j++) gts += gt[o + j]
        for (let j = 0; j < cols; j++) at[o + j] += gt[o + j] - (st ? st[o + j] * gs : 0) - s[o + j] * gts
      }
    }
  }
  return out
}

/** y_i = x[i, labels[i]] for x of shape [N, C]: picks one entry per row (a linear gather). */
export function pick(a: Tensor, labels: ArrayLike<number>): Tensor {
  const { rows, cols } = lastAxis(a)
  if (labels.length !== rows) throw new RangeError(`pick: ${labels.length} labels for ${rows} rows`)
  const idx = Int32Array.from(labels)
  for (let r = 0; r < rows; r++) if (!(idx[r] >= 0 && idx[r] < cols)) throw new RangeError(`pick: label ${labels[r]} outside 0..${cols - 1}`)
  const v = new Float64Array(rows)
  for (let r = 0; r < rows; r++) v[r] = a.value[r * cols + idx[r]]
  let t: Float64Array | null = null
  if (a.tangent) {
    t = new Float64Array(rows)
    for (let r = 0; r < rows; r++) t[r] = a.tangent[r * cols + idx[r]]
  }
  const out = result([a], v, [rows], t)
  out.backwardRule = () => {
    if (!a.requiresGrad) return
    const ag = a.adjoint()
    for (let r = 0; r < rows; r++) ag[r * cols + idx[r]] += out.grad![r]
    if (out.gradTangent) {
      const at = a.adjointTangent()
      for (let r = 0; r < rows; r++) at[r * cols + idx[r]] += out.gradTangent[r]
    }
  }
  return out
}

// ---------------------------------------------------------------------------------------------
// Losses (compositions of the ops above, so their Hessian-vector products come for free).

/** Mean softmax cross-entropy −(1/N)·Σ_i log softmax(z_i)[y_i] for logits [N, C], integer labels. */
export function crossEntropy(logits: Tensor, labels: ArrayLike<number>): Tensor {
  return scale(sum(pick(logSoftmax(logits), labels)), -1 / lastAxis(logits).rows)
}

/** Mean cross-entropy against soft targets: −(1/N)·Σ_i Σ_c p_ic·log softmax(z_i)_c. */
export function softCrossEntropy(logits: Tensor, targets: Tensor): Tensor {
  return scale(sum(mul(logSoftmax(logits), targets)), -1 / lastAxis(logits).rows)
}

/**
 * Mean KL divergence (1/N)·Σ_i KL(p_i ‖ q_i) between rows of categorical distributions given by
 * log-probabilities (e.g. from logSoftmax): Σ_c p_c·(log p_c − log q_c).
 */
export function klDivergence(logP: Tensor, logQ: Tensor): Tensor {
  return scale(sum(mul(exp(logP), sub(logP, logQ))), 1 / lastAxis(logP).rows)
}

/**
 * Squared loss (1/(2N))·Σ_i ‖pred_i − target_i‖², N = the leading dimension (the sample count:
 * a prediction vector of shape [N] has N samples).
 */
export function squaredLoss(pred: Tensor, target: Tensor): Tensor {
  return scale(sum(square(sub(pred, target))), 1 / (2 * pred.shape[0]))
}

/** Logistic loss (1/N)·Σ_i log(1 + exp(−y_i·z_i)) for margins z and labels y_i ∈ {−1, +1}. */
export function logisticLoss(z: Tensor, labels: Tensor): Tensor {
  return mean(softplus(neg(mul(z, labels))))
}

// ---------------------------------------------------------------------------------------------
// Functional drivers.

export interface Parameter {
  value: Float64Array
  shape: readonly number[]
}

/** f builds a scalar from its parameters on the given tape. */
export type ScalarFunction = (tape: Tape, params: Tensor[]) => Tensor

/** f(θ) and ∇f(θ), one array per parameter. */
export function valueAndGrad(f: ScalarFunction, params: Parameter[]): { value: number; grads: Float64Array[] } {
  const tape = new Tape()
  const leaves = params.map((p) => tape.param(p.value, p.shape))
  const out = f(tape, leaves)
  tape.backward(out)
  return { value: out.item(), grads: leaves.map((t) => t.grad ?? new Float64Array(t.size)) }
}

/**
 * f(θ), ∇f(θ) and the exact Hessian-vector product ∇²f(θ)·v (v given per parameter), by one
 * forward pass with tangents v and one backward pass over (adjoint, R{adjoint}) pairs.
 */
export function hessianVectorProduct(f: ScalarFunction, params: Parameter[], direction: Float64Array[]): { value: number; grads: Float64Array[]; hv: Float64Array[] } {
  if (direction.length !== params.length) throw new RangeError(`hessianVectorProduct: ${direction.length} directions for ${params.length} parameters`)
  const tape = new Tape()
  tape.tangents = true
  const leaves = params.map((p, i) => tape.param(p.value, p.shape, direction[i]))
  const out = f(tape, leaves)
  tape.backward(out)
  return {
    value: out.item(),
    grads: leaves.map((t) => t.grad ?? new Float64Array(t.size)),
    hv: leaves.map((t) => t.gradTangent ?? new Float64Array(t.size)),
  }
}

/** The directional derivative ∇f(θ)·v by forward mode alone (no backward pass). */
export function directionalDerivative(f: ScalarFunction, params: Parameter[], direction: Float64Array[]): { value: number; derivative: number } {
  const tape = new Tape()
  tape.tangents = true
  const leaves = params.map((p, i) => tape.param(p.value, p.shape, direction[i]))
  const out = f(tape, leaves)
  return { value: out.item(), derivative: out.tangent ? out.tangent[0] : 0 }
}

/** Total entry count of a parameter list (the length of its flattened vector). */
export function parameterCount(params: Parameter[]): number {
  return params.reduce((s, p) => s + p.value.length, 0)
}

/**
 * The Hessian ∇²f(θ) at fixed parameters as a matrix-free operator on the flattened parameter
 * vector (parameters concatenated in order), for `lanczosExtremes`, `powerIteration` and
 * `stochasticLanczosQuadrature`. Each product costs one forward and one backward pass.
 */
export function hessianOperator(f: ScalarFunction, params: Parameter[]): { n: number; matvec: (x: Float64Array, out: Float64Array) => void } {
  const n = parameterCount(params)
  const matvec = (x: Float64Array, out: Float64Array): void => {
    let off = 0
    const direction = params.map((p) => {
      const d = x.subarray(off, off + p.value.length)
      off += p.value.length
      return d
    })
    const { hv } = hessianVectorProduct(f, params, direction)
    off = 0
    for (const h of hv) {
      out.set(h, off)
      off += h.length
    }
  }
  return { n, matvec }
}
