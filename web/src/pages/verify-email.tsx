// IAM-1: the e-mail verification link (also the link that confirms a change of address).
import { useEffect, useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Loading, Success } from '../components/ui.tsx'
import { useFragmentToken } from './fragment-token.ts'

export function VerifyEmail() {
  const token = useFragmentToken()
  const [result, setResult] = useState<{ changed: boolean } | null>(null)
  const [error, setError] = useState<unknown>(null)
  useEffect(() => {
    if (!token) return
    api<{ changed: boolean }>('POST', '/api/v1/email-verification', { token })
      .then(setResult)
      .catch(setError)
  }, [token])
  return (
    <PublicFrame title="E-mail address">
      {!token ? (
        <p className="notice error" role="alert">
          This page needs the link from the e-mail. Open the link again, whole.
        </p>
      ) : error ? (
        <ErrorMessage error={error} />
      ) : result ? (
        <Success>
          {result.changed
            ? 'Your account now uses this address.'
            : 'Thank you: your address is verified.'}
        </Success>
      ) : (
        <Loading what="Checking the link" />
      )}
      <p className="links">
        <Link href="/">Go to the console</Link>
      </p>
    </PublicFrame>
  )
}
