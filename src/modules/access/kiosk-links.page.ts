// AUTHZ-3, SEC-2: the kiosk page. Plain HTML that reloads itself with <meta http-equiv="refresh">
// (no JavaScript) and takes its look from one stylesheet served from this origin, so it works
// under the strict Content-Security-Policy (no inline script or style). Every text that comes from
// the organisation (link, dashboard, widget and collection names, group labels, error messages)
// is escaped: a name holding markup shows as that text.
import type { DashboardResults, WidgetResult } from '../data/dashboards.service.ts'
import type { KioskView } from './kiosk-links.service.ts'

export const KIOSK_STYLESHEET_PATH = '/kiosk/assets/kiosk.css'

// Muted text and lines meet WCAG AA contrast (4.5:1 for text) on both the light and the dark
// scheme; the system colour GrayText does not on a white Canvas.
export const KIOSK_STYLESHEET = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; --muted: #4d4d4d; --line: #8a8a8a; --bar: #1f4e79; --error: #b00020; }
@media (prefers-color-scheme: dark) { :root { --muted: #c8c8c8; --line: #6e6e6e; --bar: #8ab4f8; --error: #ff8a80; } }
body { margin: 0; padding: 1.5rem; background: Canvas; color: CanvasText; }
header { display: flex; justify-content: space-between; align-items: baseline; gap: 1rem; flex-wrap: wrap; }
h1 { margin: 0 0 1rem; font-size: 1.8rem; }
h2 { margin: 2rem 0 1rem; font-size: 1.4rem; }
.widgets { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 18rem), 1fr)); gap: 1rem; }
.widget { border: 1px solid var(--line); border-radius: 0.5rem; padding: 1rem; min-width: 0; }
.widget h3 { margin: 0 0 0.25rem; font-size: 1.1rem; }
.source, .note, footer, .updated { color: var(--muted); font-size: 0.9rem; margin: 0.25rem 0; }
.figure { font-size: 2.5rem; font-weight: 600; margin: 0.5rem 0; }
table { border-collapse: collapse; width: 100%; margin-top: 0.5rem; }
th, td { text-align: left; padding: 0.2rem 0.4rem; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
td.value { text-align: right; font-variant-numeric: tabular-nums; }
.bar { width: 35%; }
.bar meter { display: block; width: 100%; height: 0.9rem; appearance: none; background: transparent; border: 0; }
.bar meter::-webkit-meter-bar { background: transparent; border: 0; border-radius: 0; }
.bar meter::-webkit-meter-optimum-value { background: var(--bar); border-radius: 0; }
.bar meter::-moz-meter-bar { background: var(--bar); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.error { color: var(--error); }
`

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Text for HTML element content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] as string)
}

const NUMBER = new Intl.NumberFormat('en', { maximumFractionDigits: 2 })

const AGGREGATE_WORDS: Record<string, string> = {
  count: 'Count',
  sum: 'Sum',
  avg: 'Average',
  min: 'Minimum',
  max: 'Maximum',
}

function describe(widget: WidgetResult): string {
  const what = AGGREGATE_WORDS[widget.aggregate] ?? widget.aggregate
  const of = widget.field ? ` of ${widget.field}` : ' of records'
  const by = [widget.groupBy, widget.interval ? `${widget.interval}` : null].filter(Boolean)
  return `${what}${of}${by.length > 0 ? ` by ${by.join(' and ')}` : ''}`
}

function suppressionNote(widget: WidgetResult): string {
  const notes: string[] = []
  const suppressed = widget.suppressed ?? 0
  const omitted = widget.omitted ?? 0
  if (suppressed > 0 && widget.groups) {
    notes.push(
      `${suppressed} group${suppressed === 1 ? '' : 's'} hidden (fewer than ${widget.threshold} records)`,
    )
  }
  if (omitted > 0) notes.push(`${omitted} smaller group${omitted === 1 ? '' : 's'} not shown`)
  return notes.length > 0 ? `<p class="note">${escapeHtml(notes.join('; '))}</p>` : ''
}

function groupRows(widget: WidgetResult): string {
  const groups = widget.groups ?? []
  if (groups.length === 0) return '<p class="note">No group large enough to show</p>'
  const periodic = widget.interval !== null
  const labelled = widget.groupBy !== null
  const head = [
    periodic ? '<th>Period</th>' : '',
    labelled ? '<th>Group</th>' : '',
    '<th>Value</th>',
    '<th class="bar"><span class="visually-hidden">Relative size</span></th>',
  ]
  // Each row carries a bar for reading the screen from across the room: a <meter> sized by its
  // attributes (the CSP refuses style attributes), hidden from screen readers since the value
  // beside it already says it. Negative sums show an empty bar.
  const largest = Math.max(0, ...groups.map((g) => g.value))
  const rows = groups.map((g) => {
    const cells = [
      periodic ? `<td>${escapeHtml(g.period ?? '(no date)')}</td>` : '',
      labelled ? `<td>${escapeHtml(g.label ?? '(none)')}</td>` : '',
      `<td class="value">${escapeHtml(NUMBER.format(g.value))}</td>`,
      largest > 0
        ? `<td class="bar"><meter min="0" max="${largest}" value="${Math.max(0, g.value)}" aria-hidden="true"></meter></td>`
        : '<td class="bar"></td>',
    ]
    return `<tr>${cells.join('')}</tr>`
  })
  return `<table><thead><tr>${head.join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`
}

function widgetHtml(widget: WidgetResult): string {
  const title = `<h3>${escapeHtml(widget.title)}</h3>`
  const source = `<p class="source">${escapeHtml(
    `${describe(widget)}${widget.collectionName ? ` · ${widget.collectionName}` : ''}`,
  )}</p>`
  let body: string
  if (widget.status === 'error') {
    body = `<p class="error">${escapeHtml(widget.error?.message ?? 'This widget is unavailable')}</p>`
  } else if (widget.groups) {
    body = groupRows(widget)
  } else if (widget.value === null || widget.value === undefined) {
    body = `<p class="figure">–</p><p class="note">${escapeHtml(
      `Hidden: fewer than ${widget.threshold} records`,
    )}</p>`
  } else {
    body = `<p class="figure">${escapeHtml(NUMBER.format(widget.value))}</p>`
  }
  return `<section class="widget">${title}${source}${body}${suppressionNote(widget)}</section>`
}

function dashboardHtml(dashboard: DashboardResults): string {
  const widgets = dashboard.widgets.map(widgetHtml).join('\n')
  return `<h2>${escapeHtml(dashboard.name)}</h2>\n<div class="widgets">\n${widgets}\n</div>`
}

function page(title: string, refreshSeconds: number | null, body: string): string {
  const refresh =
    refreshSeconds === null ? '' : `\n<meta http-equiv="refresh" content="${refreshSeconds}">`
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">${refresh}
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${KIOSK_STYLESHEET_PATH}">
</head>
<body>
${body}
</body>
</html>
`
}

/** The read-only page of a kiosk view. */
export function kioskPage(view: KioskView): string {
  const dashboards =
    view.dashboards.length > 0
      ? view.dashboards.map(dashboardHtml).join('\n')
      : '<p class="note">This link shows no dashboard any more.</p>'
  const body = `<header><h1>${escapeHtml(view.link.name)}</h1>
<p class="updated">Updated ${escapeHtml(view.generatedAt.slice(0, 16).replace('T', ' '))} UTC · refreshes every ${view.refreshSeconds} s</p></header>
<main>
${dashboards}
</main>`
  return page(view.link.name, view.refreshSeconds, body)
}

/** A refusal as a page: no reload (a guess must not retry by itself), the error's message. */
export function kioskErrorPage(message: string): string {
  return page(
    'Kiosk link unavailable',
    null,
    `<main><h1>Kiosk link unavailable</h1>
<p>${escapeHtml(message)}</p></main>`,
  )
}
