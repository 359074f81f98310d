// AUTHZ-4: access reviews. Everyone with access_reviews.read sees the open and past reviews and
// the schedule; access_reviews.manage opens a review and sets the interval (with a recent
// sign-in, IAM-6, since a longer interval weakens the control).
import { useState } from 'react'
import { Link, useLocation } from 'wouter'
import { api } from '../../api/client.ts'
import { useApi } from '../../api/use-api.ts'
import { useTitle } from '../../components/shell.tsx'
import { useStepUp } from '../../components/step-up.tsx'
import { Table } from '../../components/table.tsx'
import {
  Empty,
  ErrorMessage,
  Field,
  formatDate,
  Loading,
  SubmitButton,
  Success,
  useAction,
} from '../../components/ui.tsx'
import { useCan } from '../../session.tsx'
import type { AccessReview, AccessReviewSchedule } from './security-types.ts'
import './security.css'

export function AccessReviews() {
  useTitle('Access reviews')
  const can = useCan()
  const reviews = useApi<{ reviews: AccessReview[] }>('/api/v1/access-reviews')
  const schedule = useApi<AccessReviewSchedule>('/api/v1/tenant/access-review-schedule')
  const open = reviews.data?.reviews.filter((r) => r.status === 'open') ?? []
  const past = reviews.data?.reviews.filter((r) => r.status === 'completed') ?? []
  return (
    <>
      <h1>Access reviews</h1>
      <p>
        A review is a snapshot of every user and what they can reach. Reviewers keep or revoke each
        one; a completed review is frozen and can be exported as evidence.
      </p>
      <section className="panel security-tables" aria-labelledby="open-heading">
        <h2 id="open-heading">Open review</h2>
        <ErrorMessage error={reviews.error} />
        {reviews.loading && !reviews.data ? <Loading /> : null}
        {reviews.data && open.length === 0 ? <Empty>No review is open.</Empty> : null}
        {open.length > 0 ? <ReviewTable reviews={open} caption="Open access reviews" /> : null}
        {reviews.data && open.length === 0 && can('access_reviews.manage') ? <OpenReview /> : null}
      </section>
      <section className="panel security-tables" aria-labelledby="past-heading">
        <h2 id="past-heading">Past reviews</h2>
        {reviews.loading && !reviews.data ? <Loading /> : null}
        {reviews.data && past.length === 0 ? (
          <Empty>No review has been completed yet.</Empty>
        ) : null}
        {past.length > 0 ? <ReviewTable reviews={past} caption="Completed access reviews" /> : null}
      </section>
      <section className="panel" aria-labelledby="schedule-heading">
        <h2 id="schedule-heading">Schedule</h2>
        <ErrorMessage error={schedule.error} />
        {schedule.loading && !schedule.data ? <Loading /> : null}
        {schedule.data ? (
          <Schedule
            schedule={schedule.data}
            canManage={can('access_reviews.manage')}
            onSaved={schedule.reload}
          />
        ) : null}
      </section>
    </>
  )
}

function OpenReview() {
  const [, navigate] = useLocation()
  const { busy, error, run } = useAction()
  return (
    <>
      <div className="actions">
        <button
          type="button"
          className="primary"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const review = await api<AccessReview>('POST', '/api/v1/access-reviews')
              navigate(`/access-reviews/${encodeURIComponent(review.id)}`)
            })
          }
        >
          {busy ? 'Please wait…' : 'Open a review now'}
        </button>
      </div>
      <ErrorMessage error={error} />
    </>
  )
}

function ReviewTable({ reviews, caption }: { reviews: AccessReview[]; caption: string }) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">Opened</th>
          <th scope="col">How</th>
          <th scope="col">Due</th>
          <th scope="col">Completed</th>
          <th scope="col">Users</th>
          <th scope="col">Kept</th>
          <th scope="col">Revoked</th>
          <th scope="col">Undecided</th>
        </tr>
      </thead>
      <tbody>
        {reviews.map((r) => (
          <tr key={r.id}>
            <td>
              <Link href={`/access-reviews/${encodeURIComponent(r.id)}`}>
                Review of {formatDate(r.openedAt)}
              </Link>
            </td>
            <td>{r.trigger === 'schedule' ? 'scheduled' : 'by hand'}</td>
            <td>
              {formatDate(r.dueAt)}
              {r.overdue ? <span className="badge">overdue</span> : null}
            </td>
            <td>{r.completedAt ? formatDate(r.completedAt) : 'not yet'}</td>
            <td>{r.counts.users}</td>
            <td>{r.counts.kept}</td>
            <td>{r.counts.revoked}</td>
            <td>{r.counts.undecided}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

function Schedule({
  schedule,
  canManage,
  onSaved,
}: {
  schedule: AccessReviewSchedule
  canManage: boolean
  onSaved(): void
}) {
  const withStepUp = useStepUp()
  const [days, setDays] = useState(String(schedule.intervalDays))
  const [done, setDone] = useState(false)
  const { busy, error, run } = useAction()
  return (
    <>
      <dl className="facts">
        <dt>Interval</dt>
        <dd>
          every {schedule.intervalDays} days
          {schedule.organisationIntervalDays === null ? ' (this deployment’s default)' : ''}
        </dd>
        <dt>Time to complete</dt>
        <dd>{schedule.dueDays} days after a review opens</dd>
        <dt>Last opened</dt>
        <dd>{formatDate(schedule.lastOpenedAt)}</dd>
        <dt>Next review</dt>
        <dd>
          {schedule.openReviewId
            ? 'after the open one is completed'
            : schedule.nextReviewAt
              ? formatDate(schedule.nextReviewAt)
              : 'not scheduled'}
        </dd>
      </dl>
      {canManage ? (
        <form
          onSubmit={(event) => {
            event.preventDefault()
            void run(async () => {
              await withStepUp(() =>
                api<AccessReviewSchedule>('PUT', '/api/v1/tenant/access-review-schedule', {
                  intervalDays: Number(days),
                }),
              )
              setDone(true)
              onSaved()
            })
          }}
        >
          <Field
            label="Review every (days)"
            hint={`At most ${schedule.maxIntervalDays} days on this deployment`}
            type="number"
            inputMode="numeric"
            min={1}
            max={schedule.maxIntervalDays}
            required
            value={days}
            onChange={(event) => {
              setDays(event.target.value)
              setDone(false)
            }}
          />
          <ErrorMessage error={error} />
          {done ? <Success>Schedule saved.</Success> : null}
          <div className="actions">
            <SubmitButton busy={busy}>Save the schedule</SubmitButton>
          </div>
        </form>
      ) : null}
    </>
  )
}
