/**
 * Finding: the look-alike check caught only Latin mixed with Greek or Cyrillic, so `gօօgle.com`
 * (Armenian օ), `Ꭺpple.com` (Cherokee Ꭺ) and all-Cyrillic `аррӏе.com` were accepted as customer
 * domains. Now UTS #39: highly restrictive script mixing, and skeletons that spell an ASCII name.
 */
import { isHighlyRestrictive, lookalikeRule, skeleton } from '../../order/lookalike';
import { validateOrder } from '../../order/order';
import { domainOrder } from '../support/orders';

const MIXED = /^must not mix (scripts|Latin, Greek and Cyrillic letters) in one label/;
// Refused by UTS #46 first since 0.4 (Cherokee capital maps to its small letter; Arabic after Latin breaks the Bidi rule).
const MIXED_OR_INVALID = /^(must not mix|must be a valid internationalized label)/;
const ASCII_LOOKALIKE = /^must not be a look-alike of a plain ASCII name/;

function domainProblem(domain: string): string | undefined {
  try {
    validateOrder({
      ...domainOrder('placeholder.example'),
      customerDomain: domain,
      admin: { givenName: 'Alex', familyName: 'Cruz', primaryEmail: `admin@${domain}` },
    });
    return undefined;
  } catch (err) {
    const problems = (err as { problems?: { field: string; rule: string }[] }).problems ?? [];
    return (
      problems.find((p) => p.field === 'customerDomain')?.rule ??
      `(no customerDomain problem: ${(err as Error).message})`
    );
  }
}

describe('look-alike customer domains (UTS #39)', () => {
  it.each([
    ['gօօgle.com', 'Armenian օ among Latin letters', MIXED],
    ['Ꭺpple.com', 'Cherokee Ꭺ among Latin letters', MIXED_OR_INVALID],
    ['аррӏе.com', 'all Cyrillic, reads as "apple"', ASCII_LOOKALIKE],
    ['xn--80ak6aa92e.com', 'the same, as punycode', ASCII_LOOKALIKE],
    ['p\u0430ypal.example', 'one Cyrillic а in a Latin name', MIXED],
    ['ѕсоре.com', 'all Cyrillic, reads as "scope"', ASCII_LOOKALIKE],
    ['αο.gr', 'all Greek, reads as "ao"', ASCII_LOOKALIKE],
    ['ɑpple.com', 'Latin alpha for a', ASCII_LOOKALIKE],
    ['goog\u0ce6le.com', 'Kannada digit zero among Latin letters', MIXED],
    ['abc\u0627.com', 'Arabic letter among Latin letters', MIXED_OR_INVALID],
  ])('refuses %s (%s)', (domain, _why, rule) => {
    expect(domainProblem(domain)).toMatch(rule);
  });

  it.each([
    ['bücher.de', 'German'],
    ['пример.рф', 'Russian'],
    ['例え.jp', 'Japanese: Han + Hiragana'],
    ['アップル.jp', 'Japanese: Katakana'],
    ['sony-ソニー.jp', 'Latin + Katakana (allowed CJK combination)'],
    ['abc中文.com', 'Latin + Han'],
    ['한국.kr', 'Korean'],
    ['台灣ㄅ.tw', 'Han + Bopomofo'],
    ['παράδειγμα.gr', 'Greek'],
    ['україна.ua', 'Ukrainian'],
    ['mañana.es', 'Spanish'],
    ['æble.dk', 'Danish ligature æ'],
    ['straße.de', 'German sharp s'],
    ['उदाहरण.in', 'Devanagari'],
    ['مثال.eg', 'Arabic'],
    ['example.com', 'ASCII'],
  ])('accepts %s (%s)', (domain) => {
    expect(domainProblem(domain)).toBeUndefined();
  });

  it('computes skeletons from Unicode confusables data and resolves scripts with extensions', () => {
    expect(skeleton('аррӏе')).toMatch(/^[a-z]+$/);
    expect(skeleton('gօօgle')).toBe('google');
    expect(skeleton('пример')).not.toMatch(/^[a-z]+$/);
    expect(isHighlyRestrictive('例え')).toBe(true);
    expect(isHighlyRestrictive('한국中')).toBe(true);
    expect(isHighlyRestrictive('ひらがなㄅ')).toBe(false); // Hiragana + Bopomofo: no CJK combination has both
    expect(isHighlyRestrictive('abc-123')).toBe(true);
    expect(lookalikeRule('bücher')).toBeUndefined();
  });

  it('never echoes the label in its rule', () => {
    for (const label of ['аррӏе', 'gօօgle', 'Ꭺpple'])
      expect(lookalikeRule(label.toLowerCase()) ?? '').not.toContain(label.toLowerCase());
  });
});

/**
 * Finding (issue 19): characters IDNA2008 disallows, or that UTS #46 maps away, passed the script
 * and confusables checks: `goo\u034Fgle.com` and `go\u1160ogle.com` become `google.com` once mapped,
 * `gı̇thub.com` (dotless i + combining dot) reads as github. Now UTS #46 validity first (tr46).
 */
describe('IDNA2008 / UTS #46 validity before the look-alike check', () => {
  const INVALID_IDNA = /^must be a valid internationalized label \(IDNA2008, UTS #46\)/;
  it.each([
    ['goo\u034Fgle.com', 'combining grapheme joiner, dropped by UTS #46', INVALID_IDNA],
    ['go\u1160ogle.com', 'Hangul jungseong filler, dropped by UTS #46', INVALID_IDNA],
    ['g\u0131\u0307thub.com', 'dotless i with a combining dot above', /dotless i or j/],
    ['caf\u0301\u0301e.com', 'the same combining mark twice', /repeat the same combining mark/],
  ])('%s (%s) is refused', (domain, _why, rule) => {
    expect(domainProblem(domain)).toMatch(rule);
  });

  it.each(['bücher.de', 'пример.рф', '例え.jp', 'παράδειγμα.gr', '한국.kr', 'straße.de'])(
    '%s still passes',
    (domain) => {
      expect(domainProblem(domain)).toBeUndefined();
    },
  );
});
