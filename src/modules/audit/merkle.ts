// LOG-2: RFC 6962 / RFC 9162 Merkle tree hashing, proofs and their verification. This file has no
// database access and no dependencies beyond node:crypto, so customers can use it to check an
// entry against a signed checkpoint on their own; the inclusion walk is proof-verifier.ts's, which
// the console runs in the browser with WebCrypto.
import { createHash, hash } from 'node:crypto'
import { inclusionRoot } from './proof-verifier.ts'

export type Hash = Buffer

const LEAF_PREFIX = Buffer.from([0x00])
const NODE_PREFIX = Buffer.from([0x01])
/** One reused buffer for node input: 0x01 || left || right. */
const nodeInput = Buffer.alloc(65, 0x01)

/** SHA-256(0x00 || data). One-shot hashing: createHash's per-call setup cost more than SHA-256. */
export function leafHash(data: Uint8Array | string): Hash {
  // U+0000 encodes to the single byte 0x00 in UTF-8: the prefix without another buffer.
  if (typeof data === 'string') return hash('sha256', `\u0000${data}`, 'buffer')
  return hash('sha256', Buffer.concat([LEAF_PREFIX, data]), 'buffer')
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Hash {
  if (left.length !== 32 || right.length !== 32) {
    return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest()
  }
  nodeInput.set(left, 1)
  nodeInput.set(right, 33)
  return hash('sha256', nodeInput, 'buffer')
}

/** The root of an empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest()

/** Largest power of two strictly below n (n >= 2). */
export function splitPoint(n: number): number {
  let k = 1
  while (k * 2 < n) k *= 2
  return k
}

/** A complete subtree: its root and how many leaves it covers. */
export interface Subtree {
  hash: Hash
  size: number
}

/** Appends a leaf to a stack of complete subtrees, merging equal neighbours: O(log n). */
export function pushLeaf(stack: Subtree[], leaf: Hash): void {
  let entry: Subtree = { hash: leaf, size: 1 }
  let top = stack.at(-1)
  while (top && top.size === entry.size) {
    stack.pop()
    entry = { hash: nodeHash(top.hash, entry.hash), size: top.size * 2 }
    top = stack.at(-1)
  }
  stack.push(entry)
}

/** The root of the tree whose complete subtrees, left to right, are these (its "frontier"). */
export function rootOfFrontier(frontier: readonly Hash[]): Hash {
  if (frontier.length === 0) return EMPTY_ROOT
  let root = frontier.at(-1) as Hash
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i] as Hash, root)
  return root
}

/**
 * The root of a list of leaf hashes, computed bottom-up with a stack of complete subtrees
 * (O(n) time, O(log n) memory); equal to RFC 6962's recursive MTH.
 */
export function rootOf(leaves: readonly Hash[]): Hash {
  const stack: Subtree[] = []
  for (const leaf of leaves) pushLeaf(stack, leaf)
  return rootOfFrontier(stack.map((s) => s.hash))
}

/** Hash of the complete, aligned subtree of 2^level leaves starting at index * 2^level. */
export type SubtreeReader = (level: number, index: number) => Hash | Promise<Hash>

/** MTH(D[start:end]) for ranges whose start is aligned to their split, as proofs produce. */
async function rangeHash(read: SubtreeReader, start: number, end: number): Promise<Hash> {
  const size = end - start
  if ((size & (size - 1)) === 0 && start % size === 0) {
    const level = Math.log2(size)
    return read(level, start / size)
  }
  const k = splitPoint(size)
  return nodeHash(await rangeHash(read, start, start + k), await rangeHash(read, start + k, end))
}

/** RFC 6962 PATH(m, D[n]): the audit path of leaf m in the tree of the first n leaves. */
export async function inclusionProof(
  read: SubtreeReader,
  index: number,
  size: number,
): Promise<Hash[]> {
  if (index < 0 || index >= size) throw new RangeError(`leaf ${index} is not in a tree of ${size}`)
  const path: Hash[] = []
  let start = 0
  let end = size
  let m = index
  const siblings: Promise<Hash>[] = []
  while (end - start > 1) {
    const k = splitPoint(end - start)
    if (m < k) {
      siblings.push(rangeHash(read, start + k, end))
      end = start + k
    } else {
      siblings.push(rangeHash(read, start, start + k))
      start += k
      m -= k
    }
  }
  // Collected from the root down; the proof lists them from the leaf up.
  for (const s of (await Promise.all(siblings)).reverse()) path.push(s)
  return path
}

/** RFC 6962 PROOF(m, D[n]): proves the tree of the first m leaves is a prefix of that of n. */
export async function consistencyProof(
  read: SubtreeReader,
  first: number,
  second: number,
): Promise<Hash[]> {
  if (first < 1 || first > second)
    throw new RangeError(`no consistency proof from ${first} to ${second}`)
  if (first === second) return []
  const parts: Promise<Hash>[] = []
  let start = 0
  let end = second
  let m = first
  let complete = true
  while (m !== end - start) {
    const k = splitPoint(end - start)
    if (m <= k) {
      parts.push(rangeHash(read, start + k, end))
      end = start + k
    } else {
      parts.push(rangeHash(read, start, start + k))
      start += k
      m -= k
      complete = false
    }
  }
  if (!complete) parts.push(rangeHash(read, start, end))
  return (await Promise.all(parts)).reverse()
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0
}

/** RFC 9162 section 2.1.3.2: does `proof` show leaf `index` with `leaf` in the tree `root` of `size`? */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  // The walk is the portable verifier's, which the console runs with WebCrypto.
  const walked = inclusionRoot<Uint8Array>(leaf, index, size, proof, nodeHash)
  return walked !== null && Buffer.from(walked).equals(Buffer.from(root))
}

/** RFC 9162 section 2.1.4.2: is the tree `second` of size `secondSize` an extension of `first`? */
export function verifyConsistency(
  firstSize: number,
  secondSize: number,
  proof: readonly Uint8Array[],
  first: Uint8Array,
  second: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(firstSize) || !Number.isSafeInteger(secondSize)) return false
  if (firstSize < 1 || firstSize > secondSize) return false
  if (firstSize === secondSize) {
    return proof.length === 0 && Buffer.from(first).equals(Buffer.from(second))
  }
  const path = isPowerOfTwo(firstSize) ? [first, ...proof] : [...proof]
  if (path.length === 0) return false
  let fn = firstSize - 1
  let sn = secondSize - 1
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  let fr: Uint8Array = path[0] as Uint8Array
  let sr: Uint8Array = path[0] as Uint8Array
  for (const c of path.slice(1)) {
    if (sn === 0) return false
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr)
      sr = nodeHash(c, sr)
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2)
          sn = Math.floor(sn / 2)
        }
      }
    } else {
      sr = nodeHash(sr, c)
    }
    fn = Math.floor(fn / 2)
    sn = Math.floor(sn / 2)
  }
  return (
    sn === 0 &&
    Buffer.from(fr).equals(Buffer.from(first)) &&
    Buffer.from(sr).equals(Buffer.from(second))
  )
}

/** levels[k][i]: the complete subtree of 2^k leaves starting at leaf i * 2^k. */
export function completeLevels(leaves: readonly Hash[]): (readonly Hash[])[] {
  const levels: (readonly Hash[])[] = [leaves]
  for (let below = leaves; below.length >= 2; ) {
    const level: Hash[] = new Array(Math.floor(below.length / 2))
    for (let i = 0; i < level.length; i++) {
      level[i] = nodeHash(below[2 * i] as Hash, below[2 * i + 1] as Hash)
    }
    levels.push(level)
    below = level
  }
  return levels
}

/** The frontier of the tree of the first `size` leaves, read from its complete levels. */
export function frontierFromLevels(levels: readonly (readonly Hash[])[], size: number): Hash[] {
  const frontier: Hash[] = []
  let start = 0
  for (let level = levels.length - 1; level >= 0; level--) {
    const width = 2 ** level
    if (start + width <= size) {
      frontier.push(levels[level]?.[start / width] as Hash)
      start += width
    }
  }
  return frontier
}

/** Reads complete subtrees from precomputed levels in O(1). */
export function levelsReader(levels: readonly (readonly Hash[])[]): SubtreeReader {
  return (level, index) => {
    const hash = levels[level]?.[index]
    if (!hash) throw new RangeError(`subtree ${level}/${index} is not complete`)
    return hash
  }
}

/** Reads complete subtrees of an in-memory list of leaf hashes (verifier, tests, benchmarks). */
export function memoryReader(leaves: readonly Hash[]): SubtreeReader {
  return levelsReader(completeLevels(leaves))
}
