/**
 * The `descent` commands. Each runs over the same Workbench as the desktop app and the web host.
 * With --json a command prints exactly one JSON document on stdout.
 */
import { writeFileSync } from 'node:fs'
import type { SweepDetail } from '../../src-shared/api'
import type { ClaimResult, Params, Run, StudyManifest } from '../../src-shared/model'
import { parseParamText } from '../../src-shared/params'
import { runToJson, seriesToCsv } from '../export/csv'
import { exportRuns, importRuns } from '../store/transfer'
import { RunStore } from '../store/store'
import { getStudy, studies } from '../studies/registry'
import { parseGridArg, parseRandomArg, parseSeeds, parseShard, SweepSpecError } from '../workbench/sweep'
import { Workbench } from '../workbench/workbench'
import { intFlag, UsageError } from './args'
import { claimLines, runText } from './format'

export interface Io {
  out: (text: string) => void
  err: (text: string) => void
}

/** The `run` JSON shape scripts rely on. */
export function runJson(run: Run) {
  return {
    id: run.id,
    study: run.study,
    status: run.status,
    seed: run.seed,
    params: run.params,
    summary: run.summary,
    claims: run.claims.map(claimJson),
    durationMs: run.durationMs,
    ...(run.label ? { label: run.label } : {}),
    ...(run.error ? { error: run.error, errorStep: run.errorStep } : {}),
  }
}

function claimJson(c: ClaimResult) {
  return { id: c.id, text: c.text, passed: c.passed, measured: c.measured }
}

export function studyJson(m: StudyManifest) {
  const params: Record<string, Record<string, unknown>> = {}
  for (const [name, p] of Object.entries(m.params)) {
    const o: Record<string, unknown> = { type: p.type, default: p.default }
    if ((p.type === 'number' || p.type === 'integer') && p.min !== undefined) o.min = p.min
    if ((p.type === 'number' || p.type === 'integer') && p.max !== undefined) o.max = p.max
    if (p.type === 'choice') o.choices = p.choices
    if ((p.type === 'number' || p.type === 'integer') && p.log) o.log = true
    params[name] = o
  }
  return {
    id: m.id,
    title: m.title,
    paper: m.paper,
    params,
    metrics: Object.keys(m.metrics),
    figures: m.figures.map((f) => ({ id: f.id, title: f.title })),
    claims: m.claims.map((c) => ({ id: c.id, text: c.text, scope: c.scope })),
  }
}

export function cmdStudies(json: boolean, io: Io): number {
  const list = [...studies().values()].map((s) => s.manifest).sort((a, b) => a.id.localeCompare(b.id))
  if (json) io.out(JSON.stringify(list.map(studyJson)))
  else {
    for (const m of list) {
      io.out(`${m.id}\n  ${m.title} (${m.paper.authors}, ${m.paper.year}, arXiv ${m.paper.arxiv})`)
      io.out(`  params: ${Object.entries(m.params).map(([k, p]) => `${k}=${String(p.default).slice(0, 24)}`).join(' ')}`)
      io.out(`  figures: ${m.figures.map((f) => f.id).join(', ') || 'none'}`)
      io.out(`  claims: ${m.claims.length}\n`)
    }
  }
  return 0
}

/** Parse repeated --set NAME=VALUE against a study's param specs. */
export function parseSets(studyId: string, sets: string[]): Params {
  const { manifest } = getStudy(studyId)
  const out: Params = {}
  for (const s of sets) {
    const eq = s.indexOf('=')
    if (eq <= 0) throw new UsageError(`--set ${JSON.stringify(s)}: expected NAME=VALUE`)
    const name = s.slice(0, eq)
    const spec = manifest.params[name]
    if (!spec) throw new UsageError(`--set ${name}: unknown param of ${studyId}; allowed: ${Object.keys(manifest.params).join(', ')}`)
    const value = parseParamText(spec, s.slice(eq + 1))
    if (value === undefined) throw new UsageError(`--set ${name}=${s.slice(eq + 1)}: not a valid ${spec.type}`)
    out[name] = value
  }
  return out
}

export async function cmdRun(wb: Workbench, a: { study: string; sets: string[]; seed?: string; project?: string; json: boolean }, io: Io): Promise<number> {
  const params = parseSets(a.study, a.sets)
  const seed = intFlag('seed', a.seed)
  const started = await wb.call('runs:start', { study: a.study, params, seed, projectId: a.project })
  const run = await wb.waitForRun(started.id)
  if (a.json) io.out(JSON.stringify(runJson(run)))
  else io.out(runText(run))
  return run.status === 'done' ? 0 : 1
}

async function reproduceOne(wb: Workbench, study: string, figure: string, seed: number | undefined, project: string | undefined) {
  const sweep: SweepDetail = await wb.call('runs:reproduce', { study, figure, seed, projectId: project })
  const done = await wb.waitForSweep(sweep.id)
  const runs = wb.store.getRuns(done.runIds)
  return { sweep: done, runs }
}

export async function cmdReproduce(
  wb: Workbench,
  a: { study: string; figure?: string; seed?: string; project?: string; json: boolean; strict: boolean },
  io: Io,
): Promise<number> {
  const { manifest } = getStudy(a.study)
  const figures = a.figure ? [a.figure] : manifest.figures.map((f) => f.id)
  if (a.figure && !manifest.figures.some((f) => f.id === a.figure)) {
    throw new UsageError(`--figure ${a.figure}: unknown figure of ${a.study}; available: ${manifest.figures.map((f) => f.id).join(', ')}`)
  }
  const seed = intFlag('seed', a.seed)
  const docs = []
  let ok = true
  for (const figure of figures) {
    const { sweep, runs } = await reproduceOne(wb, a.study, figure, seed, a.project)
    ok &&= runs.every((r) => r.status === 'done')
    const allClaims = [...sweep.claims, ...runs.flatMap((r) => r.claims)]
    if (a.strict) ok &&= allClaims.every((c) => c.passed)
    const doc = { study: a.study, figure, runs: runs.map(runJson), claims: sweep.claims.map(claimJson) }
    docs.push(doc)
    if (!a.json) {
      io.out(`figure ${figure}  (${runs.length} runs, sweep ${sweep.id})`)
      for (const r of runs) io.out(runText(r).replace(/^/gm, '  '))
      if (sweep.claims.length) io.out('  figure claims:\n' + claimLines(sweep.claims).join('\n'))
      io.out('')
    }
  }
  if (a.json) io.out(JSON.stringify(a.figure ? docs[0] : docs))
  return ok ? 0 : 1
}

export function cmdRuns(wb: Workbench, a: { study?: string; status?: string; project?: string; limit?: string; json: boolean }, io: Io): Promise<number> {
  const limit = intFlag('limit', a.limit, 1, 1000) ?? 50
  return wb
    .call('runs:list', { study: a.study, status: a.status as never, projectId: a.project, limit })
    .then(({ runs, total }) => {
      if (a.json) io.out(JSON.stringify({ total, runs: runs.map(runJson) }))
      else {
        io.out(`${total} runs${total > runs.length ? ` (showing ${runs.length})` : ''}`)
        for (const r of runs) {
          const passed = r.claims.filter((c) => c.passed).length
          io.out(
            `${r.id}  ${new Date(r.createdAt).toISOString().slice(0, 19)}  ${r.status.padEnd(11)} ${r.study}${r.label ? ` [${r.label}]` : ''}  seed ${r.seed}${r.claims.length ? `  claims ${passed}/${r.claims.length}` : ''}`,
          )
        }
      }
      return 0
    })
}

export async function cmdShow(wb: Workbench, id: string, json: boolean, io: Io): Promise<number> {
  const run = await wb.call('runs:get', { id })
  if (json) io.out(JSON.stringify({ ...runJson(run), provenance: { paramsHash: run.paramsHash, codeHash: run.codeHash, appVersion: run.appVersion, platform: run.platform, createdAt: run.createdAt, startedAt: run.startedAt, endedAt: run.endedAt }, tags: run.tags, notes: run.notes, events: run.events }))
  else {
    io.out(runText(run))
    io.out(`  params: ${JSON.stringify(run.params)}`)
    io.out(`  provenance: params ${run.paramsHash}  code ${run.codeHash}  app ${run.appVersion}  ${run.platform}`)
  }
  return 0
}

export async function cmdExport(wb: Workbench, a: { ids: string[]; format: string; out?: string; json?: boolean }, io: Io): Promise<number> {
  if (a.format !== 'csv' && a.format !== 'json' && a.format !== 'sqlite') throw new UsageError(`--format ${a.format}: expected csv, json or sqlite`)
  if (a.format === 'sqlite') {
    if (!a.out) throw new UsageError('export --format sqlite needs --out FILE')
    for (const id of a.ids) await wb.call('runs:get', { id })
    const report = exportRuns(wb.store, a.ids, a.out)
    io.out(a.json ? JSON.stringify(report) : `wrote ${report.runs} runs to ${a.out}`)
    return 0
  }
  const runs = []
  for (const id of a.ids) runs.push(await wb.call('runs:get', { id }))
  const series = runs.map((r) => wb.store.readSeries(r.id))
  const text =
    a.format === 'csv'
      ? seriesToCsv(series)
      : JSON.stringify(a.ids.length === 1 ? runToJson(runs[0], series[0]) : runs.map((r, i) => runToJson(r, series[i])))
  if (a.out) writeFileSync(a.out, text)
  else io.out(text.replace(/\n$/, ''))
  return 0
}

export async function cmdSweep(
  wb: Workbench,
  a: { study: string; grid: string[]; random: string[]; samples?: string; seeds?: string; shard?: string; sets: string[]; project?: string; json: boolean },
  io: Io,
): Promise<number> {
  const { manifest } = getStudy(a.study)
  try {
    const grid = Object.fromEntries(a.grid.map((g) => parseGridArg(manifest.params, g)))
    const random = Object.fromEntries(a.random.map((r) => parseRandomArg(manifest.params, r)))
    if (!a.grid.length && !a.random.length) throw new SweepSpecError('sweep: give at least one --grid NAME=v1,v2 or --random NAME=lo:hi[:log]')
    const samples = a.random.length ? (intFlag('samples', a.samples, 1, 100_000) ?? 10) : 1
    const seeds = a.seeds ? parseSeeds(a.seeds) : [0]
    const shard = a.shard ? parseShard(a.shard) : null
    const base = parseSets(a.study, a.sets)
    const started = wb.startSweep({ study: a.study, base, grid, random, samples, seeds }, shard, a.project)
    if (!a.json) {
      io.err(`sweep ${started.sweepId}: ${started.planned} runs planned, ${started.inShard} in ${shard ? `shard ${shard.index}/${shard.count}` : 'this process'}, ${started.skipped.length} already done`)
    }
    const finished = await Promise.all(started.launched.map((id) => wb.waitForRun(id)))
    const runs = [...wb.store.getRuns(started.skipped), ...finished]
    if (a.json) {
      io.out(JSON.stringify({ sweep: started.sweepId, study: a.study, planned: started.planned, shard: a.shard ?? null, skipped: started.skipped.length, runs: runs.map(runJson) }))
    } else for (const r of finished) io.out(runText(r))
    return finished.every((r) => r.status === 'done') ? 0 : 1
  } catch (err) {
    if (err instanceof SweepSpecError) throw new UsageError(err.message)
    throw err
  }
}

/** `merge OUT IN...`: OUT gets every run of each IN (existing ids skipped), one transaction per file. */
export function cmdMerge(a: { out: string; inputs: string[]; json: boolean }, io: Io): number {
  const target = new RunStore(a.out)
  try {
    const reports = a.inputs.map((path) => importRuns(target, path))
    if (a.json) io.out(JSON.stringify({ out: a.out, inputs: reports }))
    else for (const r of reports) io.out(`${r.source}: ${r.runs} runs merged, ${r.skippedExisting} already there${r.rejected.length ? `, ${r.rejected.length} rejected (${r.rejected.map((x) => `${x.id}: ${x.reason}`).join('; ')})` : ''}`)
    return 0
  } finally {
    target.close()
  }
}
