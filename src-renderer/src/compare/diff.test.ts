import { describe, expect, it } from 'vitest'
import { diffRows, differingParams, parseIds, runLabels, type RunLike } from './diff'

const run = (id: string, params: RunLike['params'], seed = 0, study = 's'): RunLike => ({ id, study, seed, params })

describe('differing params and legend names', () => {
  const a = run('a1', { alpha: 1e-5, rankModel: 20, method: 'gd' })
  const b = run('b1', { alpha: 1e-3, rankModel: 20, method: 'gd' })
  const c = run('c1', { alpha: 1e-5, rankModel: 40, method: 'gd' })

  it('finds the params whose values differ, seed included', () => {
    expect(differingParams([a, b, c])).toEqual(['alpha', 'rankModel'])
    expect(differingParams([a, { ...a, id: 'a2', seed: 3 }])).toEqual(['seed'])
    expect(differingParams([a])).toEqual([])
  })

  it('names each run by the differing params', () => {
    expect(runLabels([a, b, c])).toEqual(['alpha=1e-5, rankModel=20', 'alpha=0.001, rankModel=20', 'alpha=1e-5, rankModel=40'])
  })

  it('treats a param one run lacks as differing, and prefixes studies when mixed', () => {
    const d = run('d1', { alpha: 1e-5, rankModel: 20, method: 'gd', extra: true })
    expect(differingParams([a, d])).toEqual(['extra'])
    expect(runLabels([a, run('x1', { rho: 0.5 }, 0, 'probe')])).toEqual(['s: a1', 'probe: x1'])
  })

  it('keeps names unique when nothing tells runs apart', () => {
    expect(runLabels([a, { ...a }])).toEqual(['a1', 'a1 #2'])
  })
})

describe('diff rows', () => {
  const a = run('a', { alpha: 1, method: 'gd' }, 0)
  const b = run('b', { alpha: 2, method: 'gd' }, 0)
  it('lists every param with a differs flag, or only the differing ones', () => {
    expect(diffRows([a, b], false)).toEqual([
      { param: 'alpha', values: ['1', '2'], differs: true },
      { param: 'method', values: ['gd', 'gd'], differs: false },
      { param: 'seed', values: ['0', '0'], differs: false },
    ])
    expect(diffRows([a, b], true).map((r) => r.param)).toEqual(['alpha'])
  })
  it('shows a missing param as a dash', () => {
    expect(diffRows([a, run('c', { alpha: 1 })], true)).toEqual([{ param: 'method', values: ['gd', '—'], differs: true }])
  })
})

describe('route ids', () => {
  it('keeps valid unique ids', () => {
    expect(parseIds('a1, b_2,a1,,bad id,c-3')).toEqual(['a1', 'b_2', 'c-3'])
  })
})
