/**
 * What went wrong with the run database, in words a researcher can act on: which file, and
 * whether another program holds it, it is read-only, or the disk (or the file's size limit) is
 * full. The api sends this as an ApiError('storage') and the CLI prints it (exit 1).
 */
export function describeStorageError(err: unknown, path: string): string {
  const e = err as { code?: unknown; message?: unknown }
  const code = typeof e?.code === 'string' ? e.code : ''
  const cause = typeof e?.message === 'string' ? e.message : String(err)
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return `the run database ${path} is locked by another process (${cause}); close the other program or try again`
  }
  if (code.startsWith('SQLITE_READONLY')) {
    return `the run database ${path} is read-only (${cause}); check the file's and its folder's permissions`
  }
  if (code === 'SQLITE_FULL' || code === 'SQLITE_IOERR_WRITE' || code === 'SQLITE_IOERR_FSYNC' || code === 'SQLITE_IOERR_TRUNCATE') {
    return `the run database ${path} could not be written: the disk is full or the file reached its size limit (${cause})`
  }
  if (code.startsWith('SQLITE_')) return `the run database ${path} refused the change: ${cause} (${code})`
  if (cause.includes(path)) return cause
  return `the run database ${path} refused the change: ${cause}`
}
