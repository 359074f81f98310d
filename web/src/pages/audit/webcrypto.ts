// LOG-4: the browser's primitives for the portable audit verifier (src/modules/audit/
// proof-verifier.ts): SHA-256 and Ed25519 from WebCrypto, so proofs are checked on this machine
// and not taken on the server's word.
import type { VerifierCrypto } from '../../../../src/modules/audit/proof-verifier.ts'

/** A copy on a plain ArrayBuffer, which WebCrypto's BufferSource type asks for. */
const own = (bytes: Uint8Array): Uint8Array<ArrayBuffer> => new Uint8Array(bytes)

export const webCrypto: VerifierCrypto = {
  async sha256(data) {
    return new Uint8Array(await crypto.subtle.digest('SHA-256', own(data)))
  },
  async verifyEd25519(spkiDer, message, signature) {
    const key = await crypto.subtle.importKey('spki', own(spkiDer), { name: 'Ed25519' }, false, [
      'verify',
    ])
    return crypto.subtle.verify({ name: 'Ed25519' }, key, own(signature), own(message))
  },
}
