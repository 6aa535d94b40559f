/**
 * The runs table's windowing, as pure functions: which rows are on screen (plus an overscan
 * margin) and which fixed-size blocks of rows must be fetched from the store to draw them.
 */

export interface RowWindow {
  /** first row index drawn */
  first: number
  /** one past the last row index drawn */
  end: number
}

/** Rows intersecting the viewport, widened by `overscan` rows each side, clamped to [0, total). */
export function visibleWindow(scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan = 10): RowWindow {
  if (total <= 0 || rowHeight <= 0) return { first: 0, end: 0 }
  const top = Math.max(0, Math.floor(scrollTop / rowHeight))
  const shown = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1
  const first = Math.max(0, Math.min(total - 1, top) - overscan)
  const end = Math.min(total, top + shown + overscan)
  return { first, end: Math.max(first, end) }
}

/** Indices of the blocks of `blockSize` rows that cover [first, end). */
export function blocksFor(w: RowWindow, blockSize: number): number[] {
  if (w.end <= w.first) return []
  const out: number[] = []
  for (let b = Math.floor(w.first / blockSize); b * blockSize < w.end; b++) out.push(b)
  return out
}

/**
 * Selection after a click on row `index` (id `id`): a plain click toggles it; a shift-click
 * selects every row between the anchor and it (ids given by `idsBetween`), keeping the rest.
 */
export function clickSelection(selected: readonly string[], id: string, shiftRange: readonly string[] | null): string[] {
  if (shiftRange) {
    const have = new Set(selected)
    return [...selected, ...shiftRange.filter((x) => !have.has(x))]
  }
  return selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id]
}

/** Parse a tag list typed as "a, b,  c" into distinct trimmed tags. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))]
}
