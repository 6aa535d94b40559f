/** Prints a bench table and appends it to test-results/bench.json. */
import { appendFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from '../src-main/testing/host'

export function report(name: string, rows: [string, number, string][]): void {
  const width = Math.max(...rows.map((r) => r[0].length))
  console.log(`\n${name}`)
  for (const [what, value, target] of rows) console.log(`  ${what.padEnd(width)}  ${String(value).padStart(12)}   target ${target}`)
  mkdirSync(join(ROOT, 'test-results'), { recursive: true })
  appendFileSync(join(ROOT, 'test-results', 'bench.json'), JSON.stringify({ name, at: new Date().toISOString(), rows }) + '\n')
}
