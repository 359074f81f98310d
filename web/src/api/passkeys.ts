// IAM-4: passkeys through the browser's WebAuthn API (@simplewebauthn/browser turns the server's
// JSON options into navigator.credentials calls and the answers back into JSON). The server
// makes and checks every challenge; the browser only carries them to the authenticator.
import {
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  startAuthentication,
  startRegistration,
} from '@simplewebauthn/browser'
import { ApiError, api } from './client.ts'

interface Started<T> {
  challengeId: string
  options: T
}

/** A refusal or failure of the browser's own (cancelled, timed out, no authenticator) as an ApiError. */
function browserFailure(error: unknown): ApiError {
  const name = (error as { name?: unknown })?.name
  if (name === 'NotAllowedError' || name === 'AbortError') {
    return new ApiError(0, 'PASSKEY_CANCELLED', 'The passkey request was cancelled or timed out')
  }
  if (name === 'InvalidStateError') {
    return new ApiError(0, 'MFA_PASSKEY_ALREADY_REGISTERED', 'This passkey is already registered')
  }
  return new ApiError(0, 'PASSKEY_UNAVAILABLE', 'This browser could not use a passkey here')
}

/** Asks the server for options at `optionsPath`, then the authenticator for an assertion. */
export async function answerWithPasskey(optionsPath: string, body: unknown = {}) {
  const { challengeId, options } = await api<Started<PublicKeyCredentialRequestOptionsJSON>>(
    'POST',
    optionsPath,
    body,
  )
  try {
    const response = await startAuthentication({ optionsJSON: options })
    return { challengeId, response }
  } catch (error) {
    throw browserFailure(error)
  }
}

/** Registration: options from the server, a new credential from the authenticator, stored by name. */
export async function registerPasskey(name: string): Promise<void> {
  const { challengeId, options } = await api<Started<PublicKeyCredentialCreationOptionsJSON>>(
    'POST',
    '/api/v1/me/mfa/passkeys/options',
    {},
  )
  let response: Awaited<ReturnType<typeof startRegistration>>
  try {
    response = await startRegistration({ optionsJSON: options })
  } catch (error) {
    throw browserFailure(error)
  }
  await api('POST', '/api/v1/me/mfa/passkeys', { challengeId, name, response })
}
