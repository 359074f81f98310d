// LOG-2: re-derives a stored log from its event texts and compares every stored hash with it:
// leaf hashes, the complete-subtree nodes and the head's size and frontier. Pure: the caller
// loads the rows (from the database, an export or a backup).
import {
  type Hash,
  leafHash,
  nodeHash,
  pushLeaf,
  rootOf,
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
  // Every stored node must be the hash of its two children as re-derived from the leaves.
  const levels: Hash[][] = [leaves]
  for (const node of [...log.nodes].sort((a, b) => a.level - b.level || a.idx - b.idx)) {
    const below = levels[node.level - 1]
    const left = below?.[node.idx * 2]
    const right = below?.[node.idx * 2 + 1]
    const firstLeaf = node.idx * 2 ** node.level
    if (!left || !right || !nodeHash(left, right).equals(node.hash)) {
      return {
        ok: false,
        firstBadIndex: firstLeaf,
        problem: `subtree ${node.level}/${node.idx} does not match its leaves`,
      }
    }
    const level = levels[node.level] ?? []
    level[node.idx] = node.hash
    levels[node.level] = level
  }
  const frontier = frontierOf(leaves)
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
  return { ok: true, size, root: rootOf(leaves), leaves }
}

/** Roots of the complete subtrees of a tree of these leaves, left to right. */
export function frontierOf(leaves: readonly Hash[]): Hash[] {
  const stack: Subtree[] = []
  for (const leaf of leaves) pushLeaf(stack, leaf)
  return stack.map((s) => s.hash)
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
