// `punycode-userland` is npm's alias of the `punycode` package; this is the one function used from it.
declare module 'punycode-userland' {
  export function toASCII(domain: string): string;
}
