/**
 * Seeded randomness: xoshiro128** (Blackman & Vigna, 2018) on 32-bit words, which V8 runs
 * without BigInt, seeded through SplitMix32. Doubles carry 53 random bits (two outputs).
 *
 * Independent named streams: `Rng.stream(seed, name)` hashes (seed, name) into the state, so
 * the data of a problem and its initialisation come from separate streams and adding a draw to
 * one never shifts the draws of another.
 */

/** FNV-1a over the UTF-16 code units of a string: a stable 32-bit hash for stream names. */
function hashName(name: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** SplitMix32 finaliser: turns a counter into a well-mixed 32-bit word. */
function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0
  let z = state.s
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

export class Rng {
  private s0: number
  private s1: number
  private s2: number
  private s3: number
  private spareNormal = 0
  private hasSpare = false

  /** A generator for an integer seed (any safe integer, negative allowed). */
  constructor(seed: number, streamName = '') {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`)
    const lo = seed >>> 0
    const hi = Math.floor(seed / 0x100000000) >>> 0
    const st = { s: (lo ^ Math.imul(hi, 0x9e3779b1) ^ hashName(streamName)) | 0 }
    // Mix the stream name in twice so that streams differing only in name are decorrelated.
    splitmix32(st)
    st.s = (st.s ^ hashName(`#${streamName}#${hi}`)) | 0
    this.s0 = splitmix32(st)
    this.s1 = splitmix32(st)
    this.s2 = splitmix32(st)
    this.s3 = splitmix32(st)
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1
  }

  /** An independent stream for `name`, derived from `seed` alone. */
  static stream(seed: number, name: string): Rng {
    return new Rng(seed, name)
  }

  /** The next 32 random bits as an unsigned integer (xoshiro128** step). */
  nextUint32(): number {
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

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5 // 27 bits
    const b = this.nextUint32() >>> 6 // 26 bits
    return (a * 67108864 + b) / 9007199254740992
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform()
  }

  /** Standard normal by the Marsaglia polar method (pairs cached: both draws are used). */
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

  /** Bernoulli(p): true with probability p. */
  bernoulli(p: number): boolean {
    return this.uniform() < p
  }

  /** Uniform integer in [0, n), without modulo bias (rejection). */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 0x100000000) throw new RangeError(`int(n) needs 1 ≤ n ≤ 2^32, got ${n}`)
    const limit = 0x100000000 - (0x100000000 % n)
    let x: number
    do x = this.nextUint32()
    while (x >= limit)
    return x % n
  }

  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n)
    for (let i = 0; i < n; i++) p[i] = i
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1)
      const t = p[i]
      p[i] = p[j]
      p[j] = t
    }
    return p
  }

  /** An index drawn with probabilities proportional to `weights` (non-negative, not all zero). */
  choice(weights: ArrayLike<number>): number {
    let total = 0
    for (let i = 0; i < weights.length; i++) total += weights[i]
    if (!(total > 0)) throw new RangeError('choice needs non-negative weights with a positive sum')
    let u = this.uniform() * total
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]
      if (u < 0) return i
    }
    return weights.length - 1
  }

  /** Fill `out` with i.i.d. N(mean, std²) draws. */
  fillNormal(out: Float64Array, mean = 0, std = 1): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal()
    return out
  }

  /** A rows×cols row-major matrix of i.i.d. N(0, std²) entries. */
  gaussianMatrix(rows: number, cols: number, std = 1): Float64Array {
    return this.fillNormal(new Float64Array(rows * cols), 0, std)
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k))
}
