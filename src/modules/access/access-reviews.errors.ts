import { defineErrors } from '../../http/errors.ts'

// AUTHZ-4: the access reviews' codes (kept apart from errors.ts, which the rest of the module
// shares).
export const AccessReviewErrors = defineErrors({
  ACCESS_REVIEW_NOT_FOUND: { status: 404, message: 'No such access review' },
  ACCESS_REVIEW_ITEM_NOT_FOUND: {
    status: 404,
    message: 'The review has no such user: only users present when it was opened are in it',
  },
  ACCESS_REVIEW_ALREADY_OPEN: {
    status: 409,
    message: 'An access review is already open; complete it before opening another',
  },
  ACCESS_REVIEW_NOT_OPEN: {
    status: 409,
    message: 'The access review is completed: its decisions are evidence and no longer change',
  },
  ACCESS_REVIEW_UNDECIDED: {
    status: 409,
    message: 'Every user needs a decision before the review can be completed',
  },
  ACCESS_REVIEW_NOT_COMPLETED: {
    status: 409,
    message: 'Only a completed access review can be exported as evidence',
  },
  ACCESS_REVIEW_SELF_REVOKE: {
    status: 409,
    message: 'You cannot revoke your own access; another reviewer must decide on you',
  },
  ACCESS_REVIEW_INTERVAL_TOO_LONG: {
    status: 422,
    message:
      'The interval is longer than this deployment allows; details.maxIntervalDays is the longest',
  },
  ACCESS_REVIEW_ALREADY_REVOKED: {
    status: 409,
    message:
      'This user was revoked in this review; a revocation is final (reactivate the user instead)',
  },
})
