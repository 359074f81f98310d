// IAM-6: a short, human description of the device behind a session ("Firefox 132 on Linux"), so
// a user can tell their own browsers from a stranger's in the device list. Parsed with bowser
// (MIT) from the user agent the session row already holds; nothing new is stored.
import Bowser from 'bowser'

/** Mobile systems whose major version is reported truthfully; desktop ones freeze theirs. */
const VERSIONED_OS = new Set(['Android', 'iOS'])

const KNOWN_BROWSERS = new Set<string>(Object.values(Bowser.BROWSER_MAP))
const KNOWN_OS = new Set<string>(Object.values(Bowser.OS_MAP))

/**
 * For anything the parser's tables do not know, bowser falls back to whatever text precedes the
 * first slash; only a plain product name of this shape is shown, never markup or control text.
 */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9 ._-]{0,39}$/

/** A client that is no browser names itself as `product/version` ("curl/8.5.0"). */
const PRODUCT = /^([A-Za-z][A-Za-z0-9._-]{0,39})\/(\d{1,6})/

export const UNKNOWN_DEVICE = 'Unknown device'

function major(version: string | undefined): string | undefined {
  const first = version?.split('.')[0]
  return first && /^\d{1,6}$/.test(first) ? first : undefined
}

function withVersion(name: string | undefined, version: string | undefined): string | undefined {
  return name && (version ? `${name} ${version}` : name)
}

function shownName(name: string | undefined, known: Set<string>): string | undefined {
  return name && (known.has(name) || PLAIN_NAME.test(name)) ? name : undefined
}

/**
 * Browser and operating system, each with its major version where that is meaningful. Only names
 * from the parser's tables, plain product names and digits reach the result, so a crafted user
 * agent cannot put arbitrary text in front of an admin.
 */
export function summarizeUserAgent(userAgent: string | null | undefined): string {
  if (!userAgent?.trim()) return UNKNOWN_DEVICE
  const parser = Bowser.getParser(userAgent)
  const browser = parser.getBrowser()
  const os = parser.getOS()
  const osName = shownName(os.name, KNOWN_OS)
  const browserText = withVersion(shownName(browser.name, KNOWN_BROWSERS), major(browser.version))
  const osText = withVersion(
    osName,
    osName && VERSIONED_OS.has(osName) ? major(os.version) : undefined,
  )
  if (browserText && osText) return `${browserText} on ${osText}`
  const either = browserText ?? osText
  if (either) return either
  const product = PRODUCT.exec(userAgent)
  return product ? `${product[1]} ${product[2]}` : UNKNOWN_DEVICE
}
