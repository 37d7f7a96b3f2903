/**
 * One place that maps a platform to its dialect, compiler and adapter, so the CLI
 * never branches on the platform itself.
 */
import path from 'node:path';
import type { ResolvedTarget } from '../config/targets.js';
import { RbacError } from '../model/errors.js';
import type { Platform } from '../model/types.js';
import { assertNever } from '../plan/types.js';
import { compilePostgres } from './postgres/compile.js';
import { postgresDialect } from './postgres/quote.js';
import type { Adapter, Compiler, Dialect } from './types.js';

export function dialectFor(platform: Platform): Dialect {
  switch (platform) {
    case 'postgres':
      return postgresDialect;
    case 'snowflake':
    case 'databricks':
      throw new RbacError('TARGET', `platform ${platform} is not available in this build`);
    default:
      return assertNever(platform);
  }
}

export function compilerFor(platform: Platform): Compiler {
  switch (platform) {
    case 'postgres':
      return compilePostgres;
    case 'snowflake':
    case 'databricks':
      throw new RbacError('TARGET', `platform ${platform} is not available in this build`);
    default:
      return assertNever(platform);
  }
}

/** Open the adapter of a resolved target. Relative paths are relative to the config root. */
export async function openAdapter(target: ResolvedTarget, root: string): Promise<Adapter> {
  switch (target.platform) {
    case 'postgres': {
      const { createPostgresAdapter } = await import('./postgres/adapter.js');
      if (target.url !== undefined) {
        return createPostgresAdapter({ url: target.url, databaseMap: target.databaseMap, objectCreators: target.objectCreators });
      }
      const dataDir = path.resolve(root, target.embedded ?? '.rbac/pglite');
      const { ensureDemo } = await import('../demo/seed.js');
      // Open the data directory once: seeding and the adapter share the session.
      const session = (await ensureDemo(dataDir)) as Awaited<ReturnType<typeof ensureDemo>> & { pglite: import('@electric-sql/pglite').PGlite };
      const adapter = await createPostgresAdapter({ pglite: session.pglite, databaseMap: target.databaseMap, objectCreators: target.objectCreators });
      const close = adapter.close.bind(adapter);
      return Object.assign(adapter, {
        close: async () => {
          await close();
          await session.close();
        },
      });
    }
    case 'snowflake':
    case 'databricks':
      throw new RbacError('TARGET', `platform ${target.platform} is not available in this build`);
    default:
      return assertNever(target);
  }
}
