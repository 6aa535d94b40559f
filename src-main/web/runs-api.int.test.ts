/**
 * The runs page's api over the real WebSocket of the built `descent serve`: filters and sort by
 * value, "select all matching", move, delete with restore, export of a selection in each format
 * and import of the .sqlite bytes into another database; bad input names the field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import type { ExportedFile, ImportReport } from '../../src-shared/runquery'
import { base64ToBytes } from '../../src-shared/wire'
import { RunStore } from '../store/store'
import { startServe, tempDb, WsClient, type ServeHandle } from '../testing/host'
import { insertSyntheticRuns } from '../testing/runs'

let host: ServeHandle
let other: ServeHandle
let client: WsClient
let otherClient: WsClient
let ids: string[] = []

describe('runs api over WebSocket', () => {
  beforeAll(async () => {
    const db = tempDb()
    const store = new RunStore(db)
    ids = insertSyntheticRuns(store, 12, { points: 3, tags: (i) => (i % 4 === 0 ? ['q'] : []) })
    store.close()
    ;[host, other] = await Promise.all([startServe(db), startServe(tempDb())])
    ;[client, otherClient] = await Promise.all([WsClient.connect(host.port, host.token), WsClient.connect(other.port, other.token)])
  }, 60_000)
  afterAll(async () => {
    client?.close()
    otherClient?.close()
    await Promise.all([host?.stop(), other?.stop()])
  })

  it('filters by tag, claims and ranges, sorts by a summary value and lists every matching id', async () => {
    const page = await client.call<{ runs: Run[]; total: number }>('runs:list', { tag: 'q', sort: 'summary.finalLoss', desc: true })
    expect(page.runs.map((r) => r.seed)).toEqual([8, 4, 0])
    const ranged = await client.call<{ total: number }>('runs:list', { ranges: [{ field: 'params.width', min: 3, max: 5 }], claims: 'passed' })
    expect(ranged.total).toBe(1) // width 3 (3 % 3 == 0 → passed)
    const all = await client.call<{ ids: string[]; total: number }>('runs:ids', { sort: 'seed', desc: false })
    expect(all).toEqual({ ids, total: 12 })
  })

  it('moves runs, deletes them undoably and restores them', async () => {
    const p = await client.call<{ id: string }>('projects:create', { name: 'moved' })
    expect(await client.call('runs:move', { ids: [ids[0], ids[1]], projectId: p.id })).toEqual({ moved: 2 })
    expect((await client.call<{ total: number }>('runs:list', { projectId: p.id })).total).toBe(2)
    await expect(client.call('runs:move', { ids: [ids[0]], projectId: 'nope' })).rejects.toMatchObject({ code: 'not-found', message: 'no project with id "nope"' })
    expect(await client.call('runs:delete', { ids: [ids[0]] })).toEqual({ deleted: 1 })
    expect((await client.call<{ total: number }>('runs:list', { projectId: p.id })).total).toBe(1)
    expect(await client.call('runs:restore', { ids: [ids[0]] })).toEqual({ restored: 1 })
    expect((await client.call<{ total: number }>('runs:list', { projectId: p.id })).total).toBe(2)
  })

  it('exports a selection as CSV, JSON and .sqlite; the .sqlite imports into another database, duplicates skipped', async () => {
    const csv = await client.call<ExportedFile>('runs:export', { selection: { ids: [ids[2], ids[3]] }, format: 'csv' })
    expect(csv).toMatchObject({ mime: 'text/csv', runs: 2, fileName: expect.stringMatching(/^descent-2-runs-\d{4}-\d\d-\d\d\.csv$/) })
    const text = new TextDecoder().decode(base64ToBytes(csv.base64))
    expect(text.split('\n')[0]).toMatch(/^run,metric,x,value,param:lr,param:width,seed,/)
    expect(text.trim().split('\n')).toHaveLength(1 + 2 * 3)
    const json = await client.call<ExportedFile>('runs:export', { selection: { projectId: 'default' }, format: 'json' })
    expect(JSON.parse(new TextDecoder().decode(base64ToBytes(json.base64))).runs).toHaveLength(10)
    const db = await client.call<ExportedFile>('runs:export', { selection: { ids: [ids[2], ids[3]] }, format: 'sqlite' })
    const report = await otherClient.call<ImportReport>('runs:import', { fileName: 'two.sqlite', base64: db.base64 })
    expect(report).toEqual({ source: 'two.sqlite', runs: 2, skippedExisting: 0, rejected: [] })
    expect(await otherClient.call('runs:get', { id: ids[3] })).toEqual(await client.call('runs:get', { id: ids[3] }))
    expect(await otherClient.call('runs:import', { fileName: 'two.sqlite', base64: db.base64 })).toMatchObject({ runs: 0, skippedExisting: 2 })
  })

  it('refuses bad selections, sort keys and files with errors naming the field', async () => {
    await expect(client.call('runs:export', { selection: { ids: [ids[0]], projectId: 'default' }, format: 'csv' })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('give exactly one of ids, projectId or sweepId'),
    })
    await expect(client.call('runs:export', { selection: { sweepId: 'snope' }, format: 'csv' })).rejects.toMatchObject({ code: 'not-found', message: 'no sweep with id "snope"' })
    await expect(client.call('runs:export', { selection: { ids: ['rnope'] }, format: 'xlsx' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('format') })
    await expect(client.call('runs:list', { sort: 'params."x' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('sort') })
    await expect(client.call('runs:list', { ranges: [{ field: 'params.width', min: 5, max: 1 }] })).rejects.toMatchObject({ message: expect.stringContaining('min must be ≤ max') })
    await expect(client.call('runs:import', { fileName: 'x.sqlite', base64: 'not base64!' })).rejects.toMatchObject({ code: 'invalid-input', message: 'base64: not valid base64' })
    await expect(client.call('runs:import', { fileName: 'junk.sqlite', base64: Buffer.from('hello, not sqlite').toString('base64') })).rejects.toMatchObject({
      code: 'storage',
      message: expect.stringContaining('junk.sqlite'),
    })
  })
})
