// LOG-2, LOG-4: the portable verifier, run with the console's own WebCrypto adapter (Node has
// WebCrypto too), accepts exactly the proofs merkle.ts accepts and refuses any altered part.
import { generateKeyPairSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { webCrypto } from '../../../web/src/pages/audit/webcrypto.ts'
import { signerFromPrivateKey } from './checkpoint.ts'
import { inclusionProof, leafHash, memoryReader, rootOf, verifyInclusion } from './merkle.ts'
import { checkCheckpoint, checkInclusion, type InclusionAnswer } from './proof-verifier.ts'

const signer = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey)
const LOG = '3f2c0d1e-0000-4000-8000-000000000001'

async function answerFor(events: string[], index: number): Promise<InclusionAnswer> {
  const leaves = events.map((e) => leafHash(e))
  const proof = await inclusionProof(memoryReader(leaves), index, leaves.length)
  const checkpoint = signer.sign({
    log: LOG,
    size: leaves.length,
    root: rootOf(leaves).toString('hex'),
    time: '2026-12-01T12:00:00.000Z',
  })
  return {
    index,
    leafHash: (leaves[index] as Buffer).toString('hex'),
    event: events[index] as string,
    proof: proof.map((h) => h.toString('hex')),
    checkpoint,
  }
}

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ action: 'x.y', i }))
const flip = (hex: string) => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`

describe('portable audit verifier', () => {
  it('LOG-2: accepts every entry of trees of many sizes, as merkle.ts does', async () => {
    for (const size of [1, 2, 3, 5, 8, 13]) {
      for (let index = 0; index < size; index++) {
        const answer = await answerFor(events(size), index)
        const proof = answer.proof.map((h) => Buffer.from(h, 'hex'))
        const root = Buffer.from(answer.checkpoint.root, 'hex')
        expect(verifyInclusion(leafHash(answer.event), index, size, proof, root)).toBe(true)
        expect(await checkInclusion(webCrypto, answer, signer.publicKey, LOG)).toEqual({ ok: true })
      }
    }
  })

  it('LOG-2: refuses an altered proof, event, index, size, root, signature, key or log', async () => {
    const good = await answerFor(events(11), 6)
    const refused = async (answer: InclusionAnswer, key = signer.publicKey, log = LOG) =>
      expect((await checkInclusion(webCrypto, answer, key, log)).ok).toBe(false)
    await refused({ ...good, proof: [flip(good.proof[0] as string), ...good.proof.slice(1)] })
    await refused({ ...good, proof: good.proof.slice(1) })
    await refused({ ...good, proof: [...good.proof, good.proof[0] as string] })
    await refused({ ...good, event: good.event.replace('x.y', 'x.z') })
    await refused({ ...good, index: 7 })
    await refused({ ...good, checkpoint: { ...good.checkpoint, size: 12 } })
    await refused({ ...good, checkpoint: { ...good.checkpoint, root: flip(good.checkpoint.root) } })
    await refused({
      ...good,
      checkpoint: {
        ...good.checkpoint,
        signature: `${good.checkpoint.signature[0] === 'A' ? 'B' : 'A'}${good.checkpoint.signature.slice(1)}`,
      },
    })
    const other = signerFromPrivateKey(generateKeyPairSync('ed25519').privateKey)
    await refused(good, other.publicKey)
    await refused(good, signer.publicKey, 'platform')
  })

  it('LOG-2: checks a checkpoint signature on its own', async () => {
    const { checkpoint } = await answerFor(events(3), 0)
    expect(await checkCheckpoint(webCrypto, checkpoint, signer.publicKey, LOG)).toEqual({
      ok: true,
    })
    const later = { ...checkpoint, time: '2026-12-01T12:00:01.000Z' }
    expect(await checkCheckpoint(webCrypto, later, signer.publicKey, LOG)).toEqual({
      ok: false,
      problem: 'the signature does not verify',
    })
  })
})
