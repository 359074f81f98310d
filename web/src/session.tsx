// Who is signed in, for every screen: GET /api/v1/me at start and after each sign-in, the CSRF
// token handed to the API client, and sign-out.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from 'react'
import { ApiError, api, setCsrfToken, setSessionLostHandler } from './api/client.ts'
import type { Me } from './api/types.ts'

type SessionState =
  | { status: 'loading' }
  /** The first look-up failed for another reason than "no session" (network, 5xx). */
  | { status: 'unavailable'; error: unknown }
  | { status: 'signed-out'; expired: boolean }
  | { status: 'signed-in'; me: Me }

interface SessionApi {
  state: SessionState
  /** Re-reads /me: after sign-in, step-up or enrolment. */
  refresh(): Promise<void>
  /** After a sign-in answered with a CSRF token. */
  signedIn(csrfToken: string | undefined): Promise<void>
  signOut(): Promise<void>
}

const SessionContext = createContext<SessionApi | null>(null)

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<SessionState>({ status: 'loading' })

  const refresh = useCallback(async () => {
    try {
      const me = await api<Me>('GET', '/api/v1/me')
      setCsrfToken(me.csrfToken ?? null)
      setState({ status: 'signed-in', me })
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        setCsrfToken(null)
        setState({ status: 'signed-out', expired: false })
        return
      }
      throw error
    }
  }, [])

  useEffect(() => {
    setSessionLostHandler(() => {
      setCsrfToken(null)
      setState((previous) =>
        previous.status === 'signed-in' ? { status: 'signed-out', expired: true } : previous,
      )
    })
    // A valid session must not look signed out because the server was briefly unreachable.
    refresh().catch((error: unknown) => setState({ status: 'unavailable', error }))
    return () => setSessionLostHandler(null)
  }, [refresh])

  const signedIn = useCallback(
    async (csrfToken: string | undefined) => {
      setCsrfToken(csrfToken ?? null)
      await refresh()
    },
    [refresh],
  )

  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/api/v1/sessions/current')
    } finally {
      setCsrfToken(null)
      setState({ status: 'signed-out', expired: false })
    }
  }, [])

  return (
    <SessionContext.Provider value={{ state, refresh, signedIn, signOut }}>
      {children}
    </SessionContext.Provider>
  )
}

export function useSession(): SessionApi {
  const session = useContext(SessionContext)
  if (!session) throw new Error('useSession outside SessionProvider')
  return session
}

/** The signed-in user; only for screens behind RequireSession. */
export function useMe(): Me {
  const { state } = useSession()
  if (state.status !== 'signed-in') throw new Error('useMe without a session')
  return state.me
}

/**
 * AUTHZ-1: whether the signed-in user's role holds any of these permissions. The API decides;
 * this only keeps out of sight what it would refuse.
 */
export function useCan(): (...permissions: string[]) => boolean {
  const me = useMe()
  return (...permissions) => permissions.some((p) => me.user.permissions.includes(p))
}
