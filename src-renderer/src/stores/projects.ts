/** Projects and the current one (where new runs go and which the runs table shows). */
import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import type { Project } from '../../../src-shared/model'
import { useClient } from '../client'

const KEY = 'descent.project'

export const useProjects = defineStore('projects', () => {
  const list = ref<Project[]>([])
  const currentId = ref<string | null>(localStorage.getItem(KEY))
  watch(currentId, (id) => (id ? localStorage.setItem(KEY, id) : localStorage.removeItem(KEY)))

  async function load(): Promise<void> {
    list.value = await useClient()['projects:list']({})
    if (currentId.value && !list.value.some((p) => p.id === currentId.value)) currentId.value = null
    if (!currentId.value && list.value.length) currentId.value = list.value[0].id
  }
  async function create(name: string): Promise<Project> {
    const p = await useClient()['projects:create']({ name })
    await load()
    currentId.value = p.id
    return p
  }
  async function rename(id: string, name: string): Promise<void> {
    await useClient()['projects:rename']({ id, name })
    await load()
  }
  /** Delete a project; its runs move to the Default project (which becomes current). */
  async function remove(id: string): Promise<void> {
    await useClient()['projects:delete']({ id })
    if (currentId.value === id) currentId.value = 'default'
    await load()
  }
  const current = computed(() => list.value.find((p) => p.id === currentId.value) ?? null)
  return { list, currentId, current, load, create, rename, remove }
})
