// Small helpers every benchmark uses for its settings and its printed figures.

/** A number from the environment, or the fallback; anything else stops the benchmark. */
export function numberFromEnv(name: string, fallback: number, min: number, integer = true): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new Error(
      `${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got "${raw}"`,
    )
  }
  return value
}

export function mean(values: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i] as number
  return sum / Math.max(values.length, 1)
}

/** The middle value (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

/** A figure for a table: fixed digits, or '-' when there is none. */
export function fixed(value: number | null, digits: number): string {
  return value === null || Number.isNaN(value) ? '-' : value.toFixed(digits)
}

/** A text table: the first `leftColumns` columns left-aligned, the rest right-aligned. */
export function table(rows: string[][], leftColumns: number): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? []
  return rows
    .map((r) =>
      r
        .map((cell, i) =>
          i < leftColumns ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0),
        )
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
}

/** Progress lines of one benchmark, each with the seconds since `progressOf` was called. */
export function progressOf(name: string): (message: string) => void {
  const began = performance.now()
  return (message) =>
    console.log(`${name} [${((performance.now() - began) / 1000).toFixed(0)} s]: ${message}`)
}
