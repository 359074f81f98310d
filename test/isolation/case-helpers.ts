// AUTHZ-5: what the isolation case files share: the ids of B's that A can know of, the status
// check, A's requests with each of those ids in a route's id place, and the two tenant cases
// every listing module has (a list that shows A nothing of B, a create that stays in A).
import type { InjectOptions, LightMyRequestResponse } from 'fastify'
import type { IsolationCase, IsolationContext, Party } from './cases.ts'

/** Ids of B's rows that A can know of. B's credentials are aimed at in src/modules/vault/. */
export const idsOfB = (b: Party) => [b.tenant.id, b.owner.id, b.bearer.sessionId]

export function expectStatus(
  responses: LightMyRequestResponse[],
  status: number,
  code?: string,
): void {
  for (const r of responses) {
    if (r.statusCode !== status || (code && r.json().error.code !== code)) {
      throw new Error(`expected ${status} ${code ?? ''}, got ${r.statusCode} ${r.body}`)
    }
  }
}

/** A's requests with each of B's ids after `base` (and `rest` after it), B's tenant in a header. */
export function atIdsOfB(
  base: string,
  method: InjectOptions['method'],
  rest: (b: Party) => string = () => '',
  payload?: object,
): (ctx: IsolationContext) => InjectOptions[] {
  return ({ a, b }) =>
    idsOfB(b).map((id) => ({
      method,
      url: `${base}/${id}${rest(b)}`,
      headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      ...(payload ? { payload } : {}),
    }))
}

/** Something of A's own, made by A through the API at `url`; its id. */
export async function madeByA(
  { app, a }: IsolationContext,
  url: string,
  payload: object,
): Promise<string> {
  const res = await app.inject({ method: 'POST', url, headers: a.bearer.authorization, payload })
  if (res.statusCode !== 201) throw new Error(`A's ${url} not made: ${res.body}`)
  return res.json().id
}

/** A's requests with each of B's ids in `urlOf`'s place, made in turn; all must get 404 `code`. */
export async function expectNotFoundAtIdsOfB(
  { app, a, b }: IsolationContext,
  method: InjectOptions['method'],
  urlOf: (idOfB: string) => string,
  code: string,
  payload?: object,
): Promise<void> {
  const responses: LightMyRequestResponse[] = []
  for (const idOfB of idsOfB(b)) {
    responses.push(
      await app.inject({
        method,
        url: urlOf(idOfB),
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
        ...(payload ? { payload } : {}),
      }),
    )
  }
  expectStatus(responses, 404, code)
}

/**
 * A lists `url` by bearer (B's tenant in a header and, through `query`, in the query) and by
 * cookie; both answers are 200 with nothing under `key` (A has none of its own).
 */
export function listsNothingOfB(
  url: string,
  key: string,
  query: (b: Party) => string = (b) => `?tenant=${b.tenant.id}`,
): IsolationCase {
  return {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'GET',
        url: `${url}${query(b)}`,
        headers: { ...a.bearer.authorization, 'x-tenant-id': b.tenant.id },
      },
      { method: 'GET', url, cookies: a.cookie.cookies },
    ],
    verify: (responses) => {
      expectStatus(responses, 200)
      for (const r of responses) {
        if (r.json()[key].length !== 0) throw new Error(`A saw ${key}: ${r.body}`)
      }
    },
  }
}

/**
 * A creates at `url` naming B's tenant in the body (refused: no such field) and, by cookie, in
 * the query and a header (made, in A): A's list under `key` then holds only that one, by name.
 */
export function createsOnlyInA(url: string, key: string, payload: object): IsolationCase {
  return {
    kind: 'tenant',
    requests: ({ a, b }) => [
      {
        method: 'POST',
        url,
        headers: a.bearer.authorization,
        payload: { ...payload, name: 'Into B?', tenantId: b.tenant.id },
      },
      {
        method: 'POST',
        url: `${url}?tenant=${b.tenant.id}`,
        cookies: a.cookie.cookies,
        headers: { 'x-csrf-token': a.cookie.csrf, 'x-tenant-id': b.tenant.id },
        payload: { ...payload, name: 'Stays in A' },
      },
    ],
    verify: async (responses, { app, a }) => {
      expectStatus(responses.slice(0, 1), 400, 'REQUEST_INVALID')
      expectStatus(responses.slice(1), 201)
      const list = await app.inject({ method: 'GET', url, headers: a.bearer.authorization })
      const names = list.json()[key].map((row: { name: string }) => row.name)
      if (JSON.stringify(names) !== '["Stays in A"]') throw new Error(`not A's: ${list.body}`)
    },
  }
}
