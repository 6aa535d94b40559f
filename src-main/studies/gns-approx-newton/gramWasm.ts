/**
 * The softmax Hessian's Gram product H = WᵀA (W, A stored k×n, row-major) in WebAssembly SIMD128,
 * with both operands kept in the module's own memory: A (the shifted data rows, plus the gradient
 * row of the exact Hessian) is copied in once per objective, W (the π-scaled rows) is written in
 * place each call, so no operand is packed or copied per product, and only the upper triangle is
 * computed (in 4×4 blocks, the diagonal blocks whole).
 *
 * Each entry is Σ_p W[p, i]·A[p, j] summed from 0 in increasing p, one IEEE multiply and one add
 * per term (wasm SIMD has no fused multiply-add): the same operations in the same order as the
 * numeric core's packed gemm (one panel while k ≤ 256), so the result is the same to the bit, and
 * the caller falls back to that gemm where WebAssembly SIMD is unavailable.
 *
 * The module is emitted byte by byte here (WebAssembly Core Specification 2.0, §5 binary format,
 * and the SIMD opcode table), as the numeric core's gemm kernel is: no compiled artefact.
 */

function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

const section = (id: number, body: number[]) => [id, ...uleb(body.length), ...body]
const name = (s: string) => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]

const I32 = 0x7f
const V128 = 0x7b
const BLOCK = [0x02, 0x40]
const LOOP = [0x03, 0x40]
const END = 0x0b
const get = (i: number) => [0x20, i]
const set = (i: number) => [0x21, i]
const i32 = (v: number) => [0x41, ...uleb(v)] // non-negative constants below 64 only
const [ADD, SUB, MUL, SHL, GE_U, EQZ] = [0x6a, 0x6b, 0x6c, 0x74, 0x4f, 0x45]
const brIf = (depth: number) => [0x0d, depth]
const br = (depth: number) => [0x0c, depth]
const v128Load = (offset: number) => [0xfd, 0x00, 3, offset]
const v128Store = (offset: number) => [0xfd, 0x0b, 3, offset]
const load64Splat = (offset: number) => [0xfd, 0x0a, 3, offset]
const v128Zero = [0xfd, 0x0c, ...new Array<number>(16).fill(0)]
const F64X2_ADD = [0xfd, 0xf0, 0x01]
const F64X2_MUL = [0xfd, 0xf2, 0x01]

/**
 * gram(w, a, c, k, nb): for 4×4 blocks (ib ≤ jb < nb) of C (row stride 4·nb doubles),
 * C[4ib + r][4jb + h] = Σ_{p<k} W[p][4ib + r]·A[p][4jb + h], W and A with the same row stride;
 * w, a, c are byte addresses.
 */
function gramBody(): number[] {
  const [W, A, C, K, NB] = [0, 1, 2, 3, 4]
  const [IB, JB, P, WP, AP, ROWB, CP] = [5, 6, 7, 8, 9, 10, 11]
  const ACC = 12 // ACC … ACC + 7: the 4×4 block as eight f64x2 (row r, half h at ACC + 2r + h)
  const [A0, A1, S] = [20, 21, 22]
  const code: number[] = []
  const emit = (...parts: number[][]) => {
    for (const part of parts) code.push(...part)
  }
  emit(get(NB), i32(5), [SHL], set(ROWB))
  emit(i32(0), set(IB))
  emit(BLOCK, LOOP)
  emit(get(IB), get(NB), [GE_U], brIf(1))
  emit(get(IB), set(JB))
  emit(BLOCK, LOOP)
  emit(get(JB), get(NB), [GE_U], brIf(1))
  for (let q = 0; q < 8; q++) emit(v128Zero, set(ACC + q))
  emit(get(W), get(IB), i32(5), [SHL, ADD], set(WP))
  emit(get(A), get(JB), i32(5), [SHL, ADD], set(AP))
  emit(get(K), set(P))
  emit(BLOCK, LOOP)
  emit(get(P), [EQZ], brIf(1))
  emit(get(AP), v128Load(0), set(A0), get(AP), v128Load(16), set(A1))
  for (let r = 0; r < 4; r++) {
    emit(get(WP), load64Splat(8 * r), set(S))
    emit(get(ACC + 2 * r), get(S), get(A0), F64X2_MUL, F64X2_ADD, set(ACC + 2 * r))
    emit(get(ACC + 2 * r + 1), get(S), get(A1), F64X2_MUL, F64X2_ADD, set(ACC + 2 * r + 1))
  }
  emit(get(WP), get(ROWB), [ADD], set(WP))
  emit(get(AP), get(ROWB), [ADD], set(AP))
  emit(get(P), i32(1), [SUB], set(P))
  emit(br(0), [END, END])
  // cp = c + 4·ib·rowBytes + 32·jb
  emit(get(C), get(JB), i32(5), [SHL, ADD], set(CP))
  emit(get(CP), get(IB), get(ROWB), [MUL], i32(2), [SHL, ADD], set(CP))
  for (let r = 0; r < 4; r++) {
    emit(get(CP), get(ACC + 2 * r), v128Store(0), get(CP), get(ACC + 2 * r + 1), v128Store(16))
    emit(get(CP), get(ROWB), [ADD], set(CP))
  }
  emit(get(JB), i32(1), [ADD], set(JB))
  emit(br(0), [END, END])
  emit(get(IB), i32(1), [ADD], set(IB))
  emit(br(0), [END, END])
  emit([END])
  const locals = [...uleb(2), ...uleb(7), I32, ...uleb(11), V128]
  return [...locals, ...code]
}

function moduleBytes(): Uint8Array {
  const type = section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0])
  const imports = section(2, [1, ...name('e'), ...name('m'), 0x02, 0x00, 1])
  const func = section(3, [1, 0])
  const exports = section(7, [1, ...name('gram'), 0x00, 0])
  const body = gramBody()
  const code = section(10, [1, ...uleb(body.length), ...body])
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...imports, ...func, ...exports, ...code])
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
  Memory: new (d: { initial: number }) => { buffer: ArrayBuffer }
}

let compiled: object | null | undefined

/** The compiled module, or null where WebAssembly SIMD is unavailable (then the gemm path runs). */
function gramModule(): object | null {
  if (compiled !== undefined) return compiled
  compiled = null
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (!wasm) return null
  try {
    compiled = new wasm.Module(moduleBytes())
  } catch {
    compiled = null
  }
  return compiled
}

/** Off switch for tests: the gemm path instead (the same bits). */
let enabled = true
export function setGramWasmEnabled(on: boolean): void {
  enabled = on
}

export class WasmGram {
  /** row stride (n rounded up to a multiple of 4; the padding columns stay zero) */
  readonly stride: number
  /** W and A (k × stride each) and C (stride × stride) as views of the module's memory */
  readonly W: Float64Array
  readonly A: Float64Array
  private readonly C: Float64Array
  private readonly gram: (w: number, a: number, c: number, k: number, nb: number) => void

  /** A kernel for products with up to k rows and n columns, or null where wasm is unavailable or off. */
  static create(k: number, n: number): WasmGram | null {
    const mod = enabled ? gramModule() : null
    if (!mod) return null
    return new WasmGram(mod, k, n)
  }

  private constructor(
    mod: object,
    readonly k: number,
    readonly n: number,
  ) {
    const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly
    const stride = 4 * Math.ceil(n / 4)
    this.stride = stride
    const doubles = 2 * k * stride + stride * stride
    const memory = new wasm.Memory({ initial: Math.max(1, Math.ceil((doubles * 8) / 65536)) })
    const inst = new wasm.Instance(mod, { e: { m: memory } })
    this.gram = inst.exports.gram as WasmGram['gram']
    this.W = new Float64Array(memory.buffer, 0, k * stride)
    this.A = new Float64Array(memory.buffer, k * stride * 8, k * stride)
    this.C = new Float64Array(memory.buffer, 2 * k * stride * 8, stride * stride)
  }

  /** The upper triangle of H (n×n) ← WᵀA over the first `rows` rows of W and A; the strict lower triangle is not written. */
  upper(rows: number, H: Float64Array): void {
    const { n, stride, C } = this
    this.gram(0, this.k * stride * 8, 2 * this.k * stride * 8, rows, stride / 4)
    for (let i = 0; i < n; i++) H.set(C.subarray(i * stride + i, i * stride + n), i * n + i)
  }
}
