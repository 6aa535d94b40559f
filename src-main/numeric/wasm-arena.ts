/**
 * Dense-layer kernels for ReLU networks in WebAssembly SIMD128, written through the shared
 * emitter (wasm-emit.ts) as one module:
 * - `gemmSkipZeros`, gemm without the multiplies by zero (below);
 * - `WasmArena`, matrices living in a fixed-size wasm memory so that products among them copy
 *   nothing (`gemmSkipZeros` on its views, and its `gemm` and `gemv`: the core's own panel and
 *   gemv kernels, emitted into this module, on operands where they lie), with a layer's
 *   elementwise passes (bias + ReLU, ReLU mask + bias gradient, the momentum update, w + c·g) in
 *   SIMD on its views. Every op has a JavaScript twin or core function with the same bits
 *   (dense.ts's or here), used without WebAssembly SIMD or on arrays outside the arena.
 * Users: saf-trajectory-sharpness, hessian-bulk-outliers and ignite-surrogate-sharpness (their
 * MLPs), linear-student-teacher-overtraining (its direct GD), lame (W·Y).
 *
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
import { gemmStrided, gemv, reluMaskAddColumnSums } from './dense'
import {
  BLOCK,
  br,
  brIf,
  Code,
  ELSE,
  END,
  F64,
  F64_CONST_0,
  f64Const,
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
  wasmSimdEnabled,
  LOOP,
  memarg,
  set,
  V128,
  V128_CONST_0,
  V128_LOAD,
  V128_LOAD64_SPLAT,
  V128_STORE,
  F64X2_SPLAT,
  simd,
  extractLane,
  type FuncSpec,
} from './wasm-emit'
import { GEMM_PANEL_DEPTH, gemvSpecs, panelStridedSpec } from './wasm-simd'

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
 * rows(a, ars, acs, b, ldb, nw, c, ldc, m, k, val, off, alpha, store): for each row i < m of op(A)
 * (entry p at a + i·ars + p·acs, byte strides) and each panel of depth KC: list the nonzero
 * alpha·a_ip (values at val, the addresses of B's rows p — row p at b + p·ldb — at off), then
 * C[i][·] (row i at c + i·ldc; nw bytes of it, a multiple of 32) gets
 * acc = Σ_listed (alpha·a_ip)·B[p][·], stored (store ≠ 0, first panel) or added.
 */
function rowsFunc(): FuncSpec {
  const [A, ARS, ACS, B, LDB, NW, C, LDC, M, K, VAL, OFF, ALPHA, STORE] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
  const [I, P0, PEND, P, AP, VP, OP, VEND, BP, CP, J0, FIRST, CROW] = [14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26]
  const X = 27
  const ACC = 28
  const AV = ACC + 8
  const { bytes: code, emit } = new Code()

  /** the block of `v` registers (2·v columns) at byte column J0 of row I */
  const chunk = (v: number): void => {
    for (let h = 0; h < v; h++) emit(V128_CONST_0, set(ACC + h))
    emit(get(VAL), set(VP), get(OFF), set(OP))
    emit(BLOCK, LOOP)
    emit(get(VP), get(VEND), [I32_GE_U], brIf(1))
    emit(get(VP), V128_LOAD64_SPLAT, memarg(0), set(AV))
    emit(get(OP), [I32_LOAD], memarg(0, 2), get(J0), [I32_ADD], set(BP))
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
  emit(get(C), get(I), get(LDC), [I32_MUL, I32_ADD], set(CROW))
  emit(i32Const(0), set(P0))
  emit(BLOCK, LOOP)
  emit(get(P0), get(K), [I32_GE_U], brIf(1))
  // pend = min(p0 + KC, k)
  emit(get(P0), i32Const(KC), [I32_ADD], set(PEND))
  emit(get(PEND), get(K), [I32_GT_U], IF, get(K), set(PEND), [END])
  // list the nonzero alpha·a_ip with the address of B's row p, branch-free: always write,
  // advance the end when nonzero (alpha = 1: no multiply, 1·a = a)
  emit(get(A), get(I), get(ARS), [I32_MUL, I32_ADD], get(P0), get(ACS), [I32_MUL, I32_ADD], set(AP))
  emit(get(AP), get(PEND), get(P0), [I32_SUB], get(ACS), [I32_MUL, I32_ADD], set(P))
  emit(get(B), get(P0), get(LDB), [I32_MUL, I32_ADD], set(BP))
  emit(get(VAL), set(VEND), get(OFF), set(OP))
  emit(get(ALPHA), f64Const(1), [F64_EQ], set(FIRST))
  for (const scaled of [false, true]) {
    emit(get(FIRST), scaled ? [I32_EQZ] : [], IF)
    emit(BLOCK, LOOP)
    emit(get(AP), get(P), [I32_GE_U], brIf(1))
    emit(get(AP), [F64_LOAD], memarg(0), scaled ? [...get(ALPHA), F64_MUL] : [], set(X))
    emit(get(VEND), get(X), [F64_STORE], memarg(0))
    emit(get(OP), get(BP), [I32_STORE], memarg(0, 2))
    emit(get(X), F64_CONST_0, [F64_NE], set(CP))
    emit(get(VEND), get(CP), i32Const(3), [I32_SHL, I32_ADD], set(VEND))
    emit(get(OP), get(CP), i32Const(2), [I32_SHL, I32_ADD], set(OP))
    emit(get(AP), get(ACS), [I32_ADD], set(AP))
    emit(get(BP), get(LDB), [I32_ADD], set(BP))
    emit(br(0), [END, END])
    emit([END])
  }
  // first = store && p0 == 0
  emit(get(STORE), get(P0), [I32_EQZ], [I32_AND], set(FIRST))
  emit(i32Const(0), set(J0))
  emit(BLOCK, LOOP)
  emit(get(J0), i32Const(8 * CHUNK), [I32_ADD], get(NW), [I32_GT_U], brIf(1))
  chunk(CHUNK / 2)
  emit(get(J0), i32Const(8 * CHUNK), [I32_ADD], set(J0))
  emit(br(0), [END, END])
  // the rest of the row: 12, 8 or 4 columns
  for (const cols of [12, 8, 4]) {
    emit(get(NW), get(J0), [I32_SUB], i32Const(8 * cols), [I32_EQ], IF)
    chunk(cols / 2)
    emit([END])
  }
  emit(get(PEND), set(P0))
  emit(br(0), [END, END])
  emit(get(I), i32Const(1), [I32_ADD], set(I))
  emit(br(0), [END, END])
  return {
    name: 'rows',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F64, I32],
    results: [],
    locals: [[13, I32], [1, F64], [9, V128]],
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

/** f64x2.gt and v128.and (§5.4.8), which the shared table lacks */
const F64X2_GT = simd(0x4a)
const V128_AND = simd(0x4e)

/**
 * Emits r = x·[x > 0] for the v128 in local x into local r, as JavaScript's x * +(x > 0): the
 * lane mask ANDed with 1.0 gives 1.0 or +0.0, then one IEEE multiply (so −0, NaN and the sign of
 * a masked zero come out as in the scalar code).
 */
function emitRelu(emit: Code['emit'], x: number, gate: number, one: number, r: number): void {
  emit(get(gate), V128_CONST_0, F64X2_GT, get(one), V128_AND, get(x), F64X2_MUL, set(r))
}

/**
 * biasRelu(z, a, rows, n, b, relu): z[i][j] += b[j] (row stride n, n even), and with relu ≠ 0
 * a[i][j] = z·[z > 0] too: `addBias` of saf's MLP two columns per lane pair.
 */
function biasReluFunc(): FuncSpec {
  const [Z, AA, ROWS, N, BB, RELU] = [0, 1, 2, 3, 4, 5]
  const [ZP, AP, BP, ZEND, REND] = [6, 7, 8, 9, 10]
  const [V, R, ONE] = [11, 12, 13]
  const { bytes: code, emit } = new Code()
  emit(f64Const(1), F64X2_SPLAT, set(ONE))
  emit(get(Z), set(ZP), get(AA), set(AP))
  emit(get(Z), get(ROWS), get(N), [I32_MUL], i32Const(3), [I32_SHL, I32_ADD], set(ZEND))
  emit(BLOCK, LOOP)
  emit(get(ZP), get(ZEND), [I32_GE_U], brIf(1))
  emit(get(ZP), get(N), i32Const(3), [I32_SHL, I32_ADD], set(REND))
  emit(get(BB), set(BP))
  emit(BLOCK, LOOP)
  emit(get(ZP), get(REND), [I32_GE_U], brIf(1))
  emit(get(ZP), V128_LOAD, memarg(0), get(BP), V128_LOAD, memarg(0), F64X2_ADD, set(V))
  emit(get(ZP), get(V), V128_STORE, memarg(0))
  emit(get(RELU), IF)
  emitRelu(emit, V, V, ONE, R)
  emit(get(AP), get(R), V128_STORE, memarg(0))
  emit([END])
  emit(get(ZP), i32Const(16), [I32_ADD], set(ZP))
  emit(get(AP), i32Const(16), [I32_ADD], set(AP))
  emit(get(BP), i32Const(16), [I32_ADD], set(BP))
  emit(br(0), [END, END])
  emit(br(0), [END, END])
  return { name: 'biasRelu', params: [I32, I32, I32, I32, I32, I32], results: [], locals: [[5, I32], [3, V128]], code }
}

/**
 * maskColSums(d, a, rows, n, out): d[i][j] ⊙= [a[i][j] > 0] (as d * +(a > 0)) and out[j] += Σ_i
 * of the masked d[i][j], rows ascending (n even): `reluMaskAddColumnSums`, each column's chain
 * in one lane.
 */
function maskColSumsFunc(): FuncSpec {
  const [D, AA, ROWS, N, OUT] = [0, 1, 2, 3, 4]
  const [J, DP, AP, DEND, RB] = [5, 6, 7, 8, 9]
  const [S, X, G, ONE] = [10, 11, 12, 13]
  const { bytes: code, emit } = new Code()
  emit(f64Const(1), F64X2_SPLAT, set(ONE))
  emit(get(N), i32Const(3), [I32_SHL], set(RB))
  emit(i32Const(0), set(J))
  emit(BLOCK, LOOP)
  emit(get(J), get(RB), [I32_GE_U], brIf(1))
  emit(get(OUT), get(J), [I32_ADD], V128_LOAD, memarg(0), set(S))
  emit(get(D), get(J), [I32_ADD], set(DP), get(AA), get(J), [I32_ADD], set(AP))
  emit(get(DP), get(ROWS), get(RB), [I32_MUL, I32_ADD], set(DEND))
  emit(BLOCK, LOOP)
  emit(get(DP), get(DEND), [I32_GE_U], brIf(1))
  emit(get(AP), V128_LOAD, memarg(0), set(G), get(DP), V128_LOAD, memarg(0), set(X))
  emitRelu(emit, X, G, ONE, X)
  emit(get(DP), get(X), V128_STORE, memarg(0))
  emit(get(S), get(X), F64X2_ADD, set(S))
  emit(get(DP), get(RB), [I32_ADD], set(DP), get(AP), get(RB), [I32_ADD], set(AP))
  emit(br(0), [END, END])
  emit(get(OUT), get(J), [I32_ADD], get(S), V128_STORE, memarg(0))
  emit(get(J), i32Const(16), [I32_ADD], set(J))
  emit(br(0), [END, END])
  return { name: 'maskColSums', params: [I32, I32, I32, I32, I32], results: [], locals: [[5, I32], [4, V128]], code }
}

/**
 * momentum(w, v, g, count, mu, wd, lr): v ← (mu·v + g) + wd·w, w ← w − lr·v elementwise (count
 * even), the heavy-ball step of PyTorch's SGD with coupled weight decay in saf's operation order.
 */
function momentumFunc(): FuncSpec {
  const [W, VV, GG, COUNT, MU, WD, LR] = [0, 1, 2, 3, 4, 5, 6]
  const [WEND] = [7]
  const [MUV, WDV, LRV, X, Y] = [8, 9, 10, 11, 12]
  const { bytes: code, emit } = new Code()
  emit(get(MU), F64X2_SPLAT, set(MUV), get(WD), F64X2_SPLAT, set(WDV), get(LR), F64X2_SPLAT, set(LRV))
  emit(get(W), get(COUNT), i32Const(3), [I32_SHL, I32_ADD], set(WEND))
  emit(BLOCK, LOOP)
  emit(get(W), get(WEND), [I32_GE_U], brIf(1))
  emit(get(W), V128_LOAD, memarg(0), set(X))
  emit(get(MUV), get(VV), V128_LOAD, memarg(0), F64X2_MUL, get(GG), V128_LOAD, memarg(0), F64X2_ADD, get(WDV), get(X), F64X2_MUL, F64X2_ADD, set(Y))
  emit(get(VV), get(Y), V128_STORE, memarg(0))
  emit(get(W), get(X), get(LRV), get(Y), F64X2_MUL, F64X2_SUB, V128_STORE, memarg(0))
  for (const ptr of [W, VV, GG]) emit(get(ptr), i32Const(16), [I32_ADD], set(ptr))
  emit(br(0), [END, END])
  return { name: 'momentum', params: [I32, I32, I32, I32, F64, F64, F64], results: [], locals: [[1, I32], [5, V128]], code }
}

/** addScaled(out, x, alpha, y, count): out = x + alpha·y elementwise (count even). */
function addScaledFunc(): FuncSpec {
  const [OUT, XX, ALPHA, YY, COUNT] = [0, 1, 2, 3, 4]
  const [OEND] = [5]
  const [AV] = [6]
  const { bytes: code, emit } = new Code()
  emit(get(ALPHA), F64X2_SPLAT, set(AV))
  emit(get(OUT), get(COUNT), i32Const(3), [I32_SHL, I32_ADD], set(OEND))
  emit(BLOCK, LOOP)
  emit(get(OUT), get(OEND), [I32_GE_U], brIf(1))
  emit(get(OUT), get(XX), V128_LOAD, memarg(0), get(AV), get(YY), V128_LOAD, memarg(0), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(0))
  for (const ptr of [OUT, XX, YY]) emit(get(ptr), i32Const(16), [I32_ADD], set(ptr))
  emit(br(0), [END, END])
  return { name: 'addScaled', params: [I32, I32, F64, I32, I32], results: [], locals: [[1, I32], [1, V128]], code }
}

interface SkipKernel {
  f64: Float64Array
  doubles: number
  rows: (a: number, ars: number, acs: number, b: number, ldb: number, nw: number, c: number, ldc: number, m: number, k: number, val: number, off: number, alpha: number, store: number) => void
  transpose: (src: number, lds: number, rows: number, cols: number, dst: number, ldd: number) => void
  finite: (p: number, count: number) => number
  biasRelu: (z: number, a: number, rows: number, n: number, b: number, relu: number) => void
  maskColSums: (d: number, a: number, rows: number, n: number, out: number) => void
  momentum: (w: number, v: number, g: number, count: number, mu: number, wd: number, lr: number) => void
  addScaled: (out: number, x: number, alpha: number, y: number, count: number) => void
  /** wasm-simd.ts's in-place panel kernels: (a, b, c, mb, nb, kc, ldc, aRow, aStep, aStrip, bStep, bStrip, store) */
  panelR: PanelKernel
  panelS: PanelKernel
  /** wasm-simd.ts's gemv kernels: (a, x, y, m, n, alpha), y += alpha·A·x or alpha·Aᵀx */
  gemvN: GemvKernel
  gemvT: GemvKernel
}

type GemvKernel = (a: number, x: number, y: number, m: number, n: number, alpha: number) => void

type PanelKernel = (a: number, b: number, c: number, mb: number, nb: number, kc: number, ldc: number, aRow: number, aStep: number, aStrip: number, bStep: number, bStrip: number, store: number) => void

let kernel: SkipKernel | null = null
let failedAt = Infinity

function newKernel(doubles: number): SkipKernel | null {
  const inst = instantiate('numeric/wasm-arena', () => [rowsFunc(), transposeFunc(), finiteFunc(), biasReluFunc(), maskColSumsFunc(), momentumFunc(), addScaledFunc(), panelStridedSpec(true), panelStridedSpec(false), ...gemvSpecs()], doubles)
  if (!inst) return null
  const ex = inst.exports
  return {
    f64: inst.f64,
    doubles: inst.f64.length,
    rows: ex.rows as SkipKernel['rows'],
    transpose: ex.transpose as SkipKernel['transpose'],
    finite: ex.finite as SkipKernel['finite'],
    biasRelu: ex.biasRelu as SkipKernel['biasRelu'],
    maskColSums: ex.maskColSums as SkipKernel['maskColSums'],
    momentum: ex.momentum as SkipKernel['momentum'],
    addScaled: ex.addScaled as SkipKernel['addScaled'],
    panelR: ex.panelR as PanelKernel,
    panelS: ex.panelS as PanelKernel,
    gemvN: ex.gemvN as GemvKernel,
    gemvT: ex.gemvT as GemvKernel,
  }
}

/** The staging instance with room for `doubles` float64 values (a fresh, larger one when needed), or null. */
function skipKernel(doubles: number): SkipKernel | null {
  if (kernel && kernel.doubles >= doubles) return kernel
  if (doubles >= failedAt) return null
  const next = newKernel(Math.max(doubles, kernel ? 2 * kernel.doubles : 1 << 16))
  if (!next) {
    failedAt = doubles
    return null
  }
  kernel = next
  return kernel
}

interface Resident {
  kern: SkipKernel
  /** the scratch region (doubles): lists, a transposed op(B), C staged for a transposed C */
  scratch: number
  scratchEnd: number
}

/** arenas by their memory's buffer */
const residents = new WeakMap<ArrayBufferLike, Resident>()

/**
 * Matrices that live in WebAssembly memory, for `gemmSkipZeros` to read and write where they lie:
 * a product whose A, B and C are all views of one arena copies nothing in or out (a layer product
 * of saf's MLP moved about 10,000 doubles each way otherwise). The memory has a fixed size and
 * never grows (growing would detach every view), so `alloc` throws once the arena is full; views
 * stay valid for the arena's life. Where WebAssembly SIMD is unavailable, `alloc` returns plain
 * arrays and every product takes `gemmStrided`, with the same bits either way.
 */
export class WasmArena {
  private next = 0

  private constructor(
    private readonly f64: Float64Array | null,
    private readonly limit: number,
    private readonly res: Resident | null = null,
  ) {}

  /** the kernel when WebAssembly SIMD is on and every array is a view of this arena */
  private inPlace(...xs: Float64Array[]): SkipKernel | null {
    if (!this.res || !wasmSimdEnabled()) return null
    const buf = this.res.kern.f64.buffer
    for (const x of xs) if (x.buffer !== buf) return null
    return this.res.kern
  }

  /**
   * z[i·n + j] += b[bo + j] for i < rows, j < n, and with `a` also a[i·n + j] = relu(z) as
   * z·[z > 0] (branch-free; a negative z gives −0): a dense layer's bias and ReLU after its
   * product. In wasm (two columns per f64x2, the same IEEE operations) on views of this arena
   * with n even; otherwise in JavaScript.
   */
  biasRelu(z: Float64Array, a: Float64Array | null, rows: number, n: number, b: Float64Array, bo = 0): void {
    const kern = n % 2 === 0 ? this.inPlace(z, b, ...(a ? [a] : [])) : null
    if (kern) kern.biasRelu(z.byteOffset, a ? a.byteOffset : 0, rows, n, b.byteOffset + bo * 8, a ? 1 : 0)
    else biasReluJs(z, a, rows, n, b, bo)
  }

  /**
   * `gemmStrided` (same arguments, same bits) for a dense op(A): on views of this arena with m
   * and n multiples of 4 (the kernel writes whole 4×4 blocks) and alpha = 1, the numeric core's
   * in-place panel kernel reads A, B and C where they lie (a transposed op(B) is transposed into
   * scratch first), panel by panel of depth 256 as gemm does; otherwise `gemmStrided` itself.
   */
  gemm(m: number, n: number, k: number, alpha: number, A: Float64Array, aOff: number, ars: number, acs: number, B: Float64Array, bOff: number, brs: number, bcs: number, C: Float64Array, cOff: number, ldc: number, overwrite = false): void {
    const kern = this.inPlace(A, B, C)
    const r = this.res
    const aRows = acs === 1
    const aCols = !aRows && ars === 1
    const bRows = bcs === 1
    const bCols = !bRows && brs === 1
    if (!kern || !r || m === 0 || n === 0 || k === 0 || m % 4 !== 0 || n % 4 !== 0 || alpha !== 1 || !(aRows || aCols) || !(bRows || bCols) || (bCols && r.scratch + k * n > r.scratchEnd)) {
      gemmStrided(m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc, overwrite)
      return
    }
    let b = B.byteOffset + bOff * 8
    let bStep = brs * 8
    if (bCols) {
      kern.transpose(b, bcs * 8, n, k, r.scratch * 8, n * 8)
      b = r.scratch * 8
      bStep = n * 8
    }
    const a = A.byteOffset + aOff * 8
    const c = C.byteOffset + cOff * 8
    // panelR: op(A)'s rows at stride ars (entries adjacent); panelS: Aᵀ stored, op(A)'s entries at stride acs
    const panel = aRows ? kern.panelR : kern.panelS
    const aStep = aRows ? 8 : acs * 8
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0)
      panel(a + p0 * aStep, b + p0 * bStep, c, m / 4, n / 4, kc, ldc, ars * 8, aStep, aRows ? 32 * ars : 32, bStep, 32, overwrite && p0 === 0 ? 1 : 0)
    }
  }

  /**
   * dense.ts's `gemv` (same arguments, same bits): y ← beta·y + alpha·op(A)·x, A m×n row-major.
   * On views of this arena the core's SIMD gemv kernels read A, x and y where they lie (`gemv`
   * itself copies A into wasm memory on every call); otherwise `gemv`.
   */
  gemv(trans: boolean, m: number, n: number, alpha: number, A: Float64Array, x: Float64Array, beta: number, y: Float64Array): Float64Array {
    const kern = this.inPlace(A, x, y)
    // (the wasm kernels give the scalar loops' bits at every size; `gemv` skips them below 256
    // entries only because its copies would cost more than they save)
    if (!kern || m === 0 || n === 0 || alpha === 0) return gemv(trans, m, n, alpha, A, x, beta, y)
    const ylen = trans ? n : m
    if (beta === 0) y.fill(0, 0, ylen)
    else if (beta !== 1) for (let i = 0; i < ylen; i++) y[i] *= beta
    ;(trans ? kern.gemvT : kern.gemvN)(A.byteOffset, x.byteOffset, y.byteOffset, m, n, alpha)
    return y
  }

  /** dense.ts's `reluMaskAddColumnSums` (the same bits): in wasm on views of this arena with n even. */
  reluMaskAddColumnSums(D: Float64Array, A: Float64Array, rows: number, n: number, out: Float64Array, off = 0): void {
    const kern = n % 2 === 0 ? this.inPlace(D, A, out) : null
    if (kern) kern.maskColSums(D.byteOffset, A.byteOffset, rows, n, out.byteOffset + off * 8)
    else reluMaskAddColumnSums(D, A, rows, n, out, off)
  }

  /**
   * Heavy-ball SGD with coupled weight decay, entry by entry: v ← (mu·v + g) + wd·w, w ← w − lr·v
   * (PyTorch's SGD). In wasm on views of this arena.
   */
  momentumStep(w: Float64Array, v: Float64Array, g: Float64Array, mu: number, wd: number, lr: number): void {
    const n = w.length
    const kern = this.inPlace(w, v, g)
    const even = kern ? n & ~1 : 0
    if (kern) kern.momentum(w.byteOffset, v.byteOffset, g.byteOffset, even, mu, wd, lr)
    for (let i = even; i < n; i++) {
      const wi = w[i]
      const vi = mu * v[i] + g[i] + wd * wi
      v[i] = vi
      w[i] = wi - lr * vi
    }
  }

  /** out[i] = x[i] + alpha·y[i] for i < out.length. In wasm on views of this arena. */
  addScaled(out: Float64Array, x: Float64Array, alpha: number, y: Float64Array): void {
    const n = out.length
    const kern = this.inPlace(out, x, y)
    const even = kern ? n & ~1 : 0
    if (kern) kern.addScaled(out.byteOffset, x.byteOffset, alpha, y.byteOffset, even)
    for (let i = even; i < n; i++) out[i] = x[i] + alpha * y[i]
  }

  /**
   * An arena for `doubles` float64 values of views plus `scratch` doubles of working space (the
   * largest product's m·n + k·n + 2·min(k, 256) is enough for any of its products).
   */
  static create(doubles: number, scratch: number): WasmArena {
    const total = doubles + scratch
    const kern = total * 8 <= 2 ** 31 ? newKernel(total) : null
    if (!kern) return new WasmArena(null, 0)
    const limit = kern.doubles - scratch
    const res = { kern, scratch: limit, scratchEnd: kern.doubles }
    residents.set(kern.f64.buffer, res)
    return new WasmArena(kern.f64, limit, res)
  }

  /** A zeroed view of `len` doubles in the arena's memory. */
  alloc(len: number): Float64Array {
    if (!this.f64) return new Float64Array(len)
    const start = this.next
    if (start + len > this.limit) throw new Error(`WasmArena: ${len} doubles do not fit (${this.limit - start} of ${this.limit} left)`)
    this.next = start + len
    return this.f64.subarray(start, start + len)
  }

  /** Whether views live in WebAssembly memory (false: plain arrays, no WebAssembly SIMD). */
  get resident(): boolean {
    return this.f64 !== null
  }

  /** A view holding a copy of `x`. */
  copyOf(x: Float64Array): Float64Array {
    const v = this.alloc(x.length)
    v.set(x)
    return v
  }
}

/**
 * The product on views of one arena, in place: true when done (false: shapes it does not take;
 * the caller stages). op(B) row-major with n a multiple of 4 is read where it lies; a transposed
 * op(B) is transposed into scratch; C is written where it lies, or for a transposed C staged in
 * scratch and transposed into place.
 */
function residentProduct(
  r: Resident, m: number, n: number, k: number, alpha: number,
  A: Float64Array, aOff: number, ars: number, acs: number,
  B: Float64Array, bOff: number, brs: number, bcs: number,
  C: Float64Array, cOff: number, ldc: number, overwrite: boolean, cTransposed: boolean,
  dense: () => void,
): boolean {
  if (n % 4 !== 0) return false
  const { kern } = r
  const kc = Math.min(k, KC)
  let s = r.scratch
  let b: number
  if (bcs === 1 && brs === n) b = B.byteOffset + bOff * 8
  else if (brs === 1) {
    if (s + k * n > r.scratchEnd) return false
    kern.transpose(B.byteOffset + bOff * 8, bcs * 8, n, k, s * 8, n * 8)
    b = s * 8
    s += k * n
  } else return false
  let c = C.byteOffset + cOff * 8
  let ldcB = ldc * 8
  const staged = s
  if (cTransposed) {
    c = s * 8
    ldcB = n * 8
    s += m * n
  }
  const val = s
  const off = s + kc
  if (off + Math.ceil(kc / 2) > r.scratchEnd) return false
  if (kern.finite(b, k * n) !== 1) {
    dense()
    return true
  }
  if (cTransposed && !overwrite) kern.transpose(C.byteOffset + cOff * 8, ldc * 8, n, m, c, ldcB)
  kern.rows(A.byteOffset + aOff * 8, ars * 8, acs * 8, b, n * 8, n * 8, c, ldcB, m, k, val * 8, off * 8, alpha, overwrite ? 1 : 0)
  if (cTransposed) kern.transpose(staged * 8, n * 8, m, n, C.byteOffset + cOff * 8, ldc * 8)
  return true
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
  const r = residents.get(A.buffer)
  if (r && B.buffer === A.buffer && C.buffer === A.buffer && wasmSimdEnabled()) {
    if (residentProduct(r, m, n, k, alpha, A, aOff, ars, acs, B, bOff, brs, bcs, C, cOff, ldc, overwrite, cTransposed, dense)) return
  }
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
  kern.rows(aBase * 8, ars * 8, acs * 8, bBase * 8, nPad * 8, nPad * 8, cBase * 8, nPad * 8, m, k, valBase * 8, offBase * 8, alpha, overwrite ? 1 : 0)
  if (cTransposed) {
    kern.transpose(cBase * 8, nPad * 8, m, n, sBase * 8, m * 8)
    if (ldc === m) C.set(f64.subarray(sBase, sBase + n * m), cOff)
    else for (let j = 0; j < n; j++) C.set(f64.subarray(sBase + j * m, sBase + (j + 1) * m), cOff + j * ldc)
  } else if (ldc === n && n === nPad) C.set(f64.subarray(cBase, cBase + m * n), cOff)
  else for (let i = 0; i < m; i++) C.set(f64.subarray(cBase + i * nPad, cBase + i * nPad + n), cOff + i * ldc)
}

/** `WasmArena.biasRelu` in JavaScript: four columns at a time when n is a multiple of 4. */
function biasReluJs(z: Float64Array, a: Float64Array | null, rows: number, n: number, b: Float64Array, bo: number): void {
  if (n % 4 !== 0) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < n; j++) {
        const t = i * n + j
        const v = z[t] + b[bo + j]
        z[t] = v
        if (a) a[t] = v * +(v > 0)
      }
    }
    return
  }
  for (let j = 0; j < n; j += 4) {
    const b0 = b[bo + j]
    const b1 = b[bo + j + 1]
    const b2 = b[bo + j + 2]
    const b3 = b[bo + j + 3]
    for (let t = j; t < rows * n; t += n) {
      const v0 = z[t] + b0
      const v1 = z[t + 1] + b1
      const v2 = z[t + 2] + b2
      const v3 = z[t + 3] + b3
      z[t] = v0
      z[t + 1] = v1
      z[t + 2] = v2
      z[t + 3] = v3
      if (a) {
        a[t] = v0 * +(v0 > 0)
        a[t + 1] = v1 * +(v1 > 0)
        a[t + 2] = v2 * +(v2 > 0)
        a[t + 3] = v3 * +(v3 > 0)
      }
    }
  }
}
