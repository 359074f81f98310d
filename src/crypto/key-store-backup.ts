// KMS-5, BCK-3: the key store's own backups. They hold wrapped keys only and are kept for a short
// time (35 days by default), far shorter than the main database's backups: a tenant shredded
// today is absent from every key store backup once the retention has passed, so no restore of
// any age brings back a key that can read its data. See docs/keys.md.
import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { KeysConfig } from '../config/config.ts'
import { writeFileAtomic } from './atomic-file.ts'
import { snapshotKeyStore, type TenantKeyStore } from './key-store.ts'

const BACKUP_FILE = /^keystore-(\d{8}T\d{6}Z)\.json$/
const DAY_MS = 24 * 60 * 60 * 1000

/** 2026-11-22T10:11:12.345Z -> 20261122T101112Z */
function stamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function parseStamp(s: string): Date {
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`
  return new Date(iso)
}

export async function backupKeyStore(
  store: TenantKeyStore,
  config: Pick<KeysConfig, 'backupDir' | 'backupRetentionDays'>,
  now: Date = new Date(),
): Promise<{ file: string; tenants: number; pruned: string[] }> {
  mkdirSync(config.backupDir, { recursive: true, mode: 0o700 })
  const snapshot = await snapshotKeyStore(store)
  const file = join(config.backupDir, `keystore-${stamp(now)}.json`)
  writeFileAtomic(file, JSON.stringify(snapshot), 0o600)
  return { file, tenants: snapshot.tenants.length, pruned: pruneKeyStoreBackups(config, now) }
}

/** Deletes key store backups older than the retention; returns the files deleted. */
export function pruneKeyStoreBackups(
  config: Pick<KeysConfig, 'backupDir' | 'backupRetentionDays'>,
  now: Date = new Date(),
): string[] {
  const cutoff = now.getTime() - config.backupRetentionDays * DAY_MS
  const pruned: string[] = []
  for (const name of readdirSync(config.backupDir)) {
    const match = BACKUP_FILE.exec(name)
    if (!match?.[1] || parseStamp(match[1]).getTime() >= cutoff) continue
    rmSync(join(config.backupDir, name))
    pruned.push(join(config.backupDir, name))
  }
  return pruned
}
