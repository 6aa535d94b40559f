/**
 * Sweep planning: a grid (cartesian product) and/or random samples over a study's params, times
 * a list of seeds, in a fixed order, so that `--shard I/N` slices are disjoint, cover the plan,
 * and a re-issued command can skip what is already done.
 */
import { createHash } from 'node:crypto'
import type { ParamSpec, Params, ParamValue } from '../../src-shared/model'
import { canonicalParams, checkParam, parseParamText } from '../../src-shared/params'
import { Rng } from '../numeric/rng'

export interface RandomAxis {
  lo: number
  hi: number
  log: boolean
}

export interface SweepSpec {
  study: string
  /** fixed params applied to every run */
  base: Params
  grid: Record<string, ParamValue[]>
  random: Record<string, RandomAxis>
  samples: number
  seeds: number[]
}

export interface PlannedRun {
  index: number
  params: Params
  seed: number
}

export class SweepSpecError extends Error {}

/** `NAME=v1,v2,...` against the param's spec (values parsed and range-checked). */
export function parseGridArg(specs: Record<string, ParamSpec>, arg: string): [string, ParamValue[]] {
  const eq = arg.indexOf('=')
  if (eq <= 0) throw new SweepSpecError(`--grid ${JSON.stringify(arg)}: expected NAME=v1,v2,...`)
  const name = arg.slice(0, eq)
  const spec = specs[name]
  if (!spec) throw new SweepSpecError(`--grid ${name}: unknown param; allowed: ${Object.keys(specs).join(', ')}`)
  const values = arg
    .slice(eq + 1)
    .split(',')
    .map((t) => {
      const v = parseParamText(spec, t)
      if (v === undefined) throw new SweepSpecError(`--grid ${name}: ${JSON.stringify(t)} is not a valid ${spec.type}`)
      const problem = checkParam(name, spec, v)
      if (problem) throw new SweepSpecError(`--grid ${name}: ${problem}`)
      return v
    })
  if (!values.length) throw new SweepSpecError(`--grid ${name}: no values`)
  return [name, values]
}

/** `NAME=lo:hi[:log]` for a number or integer param. */
export function parseRandomArg(specs: Record<string, ParamSpec>, arg: string): [string, RandomAxis] {
  const m = /^([^=]+)=([^:]+):([^:]+)(?::(log|lin))?$/.exec(arg)
  if (!m) throw new SweepSpecError(`--random ${JSON.stringify(arg)}: expected NAME=lo:hi or NAME=lo:hi:log`)
  const [, name, loText, hiText, scale] = m
  const spec = specs[name]
  if (!spec) throw new SweepSpecError(`--random ${name}: unknown param; allowed: ${Object.keys(specs).join(', ')}`)
  if (spec.type !== 'number' && spec.type !== 'integer') throw new SweepSpecError(`--random ${name}: only number and integer params can be sampled (it is ${spec.type})`)
  const lo = Number(loText)
  const hi = Number(hiText)
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !(lo < hi)) throw new SweepSpecError(`--random ${name}: expected finite lo < hi, got ${loText}:${hiText}`)
  for (const v of [lo, hi]) {
    const problem = checkParam(name, spec, spec.type === 'integer' ? Math.round(v) : v)
    if (problem) throw new SweepSpecError(`--random ${name}: ${problem}`)
  }
  const log = scale === 'log' || (scale === undefined && spec.log === true)
  if (log && lo <= 0) throw new SweepSpecError(`--random ${name}: a log range needs lo > 0`)
  return [name, { lo, hi, log }]
}

/** `--seeds 1..5` or `--seeds 0,3,7`. */
export function parseSeeds(text: string): number[] {
  const range = /^(\d+)\.\.(\d+)$/.exec(text)
  const seeds = range
    ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i)
    : text.split(',').map((t) => (/^\d+$/.test(t) ? Number(t) : NaN))
  if (!seeds.length || seeds.some((s) => !Number.isSafeInteger(s) || s > 2 ** 31 - 1)) {
    throw new SweepSpecError(`--seeds ${JSON.stringify(text)}: expected A..B or a comma list of non-negative integers`)
  }
  if (seeds.length > 10_000) throw new SweepSpecError(`--seeds ${text}: at most 10,000 seeds`)
  return seeds
}

/** `--shard I/N` (1-based). */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text)
  const index = m ? Number(m[1]) : NaN
  const count = m ? Number(m[2]) : NaN
  if (!m || count < 1 || index < 1 || index > count) throw new SweepSpecError(`--shard ${JSON.stringify(text)}: expected I/N with 1 ≤ I ≤ N`)
  return { index, count }
}

/** The full plan in a fixed order: grid points (row-major in key order) × random samples × seeds. */
export function planSweep(spec: SweepSpec): PlannedRun[] {
  const names = Object.keys(spec.grid)
  let points: Params[] = [{ ...spec.base }]
  for (const name of names) points = points.flatMap((p) => spec.grid[name].map((v) => ({ ...p, [name]: v })))
  const randomNames = Object.keys(spec.random)
  if (randomNames.length) {
    const rng = Rng.stream(0, `sweep:${sweepKey(spec)}`)
    const samples = Math.max(1, spec.samples)
    points = points.flatMap((p) =>
      Array.from({ length: samples }, () => {
        const q: Params = { ...p }
        for (const name of randomNames) {
          const { lo, hi, log } = spec.random[name]
          const u = rng.uniform()
          q[name] = log ? Math.exp(Math.log(lo) + u * (Math.log(hi) - Math.log(lo))) : lo + u * (hi - lo)
        }
        return q
      }),
    )
  }
  const out: PlannedRun[] = []
  for (const params of points) for (const seed of spec.seeds) out.push({ index: out.length, params, seed })
  if (out.length > 100_000) throw new SweepSpecError(`the sweep has ${out.length} runs; at most 100,000`)
  return out
}

/** Integer params sampled at random are rounded after drawing. */
export function roundIntegers(specs: Record<string, ParamSpec>, p: Params): Params {
  const q: Params = { ...p }
  for (const [k, v] of Object.entries(q)) if (specs[k]?.type === 'integer' && typeof v === 'number') q[k] = Math.round(v)
  return q
}

export function shardOf(plan: PlannedRun[], shard: { index: number; count: number } | null): PlannedRun[] {
  return shard ? plan.filter((r) => r.index % shard.count === shard.index - 1) : plan
}

/** The identity of a sweep spec: the same command on any machine gives the same sweep id. */
export function sweepKey(spec: SweepSpec): string {
  const grid = Object.keys(spec.grid).sort().map((k) => [k, spec.grid[k]])
  const random = Object.keys(spec.random).sort().map((k) => [k, spec.random[k]])
  return createHash('sha256')
    .update(JSON.stringify([spec.study, canonicalParams(spec.base), grid, random, spec.samples, spec.seeds]))
    .digest('hex')
    .slice(0, 20)
}
