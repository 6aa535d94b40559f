import { describe, expect, it } from 'vitest'
import { runLocal, resolveStudyParams } from '../../kit/harness'
import { nrm2 } from '../../numeric/dense'
import { symEig } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { makeMixture } from './data'
import { initParams, mlpShape, MlpWorkspace, softmaxCE } from './mlp'
import { addTrajectoryGradient, gradientNorm, parseEpochList, safSlots, sharpness, Trainer, trajectoryRecord, type TrainerParams } from './solver'
import study from './study'

const tinyShape = mlpShape([3, 5, 4, 3])

function tinyProblem(seed: number, rows = 7) {
  const rng = new Rng(seed, 'test')
  // gain √6 so that some units are inactive and the ReLU masks matter
  const w = initParams(tinyShape, Math.sqrt(6), rng)
  for (let i = 0; i < w.length; i++) w[i] += 0.05 * rng.normal() // non-zero biases too
  const X = rng.gaussianMatrix(rows, 3)
  const y = new Int32Array(rows).map(() => rng.int(3))
  return { rng, w, X, y, rows }
}

function meanCE(ws: MlpWorkspace, w: Float64Array, X: Float64Array, y: Int32Array, rows: number): number {
  ws.forward(w, X, rows)
  return softmaxCE(ws.logits, y, rows, 3, new Float64Array(rows * 3)).ceSum / rows
}

/** a tiny study config that runs in well under a second */
const TINY = { nTrain: 60, nTest: 200, batch: 20, epochs: 12, hidden: 8, powerIters: 20, trackEpochs: '4, 8', eStart: 5 }

describe('gradientNorm (SAM\'s ascent norm)', () => {
  it('matches the scaled nrm2 to round-off, lengths not a multiple of 4 included', () => {
    const rng = new Rng(3, 'norm')
    for (const n of [0, 1, 3, 4, 7, 5316]) {
      const g = new Float64Array(n)
      rng.fillNormal(g)
      for (let i = 0; i < n; i++) g[i] *= 1e-3
      expect(gradientNorm(g)).toBeCloseTo(nrm2(g), 14)
      if (n > 0) expect(Math.abs(gradientNorm(g) - nrm2(g))).toBeLessThanOrEqual(1e-14 * nrm2(g))
    }
  })
})

describe('MLP gradient and R-operator Hessian-vector product', () => {
  it('the gradient matches central differences of the mean CE (rel. 1e-7)', () => {
    const { w, X, y, rows } = tinyProblem(1)
    const ws = new MlpWorkspace(tinyShape, rows)
    const g = new Float64Array(tinyShape.P)
    ws.prepareHessian(w, X, y, rows, g)
    const h = 1e-6
    let maxErr = 0
    for (let i = 0; i < tinyShape.P; i++) {
      const wp = w.slice()
      const wm = w.slice()
      wp[i] += h
      wm[i] -= h
      const fd = (meanCE(ws, wp, X, y, rows) - meanCE(ws, wm, X, y, rows)) / (2 * h)
      maxErr = Math.max(maxErr, Math.abs(fd - g[i]))
    }
    const scale = Math.max(...Array.from(g, Math.abs))
    expect(maxErr / scale).toBeLessThan(1e-7)
  })

  it('H·v matches central differences of the gradient (rel. 1e-6) and is symmetric (uᵀHv = vᵀHu to 1e-13)', () => {
    const { rng, w, X, y, rows } = tinyProblem(2)
    const ws = new MlpWorkspace(tinyShape, rows)
    const P = tinyShape.P
    const v = rng.gaussianMatrix(1, P)
    const u = rng.gaussianMatrix(1, P)
    const g = new Float64Array(P)
    ws.prepareHessian(w, X, y, rows, g)
    const Hv = new Float64Array(P)
    const Hu = new Float64Array(P)
    ws.hvp(w, v, Hv)
    ws.hvp(w, u, Hu)
    const h = 1e-5
    const gp = new Float64Array(P)
    const gm = new Float64Array(P)
    const wp = w.map((x, i) => x + h * v[i])
    const wm = w.map((x, i) => x - h * v[i])
    ws.prepareHessian(wp, X, y, rows, gp)
    ws.prepareHessian(wm, X, y, rows, gm)
    let maxErr = 0
    let scale = 0
    for (let i = 0; i < P; i++) {
      maxErr = Math.max(maxErr, Math.abs((gp[i] - gm[i]) / (2 * h) - Hv[i]))
      scale = Math.max(scale, Math.abs(Hv[i]))
    }
    expect(maxErr / scale).toBeLessThan(1e-6)
    let uHv = 0
    let vHu = 0
    for (let i = 0; i < P; i++) {
      uHv += u[i] * Hv[i]
      vHu += v[i] * Hu[i]
    }
    expect(Math.abs(uHv - vHu)).toBeLessThan(1e-13 * Math.max(1, Math.abs(uHv)))
  })

  it('sharpness is the top eigenvalue of the dense CE Hessian (no weight decay), to 1e-9', () => {
    const rows = 40
    const data = makeMixture(new Rng(3, 'data'), { d: 10, K: 4, subclusters: 2, nTrain: rows, nTest: 10, centreScale: 1.6, labelNoise: 0.2, noiseKind: 'resample' })
    const shape = mlpShape([10, 6, 6, 4])
    const w = initParams(shape, Math.sqrt(3), new Rng(3, 'init'))
    const P = shape.P
    const ws = new MlpWorkspace(shape, rows)
    ws.prepareHessian(w, data.Xtrain, data.yTrain, rows, new Float64Array(P))
    const H = new Float64Array(P * P)
    const e = new Float64Array(P)
    const col = new Float64Array(P)
    for (let j = 0; j < P; j++) {
      e.fill(0)
      e[j] = 1
      ws.hvp(w, e, col)
      for (let i = 0; i < P; i++) H[i * P + j] = col[i]
    }
    const top = symEig(H, P).values[P - 1]
    const ctx = { cancelled: false, count: () => undefined }
    const power = sharpness(ws, w, data, rows, 'power', 3000, new Rng(0, 'sharpness'), ctx)
    const lanczos = sharpness(ws, w, data, rows, 'lanczos', P, new Rng(0, 'sharpness'), ctx)
    expect(Math.abs(power - top) / top).toBeLessThan(1e-9)
    expect(Math.abs(lanczos - top) / top).toBeLessThan(1e-9)
  })
})

describe('SAF trajectory loss', () => {
  const K = 4
  const tau = 5
  const z = new Float64Array([0.3, -1.2, 2.0, 0.7])
  const zOld = new Float64Array([1.1, 0.4, -0.5, 0.2])
  /** λ·τ²·KL(softmax(zOld/τ) ‖ softmax(z/τ)) / B written out directly */
  function termValue(zz: Float64Array, lambda: number, B: number): number {
    const sm = (a: Float64Array) => {
      const e = Array.from(a, (x) => Math.exp(x / tau))
      const s = e.reduce((x, y) => x + y, 0)
      return e.map((x) => x / s)
    }
    const p = sm(zOld)
    const q = sm(zz)
    let kl = 0
    for (let k = 0; k < K; k++) kl += p[k] * Math.log(p[k] / q[k])
    return (lambda * tau * tau * kl) / B
  }

  it('adds λ·τ·(softmax(z/τ) − softmax(z_old/τ))/B, the gradient of λ·τ²·KL(old ‖ new)/B (central differences, 1e-9)', () => {
    const lambda = 3
    const B = 50
    const dz = new Float64Array(K)
    const value = addTrajectoryGradient(z, 0, zOld, 0, K, tau, lambda / B, dz, new Float64Array(4 * K))
    expect(value).toBeCloseTo((termValue(z, lambda, B) * B) / lambda, 13)
    const h = 1e-6
    for (let k = 0; k < K; k++) {
      const zp = z.slice()
      const zm = z.slice()
      zp[k] += h
      zm[k] -= h
      const fd = (termValue(zp, lambda, B) - termValue(zm, lambda, B)) / (2 * h)
      expect(Math.abs(fd - dz[k])).toBeLessThan(1e-9)
    }
  })

  it('is KL(old ‖ new), not the reverse direction', () => {
    const dz = new Float64Array(K)
    const value = addTrajectoryGradient(z, 0, zOld, 0, K, tau, 1, dz, new Float64Array(4 * K))
    const sm = (a: Float64Array) => {
      const e = Array.from(a, (x) => Math.exp(x / tau))
      const s = e.reduce((x, y) => x + y, 0)
      return e.map((x) => x / s)
    }
    const p = sm(zOld)
    const q = sm(z)
    let reverse = 0
    for (let k = 0; k < K; k++) reverse += q[k] * Math.log(q[k] / p[k])
    expect(Math.abs(value - tau * tau * reverse)).toBeGreaterThan(1e-4)
  })

  it('reads slot (e − Ẽ) mod (Ẽ+1) before writing slot e mod (Ẽ+1): the lag is exactly Ẽ epochs', () => {
    for (const eTilde of [1, 2, 3, 5]) {
      const slotEpoch = new Array<number>(eTilde + 1).fill(-1)
      for (let e = 0; e < 30; e++) {
        const { read, write } = safSlots(e, eTilde)
        expect(read).not.toBe(write)
        if (e >= eTilde) expect(slotEpoch[read]).toBe(e - eTilde)
        slotEpoch[write] = e
      }
    }
  })

  it('indexes the logit buffer by sample id, not batch position (with shuffling)', () => {
    const data = makeMixture(new Rng(4, 'data'), { d: 10, K: 4, subclusters: 2, nTrain: 30, nTest: 10, centreScale: 1.6, labelNoise: 0.2, noiseKind: 'resample' })
    const shape = mlpShape([10, 6, 6, 4])
    const w = initParams(shape, Math.sqrt(3), new Rng(4, 'init'))
    // lr = 0: w never moves, so each sample's stored logits must equal its own forward pass
    const p: TrainerParams = { method: 'saf', lr: 0, momentum: 0.9, weightDecay: 5e-3, batch: 7, samRho: 0.05, safLambda: 3, tau: 5, eTilde: 3, eStart: 0 }
    const trainer = new Trainer(p, data, shape, w)
    const rng = new Rng(4, 'shuffle')
    const kl = { sum: 0 }
    for (let e = 0; e < 2; e++) {
      const perm = rng.permutation(data.nTrain)
      for (let s = 0; s < trainer.stepsPerEpoch; s++) trainer.step(e, s, perm, kl)
    }
    const ws = new MlpWorkspace(shape, data.nTrain)
    ws.forward(w, data.Xtrain, data.nTrain)
    const slots = p.eTilde + 1
    for (let id = 0; id < data.nTrain; id++) {
      for (const slot of [0, 1]) {
        const rec = new Float64Array(8)
        trajectoryRecord(ws.logits, id * 4, 4, p.tau, rec, 0)
        for (let k = 0; k < 8; k++) expect(trainer.logitBuffer[(id * slots + slot) * 8 + k]).toBeCloseTo(rec[k], 12)
      }
    }
    // the lag-3 slot is read (as zeros) only from e = Ẽ on in a real run: eStart ≥ Ẽ − 1 is validated
    expect(() => resolveStudyParams(study, { eStart: 1, eTilde: 3 })).toThrow(/eStart/)
  })
})

describe('data, cost accounting and the run', () => {
  it('label noise: resample changes ≈ 15 % of labels at 0.2 and 4 classes, flip ≈ 20 %', () => {
    const o = { d: 10, K: 4, subclusters: 2, nTrain: 20000, nTest: 10, centreScale: 1.6, labelNoise: 0.2 }
    const a = makeMixture(new Rng(5, 'data'), { ...o, noiseKind: 'resample' })
    const b = makeMixture(new Rng(5, 'data'), { ...o, noiseKind: 'flip' })
    expect(Math.abs(a.flipped / o.nTrain - 0.15)).toBeLessThan(0.01)
    expect(Math.abs(b.flipped / o.nTrain - 0.2)).toBeLessThan(0.01)
  })

  it('parses tracked epochs and rejects bad ones', () => {
    expect(parseEpochList('80, 20 40,60')).toEqual([20, 40, 60, 80])
    expect(parseEpochList('')).toEqual([])
    expect(() => resolveStudyParams(study, { trackEpochs: '20, x' })).toThrow(/trackEpochs/)
  })

  it('counts one gradient evaluation per step for SGD and SAF and two for SAM', async () => {
    const steps = TINY.epochs * Math.ceil(TINY.nTrain / TINY.batch)
    for (const [method, per] of [['sgd', 1], ['saf', 1], ['sam', 2]] as const) {
      const r = await runLocal(study, { ...TINY, method, trackEpochs: '' }, 0)
      expect(r.status).toBe('done')
      expect(r.summary['oracle:grad']).toBe(per * steps)
      expect(r.summary.gradEvals).toBe(per * steps)
    }
  })

  it('SAM with a vanishing radius follows SGD (the update is applied at w, not at w + ε)', async () => {
    const sgd = await runLocal(study, { ...TINY, method: 'sgd', trackEpochs: '' }, 0)
    const sam = await runLocal(study, { ...TINY, method: 'sam', samRho: 1e-9, trackEpochs: '' }, 0)
    expect(Math.abs(sam.summary.trainLoss - sgd.summary.trainLoss)).toBeLessThan(1e-6)
    expect(Math.abs(sam.summary.lambdaMax - sgd.summary.lambdaMax)).toBeLessThan(1e-5)
  })

  it('records λ_max at the tracked epochs and the end; tracking does not change training', async () => {
    const a = await runLocal(study, { ...TINY, method: 'saf' }, 1)
    const b = await runLocal(study, { ...TINY, method: 'saf', trackEpochs: '', evalEvery: 1000 }, 1)
    const lam = a.columns.lambdaMax
    const ep = a.columns.epoch
    const at = Array.from(lam.keys()).filter((i) => Number.isFinite(lam[i])).map((i) => ep[i])
    expect(at).toEqual([4, 8, 12])
    expect(a.summary.lambdaMax).toBe(b.summary.lambdaMax)
    expect(a.summary.testAcc).toBe(b.summary.testAcc)
    expect(a.summary.klTerm).toBeGreaterThan(0)
    // tracked checkpoints on a subset; the final λ_max still uses the full training set
    const c = await runLocal(study, { ...TINY, method: 'saf', trackSubset: 20 }, 1)
    expect(c.summary.lambdaMax).toBe(a.summary.lambdaMax)
    expect(c.columns.lambdaMax.filter(Number.isFinite)[0]).not.toBe(lam.filter(Number.isFinite)[0])
  })

  it('the loss profile along the top eigenvector starts at the training loss and follows the quadratic model near 0', async () => {
    const r = await runLocal(study, { ...TINY, method: 'sgd', trackEpochs: '', powerIters: 200, profilePoints: 5, profileRadius: 1e-3 }, 2)
    const t = r.columns.profileT
    const rows = Array.from(t.keys()).filter((i) => Number.isFinite(t[i]))
    expect(rows.map((i) => t[i])).toEqual([-1e-3, -5e-4, 0, 5e-4, 1e-3])
    const mid = rows[2]
    expect(r.columns.profileLoss[mid]).toBeCloseTo(r.summary.trainLoss, 12)
    for (const i of rows) expect(Math.abs(r.columns.profileLoss[i] - r.columns.profileQuadratic[i])).toBeLessThan(1e-8)
    // the curvature ½λ·t² is visible above the linear part: (L(t) + L(−t) − 2L(0))/t² ≈ λ_max
    const L = r.columns.profileLoss
    const curvature = (L[rows[4]] + L[rows[0]] - 2 * L[mid]) / 1e-6
    expect(Math.abs(curvature - r.summary.lambdaMax) / r.summary.lambdaMax).toBeLessThan(1e-3)
  })

  it('is bit-identical for the same seed, different for another, with pinned golden values for SAF, SGD and SAM (rel. 1e-9)', async () => {
    const a = await runLocal(study, { ...TINY, method: 'saf' }, 7)
    const b = await runLocal(study, { ...TINY, method: 'saf' }, 7)
    const c = await runLocal(study, { ...TINY, method: 'saf' }, 8)
    for (const name of ['batchLoss', 'lambdaMax', 'testAcc', 'klTerm']) {
      expect(Buffer.from(a.columns[name].buffer).equals(Buffer.from(b.columns[name].buffer)), name).toBe(true)
    }
    expect(a.summary.lambdaMax).not.toBe(c.summary.lambdaMax)
    const golden = { lambdaMax: 1.6322557965001618, trainLoss: 1.0674825093993632, testAcc: 0.595 }
    for (const [k, v] of Object.entries(golden)) expect(Math.abs(a.summary[k] - v) / Math.abs(v), k).toBeLessThan(1e-9)
    const sgd = await runLocal(study, { ...TINY, method: 'sgd', trackEpochs: '' }, 7)
    const sam = await runLocal(study, { ...TINY, method: 'sam', trackEpochs: '' }, 7)
    expect(Math.abs(sgd.summary.lambdaMax - 2.9084987239514675) / 2.9084987239514675).toBeLessThan(1e-9)
    expect(Math.abs(sgd.summary.trainLoss - 0.49401784691916356) / 0.49401784691916356).toBeLessThan(1e-9)
    expect(Math.abs(sam.summary.lambdaMax - 2.960294235943267) / 2.960294235943267).toBeLessThan(1e-9)
    expect(Math.abs(sam.summary.trainLoss - 0.5316828646240077) / 0.5316828646240077).toBeLessThan(1e-9)
  })
})
