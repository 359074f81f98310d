// What services receive: the configuration and the database, nothing global.
import type { Config } from './config/config.ts'
import type { DatabaseHandle } from './db/connection.ts'

export interface ServiceContext {
  config: Config
  db: DatabaseHandle
}

/** Facts about the caller that services record (device list, audit) but never trust blindly. */
export interface RequestMeta {
  ip: string
  userAgent: string | undefined
}
