// AUTHZ-4: one access review. Each user as snapshotted when it opened (role, groups, last sign-in,
// second factors, devices and keys) with a keep or revoke decision; a revocation deactivates the
// user and ends their sessions at once, so it asks first. Complete freezes the decisions as
// evidence, which can then be exported (JSON or CSV).
import { Link, useParams } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { ConfirmButton } from '../../components/confirm.tsx'
import { type DownloadFormat, DownloadLinks } from '../../components/download-links.tsx'
import { useTitle } from '../../components/shell.tsx'
import { Table } from '../../components/table.tsx'
import { ErrorMessage, formatDate, Loading, useAction } from '../../components/ui.tsx'
import { useCan, useMe } from '../../session.tsx'
import type { AccessReviewItem, AccessReview as Review, ReviewDecision } from './security-types.ts'
import './security.css'

const EVIDENCE_FORMATS: readonly DownloadFormat[] = [
  ['csv', 'Export evidence (CSV)'],
  ['json', 'Export evidence (JSON)'],
]

export function AccessReview() {
  useTitle('Access review')
  const { reviewId = '' } = useParams<{ reviewId: string }>()
  const path = `/api/v1/access-reviews/${encodeURIComponent(reviewId)}`
  const loaded = useApi<{ review: Review; items: AccessReviewItem[] }>(path)
  const can = useCan()
  const review = loaded.data?.review
  return (
    <>
      <p>
        <Link href="/access-reviews">← All access reviews</Link>
      </p>
      <h1>Access review{review ? ` of ${formatDate(review.openedAt)}` : ''}</h1>
      <ErrorMessage error={loaded.error} />
      {loaded.loading && !loaded.data ? <Loading /> : null}
      {review && loaded.data ? (
        <>
          <Summary review={review} path={path} onCompleted={loaded.reload} />
          <section className="panel security-tables" aria-labelledby="items-heading">
            <h2 id="items-heading">Users</h2>
            {loaded.data.items.length === 0 ? (
              <p className="empty">The organisation had no users when this review opened.</p>
            ) : (
              <Items
                items={loaded.data.items}
                path={path}
                editable={review.status === 'open' && can('access_reviews.manage')}
                onDecided={loaded.reload}
              />
            )}
          </section>
        </>
      ) : null}
    </>
  )
}

function Summary({
  review,
  path,
  onCompleted,
}: {
  review: Review
  path: string
  onCompleted(): void
}) {
  const can = useCan()
  const decided = review.counts.kept + review.counts.revoked
  return (
    <section className="panel" aria-labelledby="summary-heading">
      <h2 id="summary-heading">
        {review.status === 'open' ? 'In progress' : 'Completed'}
        {review.overdue ? <span className="badge">overdue</span> : null}
      </h2>
      <dl className="facts">
        <dt>Opened</dt>
        <dd>
          {formatDate(review.openedAt)} ({review.trigger === 'schedule' ? 'scheduled' : 'by hand'})
        </dd>
        <dt>Due</dt>
        <dd>{formatDate(review.dueAt)}</dd>
        {review.completedAt ? (
          <>
            <dt>Completed</dt>
            <dd>{formatDate(review.completedAt)}</dd>
          </>
        ) : null}
        <dt>Decisions</dt>
        <dd>
          {decided} of {review.counts.users} decided: {review.counts.kept} kept,{' '}
          {review.counts.revoked} revoked
        </dd>
      </dl>
      <progress
        className="security-progress"
        value={decided}
        max={Math.max(review.counts.users, 1)}
        aria-label="Users decided"
      />
      {review.status === 'open' && can('access_reviews.manage') ? (
        review.counts.undecided > 0 ? (
          <p className="hint">
            {review.counts.undecided} user(s) still need a decision before the review can be
            completed.
          </p>
        ) : (
          <div className="actions">
            <ConfirmButton
              className="primary"
              title="Complete this review?"
              message="Its decisions are then frozen as evidence and no longer change. The next review follows the schedule."
              confirmLabel="Complete review"
              onConfirm={async () => {
                await api('POST', `${path}/complete`)
                onCompleted()
              }}
            >
              Complete the review
            </ConfirmButton>
          </div>
        )
      ) : null}
      {review.status === 'completed' ? (
        <DownloadLinks path={`${path}/export`} formats={EVIDENCE_FORMATS} />
      ) : null}
    </section>
  )
}

function Items({
  items,
  path,
  editable,
  onDecided,
}: {
  items: AccessReviewItem[]
  path: string
  editable: boolean
  onDecided(): void
}) {
  const me = useMe()
  return (
    <Table caption="Users in this review">
      <thead>
        <tr>
          <th scope="col">User</th>
          <th scope="col">Role</th>
          <th scope="col">Groups</th>
          <th scope="col">Last sign-in</th>
          <th scope="col">Second factor</th>
          <th scope="col">Devices and keys</th>
          <th scope="col">Decision</th>
        </tr>
      </thead>
      <tbody>
        {items.map((item) => (
          <tr key={item.userId}>
            <td>
              {item.email}
              {item.userId === me.user.id ? <span className="badge">you</span> : null}
              {item.status !== 'active' ? (
                <>
                  <br />
                  <small>{item.status}</small>
                </>
              ) : null}
            </td>
            <td>{item.role}</td>
            <td>{item.groups.length > 0 ? item.groups.join(', ') : 'none'}</td>
            <td>{formatDate(item.lastSignInAt)}</td>
            <td>{mfaText(item.mfa)}</td>
            <td>
              {item.devices.liveSessions} live session(s), {item.devices.knownDevices} device(s),{' '}
              {item.devices.liveApiKeys} API key(s)
            </td>
            <td>
              <Decision
                item={item}
                path={path}
                editable={editable}
                self={item.userId === me.user.id}
                onDecided={onDecided}
              />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

function mfaText(mfa: AccessReviewItem['mfa']): string {
  if (!mfa.enabled) return mfa.recoveryCodes > 0 ? 'recovery codes only' : 'none'
  const parts = [
    mfa.totp ? 'authenticator app' : null,
    mfa.passkeys ? `${mfa.passkeys} passkey(s)` : null,
  ]
  return parts.filter(Boolean).join(', ')
}

const DECISION_TEXT: Record<ReviewDecision, string> = { keep: 'Kept', revoke: 'Revoked' }

function Decision({
  item,
  path,
  editable,
  self,
  onDecided,
}: {
  item: AccessReviewItem
  path: string
  editable: boolean
  self: boolean
  onDecided(): void
}) {
  const can = useCan()
  const { busy, error, run } = useAction()
  const decide = (decision: ReviewDecision) =>
    api('PUT', `${path}/items/${encodeURIComponent(item.userId)}`, { decision })
  const current = item.decision ? (
    <strong>{DECISION_TEXT[item.decision]}</strong>
  ) : (
    <span>Undecided</span>
  )
  // A revocation is final; nothing more to decide.
  if (!editable || item.decision === 'revoke') return current
  return (
    <div className="security-decision">
      {current}
      {item.decision !== 'keep' ? (
        <button
          type="button"
          disabled={busy}
          onClick={() =>
            run(async () => {
              await decide('keep')
              onDecided()
            })
          }
        >
          Keep<span className="visually-hidden"> {item.email}</span>
        </button>
      ) : null}
      {self ? (
        <small>Another reviewer decides on you.</small>
      ) : item.role === 'owner' && !can('owners.manage') ? (
        // The API asks owners.manage as well to revoke an owner (docs/permissions.md).
        <small>Only an owner can revoke an owner.</small>
      ) : (
        <ConfirmButton
          title={`Revoke ${item.email}?`}
          message="The account is deactivated and its sessions end at once. This decision is final for this review; the user can only be reactivated from the members screen."
          confirmLabel="Revoke access"
          onConfirm={async () => {
            await decide('revoke')
            onDecided()
          }}
        >
          Revoke<span className="visually-hidden"> {item.email}</span>
        </ConfirmButton>
      )}
      <ErrorMessage error={error} />
    </div>
  )
}
