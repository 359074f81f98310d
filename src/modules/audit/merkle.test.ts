// LOG-2: the Merkle tree matches RFC 6962 as Certificate Transparency implements it, and every
// proof verifies while every altered proof, leaf, index or root fails.
import { describe, expect, it } from 'vitest'
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  memoryReader,
  rootOf,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts'

// Certificate Transparency's reference leaves and tree heads (transparency-dev/merkle testonly).
const DATA = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
]
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]
const CONSISTENCY = [
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
]

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => Buffer.from(s, 'hex')
const LEAVES = DATA.map((d) => leafHash(unhex(d)))

describe('RFC 6962 Merkle tree', () => {
  it('LOG-2: matches the reference roots for every size 0..8', () => {
    expect(hex(EMPTY_ROOT)).toBe(ROOTS[0])
    for (let n = 0; n <= 8; n++) expect(hex(rootOf(LEAVES.slice(0, n))), `size ${n}`).toBe(ROOTS[n])
  })

  it('LOG-2: produces and verifies the reference inclusion proofs', async () => {
    for (const v of INCLUSION) {
      const proof = await inclusionProof(memoryReader(LEAVES), v.index, v.size)
      expect(proof.map(hex)).toEqual(v.proof)
      const leaf = LEAVES[v.index] as Buffer
      expect(
        verifyInclusion(leaf, v.index, v.size, v.proof.map(unhex), unhex(ROOTS[v.size] as string)),
      ).toBe(true)
    }
  })

  it('LOG-2: produces and verifies the reference consistency proofs', async () => {
    for (const v of CONSISTENCY) {
      const proof = await consistencyProof(memoryReader(LEAVES), v.first, v.second)
      expect(proof.map(hex)).toEqual(v.proof)
      const [a, b] = [unhex(ROOTS[v.first] as string), unhex(ROOTS[v.second] as string)]
      expect(verifyConsistency(v.first, v.second, proof, a, b)).toBe(true)
    }
  })

  // Every tree shape up to 70 leaves: every proof verifies, and any change makes it fail.
  const many = Array.from({ length: 70 }, (_, i) => leafHash(`event-${i}`))

  it('LOG-2: every inclusion proof verifies in every tree size, and tampering fails', async () => {
    const read = memoryReader(many)
    for (let n = 1; n <= many.length; n++) {
      const root = rootOf(many.slice(0, n))
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(read, i, n)
        const leaf = many[i] as Buffer
        expect(verifyInclusion(leaf, i, n, proof, root)).toBe(true)
        expect(verifyInclusion(leafHash('forged'), i, n, proof, root)).toBe(false)
        expect(verifyInclusion(leaf, i, n, proof, leafHash('other root'))).toBe(false)
        if (n > 1) expect(verifyInclusion(leaf, (i + 1) % n, n, proof, root)).toBe(false)
        if (proof.length > 0) {
          const bent = proof.map((p, j) => (j === 0 ? leafHash(p) : p))
          expect(verifyInclusion(leaf, i, n, bent, root)).toBe(false)
          expect(verifyInclusion(leaf, i, n, proof.slice(1), root)).toBe(false)
        }
      }
    }
  })

  it('LOG-2: every consistency proof verifies for every pair of sizes, and tampering fails', async () => {
    const read = memoryReader(many)
    for (let n = 1; n <= 40; n++) {
      const second = rootOf(many.slice(0, n))
      for (let m = 1; m <= n; m++) {
        const first = rootOf(many.slice(0, m))
        const proof = await consistencyProof(read, m, n)
        expect(verifyConsistency(m, n, proof, first, second), `${m}->${n}`).toBe(true)
        if (m < n) {
          expect(verifyConsistency(m, n, proof, leafHash('x'), second)).toBe(false)
          expect(verifyConsistency(m, n, proof, first, leafHash('x'))).toBe(false)
          const forkedSecond = rootOf([
            ...many.slice(0, m - 1),
            leafHash('fork'),
            ...many.slice(m, n),
          ])
          expect(verifyConsistency(m, n, proof, first, forkedSecond)).toBe(false)
        }
      }
    }
  })

  it('refuses impossible indexes and sizes without throwing', () => {
    const root = rootOf(LEAVES)
    expect(verifyInclusion(LEAVES[0] as Buffer, 8, 8, [], root)).toBe(false)
    expect(verifyInclusion(LEAVES[0] as Buffer, -1, 8, [], root)).toBe(false)
    expect(verifyInclusion(LEAVES[0] as Buffer, 0.5, 8, [], root)).toBe(false)
    expect(verifyConsistency(0, 8, [], root, root)).toBe(false)
    expect(verifyConsistency(9, 8, [], root, root)).toBe(false)
  })
})
