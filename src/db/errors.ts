/** True when err is PostgreSQL's unique_violation on the named constraint or index. */
export function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string }
  if (e?.code !== '23505') return false
  return e.constraint === constraint || (e.message ?? '').includes(`"${constraint}"`)
}
