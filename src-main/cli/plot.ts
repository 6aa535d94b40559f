/**
 * `descent plot RUN... [--metric M] [--x iteration|oracle|time] [--logx] [--logy] --out FILE.svg|FILE.png`:
 * the compare view's chart, headless (src-main/plot).
 */
import { writeFileSync } from 'node:fs'
import { extname } from 'node:path'
import type { Run } from '../../src-shared/model'
import { buildPlot, PlotError, renderSvg, svgToPng } from '../plot/plot'
import { getStudy } from '../studies/registry'
import type { Workbench } from '../workbench/workbench'
import { intFlag, UsageError } from './args'
import type { Io } from './commands'

export const PLOT_FLAGS = {
  metric: { type: 'string' },
  x: { type: 'string' },
  logx: { type: 'boolean' },
  logy: { type: 'boolean' },
  out: { type: 'string' },
  scale: { type: 'string' },
  width: { type: 'string' },
  height: { type: 'string' },
} as const

export interface PlotArgs {
  ids: string[]
  metric?: string
  x?: string
  logx?: boolean
  logy?: boolean
  out?: string
  scale?: string
  width?: string
  height?: string
  json: boolean
}

export async function cmdPlot(wb: Workbench, a: PlotArgs, io: Io): Promise<number> {
  if (!a.out) throw new UsageError('plot needs --out FILE.svg or --out FILE.png')
  const ext = extname(a.out).toLowerCase()
  if (ext !== '.svg' && ext !== '.png') throw new UsageError(`--out ${a.out}: expected a file name ending in .svg or .png`)
  const scale = intFlag('scale', a.scale, 1, 4) ?? 2
  if (a.scale !== undefined && ext !== '.png') throw new UsageError('--scale applies to PNG output only (--out FILE.png)')
  const width = intFlag('width', a.width, 200, 8000) ?? 720
  const height = intFlag('height', a.height, 150, 8000) ?? 420
  const runs: Run[] = []
  for (const id of a.ids) runs.push(await wb.call('runs:get', { id }))
  const notDone = runs.filter((r) => r.points === 0)
  if (notDone.length) throw new UsageError(`plot: run ${notDone.map((r) => r.id).join(', ')} has no recorded rows yet`)
  const { manifest } = getStudy(runs[0].study)
  try {
    const plot = await buildPlot(runs, manifest, { metric: a.metric, x: a.x, logX: a.logx, logY: a.logy }, async (run, x, y, logX) => {
      // the same decimated series the app draws (min and max kept per screen bucket)
      const s = await wb.call('runs:series', { id: run.id, x, y, logX, maxPoints: 2000 })
      return s.columns
    })
    const svg = renderSvg(plot.option, { width, height, title: plot.spec.title })
    let size = { width, height }
    if (ext === '.svg') writeFileSync(a.out, svg)
    else {
      const png = svgToPng(svg, scale)
      writeFileSync(a.out, png.png)
      size = { width: png.width, height: png.height }
    }
    const doc = { out: a.out, format: ext.slice(1), ...size, ...(ext === '.png' ? { scale } : {}), chart: plot.spec.id, x: plot.spec.x, logX: plot.spec.logX, logY: plot.spec.logY, points: plot.points, runs: runs.map((r, i) => ({ id: r.id, label: plot.labels[i] })) }
    io.out(a.json ? JSON.stringify(doc) : `wrote ${a.out} (${size.width}×${size.height}${ext === '.png' ? `, scale ${scale}` : ''}): ${plot.spec.title}, ${runs.length} run${runs.length === 1 ? '' : 's'}, ${plot.points} points`)
    return 0
  } catch (err) {
    if (err instanceof PlotError) throw new UsageError(err.message)
    throw err
  }
}
