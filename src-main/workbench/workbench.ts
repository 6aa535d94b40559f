/**
 * The workbench implements every api call once. The Electron transport, the web transport and
 * the CLI all call it; each payload is parsed with its channel's schema before it gets here.
 */
import { createHash, randomBytes } from 'node:crypto'
import { arch, platform, release } from 'node:os'
import {
  ApiError,
  parseInput,
  type AppInfo,
  type Channel,
  type EventName,
  type Events,
  type Output,
  type ParsedInput,
  type ReplayResult,
  type SeriesPayload,
  type SweepDetail,
  type ValidationResult,
} from '../../src-shared/api'
import { isTerminal, STORAGE_FAILURE, type ClaimResult, type Params, type Run, type RunStatus } from '../../src-shared/model'
import { canonicalParams, resolveParams } from '../../src-shared/params'
import { decimateMinMax } from '../../src-shared/series'
import type { RunView } from '../kit/define'
import { evaluateFigureClaims, evaluateRunClaims, makeFigureView, makeRunView, summarize } from '../kit/runview'
import { WorkerPool, type Outcome, type PoolJob } from '../runner/pool'
import { planSweep, roundIntegers, shardOf, sweepKey, SweepSpecError, type SweepSpec } from './sweep'
import { SweepDispatcher, sweepControl, sweepState } from './sweep-control'
import { DEFAULT_PROJECT_ID, RunStore, StoreError } from '../store/store'
import { describeStorageError } from '../store/storage-error'
import { seriesDifference } from './replay'
import { getStudy, studies, UnknownStudyError } from '../studies/registry'
import pkg from '../../package.json'
import { PURGE_GRACE_MS, UNDO_WINDOW_MS } from '../../src-shared/runquery'
import { base64ToBytes } from '../../src-shared/wire'
import { exportFile, importBytes, SelectionError } from '../export/runs'

export const APP_VERSION: string = pkg.version

/** The content identity of a configuration: study and resolved params (the seed is stored beside it). */
export function paramsHashOf(study: string, params: Params): string {
  return createHash('sha256').update(`${study}\0${canonicalParams(params)}`).digest('hex').slice(0, 16)
}

export interface WorkbenchOptions {
  dbPath: string
  workerPath: string | URL
  maxWorkers?: number
  maxMemoryMb?: number
  timeLimitMs?: number
  transport: AppInfo['transport']
}

type Handlers = { [C in Channel]: (input: ParsedInput<C>) => Promise<Output<C>> | Output<C> }
type Listener = <E extends EventName>(event: E, payload: Events[E]) => void

export class Workbench {
  readonly store: RunStore
  readonly pool: WorkerPool
  /** sweep runs wait here for a free worker, so a sweep can be paused */
  private readonly dispatcher: SweepDispatcher
  private readonly listeners = new Set<Listener>()
  private readonly owner = `o${randomBytes(6).toString('hex')}`
  private readonly heartbeatTimer: NodeJS.Timeout
  private readonly startedAt = new Map<string, number>()
  /** runs that ended while the database could not be written (locked, full): stored when it can */
  private readonly unstoredEnds = new Map<string, Parameters<RunStore['finishRun']>[1]>()
  private readonly platform = `${platform()}-${arch()} ${release()} node-${process.versions.node}${process.versions.electron ? ` electron-${process.versions.electron}` : ''}`
  private closed = false

  constructor(private readonly opts: WorkbenchOptions) {
    this.store = new RunStore(opts.dbPath)
    this.store.heartbeat(this.owner)
    this.store.markInterrupted()
    this.purgeDeletedRuns()
    this.pool = new WorkerPool({
      workerPath: opts.workerPath,
      maxWorkers: opts.maxWorkers,
      maxMemoryMb: opts.maxMemoryMb,
      timeLimitMs: opts.timeLimitMs,
    })
    this.dispatcher = new SweepDispatcher(this.pool)
    // Liveness for other processes sharing the file, and adoption of runs whose owner died.
    this.heartbeatTimer = setInterval(() => {
      try {
        this.store.heartbeat(this.owner)
        for (const [id, ending] of this.unstoredEnds) {
          this.store.finishRun(id, ending)
          this.unstoredEnds.delete(id)
          const stored = this.store.getRun(id)!
          this.emit('runs:status', stored)
          if (stored.sweepId) this.maybeFinishSweep(stored.sweepId)
        }
        this.store.markInterrupted()
        this.purgeDeletedRuns()
      } catch {
        /* a locked or full disk must not kill the app; the next beat retries */
      }
    }, 1000)
    this.heartbeatTimer.unref()
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  private emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const l of this.listeners) {
      try {
        l(event, payload)
      } catch {
        /* a broken client must not break the run */
      }
    }
  }

  /** Validate a payload and call its handler; every failure becomes an ApiError. */
  async call<C extends Channel>(channel: C, payload: unknown): Promise<Output<C>> {
    if (!Object.prototype.hasOwnProperty.call(this.handlers, channel)) {
      throw new ApiError('not-found', `unknown channel "${String(channel)}"`)
    }
    const input = parseInput(channel, payload)
    try {
      return await (this.handlers[channel] as (i: ParsedInput<C>) => Promise<Output<C>>)(input)
    } catch (err) {
      if (err instanceof ApiError) throw err
      if (err instanceof UnknownStudyError) throw new ApiError('not-found', err.message)
      if (err instanceof SweepSpecError) throw new ApiError('invalid-input', err.message)
      if (err instanceof StoreError || (err as { code?: string }).code?.startsWith?.('SQLITE')) {
        throw new ApiError('storage', describeStorageError(err, this.store.path))
      }
      throw new ApiError('internal', (err as Error).message)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.heartbeatTimer)
    await this.pool.close()
    for (const [id, ending] of this.unstoredEnds) {
      try {
        this.store.finishRun(id, ending)
      } catch {
        /* still not writable: the next start marks the run interrupted */
      }
    }
    try {
      this.store.releaseOwner(this.owner)
    } catch {
      /* closing anyway */
    }
    this.store.close()
  }

  // ------------------------------------------------------------------ helpers

  /** Runs deleted longer ago than the undo window (plus grace) go for good, with their series. */
  private purgeDeletedRuns(): void {
    this.store.purgeDeleted(Date.now() - UNDO_WINDOW_MS - PURGE_GRACE_MS)
  }

  private requireRun(id: string): Run {
    const run = this.store.getRun(id)
    if (!run) throw new ApiError('not-found', `no run with id "${id}"`)
    return run
  }

  private requireProject(id: string | undefined): string {
    const pid = id ?? DEFAULT_PROJECT_ID
    if (!this.store.getProject(pid)) throw new ApiError('not-found', `no project with id "${pid}"`)
    return pid
  }

  /** Resolve and check params the same way the form and the CLI do. */
  validate(studyId: string, input: Record<string, unknown>): ValidationResult {
    const { definition } = getStudy(studyId)
    const r = resolveParams(definition.params, input)
    if (!r.ok) return { ok: false, params: null, issues: r.issues, warnings: [], derived: {} }
    const extra = definition.validate?.(r.params as never) ?? []
    const issues = extra.map((message) => ({ param: '', message }))
    return {
      ok: issues.length === 0,
      params: issues.length ? null : r.params,
      issues,
      warnings: definition.warnings?.(r.params as never) ?? [],
      derived: definition.derived?.(r.params as never) ?? {},
    }
  }

  private requireParams(studyId: string, input: Record<string, unknown>): Params {
    const v = this.validate(studyId, input)
    if (!v.ok || !v.params) {
      throw new ApiError(
        'invalid-input',
        `invalid params for ${studyId}: ${v.issues.map((i) => i.message).join('; ')}`,
        v.issues.map((i) => ({ path: i.param ? `params.${i.param}` : 'params', message: i.message })),
      )
    }
    return v.params
  }

  private sweepDetail(id: string): SweepDetail {
    const s = this.store.getSweepRow(id)
    if (!s) throw new ApiError('not-found', `no sweep with id "${id}"`)
    return this.withControl(s, this.store.getRuns(s.runIds))
  }

  private withControl(s: Omit<SweepDetail, 'control'>, runs: Run[]): SweepDetail {
    const state = sweepState(s.status, this.dispatcher.mode(s.id), runs)
    return { ...s, control: sweepControl(state, runs, this.pool.maxWorkers, Date.now()) }
  }

  /** Create a run row and queue it on the pool. */
  /**
   * Stores a queued run and hands it to the pool (a sweep's run to its dispatcher). With `defer`,
   * the hand-over (and the status event) is pushed there instead, for the caller to do once the
   * transaction that created the runs has committed.
   */
  private launch(
    study: string,
    params: Params,
    seed: number,
    projectId: string,
    extra: { sweepId: string | null; figure: string | null; label: string | null },
    defer?: (() => void)[],
  ): Run {
    const { manifest } = getStudy(study)
    const run = this.store.createRun({
      projectId,
      sweepId: extra.sweepId,
      study,
      figure: extra.figure,
      label: extra.label,
      params,
      seed,
      paramsHash: paramsHashOf(study, params),
      codeHash: manifest.codeHash,
      appVersion: APP_VERSION,
      platform: this.platform,
      owner: this.owner,
    })
    const job: PoolJob = {
      study,
      params,
      seed,
      onStart: () => {
        const at = Date.now()
        this.startedAt.set(run.id, performance.now())
        this.store.markStarted(run.id, at)
        this.emit('runs:status', this.store.getRun(run.id)!)
      },
      onBatch: (batch) => {
        try {
          this.store.appendBatch(run.id, batch.start, batch.count, batch.columns, batch.progress, batch.events)
        } catch (err) {
          this.pool.cancel(run.id)
          this.finish(run.id, { status: 'failed', message: `${STORAGE_FAILURE}: ${describeStorageError(err, this.store.path)}`, step: null })
          return
        }
        this.emit('runs:metrics', { runId: run.id, start: batch.start, count: batch.count, columns: batch.columns })
        this.emit('runs:status', this.store.getRun(run.id)!)
      },
      onEnd: (outcome) => this.finish(run.id, outcome),
    }
    const handOver = () => {
      this.emit('runs:status', run)
      if (extra.sweepId) this.dispatcher.enqueue(extra.sweepId, run.id, () => this.pool.submit(run.id, job))
      else this.pool.submit(run.id, job)
    }
    if (defer) defer.push(handOver)
    else handOver()
    return run
  }

  private runView(run: Run, summary?: Record<string, number>): { view: RunView; columns: Record<string, Float64Array> } {
    const series = this.store.readSeries(run.id)
    const view = makeRunView({
      label: run.label,
      params: run.params,
      seed: run.seed,
      status: run.status,
      summary: summary ?? run.summary,
      events: run.events,
      columns: series.columns,
    })
    return { view, columns: series.columns }
  }

  private finish(id: string, outcome: Outcome): void {
    const run = this.store.getRun(id)
    if (!run || isTerminal(run.status)) return
    const t0 = this.startedAt.get(id)
    this.startedAt.delete(id)
    const status: RunStatus = outcome.status
    let summary: Record<string, number> = {}
    let claims: ClaimResult[] = []
    try {
      const { definition } = getStudy(run.study)
      const { view, columns } = this.runView({ ...run, status })
      summary = summarize(definition, view, columns)
      if (status === 'done') claims = evaluateRunClaims(definition, { ...view, summary })
    } catch {
      /* summary is best effort for failed runs */
    }
    const ending = {
      status,
      endedAt: Date.now(),
      durationMs: t0 === undefined ? null : performance.now() - t0,
      error: outcome.status === 'done' ? null : outcome.message,
      errorStep: outcome.status === 'done' ? null : outcome.step,
      summary,
      claims,
    }
    try {
      this.store.finishRun(id, ending)
    } catch {
      // locked or full: the outcome is shown now and stored at the first heartbeat that can write
      this.unstoredEnds.set(id, ending)
      this.emit('runs:status', { ...run, ...ending })
      this.dispatcher.pump()
      return
    }
    this.emit('runs:status', this.store.getRun(id)!)
    if (run.sweepId) this.maybeFinishSweep(run.sweepId)
    this.dispatcher.pump()
  }

  private maybeFinishSweep(sweepId: string): void {
    const sweep = this.store.getSweepRow(sweepId)
    if (!sweep || sweep.status === 'done') return
    const runs = this.store.getRuns(sweep.runIds)
    if (!runs.every((r) => isTerminal(r.status))) {
      this.emit('sweeps:status', this.withControl(sweep, runs))
      return
    }
    const claims = sweep.figure ? this.figureClaims(sweep.study, sweep.figure, runs) : []
    this.store.finishSweep(sweepId, claims)
    this.emit('sweeps:status', this.sweepDetail(sweepId))
  }

  /**
   * A figure's claims over a reproduction: evaluated once per seed on that seed's runs, then
   * one result per claim that passes only if every seed passes ("3/3 seeds"), with each seed's
   * measured margin.
   */
  private figureClaims(study: string, figure: string, runs: Run[]): ClaimResult[] {
    const { definition } = getStudy(study)
    const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b)
    const perSeed = seeds.map((seed) =>
      evaluateFigureClaims(definition, figure, makeFigureView(runs.filter((r) => r.seed === seed).map((r) => this.runView(r).view))),
    )
    if (seeds.length === 1) return perSeed[0]
    return perSeed[0].map((c, i) => {
      const results = perSeed.map((p) => p[i])
      const passed = results.filter((r) => r.passed).length
      return {
        id: c.id,
        text: c.text,
        passed: passed === seeds.length,
        measured: `${passed}/${seeds.length} seeds pass; ${results.map((r, j) => `seed ${seeds[j]}: ${r.passed ? '' : 'FAIL '}${r.measured}`).join('; ')}`,
      }
    })
  }

  /**
   * Start (or resume) a sweep: every planned run of this shard that has no finished twin in the
   * sweep (same params, seed and study code) is queued; the rest are skipped.
   */
  startSweep(spec: SweepSpec, shard: { index: number; count: number } | null, projectId?: string) {
    const { definition, manifest } = getStudy(spec.study)
    const pid = this.requireProject(projectId)
    const plan = planSweep(spec)
    const mine = shardOf(plan, shard)
    const resolved = mine.map((r) => ({ ...r, params: this.requireParams(spec.study, roundIntegers(definition.params, r.params)) }))
    const sweepId = `s${sweepKey(spec)}`
    this.store.createSweep({ id: sweepId, projectId: pid, study: spec.study, figure: null, spec: { kind: 'sweep', ...spec } })
    const skipped: string[] = []
    const launched: string[] = []
    // One commit for the whole plan (a 1,000-run sweep is stored in milliseconds, not seconds);
    // runs reach the pool only after it, so a failed write leaves nothing half-launched.
    const handOvers: (() => void)[] = []
    this.store.inTransaction(() => {
      for (const r of resolved) {
        const done = this.store.findDoneRun(sweepId, paramsHashOf(spec.study, r.params), r.seed, manifest.codeHash)
        if (done) skipped.push(done)
        else launched.push(this.launch(spec.study, r.params, r.seed, pid, { sweepId, figure: null, label: null }, handOvers).id)
      }
    })
    for (const h of handOvers) h()
    if (!launched.length) this.maybeFinishSweep(sweepId)
    return { sweepId, planned: plan.length, inShard: mine.length, skipped, launched }
  }

  /** Hold the sweep's runs that have not started; running ones finish. */
  pauseSweep(id: string): SweepDetail {
    const state = this.sweepDetail(id).control!.state
    if (state !== 'running' && state !== 'paused') throw new ApiError('conflict', `sweep ${id} is ${state}; only a running sweep can be paused`)
    this.dispatcher.pause(id)
    const detail = this.sweepDetail(id)
    this.emit('sweeps:status', detail)
    return detail
  }

  /**
   * Dispatch a paused sweep again. A sweep with nothing held in this process (stopped by an app
   * restart, or cancelled) is re-planned from its stored spec and runs only its missing runs.
   */
  resumeSweep(id: string): SweepDetail {
    const s = this.sweepDetail(id)
    const state = s.control!.state
    if (state === 'paused') {
      this.dispatcher.resume(id)
    } else if (state === 'stopped' || state === 'cancelled') {
      const { kind, ...spec } = (s.spec ?? {}) as { kind?: string } & SweepSpec
      if (kind !== 'sweep') throw new ApiError('conflict', `${id} is a figure reproduction; reproduce the figure again instead of resuming it`)
      if (`s${sweepKey(spec)}` !== id) throw new ApiError('conflict', `the stored spec of sweep ${id} no longer plans the same sweep`)
      this.startSweep(spec, null, s.projectId)
    }
    const detail = this.sweepDetail(id)
    this.emit('sweeps:status', detail)
    return detail
  }

  /** Cancel the sweep's runs that have not started (no worker needed) and the running ones. */
  cancelSweep(id: string): SweepDetail {
    const s = this.sweepDetail(id)
    for (const runId of this.dispatcher.drain(id)) this.finish(runId, { status: 'cancelled', message: 'cancelled with its sweep before it started', step: null })
    for (const r of this.store.getRuns(s.runIds)) if (!isTerminal(r.status)) this.pool.cancel(r.id)
    // nothing left to end (a sweep stopped by a restart): record it as finished now
    if (this.store.getRuns(s.runIds).every((r) => isTerminal(r.status))) this.maybeFinishSweep(id)
    const detail = this.sweepDetail(id)
    this.emit('sweeps:status', detail)
    return detail
  }

  /** Resolves when the run reaches a terminal status (CLI and tests). */
  waitForRun(id: string): Promise<Run> {
    return new Promise((resolve) => {
      const check = (): boolean => {
        const r = this.store.getRun(id)
        if (r && isTerminal(r.status)) {
          off()
          resolve(r)
          return true
        }
        return false
      }
      const off = this.on((event, payload) => {
        if (event !== 'runs:status' || (payload as Run).id !== id) return
        // an end the database could not store yet (locked, full) still ends the wait
        if (this.unstoredEnds.has(id) && isTerminal((payload as Run).status)) {
          off()
          resolve(payload as Run)
        } else check()
      })
      check()
    })
  }

  waitForSweep(id: string): Promise<SweepDetail> {
    return new Promise((resolve) => {
      const check = (): void => {
        const s = this.store.getSweepRow(id)
        if (s && s.status === 'done') {
          off()
          resolve(s)
        }
      }
      const off = this.on((event, payload) => {
        if (event === 'sweeps:status' && (payload as SweepDetail).id === id) check()
      })
      check()
    })
  }

  // ------------------------------------------------------------------ the api

  readonly handlers: Handlers = {
    'app:info': () => ({
      version: APP_VERSION,
      dbPath: this.opts.dbPath,
      platform: this.platform,
      transport: this.opts.transport,
      workers: this.pool.maxWorkers,
    }),

    'studies:list': () => [...studies().values()].map((s) => s.manifest).sort((a, b) => a.id.localeCompare(b.id)),

    'studies:validate': ({ study, params }) => this.validate(study, params),

    'projects:list': () => this.store.listProjects(),
    'projects:create': ({ name }) => this.store.createProject(name),
    'projects:rename': ({ id, name }) => {
      const p = this.store.renameProject(id, name)
      if (!p) throw new ApiError('not-found', `no project with id "${id}"`)
      return p
    },
    'projects:delete': ({ id }) => {
      if (id === DEFAULT_PROJECT_ID) throw new ApiError('conflict', 'the Default project cannot be deleted')
      const running = this.store.listRuns({ projectId: id, status: 'running', sort: 'createdAt', desc: true, limit: 1, offset: 0 })
      if (running.total) throw new ApiError('conflict', 'the project has running runs; cancel them first')
      return { deleted: this.store.deleteProject(id) }
    },

    'runs:start': ({ study, params, seed, projectId }) => {
      const resolved = this.requireParams(study, params)
      return this.launch(study, resolved, seed ?? 0, this.requireProject(projectId), { sweepId: null, figure: null, label: null })
    },

    'runs:reproduce': ({ study, figure, seed, projectId }) => {
      const { manifest } = getStudy(study)
      const fig = manifest.figures.find((f) => f.id === figure)
      if (!fig) {
        throw new ApiError('not-found', `unknown figure "${figure}" of ${study}; available: ${manifest.figures.map((f) => f.id).join(', ')}`)
      }
      const pid = this.requireProject(projectId)
      const resolved = fig.runs.map((r) => ({ label: r.label, params: this.requireParams(study, r.params) }))
      // one seed when asked for; otherwise every seed the figure declares (claims say "k/n seeds")
      const seeds = seed !== undefined ? [seed] : fig.seeds.length ? fig.seeds : [0]
      const sweepId = this.store.createSweep({ projectId: pid, study, figure, spec: { kind: 'figure', figure, seeds } })
      const handOvers: (() => void)[] = []
      this.store.inTransaction(() => {
        for (const s of seeds) for (const r of resolved) this.launch(study, r.params, s, pid, { sweepId, figure, label: r.label }, handOvers)
      })
      for (const h of handOvers) h()
      const detail = this.sweepDetail(sweepId)
      this.emit('sweeps:status', detail)
      return detail
    },

    'runs:cancel': ({ id }) => {
      const run = this.requireRun(id)
      if (isTerminal(run.status)) return run
      // a sweep's run waiting for a worker (or held by a paused sweep) ends without one
      if (this.dispatcher.take(id)) {
        this.finish(id, { status: 'cancelled', message: 'cancelled before it started', step: null })
        return this.store.getRun(id)!
      }
      if (!this.pool.cancel(id)) {
        // owned by another process sharing the file, or lost: cannot reach its worker from here
        throw new ApiError('conflict', `run ${id} is not running in this process`)
      }
      return this.store.getRun(id)!
    },

    'runs:replay': async ({ id }) => {
      const run = this.requireRun(id)
      if (!isTerminal(run.status)) throw new ApiError('conflict', `run ${id} is ${run.status}; replay it once it has finished`)
      const { manifest } = getStudy(run.study)
      const started = this.launch(run.study, run.params, run.seed, this.store.getProject(run.projectId) ? run.projectId : DEFAULT_PROJECT_ID, {
        sweepId: null,
        figure: run.figure,
        label: run.label,
      })
      const done = await this.waitForRun(started.id)
      const a = this.store.readSeries(run.id)
      const b = this.store.readSeries(done.id)
      const d = seriesDifference(a.columns, b.columns, a.length, b.length, manifest.metrics)
      const finite = (v: number): number | null => (Number.isFinite(v) ? v : null)
      const out: ReplayResult = {
        runId: run.id,
        newRunId: done.id,
        status: done.status,
        maxAbsDiff: finite(d.maxAbsDiff),
        perMetric: Object.fromEntries(Object.entries(d.perMetric).map(([k, v]) => [k, finite(v)])),
        rows: d.rows,
        rowsOld: d.rowsOld,
        rowsNew: d.rowsNew,
        excluded: d.excluded,
        codeHashMatches: run.codeHash === done.codeHash,
        platformMatches: run.platform === done.platform,
      }
      return out
    },

    'runs:get': ({ id }) => this.requireRun(id),

    'runs:list': (q) => this.store.listRuns(q),

    'runs:series': ({ id, x, y, maxPoints, logX, xMin, xMax }) => {
      const run = this.requireRun(id)
      const names = y ?? run.columns.filter((c) => c !== x)
      const missing = [x, ...names].filter((n) => !run.columns.includes(n))
      if (missing.length && run.points > 0) {
        throw new ApiError('invalid-input', `run ${id} has no column ${missing.map((m) => `"${m}"`).join(', ')}; recorded: ${run.columns.join(', ')}`)
      }
      const data = this.store.readSeries(id, [x, ...names])
      let xs = data.columns[x] ?? new Float64Array(0)
      let cols = names.map((n) => data.columns[n] ?? new Float64Array(xs.length).fill(NaN))
      if (xMin !== undefined || xMax !== undefined) {
        const lo = xMin ?? -Infinity
        const hi = xMax ?? Infinity
        const keep: number[] = []
        for (let i = 0; i < xs.length; i++) if (xs[i] >= lo && xs[i] <= hi) keep.push(i)
        xs = Float64Array.from(keep, (i) => xs[i])
        cols = cols.map((c) => Float64Array.from(keep, (i) => c[i]))
      }
      const idx = decimateMinMax(xs, cols, maxPoints, logX)
      const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, (i) => a[i])
      const out: SeriesPayload = { runId: id, x, total: data.length, length: idx.length, columns: { [x]: pick(xs) } }
      names.forEach((n, j) => (out.columns[n] = pick(cols[j])))
      return out
    },

    'runs:update': ({ id, tags, notes }) => {
      this.requireRun(id)
      this.store.updateRunMeta(id, { tags, notes })
      const run = this.requireRun(id)
      this.emit('runs:status', run)
      return run
    },

    'runs:delete': ({ ids }) => {
      const running = this.store.getRuns(ids).filter((r) => !isTerminal(r.status))
      if (running.length) throw new ApiError('conflict', `cancel these runs before deleting them: ${running.map((r) => r.id).join(', ')}`)
      return { deleted: this.store.deleteRuns(ids) }
    },
    'runs:ids': (q) => {
      const ids = this.store.listRunIds(q, 10_000)
      return { ids, total: this.store.listRuns({ ...q, limit: 1, offset: 0 }).total }
    },
    'runs:restore': ({ ids }) => ({ restored: this.store.restoreRuns(ids) }),
    'runs:move': ({ ids, projectId }) => {
      this.requireProject(projectId)
      return { moved: this.store.moveRuns(ids, projectId) }
    },
    'runs:export': ({ selection, format }) => {
      try {
        return exportFile(this.store, selection, format)
      } catch (err) {
        if (err instanceof SelectionError) throw new ApiError('not-found', err.message)
        throw err
      }
    },
    'runs:import': ({ fileName, base64 }) => {
      let bytes: Uint8Array
      try {
        bytes = base64ToBytes(base64)
      } catch {
        throw new ApiError('invalid-input', 'base64: not valid base64', [{ path: 'base64', message: 'not valid base64' }])
      }
      return importBytes(this.store, fileName, bytes)
    },

    'sweeps:start': ({ study, base, grid, random, samples, seeds, projectId, dryRun }) => {
      const { manifest } = getStudy(study)
      for (const name of [...Object.keys(grid), ...Object.keys(random)]) {
        if (!manifest.params[name]) {
          throw new ApiError('invalid-input', `unknown param "${name}"; allowed: ${Object.keys(manifest.params).join(', ')}`, [{ path: `grid.${name}`, message: 'unknown param' }])
        }
      }
      const spec = { study, base, grid, random, samples: Object.keys(random).length ? samples : 1, seeds }
      if (dryRun) return { sweepId: null, planned: planSweep(spec).length, skipped: 0, launched: [] }
      const r = this.startSweep(spec, null, projectId)
      return { sweepId: r.sweepId, planned: r.planned, skipped: r.skipped.length, launched: r.launched }
    },
    'sweeps:get': ({ id }) => this.sweepDetail(id),
    'sweeps:pause': ({ id }) => this.pauseSweep(id),
    'sweeps:resume': ({ id }) => this.resumeSweep(id),
    'sweeps:cancel': ({ id }) => this.cancelSweep(id),
    'sweeps:list': ({ projectId }) => this.store.listSweepIds(projectId).map((id) => this.sweepDetail(id)),
  }
}

export { parseInput }
