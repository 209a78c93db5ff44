// Writes lambdas/adapters/ec2-query/constraints.generated.json: the input constraints the JS SDK's
// static schemas do not carry (enum values, numeric ranges, list sizes, string lengths), taken from
// the botocore model extract in test/fixtures/ipam-actions.json. The output is checked in, so
// the service never reads the spec at run time.
//
//   npm run generate:constraints [-- path/to/ipam-actions.json]
import * as ec2 from '@aws-sdk/client-ec2';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Constraint } from '../lambdas/adapters/ec2-query/validate.ts';

/** A member or list-item descriptor as ipam-actions.json writes it. */
interface SpecMember {
  type: string;
  shape?: string;
  enum?: string;
  min?: number;
  max?: number;
  minItems?: number;
  maxItems?: number;
  items?: SpecMember;
}

interface Spec {
  actions: { name: string; input: Record<string, SpecMember> }[];
  structures: Record<string, { members: Record<string, SpecMember> }>;
  enums: Record<string, string[]>;
}


const NUMERIC_TYPES = new Set(['integer', 'long', 'double', 'float']);

/** The checks of one value itself (not of its children). */
function constraintOf(member: SpecMember): Constraint {
  const constraint: Constraint = {};
  if (member.enum) constraint.enum = member.enum;
  if (NUMERIC_TYPES.has(member.type)) {
    if (member.min !== undefined) constraint.min = member.min;
    if (member.max !== undefined) constraint.max = member.max;
  }
  if (member.type === 'string') {
    // A minimum length of 0 restricts nothing; leave it out to keep the table short.
    if (member.min) constraint.minLength = member.min;
    if (member.max !== undefined) constraint.maxLength = member.max;
  }
  if (member.type === 'list') {
    if (member.minItems) constraint.minItems = member.minItems;
    if (member.maxItems !== undefined) constraint.maxItems = member.maxItems;
  }
  return constraint;
}

/**
 * Collects the constraints under `path`: `Member`, `Member[]` for list elements,
 * `Member.Child` / `Member[].Child` for members of nested structures.
 */
function collect(spec: Spec, member: SpecMember, path: string, out: Record<string, Constraint>, seen: string[]): void {
  const own = constraintOf(member);
  if (Object.keys(own).length > 0) out[path] = own;
  if (member.type === 'list' && member.items) collect(spec, member.items, `${path}[]`, out, seen);
  if (member.type === 'structure' && member.shape) {
    // A structure that contains itself would recurse forever; none does today, but the model allows it.
    if (seen.includes(member.shape)) return;
    const structure = spec.structures[member.shape];
    if (!structure) throw new Error(`structure ${member.shape} (at ${path}) is missing from the spec`);
    for (const [name, child] of Object.entries(structure.members)) {
      collect(spec, child, `${path}.${name}`, out, [...seen, member.shape]);
    }
  }
}

/**
 * The pinned JS SDK is newer than the botocore model behind the spec (e.g. its ResourceType has
 * `ipam-internet-registry-association` for its SDK-only IPAM actions). A value the SDK can send
 * is not refused here; the use cases still reject what they do not support.
 */
function sdkEnumValues(name: string): string[] {
  const values = (ec2 as unknown as Record<string, unknown>)[name];
  return values && typeof values === 'object' ? Object.values(values).filter((value) => typeof value === 'string') : [];
}

export function buildConstraints(spec: Spec) {
  const actions: Record<string, Record<string, Constraint>> = {};
  const usedEnums = new Set<string>();
  for (const action of [...spec.actions].sort((a, b) => a.name.localeCompare(b.name))) {
    const rules: Record<string, Constraint> = {};
    for (const [name, member] of Object.entries(action.input)) collect(spec, member, name, rules, []);
    if (Object.keys(rules).length === 0) continue;
    actions[action.name] = rules;
    for (const rule of Object.values(rules)) if (rule.enum) usedEnums.add(rule.enum);
  }
  const enums: Record<string, string[]> = {};
  for (const name of [...usedEnums].sort()) {
    const values = spec.enums[name];
    if (!values) throw new Error(`enum ${name} is missing from the spec`);
    enums[name] = [...new Set([...values, ...sdkEnumValues(name)])];
  }
  return { enums, actions };
}

/** JSON with one line per enum and per action: compact, and diffs show which action changed. */
function format(table: ReturnType<typeof buildConstraints>): string {
  const block = (entries: Record<string, unknown>) =>
    Object.entries(entries)
      .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(',\n');
  return `{\n  "enums": {\n${block(table.enums)}\n  },\n  "actions": {\n${block(table.actions)}\n  }\n}\n`;
}

async function main(): Promise<void> {
  const specPath = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/ipam-actions.json', import.meta.url));
  const outPath = fileURLToPath(new URL('../lambdas/adapters/ec2-query/constraints.generated.json', import.meta.url));
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as Spec;
  const table = buildConstraints(spec);
  await writeFile(outPath, format(table));
  console.log(`wrote ${outPath}: ${Object.keys(table.actions).length} actions, ${Object.keys(table.enums).length} enums`);
}

if (import.meta.main) await main();
