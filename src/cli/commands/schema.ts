/**
 * `rbac schema`: print the JSON Schema of the configuration. Without --file, the
 * combined schema of every file kind (v0.1 output, kept); with `--file rbac|roles|grants`
 * the schema of that one kind, with its own `$id`, for an editor to map to its files.
 */
import { FILE_SCHEMA_IDS, jsonSchema, jsonSchemaFor, type FileKind } from '../../config/schema.js';
import { RbacError } from '../../model/errors.js';
import { suggestion } from '../../config/names.js';
import { EXIT, type Io } from '../io.js';

const KINDS = Object.keys(FILE_SCHEMA_IDS) as FileKind[];

/** Run `rbac schema`; exit 0, or a usage error for an unknown file kind. */
export function schemaCommand(io: Io, args: { file?: string }): number {
  if (args.file !== undefined && !(KINDS as string[]).includes(args.file)) {
    throw new RbacError('USAGE', `schema: unknown file kind "${args.file}"${suggestion(args.file, KINDS)}`, `use --file ${KINDS.join('|')}`);
  }
  const schema = args.file === undefined ? jsonSchema() : jsonSchemaFor(args.file as FileKind);
  io.out(JSON.stringify(schema, null, 2) + '\n');
  return EXIT.OK;
}
