/** The runs table: query (project, search, sort, page) and the current page of runs. */
import { defineStore } from 'pinia'
import { ref, shallowRef, watch } from 'vue'
import type { Run, RunStatus } from '../../../src-shared/model'
import type { RunSort } from '../../../src-shared/api'
import { errorText, useClient } from '../client'
import { useLive } from './live'
import { useProjects } from './projects'

type Sort = (typeof RunSort)['options'][number]

export const useRuns = defineStore('runs', () => {
  const rows = shallowRef<Run[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)
  const search = ref('')
  const study = ref<string | null>(null)
  const status = ref<RunStatus | null>(null)
  const sort = ref<Sort>('createdAt')
  const desc = ref(true)
  const page = ref(1)
  const pageSize = ref(25)
  const projects = useProjects()
  let seq = 0

  async function load(): Promise<void> {
    const my = ++seq
    loading.value = true
    try {
      const r = await useClient()['runs:list']({
        projectId: projects.currentId ?? undefined,
        search: search.value.trim() || undefined,
        study: study.value ?? undefined,
        status: status.value ?? undefined,
        sort: sort.value,
        desc: desc.value,
        limit: pageSize.value,
        offset: (page.value - 1) * pageSize.value,
      })
      if (my !== seq) return
      rows.value = r.runs
      total.value = r.total
      error.value = null
    } catch (e) {
      if (my === seq) error.value = errorText(e)
    } finally {
      if (my === seq) loading.value = false
    }
  }

  let searchTimer: ReturnType<typeof setTimeout> | null = null
  watch(search, () => {
    if (searchTimer) clearTimeout(searchTimer)
    searchTimer = setTimeout(() => {
      page.value = 1
      void load()
    }, 250)
  })
  watch([sort, desc, page, pageSize, () => projects.currentId], () => void load())
  watch([study, status], () => {
    if (page.value !== 1) page.value = 1 // the page watcher reloads
    else void load()
  })

  // keep visible rows current; a new run on the first page of a by-date table appears at once
  let reloadTimer: ReturnType<typeof setTimeout> | null = null
  const live = useLive()
  live.onStatus((run) => {
    const i = rows.value.findIndex((r) => r.id === run.id)
    if (i >= 0) {
      const next = rows.value.slice()
      next[i] = run
      rows.value = next
    } else if (page.value === 1 && sort.value === 'createdAt' && desc.value && (!projects.currentId || run.projectId === projects.currentId)) {
      if (reloadTimer) return
      reloadTimer = setTimeout(() => {
        reloadTimer = null
        void load()
      }, 300)
    }
  })

  function setSort(column: Sort, descending: boolean): void {
    sort.value = column
    desc.value = descending
  }

  return { rows, total, loading, error, search, study, status, sort, desc, page, pageSize, load, setSort }
})
