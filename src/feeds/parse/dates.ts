/**
 * Feed dates as feeds actually write them: RFC 822/1123 with named or numeric zones (RSS), and
 * ISO 8601 / RFC 3339 (Atom, JSON Feed, dc:date). Anything else is null, never a guess.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// Offsets in minutes. RFC 822 names the US zones; the rest are the ones real feeds use.
const ZONES: Record<string, number> = {
  UT: 0,
  UTC: 0,
  GMT: 0,
  Z: 0,
  EST: -300,
  EDT: -240,
  CST: -360,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  WET: 0,
  WEST: 60,
  BST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

const RFC822 =
  /^(?:[A-Za-z]+\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-z]+)\.?[\s-]+(\d{4}|\d{2})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?(?:\s*([A-Za-z]{1,5}|[+-]\d{2}:?\d{2}))?$/;

/** Parses one feed date; null when absent or not a real moment. */
export function parseFeedDate(value: string | null | undefined): Date | null {
  const text = value?.trim();
  if (!text) return null;
  return parseIso(text) ?? parseRfc822(text);
}

/** The first of several candidate fields that holds a valid date. */
export function firstDate(...values: (string | null | undefined)[]): Date | null {
  for (const value of values) {
    const date = parseFeedDate(value);
    if (date) return date;
  }
  return null;
}

function parseIso(text: string): Date | null {
  const m = ISO.exec(text);
  if (!m) return null;
  const fraction = (m[7] ?? '').slice(0, 3).padEnd(3, '0');
  const offset = m[8] === undefined ? 0 : numericOffset(m[8]);
  if (offset === null) return null;
  return build(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    Number(fraction),
    offset,
  );
}

function parseRfc822(text: string): Date | null {
  const m = RFC822.exec(text);
  if (!m) return null;
  const month = MONTHS.indexOf((m[2] ?? '').slice(0, 3).toLowerCase()) + 1;
  if (month === 0) return null;
  let year = Number(m[3]);
  // Two-digit years (RFC 822 allowed them): the window RFC 2822 recommends.
  if ((m[3] ?? '').length === 2) year += year < 50 ? 2000 : 1900;
  const offset = m[7] === undefined ? 0 : zoneOffset(m[7]);
  if (offset === null) return null;
  return build(
    year,
    month,
    Number(m[1]),
    Number(m[4] ?? 0),
    Number(m[5] ?? 0),
    Number(m[6] ?? 0),
    0,
    offset,
  );
}

function zoneOffset(zone: string): number | null {
  if (/^[+-]/.test(zone)) return numericOffset(zone);
  const upper = zone.toUpperCase();
  const named = ZONES[upper];
  if (named !== undefined) return named;
  // RFC 822's military letters had their signs inverted in practice; RFC 2822 says read them as -0000.
  if (/^[A-IK-Y]$/.test(upper)) return 0;
  return null;
}

function numericOffset(zone: string): number | null {
  if (zone === 'Z' || zone === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (!m) return null;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return null;
  return (m[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

function build(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
  offsetMinutes: number,
): Date | null {
  if (month < 1 || month > 12 || day < 1) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month, 0);
  if (day > date.getUTCDate()) return null;
  // 60 seconds is a leap second, which Date folds into the next minute.
  if (hour > 23 || minute > 59 || second > 60) return null;
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
