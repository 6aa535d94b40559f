import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import * as ad from '../../numeric/autodiff'
import { symEigvalues } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { makeBlobs } from './blobs'
import { initParams, layerShapes, Mlp } from './mlp'
import { logAbsHistogram, summariseSpectrum } from './spectrum'
import study from './study'

/** A tiny trained-ish point: 24 blob points in d = 3, network 3-5-4-3 (P = 59). */
function tiny(seed = 1) {
  const data = makeBlobs(24, 3, 3, 1.5, new Rng(seed, 'data'))
  const mlp = new Mlp([3, 5, 4, 3], 24)
  const theta = initParams(mlp.P, 0.5, new Rng(seed, 'init'))
  return { data, mlp, theta }
}

function lossAt(mlp: Mlp, theta: Float64Array, data: { X: Float64Array; labels: Int32Array; N: number }): number {
  return mlp.forward(theta, data.X, data.labels, data.N)
}

function maxAbs(a: Float64Array): number {
  let m = 0
  for (const x of a) m = Math.max(m, Math.abs(x))
  return m
}

/** Cross-entropy of the same network through the numeric core's tape autodiff. */
function tapeLoss(sizes: number[], X: Float64Array, labels: Int32Array, N: number): ad.ScalarFunction {
  return (tape, params) => {
    let a = tape.constant(X, [N, sizes[0]])
    for (let l = 0; l < sizes.length - 1; l++) {
      const z = ad.add(ad.matmul(a, params[2 * l]), params[2 * l + 1])
      a = l < sizes.length - 2 ? ad.relu(z) : z
    }
    return ad.crossEntropy(a, labels)
  }
}

function splitParams(sizes: number[], theta: Float64Array): ad.Parameter[] {
  const { layers } = layerShapes(sizes)
  return layers.flatMap((s) => [
    { value: theta.slice(s.w, s.w + s.inDim * s.outDim), shape: [s.inDim, s.outDim] },
    { value: theta.slice(s.b, s.b + s.outDim), shape: [s.outDim] },
  ])
}

describe('blobs', () => {
  it('standardises every feature to mean 0 and population std 1; labels are i mod k', () => {
    const b = makeBlobs(30, 4, 3, 2, new Rng(0, 'data'))
    for (let j = 0; j < 4; j++) {
      let m = 0
      let v = 0
      for (let i = 0; i < 30; i++) m += b.X[i * 4 + j] / 30
      for (let i = 0; i < 30; i++) v += (b.X[i * 4 + j] - m) ** 2 / 30
      expect(Math.abs(m)).toBeLessThan(1e-14)
      expect(v).toBeCloseTo(1, 13)
    }
    expect(Array.from(b.labels.slice(0, 7))).toEqual([0, 1, 2, 0, 1, 2, 0])
  })
})

describe('network: loss, gradient and R-operator', () => {
  it('P = 640 + 21k for 10-20-20-k and 264 / 724 / 1384 for widths 10 / 20 / 30 at k = 4', () => {
    for (const k of [2, 3, 4, 5, 6]) expect(layerShapes([10, 20, 20, k]).P).toBe(640 + 21 * k)
    expect([10, 20, 30].map((w) => layerShapes([10, w, w, 4]).P)).toEqual([264, 724, 1384])
  })

  it('forward and gradient (through gemm) equal plain row-by-row loops to 1e-14 (odd rows, widths not multiples of 4)', () => {
    // the reference: z = b + Σ_p a_p·W[p, :] skipping a_p = 0, δ_{l−1} = (δ_l·Wᵀ) ⊙ relu', gW = aᵀδ
    const sizes = [5, 7, 6, 3]
    const n = 23
    const data = makeBlobs(n, 5, 3, 1.5, new Rng(7, 'data'))
    const mlp = new Mlp(sizes, n)
    const theta = initParams(mlp.P, 0.6, new Rng(7, 'init'))
    const { layers } = layerShapes(sizes)
    const acts: Float64Array[] = [data.X]
    const zs: Float64Array[] = []
    for (const [l, s] of layers.entries()) {
      const z = new Float64Array(n * s.outDim)
      for (let i = 0; i < n; i++) {
        for (let q = 0; q < s.outDim; q++) {
          let v = theta[s.b + q]
          for (let p = 0; p < s.inDim; p++) {
            const a = acts[l][i * s.inDim + p]
            if (a !== 0) v += a * theta[s.w + p * s.outDim + q]
          }
          z[i * s.outDim + q] = v
        }
      }
      zs.push(z)
      acts.push(z.map((v) => (v > 0 ? v : 0)))
    }
    const zL = zs[2]
    let loss = 0
    let d = new Float64Array(n * 3)
    for (let i = 0; i < n; i++) {
      const row = zL.subarray(i * 3, i * 3 + 3)
      const m = Math.max(...row)
      const e = Array.from(row, (v) => Math.exp(v - m))
      const s = e[0] + e[1] + e[2]
      loss -= row[data.labels[i]] - m - Math.log(s)
      for (let c = 0; c < 3; c++) d[i * 3 + c] = (e[c] / s) * (1 / n)
      d[i * 3 + data.labels[i]] -= 1 / n
    }
    const gRef = new Float64Array(mlp.P)
    for (let l = 2; l >= 0; l--) {
      const { inDim, outDim, w, b } = layers[l]
      for (let p = 0; p < inDim; p++) {
        for (let q = 0; q < outDim; q++) {
          let v = 0
          for (let i = 0; i < n; i++) v += acts[l][i * inDim + p] * d[i * outDim + q]
          gRef[w + p * outDim + q] = v
        }
      }
      for (let q = 0; q < outDim; q++) {
        let v = 0
        for (let i = 0; i < n; i++) v += d[i * outDim + q]
        gRef[b + q] = v
      }
      if (l === 0) break
      const prev = new Float64Array(n * inDim)
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < inDim; p++) {
          if (!(zs[l - 1][i * inDim + p] > 0)) continue
          let v = 0
          for (let q = 0; q < outDim; q++) v += d[i * outDim + q] * theta[w + p * outDim + q]
          prev[i * inDim + p] = v
        }
      }
      d = prev
    }
    expect(Math.abs(mlp.forward(theta, data.X, data.labels, n) / (loss / n) - 1)).toBeLessThan(1e-14)
    const g = mlp.gradient(theta, new Float64Array(mlp.P))
    expect(maxAbs(g.map((x, i) => x - gRef[i])) / maxAbs(gRef)).toBeLessThan(1e-14)
  })

  it('uses log-softmax: a saturated sample keeps its loss and gradient (no 1e-15 clipping)', () => {
    const mlp = new Mlp([1, 2], 1)
    // logits (0, 40): p(label 0) = e^-40 ≈ 4e-18, below the authors' 1e-15 clip
    const theta = Float64Array.of(0, 40, 0, 0)
    const loss = mlp.forward(theta, Float64Array.of(1), [0], 1)
    expect(loss).toBeCloseTo(40, 12)
    const g = mlp.gradient(theta, new Float64Array(4))
    expect(g[0]).toBeCloseTo(-1, 12)
  })

  it('the gradient matches central finite differences to 1e-8 (relative)', () => {
    const { data, mlp, theta } = tiny()
    lossAt(mlp, theta, data)
    const g = mlp.gradient(theta, new Float64Array(mlp.P))
    const h = 1e-6
    let err = 0
    for (let i = 0; i < mlp.P; i++) {
      const tp = theta.slice()
      const tm = theta.slice()
      tp[i] += h
      tm[i] -= h
      const fd = (lossAt(mlp, tp, data) - lossAt(mlp, tm, data)) / (2 * h)
      err = Math.max(err, Math.abs(fd - g[i]))
    }
    expect(err / maxAbs(g)).toBeLessThan(1e-8)
  })

  it('H·v matches central differences of the exact gradient to 1e-7 (relative), dense and basis directions', () => {
    const { data, mlp, theta } = tiny(2)
    const rng = new Rng(5)
    const dirs = [rng.gaussianMatrix(1, mlp.P), ...[0, 17, 40, mlp.P - 1].map((j) => Float64Array.from({ length: mlp.P }, (_, i) => (i === j ? 1 : 0)))]
    for (const v of dirs) {
      lossAt(mlp, theta, data)
      mlp.gradient(theta, new Float64Array(mlp.P))
      const hv = mlp.hvp(theta, v, new Float64Array(mlp.P))
      const h = 1e-5
      const gp = new Float64Array(mlp.P)
      const gm = new Float64Array(mlp.P)
      const tp = theta.map((t, i) => t + h * v[i])
      const tm = theta.map((t, i) => t - h * v[i])
      lossAt(mlp, tp, data)
      mlp.gradient(tp, gp)
      lossAt(mlp, tm, data)
      mlp.gradient(tm, gm)
      const fd = gp.map((x, i) => (x - gm[i]) / (2 * h))
      expect(maxAbs(fd.map((x, i) => x - hv[i])) / Math.max(maxAbs(hv), 1e-12)).toBeLessThan(1e-7)
    }
  })

  it('H·v equals the numeric core tape autodiff HVP (forward-over-reverse) to 1e-13', () => {
    const { data, mlp, theta } = tiny(3)
    const sizes = [3, 5, 4, 3]
    const v = new Rng(9).gaussianMatrix(1, mlp.P)
    lossAt(mlp, theta, data)
    const g = mlp.gradient(theta, new Float64Array(mlp.P))
    const hv = mlp.hvp(theta, v, new Float64Array(mlp.P))
    const res = ad.hessianVectorProduct(tapeLoss(sizes, data.X, data.labels, data.N), splitParams(sizes, theta), splitParams(sizes, v).map((p) => p.value))
    const gTape = new Float64Array(res.grads.flatMap((x) => Array.from(x)))
    const hvTape = new Float64Array(res.hv.flatMap((x) => Array.from(x)))
    expect(res.value).toBeCloseTo(lossAt(mlp, theta, data), 14)
    expect(maxAbs(g.map((x, i) => x - gTape[i])) / maxAbs(g)).toBeLessThan(1e-13)
    expect(maxAbs(hv.map((x, i) => x - hvTape[i])) / maxAbs(hv)).toBeLessThan(1e-13)
  })

  it('the assembled Hessian is symmetric to 1e-13 before symmetrisation and matches finite differences of the gradient', () => {
    const { data, mlp, theta } = tiny(4)
    lossAt(mlp, theta, data)
    mlp.gradient(theta, new Float64Array(mlp.P))
    const res = mlp.hessian(theta, { block: 16 })!
    expect(res.asymmetry).toBeLessThan(1e-13)
    const P = mlp.P
    const h = 1e-5
    let err = 0
    for (const j of [0, 9, 30, P - 1]) {
      const gp = new Float64Array(P)
      const gm = new Float64Array(P)
      const tp = theta.slice()
      const tm = theta.slice()
      tp[j] += h
      tm[j] -= h
      lossAt(mlp, tp, data)
      mlp.gradient(tp, gp)
      lossAt(mlp, tm, data)
      mlp.gradient(tm, gm)
      for (let i = 0; i < P; i++) err = Math.max(err, Math.abs((gp[i] - gm[i]) / (2 * h) - res.H[i * P + j]))
    }
    expect(err / maxAbs(res.H)).toBeLessThan(1e-7)
  })
})

describe('spectrum read-out', () => {
  it('ratios, predicted gap, max-gap detector and near-zero fraction on a known spectrum', () => {
    const asc = Float64Array.of(-1e-4, 0, 1e-6, 1e-4, 2e-4, 1e-3, 2e-3, 2.5e-3)
    const s = summariseSpectrum(asc, 3, 30, 1e-3)
    expect(Array.from(s.top)).toEqual([2.5e-3, 2e-3, 1e-3, 2e-4, 1e-4, 1e-6])
    expect(s.ratios[2]).toBeCloseTo(5, 12)
    expect(s.predictedRatio).toBeCloseTo(5, 12)
    expect(s.maxEarlierRatio).toBe(2)
    expect(s.detectedGap).toBe(5) // 1e-4/1e-6 = 100: the plain detector lands in the bulk
    // |λ| < 2.5e-6: 0 and 1e-6
    expect(s.nearZeroFraction).toBe(2 / 8)
    expect(s.lambdaMin).toBe(-1e-4)
    const h = logAbsHistogram(asc, s.lambdaMax)
    expect(h.positive.reduce((a, b) => a + b, 0) + h.negative.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14)
    expect(h.negative.reduce((a, b) => a + b, 0)).toBe(1 / 8)
  })

  it('the dense eigensolver on the Hessian: eigenvalues sum to the trace', () => {
    const { data, mlp, theta } = tiny(6)
    lossAt(mlp, theta, data)
    mlp.gradient(theta, new Float64Array(mlp.P))
    const { H } = mlp.hessian(theta)!
    const ev = symEigvalues(H, mlp.P)
    let tr = 0
    for (let i = 0; i < mlp.P; i++) tr += H[i * mlp.P + i]
    expect(ev.reduce((a, b) => a + b, 0)).toBeCloseTo(tr, 12)
  })
})

describe('study runs at tiny size', () => {
  const small = { N: 60, d: 4, k: 3, width: 6, iterations: 300, topK: 10 }

  it('spectrum: bit-identical for the same seed; records every eigenvalue, the top list and a histogram summing to 1', async () => {
    const a = await runLocal(study, { ...small, experiment: 'spectrum' }, 3)
    const b = await runLocal(study, { ...small, experiment: 'spectrum' }, 3)
    expect(a.status, a.error ?? '').toBe('done')
    const P = layerShapes([4, 6, 6, 3]).P
    expect(a.summary.params).toBe(P)
    expect(a.summary['oracle:hvp']).toBe(P)
    expect(a.summary['oracle:eigIndex']).toBe(P)
    expect(Buffer.from(a.columns.eigenvalue.buffer).equals(Buffer.from(b.columns.eigenvalue.buffer))).toBe(true)
    expect(Buffer.from(a.columns.loss.buffer).equals(Buffer.from(b.columns.loss.buffer))).toBe(true)
    const eig = a.columns.eigenvalue.filter(Number.isFinite)
    expect(eig.length).toBe(P)
    for (let i = 1; i < P; i++) expect(eig[i]).toBeLessThanOrEqual(eig[i - 1])
    const hist = [...a.columns.histPositive, ...a.columns.histNegative].filter(Number.isFinite)
    expect(hist.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12)
    expect(a.summary.lambdaMax).toBe(eig[0])
    expect(a.summary.hessianAsymmetry).toBeLessThan(1e-12)
    // golden values (seed 3, this tiny set-up), pinned to 1e-9 relative
    expect(Math.abs(a.summary.loss / GOLDEN.loss - 1)).toBeLessThan(1e-9)
    expect(Math.abs(a.summary.lambdaMax / GOLDEN.lambdaMax - 1)).toBeLessThan(1e-9)
  })

  it('trajectory: Lanczos top eigenvalues agree with the dense spectrum at the last snapshot', async () => {
    const dense = await runLocal(study, { ...small, experiment: 'spectrum' }, 4)
    const traj = await runLocal(study, { ...small, experiment: 'trajectory', trajectoryEvery: 100, lanczosSteps: 60 }, 4)
    expect(traj.status, traj.error ?? '').toBe('done')
    const top = dense.columns.topEigenvalue.filter(Number.isFinite)
    for (let j = 0; j < 3; j++) expect(Math.abs(traj.summary[`topEig[${j}]`] - top[j]) / top[0]).toBeLessThan(1e-10)
    expect(traj.summary['oracle:hvp']).toBe(3 * 60)
  })

  it('lbsb: the segment grid holds a = 0 and a = 1 exactly, with L(w(0)) = L_LB and L(w(1)) = L_SB', async () => {
    const r = await runLocal(study, { ...small, experiment: 'lbsb', sbSteps: 200, sbBatch: 6, lanczosSteps: 30 }, 5)
    expect(r.status, r.error ?? '').toBe('done')
    const a = r.columns['oracle:segmentA']
    const loss = r.columns.segmentLoss
    const rows = Array.from(loss.keys()).filter((i) => Number.isFinite(loss[i]))
    expect(rows.length).toBe(61)
    const at = (x: number) => loss[rows.find((i) => Math.abs(a[i] - x) < 1e-12)!]
    expect(at(0)).toBe(r.summary.lossLB)
    expect(at(1)).toBe(r.summary.lossSB)
    expect(r.summary['oracle:grad']).toBeCloseTo(301 + 200 * 6 / 60, 9)
  })
})

const GOLDEN = { loss: 0.023250932381231604, lambdaMax: 0.50988299665745662 }
