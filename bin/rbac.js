#!/usr/bin/env node
// Thin launcher: runs the TypeScript CLI through tsx so `npx rbac` works without a build step.
// The project's tsconfig is named explicitly: rbac runs from any directory (--config),
// and the JSX settings of the terminal UI must not depend on the caller's cwd.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli/main.ts');
await main();
