import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { Adam, globalNorm, Mlp } from './mlp'
import { gradientAscent, makeOfflineData, topIndices, trainSurrogate, type IgniteParams } from './solver'
import study from './study'
import { negAckley, negRosenbrock, styblinskiTang } from './tasks'

const D = 3
const H = 5
const B = 4

function setup(seed = 1) {
  const net = new Mlp(D, H, 0.2, 8)
  const beta = new Float64Array(net.P)
  net.init(beta, new Rng(seed, 'init'))
  const rng = new Rng(seed, 'x')
  const X = new Float64Array(B * D)
  for (let i = 0; i < X.length; i++) X[i] = rng.normal()
  const w = new Float64Array(B)
  for (let i = 0; i < B; i++) w[i] = rng.normal()
  return { net, beta, X, w }
}

/** Σ_i w_i·ĝ(x_i; β) */
function weighted(net: Mlp, beta: Float64Array, X: Float64Array, w: Float64Array): number {
  const out = net.forward(beta, X, null, 0, B)
  let s = 0
  for (let i = 0; i < B; i++) s += w[i] * out[i]
  return s
}

/**
 * The surrogate's passes as plain per-sample loops: each output summed from 0 in ascending index
 * order, then the bias added (x₀w₀ + … + x_{d−1}w_{d−1} + 1·b, the order of gemm's [x | 1]·[W; b]),
 * and the backward factored as mlp.ts does
 * (δ2 = g·e2 with e2 = w3 ⊙ σ'(a2), e1 = (e2·W2ᵀ) ⊙ σ'(a1), ∇W1 = Σ (g·x)·e1, ∇_x = g·(e1·W1ᵀ)).
 */
function referencePasses(net: Mlp, beta: Float64Array, X: Float64Array, idx: Int32Array, from: number, B: number, dout: Float64Array) {
  const { d, H, slope } = net
  const out = new Float64Array(B)
  const grad = new Float64Array(net.P)
  const dX = new Float64Array(B * d)
  const a1 = new Float64Array(H)
  const h1 = new Float64Array(H)
  const a2 = new Float64Array(H)
  const h2 = new Float64Array(H)
  const e2 = new Float64Array(H)
  const e1 = new Float64Array(H)
  const d2 = new Float64Array(H)
  for (let i = 0; i < B; i++) {
    const xo = idx[from + i] * d
    a1.fill(0)
    for (let k = 0; k < d; k++) for (let j = 0; j < H; j++) a1[j] += X[xo + k] * beta[net.oW1 + k * H + j]
    for (let j = 0; j < H; j++) {
      a1[j] += beta[net.ob1 + j]
      h1[j] = a1[j] > 0 ? a1[j] : slope * a1[j]
    }
    a2.fill(0)
    for (let k = 0; k < H; k++) for (let j = 0; j < H; j++) a2[j] += h1[k] * beta[net.oW2 + k * H + j]
    for (let j = 0; j < H; j++) a2[j] += beta[net.ob2 + j]
    let o = 0
    for (let j = 0; j < H; j++) {
      h2[j] = a2[j] > 0 ? a2[j] : slope * a2[j]
      o += h2[j] * beta[net.ow3 + j]
    }
    out[i] = o + beta[net.ob3]
    const g = dout[i]
    grad[net.ob3] += g
    for (let j = 0; j < H; j++) {
      grad[net.ow3 + j] += g * h2[j]
      e2[j] = beta[net.ow3 + j] * (a2[j] > 0 ? 1 : slope)
      d2[j] = g * e2[j]
    }
    for (let k = 0; k < H; k++) {
      let s = 0
      for (let j = 0; j < H; j++) s += e2[j] * beta[net.oW2 + k * H + j]
      e1[k] = s * (a1[k] > 0 ? 1 : slope)
    }
    for (let k = 0; k < H; k++) for (let j = 0; j < H; j++) grad[net.oW2 + k * H + j] += h1[k] * d2[j]
    for (let j = 0; j < H; j++) {
      grad[net.ob2 + j] += d2[j]
      grad[net.ob1 + j] += g * e1[j]
    }
    for (let k = 0; k < d; k++) for (let j = 0; j < H; j++) grad[net.oW1 + k * H + j] += g * X[xo + k] * e1[j]
    for (let k = 0; k < d; k++) {
      let s = 0
      for (let j = 0; j < H; j++) s += e1[j] * beta[net.oW1 + k * H + j]
      dX[i * d + k] = g * s
    }
  }
  return { out, grad, dX }
}

describe('surrogate MLP', () => {
  it('∇_β and ∇_x match central finite differences (rel. 1e-6)', () => {
    const { net, beta, X, w } = setup()
    const grad = new Float64Array(net.P)
    const dX = new Float64Array(B * D)
    net.forward(beta, X, null, 0, B)
    net.backward(beta, X, null, 0, B, w, grad, dX)
    const h = 1e-6
    for (let i = 0; i < net.P; i++) {
      const b0 = beta[i]
      beta[i] = b0 + h
      const fp = weighted(net, beta, X, w)
      beta[i] = b0 - h
      const fm = weighted(net, beta, X, w)
      beta[i] = b0
      expect(Math.abs((fp - fm) / (2 * h) - grad[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(grad[i])))
    }
    for (let i = 0; i < B * D; i++) {
      const x0 = X[i]
      X[i] = x0 + h
      const fp = weighted(net, beta, X, w)
      X[i] = x0 - h
      const fm = weighted(net, beta, X, w)
      X[i] = x0
      expect(Math.abs((fp - fm) / (2 * h) - dX[i])).toBeLessThan(1e-6 * Math.max(1, Math.abs(dX[i])))
    }
  })

  it('a forward pass for ∇_x alone (inputGradientOnly) gives the same outputs and ∇_x bit for bit, and refuses ∇_β', () => {
    const { net, beta, X, w } = setup()
    // batch sizes below, at and past a group of four rows
    for (const Bt of [1, 3, 4]) {
      const dXFull = new Float64Array(Bt * D)
      const outFull = Float64Array.from(net.forward(beta, X, null, 0, Bt).subarray(0, Bt))
      net.backward(beta, X, null, 0, Bt, w, null, dXFull)
      const dX = new Float64Array(Bt * D)
      const out = Float64Array.from(net.forward(beta, X, null, 0, Bt, true).subarray(0, Bt))
      net.backward(beta, X, null, 0, Bt, w, null, dX)
      expect(Array.from(out)).toEqual(Array.from(outFull))
      expect(Array.from(dX)).toEqual(Array.from(dXFull))
    }
    expect(() => net.backward(beta, X, null, 0, B, w, new Float64Array(net.P))).toThrow(/inputGradientOnly/)
    const g = new Float64Array(net.P)
    expect(() => net.backward2(beta, B, w, g, w, new Float64Array(net.P))).toThrow(/inputGradientOnly/)
  })

  it('reads minibatch rows through an index permutation', () => {
    const { net, beta, X } = setup()
    const idx = Int32Array.from([3, 1])
    const a = Float64Array.from(net.forward(beta, X, idx, 0, 2).subarray(0, 2))
    const all = net.forward(beta, X, null, 0, B)
    expect(a[0]).toBe(all[3])
    expect(a[1]).toBe(all[1])
  })

  it('the gemm-based passes equal the plain per-sample loops bit for bit (default and odd sizes)', () => {
    for (const [d, H, n, Bt] of [[8, 64, 300, 128], [5, 13, 50, 37], [3, 6, 9, 7]]) {
      const net = new Mlp(d, H, 0.2, Bt)
      const beta = new Float64Array(net.P)
      net.init(beta, new Rng(2, 'init'))
      for (let i = 0; i < net.P; i++) beta[i] += 0.01 * Math.sin(i) // non-zero biases
      const r = new Rng(2, 'x')
      const X = new Float64Array(n * d)
      for (let i = 0; i < X.length; i++) X[i] = r.normal()
      const idx = r.permutation(n)
      const dout = new Float64Array(Bt)
      for (let i = 0; i < Bt; i++) dout[i] = r.normal()
      const from = n - Bt
      const out = Float64Array.from(net.forward(beta, X, idx, from, Bt).subarray(0, Bt))
      const grad = new Float64Array(net.P)
      const dX = new Float64Array(Bt * d)
      net.backward(beta, X, idx, from, Bt, dout, grad, dX)
      const ref = referencePasses(net, beta, X, idx, from, Bt, dout)
      expect(Array.from(out)).toEqual(Array.from(ref.out))
      expect(Array.from(grad)).toEqual(Array.from(ref.grad))
      expect(Array.from(dX)).toEqual(Array.from(ref.dX))
    }
  })

  it('backward2 gives each pass bit for bit what backward gives alone', () => {
    for (const [d, H, n, Bt] of [[8, 64, 300, 128], [5, 13, 50, 37]]) {
      const net = new Mlp(d, H, 0.2, Bt)
      const beta = new Float64Array(net.P)
      net.init(beta, new Rng(3, 'init'))
      const r = new Rng(3, 'x')
      const X = new Float64Array(n * d)
      for (let i = 0; i < X.length; i++) X[i] = r.normal()
      const idx = r.permutation(n)
      const dA = new Float64Array(Bt)
      for (let i = 0; i < Bt; i++) dA[i] = r.normal()
      const dB = new Float64Array(Bt).fill(1 / Bt)
      const gA = new Float64Array(net.P)
      const gB = new Float64Array(net.P)
      const a = new Float64Array(net.P)
      const b = new Float64Array(net.P)
      net.forward(beta, X, idx, 0, Bt)
      net.backward2(beta, Bt, dA, gA, dB, gB)
      net.backward(beta, X, idx, 0, Bt, dA, a)
      net.backward(beta, X, idx, 0, Bt, dB, b)
      expect(Array.from(gA)).toEqual(Array.from(a))
      expect(Array.from(gB)).toEqual(Array.from(b))
    }
  })

  it('Adam: the first step moves every coordinate by lr·sign(g) (up to ε̂)', () => {
    const beta = new Float64Array([1, 2, 3])
    new Adam(3, 0.1).step(beta, new Float64Array([2, -0.5, 1e-3]))
    expect(beta[0]).toBeCloseTo(0.9, 6)
    expect(beta[1]).toBeCloseTo(2.1, 5)
    // Keras form: lr·√(1−β2)·g/(√(1−β2)·|g| + ε̂) for the first step
    const c = Math.sqrt(0.001)
    expect(beta[2]).toBeCloseTo(3 - (0.1 * c * 1e-3) / (c * 1e-3 + 1e-7), 14)
  })
})

describe('oracles', () => {
  it('Styblinski–Tang, −Ackley and −Rosenbrock at known points', () => {
    const x = new Float64Array(8).fill(-2.903534)
    expect(styblinskiTang(x, 0, 8) / 8).toBeCloseTo(39.16617, 4)
    expect(negAckley(new Float64Array(8), 0, 8)).toBeCloseTo(0, 12)
    expect(negRosenbrock(new Float64Array(8).fill(1), 0, 8)).toBeCloseTo(0, 15)
  })
})

const SMALL: IgniteParams = {
  method: 'ignite', task: 'styblinski-tang', trial: 0, dim: 4, nFull: 200, keepFraction: 0.5, width: 8, leakySlope: 0.2,
  lr: 3e-4, batch: 32, epochs: 3, eps: 0.1, lambda0: 1e-3, etaLambda: 1e-3, rho: 0.05, r: 0.05, rhoPenalty: 0.2, rPenalty: 0.2,
  lambdaFixed: 0.01, lambdaMode: 'repo', gaSteps: 20, gaLr: 0.01, stepMultiplier: 1, extraMultipliers: '', topK: 16,
}

describe('offline data (pitfall 5: normalisation over the full data, top-K starts)', () => {
  it('y_max is the max over all N_full points, above the offline max; the offline set is the bottom half', () => {
    const data = makeOfflineData('styblinski-tang', 4, 200, 0.5, new Rng(0, 'data'))
    expect(data.n).toBe(100)
    const offMax = Math.max(...data.y)
    expect(data.yMax).toBeGreaterThan(offMax)
    expect(data.yMin).toBe(Math.min(...data.y))
    // z-scored outputs have mean 0 and population std 1
    const m = data.yz.reduce((s, v) => s + v, 0) / data.n
    const v = data.yz.reduce((s, x) => s + (x - m) ** 2, 0) / data.n
    expect(Math.abs(m)).toBeLessThan(1e-12)
    expect(v).toBeCloseTo(1, 12)
    const top = topIndices(data.y, 16)
    expect(data.y[top[0]]).toBe(offMax)
    expect(data.y[top[15]]).toBeGreaterThanOrEqual(data.y[top[16 - 1]])
  })
})

describe('IGNITE training step (pitfalls 3, 4)', () => {
  it('restores β exactly after the perturbation: with λ = 0 IGNITE2 follows plain bit for bit', () => {
    const data = makeOfflineData('styblinski-tang', 4, 200, 0.5, new Rng(0, 'data'))
    const run = (method: 'plain' | 'ignite2') => {
      const net = new Mlp(4, 8, 0.2, 32)
      const beta = new Float64Array(net.P)
      net.init(beta, new Rng(0, 'init'))
      trainSurrogate({ ...SMALL, method, lambdaFixed: 0 }, data, net, beta, new Rng(0, 'batch'))
      return beta
    }
    expect(Array.from(run('ignite2'))).toEqual(Array.from(run('plain')))
  })

  it('the dual step is λ ← λ + η_λ(ρ·n − ε) with n the global norm; repo mode lets λ go negative, projected clips at 0', () => {
    const data = makeOfflineData('styblinski-tang', 4, 200, 0.5, new Rng(0, 'data'))
    const lambdas = (lambdaMode: 'repo' | 'projected') => {
      const net = new Mlp(4, 8, 0.2, 32)
      const beta = new Float64Array(net.P)
      net.init(beta, new Rng(0, 'init'))
      const seen: { lambda: number; n: number }[] = []
      // ε large: ρn − ε < 0, so λ decreases at every step
      trainSurrogate({ ...SMALL, eps: 10, lambdaMode }, data, net, beta, new Rng(0, 'batch'), { onStep: (_, m) => seen.push({ lambda: m.lambda, n: m.gradNormG }) })
      return seen
    }
    const repo = lambdas('repo')
    expect(repo[0].lambda).toBe(1e-3)
    expect(repo[1].lambda).toBeCloseTo(1e-3 + 1e-3 * (0.05 * repo[0].n - 10), 15)
    expect(repo[repo.length - 1].lambda).toBeLessThan(0)
    const proj = lambdas('projected')
    expect(Math.min(...proj.map((s) => s.lambda))).toBe(0)
  })

  it('the penalty term is λ(ρ/r)(û − u) ≈ λρ·H·u/‖u‖: finite difference of ∇G along u/‖u‖', () => {
    const { net, beta, X } = setup(4)
    const ones = new Float64Array(B).fill(1 / B)
    const u = new Float64Array(net.P)
    const uHat = new Float64Array(net.P)
    net.forward(beta, X, null, 0, B)
    net.backward(beta, X, null, 0, B, ones, u)
    const n = globalNorm(u)
    const r = 1e-7
    const bh = beta.slice()
    for (let i = 0; i < net.P; i++) bh[i] += (r * u[i]) / n
    net.forward(bh, X, null, 0, B)
    net.backward(bh, X, null, 0, B, ones, uHat)
    // directional derivative of n = ‖∇G‖ along u/‖u‖ equals uᵀHu/‖u‖²; check against (û − u)/r · u/‖u‖
    let dirFD = 0
    for (let i = 0; i < net.P; i++) dirFD += ((uHat[i] - u[i]) / r) * (u[i] / n)
    const np = (t: number) => {
      const b = beta.slice()
      for (let i = 0; i < net.P; i++) b[i] += (t * u[i]) / n
      const g = new Float64Array(net.P)
      net.forward(b, X, null, 0, B)
      net.backward(b, X, null, 0, B, ones, g)
      return globalNorm(g)
    }
    const h = 1e-5
    expect(Math.abs(dirFD - (np(h) - np(-h)) / (2 * h))).toBeLessThan(1e-4 * Math.max(1, Math.abs(dirFD)))
  })
})

describe('gradient ascent (pitfall 7: in z-scored space)', () => {
  it('the step is m·gaLr·√d times ∇_x ĝ in z-space, and distances are in z-space', () => {
    const data = makeOfflineData('styblinski-tang', 4, 200, 0.5, new Rng(0, 'data'))
    const net = new Mlp(4, 8, 0.2, 32)
    const beta = new Float64Array(net.P)
    net.init(beta, new Rng(0, 'init'))
    const starts = topIndices(data.y, 16)
    const r1 = gradientAscent({ ...SMALL, gaSteps: 1 }, data, net, beta, starts, 1)
    const X = new Float64Array(16 * 4)
    for (let i = 0; i < 16; i++) for (let k = 0; k < 4; k++) X[i * 4 + k] = data.Xz[starts[i] * 4 + k]
    const dX = new Float64Array(16 * 4)
    net.forward(beta, X, null, 0, 16)
    net.backward(beta, X, null, 0, 16, new Float64Array(16).fill(1), null, dX)
    let md = 0
    for (let i = 0; i < 16; i++) {
      let s = 0
      for (let k = 0; k < 4; k++) s += (0.01 * 2 * dX[i * 4 + k]) ** 2
      md += Math.sqrt(s) / 16
    }
    expect(r1.meanDistance).toBeCloseTo(md, 14)
  })
})

describe('study runs', () => {
  const small = { nFull: 200, width: 8, epochs: 2, batch: 32, gaSteps: 10, topK: 16, dim: 4, extraMultipliers: '0.5, 1' }
  it('is deterministic, pairs methods through the trial streams, and pins golden values', async () => {
    const a = await runLocal(study, { ...small, method: 'ignite' }, 0)
    const b = await runLocal(study, { ...small, method: 'ignite' }, 0)
    expect(a.status).toBe('done')
    for (const k of Object.keys(a.columns)) if (k !== 'wallMs') expect(Array.from(b.columns[k])).toEqual(Array.from(a.columns[k]))
    const p = await runLocal(study, { ...small, method: 'plain' }, 0)
    // same data and initialisation: the first minibatch loss is identical
    expect(p.columns.loss[0]).toBe(a.columns.loss[0])
    // the extra multiplier m = 1 reproduces the recorded m = 1 trajectory
    expect(p.summary['score50AtM[1]']).toBe(p.summary.score50)
    // golden values (seed 0, tiny configuration), 1e-10 relative
    expect(a.summary.score50).toBeCloseTo(0.4059827752381592, 10)
    expect(a.summary.score100).toBeCloseTo(0.6430875154351119, 10)
    expect(a.summary.finalLambda).toBeCloseTo(0.001429640764956837, 13)
    expect(a.summary.finalGradNormG).toBeCloseTo(5.5773041327436825, 9)
  })
})
