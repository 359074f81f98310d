// Key material on disk is replaced whole or not at all: write a temporary file, flush it, rename
// it over the old one, flush the directory. A crash leaves the old file or the new one.
import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

export function writeFileAtomic(path: string, text: string, mode: number): void {
  const temp = `${path}.${process.pid}.${Date.now()}.tmp`
  const fd = openSync(temp, 'wx', mode)
  try {
    writeSync(fd, text)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(temp, path)
  const dir = openSync(dirname(path), 'r')
  try {
    fsyncSync(dir)
  } finally {
    closeSync(dir)
  }
}
