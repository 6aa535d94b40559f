/** Human-readable printing for the CLI (the --json shapes live in commands.ts). */
import type { ClaimResult, Run } from '../../src-shared/model'

export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x)
  const a = Math.abs(x)
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : String(Number(x.toPrecision(6)))
}

export function claimLines(claims: ClaimResult[]): string[] {
  return claims.map((c) => `  ${c.passed ? 'PASS' : 'FAIL'}  ${c.id}: ${c.text}\n        measured: ${c.measured}`)
}

export function runText(run: Run): string {
  const lines = [
    `run ${run.id}  ${run.study}${run.label ? `  [${run.label}]` : ''}  seed ${run.seed}  ${run.status}${run.durationMs != null ? `  ${(run.durationMs / 1000).toFixed(2)} s` : ''}`,
  ]
  if (run.error) lines.push(`  error${run.errorStep != null ? ` at iteration ${run.errorStep}` : ''}: ${run.error.split('\n')[0]}`)
  const keys = Object.keys(run.summary).filter((k) => !/\[\d+\]$/.test(k))
  if (keys.length) lines.push('  summary: ' + keys.map((k) => `${k}=${fmtNum(run.summary[k])}`).join('  '))
  if (run.claims.length) lines.push(...claimLines(run.claims))
  return lines.join('\n')
}
