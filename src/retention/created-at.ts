// A version's created_at as the selection judges it: an ISO 8601 date-time,
// read strictly, since Date.parse would take "11/02/2026" or "2026-02-30" as
// some date and a rule would delete by it.

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i

/**
 * Milliseconds since the epoch; null for text that is not an ISO 8601
 * date-time. One without an offset is read as UTC: the control plane's
 * Python servers write naive UTC times.
 */
export function parseCreatedAt(text: string): number | null {
  const parts = ISO_DATE_TIME.exec(text.trim())
  if (!parts) return null
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(parts[i] ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ]
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate()
  // Before the epoch no version was made; Date.UTC would read years below 100 as 19xx.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return null
  const utc = Date.UTC(year, month - 1, day, hour, minute, second) + Math.floor(Number(`0.${parts[7] ?? '0'}`) * 1000)
  return utc - offsetMs(parts[8])
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === 'Z') return 0
  const digits = zone.replace(':', '')
  const sign = digits.startsWith('-') ? -1 : 1
  return sign * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5) || 0)) * 60_000
}
