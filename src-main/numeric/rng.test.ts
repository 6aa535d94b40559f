import { describe, expect, it } from 'vitest'
import { Rng } from './rng'

describe('Rng determinism', () => {
  it('pins golden draws (studies depend on these exact values: a change here is a breaking change)', () => {
    const r = new Rng(42)
    expect([r.nextUint32(), r.nextUint32(), r.uniform(), r.normal(), r.int(10)]).toEqual([
      2851827535, 4006189811, 0.8160315482388771, -0.49105219510657294, 6,
    ])
    const s = Rng.stream(7, 'data')
    expect([s.uniform(), s.normal()]).toEqual([0.13801935984331892, -0.3135150523791294])
  })
  it('the same seed and stream name give the same sequence; the empty name is the plain seed', () => {
    const a = Rng.stream(123, 'init').gaussianMatrix(4, 4)
    const b = Rng.stream(123, 'init').gaussianMatrix(4, 4)
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(new Rng(5).uniform()).toBe(Rng.stream(5, '').uniform())
  })
  it('accepts negative and large safe-integer seeds, rejects others', () => {
    expect(new Rng(-1).uniform()).not.toBe(new Rng(1).uniform())
    expect(new Rng(2 ** 40).uniform()).not.toBe(new Rng(0).uniform())
    expect(() => new Rng(0.5)).toThrow(/safe integer/)
    expect(() => new Rng(2 ** 60)).toThrow(/safe integer/)
  })
})

/** Sample correlation of two equal-length sequences. */
function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i] / n
    my += y[i] / n
  }
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) ** 2
    syy += (y[i] - my) ** 2
  }
  return sxy / Math.sqrt(sxx * syy)
}

describe('stream independence', () => {
  it('streams differing in name or seed are uncorrelated (|r| < 5/√n for n = 20000)', () => {
    const n = 20000
    const base = Rng.stream(1, 'data').fillNormal(new Float64Array(n))
    const others = [Rng.stream(1, 'init'), Rng.stream(2, 'data'), Rng.stream(1, 'data2'), Rng.stream(0x100000001, 'data')]
    for (const r of others) expect(Math.abs(correlation(base, r.fillNormal(new Float64Array(n))))).toBeLessThan(5 / Math.sqrt(n))
  })
  it('drawing more from one stream never shifts another', () => {
    const a1 = Rng.stream(9, 'a')
    const b1 = Rng.stream(9, 'b')
    a1.uniform()
    const first = b1.uniform()
    const a2 = Rng.stream(9, 'a')
    for (let i = 0; i < 100; i++) a2.normal()
    expect(Rng.stream(9, 'b').uniform()).toBe(first)
  })
})

describe('distributions (moment checks at 5 standard errors, n = 200000)', () => {
  const n = 200000
  it('uniform on [0, 1): mean 1/2, variance 1/12, range', () => {
    const r = Rng.stream(11, 'uniform')
    let s = 0
    let s2 = 0
    let lo = 1
    let hi = 0
    for (let i = 0; i < n; i++) {
      const u = r.uniform()
      s += u
      s2 += u * u
      lo = Math.min(lo, u)
      hi = Math.max(hi, u)
    }
    const m = s / n
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n))
    expect(Math.abs(s2 / n - m * m - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n))
    expect(lo).toBeGreaterThanOrEqual(0)
    expect(hi).toBeLessThan(1)
  })
  it('normal: mean 0, variance 1, third moment 0, fourth moment 3', () => {
    const x = Rng.stream(12, 'normal').fillNormal(new Float64Array(n))
    let m1 = 0
    let m2 = 0
    let m3 = 0
    let m4 = 0
    for (const v of x) {
      m1 += v / n
      m2 += (v * v) / n
      m3 += (v * v * v) / n
      m4 += (v * v * v * v) / n
    }
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n))
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n))
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / n))
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n))
    const y = Rng.stream(12, 'scaled').fillNormal(new Float64Array(1000), 3, 0.001)
    for (const v of y) expect(Math.abs(v - 3)).toBeLessThan(0.01)
  })
  it('bernoulli(p) hits rate p; int(n) is uniform (chi-square, 9 dof, below the 0.1% point 27.9)', () => {
    const r = Rng.stream(13, 'discrete')
    let hits = 0
    for (let i = 0; i < n; i++) if (r.bernoulli(0.3)) hits++
    expect(Math.abs(hits / n - 0.3)).toBeLessThan(5 * Math.sqrt(0.21 / n))
    const counts = new Float64Array(10)
    for (let i = 0; i < n; i++) counts[r.int(10)]++
    let chi2 = 0
    for (const c of counts) chi2 += (c - n / 10) ** 2 / (n / 10)
    expect(chi2).toBeLessThan(27.9)
    expect(() => r.int(0)).toThrow(RangeError)
  })
  it('choice follows its weights; permutation is a permutation with uniform first entry', () => {
    const r = Rng.stream(14, 'choice')
    const counts = [0, 0, 0]
    const m = 60000
    for (let i = 0; i < m; i++) counts[r.choice([1, 2, 3])]++
    counts.forEach((c, k) => expect(Math.abs(c / m - (k + 1) / 6)).toBeLessThan(5 * Math.sqrt(0.25 / m)))
    expect(() => r.choice([0, 0])).toThrow(/positive sum/)
    const p = r.permutation(50)
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    const first = new Float64Array(5)
    for (let i = 0; i < 50000; i++) first[r.permutation(5)[0]]++
    for (const c of first) expect(Math.abs(c / 50000 - 0.2)).toBeLessThan(5 * Math.sqrt(0.16 / 50000))
  })
  it('gaussianMatrix has the requested shape and scale', () => {
    const G = Rng.stream(15, 'matrix').gaussianMatrix(300, 200, 2)
    expect(G.length).toBe(60000)
    let s2 = 0
    for (const v of G) s2 += v * v
    expect(Math.abs(s2 / G.length - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / G.length))
  })
})

/**
 * The generator as first written (state in four number fields, one xoshiro128** step per
 * nextUint32 call, uniform from two calls, normal() one polar pair at a time, fillNormal one
 * normal() per entry): the reference that rng.ts's fast paths (state in an Int32Array, the polar
 * loop with the state in locals writing pairs straight into the output) must match bit for bit.
 */
class ReferenceRng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spareNormal = 0
  private hasSpare = false

  constructor(seed: number, streamName = '') {
    const hashName = (name: string) => {
      let h = 0x811c9dc5
      for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193)
      return h >>> 0
    }
    const splitmix32 = (state: { s: number }) => {
      state.s = (state.s + 0x9e3779b9) | 0
      let z = state.s
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
      return (z ^ (z >>> 16)) >>> 0
    }
    const lo = seed >>> 0
    const hi = Math.floor(seed / 0x100000000) >>> 0
    const st = { s: (lo ^ Math.imul(hi, 0x9e3779b1) ^ hashName(streamName)) | 0 }
    splitmix32(st)
    st.s = (st.s ^ hashName(`#${streamName}#${hi}`)) | 0
    this.s0 = splitmix32(st)
    this.s1 = splitmix32(st)
    this.s2 = splitmix32(st)
    this.s3 = splitmix32(st)
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  nextUint32(): number {
    const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k))
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0
    const t = this.s1 << 9
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 11)
    return result
  }

  uniform(): number {
    const a = this.nextUint32() >>> 5
    const b = this.nextUint32() >>> 6
    return (a * 67108864 + b) / 9007199254740992
  }

  normal(): number {
    if (this.hasSpare) {
      this.hasSpare = false
      return this.spareNormal
    }
    let u: number, v: number, s: number
    do {
      u = 2 * this.uniform() - 1
      v = 2 * this.uniform() - 1
      s = u * u + v * v
    } while (s >= 1 || s === 0)
    const f = Math.sqrt((-2 * Math.log(s)) / s)
    this.spareNormal = v * f
    this.hasSpare = true
    return u * f
  }

  int(n: number): number {
    const limit = 0x100000000 - (0x100000000 % n)
    let x: number
    do x = this.nextUint32()
    while (x >= limit)
    return x % n
  }

  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal()
    return out
  }
}

/** Element-by-element identity of the bits (Object.is tells −0 from +0). */
function expectSameBits(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length)
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got[i], want[i])) expect(`${what}[${i}] = ${got[i]}`).toBe(`${what}[${i}] = ${want[i]}`)
  }
}

/** FNV-1a-style hash over the 32-bit words of a Float64Array's bytes, as 8 hex digits. */
function hashBits(x: Float64Array): string {
  const w = new Uint32Array(x.buffer, x.byteOffset, x.length * 2)
  let h = 0x811c9dc5
  for (let i = 0; i < w.length; i++) {
    h = Math.imul(h ^ w[i], 0x01000193)
    h ^= h >>> 15
  }
  return (h >>> 0).toString(16).padStart(8, '0')
}

describe('fast paths are bit-identical to the reference generator', () => {
  const seeds: [number, string][] = [
    [0, ''],
    [42, ''],
    [-7, 'data'],
    [2 ** 40 + 3, 'init'],
    [123456789, 'teacher'],
  ]

  it('long runs of each draw, from fresh generators', () => {
    for (const [seed, name] of seeds) {
      const n = 20001
      const r = new Rng(seed, name)
      const ref = new ReferenceRng(seed, name)
      expectSameBits(r.fillNormal(new Float64Array(n)), ref.fillNormal(new Float64Array(n)), `fillNormal ${seed}`)
      const got = new Float64Array(3 * n)
      const want = new Float64Array(3 * n)
      for (let i = 0; i < n; i++) {
        got[3 * i] = r.normal()
        got[3 * i + 1] = r.uniform()
        got[3 * i + 2] = r.nextUint32()
        want[3 * i] = ref.normal()
        want[3 * i + 1] = ref.uniform()
        want[3 * i + 2] = ref.nextUint32()
      }
      expectSameBits(got, want, `normal/uniform/nextUint32 ${seed}`)
    }
  })

  it('every interleaving of scalar draws, fillNormal (odd and even lengths, mean/std) and gaussianMatrix', () => {
    for (const [seed, name] of seeds) {
      const r = new Rng(seed, name)
      const ref = new ReferenceRng(seed, name)
      // The script of operations comes from its own stream, so that it is the same for both.
      const script = Rng.stream(seed, `${name}/script`)
      const got: number[] = []
      const want: number[] = []
      for (let step = 0; step < 3000; step++) {
        const op = script.int(9)
        if (op === 0) {
          got.push(r.normal())
          want.push(ref.normal())
        } else if (op === 1) {
          got.push(r.uniform())
          want.push(ref.uniform())
        } else if (op === 2) {
          got.push(r.nextUint32())
          want.push(ref.nextUint32())
        } else if (op === 3) {
          got.push(r.int(7))
          want.push(ref.int(7))
        } else if (op === 4 || op === 5) {
          const len = script.int(12) // 0 … 11: empty, odd and even, with and without a spare
          got.push(...r.fillNormal(new Float64Array(len)))
          want.push(...ref.fillNormal(new Float64Array(len)))
        } else if (op === 6) {
          const len = script.int(40)
          const mean = script.uniform() * 4 - 2
          const std = script.uniform() * 3
          got.push(...r.fillNormal(new Float64Array(len), mean, std))
          want.push(...ref.fillNormal(new Float64Array(len), mean, std))
        } else if (op === 7) {
          const rows = 1 + script.int(6)
          const cols = 1 + script.int(7)
          const std = script.bernoulli(0.5) ? 1 : 0.25
          got.push(...r.gaussianMatrix(rows, cols, std))
          want.push(...ref.fillNormal(new Float64Array(rows * cols), 0, std))
        } else {
          // a normal() that leaves a spare, then a fillNormal that must start from it
          got.push(r.normal(), ...r.fillNormal(new Float64Array(5), 1, 2))
          want.push(ref.normal(), ...ref.fillNormal(new Float64Array(5), 1, 2))
        }
      }
      expectSameBits(got, want, `script ${seed} ${name}`)
    }
  })

  it('a fillNormal into a subarray writes only its own entries', () => {
    const buf = new Float64Array(11).fill(9)
    new Rng(3).fillNormal(buf.subarray(2, 9))
    expect([buf[0], buf[1], buf[9], buf[10]]).toEqual([9, 9, 9, 9])
    expectSameBits(buf.subarray(2, 9), new ReferenceRng(3).fillNormal(new Float64Array(7)), 'subarray')
  })

  it('pins hashes of 10⁶ normals, 10⁶ uniforms, 10⁶ words and a 999×1001 Gaussian matrix', () => {
    const r = Rng.stream(2026, 'pin')
    const a = r.fillNormal(new Float64Array(1_000_000))
    const u = new Float64Array(1_000_000)
    for (let i = 0; i < u.length; i++) u[i] = r.uniform()
    const w = new Float64Array(1_000_000)
    for (let i = 0; i < w.length; i++) w[i] = r.nextUint32()
    const g = r.gaussianMatrix(999, 1001, 0.5)
    // Computed with the generator as first written (ReferenceRng above).
    expect([hashBits(a), hashBits(u), hashBits(w), hashBits(g)]).toEqual(['4be14fbb', 'dde6b55c', '66dd16d0', '8b025fa7'])
    expect([r.normal(), r.uniform()]).toEqual([-1.4982524092219593, 0.9103970329614762])
  })
})
