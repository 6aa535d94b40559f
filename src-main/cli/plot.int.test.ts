/**
 * The built `descent plot`: two runs to SVG (well-formed, axis names, ticks and legend as
 * <text>, one stroked path per run in its compare-view colour) and to PNG (the header's size is
 * the chart's size times the chosen scale), and clear errors for bad flags.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { PALETTE } from '../../src-renderer/src/charts/options'
import { runCli, tempDb } from '../testing/host'

const db = tempDb()
const dir = dirname(db)
const ids: string[] = []

/** Every opened element is closed in order (a minimal well-formedness check without a DOM). */
function balanced(xml: string): boolean {
  const stack: string[] = []
  for (const m of xml.matchAll(/<(\/?)([A-Za-z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , self] = m
    if (self) continue
    if (!close) stack.push(name)
    else if (stack.pop() !== name) return false
  }
  return stack.length === 0
}

function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1])
}

describe('descent plot', () => {
  beforeAll(async () => {
    for (const rho of ['0.5', '0.9']) {
      const r = await runCli(['run', 'probe', '--set', 'T=400', '--set', `rho=${rho}`, '--json', '--db', db])
      expect(r.code).toBe(0)
      ids.push(JSON.parse(r.stdout).id)
    }
  }, 120_000)

  it('draws two runs to an SVG with text labels, a legend and a path per run', async () => {
    const out = join(dir, 'two.svg')
    const r = await runCli(['plot', ...ids, '--out', out, '--json', '--db', db])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ format: 'svg', width: 720, height: 420, chart: 'x', x: 'iteration', logY: true })
    expect(doc.runs.map((x: { label: string }) => x.label)).toEqual(['rho=0.5', 'rho=0.9'])
    const svg = readFileSync(out, 'utf8')
    expect(svg.startsWith('<svg')).toBe(true)
    expect(svg).toMatch(/<svg[^>]*width="720" height="420"/)
    expect(balanced(svg)).toBe(true)
    const t = texts(svg)
    expect(t).toContain('iteration') // x-axis name
    expect(t).toContain('rho=0.5') // legend
    expect(t).toContain('rho=0.9')
    expect(t.some((s) => /^1e-\d+$/.test(s))).toBe(true) // log-axis ticks as text
    for (const color of PALETTE.slice(0, 2)) {
      // the data line of each run: a stroked, unfilled path in the run's colour
      expect(svg).toMatch(new RegExp(`<path d="M[^"]{200,}"[^>]*fill="none"[^>]*stroke="${color}"`))
    }
  })

  it('renders PNG at the chosen pixel ratio', async () => {
    for (const scale of [2, 3]) {
      const out = join(dir, `two-${scale}.png`)
      const r = await runCli(['plot', ...ids, '--metric', 'x', '--x', 'iteration', '--logy', '--width', '600', '--height', '300', '--scale', String(scale), '--out', out, '--db', db])
      expect(r.code).toBe(0)
      const png = readFileSync(out)
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
      expect(png.subarray(12, 16).toString()).toBe('IHDR')
      expect(png.readUInt32BE(16)).toBe(600 * scale)
      expect(png.readUInt32BE(20)).toBe(300 * scale)
      expect(png.length).toBeGreaterThan(5000) // not blank: lines and text drawn
    }
  })

  it('switches axes by flags and names what is allowed on bad input', async () => {
    const out = join(dir, 'time.svg')
    const ok = await runCli(['plot', ids[0], '--x', 'time', '--logx', '--out', out, '--json', '--db', db])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ x: 'wallMs', logX: true })
    expect(texts(readFileSync(out, 'utf8'))).toContain('wall time (ms)')

    const badMetric = await runCli(['plot', ids[0], '--metric', 'nope', '--out', out, '--db', db])
    expect(badMetric.code).toBe(2)
    expect(badMetric.stderr).toMatch(/--metric nope: not a metric of probe; allowed: x, pair, clock/)
    const badX = await runCli(['plot', ids[0], '--x', 'epoch', '--out', out, '--db', db])
    expect(badX.code).toBe(2)
    expect(badX.stderr).toMatch(/--x epoch: expected iteration, oracle, time/)
    const badOut = await runCli(['plot', ids[0], '--out', join(dir, 'x.jpg'), '--db', db])
    expect(badOut.code).toBe(2)
    expect(badOut.stderr).toMatch(/\.svg or \.png/)
    const noRun = await runCli(['plot', 'nosuchrun', '--out', out, '--db', db])
    expect(noRun.code).toBe(2)
    expect(noRun.stderr).toMatch(/no run with id "nosuchrun"/)
  })
})
