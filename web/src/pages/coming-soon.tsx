// Areas the console does not have yet: what they will hold, and where the API is meanwhile.
import { useTitle } from '../components/shell.tsx'

const AREAS = {
  admin: {
    title: 'Administration',
    text: 'Users and invitations, roles, groups and grants, the IP allowlist, API keys, access reviews and the MFA policy.',
  },
  audit: {
    title: 'Audit log',
    text: 'Filter, page and export the audit log, and check its signed checkpoints in the browser.',
  },
  vault: {
    title: 'Credentials',
    text: "The organisation's write-only credentials vault.",
  },
  data: {
    title: 'Data',
    text: 'Collections with classified fields, records, CSV import and recently deleted records.',
  },
  dashboards: {
    title: 'Dashboards',
    text: 'Charts over your collections, shared with groups and kiosk screens.',
  },
} as const

export function ComingSoon({ area }: { area: keyof typeof AREAS }) {
  const { title, text } = AREAS[area]
  useTitle(title)
  return (
    <>
      <h1>
        {title} <span className="badge">coming</span>
      </h1>
      <p>This part of the console is not built yet. It will hold: {text}</p>
      <p>
        Until then, everything here is available through the API: see the{' '}
        <a href="/docs">API reference</a>.
      </p>
    </>
  )
}
