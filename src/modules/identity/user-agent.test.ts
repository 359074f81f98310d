// IAM-6: the device summary names browser and system from the stored user agent, and never shows
// text a client could craft beyond plain product names and digits.
import { describe, expect, it } from 'vitest'
import { FIREFOX_LINUX, SAFARI_IPHONE } from './devices.test-support.ts'
import { summarizeUserAgent, UNKNOWN_DEVICE } from './user-agent.ts'

describe('summarizeUserAgent', () => {
  it.each([
    [FIREFOX_LINUX, 'Firefox 132 on Linux'],
    [SAFARI_IPHONE, 'Safari 17 on iOS 17'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86',
      'Microsoft Edge 131 on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari 18 on macOS',
    ],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
      'Chrome 131 on Android 14',
    ],
    ['curl/8.5.0', 'curl 8'],
    ['python-requests/2.31.0', 'python-requests 2'],
  ])('IAM-6: %s -> %s', (ua, summary) => {
    expect(summarizeUserAgent(ua)).toBe(summary)
  })

  it.each([null, undefined, '', '   ', '%%%', 'x'.repeat(512)])(
    'IAM-6: an absent or meaningless user agent is an unknown device (%#)',
    (ua) => {
      expect(summarizeUserAgent(ua)).toBe(UNKNOWN_DEVICE)
    },
  )

  it('IAM-6: markup and control characters in a crafted user agent never reach the summary', () => {
    for (const ua of [
      '<script>alert(1)</script>/1.0 (x',
      'Evil <b>Name</b> x/1.0 (foo',
      'Name\u0000\n\u001b[31m/1.0 (x',
    ]) {
      expect(summarizeUserAgent(ua)).toMatch(/^[A-Za-z0-9 ._-]+$/)
    }
  })
})
