/**
 * Language codes Google Workspace accepts as a customer's default language (Directory API
 * `customers.patch {language}`). Google also accepts unlisted codes but then misbehaves, so both
 * the order validation and the emulator reject anything not in this list. Hebrew is `iw`.
 */
export const GOOGLE_LANGUAGE_CODES = [
  'af', 'sq', 'am', 'ar', 'hy', 'as', 'az', 'eu', 'bn', 'bg', 'my', 'ca', 'chr', 'zh-HK', 'zh-CN',
  'zh-TW', 'hr', 'cs', 'da', 'nl', 'en-GB', 'en', 'et', 'fil', 'fi', 'fr', 'fr-CA', 'gl', 'ka', 'de',
  'el', 'gu', 'iw', 'hi', 'hu', 'is', 'id', 'ga', 'it', 'ja', 'kn', 'kk', 'km', 'ko', 'lo', 'lv', 'lt',
  'mk', 'ms', 'ml', 'mr', 'mn', 'ne', 'no', 'or', 'fa', 'pl', 'pt-BR', 'pt-PT', 'pa', 'ro', 'ru', 'sr',
  'si', 'sk', 'sl', 'es', 'es-419', 'sw', 'sv', 'ta', 'te', 'th', 'tr', 'uk', 'ur', 'uz', 'vi', 'cy', 'zu',
] as const;

export type GoogleLanguageCode = (typeof GOOGLE_LANGUAGE_CODES)[number];

const known: ReadonlySet<string> = new Set(GOOGLE_LANGUAGE_CODES);
export function isGoogleLanguageCode(code: string): code is GoogleLanguageCode {
  return known.has(code);
}
