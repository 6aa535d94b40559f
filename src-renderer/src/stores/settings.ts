/** User preferences kept in localStorage: theme and chart smoothing. */
import { defineStore } from 'pinia'
import { ref, watch } from 'vue'

const KEY = 'descent.settings'

interface Stored {
  theme: 'light' | 'dark'
  smoothing: number
}

function load(): Stored {
  const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
  const fallback: Stored = { theme: prefersDark ? 'dark' : 'light', smoothing: 0 }
  try {
    const raw = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Partial<Stored> | null
    return {
      theme: raw?.theme === 'dark' || raw?.theme === 'light' ? raw.theme : fallback.theme,
      smoothing: typeof raw?.smoothing === 'number' && raw.smoothing >= 0 && raw.smoothing < 1 ? raw.smoothing : 0,
    }
  } catch {
    return fallback
  }
}

export const useSettings = defineStore('settings', () => {
  const initial = load()
  const theme = ref<'light' | 'dark'>(initial.theme)
  const smoothing = ref(initial.smoothing)
  watch([theme, smoothing], () => localStorage.setItem(KEY, JSON.stringify({ theme: theme.value, smoothing: smoothing.value })))
  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark'
  }
  return { theme, smoothing, toggleTheme }
})
