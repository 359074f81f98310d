// DATA-1: what a dashboard widget is, and the rules it must keep against its collection's schema.
// The same check runs when a dashboard is saved (a broken widget is refused with 422) and every
// time it is computed (the schema may have changed since: the widget then answers with its own
// error). Widgets aggregate only public and internal fields: personal and sensitive values are
// stored only encrypted and never reach an aggregate, nor a group label (KMS-2).
import type { Collection } from './collections.service.ts'
import { type FieldDefinition, type FieldType, isQueryable } from './fields.ts'

const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max'] as const
export type Aggregate = (typeof AGGREGATES)[number]

const INTERVALS = ['day', 'week', 'month'] as const
export type Interval = (typeof INTERVALS)[number]

/** The record's creation time, usable wherever a date field is (field keys are lower case). */
export const CREATED_AT = 'createdAt'

/** Groups a widget shows at most: the largest ones (the rest are counted as omitted). */
const MAX_GROUPS = 100
export const MAX_WIDGETS = 50
export const MAX_TITLE_LENGTH = 100
export const MAX_LAST_DAYS = 3660
/** The highest small-group threshold a widget may ask for. */
export const MAX_MIN_GROUP_SIZE = 1000

const GROUP_TYPES: readonly FieldType[] = ['text', 'enum', 'boolean', 'date']
const VALUE_TYPES: readonly FieldType[] = ['number']

/** The stored (and API) form of a widget. */
export interface WidgetDefinition {
  title: string
  collectionId: string
  aggregate: Aggregate
  /** sum, avg, min, max: the number field aggregated. count takes none. */
  field?: string
  /** A public or internal text, enum, boolean or date field: one group per value. */
  groupBy?: string
  /** Groups by day, week (from Monday) or month of `timeField`, in UTC. */
  interval?: Interval
  /** The date field (or createdAt, the default) that `interval` and `range` use. */
  timeField?: string
  /** Only records whose time is in the last N days (today included), or from/to (inclusive). */
  range?: { lastDays?: number; from?: string; to?: string }
  /** A stricter small-group threshold than the deployment's; never a lower one. */
  minGroupSize?: number
}

/** Why a widget does not fit: a stable code, the part of the widget at fault, and a message. */
export interface WidgetIssue {
  code:
    | 'DATA_WIDGET_INVALID'
    | 'DATA_WIDGET_FIELD_UNKNOWN'
    | 'DATA_WIDGET_FIELD_PROTECTED'
    | 'DATA_WIDGET_FIELD_UNSUITABLE'
    | 'DATA_WIDGET_THRESHOLD_TOO_LOW'
  /** The widget property at fault (`field`, `groupBy`, `timeField`, `range`, ...). */
  property: string
  /** The field key at fault, when a field is. */
  field?: string
  message: string
}

/** A widget checked against its collection, resolved into what the aggregate query needs. */
export interface WidgetQuery {
  collectionId: string
  aggregate: Aggregate
  valueField: string | null
  groupField: string | null
  interval: Interval | null
  /** null: createdAt; otherwise the key of a date field. */
  timeField: string | null
  /** Inclusive UTC calendar dates, `YYYY-MM-DD`; null for an open end. */
  range: { from: string | null; to: string | null } | null
  threshold: number
  cap: number
}

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/

/** Whether `value` is a real calendar date written `YYYY-MM-DD` (years 1000 to 9999). */
export function isCalendarDate(value: string): boolean {
  const m = DATE.exec(value)
  if (!m) return false
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  if (year < 1000) return false
  const date = new Date(Date.UTC(year, month - 1, day))
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  )
}

function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10)
}

function fieldIssue(
  fields: ReadonlyMap<string, FieldDefinition>,
  property: string,
  key: string,
  types: readonly FieldType[],
  allowCreatedAt = false,
): WidgetIssue | null {
  if (allowCreatedAt && key === CREATED_AT) return null
  const field = fields.get(key)
  if (!field) {
    return {
      code: 'DATA_WIDGET_FIELD_UNKNOWN',
      property,
      field: key,
      message: `${property}: the collection has no field "${key}"`,
    }
  }
  if (!isQueryable(field)) {
    return {
      code: 'DATA_WIDGET_FIELD_PROTECTED',
      property,
      field: key,
      message: `${property}: "${key}" is ${field.classification}; widgets use only public and internal fields`,
    }
  }
  if (!types.includes(field.type)) {
    const expected = [...types, ...(allowCreatedAt ? [CREATED_AT] : [])].join(', ')
    return {
      code: 'DATA_WIDGET_FIELD_UNSUITABLE',
      property,
      field: key,
      message: `${property}: "${key}" is a ${field.type} field; this needs ${expected}`,
    }
  }
  return null
}

function invalid(property: string, message: string): WidgetIssue {
  return { code: 'DATA_WIDGET_INVALID', property, message: `${property}: ${message}` }
}

function checkRange(range: NonNullable<WidgetDefinition['range']>): WidgetIssue | null {
  const { lastDays, from, to } = range
  if (lastDays !== undefined) {
    if (from !== undefined || to !== undefined) {
      return invalid('range', 'give either lastDays or from/to, not both')
    }
    if (!Number.isInteger(lastDays) || lastDays < 1 || lastDays > MAX_LAST_DAYS) {
      return invalid('range', `lastDays is a whole number from 1 to ${MAX_LAST_DAYS}`)
    }
    return null
  }
  if (from === undefined && to === undefined) {
    return invalid('range', 'give lastDays, or from and/or to')
  }
  for (const [name, value] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (value !== undefined && !isCalendarDate(value)) {
      return invalid('range', `${name} is a calendar date written YYYY-MM-DD`)
    }
  }
  if (from !== undefined && to !== undefined && from > to) {
    return invalid('range', 'from is after to')
  }
  return null
}

/**
 * The first rule the widget breaks against the collection and the deployment's threshold, or
 * null. Personal and sensitive fields are reported before anything else about them.
 */
export function widgetIssue(
  widget: WidgetDefinition,
  collection: Pick<Collection, 'fields'>,
  minGroupSize: number,
): WidgetIssue | null {
  const fields = new Map(collection.fields.map((f) => [f.key, f]))
  // Every named field first for its classification: whatever else is wrong, a widget naming a
  // personal or sensitive field is told so.
  for (const [property, key] of [
    ['field', widget.field],
    ['groupBy', widget.groupBy],
    ['timeField', widget.timeField],
  ] as const) {
    const field = key === undefined ? undefined : fields.get(key)
    if (key !== undefined && field && !isQueryable(field)) {
      return fieldIssue(fields, property, key, [])
    }
  }
  if (widget.aggregate === 'count') {
    if (widget.field !== undefined)
      return invalid('field', 'count counts records and takes no field')
  } else {
    if (widget.field === undefined)
      return invalid('field', `${widget.aggregate} needs a number field`)
    const issue = fieldIssue(fields, 'field', widget.field, VALUE_TYPES)
    if (issue) return issue
  }
  if (widget.groupBy !== undefined) {
    const issue = fieldIssue(fields, 'groupBy', widget.groupBy, GROUP_TYPES)
    if (issue) return issue
  }
  if (widget.timeField !== undefined) {
    if (widget.interval === undefined && widget.range === undefined) {
      return invalid('timeField', 'a time field needs an interval or a range')
    }
    const issue = fieldIssue(fields, 'timeField', widget.timeField, ['date'], true)
    if (issue) return issue
  }
  if (widget.range !== undefined) {
    const issue = checkRange(widget.range)
    if (issue) return issue
  }
  if (widget.minGroupSize !== undefined && widget.minGroupSize < minGroupSize) {
    return {
      code: 'DATA_WIDGET_THRESHOLD_TOO_LOW',
      property: 'minGroupSize',
      message: `minGroupSize: at least ${minGroupSize} (the deployment's threshold); a widget may only raise it`,
    }
  }
  return null
}

/**
 * The query of a widget that passed widgetIssue. `now` fixes "today" for lastDays ranges. The
 * threshold is the higher of the widget's and the deployment's, so a deployment that raised its
 * threshold after the widget was saved is honoured too.
 */
export function widgetQuery(
  widget: WidgetDefinition,
  minGroupSize: number,
  now: number,
): WidgetQuery {
  let range: WidgetQuery['range'] = null
  if (widget.range?.lastDays !== undefined) {
    range = { from: utcDate(now - (widget.range.lastDays - 1) * 86_400_000), to: utcDate(now) }
  } else if (widget.range) {
    range = { from: widget.range.from ?? null, to: widget.range.to ?? null }
  }
  const timeField = widget.timeField ?? CREATED_AT
  return {
    collectionId: widget.collectionId,
    aggregate: widget.aggregate,
    valueField: widget.aggregate === 'count' ? null : (widget.field ?? null),
    groupField: widget.groupBy ?? null,
    interval: widget.interval ?? null,
    timeField: timeField === CREATED_AT ? null : timeField,
    range,
    threshold: Math.max(minGroupSize, widget.minGroupSize ?? 0),
    cap: MAX_GROUPS,
  }
}
