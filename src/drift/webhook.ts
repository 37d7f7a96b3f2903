/**
 * Posting the drift summary to a webhook (Slack incoming webhook or any JSON receiver).
 * A webhook URL is a secret (whoever has it can post): errors name the host only.
 */
import { RbacError } from '../model/errors.js';

/** POST `body` as JSON; throws an RbacError naming only the host on failure. */
export async function postWebhook(url: string, body: unknown, timeoutMs = 10_000): Promise<void> {
  let host: string;
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('protocol');
    host = u.host;
  } catch {
    throw new RbacError('USAGE', 'the webhook is not an http(s) URL');
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const why = (e as Error).name === 'TimeoutError' ? `no answer in ${timeoutMs} ms` : 'connection failed';
    throw new RbacError('CONNECTION', `posting to the webhook on ${host} failed: ${why}`);
  }
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) throw new RbacError('CONNECTION', `the webhook on ${host} answered HTTP ${res.status}`);
}
