/**
 * What is happening now: the latest state of every run we have seen ('runs:status' events and
 * fetches), and the rows of running runs as 'runs:metrics' batches arrive. Buffers are plain
 * (non-reactive) objects; views redraw on `tick`, bumped at most ten times a second, so a run
 * recording 10,000 iterations a second costs ten redraws a second, not 10,000.
 */
import { defineStore } from 'pinia'
import { markRaw, ref, shallowReactive } from 'vue'
import { isTerminal, type Run } from '../../../src-shared/model'
import { useClient } from '../client'
import { RunBuffer } from '../live/buffer'

/** at most ten redraws a second; fewer when redrawing is slow (see reportDrawCost) */
const REDRAW_MS = 100
const MAX_REDRAW_MS = 1000
/** how long a finished run's stream buffer stays (its page then reads the stored series) */
const DROP_FINISHED_MS = 15_000

export const useLive = defineStore('live', () => {
  const runs = shallowReactive(new Map<string, Run>())
  const buffers = markRaw(new Map<string, RunBuffer>())
  const tick = ref(0)
  let dirty = false
  let timer: ReturnType<typeof setTimeout> | null = null
  /** ms the charts spent rebuilding since the last tick */
  let drawCost = 0
  let interval = REDRAW_MS
  const statusListeners = new Set<(run: Run) => void>()

  function scheduleTick(): void {
    dirty = true
    if (timer) return
    timer = setTimeout(() => {
      timer = null
      if (dirty) {
        dirty = false
        drawCost = 0
        tick.value++
        // keep redrawing under about a quarter of the main thread
        queueMicrotask(() => (interval = Math.min(MAX_REDRAW_MS, Math.max(REDRAW_MS, 4 * drawCost))))
      }
    }, interval)
  }

  /** Charts report what a rebuild cost, so redraws slow down rather than swamp the page. */
  function reportDrawCost(ms: number): void {
    drawCost += ms
    interval = Math.min(MAX_REDRAW_MS, Math.max(interval, 4 * drawCost))
  }

  function put(run: Run): void {
    const prev = runs.get(run.id)
    // events can overtake a slower fetch: keep the newest view of a run
    if (prev && isTerminal(prev.status) && !isTerminal(run.status)) return
    runs.set(run.id, run)
    if (isTerminal(run.status) && buffers.has(run.id)) {
      setTimeout(() => {
        const r = runs.get(run.id)
        if (r && isTerminal(r.status)) buffers.delete(run.id)
      }, DROP_FINISHED_MS)
    }
  }

  let started = false
  function start(): void {
    if (started) return
    started = true
    const client = useClient()
    client.on('runs:status', (run) => {
      put(run)
      for (const l of statusListeners) l(run)
      scheduleTick()
    })
    client.on('runs:metrics', (batch) => {
      let b = buffers.get(batch.runId)
      if (!b) {
        b = new RunBuffer()
        buffers.set(batch.runId, b)
      }
      b.append(batch)
      scheduleTick()
    })
  }

  async function fetchRun(id: string): Promise<Run> {
    const run = await useClient()['runs:get']({ id })
    put(run)
    return runs.get(id)!
  }

  /**
   * Make the buffer of a running run hold its whole history: when the page opened after the
   * run started, fetch what is stored so far and put it in front of the streamed rows.
   */
  const historyPending = new Map<string, Promise<void>>()
  function ensureHistory(run: Run): Promise<void> {
    let b = buffers.get(run.id)
    if (b?.fromStart) return Promise.resolve()
    if (!b) {
      b = new RunBuffer()
      buffers.set(run.id, b)
    }
    const buffer = b
    let p = historyPending.get(run.id)
    if (!p) {
      p = useClient()
        ['runs:series']({ id: run.id, x: 'iteration', maxPoints: 20_000 })
        .then((s) => {
          buffer.merge({ total: s.total, length: s.length, columns: s.columns })
          scheduleTick()
        })
        .catch(() => {
          // no rows stored yet (or the run vanished): the stream alone will do
          buffer.fromStart = true
        })
        .finally(() => historyPending.delete(run.id))
      historyPending.set(run.id, p)
    }
    return p
  }

  /**
   * After a reconnect, batches sent while the socket was down are lost: refetch running runs
   * and put their stored rows back in front of the stream.
   */
  function resync(): void {
    for (const [id, b] of buffers) {
      const run = runs.get(id)
      if (!run || isTerminal(run.status)) continue
      b.fromStart = false
      void fetchRun(id)
        .then((r) => (isTerminal(r.status) ? undefined : ensureHistory(r)))
        .catch(() => {})
    }
  }

  function onStatus(listener: (run: Run) => void): () => void {
    statusListeners.add(listener)
    return () => statusListeners.delete(listener)
  }

  return { runs, buffers, tick, start, put, fetchRun, ensureHistory, resync, onStatus, reportDrawCost }
})
