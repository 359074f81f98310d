// What services receive: the configuration and the database, nothing global.
import type { Config } from './config/config.ts'
import type { Keyring } from './crypto/keyring.ts'
import type { DatabaseHandle } from './db/connection.ts'

export interface ServiceContext {
  config: Config
  db: DatabaseHandle
  /** Tenant keys for field encryption (KMS-1, KMS-2). */
  keys: Keyring
}

/** Facts about the caller that services record (device list, audit) but never trust blindly. */
export interface RequestMeta {
  ip: string
  userAgent: string | undefined
  /** The request's id, tying log lines and audit events together. */
  requestId?: string
}

/** Where an action comes from when no HTTP request is involved (CLI, jobs). */
export const SYSTEM_META: RequestMeta = { ip: '127.0.0.1', userAgent: undefined }
