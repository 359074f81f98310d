// IAM-4: who the passkeys belong to. The relying party id is the public URL's host name, so a
// credential made here is offered only on this site (and its subdomains' parent never); the
// browser reports the page's origin in every response, and only the public URL's origin passes.
import type { Config } from '../../config/config.ts'

/** Shown by authenticators beside the account name; the same issuer name TOTP apps show. */
export const RP_NAME = 'Rampart'

export interface RelyingParty {
  /** WebAuthn rpId: a host name, no scheme or port. */
  id: string
  name: string
  /** The one origin responses may come from. */
  origin: string
}

export function relyingParty(config: Pick<Config, 'publicUrl'>): RelyingParty {
  const url = new URL(config.publicUrl)
  return { id: url.hostname, name: RP_NAME, origin: url.origin }
}

/**
 * The WebAuthn user handle: the user's id as its 16 bytes. Opaque, stable and free of personal
 * data, as WebAuthn 14.6.1 asks; discoverable credentials hand it back at sign-in.
 */
export function userHandleOf(userId: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(Buffer.from(userId.replaceAll('-', ''), 'hex'))
}
