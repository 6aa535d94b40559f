/**
 * The study registry: every folder under `src-main/studies/` with a `study.ts` is a study,
 * found by scanning (Vite's import.meta.glob, resolved at build time and in Vitest). Adding a
 * study touches only its folder. The study code hash is the SHA-256 of the folder's sources
 * (tests excluded), so editing a solver changes the hash of that study alone.
 */
import { createHash } from 'node:crypto'
import { ChartSpec, FigureSpec, StudyManifest } from '../../src-shared/model'
import type { StudyDefinition } from '../kit/define'

const modules = import.meta.glob<{ default: StudyDefinition }>('./*/study.ts', { eager: true })
/** the fault-probe study of the tests, registered only when DESCENT_PROBE_STUDY=1 */
const probes = import.meta.glob<{ default: StudyDefinition }>('../testing/probe-study.ts', { eager: true })
const sources = import.meta.glob<string>(['./*/**/*.ts', '!./*/**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
})

function folderOf(path: string): string {
  return path.startsWith('../') ? 'probe' : path.split('/')[1]
}

function probeEnabled(): boolean {
  return typeof process !== 'undefined' && process.env.DESCENT_PROBE_STUDY === '1'
}

function codeHashOf(folder: string): string {
  const h = createHash('sha256')
  for (const path of Object.keys(sources).filter((p) => folderOf(p) === folder).sort()) {
    h.update(path)
    h.update('\0')
    h.update(sources[path])
    h.update('\0')
  }
  return h.digest('hex').slice(0, 16)
}

export interface RegisteredStudy {
  definition: StudyDefinition
  manifest: StudyManifest
}

function register(): Map<string, RegisteredStudy> {
  const out = new Map<string, RegisteredStudy>()
  const found = { ...modules, ...(probeEnabled() ? probes : {}) }
  for (const [path, mod] of Object.entries(found)) {
    const def = mod.default
    const folder = folderOf(path)
    if (!def || def.id !== folder) {
      throw new Error(`${path}: the default export must be defineStudy({ id: "${folder}", ... })`)
    }
    const manifest = StudyManifest.parse({
      id: def.id,
      title: def.title,
      paper: def.paper,
      summary: def.summary,
      params: def.params,
      metrics: def.metrics,
      oracles: def.oracles ?? {},
      charts: def.charts.map((c) => ChartSpec.parse(c)),
      figures: (def.figures ?? []).map((f) => FigureSpec.parse(f)),
      claims: (def.claims ?? []).map((c) => ({
        id: c.id,
        text: c.text,
        scope: c.scope,
        ...(c.scope === 'figure' ? { figure: c.figure } : {}),
      })),
      codeHash: codeHashOf(folder),
    })
    out.set(def.id, { definition: def, manifest })
  }
  return out
}

let registry: Map<string, RegisteredStudy> | null = null

export function studies(): Map<string, RegisteredStudy> {
  registry ??= register()
  return registry
}

export function getStudy(id: string): RegisteredStudy {
  const s = studies().get(id)
  if (!s) throw new UnknownStudyError(id, [...studies().keys()])
  return s
}

export class UnknownStudyError extends Error {
  constructor(id: string, known: string[]) {
    super(`unknown study "${id}"; available: ${known.sort().join(', ')}`)
    this.name = 'UnknownStudyError'
  }
}
