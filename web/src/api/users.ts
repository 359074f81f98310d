// The organisation's users as a lookup (id to address): the first page is enough for most
// organisations; screens show anyone beyond it by id.
import { type Loaded, useApi } from './use-api.ts'

export interface UserRef {
  id: string
  email: string
}

/** `enabled` false reads nothing (the screen does not need the lookup, or may not read users). */
export function useUsers(enabled = true): Loaded<{ users: UserRef[] }> {
  return useApi<{ users: UserRef[] }>(enabled ? '/api/v1/users?limit=200' : null)
}
