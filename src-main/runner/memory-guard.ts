/**
 * The worker's own memory guard. V8's resourceLimits cap the JS heap only; typed arrays live
 * outside it. Inside the worker, every typed array or ArrayBuffer of 1 MiB or more is checked
 * at construction against this isolate's heap plus external memory (V8 counts both per
 * isolate), so a solver that allocates without bound fails at the allocation that crosses the
 * limit, whether or not it records. Small arrays pass unchecked (no cost in hot loops).
 */
import { getHeapStatistics } from 'node:v8'

const CHECK_FROM_BYTES = 1 << 20

export class MemoryLimitError extends RangeError {
  constructor(limitMb: number, usedMb: number, requestMb: number) {
    super(`exceeded the memory limit of ${limitMb} MB (${usedMb.toFixed(0)} MB in use, ${requestMb.toFixed(0)} MB more requested)`)
    this.name = 'MemoryLimitError'
  }
}

export function usedMemoryMb(): number {
  const s = getHeapStatistics()
  return (s.used_heap_size + s.external_memory) / 2 ** 20
}

const TYPED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'Float64Array', 'Float32Array', 'Int32Array', 'Uint32Array', 'Int16Array',
  'Uint16Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'BigInt64Array', 'BigUint64Array',
] as const

/** Install the guard on this thread's globals (call once, in the worker, before the solver loads). */
export function installMemoryGuard(limitMb: number): void {
  const g = globalThis as unknown as Record<string, unknown>
  for (const name of TYPED) {
    const Ctor = g[name] as (new (...args: unknown[]) => object) & { BYTES_PER_ELEMENT?: number }
    if (typeof Ctor !== 'function') continue
    const perElement = Ctor.BYTES_PER_ELEMENT ?? 1
    g[name] = new Proxy(Ctor, {
      construct(target, args, newTarget) {
        const first = args[0]
        const bytes = typeof first === 'number' ? first * perElement : ArrayBuffer.isView(first) ? first.byteLength : Array.isArray(first) ? first.length * perElement : 0
        if (bytes >= CHECK_FROM_BYTES) {
          const used = usedMemoryMb()
          const request = bytes / 2 ** 20
          if (used + request > limitMb) throw new MemoryLimitError(limitMb, used, request)
        }
        return Reflect.construct(target, args, newTarget)
      },
    })
  }
}
