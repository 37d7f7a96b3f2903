import { afterAll, beforeAll, describe } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { createPostgresAdapter } from '../../src/dialects/postgres/adapter.js';
import { seedDemo } from '../../src/demo/seed.js';
import { defineLiveTests, type LiveEnv } from './live-suite.js';

describe('postgres live (in-memory PGlite)', () => {
  let db: PGlite;
  let env: LiveEnv;
  beforeAll(async () => {
    db = await PGlite.create();
    const adapter = await createPostgresAdapter({ pglite: db });
    await seedDemo(adapter.session);
    env = {
      adapter,
      p: (n) => n,
      // Same PGlite instance (one connection); the caller closes it, which leaves db open.
      another: (opts) => createPostgresAdapter({ pglite: db, ...opts }),
    };
  });
  afterAll(async () => {
    await env?.adapter.close();
    await db?.close();
  });
  defineLiveTests(() => env);
});
