import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { solve } from '../../numeric/linalg'
import { Rng } from '../../numeric/rng'
import { argmin, ermExcess, parseNs } from './solver'
import study from './study'
import { alphaGrid, countLocalExtrema, drawFirstLayer, drawTask, RidgeWorkspace, utilityCurve, type TaskSizes } from './utility'

const SIZES: TaskSizes = { inputDim: 5, hiddenUnits: 12, teacherUnits: 4, nTrain: 25, nVal: 50, noiseStd: 0.1 }
const SMALL = { poolSize: 40, trainPool: 20, heldOutPool: 20, repetitions: 30, Ns: '2, 5, 10, 20', alphaGrid: 21 }

function denseUtility(task: ReturnType<typeof drawTask>, alpha: number, ridge: number, M: number): number {
  const feat = (z: number) => alpha * Math.max(z, 0) + (1 - alpha) * z
  const nt = task.ytrain.length
  const A = new Float64Array(M * M)
  const b = new Float64Array(M)
  for (let i = 0; i < nt; i++)
    for (let k = 0; k < M; k++) {
      const pk = feat(task.Ztrain[i * M + k])
      b[k] += (pk * task.ytrain[i]) / nt
      for (let l = 0; l < M; l++) A[k * M + l] += (pk * feat(task.Ztrain[i * M + l])) / nt
    }
  for (let k = 0; k < M; k++) A[k * M + k] += ridge
  const a = solve(A, b, M)
  let sse = 0
  const nv = task.yval.length
  for (let i = 0; i < nv; i++) {
    let p = 0
    for (let k = 0; k < M; k++) p += a[k] * feat(task.Zval[i * M + k])
    sse += (p - task.yval[i]) ** 2
  }
  return sse / nv
}

describe('utility curve (exact inner ridge solve)', () => {
  const layer = drawFirstLayer(SIZES, new Rng(3, 'init'))
  const task = drawTask(SIZES, layer, new Rng(3, 'data'))
  const alphas = new Float64Array([0, 0.135, 0.5, 0.77, 1])

  it('matches a dense LU solve of (ΦᵀΦ/n + λI)a = Φᵀy/n to 1e-12 relative', () => {
    const u = utilityCurve(task, alphas, 1e-3, new RidgeWorkspace(12), new Float64Array(alphas.length))
    for (let g = 0; g < alphas.length; g++) {
      const ref = denseUtility(task, alphas[g], 1e-3, 12)
      expect(Math.abs(u[g] - ref) / ref).toBeLessThan(1e-12)
    }
  })

  it('at α = 0 the 12 features span only d + 1 = 6 directions: the ridge term keeps the solve well posed (pitfall)', () => {
    const u0 = utilityCurve(task, new Float64Array([0]), 1e-3, new RidgeWorkspace(12), new Float64Array(1))[0]
    expect(Number.isFinite(u0)).toBe(true)
    // without the ridge the Gram matrix is singular in exact arithmetic: Cholesky meets a (near-)zero pivot
    let unregularised = NaN
    try {
      unregularised = utilityCurve(task, new Float64Array([0]), 1e-300, new RidgeWorkspace(12), new Float64Array(1))[0]
    } catch {
      unregularised = Infinity
    }
    expect(Number.isFinite(unregularised) && Math.abs(unregularised - u0) < 1e-3 * u0).toBe(false)
  })

  it('α grid has exact endpoints and step 0.005 at 201 points', () => {
    const g = alphaGrid(201)
    expect(g[0]).toBe(0)
    expect(g[200]).toBe(1)
    expect(g[27]).toBeCloseTo(0.135, 15)
  })
})

describe('local-extrema count (pitfall: tolerance on |Δu|)', () => {
  it('counts sign changes of Δu', () => {
    expect(countLocalExtrema([3, 2, 1, 2, 3], 1e-12)).toBe(1)
    expect(countLocalExtrema([1, 2, 1, 2, 1], 1e-12)).toBe(3)
    expect(countLocalExtrema([1, 2, 3, 4], 1e-12)).toBe(0)
  })
  it('skips steps with |Δu| ≤ tol, so round-off wiggles on a flat stretch are not extrema', () => {
    const u = [1, 0.5, 0.5 + 1e-14, 0.5, 0.5 + 1e-14, 0.5, 0.25]
    expect(countLocalExtrema(u, 0)).toBe(4)
    expect(countLocalExtrema(u, 1e-12)).toBe(0)
  })
  it('reads a row of a table through offset and length', () => {
    const t = [9, 9, 9, 1, 0, 1, 7, 7]
    expect(countLocalExtrema(t, 1e-12, 3, 3)).toBe(1)
  })
})

describe('ERM on task subsets (pitfalls: without replacement, held-out tasks)', () => {
  it('N = whole training pool picks the pool argmin on every repetition (no replacement)', () => {
    const G = 7
    const P = 12
    const rng = new Rng(5, 'x')
    const table = new Float64Array(P * G)
    for (let i = 0; i < table.length; i++) table[i] = rng.uniform()
    const trainMean = new Float64Array(G)
    for (let t = 0; t < P; t++) for (let g = 0; g < G; g++) trainMean[g] += table[t * G + g] / P
    const held = new Float64Array([0.5, 0.4, 0.3, 0.2, 0.3, 0.4, 0.5])
    const r = ermExcess(table, G, P, held, [P], 50, new Rng(1, 'erm'), alphaGrid(G))
    const expected = held[argmin(trainMean)] - 0.2
    for (const e of r.excess[0]) expect(e).toBe(expected)
  })
  it('the excess is measured on the held-out curve, and is ≥ 0', () => {
    const G = 5
    const table = new Float64Array([1, 0, 1, 1, 1, 1, 0, 1, 1, 1])
    const held = new Float64Array([0, 1, 2, 3, 4])
    const r = ermExcess(table, G, 2, held, [1, 2], 40, new Rng(2, 'erm'), alphaGrid(G))
    for (const e of r.excess[0]) expect(e).toBe(1)
    for (const e of r.excess[1]) expect(e).toBe(1)
  })
  it('parses the N list and rejects bad ones', () => {
    expect(parseNs('2, 3 ,10;200')).toEqual([2, 3, 10, 200])
    expect(() => parseNs('3, 2')).toThrow()
    expect(() => parseNs('2, x')).toThrow()
  })
})

describe('study runs', () => {
  it('is deterministic and pins golden values at a small size', async () => {
    const a = await runLocal(study, SMALL, 7)
    const b = await runLocal(study, SMALL, 7)
    expect(a.status).toBe('done')
    for (const k of Object.keys(a.columns)) if (k !== 'wallMs') expect(Array.from(b.columns[k])).toEqual(Array.from(a.columns[k]))
    // golden values (seed 7, 40 tasks, 21-point grid): pinned to 1e-10 relative.
    const s = a.summary
    expect(s['oracle:solve']).toBe(40 * 21)
    expect(s.meanExtrema).toBe(1.15)
    expect(s.alphaStar).toBe(0.1)
    expect(s.expectedAtZero).toBeCloseTo(0.7405236717160792, 10)
    expect(s.expectedAtOne).toBeCloseTo(5.024985855226551, 9)
    expect(s.excessAt10).toBeCloseTo(0.0013717679780232159, 12)
  })
  it('rejects an N larger than the training pool', async () => {
    await expect(runLocal(study, { ...SMALL, Ns: '2, 50' }, 0)).rejects.toThrow(/exceeds the ERM training pool/)
  })
})
