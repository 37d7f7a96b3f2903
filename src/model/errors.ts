/**
 * Typed errors. Every error the CLI can print is an RbacError with a stable `code`;
 * driver errors are mapped by the driver's error code, never by matching SQL text.
 * Messages never contain secrets: URLs pass through `maskUrl` before they reach one.
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

/** Replace the password (and any token-like query parameter) of a URL by `****`. */
export function maskUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:)[^@/?#]*@/i, '$1****@')
    .replace(/([?&](?:password|token|secret|sslpassword|access_token)=)[^&#]*/gi, '$1****');
}

/** The password of a URL, if any (so it can be scrubbed from driver errors). */
export function urlPassword(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Remove every known secret value from a message (belt and braces for driver errors). */
export function scrubSecrets(message: string, secrets: readonly (string | undefined)[]): string {
  let out = message;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('****');
  return out;
}
