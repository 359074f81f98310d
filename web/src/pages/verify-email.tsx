// IAM-1: the e-mail verification link (also the link that confirms a change of address).
import { useEffect, useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Loading, Success } from '../components/ui.tsx'
import { useFragmentToken } from './fragment-token.ts'

// The token is good for one use: it is posted once per page load, however often the effect runs
// (StrictMode runs it twice, a remount runs it again), and every run waits on that one answer, so
// no second post can fail and hide the first one's success.
const verifications = new Map<string, Promise<{ changed: boolean }>>()

function verifyOnce(token: string): Promise<{ changed: boolean }> {
  let verification = verifications.get(token)
  if (!verification) {
    verification = api<{ changed: boolean }>('POST', '/api/v1/email-verification', { token })
    verifications.set(token, verification)
  }
  return verification
}

export function VerifyEmail() {
  const token = useFragmentToken()
  const [result, setResult] = useState<{ changed: boolean } | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    if (!token) return
    let live = true
    verifyOnce(token).then(
      (answer) => {
        if (live) setResult(answer)
      },
      (failure: unknown) => {
        if (live) setError(failure)
      },
    )
    return () => {
      live = false
    }
  }, [token])
  return (
    <PublicFrame title="E-mail address">
      {!token ? (
        <p className="notice error" role="alert">
          This page needs the link from the e-mail. Open the link again, whole.
        </p>
      ) : result ? (
        <Success>
          {result.changed
            ? 'Your account now uses this address.'
            : 'Thank you: your address is verified.'}
        </Success>
      ) : error ? (
        <ErrorMessage error={error} />
      ) : (
        <Loading what="Checking the link" />
      )}
      <p className="links">
        <Link href="/">Go to the console</Link>
      </p>
    </PublicFrame>
  )
}
