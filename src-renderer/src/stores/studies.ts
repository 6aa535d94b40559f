/** The study manifests, loaded once (they change only when the app is rebuilt). */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { StudyManifest } from '../../../src-shared/model'
import { errorText, useClient } from '../client'

export const useStudies = defineStore('studies', () => {
  const list = shallowRef<StudyManifest[]>([])
  const loaded = ref(false)
  const error = ref<string | null>(null)
  let pending: Promise<void> | null = null

  function load(): Promise<void> {
    pending ??= useClient()['studies:list']({})
      .then((s) => {
        list.value = s
        loaded.value = true
        error.value = null
      })
      .catch((e: unknown) => {
        error.value = errorText(e)
        pending = null
      })
    return pending
  }
  const byId = computed(() => new Map(list.value.map((s) => [s.id, s])))
  const get = (id: string): StudyManifest | undefined => byId.value.get(id)
  return { list, loaded, error, load, get }
})
