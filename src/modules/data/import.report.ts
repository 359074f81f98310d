// DATA-1: what an import reports. Rows are numbered from 1: the CSV data row (the header is row
// 0), the NDJSON line, the JSON array element. Rejected rows are listed with every problem, up to
// MAX_REPORTED_ISSUES; beyond that only the counts go on and `issuesTruncated` says so, so one bad
// file of a million rows cannot make an answer of a million issues.

export const MAX_REPORTED_ISSUES = 1000

export interface ImportIssue {
  row: number
  /** The field at fault, or null for a problem of the row as a whole (not an object, too large). */
  field: string | null
  code: string
  message: string
}

export interface ImportReport {
  format: 'csv' | 'json' | 'ndjson'
  atomic: boolean
  /** Data rows read (blank lines not counted). */
  received: number
  /** Rows committed. */
  imported: number
  /** Rows refused for their values; never committed. */
  rejected: number
  /** Transactions committed (one in atomic mode). */
  batches: number
  /**
   * Rows 1 to settledThroughRow are settled: each one was committed, or rejected and counted. If
   * the import stopped early, no row after it was committed: send those again.
   */
  settledThroughRow: number
  issues: ImportIssue[]
  issuesTruncated: boolean
}

export class ReportBuilder {
  readonly report: ImportReport

  constructor(format: ImportReport['format'], atomic: boolean) {
    this.report = {
      format,
      atomic,
      received: 0,
      imported: 0,
      rejected: 0,
      batches: 0,
      settledThroughRow: 0,
      issues: [],
      issuesTruncated: false,
    }
  }

  received(): void {
    this.report.received += 1
  }

  /** One rejected row with its problems (at least one). */
  rejected(
    row: number,
    issues: readonly { field: string | null; code: string; message: string }[],
  ) {
    this.report.rejected += 1
    for (const { field, code, message } of issues) {
      if (this.report.issues.length >= MAX_REPORTED_ISSUES) {
        this.report.issuesTruncated = true
        return
      }
      // The codec names a whole-row problem with an empty field key.
      this.report.issues.push({ row, field: field === '' ? null : field, code, message })
    }
  }

  /** One transaction committed `rows` rows. */
  committed(rows: number): void {
    this.report.imported += rows
    this.report.batches += 1
  }

  /** Every row up to `row` is committed or rejected. */
  settled(row: number): void {
    this.report.settledThroughRow = row
  }

  /** Atomic mode rolled back: nothing read was committed. */
  rolledBack(): void {
    this.report.imported = 0
    this.report.batches = 0
    this.report.settledThroughRow = 0
  }
}
