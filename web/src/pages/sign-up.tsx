// IAM-1, IAM-2: a new organisation and its owner, then straight into the console signed in.
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { api } from '../api/client.ts'
import type { MfaChallenge, SessionIssued } from '../api/types.ts'
import { PublicFrame } from '../components/shell.tsx'
import { ErrorMessage, Field, SubmitButton, useAction } from '../components/ui.tsx'
import { useSession } from '../session.tsx'

/** A suggestion from the name, as the API's slug pattern takes it: a-z, 0-9, inner hyphens. */
function slugFrom(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '')
}

export function SignUp() {
  const [, navigate] = useLocation()
  const { signedIn } = useSession()
  const [name, setName] = useState('')
  const [slug, setSlug] = useState('')
  const [slugEdited, setSlugEdited] = useState(false)
  const [email, setEmail] = useState('')
  const [password, setPassword] = useState('')
  const { busy, error, run } = useAction()

  return (
    <PublicFrame title="Create your organisation">
      <form
        onSubmit={(event) => {
          event.preventDefault()
          void run(async () => {
            const chosenSlug = slug.trim()
            await api('POST', '/api/v1/signup', {
              organisationName: name.trim(),
              slug: chosenSlug,
              ownerEmail: email.trim(),
              ownerPassword: password,
            })
            // The organisation exists from here: if signing in fails, sending this form again
            // would only hear that the short name is taken, so the sign-in page takes over.
            const toSignIn = () =>
              navigate(
                `/sign-in?${new URLSearchParams({ tenant: chosenSlug, email: email.trim() })}`,
              )
            let answer: SessionIssued | MfaChallenge
            try {
              answer = await api<SessionIssued | MfaChallenge>('POST', '/api/v1/sessions', {
                tenant: chosenSlug,
                email: email.trim(),
                password,
                mode: 'cookie',
              })
            } catch {
              toSignIn()
              return
            }
            if ('mfaRequired' in answer) {
              toSignIn()
              return
            }
            await signedIn(answer.csrfToken)
            navigate('/', { replace: true })
          })
        }}
      >
        <Field
          label="Organisation name"
          name="organisationName"
          autoComplete="organization"
          required
          maxLength={200}
          value={name}
          onChange={(event) => {
            setName(event.target.value)
            if (!slugEdited) setSlug(slugFrom(event.target.value))
          }}
        />
        <Field
          label="Short name"
          hint="Used to sign in: 3 to 63 lower-case letters, digits and hyphens"
          name="slug"
          autoCapitalize="none"
          required
          minLength={3}
          maxLength={63}
          pattern="[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?"
          value={slug}
          onChange={(event) => {
            setSlugEdited(true)
            setSlug(event.target.value)
          }}
        />
        <Field
          label="Your e-mail address"
          hint="You will be the organisation's owner"
          name="email"
          type="email"
          autoComplete="email"
          required
          maxLength={254}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <Field
          label="Password"
          hint="At least 12 characters; a few unrelated words work well"
          name="password"
          type="password"
          autoComplete="new-password"
          required
          minLength={12}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <ErrorMessage error={error} />
        <SubmitButton busy={busy}>Create organisation</SubmitButton>
      </form>
      <p className="links">
        <Link href="/sign-in">Already have an account? Sign in</Link>
      </p>
    </PublicFrame>
  )
}
