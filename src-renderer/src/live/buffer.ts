/**
 * The rows of one running run as they stream in ('runs:metrics' batches), column-major, with
 * bounded memory: past `maxRows` the buffer compacts itself to about `keepRows` rows with the
 * min/max decimation of src-shared/series (buckets uniform in x and in log x, so both linear
 * and log charts keep their detail and no extreme is lost). A run recording 10,000 iterations
 * a second for an hour therefore costs a few MB, not GBs.
 */
import { decimateMinMax } from '../../../src-shared/series'

export interface MetricsBatch {
  start: number
  count: number
  columns: Record<string, Float64Array>
}

export interface SeriesSnapshot {
  /** stored rows the snapshot summarises: rows [0, total) */
  total: number
  length: number
  columns: Record<string, Float64Array>
}

export class RunBuffer {
  private cols = new Map<string, Float64Array>()
  /** the run's row number of each buffered row (NaN for rows from a decimated snapshot) */
  private rowIndex = new Float64Array(0)
  private capacity = 0
  length = 0
  /** the row number the next batch should start at */
  nextRow = 0
  /** true when the buffer holds the run from its first row (no history to fetch) */
  fromStart = false
  /** bumped on every change, so views know when to redraw */
  version = 0
  /** how many times the buffer compacted (rows were decimated) */
  compactions = 0

  constructor(
    private readonly keyColumn = 'iteration',
    private readonly maxRows = 30_000,
    private readonly keepRows = 12_000,
  ) {}

  columnNames(): string[] {
    return [...this.cols.keys()]
  }

  column(name: string): Float64Array | undefined {
    const c = this.cols.get(name)
    return c ? c.subarray(0, this.length) : undefined
  }

  private ensure(extra: number): void {
    const need = this.length + extra
    if (need <= this.capacity) return
    const cap = Math.max(need, Math.min(this.capacity * 2 || 1024, need + this.maxRows))
    for (const [name, old] of this.cols) {
      const c = new Float64Array(cap).fill(NaN)
      c.set(old.subarray(0, this.length))
      this.cols.set(name, c)
    }
    const r = new Float64Array(cap)
    r.set(this.rowIndex.subarray(0, this.length))
    this.rowIndex = r
    this.capacity = cap
  }

  private columnFor(name: string): Float64Array {
    let c = this.cols.get(name)
    if (!c) {
      c = new Float64Array(this.capacity).fill(NaN) // a metric first recorded now: NaN before
      this.cols.set(name, c)
    }
    return c
  }

  append(batch: MetricsBatch): void {
    if (this.length === 0 && this.nextRow === 0 && batch.start === 0) this.fromStart = true
    // skip rows already held (a batch repeated after a reconnect, or covered by a snapshot)
    const skip = Math.max(0, this.nextRow - batch.start)
    const n = batch.count - skip
    if (n <= 0) return
    this.ensure(n)
    for (const [name, values] of Object.entries(batch.columns)) {
      this.columnFor(name).set(values.subarray(skip, skip + n), this.length)
    }
    for (const [name, c] of this.cols) {
      if (!(name in batch.columns)) c.fill(NaN, this.length, this.length + n)
    }
    for (let i = 0; i < n; i++) this.rowIndex[this.length + i] = batch.start + skip + i
    this.length += n
    this.nextRow = batch.start + batch.count
    this.version++
    if (this.length > this.maxRows) this.compact()
  }

  /**
   * Put the stored history in front of the streamed rows (when a page opens on a run that
   * was already going): streamed rows the snapshot covers are dropped.
   */
  merge(snapshot: SeriesSnapshot): void {
    let firstKept = 0
    while (firstKept < this.length && !(this.rowIndex[firstKept] >= snapshot.total)) firstKept++
    const tail = this.length - firstKept
    const names = new Set([...this.cols.keys(), ...Object.keys(snapshot.columns)])
    const cap = snapshot.length + tail + 1024
    const cols = new Map<string, Float64Array>()
    for (const name of names) {
      const c = new Float64Array(cap).fill(NaN)
      const s = snapshot.columns[name]
      if (s) c.set(s.subarray(0, snapshot.length))
      const old = this.cols.get(name)
      if (old) c.set(old.subarray(firstKept, this.length), snapshot.length)
      cols.set(name, c)
    }
    const r = new Float64Array(cap).fill(NaN)
    r.set(this.rowIndex.subarray(firstKept, this.length), snapshot.length)
    this.cols = cols
    this.rowIndex = r
    this.capacity = cap
    this.length = snapshot.length + tail
    this.nextRow = Math.max(this.nextRow, snapshot.total)
    this.fromStart = true
    this.version++
    if (this.length > this.maxRows) this.compact()
  }

  private compact(): void {
    const key = this.cols.get(this.keyColumn) ?? this.cols.values().next().value
    if (!key) return
    const x = key.subarray(0, this.length)
    const ys = [...this.cols.entries()].filter(([n]) => n !== this.keyColumn).map(([, c]) => c.subarray(0, this.length))
    const half = Math.floor(this.keepRows / 2)
    const keep = new Uint8Array(this.length)
    for (const i of decimateMinMax(x, ys, half, false)) keep[i] = 1
    for (const i of decimateMinMax(x, ys, half, true)) keep[i] = 1
    keep[this.length - 1] = 1
    let o = 0
    for (let i = 0; i < this.length; i++) {
      if (!keep[i]) continue
      if (o !== i) {
        for (const c of this.cols.values()) c[o] = c[i]
        this.rowIndex[o] = this.rowIndex[i]
      }
      o++
    }
    for (const c of this.cols.values()) c.fill(NaN, o, this.length)
    this.length = o
    this.compactions++
  }
}
