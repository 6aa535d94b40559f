import { describe, expect, it } from 'vitest'
import { resolveStudyParams, runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import { coordMask, eliminate, hashWords, newEchelon, parity, solution, Y_BIT } from './gf2'
import { algorithm, occamBound, posteriorCorrect, rankTheoryLearnability, vcBound } from './solver'
import study from './study'

/** m rows of [X | y] with x uniform in F_2^d and y = ⟨w, x⟩ (or random labels when w is null) */
function sample(rng: Rng, m: number, d: number, w: number | null): Int32Array {
  const rows = new Int32Array(m)
  for (let j = 0; j < m; j++) {
    const x = (rng.nextUint32() | 0) & coordMask(d)
    const y = w === null ? rng.nextUint32() & 1 : parity(x & w)
    rows[j] = x | (y ? Y_BIT : 0)
  }
  return rows
}

function consistentWith(rows: Int32Array, m: number, w: number): boolean {
  for (let j = 0; j < m; j++) if (parity(rows[j] & coordMask(31) & w) !== (rows[j] & Y_BIT ? 1 : 0)) return false
  return true
}

describe('GF(2) elimination', () => {
  it('rank, consistency and solutions match brute-force enumeration of the version space (d = 7)', () => {
    const rng = new Rng(1, 'test')
    const d = 7
    for (let trial = 0; trial < 60; trial++) {
      const m = 1 + (trial % 9)
      const rows = sample(rng, m, d, trial % 3 === 0 ? null : rng.nextUint32() & coordMask(d))
      for (const s of [0, 3, d]) {
        const mask = coordMask(s)
        const E = eliminate(rows, m, mask, newEchelon(m))
        const members: number[] = []
        for (let w = 0; w < 1 << s; w++) if (consistentWith(rows, m, w)) members.push(w)
        expect(E.consistent).toBe(members.length > 0)
        if (!E.consistent) continue
        expect(members.length).toBe(2 ** (s - E.rank))
        // the free bits enumerate the version space exactly once
        const got = new Set<number>()
        for (let bits = 0; bits < 2 ** (s - E.rank); bits++) got.add(solution(E, bits))
        expect([...got].sort((a, b) => a - b)).toEqual(members)
      }
    }
  })

  it('hashes deterministically and differently for different samples', () => {
    const a = new Int32Array([1, 2, 3, -5])
    expect(hashWords(a, 4)).toBe(hashWords(new Int32Array([1, 2, 3, -5]), 4))
    expect(hashWords(a, 4)).not.toBe(hashWords(new Int32Array([1, 2, 3, -4]), 4))
    expect(hashWords(a, 4)).toBeGreaterThanOrEqual(0)
  })
})

describe('exact Bayes posterior and bounds', () => {
  it('p0 from ranks equals Bayes\' rule by enumerating every w with the D_mix prior (d = 8, s = 3)', () => {
    const d = 8
    const s = 3
    const rng = new Rng(2, 'test')
    const prior = (w: number) => 0.5 * 2 ** -d + ((w & ~coordMask(s)) === 0 ? 0.5 * 2 ** -s : 0)
    for (let trial = 0; trial < 40; trial++) {
      const m = 2 + (trial % 6)
      const wStar = trial % 2 ? rng.nextUint32() & coordMask(s) : rng.nextUint32() & coordMask(d)
      const rows = sample(rng, m, d, wStar)
      const full = eliminate(rows, m, coordMask(d), newEchelon(m))
      const restricted = eliminate(rows, m, coordMask(s), newEchelon(m))
      for (const q of [0, 1]) {
        const h = algorithm(rows, m, q, full, restricted).w
        expect(consistentWith(rows, m, h)).toBe(true)
        let total = 0
        for (let w = 0; w < 1 << d; w++) if (consistentWith(rows, m, w)) total += prior(w)
        const exact = prior(h) / total
        const p0 = posteriorCorrect((h & ~coordMask(s)) === 0, d, s, full.rank, restricted.rank, restricted.consistent)
        expect(Math.abs(p0 - exact)).toBeLessThan(1e-14)
      }
    }
  })

  it('stays exact at d = 31 (powers down to 2^−31 from rank exponents)', () => {
    const p0 = posteriorCorrect(true, 31, 20, 20, 20, true)
    // (½·2^−31 + ½·2^−20) / (½·2^−20 + ½·2^−20)
    expect(p0).toBe((2 ** -31 + 2 ** -20) / (2 * 2 ** -20))
  })

  it('the VC bound is vacuous at d = 30, m = 20; the Occam bound of an F_10 parity is 0.531', () => {
    expect(vcBound(30, 20, 0.05)).toBe(1)
    expect(occamBound(true, 30, 10, 20, 0.05)).toBeCloseTo((-Math.log(0.5 * 2 ** -30 + 0.5 * 2 ** -10) + Math.log(20)) / 20, 14)
    expect(occamBound(true, 30, 10, 20, 0.05)).toBeCloseTo(0.531, 3)
  })

  it('the rank prediction equals brute force over all m×s GF(2) matrices (m = 3, s = 3 and m = 4, s = 2)', () => {
    for (const [m, s] of [[3, 3], [4, 2], [2, 4]]) {
      let total = 0
      const count = 2 ** (m * s)
      const rows = new Int32Array(m)
      for (let code = 0; code < count; code++) {
        for (let j = 0; j < m; j++) rows[j] = (code >>> (j * s)) & coordMask(s)
        const E = eliminate(rows, m, coordMask(s), newEchelon(m))
        total += 2 ** (E.rank - s)
      }
      expect(rankTheoryLearnability(m, s)).toBeCloseTo(total / count, 14)
    }
  })
})

describe('the algorithm A_{s,q}', () => {
  it('is a function of S: the same sample gives the same output, whatever the trial stream', () => {
    const rng = new Rng(3, 'test')
    const rows = sample(rng, 20, 30, rng.nextUint32() & coordMask(30))
    const run = () => algorithm(rows.slice(), 20, 0.5, eliminate(rows, 20, coordMask(30), newEchelon(20)), eliminate(rows, 20, coordMask(19), newEchelon(20)))
    expect(run()).toEqual(run())
  })

  it('randomises the free variables when unbiased (free variables = 0 would itself learn F_s: the pitfall)', () => {
    const rng = new Rng(4, 'test')
    const d = 30
    const s = 19
    const m = 20
    let learnedRandom = 0
    let learnedZero = 0
    const trials = 1500
    for (let t = 0; t < trials; t++) {
      const wStar = rng.uniform() < 0.5 ? rng.nextUint32() & coordMask(s) : rng.nextUint32() & coordMask(d)
      const rows = sample(rng, m, d, wStar)
      const full = eliminate(rows, m, coordMask(d), newEchelon(m))
      const restricted = eliminate(rows, m, coordMask(s), newEchelon(m))
      if (algorithm(rows, m, 0, full, restricted).w === wStar) learnedRandom++
      if (solution(full, 0) === wStar) learnedZero++
    }
    expect(learnedRandom / trials).toBeLessThan(0.005)
    expect(learnedZero / trials).toBeGreaterThan(0.3)
  })

  it('rejects d > 31 and s > d', () => {
    expect(() => resolveStudyParams(study, { d: 32 })).toThrow()
    expect(() => resolveStudyParams(study, { d: 10, s: 12 })).toThrow(/s \(12\) must be ≤ d/)
  })
})

describe('runs', () => {
  it('are bit-identical for the same seed, with pinned golden values (rel. 1e-12)', async () => {
    const a = await runLocal(study, { s: 19, q: 1, trials: 400 }, 0)
    const b = await runLocal(study, { s: 19, q: 1, trials: 400 }, 0)
    expect(a.status).toBe('done')
    for (const name of ['p0', 'inestimability', 'learnabilityFs']) {
      expect(Buffer.from(a.columns[name].buffer).equals(Buffer.from(b.columns[name].buffer)), name).toBe(true)
    }
    const golden = { inestimability: 0.2517467447916671, pL0Mix: 0.36, learnabilityFs: 0.7384615384615385 }
    for (const [k, v] of Object.entries(golden)) expect(Math.abs(a.summary[k] - v) / v, k).toBeLessThan(1e-12)
    expect(a.summary.vc).toBe(1)
    expect(a.summary.occamValidFraction).toBe(1)
  })

  it('couples settings of one seed: the same draws of (w*, S) for every q', async () => {
    const a = await runLocal(study, { s: 19, q: 0, trials: 300 }, 5)
    const b = await runLocal(study, { s: 19, q: 1, trials: 300 }, 5)
    expect(Buffer.from(a.columns.rankX.buffer).equals(Buffer.from(b.columns.rankX.buffer))).toBe(true)
    expect(Buffer.from(a.columns.inFs.buffer).equals(Buffer.from(b.columns.inFs.buffer))).toBe(true)
  })
})
