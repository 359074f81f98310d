// Shapes of the API answers the console reads (the OpenAPI document at /docs/json is the source).

export type SessionScope = 'full' | 'mfa_enrolment'

export interface Me {
  user: {
    id: string
    email: string
    emailVerified: boolean
    role: string
    /** AUTHZ-1: what the role allows; the console shows only what these reach. */
    permissions: string[]
  }
  tenant: { id: string; slug: string; name: string; region: string }
  session: { id: string; expiresAt: string; scope: SessionScope; authenticatedAt: string }
  csrfToken?: string
}

export interface SessionIssued {
  session: { id: string; expiresAt: string; scope: SessionScope }
  csrfToken?: string
}

export type SecondFactorMethod = 'totp' | 'recovery_code' | 'passkey'

export interface MfaChallenge {
  mfaRequired: true
  challenge: { token: string; expiresAt: string; methods: SecondFactorMethod[] }
}

export interface DeviceSession {
  id: string
  device: string
  userAgent: string | null
  ip: string | null
  firstSeenAt: string
  lastSeenAt: string
  expiresAt: string
  current: boolean
}

export interface MfaState {
  totp: { enabled: boolean; confirmedAt: string | null } | null
  recoveryCodes: { remaining: number }
  passkeys: { count: number }
}

export interface TotpEnrolment {
  otpauthUri: string
  qrCode: string
  secret: string
}

export interface Passkey {
  id: string
  name: string
  transports: string[]
  createdAt: string
  lastUsedAt: string | null
}

export interface InvitationSummary {
  organisation: { name: string; slug: string }
  email: string
  role: string
  expiresAt: string
}
