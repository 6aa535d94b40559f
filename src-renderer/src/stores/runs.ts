/**
 * The runs table: its query (project, filters, sort), a windowed cache of rows fetched in blocks
 * from the SQL-paginated `runs:list` (the table draws only the rows in view), the checked runs,
 * and the actions on them (tags and notes, move, delete with undo, export, import).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { MAX_IMPORT_BYTES } from '../../../src-shared/api'
import type { Run, RunStatus } from '../../../src-shared/model'
import { UNDO_WINDOW_MS, type ClaimOutcome, type ExportFormat, type ExportSelection, type ExportedFile, type ImportReport, type ValueRange } from '../../../src-shared/runquery'
import { base64ToBytes, bytesToBase64 } from '../../../src-shared/wire'
import { errorText, useClient } from '../client'
import { blocksFor, type RowWindow } from '../runs/window'
import { useLive } from './live'
import { useProjects } from './projects'

export const BLOCK = 100

export const useRuns = defineStore('runs', () => {
  const projects = useProjects()
  const total = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const search = ref('')
  const study = ref<string | null>(null)
  const status = ref<RunStatus | null>(null)
  const tag = ref<string | null>(null)
  const claims = ref<ClaimOutcome | null>(null)
  const sweepId = ref<string | null>(null)
  const ranges = ref<ValueRange[]>([])
  const sort = ref<string>('createdAt')
  const desc = ref(true)
  /** value columns shown besides the fixed ones: params.NAME / summary.NAME */
  const valueColumns = ref<string[]>([])

  // block index → rows; replaced (not mutated) so the table redraws
  const blocks = shallowRef(new Map<number, Run[]>())
  const inflight = new Map<number, Promise<void>>()
  let generation = 0
  let inView: RowWindow = { first: 0, end: BLOCK }

  const filter = () => ({
    projectId: projects.currentId ?? undefined,
    search: search.value.trim() || undefined,
    study: study.value ?? undefined,
    status: status.value ?? undefined,
    tag: tag.value?.trim() || undefined,
    claims: claims.value ?? undefined,
    sweepId: sweepId.value ?? undefined,
    ranges: ranges.value.length ? ranges.value : undefined,
  })

  async function fetchBlock(b: number, gen: number, into: Map<number, Run[]>): Promise<void> {
    const r = await useClient()['runs:list']({ ...filter(), sort: sort.value, desc: desc.value, limit: BLOCK, offset: b * BLOCK })
    if (gen !== generation) return
    into.set(b, r.runs)
    total.value = r.total
  }

  /** Make sure the rows of a window are loaded (the table calls this as it scrolls). */
  function ensure(w: RowWindow): void {
    inView = w
    const gen = generation
    for (const b of blocksFor(w, BLOCK)) {
      if (blocks.value.has(b) || inflight.has(b)) continue
      const p = fetchBlock(b, gen, blocks.value)
        .then(() => {
          if (gen === generation) blocks.value = new Map(blocks.value)
        })
        .catch((e) => {
          if (gen === generation) error.value = errorText(e)
        })
        .finally(() => inflight.delete(b))
      inflight.set(b, p)
    }
  }

  /** Re-query: the rows in view are fetched first and swapped in at once (no flash of blanks). */
  async function load(): Promise<void> {
    const gen = ++generation
    inflight.clear()
    loading.value = true
    const fresh = new Map<number, Run[]>()
    try {
      const need = blocksFor(inView, BLOCK)
      await Promise.all((need.length ? need : [0]).map((b) => fetchBlock(b, gen, fresh)))
      if (gen !== generation) return
      blocks.value = fresh
      error.value = null
    } catch (e) {
      if (gen === generation) error.value = errorText(e)
    } finally {
      if (gen === generation) loading.value = false
    }
  }

  function rowAt(i: number): Run | null {
    return blocks.value.get(Math.floor(i / BLOCK))?.[i % BLOCK] ?? null
  }
  /** every loaded row (for the value-column choices) */
  const loadedRows = computed(() => [...blocks.value.values()].flat())

  /** bumped when the query changes: the table scrolls back to the top */
  const queryKey = ref(0)
  function requery(): void {
    queryKey.value++
    inView = { first: 0, end: BLOCK }
    void load()
  }
  let searchTimer: ReturnType<typeof setTimeout> | null = null
  watch(search, () => {
    if (searchTimer) clearTimeout(searchTimer)
    searchTimer = setTimeout(requery, 250)
  })
  watch([sort, desc, study, status, tag, claims, sweepId, ranges, () => projects.currentId], requery, { deep: true })

  // keep loaded rows current; a new run at the top of a by-date table appears at once
  let reloadTimer: ReturnType<typeof setTimeout> | null = null
  const live = useLive()
  live.onStatus((run) => {
    for (const [b, rows] of blocks.value) {
      const i = rows.findIndex((r) => r.id === run.id)
      if (i < 0) continue
      const next = rows.slice()
      next[i] = run
      const m = new Map(blocks.value)
      m.set(b, next)
      blocks.value = m
      return
    }
    if (sort.value === 'createdAt' && desc.value && (!projects.currentId || run.projectId === projects.currentId)) {
      if (reloadTimer) return
      reloadTimer = setTimeout(() => {
        reloadTimer = null
        void load()
      }, 300)
    }
  })

  function setSort(column: string, descending: boolean): void {
    sort.value = column
    desc.value = descending
  }

  // ---------------------------------------------------------------- checked runs

  const selected = ref<string[]>([])
  /** row index of the last plain click, for shift-click ranges */
  const anchor = ref<number | null>(null)

  async function idsMatching(): Promise<{ ids: string[]; total: number }> {
    return useClient()['runs:ids']({ ...filter(), sort: sort.value, desc: desc.value })
  }
  async function selectAllMatching(): Promise<void> {
    selected.value = (await idsMatching()).ids
  }
  /** ids of rows a..b (inclusive, any order) in table order; from the cache when loaded */
  async function idsBetween(a: number, b: number): Promise<string[]> {
    const [lo, hi] = a <= b ? [a, b] : [b, a]
    const cached: string[] = []
    for (let i = lo; i <= hi; i++) {
      const r = rowAt(i)
      if (!r) break
      cached.push(r.id)
    }
    if (cached.length === hi - lo + 1) return cached
    return (await idsMatching()).ids.slice(lo, hi + 1)
  }

  // ---------------------------------------------------------------- actions

  async function updateMeta(id: string, m: { tags?: string[]; notes?: string }): Promise<void> {
    await useClient()['runs:update']({ id, ...m }) // runs:status updates the row
  }

  async function move(projectId: string): Promise<number> {
    const { moved } = await useClient()['runs:move']({ ids: selected.value, projectId })
    selected.value = []
    await Promise.all([load(), projects.load()])
    return moved
  }

  /** the last deletion while its undo window lasts */
  const pendingUndo = ref<{ ids: string[]; until: number } | null>(null)
  let undoTimer: ReturnType<typeof setTimeout> | null = null
  async function deleteSelected(): Promise<number> {
    const ids = selected.value.slice()
    const { deleted } = await useClient()['runs:delete']({ ids })
    selected.value = []
    if (undoTimer) clearTimeout(undoTimer)
    pendingUndo.value = { ids, until: Date.now() + UNDO_WINDOW_MS }
    undoTimer = setTimeout(() => (pendingUndo.value = null), UNDO_WINDOW_MS)
    await Promise.all([load(), projects.load()])
    return deleted
  }
  async function undoDelete(): Promise<number> {
    const p = pendingUndo.value
    if (!p) return 0
    if (undoTimer) clearTimeout(undoTimer)
    pendingUndo.value = null
    const { restored } = await useClient()['runs:restore']({ ids: p.ids })
    await Promise.all([load(), projects.load()])
    return restored
  }

  /** The scope an export button acts on: the checked runs, else the sweep filter, else the project. */
  const exportScope = computed<{ selection: ExportSelection; text: string } | null>(() => {
    if (selected.value.length) return { selection: { ids: selected.value.slice(0, 10_000) }, text: `${selected.value.length} checked` }
    if (sweepId.value) return { selection: { sweepId: sweepId.value }, text: 'sweep' }
    if (projects.currentId) return { selection: { projectId: projects.currentId }, text: 'project' }
    return null
  })
  async function exportRuns(format: ExportFormat): Promise<{ file: ExportedFile; blob: Blob }> {
    const scope = exportScope.value
    if (!scope) throw new Error('check runs or choose a project to export')
    const file = await useClient()['runs:export']({ selection: scope.selection, format })
    const bytes = base64ToBytes(file.base64)
    return { file, blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: file.mime }) }
  }

  async function importFile(file: File): Promise<ImportReport> {
    if (file.size > MAX_IMPORT_BYTES) {
      const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`
      throw new Error(
        `${file.name} is ${mb(file.size)}; the workbench imports run databases up to ${mb(MAX_IMPORT_BYTES)}. ` +
          `Merge a bigger one from the command line: descent merge YOUR.sqlite ${file.name} (nothing was imported)`,
      )
    }
    const bytes = new Uint8Array(await file.arrayBuffer())
    const report = await useClient()['runs:import']({ fileName: file.name || 'runs.sqlite', base64: bytesToBase64(bytes) })
    await Promise.all([load(), projects.load()])
    return report
  }

  return {
    total, loading, error, search, study, status, tag, claims, sweepId, ranges, sort, desc, valueColumns,
    blocks, rowAt, loadedRows, ensure, load, setSort, queryKey,
    selected, anchor, selectAllMatching, idsBetween,
    updateMeta, move, deleteSelected, undoDelete, pendingUndo, exportScope, exportRuns, importFile,
  }
})
