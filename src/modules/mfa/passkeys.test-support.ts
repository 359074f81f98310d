// Test support for the passkey suites: a software authenticator (an ES256 key pair from
// node:crypto that builds clientDataJSON, authenticator data and a 'none' attestation in CBOR,
// and signs assertions), plus helpers that drive the routes and read what was audited.
import { createHash, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto'
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server'
import type { SignedIn } from '../../../test/support/app.ts'
import { withTenant } from '../../db/tenant.ts'
import { sequencePending } from '../audit/audit.service.ts'
import type { MfaTestApp } from './mfa.test-support.ts'
import { verifyPasskeyAssertion } from './passkeys.service.ts'

/** The test configuration's public URL: https://localhost:8443. */
export const ORIGIN = 'https://localhost:8443'
export const RP_ID = 'localhost'

// --- CBOR (RFC 8949), just the parts an attestation needs: integers, byte and text strings, maps.

type Cbor = number | string | Uint8Array | Map<Cbor, Cbor>

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n])
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n])
  if (n < 0x10000) return Buffer.from([(major << 5) | 25, n >> 8, n & 0xff])
  const b = Buffer.alloc(5)
  b[0] = (major << 5) | 26
  b.writeUInt32BE(n, 1)
  return b
}

export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value)
  if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8')
    return Buffer.concat([head(3, text.length), text])
  }
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), value])
  const parts = [head(5, value.size)]
  for (const [k, v] of value) parts.push(cbor(k), cbor(v))
  return Buffer.concat(parts)
}

// --- The authenticator.

const FLAG_UP = 0x01
const FLAG_UV = 0x04
const FLAG_AT = 0x40

export interface Ceremony {
  /** The page's origin as the browser reports it. */
  origin?: string
  /** The relying party id the authenticator hashes into its data. */
  rpId?: string
  /** Whether the user was verified (PIN, biometrics); true unless said otherwise. */
  uv?: boolean
  /** The signature counter to report; by default the next value. */
  counter?: number
  /** clientDataJSON.type, to send a create() response where get() was asked and so on. */
  type?: string
  /** The challenge to echo; by default the one in the options. */
  challenge?: string
  /** The user handle to report (assertions); by default the one given at registration. */
  userHandle?: string | null
}

const b64url = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('base64url')
const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest()

export class SoftAuthenticator {
  readonly credentialId: Buffer
  readonly #privateKey: KeyObject
  readonly publicKey: KeyObject
  /** The counter last reported; 0 until first use. */
  counter = 0
  userHandle: string | null = null

  constructor(
    /** How much the counter rises per use; 0 for an authenticator that keeps no counter. */
    readonly counterStep = 1,
  ) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    this.#privateKey = privateKey
    this.publicKey = publicKey
    this.credentialId = randomBytes(32)
  }

  get id(): string {
    return b64url(this.credentialId)
  }

  /** The COSE_Key (RFC 9053) of the public key: EC2, ES256, P-256. */
  coseKey(): Buffer {
    const jwk = this.publicKey.export({ format: 'jwk' })
    return cbor(
      new Map<Cbor, Cbor>([
        [1, 2],
        [3, -7],
        [-1, 1],
        [-2, Buffer.from(jwk.x as string, 'base64url')],
        [-3, Buffer.from(jwk.y as string, 'base64url')],
      ]),
    )
  }

  #nextCounter(ceremony: Ceremony): number {
    const counter =
      ceremony.counter ?? (this.counterStep === 0 ? 0 : this.counter + this.counterStep)
    this.counter = Math.max(this.counter, counter)
    return counter
  }

  #authData(rpId: string, flags: number, counter: number, attested?: Buffer): Buffer {
    const count = Buffer.alloc(4)
    count.writeUInt32BE(counter)
    return Buffer.concat([
      sha256(rpId),
      Buffer.from([flags]),
      count,
      ...(attested ? [attested] : []),
    ])
  }

  #clientData(type: string, challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }))
  }

  /** What navigator.credentials.create() would give for these options. */
  attest(
    options: PublicKeyCredentialCreationOptionsJSON,
    ceremony: Ceremony = {},
  ): RegistrationResponseJSON {
    this.userHandle = options.user.id
    const flags = FLAG_UP | FLAG_AT | (ceremony.uv === false ? 0 : FLAG_UV)
    const idLength = Buffer.alloc(2)
    idLength.writeUInt16BE(this.credentialId.length)
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, this.coseKey()])
    const authData = this.#authData(ceremony.rpId ?? RP_ID, flags, ceremony.counter ?? 0, attested)
    const attestationObject = cbor(
      new Map<Cbor, Cbor>([
        ['fmt', 'none'],
        ['attStmt', new Map()],
        ['authData', authData],
      ]),
    )
    const clientDataJSON = this.#clientData(
      ceremony.type ?? 'webauthn.create',
      ceremony.challenge ?? options.challenge,
      ceremony.origin ?? ORIGIN,
    )
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ['internal', 'hybrid'],
      },
    }
  }

  /** What navigator.credentials.get() would give for these options, signed with the key. */
  assert(
    options: PublicKeyCredentialRequestOptionsJSON,
    ceremony: Ceremony = {},
    signWith: SoftAuthenticator = this,
  ): AuthenticationResponseJSON {
    const flags = FLAG_UP | (ceremony.uv === false ? 0 : FLAG_UV)
    const authData = this.#authData(ceremony.rpId ?? RP_ID, flags, this.#nextCounter(ceremony))
    const clientDataJSON = this.#clientData(
      ceremony.type ?? 'webauthn.get',
      ceremony.challenge ?? options.challenge,
      ceremony.origin ?? ORIGIN,
    )
    const signature = sign(
      'sha256',
      Buffer.concat([authData, sha256(clientDataJSON)]),
      signWith.#privateKey,
    )
    const userHandle = ceremony.userHandle === undefined ? this.userHandle : ceremony.userHandle
    return {
      id: this.id,
      rawId: this.id,
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(userHandle ? { userHandle } : {}),
      },
    }
  }
}

// --- Route helpers.

export interface RegistrationOptions {
  challengeId: string
  options: PublicKeyCredentialCreationOptionsJSON
}

export interface AuthenticationOptions {
  challengeId: string
  options: PublicKeyCredentialRequestOptionsJSON
}

export interface PasskeyReply {
  id: string
  name: string
  transports: string[]
  createdAt: string
  lastUsedAt: string | null
}

export async function registrationOptions(
  t: MfaTestApp,
  who: SignedIn,
): Promise<RegistrationOptions> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/passkeys/options',
    headers: who.authorization,
  })
  if (res.statusCode !== 201) throw new Error(`options failed: ${res.statusCode} ${res.body}`)
  return res.json() as RegistrationOptions
}

export function submitRegistration(t: MfaTestApp, who: SignedIn, payload: unknown) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/me/mfa/passkeys',
    headers: { ...who.authorization, 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
  })
}

/** Registers `authenticator` for `who` through the routes; returns the stored passkey. */
export async function registerPasskey(
  t: MfaTestApp,
  who: SignedIn,
  authenticator: SoftAuthenticator,
  name = 'Work laptop',
): Promise<PasskeyReply> {
  const { challengeId, options } = await registrationOptions(t, who)
  const res = await submitRegistration(t, who, {
    challengeId,
    name,
    response: authenticator.attest(options),
  })
  if (res.statusCode !== 201) throw new Error(`registration failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { passkey: PasskeyReply }).passkey
}

export async function listPasskeysOf(t: MfaTestApp, who: SignedIn): Promise<PasskeyReply[]> {
  const res = await t.app.inject({
    method: 'GET',
    url: '/api/v1/me/mfa/passkeys',
    headers: who.authorization,
  })
  if (res.statusCode !== 200) throw new Error(`list failed: ${res.statusCode} ${res.body}`)
  return (res.json() as { passkeys: PasskeyReply[] }).passkeys
}

export async function passwordlessOptions(
  t: MfaTestApp,
  slug: string,
): Promise<AuthenticationOptions> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/passkey/options',
    payload: { tenant: slug },
  })
  if (res.statusCode !== 200) throw new Error(`options failed: ${res.statusCode} ${res.body}`)
  return res.json() as AuthenticationOptions
}

export function passwordlessSignIn(
  t: MfaTestApp,
  payload: unknown,
  cookies?: Record<string, string>,
) {
  return t.app.inject({
    method: 'POST',
    url: '/api/v1/sessions/passkey',
    headers: { 'content-type': 'application/json' },
    payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
    ...(cookies ? { cookies } : {}),
  })
}

/** verifyPasskeyAssertion in a transaction of its own, committed whatever the answer. */
export function verifyAssertion(
  t: MfaTestApp,
  tenantId: string,
  challengeId: string,
  response: unknown,
  expectedUserId: string | null,
): Promise<string | null> {
  return withTenant(t.database.handle, tenantId, (trx) =>
    verifyPasskeyAssertion(t.ctx, trx, tenantId, { challengeId, response, expectedUserId }),
  )
}

/** The organisation's audit events, oldest first, read on the owner connection. */
export async function eventsOf(
  t: MfaTestApp,
  tenantId: string,
): Promise<
  {
    action: string
    outcome: string
    reason?: string
    actor: { id?: string }
    target?: { type: string; id?: string }
    text: string
  }[]
> {
  await sequencePending(t.database.handle)
  const rows = await t.database.handle.db
    .selectFrom('audit_entries')
    .select('event')
    .where('tenant_id', '=', tenantId)
    .orderBy('idx')
    .execute()
  return rows.map((r) => ({ ...JSON.parse(r.event), text: r.event }))
}

/** The stored row of a passkey, on the owner connection (tests only). */
export function storedPasskey(t: MfaTestApp, id: string) {
  return t.database.handle.db
    .selectFrom('mfa_passkeys')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst()
}
