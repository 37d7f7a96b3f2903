/**
 * Typed errors. Every error the CLI can print is an RbacError with a stable `code`;
 * driver errors are mapped by the driver's error code, never by matching SQL text.
 * Messages never contain secrets: URLs pass through `maskUrl` (PostgreSQL targets through
 * their connection parser's `display`) before they reach one.
 */
export type ErrorCode =
  | 'CONFIG'
  | 'TARGET'
  | 'CONNECTION'
  | 'PERMISSION'
  | 'LOCKED'
  | 'STALE_PLAN'
  | 'PLAN_INVALID'
  | 'APPLY_FAILED'
  | 'NOT_FOUND'
  | 'USAGE';

export class RbacError extends Error {
  constructor(
    public readonly code: ErrorCode,
    message: string,
    public readonly hint?: string,
  ) {
    super(message);
    this.name = 'RbacError';
  }
}

/** Query (or fragment) parameters whose value is a secret, any case, masked by `maskUrl`. */
const SECRET_QUERY = /([?&#](?:password|token|secret|sslpassword|access_token|refresh_token|key|api_key|client_secret)=)[^&#]*/gi;

/**
 * Where a URL's userinfo is: `[start, end)` of `user[:password]` in `url`, the `@`
 * at `end`. The userinfo ends at the LAST `@` before the host, as WHATWG URL parsing
 * does (so `u:P@ssw0rd@host` has the password `P@ssw0rd`). When the authority reads
 * `user:x` with `x` not a port, WHATWG parsing fails anyway: the password then holds
 * a raw `/`, `?` or `#`, and the userinfo runs to the last `@` of the whole URL.
 */
function userinfoSpan(url: string): { start: number; end: number } | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\//i.exec(url);
  if (!m) return undefined;
  const start = m[0].length;
  const rest = url.slice(start);
  const slash = rest.search(/[/?#]/);
  const authEnd = slash < 0 ? rest.length : slash;
  let at = rest.slice(0, authEnd).lastIndexOf('@');
  if (at < 0) {
    const auth = rest.slice(0, authEnd);
    const colon = auth.indexOf(':');
    const last = rest.lastIndexOf('@');
    if (colon >= 0 && last > authEnd && !/^[0-9]*$/.test(auth.slice(colon + 1))) at = last;
  }
  return at < 0 ? undefined : { start, end: start + at };
}

/**
 * Replace the password of a URL, and the value of every token-like query parameter
 * (password, token, secret, sslpassword, access_token, refresh_token, key, api_key,
 * client_secret), by `****`. For any URL (webhooks); PostgreSQL targets are displayed
 * through their connection parser (src/dialects/postgres/connection.ts).
 */
export function maskUrl(url: string): string {
  const span = userinfoSpan(url);
  let out = url;
  if (span) {
    const userinfo = url.slice(span.start, span.end);
    const colon = userinfo.indexOf(':');
    if (colon >= 0 && span.start + colon + 1 < span.end) out = `${url.slice(0, span.start + colon)}:****${url.slice(span.end)}`;
  }
  return out.replace(SECRET_QUERY, '$1****');
}

/** The password of a URL, decoded, if any (so it can be scrubbed from driver errors). */
export function urlPassword(url: string): string | undefined {
  const span = userinfoSpan(url);
  if (!span) return undefined;
  const userinfo = url.slice(span.start, span.end);
  const colon = userinfo.indexOf(':');
  if (colon < 0 || colon === userinfo.length - 1) return undefined;
  const raw = userinfo.slice(colon + 1);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The forms a secret may take in a message: as is, and percent-encoded the ways URLs
 * and forms encode it (encodeURIComponent, encodeURI, WHATWG userinfo, form data),
 * each with upper- and lower-case hex digits.
 */
function secretForms(s: string): string[] {
  const forms = new Set<string>([s, encodeURIComponent(s), encodeURI(s), new URLSearchParams({ s }).toString().slice(2)]);
  try {
    const u = new URL('http://h');
    u.password = s;
    forms.add(u.password);
  } catch {
    // not encodable as userinfo: the other forms remain
  }
  for (const f of [...forms]) forms.add(f.replace(/%[0-9A-F]{2}/g, (x) => x.toLowerCase()));
  return [...forms];
}

/**
 * Remove every known secret value from a message (belt and braces for driver errors),
 * in the forms `secretForms` lists. Secrets shorter than 4 characters are left alone
 * (they would blank out ordinary words); longer forms are replaced first.
 */
export function scrubSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  const forms = new Set<string>();
  for (const s of secrets) if (s && s.length >= 4) for (const f of secretForms(s)) forms.add(f);
  let out = message;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) out = out.split(f).join('****');
  return out;
}
