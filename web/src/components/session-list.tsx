// IAM-6: a list of live sessions with an end button on each and one for many at once, for the
// signed-in user's own sessions (/api/v1/me/sessions) and for another user's (an admin's view).
import { useState } from 'react'
import { api } from '../api/client.ts'
import type { DeviceSession } from '../api/types.ts'
import { useApi } from '../api/use-api.ts'
import { ConfirmButton } from './confirm.tsx'
import { Empty, ErrorMessage, formatDate, Loading, Success } from './ui.tsx'

interface SessionListProps {
  /** The sessions collection: GET lists, DELETE ends all, DELETE /<id> ends one. */
  path: string
  /**
   * Given for the signed-in user's own sessions: ending the current one calls it (signing out
   * here), and the bulk action ends only the others. Without it the list is another user's and
   * the bulk action ends every session.
   */
  signOutHere?(): Promise<void>
}

export function SessionList({ path, signOutHere }: SessionListProps) {
  const own = signOutHere !== undefined
  const { data, error, loading, reload } = useApi<{ sessions: DeviceSession[] }>(path)
  const [notice, setNotice] = useState<string | null>(null)
  const sessions = data?.sessions ?? []
  const others = sessions.filter((s) => !s.current)
  const endAll = async (query: string) => {
    const { revoked } = await api<{ revoked: number }>('DELETE', `${path}${query}`)
    setNotice(`${revoked} session(s) ended.`)
    reload()
  }
  return (
    <>
      <ErrorMessage error={error} />
      {notice ? <Success>{notice}</Success> : null}
      {loading && !data ? <Loading /> : null}
      {data && sessions.length === 0 ? <Empty>No live sessions.</Empty> : null}
      {sessions.length > 0 ? (
        <ul className="rows">
          {sessions.map((s) => {
            // Only the own list has "this browser": another user's sessions are never ours.
            const here = own && s.current
            return (
              <li key={s.id} className="row">
                <div>
                  <strong>{s.device}</strong>
                  {here ? <span className="badge">this browser</span> : null}
                  <br />
                  <small>
                    {s.ip ?? 'address unknown'} · signed in {formatDate(s.firstSeenAt)} · last seen{' '}
                    {formatDate(s.lastSeenAt)}
                  </small>
                </div>
                <ConfirmButton
                  title={here ? 'Sign out here?' : 'End this session?'}
                  message={
                    here
                      ? 'This ends the session of this browser: you will have to sign in again.'
                      : `${s.device} will be signed out at once.`
                  }
                  confirmLabel={here ? 'Sign out' : 'End session'}
                  onConfirm={async () => {
                    await api('DELETE', `${path}/${encodeURIComponent(s.id)}`)
                    if (here) return signOutHere?.()
                    if (!own) setNotice('Session ended.')
                    reload()
                  }}
                >
                  {here ? 'Sign out' : own ? 'Revoke' : 'End session'}
                </ConfirmButton>
              </li>
            )
          })}
        </ul>
      ) : null}
      {own && others.length > 0 ? (
        <ConfirmButton
          title="Sign out everywhere else?"
          message={`${others.length} other session(s) will end at once. This browser stays signed in.`}
          confirmLabel="Sign out the others"
          onConfirm={() => endAll('?others=true')}
        >
          Sign out all other sessions
        </ConfirmButton>
      ) : null}
      {!own && sessions.length > 1 ? (
        <ConfirmButton
          title="End every session?"
          message={`All ${sessions.length} sessions of this user end at once.`}
          confirmLabel="End all sessions"
          onConfirm={() => endAll('')}
        >
          End all sessions
        </ConfirmButton>
      ) : null}
    </>
  )
}
