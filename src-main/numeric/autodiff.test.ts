import { describe, expect, it } from 'vitest'
import * as ad from './autodiff'
import { directionalDerivative, hessianOperator, hessianVectorProduct, valueAndGrad, type Parameter, type ScalarFunction } from './autodiff'
import { Rng } from './rng'

const rng = Rng.stream(5, 'autodiff.test')

function param(shape: number[], scale = 1): Parameter {
  const size = shape.reduce((a, b) => a * b, 1)
  return { value: rng.gaussianMatrix(1, size, scale), shape }
}

function perturbed(params: Parameter[], which: number, delta: Float64Array[] | null, index: number, h: number): Parameter[] {
  return params.map((p, k) => {
    const v = p.value.slice()
    if (delta) for (let i = 0; i < v.length; i++) v[i] += h * delta[k][i]
    else if (k === which) v[index] += h
    return { value: v, shape: p.shape }
  })
}

/** Central differences of f at every coordinate: error O(h²) + O(eps/h), ≈1e-10 at h = 1e-5. */
function fdGradient(f: ScalarFunction, params: Parameter[], h = 1e-5): Float64Array[] {
  return params.map((p, k) =>
    Float64Array.from(p.value, (_, i) => {
      const up = valueAndGrad(f, perturbed(params, k, null, i, h)).value
      const down = valueAndGrad(f, perturbed(params, k, null, i, -h)).value
      return (up - down) / (2 * h)
    }),
  )
}

/** Central differences of the gradient along v: (∇f(θ + hv) − ∇f(θ − hv)) / 2h. */
function fdHessianVector(f: ScalarFunction, params: Parameter[], v: Float64Array[], h = 1e-5): Float64Array[] {
  const up = valueAndGrad(f, perturbed(params, -1, v, 0, h)).grads
  const down = valueAndGrad(f, perturbed(params, -1, v, 0, -h)).grads
  return up.map((g, k) => g.map((x, i) => (x - down[k][i]) / (2 * h)))
}

/** max over entries of |a − b| / max(1, max|b|). */
function relErr(a: Float64Array[], b: Float64Array[]): number {
  let scale = 1
  let d = 0
  b.forEach((arr, k) => arr.forEach((x, i) => {
    scale = Math.max(scale, Math.abs(x))
    d = Math.max(d, Math.abs(a[k][i] - x))
  }))
  return d / scale
}

function directionFor(params: Parameter[]): Float64Array[] {
  return params.map((p) => rng.gaussianMatrix(1, p.value.length))
}

/** Check gradient and HVP of f against central differences at 1e-7 relative. */
function checkDerivatives(f: ScalarFunction, params: Parameter[]): void {
  const { grads } = valueAndGrad(f, params)
  expect(relErr(grads, fdGradient(f, params))).toBeLessThan(1e-7)
  const v = directionFor(params)
  const { hv, grads: grads2 } = hessianVectorProduct(f, params, v)
  expect(relErr(grads2, grads)).toBe(0)
  expect(relErr(hv, fdHessianVector(f, params, v))).toBeLessThan(1e-7)
  // Forward mode alone gives the directional derivative ∇f·v.
  let gv = 0
  grads.forEach((g, k) => g.forEach((x, i) => (gv += x * v[k][i])))
  expect(Math.abs(directionalDerivative(f, params, v).derivative - gv)).toBeLessThan(1e-12 * Math.max(1, Math.abs(gv)))
}

/** A random linear read-out ⟨C, y⟩ makes any tensor-valued op a scalar test function. */
function readout(tape: ad.Tape, y: ad.Tensor, seed: number): ad.Tensor {
  const c = Rng.stream(seed, 'readout').gaussianMatrix(1, y.size)
  return ad.sum(ad.mul(y, tape.constant(c, y.shape)))
}

describe('gradients and Hessian-vector products of each op match central differences (rel. 1e-7)', () => {
  const fixedTargets = rng.gaussianMatrix(4, 3)
  const cases: [string, number[][], (t: ad.Tape, p: ad.Tensor[]) => ad.Tensor][] = [
    ['matmul', [[3, 4], [4, 2]], (t, [a, b]) => readout(t, ad.square(ad.matmul(a, b)), 1)],
    ['matmul by a vector', [[3, 4], [4]], (t, [a, b]) => readout(t, ad.square(ad.matmul(a, b)), 2)],
    ['add with a broadcast bias', [[3, 4], [4]], (t, [a, b]) => readout(t, ad.square(ad.add(a, b)), 3)],
    ['sub, mul with broadcasting', [[3, 4], [4]], (t, [a, b]) => readout(t, ad.mul(ad.sub(a, b), ad.mul(a, b)), 4)],
    ['scalar broadcast', [[3, 4], [1]], (t, [a, b]) => readout(t, ad.mul(ad.add(a, b), b), 5)],
    ['relu (away from the kink)', [[3, 4]], (t, [a]) => readout(t, ad.mul(ad.relu(a), a), 6)],
    ['tanh', [[3, 4]], (t, [a]) => readout(t, ad.tanh(a), 7)],
    ['sigmoid', [[3, 4]], (t, [a]) => readout(t, ad.sigmoid(a), 8)],
    ['exp and log', [[3, 4]], (t, [a]) => readout(t, ad.log(ad.add(ad.exp(a), t.constant([1.5], [1]))), 9)],
    ['softplus', [[3, 4]], (t, [a]) => readout(t, ad.softplus(ad.scale(a, 3)), 10)],
    ['softmax', [[3, 5]], (t, [a]) => readout(t, ad.softmax(a), 11)],
    ['logSoftmax', [[3, 5]], (t, [a]) => readout(t, ad.logSoftmax(a), 12)],
    ['transpose and reshape', [[3, 4]], (t, [a]) => readout(t, ad.square(ad.reshape(ad.transpose(a), [2, 6])), 13)],
    ['mean of a product', [[3, 4]], (t, [a]) => ad.mean(ad.mul(a, ad.tanh(a)))],
    ['crossEntropy', [[4, 3]], (_t, [a]) => ad.crossEntropy(a, [0, 2, 1, 2])],
    ['softCrossEntropy', [[4, 3]], (t, [a]) => ad.softCrossEntropy(a, ad.softmax(t.constant(fixedTargets, [4, 3])))],
    ['klDivergence of two log-softmaxes', [[2, 5], [2, 5]], (_t, [a, b]) => ad.klDivergence(ad.logSoftmax(a), ad.logSoftmax(b))],
    ['squaredLoss', [[5, 2]], (t, [a]) => ad.squaredLoss(ad.tanh(a), t.constant(fixedTargets.subarray(0, 10), [5, 2]))],
    ['logisticLoss', [[6]], (t, [a]) => ad.logisticLoss(ad.scale(a, 2), t.constant([1, -1, 1, 1, -1, -1]))],
  ]
  for (const [name, shapes, build] of cases) {
    it(name, () => checkDerivatives(build, shapes.map((s) => param(s))))
  }

  it('a two-layer tanh MLP with softmax cross-entropy (all parameters at once)', () => {
    const X = rng.gaussianMatrix(6, 3)
    const labels = [0, 1, 2, 1, 0, 2]
    const f: ScalarFunction = (t, [W1, b1, W2, b2]) => {
      const h = ad.tanh(ad.add(ad.matmul(t.constant(X, [6, 3]), W1), b1))
      return ad.crossEntropy(ad.add(ad.matmul(h, W2), b2), labels)
    }
    checkDerivatives(f, [param([3, 5]), param([5]), param([5, 3]), param([3])])
  })

  it('one-layer softmax attention, softmax(XW_q (XW_k)ᵀ/√d) XW_v, under squared loss', () => {
    const T = 4
    const d = 3
    const X = rng.gaussianMatrix(T, d)
    const Y = rng.gaussianMatrix(T, d)
    const f: ScalarFunction = (t, [Wq, Wk, Wv]) => {
      const x = t.constant(X, [T, d])
      const scores = ad.scale(ad.matmul(ad.matmul(x, Wq), ad.transpose(ad.matmul(x, Wk))), 1 / Math.sqrt(d))
      const out = ad.matmul(ad.softmax(scores), ad.matmul(x, Wv))
      return ad.squaredLoss(out, t.constant(Y, [T, d]))
    }
    checkDerivatives(f, [param([d, d]), param([d, d]), param([d, d])])
  })
})

describe('closed forms (rel. 1e-12)', () => {
  it('ridge: ∇ = Xᵀ(Xw − y)/N + λw and H·v = XᵀXv/N + λv', () => {
    const N = 20
    const d = 5
    const lambda = 0.3
    const X = rng.gaussianMatrix(N, d)
    const y = rng.gaussianMatrix(N, 1)
    const w = param([d])
    const v = directionFor([w])
    const f: ScalarFunction = (t, [wt]) =>
      ad.add(ad.squaredLoss(ad.matmul(t.constant(X, [N, d]), wt), t.constant(y, [N])), ad.scale(ad.sum(ad.square(wt)), lambda / 2))
    const { grads, hv } = hessianVectorProduct(f, [w], v)
    const r = new Float64Array(N)
    const Xv = new Float64Array(N)
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < d; j++) {
        r[i] += X[i * d + j] * w.value[j]
        Xv[i] += X[i * d + j] * v[0][j]
      }
      r[i] -= y[i]
    }
    const g = new Float64Array(d)
    const Hv = new Float64Array(d)
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < N; i++) {
        g[j] += (X[i * d + j] * r[i]) / N
        Hv[j] += (X[i * d + j] * Xv[i]) / N
      }
      g[j] += lambda * w.value[j]
      Hv[j] += lambda * v[0][j]
    }
    expect(relErr(grads, [g])).toBeLessThan(1e-12)
    expect(relErr(hv, [Hv])).toBeLessThan(1e-12)
  })
  it('logistic regression: H·v = Xᵀ diag(σ(z)(1 − σ(z))) X v / N', () => {
    const N = 15
    const d = 4
    const X = rng.gaussianMatrix(N, d)
    const labels = Float64Array.from({ length: N }, (_, i) => (i % 3 ? 1 : -1))
    const w = param([d])
    const v = directionFor([w])
    const f: ScalarFunction = (t, [wt]) => ad.logisticLoss(ad.matmul(t.constant(X, [N, d]), wt), t.constant(labels, [N]))
    const { grads, hv } = hessianVectorProduct(f, [w], v)
    const g = new Float64Array(d)
    const Hv = new Float64Array(d)
    for (let i = 0; i < N; i++) {
      let z = 0
      let xv = 0
      for (let j = 0; j < d; j++) {
        z += X[i * d + j] * w.value[j]
        xv += X[i * d + j] * v[0][j]
      }
      const s = ad.sigmoidScalar(z)
      const gi = -labels[i] * ad.sigmoidScalar(-labels[i] * z)
      for (let j = 0; j < d; j++) {
        g[j] += (gi * X[i * d + j]) / N
        Hv[j] += (s * (1 - s) * xv * X[i * d + j]) / N
      }
    }
    expect(relErr(grads, [g])).toBeLessThan(1e-12)
    expect(relErr(hv, [Hv])).toBeLessThan(1e-12)
  })
  it('softmax cross-entropy in the logits: ∇ = (s − e_y)/N, H·v = (s⊙v − s⟨s, v⟩)/N per row', () => {
    const N = 3
    const C = 4
    const labels = [3, 0, 1]
    const z = param([N, C])
    const v = directionFor([z])
    const { grads, hv } = hessianVectorProduct((_t, [a]) => ad.crossEntropy(a, labels), [z], v)
    const g = new Float64Array(N * C)
    const Hv = new Float64Array(N * C)
    for (let r = 0; r < N; r++) {
      let mx = -Infinity
      for (let c = 0; c < C; c++) mx = Math.max(mx, z.value[r * C + c])
      let Z = 0
      for (let c = 0; c < C; c++) Z += Math.exp(z.value[r * C + c] - mx)
      let sv = 0
      const s = Array.from({ length: C }, (_, c) => Math.exp(z.value[r * C + c] - mx) / Z)
      for (let c = 0; c < C; c++) sv += s[c] * v[0][r * C + c]
      for (let c = 0; c < C; c++) {
        g[r * C + c] = (s[c] - (c === labels[r] ? 1 : 0)) / N
        Hv[r * C + c] = (s[c] * v[0][r * C + c] - s[c] * sv) / N
      }
    }
    expect(relErr(grads, [g])).toBeLessThan(1e-12)
    expect(relErr(hv, [Hv])).toBeLessThan(1e-12)
  })
  it('KL(p‖p) = 0 with zero gradient; softplus and sigmoid stay finite at ±800', () => {
    const a = param([2, 3])
    const { value, grads } = valueAndGrad((_t, [x]) => ad.klDivergence(ad.logSoftmax(x), ad.logSoftmax(x)), [a])
    expect(Math.abs(value)).toBeLessThan(1e-16)
    for (const gi of grads[0]) expect(Math.abs(gi)).toBeLessThan(1e-16)
    expect(ad.softplusScalar(800)).toBe(800)
    expect(ad.softplusScalar(-800)).toBe(0)
    expect(ad.sigmoidScalar(-800)).toBe(0)
  })
})

describe('tape semantics', () => {
  it('constants get no gradient; shapes are checked; backward needs a scalar', () => {
    const tape = new ad.Tape()
    const c = tape.constant([1, 2, 3])
    const p = tape.param(Float64Array.from([1, 1, 1]), [3])
    const y = ad.sum(ad.mul(c, p))
    tape.backward(y)
    expect(c.grad).toBeNull()
    expect(Array.from(p.grad!)).toEqual([1, 2, 3])
    expect(() => tape.backward(p)).toThrow(/scalar/)
    expect(() => ad.add(tape.constant([1, 2]), tape.constant([1, 2, 3]))).toThrow(/broadcast/)
    expect(() => ad.matmul(tape.constant([1, 2, 3, 4], [2, 2]), tape.constant([1, 2, 3], [3]))).toThrow(/chain/)
  })
})

describe('agreement with numpy (fixtures/autodiff.json)', () => {
  it('two-layer tanh MLP + cross-entropy: loss, gradient and H·v (vs Richardson-extrapolated FD) to rel. 1e-11', async () => {
    const fx = (await import('./fixtures/autodiff.json')).default
    const params: Parameter[] = fx.params.map((p, k) => ({ value: Float64Array.from(p), shape: fx.shapes[k] }))
    const f: ScalarFunction = (t, [W1, b1, W2, b2]) => {
      const h = ad.tanh(ad.add(ad.matmul(t.constant(Float64Array.from(fx.X), [fx.N, fx.d]), W1), b1))
      return ad.crossEntropy(ad.add(ad.matmul(h, W2), b2), fx.labels)
    }
    const { value, grads, hv } = hessianVectorProduct(f, params, fx.direction.map((v) => Float64Array.from(v)))
    expect(Math.abs(value - fx.loss) / fx.loss).toBeLessThan(1e-12)
    expect(relErr(grads, fx.grads.map((g) => Float64Array.from(g)))).toBeLessThan(1e-12)
    // The fixture's H·v is itself a difference quotient, accurate to ≈6e-13: 1e-11 leaves margin.
    expect(relErr(hv, fx.hvFiniteDifference.map((g) => Float64Array.from(g)))).toBeLessThan(1e-11)
  })
})

describe('hessianOperator', () => {
  it('feeds Lanczos: the extreme Hessian eigenvalues of ridge regression match XᵀX/N + λI (rel. 1e-12)', async () => {
    const { lanczosExtremes } = await import('./spectra')
    const { symEigvalues } = await import('./linalg')
    const N = 30
    const d = 6
    const lambda = 0.1
    const X = rng.gaussianMatrix(N, d)
    const y = rng.gaussianMatrix(N, 1)
    const f: ScalarFunction = (t, [w]) =>
      ad.add(ad.squaredLoss(ad.matmul(t.constant(X, [N, d]), w), t.constant(y, [N])), ad.scale(ad.sum(ad.square(w)), lambda / 2))
    const H = hessianOperator(f, [param([d])])
    expect(H.n).toBe(d)
    const ritz = lanczosExtremes(H.matvec, H.n, d, { rng: Rng.stream(1, 'hess') })
    const G = new Float64Array(d * d)
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        for (let r = 0; r < N; r++) G[i * d + j] += (X[r * d + i] * X[r * d + j]) / N
      }
      G[i * d + i] += lambda
    }
    const exact = symEigvalues(G, d)
    expect(Math.abs(ritz.values[d - 1] - exact[d - 1]) / exact[d - 1]).toBeLessThan(1e-12)
    expect(Math.abs(ritz.values[0] - exact[0]) / exact[d - 1]).toBeLessThan(1e-12)
  })
})
