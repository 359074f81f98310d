// IAM-4: our TOTP is RFC 6238's: otpauth reproduces the RFC's SHA-1 test vectors, our six-digit
// codes are the vectors' last six digits, and a code is accepted one step either side, no further.
import { Secret, TOTP } from 'otpauth'
import { describe, expect, it } from 'vitest'
import { matchingStep, newTotpSecret, timeStep, totpEnrolment } from './totp.ts'

// RFC 6238 Appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
const RFC_SECRET = Buffer.from('12345678901234567890', 'ascii')
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
]

function rfcCode(seconds: number, digits: number): string {
  return TOTP.generate({
    secret: new Secret({ buffer: Uint8Array.from(RFC_SECRET).buffer }),
    algorithm: 'SHA1',
    digits,
    period: 30,
    timestamp: seconds * 1000,
  })
}

describe('RFC 6238 conformance', () => {
  it.each(RFC_VECTORS)(
    'IAM-4: otpauth with 8 digits gives the RFC 6238 SHA-1 vector at T=%i',
    (seconds, code) => {
      expect(rfcCode(seconds, 8)).toBe(code)
    },
  )

  it.each(RFC_VECTORS)(
    'IAM-4: our 6-digit configuration accepts the last six digits of the vector at T=%i',
    (seconds, code) => {
      expect(rfcCode(seconds, 6)).toBe(code.slice(2))
      const at = seconds * 1000
      expect(matchingStep(RFC_SECRET, code.slice(2), at)).toBe(timeStep(at))
    },
  )

  it('IAM-4: one step either side is accepted and reported as its own step; two are not', () => {
    const at = 1111111111 * 1000
    const step = timeStep(at)
    const codeAt = (offset: number) => rfcCode(1111111111 + offset * 30, 6)
    expect(matchingStep(RFC_SECRET, codeAt(-1), at)).toBe(step - 1)
    expect(matchingStep(RFC_SECRET, codeAt(1), at)).toBe(step + 1)
    expect(matchingStep(RFC_SECRET, codeAt(-2), at)).toBeNull()
    expect(matchingStep(RFC_SECRET, codeAt(2), at)).toBeNull()
  })

  it('IAM-4: the eight-digit code, letters, signs and padding are not six-digit codes', () => {
    const at = 59_000
    for (const code of ['94287082', '287082 ', ' 287082', '+87082', '28708a', '２８７０８２', '']) {
      expect(matchingStep(RFC_SECRET, code, at), JSON.stringify(code)).toBeNull()
    }
  })

  it('IAM-4: secrets are 160 random bits; the URI says SHA1, 6 digits, 30 s and the issuer', () => {
    const a = newTotpSecret()
    expect(a).toHaveLength(20)
    expect(a.equals(newTotpSecret())).toBe(false)
    const { uri, base32 } = totpEnrolment(a, 'someone@example.test (acme)')
    expect(base32).toMatch(/^[A-Z2-7]{32}$/)
    const url = new URL(uri)
    expect(url.protocol).toBe('otpauth:')
    expect(url.host).toBe('totp')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      issuer: 'Rampart',
      secret: base32,
      algorithm: 'SHA1',
      digits: '6',
      period: '30',
    })
    expect(decodeURIComponent(url.pathname)).toBe('/Rampart:someone@example.test (acme)')
  })
})
