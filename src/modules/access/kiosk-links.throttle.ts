// AUTHZ-3: failed kiosk-token guesses, counted per client address before any tenant is known.
// Every attempt is counted before its token is looked at and given back only when it succeeds,
// so however many guesses arrive at once, at most kioskThrottleAfter of them per window are
// checked. Past that the client is throttled (429 until its window ends, without any token being
// checked, and those attempts count too); at kioskBlockAfter it is blocked for kioskBlockSeconds,
// valid links included, and the block is recorded once on the platform log.
// An IPv6 client is counted by its /64 network: one subscriber commonly holds a whole /64, so
// counting single addresses would let one guesser take 2^64 fresh counters.
import ipaddr from 'ipaddr.js'
import type { RequestMeta, ServiceContext } from '../../context.ts'
import { type Trx, withAppRole } from '../../db/tenant.ts'
import { eventOrigin, recordPlatformEvent } from '../audit/audit.service.ts'
import { parseClientAddress } from './ip-allowlist.cidr.ts'
import { KioskErrors } from './kiosk-links.errors.ts'
import {
  blockClient,
  pruneGuards,
  releaseAttempt,
  reserveAttempt,
} from './kiosk-links.repository.ts'

/** The counter a request is charged to: its IPv4 address, or its IPv6 /64 network. */
function guardClient(ip: string): string {
  const address = parseClientAddress(ip)
  // Unparsable (or absent) addresses share one counter per spelling, never none.
  if (!address) return `?${ip.slice(0, 60) || 'unknown'}`
  if (address instanceof ipaddr.IPv6) {
    return `${address.parts
      .slice(0, 4)
      .map((part) => part.toString(16))
      .join(':')}::/64`
  }
  return address.toString()
}

function secondsUntil(when: number): number {
  return Math.max(1, Math.ceil((when - Date.now()) / 1000))
}

function blocked(until: Date): never {
  throw KioskErrors.ACCESS_KIOSK_BLOCKED(undefined, {
    retryAfterSeconds: secondsUntil(until.getTime()),
  })
}

export interface Attempt {
  /** The counter it is charged to. */
  client: string
  /** Its number in the client's current window. */
  failures: number
}

/**
 * Counts the attempt and refuses it when the client is blocked or throttled. The attempt is
 * given back (`giveBack`) once it has succeeded, or stays counted (`countFailure`).
 */
export async function admitAttempt(ctx: ServiceContext, meta: RequestMeta): Promise<Attempt> {
  const { kioskThrottleAfter, kioskWindowSeconds } = ctx.config.data
  const client = guardClient(meta.ip)
  const state = await withAppRole(ctx.db.db, ctx.db.appRole, (trx) =>
    reserveAttempt(trx, client, kioskWindowSeconds),
  )
  if (state.blockedUntil && state.blockedUntil.getTime() > Date.now()) blocked(state.blockedUntil)
  if (state.failures > kioskThrottleAfter) {
    await countFailure(ctx, client, state.failures, meta)
    throw KioskErrors.ACCESS_KIOSK_THROTTLED(undefined, {
      retryAfterSeconds: secondsUntil(state.windowStartedAt.getTime() + kioskWindowSeconds * 1000),
    })
  }
  return { client, failures: state.failures }
}

/** Gives a successful attempt back, inside the view's own transaction. */
export function giveBack(trx: Trx, client: string): Promise<void> {
  return releaseAttempt(trx, client)
}

/**
 * The attempt failed (or was throttled): it stays counted, and stale counters are cleared away a
 * batch at a time (at the guesser's expense). At kioskBlockAfter the client is blocked, the block
 * recorded once on the platform log, and the block thrown.
 */
export async function countFailure(
  ctx: ServiceContext,
  client: string,
  failures: number,
  meta: RequestMeta,
): Promise<void> {
  const { kioskBlockAfter, kioskBlockSeconds, kioskWindowSeconds } = ctx.config.data
  const mustBlock = failures >= kioskBlockAfter
  const newlyBlocked = await withAppRole(ctx.db.db, ctx.db.appRole, async (trx) => {
    await pruneGuards(trx, kioskWindowSeconds)
    return mustBlock && (await blockClient(trx, client, kioskBlockSeconds))
  })
  if (newlyBlocked) {
    await recordPlatformEvent(ctx.db, {
      category: 'platform',
      action: 'kiosk_link.client_block',
      outcome: 'failure',
      reason: 'too_many_failures',
      actor: { type: 'anonymous' },
      ...eventOrigin(meta),
    })
  }
  if (mustBlock) blocked(new Date(Date.now() + kioskBlockSeconds * 1000))
}
