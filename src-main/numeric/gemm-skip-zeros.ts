/**
 * `gemmSkipZeros`: the product of `gemmStrided` (C (+)= alpha·op(A)·op(B)) with the same bits,
 * faster when op(A) has many zero entries — a ReLU layer's activations (half of them 0) or a
 * ReLU-masked δ (80–95 % zeros in saf's second hidden layer).
 *
 * Why the bits are the same. `gemmStrided` (its wasm and JavaScript kernels alike) computes each
 * entry of C, panel by panel of depth GEMM_PANEL_DEPTH, as acc = Σ_p (alpha·a_ip)·b_pj summed
 * from +0 in ascending p, then C += acc (or C = acc over a zeroed C). A term with alpha·a_ip = ±0
 * and a finite b_pj is ±0, and adding ±0 leaves acc unchanged: acc starts at +0 and a sum started
 * from +0 is never −0 (x + (±0) = x for x ≠ 0, and +0 + (±0) = +0). So dropping exactly those
 * terms, and keeping the order of the rest, gives every entry of C the same value. The exception
 * is a non-finite b_pj (0·∞ = NaN): whenever op(B) holds an ∞ or NaN the call goes to
 * `gemmStrided` itself. Tests compare the two bit for bit, −0 and NaN included.
 *
 * How. For each row i of op(A) and each panel, one branch-free pass lists the nonzero
 * alpha·a_ip with the byte offset of row p of op(B); then C's row is accumulated 16 columns at a
 * time (eight f64x2 registers, two neighbouring columns per register, as the dense kernel's
 * lanes), one splat and eight loads, multiplies and adds per listed p. op(B) is staged row-major
 * in wasm memory (a transposed op(B) through a wasm transpose). Without WebAssembly SIMD (or
 * with it switched off) the call is `gemmStrided`.
 *
 * numpy has no such product: its matmul does every multiply. The saving is what a sparse
 * operand allows, not a different algorithm: the same sums, minus the additions of zero.
 */
import { gemmStrided } from './dense'
import {
  BLOCK,
  br,
  brIf,
  Code,
  ELSE,
  END,
  F64,
  F64_CONST_0,
  F64_LOAD,
  F64_MUL,
  F64_NE,
  F64_STORE,
  F64X2_ADD,
  F64X2_MUL,
  F64X2_SUB,
  get,
  I32,
  I32_ADD,
  I32_EQZ,
  I32_GE_U,
  I32_GT_U,
  I32_LOAD,
  I32_MUL,
  I32_SHL,
  I32_STORE,
  i32Const,
  IF,
  instantiate,
  LOOP,
  memarg,
  set,
  V128,
  V128_CONST_0,
  V128_LOAD,
  V128_LOAD64_SPLAT,
  V128_STORE,
  extractLane,
  type FuncSpec,
} from './wasm-emit'
import { GEMM_PANEL_DEPTH } from './wasm-simd'

const KC = GEMM_PANEL_DEPTH
/** opcodes the shared table lacks */
const I32_EQ = 0x46
const I32_SUB = 0x6b
const I32_AND = 0x71
const F64_ADD = 0xa0
const F64_EQ = 0x61

/**
 * Narrower products go to `gemmStrided`: measured on saf's 50×64 activations, a 4-column product
 * took 4.3 µs with the list against 1.9 µs dense; at 64 columns 16.6 against 21 µs (58 % zeros).
 */
const SKIP_MIN_COLUMNS = 16

/** Columns per register block of a C row: eight f64x2 accumulators. */
const CHUNK = 16

/**
 * rows(a, ars, acs, b, ldb, c, m, k, val, off, alpha, store): for each row i < m of op(A) (entry
 * p at a + i·ars + p·acs, byte strides) and each panel of depth KC: list the nonzero alpha·a_ip
 * (values at val, byte offsets p·ldb of op(B)'s rows at off), then C[i][·] (row i at c + i·ldb,
 * ldb bytes per row, a multiple of 32) gets acc = Σ_listed (alpha·a_ip)·B[p][·], stored
 * (store ≠ 0, first panel) or added.
 */
function rowsFunc(): FuncSpec {
  const [A, ARS, ACS, B, LDB, C, M, K, VAL, OFF, ALPHA, STORE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
  const [I, P0, PEND, P, AP, VP, OP, VEND, BP, CP, J0, FIRST, CROW, BJ] = [12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25]
  const X = 26
  const ACC = 27
  const AV = ACC + 8
  const { bytes: code, emit } = new Code()

  /** the block of `v` registers (2·v columns) at byte column J0 of row I */
  const chunk = (v: number): void => {
    for (let h = 0; h < v; h++) emit(V128_CONST_0, set(ACC + h))
    emit(get(VAL), set(VP), get(OFF), set(OP), get(B), get(J0), [I32_ADD], set(BJ))
    emit(BLOCK, LOOP)
    emit(get(VP), get(VEND), [I32_GE_U], brIf(1))
    emit(get(VP), V128_LOAD64_SPLAT, memarg(0), set(AV))
    emit(get(BJ), get(OP), [I32_LOAD], memarg(0, 2), [I32_ADD], set(BP))
    for (let h = 0; h < v; h++) emit(get(ACC + h), get(AV), get(BP), V128_LOAD, memarg(16 * h), F64X2_MUL, F64X2_ADD, set(ACC + h))
    emit(get(VP), i32Const(8), [I32_ADD], set(VP))
    emit(get(OP), i32Const(4), [I32_ADD], set(OP))
    emit(br(0), [END, END])
    emit(get(CROW), get(J0), [I32_ADD], set(CP))
    emit(get(FIRST), IF)
    for (let h = 0; h < v; h++) emit(get(CP), get(ACC + h), V128_STORE, memarg(16 * h))
    emit([ELSE])
    for (let h = 0; h < v; h++) emit(get(CP), get(CP), V128_LOAD, memarg(16 * h), get(ACC + h), F64X2_ADD, V128_STORE, memarg(16 * h))
    emit([END])
  }

  emit(i32Const(0), set(I))
  emit(BLOCK, LOOP)
  emit(get(I), get(M), [I32_GE_U], brIf(1))
  emit(get(C), get(I), get(LDB), [I32_MUL, I32_ADD], set(CROW))
  emit(i32Const(0), set(P0))
  emit(BLOCK, LOOP)
  emit(get(P0), get(K), [I32_GE_U], brIf(1))
  // pend = min(p0 + KC, k)
  emit(get(P0), i32Const(KC), [I32_ADD], set(PEND))
  emit(get(PEND), get(K), [I32_GT_U], IF, get(K), set(PEND), [END])
  // list the nonzero alpha·a_ip, branch-free: always write, advance the end when nonzero
  emit(get(A), get(I), get(ARS), [I32_MUL, I32_ADD], get(P0), get(ACS), [I32_MUL, I32_ADD], set(AP))
  emit(get(VAL), set(VEND), get(OFF), set(OP), get(P0), set(P))
  emit(BLOCK, LOOP)
  emit(get(P), get(PEND), [I32_GE_U], brIf(1))
  emit(get(AP), [F64_LOAD], memarg(0), get(ALPHA), [F64_MUL], set(X))
  emit(get(VEND), get(X), [F64_STORE], memarg(0))
  emit(get(OP), get(P), get(LDB), [I32_MUL], [I32_STORE], memarg(0, 2))
  emit(get(X), F64_CONST_0, [F64_NE], set(FIRST))
  emit(get(VEND), get(FIRST), i32Const(3), [I32_SHL, I32_ADD], set(VEND))
  emit(get(OP), get(FIRST), i32Const(2), [I32_SHL, I32_ADD], set(OP))
  emit(get(AP), get(ACS), [I32_ADD], set(AP))
  emit(get(P), i32Const(1), [I32_ADD], set(P))
  emit(br(0), [END, END])
  // first = store && p0 == 0
  emit(get(STORE), get(P0), [I32_EQZ], [I32_AND], set(FIRST))
  emit(i32Const(0), set(J0))
  emit(BLOCK, LOOP)
  emit(get(J0), i32Const(8 * CHUNK), [I32_ADD], get(LDB), [I32_GT_U], brIf(1))
  chunk(CHUNK / 2)
  emit(get(J0), i32Const(8 * CHUNK), [I32_ADD], set(J0))
  emit(br(0), [END, END])
  // the rest of the row: 12, 8 or 4 columns
  for (const cols of [12, 8, 4]) {
    emit(get(LDB), get(J0), [I32_SUB], i32Const(8 * cols), [I32_EQ], IF)
    chunk(cols / 2)
    emit([END])
  }
  emit(get(PEND), set(P0))
  emit(br(0), [END, END])
  emit(get(I), i32Const(1), [I32_ADD], set(I))
  emit(br(0), [END, END])
  return {
    name: 'rows',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [],
    locals: [[14, I32], [1, F64], [9, V128]],
    code,
  }
}

/** transpose(src, lds, rows, cols, dst, ldd): dst[j·ldd + i·8] = src[i·lds + j·8] (strides in bytes). */
function transposeFunc(): FuncSpec {
  const [SRC, LDS, ROWS, COLS, DST, LDD] = [0, 1, 2, 3, 4, 5]
  const [I, J, SP, DP] = [6, 7, 8, 9]
  const { bytes: code, emit } = new Code()
  emit(i32Const(0), set(I))
  emit(BLOCK, LOOP)
  emit(get(I), get(ROWS), [I32_GE_U], brIf(1))
  emit(get(SRC), get(I), get(LDS), [I32_MUL, I32_ADD], set(SP))
  emit(get(DST), get(I), i32Const(3), [I32_SHL, I32_ADD], set(DP))
  emit(i32Const(0), set(J))
  emit(BLOCK, LOOP)
  emit(get(J), get(COLS), [I32_GE_U], brIf(1))
  emit(get(DP), get(SP), [F64_LOAD], memarg(0), [F64_STORE], memarg(0))
  emit(get(SP), i32Const(8), [I32_ADD], set(SP))
  emit(get(DP), get(LDD), [I32_ADD], set(DP))
  emit(get(J), i32Const(1), [I32_ADD], set(J))
  emit(br(0), [END, END])
  emit(get(I), i32Const(1), [I32_ADD], set(I))
  emit(br(0), [END, END])
  return { name: 'transpose', params: [I32, I32, I32, I32, I32, I32], results: [], locals: [[4, I32]], code }
}

/**
 * finite(p, count) → 1 when the count doubles at p (count even) are all finite: Σ (x − x) over
 * f64x2 lanes is 0 exactly then and NaN otherwise (∞ − ∞ and NaN − NaN are NaN).
 */
function finiteFunc(): FuncSpec {
  const [PP, COUNT] = [0, 1]
  const PEND = 2
  const S = 3
  const V = 4
  const { bytes: code, emit } = new Code()
  emit(V128_CONST_0, set(S))
  emit(get(PP), get(COUNT), i32Const(3), [I32_SHL, I32_ADD], set(PEND))
  emit(BLOCK, LOOP)
  emit(get(PP), get(PEND), [I32_GE_U], brIf(1))
  emit(get(PP), V128_LOAD, memarg(0), set(V))
  emit(get(S), get(V), get(V), F64X2_SUB, F64X2_ADD, set(S))
  emit(get(PP), i32Const(16), [I32_ADD], set(PP))
  emit(br(0), [END, END])
  // s0 + s1 == 0 (NaN compares unequal)
  emit(get(S), extractLane(0), get(S), extractLane(1), [F64_ADD], F64_CONST_0, [F64_EQ])
  return { name: 'finite', params: [I32, I32], results: [I32], locals: [[1, I32], [2, V128]], code }
}

interface SkipKernel {
  f64: Float64Array
  i32: Int32Array
  doubles: number
  rows: (a: number, ars: number, acs: number, b: number, ldb: number, c: number, m: number, k: number, val: number, off: number, alpha: number, store: number) => void
  transpose: (src: number, lds: number, rows: number, cols: number, dst: number, ldd: number) => void
  finite: (p: number, count: number) => number
}

let kernel: SkipKernel | null = null
let failedAt = Infinity

/** The instance with room for `doubles` float64 values (a fresh, larger one when needed), or null. */
function skipKernel(doubles: number): SkipKernel | null {
  if (kernel && kernel.doubles >= doubles) return kernel
  if (doubles >= failedAt) return null
  const size = Math.max(doubles, kernel ? 2 * kernel.doubles : 1 << 16)
  const inst = instantiate('numeric/gemm-skip-zeros', () => [rowsFunc(), transposeFunc(), finiteFunc()], size)
  if (!inst) {
    failedAt = doubles
    return null
  }
  const ex = inst.exports
  kernel = {
    f64: inst.f64,
    i32: new Int32Array(inst.f64.buffer),
    doubles: inst.f64.length,
    rows: ex.rows as SkipKernel['rows'],
    transpose: ex.transpose as SkipKernel['transpose'],
    finite: ex.finite as SkipKernel['finite'],
  }
  return kernel
}

/**
 * C[cOff + i·ldc + j] (+)= alpha·Σ_p op(A)[i][p]·op(B)[p][j]: `gemmStrided`'s arguments and its
 * bits (see the file's header), skipping the terms whose alpha·op(A)[i][p] is zero. op(A) must be
 * a contiguous block (A stored m×k row-major, or k×m for Aᵀ) and so must op(B) (k×n, or n×k for
 * Bᵀ); other strides, a non-finite op(B), or no WebAssembly SIMD: `gemmStrided` does the call.
 *
 * With `cTransposed`, entry (i, j) of the product goes to C[cOff + j·ldc + i] instead (the bits
 * of `gemmStrided` into a row-major block, then transposed). It lets a caller list the sparser
 * factor of a product: Gᵀ = δᵀ·A has G = Aᵀ·δ's entries, each the same products a·δ = δ·a summed
 * in the same order, so either factor may be op(A) here.
 */
export function gemmSkipZeros(
  m: number,
  n: number,
  k: number,
  alpha: number,
  A: Float64Array,
  aOff: number,
  ars: number,
  acs: number,
  B: Float64Array,
  bOff: number,
  brs: number,
  bcs: number,
  C: Float64Array,
  cOff: number,
  ldc: number,
  overwrite = false,
  cTransposed = false,
): void {
  const dense = () => {
    if (!cTransposed) return gemmStrided(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc, overwrite)
    const T = new Float64Array(m * n)
    if (!overwrite) for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) T[i * n + j] = C[cOff + j * ldc + i]
    gemmStrided(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, T, 0, n, overwrite)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) C[cOff + j * ldc + i] = T[i * n + j]
  }
  // below SKIP_MIN_COLUMNS columns the listing costs more than the skipped multiplies save
  if (m === 0 || n < SKIP_MIN_COLUMNS || k === 0 || alpha === 0) return dense()
  const aBlock = (acs === 1 && ars === k) || (ars === 1 && acs === m)
  const bRows = bcs === 1 && brs === n
  const bCols = brs === 1 && bcs === k
  if (!aBlock || !(bRows || bCols)) return dense()
  const nPad = (n + 3) & ~3
  const kc = Math.min(k, KC)
  // layout (doubles): op(B) rows (k × nPad), C (m × nPad), A (m·k), staging for Bᵀ or a
  // transposed C (n·max(k, m)) or none, the list (kc values, kc int32 offsets)
  const bBase = 0
  const cBase = bBase + k * nPad
  const aBase = cBase + m * nPad
  const sBase = aBase + m * k
  const valBase = sBase + (bCols || cTransposed ? n * Math.max(k, m) : 0)
  const offBase = valBase + kc
  const total = offBase + Math.ceil(kc / 2)
  const kern = skipKernel(total)
  if (!kern) return dense()
  const { f64 } = kern
  if (n !== nPad) f64.fill(0, bBase, bBase + k * nPad)
  if (bCols) {
    f64.set(B.subarray(bOff, bOff + n * k), sBase)
    kern.transpose(sBase * 8, k * 8, n, k, bBase * 8, nPad * 8)
  } else if (n === nPad) f64.set(B.subarray(bOff, bOff + k * n), bBase)
  else for (let p = 0; p < k; p++) f64.set(B.subarray(bOff + p * n, bOff + (p + 1) * n), bBase + p * nPad)
  if (kern.finite(bBase * 8, k * nPad) !== 1) return dense()
  f64.set(A.subarray(aOff, aOff + m * k), aBase)
  if (!overwrite) {
    if (cTransposed) {
      // Cᵀ's n rows of m into staging, then transposed into the m × nPad block
      for (let j = 0; j < n; j++) f64.set(C.subarray(cOff + j * ldc, cOff + j * ldc + m), sBase + j * m)
      kern.transpose(sBase * 8, m * 8, n, m, cBase * 8, nPad * 8)
    } else if (ldc === n && n === nPad) f64.set(C.subarray(cOff, cOff + m * n), cBase)
    else for (let i = 0; i < m; i++) f64.set(C.subarray(cOff + i * ldc, cOff + i * ldc + n), cBase + i * nPad)
  }
  kern.rows(aBase * 8, ars * 8, acs * 8, bBase * 8, nPad * 8, cBase * 8, m, k, valBase * 8, offBase * 8, alpha, overwrite ? 1 : 0)
  if (cTransposed) {
    kern.transpose(cBase * 8, nPad * 8, m, n, sBase * 8, m * 8)
    if (ldc === m) C.set(f64.subarray(sBase, sBase + n * m), cOff)
    else for (let j = 0; j < n; j++) C.set(f64.subarray(sBase + j * m, sBase + (j + 1) * m), cOff + j * ldc)
  } else if (ldc === n && n === nPad) C.set(f64.subarray(cBase, cBase + m * n), cOff)
  else for (let i = 0; i < m; i++) C.set(f64.subarray(cBase + i * nPad, cBase + i * nPad + n), cOff + i * ldc)
}
