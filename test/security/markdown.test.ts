/**
 * Finding: free text (a cancellation reason, Google's error messages) went unescaped and unbounded
 * into the Web UI's markdown details: a reason could show a phishing link or image, raw HTML, break
 * the schedule table, or fill the page. workflows/markdown.ts makes it literal and bounded.
 */
import { markdownCode, markdownText, MARKDOWN_TEXT_MAX } from '../../workflows/markdown';

/** What a CommonMark renderer shows for backslash-escaped text: the escapes removed. */
const rendered = (escaped: string) => escaped.replace(/\\([!-/:-@[-`{-~])/g, '$1');
/** Markdown syntax that is still active: an unescaped special character. */
const activeSyntax = (escaped: string) => escaped.replace(/\\[!-/:-@[-`{-~]/g, '').match(/[[\]()<>!|`*_#&:@~]/g) ?? [];

describe('markdownText', () => {
  it.each([
    ['a link', 'customer withdrew, see [the refund form](https://evil.example/phish)'],
    ['an image', '![tracking](https://evil.example/pixel.png)'],
    ['raw HTML', '<img src=x onerror=alert(1)><script>steal()</script>'],
    ['an autolink', 'visit <https://evil.example> or https://evil.example or www.evil.example or ops@evil.example'],
    ['a table breaker', 'a | b | c'],
    ['a code fence and heading after a line break', 'fine\n```\n# Heading\n- list'],
    ['an HTML entity', '&lt;script&gt; &#x3C;'],
    ['emphasis', '**bold** _under_ ~~strike~~'],
  ])('makes %s literal', (_case, input) => {
    const escaped = markdownText(input);
    expect(activeSyntax(escaped)).toEqual([]);
    expect(escaped).not.toMatch(/[\r\n]/);
    expect(rendered(escaped)).toBe(input.replace(/\s+/g, ' ').trim());
  });

  it('drops control, bidi and invisible characters', () => {
    expect(markdownText('ab\u202Ecd\u200Bef\u0000gh\u2028ij')).toBe('abcdef gh ij');
  });

  it('bounds the length, never splitting a character in two', () => {
    const long = '😀'.repeat(10_000);
    const out = markdownText(long);
    expect(Array.from(out)).toHaveLength(MARKDOWN_TEXT_MAX);
    expect(out.endsWith('…')).toBe(true);
    expect(out).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(Array.from(markdownText('x'.repeat(100), 10))).toHaveLength(10);
    expect(markdownText('short')).toBe('short');
  });

  it('takes non-strings', () => {
    expect(markdownText(42)).toBe('42');
    expect(markdownText(undefined)).toBe('undefined');
  });
});

describe('markdownCode', () => {
  it('fences with more backticks than the text holds, and keeps table pipes out', () => {
    expect(markdownCode('abc')).toBe('`abc`');
    expect(markdownCode('a`b')).toBe('``a`b``');
    expect(markdownCode('`x`')).toBe('`` `x` ``');
    expect(markdownCode('a|b')).not.toContain('|');
    expect(markdownCode('line\nbreak')).toBe('`line break`');
    expect(markdownCode('')).toBe('` `');
  });
});
