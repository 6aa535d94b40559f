import { describe, expect, it } from 'vitest'
import { insertSyntheticRuns } from '../testing/runs'
import { tempDb } from '../testing/host'
import { DEFAULT_PROJECT_ID, RunStore } from './store'

const page = { sort: 'createdAt' as const, desc: false, limit: 100, offset: 0 }

describe('runs table queries', () => {
  const store = new RunStore(tempDb())
  const ids = insertSyntheticRuns(store, 30, { tags: (i) => (i % 10 === 0 ? ['keep', 'x'] : []) })

  it('filters by tag, claim outcome and value ranges', () => {
    expect(store.listRuns({ ...page, tag: 'keep' }).runs.map((r) => r.id)).toEqual([ids[0], ids[10], ids[20]])
    // run i: claims [] when i%3==2, passed when i%3==0, failed otherwise
    expect(store.listRuns({ ...page, claims: 'none' }).total).toBe(10)
    expect(store.listRuns({ ...page, claims: 'passed' }).runs.map((r) => r.seed)).toEqual(ids.map((_, i) => i).filter((i) => i % 3 === 0))
    expect(store.listRuns({ ...page, claims: 'failed' }).runs.every((r) => r.claims.some((c) => !c.passed))).toBe(true)
    const r = store.listRuns({ ...page, ranges: [{ field: 'params.width', min: 5, max: 7.5 }] })
    expect(r.runs.map((x) => x.params.width)).toEqual([5, 6, 7])
    const s = store.listRuns({ ...page, ranges: [{ field: 'summary.finalLoss', max: 0.0025 }] })
    expect(s.runs.map((x) => x.seed)).toEqual([0, 1])
    // a field no run has matches nothing
    expect(store.listRuns({ ...page, ranges: [{ field: 'params.nope', min: 0 }] }).total).toBe(0)
  })

  it('sorts by any param or summary value, ties broken by id, and pages with a total', () => {
    const byLr = store.listRuns({ ...page, sort: 'params.lr', desc: true, limit: 7, offset: 0 })
    expect(byLr.total).toBe(30)
    expect(byLr.runs.map((r) => r.params.lr)).toEqual([1, 1, 1, 1, 1, 1, 0.1])
    const next = store.listRuns({ ...page, sort: 'params.lr', desc: true, limit: 7, offset: 7 })
    expect(new Set([...byLr.runs, ...next.runs].map((r) => r.id)).size).toBe(14)
    const bySummary = store.listRuns({ ...page, sort: 'summary.finalLoss', desc: true, limit: 3 })
    expect(bySummary.runs.map((r) => r.seed)).toEqual([29, 28, 27])
    expect(store.listRunIds({ tag: 'keep', sort: 'seed', desc: true })).toEqual([ids[20], ids[10], ids[0]])
  })

  it('deletes undoably: hidden at once, restorable, purged only after the window', () => {
    const t0 = 1_000_000
    expect(store.deleteRuns([ids[1], ids[2]], t0)).toBe(2)
    expect(store.listRuns(page).total).toBe(28)
    expect(store.getProject(DEFAULT_PROJECT_ID)!.runCount).toBe(28)
    expect(store.restoreRuns([ids[1]])).toBe(1)
    expect(store.listRuns(page).total).toBe(29)
    expect(store.purgeDeleted(t0 - 1)).toBe(0)
    expect(store.getRun(ids[2])).not.toBeNull()
    expect(store.purgeDeleted(t0)).toBe(1)
    expect(store.getRun(ids[2])).toBeNull()
    expect(store.restoreRuns([ids[2]])).toBe(0)
  })

  it('moves runs between projects; deleting a project moves its runs to Default', () => {
    const p = store.createProject('other')
    expect(store.moveRuns([ids[3], ids[4]], p.id)).toBe(2)
    expect(store.listRuns({ ...page, projectId: p.id }).runs.map((r) => r.id)).toEqual([ids[3], ids[4]])
    expect(() => store.moveRuns([ids[3]], 'nope')).toThrow('no project with id "nope"')
    expect(store.deleteProjectMovingRuns(p.id)).toEqual({ deleted: 1, moved: 2 })
    expect(store.getRun(ids[3])!.projectId).toBe(DEFAULT_PROJECT_ID)
    expect(() => store.deleteProjectMovingRuns(DEFAULT_PROJECT_ID)).toThrow('cannot be deleted')
  })
})
