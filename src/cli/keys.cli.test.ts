// KMS-1, KMS-5: `rampart keys status|rotate|reencrypt|retire|rewrap|shred|backup` against the
// configured database and key store (a directory on PGlite; a database of its own on PostgreSQL).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { cliHarness } from '../../test/support/cli.ts'
import { postgresUrl } from '../../test/support/database.ts'

const cli = cliHarness('keys-cli')
const rampart = cli.run

describe('rampart keys', () => {
  it('KMS-1: status, rotate, reencrypt, retire and master rewrap, each refusing what would lose data', async () => {
    for (const slug of ['keys-acme', 'keys-beta']) {
      const made = await rampart([
        'tenant',
        'create',
        '--slug',
        slug,
        '--name',
        slug,
        '--owner-email',
        `o@${slug}.test`,
      ])
      expect(made.code).toBe(0)
    }
    const status = await rampart(['keys', 'status'])
    expect(status.code).toBe(0)
    expect(status.out[0]).toMatch(/^master key provider: file \(.*master\.key\)$/)
    expect(status.out).toContain('  master file-1 (active)')
    expect(
      status.out.some((l) =>
        l.startsWith(`tenant key store: ${postgresUrl ? 'postgres ' : 'directory '}`),
      ),
    ).toBe(true)
    expect(status.out).toContain('keys-acme: current version 1')
    expect(status.out).toContain('  v1 active under file-1, 0 field(s)')

    const rotated = await rampart(['keys', 'rotate', '--tenant', 'keys-acme'])
    expect(rotated.out).toEqual([
      'keys-acme: new writes use key version 2; older versions still decrypt',
    ])

    const reencrypted = await rampart([
      'keys',
      'reencrypt',
      '--tenant',
      'keys-acme',
      '--batch',
      '50',
    ])
    expect(reencrypted.code).toBe(0)
    expect(reencrypted.out.at(-1)).toMatch(/moved to key version 2, 0 left on older versions$/)
    expect(reencrypted.progress.at(-1)).toBe('reencrypt done')
    expect(
      (await rampart(['keys', 'reencrypt', '--tenant', 'keys-acme', '--batch', '0'])).code,
    ).toBe(1)

    const current = await rampart(['keys', 'retire', '--tenant', 'keys-acme', '--version', '2'])
    expect(current.code).toBe(1)
    expect(current.err[0]).toMatch(/^key_version_in_use: /)
    const retired = await rampart(['keys', 'retire', '--tenant', 'keys-acme', '--version', '1'])
    expect(retired.code).toBe(0)

    const rewrap = await rampart(['keys', 'rewrap', '--destroy-old'])
    expect(rewrap.code).toBe(0)
    // acme v1 (retired) and v2, beta v1.
    expect(rewrap.out).toEqual([
      'master key file-2 is active; 3 tenant key(s) rewrapped',
      'destroyed file-1',
    ])
    expect(rewrap.progress).toContain('rewrap 3/3')
    const after = await rampart(['keys', 'status', '--tenant', 'keys-acme'])
    expect(after.out).toContain('  master file-2 (active)')
    expect(after.out).not.toContain('  master file-1')
    expect(after.out).toContain('  v1 retired under file-2')
    expect(after.out).toContain('  v2 active under file-2, 0 field(s)')
    expect((await rampart(['keys', 'rotate', '--tenant', 'no-such-org'])).code).toBe(1)
  })

  it('KMS-5: shred needs the slug repeated; backups older than the retention are pruned', async () => {
    const unconfirmed = await rampart(['keys', 'shred', '--tenant', 'keys-beta'])
    expect(unconfirmed.code).toBe(1)
    expect(unconfirmed.err[0]).toMatch(/--confirm keys-beta/)
    expect((await rampart(['keys', 'status', '--tenant', 'keys-beta'])).out).toContain(
      'keys-beta: current version 1',
    )

    const backupDir = join(cli.env().RAMPART_DATA_DIR as string, 'keystore-backups')
    mkdirSync(backupDir, { recursive: true })
    // A snapshot taken 40 days ago, before the shred below: past the 35-day retention.
    const old = join(backupDir, `keystore-${stampDaysAgo(40)}.json`)
    const recent = join(backupDir, `keystore-${stampDaysAgo(10)}.json`)
    writeFileSync(old, '{}')
    writeFileSync(recent, '{}')

    const shred = await rampart([
      'keys',
      'shred',
      '--tenant',
      'keys-beta',
      '--confirm',
      'keys-beta',
    ])
    expect(shred.code).toBe(0)
    expect(shred.out[0]).toBe(
      'keys-beta: 1 key version(s) destroyed; its encrypted data is unreadable, and gone from key store backups after 35 days',
    )
    expect((await rampart(['keys', 'status', '--tenant', 'keys-beta'])).out.at(-1)).toMatch(
      /^keys-beta: shredded \d{4}-/,
    )
    expect((await rampart(['keys', 'rotate', '--tenant', 'keys-beta'])).err[0]).toMatch(
      /^tenant_shredded: /,
    )

    const backup = await rampart(['keys', 'backup'])
    expect(backup.code).toBe(0)
    expect(backup.out).toContain(`pruned ${old} (older than 35 days)`)
    expect(existsSync(old)).toBe(false)
    expect(existsSync(recent)).toBe(true)
    const file = readdirSync(backupDir).filter((f) => join(backupDir, f) !== recent)
    expect(file).toHaveLength(1)
    const snapshot = JSON.parse(readFileSync(join(backupDir, file[0] as string), 'utf8'))
    expect(snapshot.format).toBe('rampart-keystore-snapshot-v1')
    const beta = snapshot.tenants.find(
      (t: { versions: unknown[]; shreddedAt: string | null }) => t.shreddedAt,
    )
    expect(beta.versions).toEqual([])
    const acme = snapshot.tenants.find((t: { versions: unknown[] }) => t.versions.length === 2)
    expect(acme.versions[1]).toMatchObject({ version: 2, masterKeyId: 'file-2' })
  })
})

function stampDaysAgo(days: number): string {
  return new Date(Date.now() - days * 86_400_000)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}
