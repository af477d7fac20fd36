/**
 * FROZEN for release 0.1's workflow (onboard-customer-v1.ts): a copy of workflows/markdown.ts as 0.1 runs
 * ran it on release 0.3's worker (the newest code they have run on, with every later change gated),
 * so that changing today's file cannot change an old run. Do not edit; delete with onboard-customer-v1.ts.
 */
/**
 * Free text (a cancellation reason, Google's error messages, anything a caller or a remote system
 * wrote) placed into the Web UI's markdown (`setCurrentDetails`) must show as the text it is: no
 * links or images to click, no HTML, no table broken by a pipe, no heading or list started by a line
 * break, no code fence swallowing the rest — and no megabyte of it. Pure functions, no imports:
 * bundled into the workflow sandbox.
 */

/** Default bound on the characters of one piece of free text. */
export const MARKDOWN_TEXT_MAX = 500;

// Control characters (line breaks included: a new line can start a heading, list, table or fence),
// line/paragraph separators; bidi embeddings, overrides and isolates and invisible characters go too.
const LINE_BREAKS_AND_CONTROLS = /[\p{Cc}\u2028\u2029]+/gu;
const INVISIBLE =
  /[\p{Cs}\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/gu;
// Every ASCII punctuation character may be backslash-escaped in CommonMark/GFM and then renders as
// itself: this covers links and images ([ ] ( ) !), HTML and autolinks (< > & : @ .), emphasis
// (* _ ~), code (`), tables (|), headings and lists (# + - and digits followed by . or )).
const ASCII_PUNCTUATION = /[!"#$%&'()*+,\-./:;<=>?@[\\\]^_`{|}~]/g;

function plain(value: unknown, maxLength: number): string {
  const text = (typeof value === 'string' ? value : String(value))
    .replace(LINE_BREAKS_AND_CONTROLS, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(text); // code points: never cut a surrogate pair in half
  if (chars.length <= maxLength) return text;
  return `${chars
    .slice(0, Math.max(0, maxLength - 1))
    .join('')
    .trimEnd()}…`;
}

/** Free text as literal markdown on one line, at most `maxLength` characters (before escaping). */
export function markdownText(value: unknown, maxLength: number = MARKDOWN_TEXT_MAX): string {
  return plain(value, maxLength).replace(ASCII_PUNCTUATION, (c) => `\\${c}`);
}

/** Free text as an inline code span (monospace, nothing inside is markdown), bounded likewise. */
export function markdownCode(value: unknown, maxLength: number = MARKDOWN_TEXT_MAX): string {
  // In a code span a backslash is literal, so the fence must be longer than any run of backticks,
  // and a pipe would still split a GFM table cell: it becomes a look-alike (U+2223).
  const text = plain(value, maxLength).replace(/\|/g, '\u2223');
  if (text === '') return '` `';
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
