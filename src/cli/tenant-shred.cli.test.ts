import { describe, expect, it } from 'vitest'
import { cliHarness } from '../../test/support/cli.ts'
import { parseDelay } from './tenant.ts'

interface Listed {
  slug: string
  id: string
  name: string
  status: string
  deletionRequestedAt: string | null
  deletionDueAt: string | null
  deletedAt: string | null
}

const cli = cliHarness('shred-cli')
const rampart = cli.run

async function listed(slug: string): Promise<Listed> {
  const run = await rampart(['tenant', 'list', '--json'])
  const found = (JSON.parse(run.out.join('')) as Listed[]).find((t) => t.slug === slug)
  if (!found) throw new Error(`${slug} not listed`)
  return found
}

describe('rampart tenant shred', () => {
  // Each command opens the database afresh (PGlite from disk): slow, not stuck, hence the timeout.
  it('KMS-5: request (configured delay), list, cancel, request with --delay 0, --due', async () => {
    for (const slug of ['shred-acme', 'shred-beta']) {
      const made = await rampart([
        'tenant',
        'create',
        '--slug',
        slug,
        '--name',
        `${slug} Ltd`,
        '--owner-email',
        `o@${slug}.test`,
      ])
      expect(made.code).toBe(0)
    }

    // RAMPART_TENANT_DELETION_DELAY_DAYS sets the default delay.
    const before = Date.now()
    const request = await rampart(['tenant', 'shred', 'shred-acme'], {
      RAMPART_TENANT_DELETION_DELAY_DAYS: '3',
    })
    expect(request.code).toBe(0)
    expect(request.out[0]).toMatch(
      /^shred-acme: pending deletion, due \d{4}-\d\d-\d\dT[\d:.]+Z; nobody can sign in to it now$/,
    )
    const pending = await listed('shred-acme')
    expect(pending.status).toBe('pending_deletion')
    const due = Date.parse(pending.deletionDueAt as string)
    expect(due - Date.parse(pending.deletionRequestedAt as string)).toBe(3 * 86_400_000)
    expect(due - before).toBeGreaterThanOrEqual(3 * 86_400_000)
    const text = await rampart(['tenant', 'list'])
    expect(text.out).toContain(
      `shred-acme\t${pending.id}\teu\tpending_deletion\t${pending.deletionDueAt}\tshred-acme Ltd`,
    )
    expect(text.out.find((l) => l.startsWith('shred-beta\t'))).toMatch(
      /\tactive\t-\tshred-beta Ltd$/,
    )

    const twice = await rampart(['tenant', 'shred', 'shred-acme'])
    expect(twice.code).toBe(1)
    expect(twice.err[0]).toMatch(/^error TENANT_DELETION_PENDING: /)
    // Not due: --due completes nothing.
    expect((await rampart(['tenant', 'shred', '--due'])).out).toEqual(['0 deletion(s) completed'])

    const cancel = await rampart(['tenant', 'shred', 'shred-acme', '--cancel'])
    expect(cancel).toMatchObject({
      code: 0,
      out: ['shred-acme: deletion cancelled; the organisation is active again'],
    })
    expect(await listed('shred-acme')).toMatchObject({ status: 'active', deletionDueAt: null })
    expect((await rampart(['tenant', 'shred', 'shred-acme', '--cancel'])).err[0]).toMatch(
      /^error TENANT_DELETION_NOT_PENDING: /,
    )

    // The immediate path: due at once, then completed by --due.
    expect((await rampart(['tenant', 'shred', 'shred-acme', '--delay', '0'])).code).toBe(0)
    const dry = await rampart(['tenant', 'shred', '--due', '--dry-run'])
    expect(dry.out).toEqual([
      expect.stringMatching(new RegExp(`^would delete shred-acme \\(${pending.id}\\), due `)),
      '1 deletion(s) due',
    ])
    expect((await listed('shred-acme')).status).toBe('pending_deletion')
    const sweep = await rampart(['tenant', 'shred', '--due'])
    expect(sweep.code).toBe(0)
    expect(sweep.out[0]).toMatch(
      new RegExp(
        `^shred-acme \\(${pending.id}\\): 1 key version\\(s\\) destroyed, \\d+ row\\(s\\) deleted from \\d+ table\\(s\\); terminated$`,
      ),
    )
    expect(sweep.out[1]).toBe('1 deletion(s) completed')

    const tombstone = await listed('shred-acme')
    expect(tombstone).toMatchObject({ id: pending.id, status: 'terminated', name: '' })
    expect(tombstone.deletedAt).not.toBeNull()
    expect((await rampart(['keys', 'status', '--tenant', 'shred-acme'])).out.at(-1)).toMatch(
      /^shred-acme: shredded \d{4}-/,
    )
    expect((await listed('shred-beta')).status).toBe('active')
    expect((await rampart(['keys', 'status', '--tenant', 'shred-beta'])).out).toContain(
      'shred-beta: current version 1',
    )
    expect((await rampart(['tenant', 'shred', 'shred-acme', '--cancel'])).err[0]).toMatch(
      /^error TENANT_TERMINATED: /,
    )
    const reuse = await rampart([
      'tenant',
      'create',
      '--slug',
      'shred-acme',
      '--name',
      'Squatter',
      '--owner-email',
      'o@squatter.test',
    ])
    expect(reuse.err.join('\n')).toContain('TENANT_SLUG_TAKEN')

    // LOG-2: the logs, the deleted tenant's own included, still verify.
    const verify = await rampart(['audit', 'verify'])
    expect(verify.code, verify.out.join('\n')).toBe(0)
  }, 180_000)

  it.each([
    [['tenant', 'shred'], /give --due/],
    [['tenant', 'shred', 'shred-beta', '--due'], /give no slug/],
    [['tenant', 'shred', '--due', '--cancel'], /--due takes no --cancel/],
    [['tenant', 'shred', 'shred-beta', '--dry-run'], /--dry-run goes with --due/],
    [['tenant', 'shred', 'shred-beta', '--cancel', '--delay', '1d'], /--cancel takes no --delay/],
    [['tenant', 'shred', 'shred-beta', '--delay', '7'], /--delay must be 0 or/],
    [['tenant', 'shred', 'shred-beta', '--delay', '366d'], /--delay must be 0 or/],
    [['tenant', 'shred', 'no-such-org'], /^no tenant with slug no-such-org$/],
  ])('refuses %j with exit 1, changing nothing', async (args, message) => {
    const run = await rampart(args)
    expect(run.code).toBe(1)
    expect(run.err[0]).toMatch(message)
    expect((await listed('shred-beta')).status).toBe('active')
  })

  it('parses delays', () => {
    expect(parseDelay('0')).toBe(0)
    expect(parseDelay('90s')).toBe(90_000)
    expect(parseDelay('30m')).toBe(1_800_000)
    expect(parseDelay('12h')).toBe(43_200_000)
    expect(parseDelay('7d')).toBe(604_800_000)
    expect(parseDelay('2w')).toBe(1_209_600_000)
    expect(parseDelay('365d')).toBe(365 * 86_400_000)
    for (const bad of ['', '7', '-1d', '1.5d', '1y', '53w', ' 7d'])
      expect(parseDelay(bad)).toBeNull()
  })
})
