/**
 * The CCCP bound update's softmax rows (lame.ts lameSoftmaxRows) in WebAssembly SIMD128, two entries
 * per f64x2, with lame.ts's JavaScript loops as the twin that gives the same bits.
 *
 * `rowExp(u, a, y, l, n)`: pass 1 e = −u + a into l, with the row's max m and min lo lane-wise
 * (f64x2.pmax/pmin) and a NaN mask. The JavaScript takes m as the first maximal entry; equal
 * values have equal bits except +0 and −0, so a row whose max is a zero, a row holding a NaN, and
 * a row whose span m − lo is not ≤ 44 return −1 (l written, y untouched): the caller runs the
 * JavaScript row, which redoes pass 1. Otherwise pass 2: t = e − m into l, y = expNear(t) and
 * s = Σ y summed in order from +0 (scalar adds, lane 0 then lane 1); returns s (≥ 1: the max's
 * entry is e^0 = 1).
 * `rowFinish(y, l, n, s, logS)`: y ← y / s and l ← max(l − logS, log 1e-20) as
 * `l > CLIP ? l : CLIP` (f64x2.pmax(CLIP, l) = CLIP < l ? l : CLIP).
 *
 * expNear lane by lane: kf = (x·32/ln 2 + 1.5·2^52) − 1.5·2^52; r = (x − kf·hi) − kf·lo;
 * t = 2^{kf/32} from the table at address 0, index −kf ≤ 2031 (kf + 1.5·2^52 holds the integer kf
 * in the low 32 bits of its pattern: negated and shifted by 3, the byte address);
 * p = r + (r·r)·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r·(1/720))))); e = t + t·p. Every operation
 * is an IEEE add, subtract, multiply or divide in the JavaScript's order (wasm has no fused
 * multiply-add; a + b = b + a and a·b = b·a exactly), so both paths give the same bits.
 *
 * Emitted byte by byte through numeric/wasm-emit.ts (WebAssembly Core Specification 2.0, §5).
 */
import {
  BLOCK, BR_IF, END, F64, F64_ADD, F64_DIV, F64_GT, F64_LE, F64_LT, F64_NE, F64_SUB, F64X2_ADD, F64X2_DIV, F64X2_MUL, F64X2_NEG,
  F64X2_SPLAT, F64X2_SUB, I32, I32_ADD, I32_AND, I32_EQZ, I32_LT_U, I32_SHL, LOOP, RETURN, V128, extractLane, f64Const, f64Load,
  f64Store, get, i32Const, instantiate, memarg, set, simd, tee, v128Load, v128Load64Splat, v128Store, type FuncSpec,
} from '../../numeric/wasm-emit'

// opcodes wasm-emit.ts lacks (WebAssembly Core Specification 2.0, §5.4.1, §5.4.7, §5.4.8)
/** select (untyped): (v1, v2, c) → c ≠ 0 ? v1 : v2 */
const SELECT = 0x1b
/** f64.neg */
const F64_NEG = 0x9a
/** f64x2.pmax: (a, b) → a < b ? b : a, lane-wise */
const F64X2_PMAX = simd(0xf7)
/** f64x2.pmin: (a, b) → b < a ? b : a, lane-wise */
const F64X2_PMIN = simd(0xf6)
/** f64x2.ne: lane-wise a ≠ b as all-ones or zero */
const F64X2_NE = simd(0x48)
/** v128.or */
const V128_OR = simd(0x50)
/** v128.any_true: 1 if any bit is set */
const V128_ANY_TRUE = simd(0x53)
/** i32x4.neg */
const I32X4_NEG = simd(0xa1)
/** i32x4.shl (shift count an i32) */
const I32X4_SHL = simd(0xab)
/** i32x4.extract_lane l */
const i32x4ExtractLane = (l: number): number[] => [...simd(0x1b), l]
/** v128.load64_lane: (address, vector) → the vector with lane l loaded from memory */
const v128Load64Lane = (l: number, offset = 0): number[] => [...simd(0x57), ...memarg(offset), l]

/** 2^{−n/32} for n = 0 … TABLE_LEN − 1 sits at the start of the memory */
export const TABLE_LEN = 2048

const INV_LN2_32 = 32 / Math.LN2
const LN2_32_HI = 6.93147180369123816490e-1 / 32
const LN2_32_LO = 1.90821492927058770002e-10 / 32
const ROUND = 6755399441055744
const LOG_CLIP = Math.log(1e-20)

// rowExp: params u, a, y, l (byte addresses), n (i32)
const P_U = 0
const P_A = 1
const P_Y = 2
const P_L = 3
const P_N = 4
// i32 locals
const L_I = 5 // byte offset into the row
const L_END = 6 // 16·⌊n/2⌋
// f64 locals
const L_M = 7
const L_LO = 8
const L_S = 9
const L_E = 10
// v128 locals
const V_X = 11
const V_KF = 12
const V_R = 13
const V_T = 14
const V_M = 15
const V_M2 = 16
const V_MAX = 17
const V_MIN = 18
const V_NAN = 19
const V_C = 20 // 9 constants: INV, ROUND, HI, LO, 1/720, 1/120, 1/24, 1/6, 1/2
const CONSTS = [INV_LN2_32, ROUND, LN2_32_HI, LN2_32_LO, 1 / 720, 1 / 120, 1 / 24, 1 / 6, 1 / 2]
const C_INV = V_C
const C_ROUND = V_C + 1
const C_HI = V_C + 2
const C_LO = V_C + 3
const C_P = V_C + 4 // the five polynomial coefficients from 1/720 to 1/2

/** e = expNear(x) lane-wise for the vector in local V_X, left on the stack. */
function expVector(): number[] {
  const c: number[] = []
  // v = x·32/ln 2 + 1.5·2^52 holds k = kf in the low 32 bits of each lane (|k| < 2^31); kf = v − 1.5·2^52
  c.push(...get(V_X), ...get(C_INV), ...F64X2_MUL, ...get(C_ROUND), ...F64X2_ADD, ...tee(V_KF), ...get(C_ROUND), ...F64X2_SUB, ...set(V_R))
  // t: the table entry −k of each lane, at byte address −8·k
  c.push(...get(V_KF), ...I32X4_NEG, ...i32Const(3), ...I32X4_SHL, ...tee(V_T))
  c.push(...i32x4ExtractLane(0), ...v128Load64Splat(0), ...set(V_M2), ...get(V_T), ...i32x4ExtractLane(2), ...get(V_M2), ...v128Load64Lane(1), ...set(V_T))
  // r = (x − kf·hi) − kf·lo
  c.push(...get(V_X), ...get(V_R), ...get(C_HI), ...F64X2_MUL, ...F64X2_SUB, ...get(V_R), ...get(C_LO), ...F64X2_MUL, ...F64X2_SUB, ...set(V_R))
  // p = r + (r·r)·(1/2 + r·(1/6 + r·(1/24 + r·(1/120 + r·(1/720)))))
  c.push(...get(V_R)) // for the final r +
  c.push(...get(V_R), ...get(V_R), ...F64X2_MUL) // r·r
  c.push(...get(V_R), ...get(C_P), ...F64X2_MUL) // r·(1/720)
  for (let q = 1; q < 5; q++) {
    c.push(...get(C_P + q), ...F64X2_ADD) // 1/120 + …, then 1/24, 1/6, 1/2
    if (q < 4) c.push(...get(V_R), ...F64X2_MUL)
  }
  c.push(...F64X2_MUL, ...F64X2_ADD) // (r·r)·(…), r + …
  // e = t + t·p
  c.push(...set(V_R), ...get(V_T), ...get(V_T), ...get(V_R), ...F64X2_MUL, ...F64X2_ADD)
  return c
}

/** pass-1 bookkeeping for the vector in V_X: max, min and a NaN mask, lane-wise */
function track(): number[] {
  return [
    ...get(V_MAX), ...get(V_X), ...F64X2_PMAX, ...set(V_MAX),
    ...get(V_MIN), ...get(V_X), ...F64X2_PMIN, ...set(V_MIN),
    ...get(V_NAN), ...get(V_X), ...get(V_X), ...F64X2_NE, ...V128_OR, ...set(V_NAN),
  ]
}

function rowExpFunc(): FuncSpec {
  const c: number[] = []
  CONSTS.forEach((v, q) => c.push(...f64Const(v), ...F64X2_SPLAT, ...set(V_C + q)))
  c.push(...f64Const(-Infinity), ...F64X2_SPLAT, ...set(V_MAX), ...f64Const(Infinity), ...F64X2_SPLAT, ...set(V_MIN))
  c.push(...get(P_N), ...i32Const(-2), I32_AND, ...i32Const(3), I32_SHL, ...set(L_END))
  // pass 1, pairs: x = −u + a into l, tracked
  c.push(...BLOCK, ...get(L_END), I32_EQZ, BR_IF, 0, ...LOOP)
  c.push(...get(P_L), ...get(L_I), I32_ADD)
  c.push(...get(P_U), ...get(L_I), I32_ADD, ...v128Load(0), ...F64X2_NEG, ...get(P_A), ...get(L_I), I32_ADD, ...v128Load(0), ...F64X2_ADD, ...tee(V_X))
  c.push(...v128Store(0), ...track())
  c.push(...get(L_I), ...i32Const(16), I32_ADD, ...tee(L_I), ...get(L_END), I32_LT_U, BR_IF, 0, END, END)
  // pass 1, the odd last entry (in both lanes)
  c.push(...BLOCK, ...get(P_N), ...i32Const(1), I32_AND, I32_EQZ, BR_IF, 0)
  c.push(...get(P_L), ...get(L_END), I32_ADD)
  c.push(...get(P_U), ...get(L_END), I32_ADD, ...f64Load(0), F64_NEG, ...get(P_A), ...get(L_END), I32_ADD, ...f64Load(0), F64_ADD, ...tee(L_E))
  c.push(...f64Store(0), ...get(L_E), ...F64X2_SPLAT, ...set(V_X), ...track(), END)
  // m and lo over both lanes (equal values have equal bits except ±0: a zero max goes to the
  // JavaScript row, whose m is the first maximal entry; lo only enters the span test)
  c.push(...get(V_MAX), ...extractLane(1), ...get(V_MAX), ...extractLane(0), ...get(V_MAX), ...extractLane(0), ...get(V_MAX), ...extractLane(1), F64_LT, SELECT, ...set(L_M))
  c.push(...get(V_MIN), ...extractLane(1), ...get(V_MIN), ...extractLane(0), ...get(V_MIN), ...extractLane(1), ...get(V_MIN), ...extractLane(0), F64_LT, SELECT, ...set(L_LO))
  // a NaN, a zero max, or a span not ≤ 44: the JavaScript row
  c.push(...BLOCK)
  c.push(...get(V_NAN), ...V128_ANY_TRUE, I32_EQZ, ...get(L_M), ...f64Const(0), F64_NE, I32_AND)
  c.push(...get(L_M), ...get(L_LO), F64_SUB, ...f64Const(44), F64_LE, I32_AND, BR_IF, 0, ...f64Const(-1), RETURN, END)
  // pass 2, pairs: t = l − m into l; y = expNear(t); s += y lane 0, lane 1
  c.push(...get(L_M), ...F64X2_SPLAT, ...set(V_M), ...i32Const(0), ...set(L_I))
  c.push(...f64Const(0), ...set(L_S))
  c.push(...BLOCK, ...get(L_END), I32_EQZ, BR_IF, 0, ...LOOP)
  c.push(...get(P_L), ...get(L_I), I32_ADD, ...get(P_L), ...get(L_I), I32_ADD, ...v128Load(0), ...get(V_M), ...F64X2_SUB, ...tee(V_X), ...v128Store(0))
  c.push(...get(P_Y), ...get(L_I), I32_ADD, ...expVector(), ...tee(V_X), ...v128Store(0))
  c.push(...get(L_S), ...get(V_X), ...extractLane(0), F64_ADD, ...get(V_X), ...extractLane(1), F64_ADD, ...set(L_S))
  c.push(...get(L_I), ...i32Const(16), I32_ADD, ...tee(L_I), ...get(L_END), I32_LT_U, BR_IF, 0, END, END)
  // pass 2, the odd last entry: both lanes the same t, lane 0 kept
  c.push(...BLOCK, ...get(P_N), ...i32Const(1), I32_AND, I32_EQZ, BR_IF, 0)
  c.push(...get(P_L), ...get(L_END), I32_ADD, ...get(P_L), ...get(L_END), I32_ADD, ...f64Load(0), ...get(L_M), F64_SUB, ...tee(L_E), ...f64Store(0))
  c.push(...get(L_E), ...F64X2_SPLAT, ...set(V_X))
  c.push(...get(P_Y), ...get(L_END), I32_ADD, ...expVector(), ...extractLane(0), ...tee(L_E), ...f64Store(0))
  c.push(...get(L_S), ...get(L_E), F64_ADD, ...set(L_S), END)
  c.push(...get(L_S))
  return {
    name: 'rowExp',
    params: [I32, I32, I32, I32, I32],
    results: [F64],
    locals: [
      [2, I32],
      [4, F64],
      [9 + CONSTS.length, V128],
    ],
    code: c,
  }
}

// rowFinish: params y, l (byte addresses), n (i32), s, logS (f64)
const Q_Y = 0
const Q_L = 1
const Q_N = 2
const Q_S = 3
const Q_LOGS = 4
const Q_I = 5
const Q_END = 6
const Q_E = 7
const QV_S = 8
const QV_LOGS = 9
const QV_CLIP = 10

function rowFinishFunc(): FuncSpec {
  const c: number[] = []
  c.push(...get(Q_S), ...F64X2_SPLAT, ...set(QV_S), ...get(Q_LOGS), ...F64X2_SPLAT, ...set(QV_LOGS), ...f64Const(LOG_CLIP), ...F64X2_SPLAT, ...set(QV_CLIP))
  c.push(...get(Q_N), ...i32Const(-2), I32_AND, ...i32Const(3), I32_SHL, ...set(Q_END))
  c.push(...BLOCK, ...get(Q_END), I32_EQZ, BR_IF, 0, ...LOOP)
  c.push(...get(Q_Y), ...get(Q_I), I32_ADD, ...get(Q_Y), ...get(Q_I), I32_ADD, ...v128Load(0), ...get(QV_S), ...F64X2_DIV, ...v128Store(0))
  c.push(...get(Q_L), ...get(Q_I), I32_ADD, ...get(QV_CLIP), ...get(Q_L), ...get(Q_I), I32_ADD, ...v128Load(0), ...get(QV_LOGS), ...F64X2_SUB, ...F64X2_PMAX, ...v128Store(0))
  c.push(...get(Q_I), ...i32Const(16), I32_ADD, ...tee(Q_I), ...get(Q_END), I32_LT_U, BR_IF, 0, END, END)
  // the odd last entry
  c.push(...BLOCK, ...get(Q_N), ...i32Const(1), I32_AND, I32_EQZ, BR_IF, 0)
  c.push(...get(Q_Y), ...get(Q_END), I32_ADD, ...get(Q_Y), ...get(Q_END), I32_ADD, ...f64Load(0), ...get(Q_S), F64_DIV, ...f64Store(0))
  c.push(...get(Q_L), ...get(Q_END), I32_ADD)
  c.push(...get(Q_L), ...get(Q_END), I32_ADD, ...f64Load(0), ...get(Q_LOGS), F64_SUB, ...tee(Q_E), ...f64Const(LOG_CLIP), ...get(Q_E), ...f64Const(LOG_CLIP), F64_GT, SELECT)
  c.push(...f64Store(0), END)
  return {
    name: 'rowFinish',
    params: [I32, I32, I32, F64, F64],
    results: [],
    locals: [
      [2, I32],
      [1, F64],
      [3, V128],
    ],
    code: c,
  }
}

export interface SoftmaxKernel {
  /** the instance's memory: the table, then the caller's arrays */
  f64: Float64Array
  rowExp: (u: number, a: number, y: number, l: number, n: number) => number
  rowFinish: (y: number, l: number, n: number, s: number, logS: number) => void
}

/**
 * A fresh instance whose memory holds the 2^{−n/32} table (`table`, TABLE_LEN entries) and then
 * `doubles` more; null without WebAssembly SIMD (or with it switched off).
 */
export function softmaxKernel(table: Float64Array, doubles: number): SoftmaxKernel | null {
  const inst = instantiate('lame-test-time-adaptation softmax rows', () => [rowExpFunc(), rowFinishFunc()], TABLE_LEN + doubles)
  if (!inst) return null
  inst.f64.set(table.subarray(0, TABLE_LEN), 0)
  return { f64: inst.f64, rowExp: inst.exports.rowExp as SoftmaxKernel['rowExp'], rowFinish: inst.exports.rowFinish as SoftmaxKernel['rowFinish'] }
}
