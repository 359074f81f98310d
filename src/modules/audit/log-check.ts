// LOG-2: re-derives a stored log from its event texts and compares every stored hash with it:
// leaf hashes, the complete-subtree nodes and the head's size and frontier. Pure: the caller
// loads the rows (from the database, an export or a backup).
import {
  completeLevels,
  frontierFromLevels,
  type Hash,
  leafHash,
  pushLeaf,
  rootOfFrontier,
  type Subtree,
} from './merkle.ts'

export interface StoredLog {
  entries: { idx: number; leafHash: Buffer; event: string }[]
  nodes: { level: number; idx: number; hash: Buffer }[]
  head: { size: number; frontier: Buffer[] } | undefined
}

export type LogCheck =
  | { ok: true; size: number; root: Hash; leaves: Hash[] }
  | { ok: false; firstBadIndex: number; problem: string }

export function checkStoredLog(log: StoredLog): LogCheck {
  const leaves: Hash[] = []
  for (const [position, entry] of log.entries.entries()) {
    if (entry.idx !== position) {
      return { ok: false, firstBadIndex: position, problem: `entry ${position} is missing` }
    }
    const hash = leafHash(entry.event)
    if (!hash.equals(entry.leafHash)) {
      return { ok: false, firstBadIndex: position, problem: `entry ${position} was altered` }
    }
    leaves.push(hash)
  }
  const size = log.head?.size ?? 0
  if (size !== leaves.length) {
    const at = Math.min(size, leaves.length)
    return {
      ok: false,
      firstBadIndex: at,
      problem: `the log holds ${leaves.length} entries but its head says ${size}`,
    }
  }
  // One pass builds every complete subtree from the leaves; stored nodes, head and root are then
  // compared against it without hashing anything twice.
  const levels = completeLevels(leaves)
  for (const node of log.nodes) {
    const firstLeaf = node.idx * 2 ** node.level
    if (!levels[node.level]?.[node.idx]?.equals(node.hash)) {
      return {
        ok: false,
        firstBadIndex: firstLeaf,
        problem: `subtree ${node.level}/${node.idx} does not match its leaves`,
      }
    }
  }
  const frontier = frontierFromLevels(levels, size)
  const stored = log.head?.frontier ?? []
  if (
    frontier.length !== stored.length ||
    frontier.some((h, i) => !h.equals(stored[i] as Buffer))
  ) {
    return {
      ok: false,
      firstBadIndex: Math.max(0, size - 1),
      problem: 'the head does not match the entries',
    }
  }
  return { ok: true, size, root: rootOfFrontier(frontier), leaves }
}

/** Roots of the trees of the first `size` leaves, for each requested size, in one pass. */
export function rootsAtSizes(leaves: readonly Hash[], sizes: readonly number[]): Map<number, Hash> {
  const wanted = new Set(sizes.filter((n) => n >= 1 && n <= leaves.length))
  const roots = new Map<number, Hash>()
  const stack: Subtree[] = []
  for (const [i, leaf] of leaves.entries()) {
    pushLeaf(stack, leaf)
    if (wanted.has(i + 1)) roots.set(i + 1, rootOfFrontier(stack.map((s) => s.hash)))
  }
  return roots
}
