/**
 * Look-alike domain labels, after Unicode UTS #39 (Unicode Security Mechanisms):
 * - restriction level "highly restrictive" (§5.2): one script per label, or Latin with the Chinese,
 *   Japanese and Korean combinations (Han + Hiragana + Katakana, Han + Bopomofo, Han + Hangul);
 *   scripts are resolved with Script_Extensions, Common and Inherited characters (digits, hyphen,
 *   combining marks) fitting any script (§5.1). Catches `gօօgle` (Armenian օ), `Ꭺpple` (Cherokee).
 * - confusables (§4): a label whose skeleton — Unicode's confusables.txt mapping, via the
 *   `unhomoglyph` package (data of Unicode 13.0) — is a plain ASCII name is a look-alike of that name:
 *   all-Cyrillic `аррӏе`, all-Greek `αο`, and Latin letters standing in for ASCII ones (`ɑpple`).
 *   Letters with diacritics and ligatures keep their skeleton out of ASCII (`bücher`, `æble` pass).
 * Legitimate single-script names pass: `bücher`, `пример`, `例え`, `παράδειγμα`, `한국`.
 *
 * Before both (release 0.4): IDNA2008 validity as UTS #46 processes it (the `tr46` package, the
 * WHATWG URL standard's implementation, pinned): a label must come out of UTS #46 processing
 * (nontransitional, STD3 rules, CONTEXTJ, Bidi) unchanged and without error, so characters that
 * are disallowed, or that UTS #46 maps away (`goo\u034Fgle`: combining grapheme joiner;
 * `go\u1160ogle`: Hangul filler), are refused instead of being silently dropped into `google`.
 * UTS #39 §5.4's optional checks follow: a dotless i or j under a combining dot above (`gı̇thub`),
 * and the same nonspacing mark twice in a row.
 *
 * Bundled into the workflow sandbox with order.ts: deterministic code and data only.
 */
import { toUnicode } from 'tr46';
import unhomoglyph from 'unhomoglyph';

const UTS46 = {
  checkBidi: true,
  checkHyphens: true,
  checkJoiners: true,
  useSTD3ASCIIRules: true,
  transitionalProcessing: false,
  verifyDNSLength: false, // lengths are checked on the whole domain by order.ts
};
/** UTS #39 §5.4: a dotless i or j with a dot put back on it reads as i or j. */
const DOTLESS_WITH_DOT = /[\u0131\u0237]\p{Mn}*[\u0307\u0358]/u;
const REPEATED_MARK = /(\p{Mn})\1/u;

/** Why a Unicode label is not a valid IDNA2008 label as UTS #46 processes it; undefined when it is. */
export function idnaRule(label: string): string | undefined {
  const { domain, error } = toUnicode(label, UTS46);
  if (error || domain !== label)
    return 'must be a valid internationalized label (IDNA2008, UTS #46): it holds a character that is disallowed or that would be mapped or dropped';
  const decomposed = label.normalize('NFD');
  if (DOTLESS_WITH_DOT.test(decomposed)) return 'must not put a dot back on a dotless i or j (look-alike of i or j)';
  if (REPEATED_MARK.test(decomposed)) return 'must not repeat the same combining mark (look-alike characters)';
  return undefined;
}

/** Unicode's scripts (long names, as ECMAScript's `\p{Script_Extensions=…}` takes them), Common and Inherited excepted. */
const SCRIPT_NAMES = (
  'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Bhaiksuki Bopomofo ' +
  'Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian Coptic ' +
  'Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan ' +
  'Elymaic Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Gurung_Khema Han ' +
  'Hangul Hanifi_Rohingya Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian ' +
  'Javanese Kaithi Kannada Katakana Kawi Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao ' +
  'Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian Mahajani Makasar Malayalam Mandaic Manichaean Marchen ' +
  'Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive Meroitic_Hieroglyphs Miao Modi Mongolian Mro ' +
  'Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu Nyiakeng_Puachue_Hmong Ogham Ol_Chiki ' +
  'Ol_Onal Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian Old_South_Arabian Old_Turkic ' +
  'Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi Rejang Runic ' +
  'Samaritan Saurashtra Sharada Shavian Siddham SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Sunuwar ' +
  'Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan ' +
  'Tifinagh Tirhuta Todhri Toto Tulu_Tigalari Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square'
).split(' ');

/** A letter of a script this engine does not know counts as one script of its own (so it never mixes). */
const UNKNOWN_SCRIPT = 'Unknown';
/** UTS #39 §5.1: Han is also Japanese, Korean and Han-with-Bopomofo; kana are Japanese; Hangul Korean; Bopomofo Hanb. */
const CJK_AUGMENT: Record<string, readonly string[]> = {
  Han: ['Jpan', 'Kore', 'Hanb'],
  Hiragana: ['Jpan'],
  Katakana: ['Jpan'],
  Hangul: ['Kore'],
  Bopomofo: ['Hanb'],
};
const CJK_WITH_LATIN = ['Jpan', 'Kore', 'Hanb'];
const CONFUSABLE_EUROPEAN = new Set(['Latin', 'Greek', 'Cyrillic']);

let scriptPatterns: { name: string; pattern: RegExp }[] | undefined;
const COMMON_OR_INHERITED = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;

/** Built on first use: some engines lack the newest scripts, which then fall under UNKNOWN_SCRIPT. */
function patterns(): { name: string; pattern: RegExp }[] {
  scriptPatterns ??= SCRIPT_NAMES.flatMap((name) => {
    try {
      return [{ name, pattern: new RegExp(`^\\p{scx=${name}}$`, 'u') }];
    } catch {
      return [];
    }
  });
  return scriptPatterns;
}

/** A character's Script_Extensions (CJK-augmented); undefined for Common/Inherited, which fit any script. */
function scriptsOf(char: string): Set<string> | undefined {
  if (COMMON_OR_INHERITED.test(char)) return undefined;
  const names = patterns()
    .filter(({ pattern }) => pattern.test(char))
    .map(({ name }) => name);
  const set = new Set(names.length ? names : [UNKNOWN_SCRIPT]);
  for (const name of names) for (const extra of CJK_AUGMENT[name] ?? []) set.add(extra);
  return set;
}

/** UTS #39 resolved script set: the scripts every character of `chars` belongs to. */
function resolve(sets: readonly Set<string>[]): Set<string> {
  if (sets.length === 0) return new Set(['*']);
  return sets.slice(1).reduce((acc, set) => new Set([...acc].filter((name) => set.has(name))), new Set(sets[0]));
}

/** True when the label meets the "highly restrictive" restriction level. */
export function isHighlyRestrictive(label: string): boolean {
  const sets = Array.from(label).flatMap((char) => scriptsOf(char) ?? []);
  if (resolve(sets).size > 0) return true;
  // Latin plus one of the CJK combinations.
  const rest = resolve(sets.filter((set) => !set.has('Latin')));
  return CJK_WITH_LATIN.some((name) => rest.has(name));
}

/** UTS #39 skeleton: NFD, each character replaced by its confusables.txt prototype, NFD again. */
export function skeleton(text: string): string {
  return unhomoglyph(text.normalize('NFD')).normalize('NFD');
}

const ASCII_LABEL = /^[a-z0-9-]+$/;

/**
 * The skeleton is a plain ASCII name and some non-ASCII letter stands for one ASCII letter (Cyrillic
 * `а` → `a`, Latin `ɑ` → `a`, dotless `ı` → `i`). Ligatures (`æ` → `ae`) and letters with diacritics
 * (`ü`, `ß`) are spelled differently from any ASCII name, so they do not count.
 */
function isAsciiLookalike(label: string): boolean {
  const nonAscii = Array.from(label).filter((char) => char > '\x7f');
  if (nonAscii.length === 0 || !ASCII_LABEL.test(skeleton(label))) return false;
  return nonAscii.some((char) => /^[a-z0-9]$/.test(skeleton(char)));
}

/** Why a (lower-case, Unicode) domain label is a look-alike, or undefined when it is not. */
export function lookalikeRule(label: string): string | undefined {
  const invalid = idnaRule(label);
  if (invalid) return invalid;
  if (!isHighlyRestrictive(label)) {
    const scripts = new Set(Array.from(label).flatMap((char) => [...(scriptsOf(char) ?? [])]));
    if ([...scripts].every((name) => CONFUSABLE_EUROPEAN.has(name))) {
      return 'must not mix Latin, Greek and Cyrillic letters in one label (look-alike characters)';
    }
    return 'must not mix scripts in one label (look-alike characters); only Latin with Chinese, Japanese or Korean scripts may be combined';
  }
  if (isAsciiLookalike(label)) {
    return 'must not be a look-alike of a plain ASCII name (every letter resembles a Latin one, e.g. Cyrillic "а" for "a")';
  }
  return undefined;
}
