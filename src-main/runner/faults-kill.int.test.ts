/**
 * `kill -9` at seeded random moments, 8 times of the web host and 12 times of the CLI (each
 * of 6 CLI cycles kills a sweep process and a single-run process sharing the file), during runs and
 * during sweeps. After each kill and restart:
 * - every run that had finished before is byte-identical (row and series);
 * - every run the kill caught is `interrupted`, its newest stored row less than 1 s older than
 *   the kill (or, with no row yet, started less than 1 s before it);
 * - `PRAGMA integrity_check` = ok;
 * - re-issuing the sweep runs only what is missing (skipped = runs done before, counted).
 * Replay a failure with DESCENT_FAULT_SEED=<printed seed>.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { existsSync } from 'node:fs'
import { faultSeed, integrity, openReadOnly, isTerminalStatus, lastClock, seededRandom, snapshot, type RunRecord } from '../testing/faults'
import { BIN, runCli, startServe, tempDb, WsClient } from '../testing/host'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const HOST_CYCLES = 8
const CLI_CYCLES = 6

/** Resolves once some run of the file has stored a row (the solvers are recording). */
async function recording(db: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (existsSync(db)) {
      const c = openReadOnly(db)
      try {
        const row = c.prepare("SELECT max(points) AS n FROM runs WHERE status = 'running'").get() as { n: number | null }
        if ((row.n ?? 0) > 0) return
      } catch {
        /* schema not created yet */
      } finally {
        c.close()
      }
    }
    await sleep(50)
  }
  throw new Error('no run started recording')
}

interface KillFacts {
  killedAt: number
  caught: RunRecord[]
  finished: RunRecord[]
}

/** After a kill, before any restart: finished runs unchanged, the file intact; which runs were caught. */
function afterKill(db: string, before: Map<string, RunRecord>, killedAt: number): KillFacts {
  expect(integrity(db)).toBe('ok')
  const now = snapshot(db)
  for (const r of before.values()) if (isTerminalStatus(r.status)) expect(now.get(r.id), `run ${r.id} changed`).toEqual(r)
  const all = [...now.values()]
  return { killedAt, caught: all.filter((r) => !isTerminalStatus(r.status)), finished: all.filter((r) => isTerminalStatus(r.status)) }
}

/** After the restart: every caught run is interrupted with metrics to within 1 s of the kill. */
function afterRestart(db: string, facts: KillFacts): { lostMs: number[]; noRows: number } {
  const now = snapshot(db)
  const lostMs: number[] = []
  let noRows = 0
  for (const r of facts.finished) expect(now.get(r.id), `run ${r.id} changed at restart`).toEqual(r)
  for (const r of facts.caught) {
    const after = now.get(r.id)!
    expect(after.status, r.id).toBe('interrupted')
    expect(after.points).toBe(r.points)
    const clock = lastClock(db, r.id)
    if (clock !== null) {
      lostMs.push(facts.killedAt - clock)
      expect(facts.killedAt - clock, `run ${r.id}: newest row vs kill`).toBeLessThan(1000)
    } else {
      // queued, or its worker was still loading the study: it had recorded nothing to lose
      expect(r.points).toBe(0)
      noRows++
    }
  }
  return { lostMs, noRows }
}

function doneInSweep(db: string, sweepId: string): number {
  return [...snapshot(db).values()].filter((r) => r.sweepId === sweepId && r.status === 'done').length
}

describe('kill -9 at random moments', () => {
  it('of the web host, during a run and a sweep: finished runs intact, caught ones interrupted, sweep resumes what is missing', { timeout: 400_000 }, async () => {
    const seed = faultSeed(20260801)
    console.log(`kill -9 of the web host: seed ${seed} (DESCENT_FAULT_SEED replays it)`)
    const rnd = seededRandom(seed)
    const db = tempDb()
    const sweep = { study: 'probe', base: { busyUs: 500 }, grid: { rho: [0.5, 0.6, 0.7, 0.8, 0.9], T: [100, 200] }, seeds: [0, 1, 2] }
    let before = new Map<string, RunRecord>()
    let facts: KillFacts | null = null
    const lost: number[] = []
    const delays: number[] = []
    const resumed: number[] = []
    let caughtTotal = 0
    let noRows = 0
    let sweepId = ''
    for (let cycle = 0; cycle <= HOST_CYCLES; cycle++) {
      const host = await startServe(db, {}, ['--workers', '2'])
      const client = await WsClient.connect(host.port, host.token)
      try {
        if (facts) {
          const a = afterRestart(db, facts)
          lost.push(...a.lostMs)
          noRows += a.noRows
        }
        const doneBefore = sweepId ? doneInSweep(db, sweepId) : 0
        const started = await client.call<{ sweepId: string; planned: number; skipped: number; launched: string[] }>('sweeps:start', sweep)
        sweepId = started.sweepId
        expect(started.planned).toBe(30)
        // re-issuing runs only what is missing: every run done before the kill is skipped
        expect(started.skipped).toBe(doneBefore)
        expect(started.launched.length).toBe(started.planned - started.skipped)
        resumed.push(started.launched.length)
        if (cycle === HOST_CYCLES) {
          // the last start runs to the end: the sweep completes with exactly the missing runs
          const deadline = Date.now() + 120_000
          while (doneInSweep(db, sweepId) < 30 && Date.now() < deadline) await sleep(200)
          expect(doneInSweep(db, sweepId)).toBe(30)
          break
        }
        await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 200 }, seed: cycle })
        await recording(db)
        before = snapshot(db)
        const delay = Math.round(100 + rnd() * 1400)
        delays.push(delay)
        await sleep(delay)
        client.close()
        const killedAt = Date.now()
        await host.stop('SIGKILL')
        facts = afterKill(db, before, killedAt)
        caughtTotal += facts.caught.length
        expect(facts.caught.length).toBeGreaterThan(0)
      } finally {
        client.close()
        await host.stop('SIGKILL')
      }
    }
    console.log(
      `web host: ${HOST_CYCLES} kills after ${delays.join(', ')} ms; ${caughtTotal} runs caught (${noRows} of them queued or not yet recording); runs launched per re-issue of the 30-run sweep: ${resumed.join(', ')}; newest row before kill: max ${Math.max(...lost).toFixed(0)} ms over ${lost.length} runs`,
    )
    expect(integrity(db)).toBe('ok')
  })

  it('of the CLI, a sweep process and a run process sharing the file: same guarantees; re-issued sweep runs only what is missing', { timeout: 400_000 }, async () => {
    const seed = faultSeed(20260802)
    console.log(`kill -9 of the CLI: seed ${seed} (DESCENT_FAULT_SEED replays it)`)
    const rnd = seededRandom(seed)
    const db = tempDb()
    const sweepArgs = ['sweep', 'probe', '--grid', 'rho=0.5,0.6,0.7,0.8,0.9', '--grid', 'T=100,200', '--seeds', '0..1', '--set', 'busyUs=500', '--workers', '2', '--db', db]
    let facts: KillFacts | null = null
    const lost: number[] = []
    const delays: number[] = []
    const resumed: string[] = []
    let caughtTotal = 0
    let noRows = 0
    let sweepId = ''
    for (let cycle = 0; cycle < CLI_CYCLES; cycle++) {
      const doneBefore = sweepId ? doneInSweep(db, sweepId) : 0
      const before = snapshot(db)
      const sweepProc = spawn(process.execPath, [BIN, ...sweepArgs], { env: { ...process.env, DESCENT_PROBE_STUDY: '1' }, stdio: ['ignore', 'pipe', 'pipe'] })
      // the sweep line on stderr is printed once the workbench has started (and adopted dead runs)
      const line = await new Promise<string>((resolve, reject) => {
        let err = ''
        sweepProc.stderr!.on('data', (d) => {
          err += d
          const m = /^sweep .*$/m.exec(err)
          if (m) resolve(m[0])
        })
        sweepProc.once('exit', (code) => reject(new Error(`sweep exited with ${code}: ${err}`)))
      })
      const m = /^sweep (\S+): (\d+) runs planned, (\d+) in this process, (\d+) already done$/.exec(line)
      expect(m, line).not.toBeNull()
      sweepId = m![1]
      expect(Number(m![2])).toBe(20)
      // re-issuing runs only what is missing: every run done before the kill is skipped
      expect(Number(m![4])).toBe(doneBefore)
      resumed.push(`${20 - doneBefore}`)
      if (facts) {
          const a = afterRestart(db, facts)
          lost.push(...a.lostMs)
          noRows += a.noRows
        }
      const runProc: ChildProcess = spawn(process.execPath, [BIN, 'run', 'probe', '--set', 'T=1000000', '--set', 'busyUs=300', '--seed', String(cycle), '--db', db], {
        env: { ...process.env, DESCENT_PROBE_STUDY: '1' },
        stdio: 'ignore',
      })
      await recording(db)
      const delay = Math.round(100 + rnd() * 1400)
      delays.push(delay)
      await sleep(delay)
      const killedAt = Date.now()
      const exits = [sweepProc, runProc].map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once('exit', r))))
      sweepProc.kill('SIGKILL')
      runProc.kill('SIGKILL')
      await Promise.all(exits)
      facts = afterKill(db, before, killedAt)
      caughtTotal += facts.caught.length
    }
    const doneBefore = doneInSweep(db, sweepId)
    const final = await runCli([...sweepArgs, '--json'])
    expect(final.code, final.stderr).toBe(0)
    const doc = JSON.parse(final.stdout) as { planned: number; skipped: number; runs: { status: string }[] }
    expect(doc.planned).toBe(20)
    expect(doc.skipped).toBe(doneBefore)
    expect(doc.runs.filter((r) => r.status === 'done').length).toBe(20)
    if (facts) {
          const a = afterRestart(db, facts)
          lost.push(...a.lostMs)
          noRows += a.noRows
        }
    expect(integrity(db)).toBe('ok')
    console.log(
      `CLI: ${CLI_CYCLES} cycles x 2 processes killed after ${delays.join(', ')} ms; ${caughtTotal} runs caught (${noRows} of them queued or not yet recording); runs launched per re-issue: ${resumed.join(', ')}, last ${20 - doneBefore}; newest row before kill: max ${Math.max(...lost).toFixed(0)} ms over ${lost.length} runs`,
    )
  })
})
