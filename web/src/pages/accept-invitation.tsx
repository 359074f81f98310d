// IAM-1: the invitation link. Shows what it is for, then creates the account with a password.
import { useEffect, useState } from 'react'
import { Link } from 'wouter'
import { api } from '../api/client.ts'
import type { InvitationSummary } from '../api/types.ts'
import { PublicFrame } from '../components/shell.tsx'
import {
  ErrorMessage,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../components/ui.tsx'
import { useFragmentToken } from './fragment-token.ts'
import { NewPasswordFields } from './new-password.tsx'

export function AcceptInvitation() {
  const token = useFragmentToken()
  const [invitation, setInvitation] = useState<InvitationSummary | null>(null)
  const [loadError, setLoadError] = useState<unknown>(null)
  const [password, setPassword] = useState<string | null>(null)
  const [accepted, setAccepted] = useState<{ slug: string; email: string } | null>(null)
  const { busy, error, run } = useAction()

  useEffect(() => {
    if (!token) return
    // An answer for a link the page no longer shows (or after it went away) is dropped.
    let live = true
    api<InvitationSummary>('POST', '/api/v1/invitations/inspect', { token })
      .then((answer) => {
        if (live) setInvitation(answer)
      })
      .catch((failure: unknown) => {
        if (live) setLoadError(failure)
      })
    return () => {
      live = false
    }
  }, [token])

  if (!token) {
    return (
      <PublicFrame title="Invitation">
        <p className="notice error" role="alert">
          This page needs the link from your invitation e-mail. Open the link again, whole.
        </p>
      </PublicFrame>
    )
  }
  if (loadError) {
    return (
      <PublicFrame title="Invitation">
        <ErrorMessage error={loadError} />
      </PublicFrame>
    )
  }
  if (!invitation) return <Loading what="Reading the invitation" />
  if (accepted) {
    const query = new URLSearchParams({ tenant: accepted.slug, email: accepted.email })
    return (
      <PublicFrame title="Welcome">
        <Success>Your account is ready.</Success>
        <p>
          <Link href={`/sign-in?${query}`}>Sign in to {invitation.organisation.name}</Link>
        </p>
      </PublicFrame>
    )
  }
  return (
    <PublicFrame title={`Join ${invitation.organisation.name}`}>
      <dl className="facts">
        <dt>Organisation</dt>
        <dd>{invitation.organisation.name}</dd>
        <dt>Your e-mail address</dt>
        <dd>{invitation.email}</dd>
        <dt>Role</dt>
        <dd>{invitation.role}</dd>
        <dt>Link valid until</dt>
        <dd>{formatDate(invitation.expiresAt)}</dd>
      </dl>
      <form
        onSubmit={(event) => {
          event.preventDefault()
          if (password === null) return
          void run(async () => {
            const answer = await api<{ tenant: { slug: string }; user: { email: string } }>(
              'POST',
              '/api/v1/invitations/accept',
              { token, password },
            )
            setAccepted({ slug: answer.tenant.slug, email: answer.user.email })
          })
        }}
      >
        <NewPasswordFields label="Choose a password" onChange={setPassword} />
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Create my account</SubmitButton>
      </form>
    </PublicFrame>
  )
}
