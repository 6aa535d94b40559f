/**
 * Where the user is, as a hash route (#/study/ID, #/run/ID, #/figure/ID, #/runs, #/compare/ID,ID), so that
 * reload, back/forward and deep links work without a router dependency.
 */
import { defineStore } from 'pinia'
import { ref } from 'vue'
import { parseIds } from '../compare/diff'

export type Route =
  | { name: 'catalog' }
  | { name: 'study'; id: string }
  | { name: 'run'; id: string }
  | { name: 'sweep'; id: string }
  | { name: 'runs' }
  | { name: 'compare'; ids: string[] }

export function parseHash(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent)
  const [head, id] = parts
  if (head === 'study' && id) return { name: 'study', id }
  if (head === 'run' && id) return { name: 'run', id }
  if (head === 'figure' && id) return { name: 'sweep', id }
  if (head === 'runs') return { name: 'runs' }
  if (head === 'compare') return { name: 'compare', ids: parseIds(id ?? '') }
  return { name: 'catalog' }
}

export function routeHash(r: Route): string {
  switch (r.name) {
    case 'catalog':
      return '#/'
    case 'runs':
      return '#/runs'
    case 'study':
      return `#/study/${encodeURIComponent(r.id)}`
    case 'run':
      return `#/run/${encodeURIComponent(r.id)}`
    case 'sweep':
      return `#/figure/${encodeURIComponent(r.id)}`
    case 'compare':
      return `#/compare/${r.ids.map(encodeURIComponent).join(',')}`
  }
}

export const useNav = defineStore('nav', () => {
  const route = ref<Route>(parseHash(location.hash))
  window.addEventListener('hashchange', () => {
    route.value = parseHash(location.hash)
    window.scrollTo(0, 0)
  })
  function go(r: Route): void {
    const h = routeHash(r)
    if (location.hash !== h) location.hash = h
    else route.value = r
  }
  return { route, go }
})
