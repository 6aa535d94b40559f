import { describe, expect, it } from 'vitest'
import { runLocal } from '../../kit/harness'
import { Rng } from '../../numeric/rng'
import exampleCsv from './example-table.csv?raw'
import { fitLaws, groupPairs, lawGap, nearestRun, plateauWidths, quadraticFit, regressionData, selectRuns, solveSmall } from './fit'
import { calculator, meanLaw, optimalBatchTokens, optimalLr, parseParameterTable, type PowerLaw, PUBLISHED } from './law'
import study, { agreesToDigits, parseContours } from './study'
import { exampleTableCsv, type GridRun, nonEmbeddingParams, parseTable, syntheticTable, toCsv } from './table'

const ID = 'step-law-hparam-scaling'
const lawLr = (N: number, D: number) => optimalLr(PUBLISHED, N, D)
const lawBs = (D: number) => optimalBatchTokens(PUBLISHED, D)

describe(`${ID}: the law and the calculator`, () => {
  it('evaluates η* = 1.79·N^−0.713·D^0.307 and B* = 0.58·D^0.571 tokens (1e-12)', () => {
    const c = calculator(PUBLISHED, 7e9, 1.4e12, 2048)
    expect(c.lr).toBeCloseTo(1.79 * 7e9 ** -0.713 * 1.4e12 ** 0.307, 15)
    expect(Math.abs(c.bsTokens / (0.58 * 1.4e12 ** 0.571) - 1)).toBeLessThan(1e-12)
    // B is in tokens: in sequences it is B*/seq_len, a factor seq_len apart (pitfall)
    expect(c.bsSequences * 2048).toBeCloseTo(c.bsTokens, 6)
    expect(study.derived!({ N: 7e9, D: 1.4e12, seqLen: 4096 } as never)['B* (sequences)']).toBeCloseTo(c.bsTokens / 4096, 6)
  })

  it('N excludes embeddings: numl·(4h² + 3h·ffnh) gives 214 663 680 for h = 960, ffnh = 9368, numl = 7', () => {
    expect(nonEmbeddingParams(960, 9368, 7)).toBe(214663680)
    // counting embeddings (say +50M for a 32k vocabulary) would move η* by (N_incl/N)^0.713
    const ratio = optimalLr(PUBLISHED, 214663680 + 5e7, 1e10) / optimalLr(PUBLISHED, 214663680, 1e10)
    expect(ratio).toBeCloseTo(((214663680 + 5e7) / 214663680) ** -0.713, 12)
  })

  it('agreement to the digits shown is within one unit of the last digit', () => {
    expect(agreesToDigits(9.1655691e-4, 9.166e-4, 4).ok).toBe(true)
    expect(agreesToDigits(1.6324994e-3, 1.633e-3, 4).ok).toBe(true) // 1.79·10^−3.04 = 1.63250e-3
    expect(agreesToDigits(1.6318e-3, 1.633e-3, 4).ok).toBe(false)
  })

  it('reads the bootstrap parameter table and reports the mean model and the spread', async () => {
    const rows = ['lr_intercept,lr_coefN,lr_coefD,bs_intercept,bs_coefD']
    const rng = new Rng(1)
    const laws: PowerLaw[] = []
    for (let k = 0; k < 50; k++) {
      const l = { lrIntercept: 0.5863 + 0.1 * rng.normal(), lrCoefN: -0.7129 + 0.01 * rng.normal(), lrCoefD: 0.3075, bsIntercept: -0.5435, bsCoefD: 0.5709 }
      laws.push(l)
      rows.push([l.lrIntercept, l.lrCoefN, l.lrCoefD, l.bsIntercept, l.bsCoefD].join(','))
    }
    const parsed = parseParameterTable(rows.join('\n'))
    expect(parsed).toHaveLength(50)
    const r = await runLocal(study, { view: 'calculator', parameterTable: rows.join('\n') }, 0)
    expect(r.status).toBe('done')
    expect(r.summary.parameterRows).toBe(50)
    expect(r.summary.calcLrMeanModel).toBeCloseTo(optimalLr(meanLaw(laws), 7e9, 1.4e12), 15)
    expect(r.summary.calcLrQ025).toBeLessThan(r.summary.calcLrMeanModel)
    expect(r.summary.calcLrQ975).toBeGreaterThan(r.summary.calcLrMeanModel)
    expect(() => parseParameterTable('a,b\n1,2')).toThrow(/missing column/)
  })
})

describe(`${ID}: table import`, () => {
  it('parses the released dense format (h, ffnh, numh, numl, lr, bs, ti, loss, smooth loss, D, N), preferring smooth loss', () => {
    const text = [
      ',h,ffnh,numh,numl,lr,bs,ti,loss,smooth loss,D,N',
      '0,960,9368,15,7,0.000976,128,1000,2.61,2.60,4e9,214663680',
      '1,960,9368,15,7,"0.00138",256,1000,2.63,2.59,4e9,214663680',
    ].join('\n')
    const t = parseTable(text, 2048)
    expect(t.lossColumn).toBe('smooth loss')
    expect(t.runs).toHaveLength(2)
    expect(t.runs[1]).toMatchObject({ lr: 0.00138, bs: 256, loss: 2.59, D: 4e9, N: 214663680, seqLen: 2048 })
  })

  it('computes N from h, ffnh, numl when N is absent, reads tabs, seq_len and Na, and names bad cells', () => {
    const t = parseTable('h\tffnh\tnuml\tlr\tbs\tloss\tD\tseq_len\tNa\n960\t9368\t7\t0.001\t64\t2.5\t1e10\t4096\t1e8\n', 2048)
    expect(t.runs[0]).toMatchObject({ N: 214663680, seqLen: 4096, Na: 1e8, loss: 2.5 })
    expect(t.lossColumn).toBe('loss')
    expect(() => parseTable('lr,bs,loss,D\n0.001,64,2.5,1e10', 2048)).toThrow(/missing column\(s\) N/)
    expect(() => parseTable('N,D,lr,bs,loss\n1e8,1e10,abc,64,2.5', 2048)).toThrow(/line 2: lr = "abc"/)
    expect(() => parseTable('N,D,lr,bs,loss\n1e8,1e10,-1,64,2.5', 2048)).toThrow(/must be positive/)
  })

  it('round-trips the synthetic table through CSV exactly', () => {
    const runs = syntheticTable({ noise: 2e-4, Ns: [1e8, 4e8], Ds: [2e10] }, new Rng(3, 'data'), lawLr, lawBs)
    expect(parseTable(toCsv(runs), 2048).runs).toEqual(runs)
  })

  it('ships example-table.csv exactly as the generator writes it (no authors\' data)', async () => {
    expect(exampleCsv).toBe(exampleTableCsv(Rng.stream(0, 'example'), lawLr, lawBs))
    const r = await runLocal(study, { table: exampleCsv, bootstrap: 50 }, 0)
    expect(r.status).toBe('done')
    expect(r.summary.importedTable).toBe(1)
    expect(r.summary.pairs).toBe(4)
    expect(r.claims.map((c) => c.id)).toEqual(['law-on-plateau'])
  })
})

describe(`${ID}: fitting procedure`, () => {
  const exact = (law: PowerLaw): GridRun[] => {
    // one run per (N, D) exactly at the law, plus off-optimum runs with higher loss
    const runs: GridRun[] = []
    for (const N of [1e8, 3e8, 1e9])
      for (const D of [1e10, 1e11]) {
        const lr = optimalLr(law, N, D)
        const bs = optimalBatchTokens(law, D) / 2048
        runs.push({ N, D, lr, bs, seqLen: 2048, loss: 2, Na: NaN })
        runs.push({ N, D, lr: lr * 4, bs, seqLen: 2048, loss: 2.1, Na: NaN })
      }
    return runs
  }

  it('OLS of log lr on [1, log N, log D] and of log(bs·seq_len) on [1, log D] recovers an exact law (1e-10)', () => {
    const law: PowerLaw = { lrIntercept: 0.3, lrCoefN: -0.8, lrCoefD: 0.25, bsIntercept: -1, bsCoefD: 0.6 }
    const fit = fitLaws(regressionData(selectRuns(groupPairs(exact(law), false), 'argmin', 0)), null)
    for (const k of Object.keys(law) as (keyof PowerLaw)[]) expect(Math.abs(fit[k] - law[k])).toBeLessThan(1e-10)
  })

  it('keeps runs with |L/L_best − 1| < threshold (strict), always the best, and one run per pair in argmin mode', () => {
    const mk = (loss: number): GridRun => ({ N: 1e8, D: 1e10, lr: 1e-3 * loss, bs: 64, seqLen: 2048, loss, Na: NaN })
    const pairs = groupPairs([mk(2), mk(2.0051), mk(2.0049), mk(2.01)], false)
    expect(selectRuns(pairs, 'threshold', 0.0025).map((s) => s.run.loss)).toEqual([2, 2.0049])
    expect(selectRuns(pairs, 'threshold', 0).map((s) => s.run.loss)).toEqual([2])
    expect(selectRuns(pairs, 'argmin', 0.0025).map((s) => s.run.loss)).toEqual([2])
  })

  it('drops singular bootstrap designs (a single N) instead of reporting garbage', async () => {
    const runs = syntheticTable({ noise: 2e-4, Ns: [4e8], Ds: [2e9, 2e10] }, new Rng(1, 'data'), lawLr, lawBs)
    const r = await runLocal(study, { table: toCsv(runs), bootstrap: 20 }, 0)
    expect(r.status).toBe('done')
    expect(r.summary.fitLrN).toBeUndefined()
    expect(r.summary.olsLrN).toBeUndefined()
    expect(r.summary.bootstrapSkipped).toBe(20)
    // the batch-size law only needs D to vary: it is still refitted
    expect(Math.abs(r.summary.fitBsD - 0.57)).toBeLessThan(0.05)
  })

  it('nearest grid point in (log₂ lr, log₂ bs) with equal weights, and the loss gap in %', () => {
    const runs: GridRun[] = [
      { N: 1, D: 1, lr: 2 ** -10, bs: 64, seqLen: 2048, loss: 2.0, Na: NaN },
      { N: 1, D: 1, lr: 2 ** -9, bs: 64, seqLen: 2048, loss: 2.01, Na: NaN },
      { N: 1, D: 1, lr: 2 ** -10, bs: 128, seqLen: 2048, loss: 2.004, Na: NaN },
    ]
    const [pair] = groupPairs(runs, false)
    expect(nearestRun(pair, 2 ** -9.4, 64 * 2048).lr).toBe(2 ** -9)
    expect(nearestRun(pair, 2 ** -9.6, 64 * 2048 * 2 ** 0.5).bs).toBe(64)
    const law: PowerLaw = { lrIntercept: -9 * Math.LN2, lrCoefN: 0, lrCoefD: 0, bsIntercept: Math.log(64 * 2048), bsCoefD: 0 }
    expect(lawGap(pair, law).gapPct).toBeCloseTo(0.5, 10)
  })

  it('the quadratic fit recovers a noise-free bowl: Hessian, minimum and plateau widths (1e-8)', () => {
    const runs = syntheticTable({ noise: 0, Ns: [4e8], Ds: [2e10] }, new Rng(0), lawLr, lawBs)
    const [pair] = groupPairs(runs, false)
    const q = quadraticFit(pair, 0.02)
    const Linf = 1.69 + 406.4 / 4e8 ** 0.34 + 410.7 / 2e10 ** 0.28
    expect(q.positiveDefinite).toBe(true)
    expect(Math.abs(q.H[0] - 0.02 * Linf)).toBeLessThan(1e-8)
    expect(Math.abs(q.H[2] - 0.012 * Linf)).toBeLessThan(1e-8)
    expect(Math.abs(q.minLoss - Linf)).toBeLessThan(1e-8)
    // at the centre of the synthetic range the true optimum is the published law's
    expect(Math.abs(q.minLnLr - Math.log(lawLr(4e8, 2e10)))).toBeLessThan(1e-6)
    const w = plateauWidths(q, 0.0025)
    expect(w.lrOctaves).toBeCloseTo((2 * Math.sqrt((2 * 0.0025) / 0.02)) / Math.LN2, 6)
    expect(w.bsOctaves).toBeCloseTo((2 * Math.sqrt((2 * 0.0025) / 0.012)) / Math.LN2, 6)
  })

  it('solveSmall solves a pivoting-needing system and flags a singular one', () => {
    const x = solveSmall(Float64Array.from([0, 1, 1, 1]), Float64Array.from([2, 3]), 2)!
    expect(Array.from(x)).toEqual([1, 2])
    expect(solveSmall(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 2]), 2)).toBeNull()
  })

  it('parses contour lists and rejects nonsense', () => {
    expect(parseContours('0.25, 0.5 1;2')).toEqual([0.25, 0.5, 1, 2])
    expect(() => parseContours('a, -1')).toThrow(/contours/)
  })
})

describe(`${ID}: runs and the plateau claim on imported tables`, () => {
  it('gives bit-identical results for the same seed and pins golden values (synthetic, seed 0)', async () => {
    const a = await runLocal(study, { view: 'bootstrap', bootstrap: 200 }, 0)
    const b = await runLocal(study, { view: 'bootstrap', bootstrap: 200 }, 0)
    expect(Buffer.from(a.columns.bootLrN.buffer).equals(Buffer.from(b.columns.bootLrN.buffer))).toBe(true)
    expect(a.summary.olsLrN).toBeCloseTo(GOLDEN.olsLrN, 12)
    expect(a.summary.olsBsD).toBeCloseTo(GOLDEN.olsBsD, 12)
    expect(a.summary.fitLrD).toBeCloseTo(GOLDEN.fitLrD, 12)
  })

  it('the plateau claim passes when the table\'s optimum follows the law, fails when it sits 2 octaves off', async () => {
    const on = syntheticTable({ noise: 2e-4 }, new Rng(5, 'data'), lawLr, lawBs)
    const off = syntheticTable({ noise: 2e-4, lrShift: 4 }, new Rng(5, 'data'), lawLr, lawBs)
    const rOn = await runLocal(study, { table: toCsv(on), bootstrap: 20 }, 0)
    const rOff = await runLocal(study, { table: toCsv(off), bootstrap: 20 }, 0)
    const cOn = rOn.claims.find((c) => c.id === 'law-on-plateau')!
    const cOff = rOff.claims.find((c) => c.id === 'law-on-plateau')!
    expect(cOn.passed).toBe(true)
    expect(cOff.passed).toBe(false)
    expect(cOff.measured).toMatch(/largest gap/)
    // the synthetic default does not evaluate it
    const rDefault = await runLocal(study, { bootstrap: 20 }, 0)
    expect(rDefault.claims).toEqual([])
  })

  it('MoE: with active Na the law reads Na; validation asks for an Na column', async () => {
    const r = await runLocal(study, { syntheticKind: 'moe', moeParams: 'active', bootstrap: 20 }, 0)
    const t = await runLocal(study, { syntheticKind: 'moe', moeParams: 'total', bootstrap: 20 }, 0)
    expect(r.summary.pairs).toBe(16)
    // total N is the same for every configuration: the lr refit is singular and reports no regret
    expect(t.summary.maxGapThreshold).toBeUndefined()
    expect(r.summary.medianGapPublished).toBeGreaterThan(t.summary.medianGapPublished)
    await expect(runLocal(study, { table: exampleCsv, moeParams: 'active' }, 0)).rejects.toThrow(/Na column/)
  })

  it('landscape view: one row per lr, gaps per batch size capped at 5%, events at the Step-Law point and argmin', async () => {
    const r = await runLocal(study, { view: 'landscape', pair: 7, bootstrap: 20 }, 0)
    expect(r.status).toBe('done')
    expect(r.columns.log2lr.length).toBe(17)
    let min = Infinity
    for (let j = 0; j < 15; j++) for (const v of r.columns[`gapByBs[${j}]`]) {
      expect(v).toBeLessThanOrEqual(5)
      min = Math.min(min, v)
    }
    expect(min).toBe(0)
    expect(r.events.map((e) => e.name).sort()).toEqual(['argmin', 'quadratic-minimum', 'step-law'])
    expect(r.columns.log2lr[0]).toBe(-13.5)
    await expect(runLocal(study, { view: 'landscape', pair: 99, bootstrap: 5 }, 0)).rejects.toThrow(/15 \(N, D\) pairs/)
  })
})

const GOLDEN = { olsLrN: -0.6954495346496802, olsBsD: 0.586803357247874, fitLrD: 0.2989892757122669 }
