// `punycode-userland` is npm's alias of the `punycode` package; these are the functions used from it.
declare module 'punycode-userland' {
  export function toASCII(domain: string): string;
  /** Decodes `xn--` labels; throws a RangeError on malformed punycode. */
  export function toUnicode(domain: string): string;
}
