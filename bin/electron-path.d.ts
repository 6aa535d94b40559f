/** The installed Electron binary, or null (never downloads it). */
export function electronBinary(): string | null
