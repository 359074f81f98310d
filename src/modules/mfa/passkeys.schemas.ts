// IAM-4, SEC-3: the WebAuthn JSON a browser sends (PublicKeyCredential.toJSON(), WebAuthn L3
// 5.1), with size limits. Shared by the registration routes, the passwordless routes and the
// second-factor step of sign-in, so every way in refuses the same malformed input with 400.
import { Type } from 'typebox'
import { CHALLENGE_ID_PATTERN } from './passkeys.challenges.ts'

/** base64url, padding tolerated (some libraries add it). */
const B64URL = '^[A-Za-z0-9_-]+={0,2}$'

function b64url(maxLength: number, description?: string) {
  return Type.String({
    minLength: 1,
    maxLength,
    pattern: B64URL,
    ...(description ? { description } : {}),
  })
}

/** Credential ids are at most 1023 bytes (WebAuthn 5.4.3): 1364 base64url characters. */
const CredentialId = b64url(1366, 'The credential id, base64url')

const Attachment = Type.Optional(
  Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]),
)

/** Extension outputs are the browser's; kept small, never interpreted. */
const ExtensionResults = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 16,
})

export const Transports = Type.Array(Type.String({ minLength: 1, maxLength: 32 }), {
  maxItems: 8,
  description: 'How the browser reaches the authenticator: usb, nfc, ble, internal, hybrid, ...',
})

export const RegistrationResponse = Type.Object(
  {
    id: CredentialId,
    rawId: CredentialId,
    type: Type.Literal('public-key'),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ExtensionResults,
    response: Type.Object(
      {
        clientDataJSON: b64url(8192),
        attestationObject: b64url(32768),
        authenticatorData: Type.Optional(b64url(16384)),
        transports: Type.Optional(Transports),
        publicKeyAlgorithm: Type.Optional(Type.Integer({ minimum: -65536, maximum: 65536 })),
        publicKey: Type.Optional(b64url(8192)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'PublicKeyCredential.toJSON() from create()' },
)

export const AuthenticationResponse = Type.Object(
  {
    id: CredentialId,
    rawId: CredentialId,
    type: Type.Literal('public-key'),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ExtensionResults,
    response: Type.Object(
      {
        clientDataJSON: b64url(8192),
        authenticatorData: b64url(16384),
        signature: b64url(2048),
        userHandle: Type.Optional(b64url(128)),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false, description: 'PublicKeyCredential.toJSON() from get()' },
)

export const ChallengeId = Type.String({
  pattern: CHALLENGE_ID_PATTERN,
  maxLength: 760,
  description: 'The challengeId that came with the options',
})

/**
 * The options as @simplewebauthn/server builds them, for navigator.credentials.create() / get()
 * (via PublicKeyCredential.parseCreationOptionsFromJSON and friends). Passed through as they are.
 */
export const WebAuthnOptions = Type.Unknown({
  description: 'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON',
})
