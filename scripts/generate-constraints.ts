// Writes what the JS SDK's static schemas do not carry, taken from the botocore model extract in
// test/fixtures/ipam-actions.json, as two checked-in tables, so the service never reads the spec
// at run time:
//   lambdas/adapters/ec2-query/constraints.generated.json — the input constraints the validator
//     checks (enum values, numeric ranges, list sizes, string lengths), by action and member path;
//   lambdas/adapters/json-api/model-details.generated.json — what the OpenAPI document describes
//     beyond the schemas (enum names, integer/long/double, each action's purpose), by shape member.
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

interface SpecOutputMember extends SpecMember {
  name: string;
}

interface Spec {
  actions: {
    name: string;
    purpose: string;
    inputShape: string;
    outputShape: string;
    input: Record<string, SpecMember>;
    output: SpecOutputMember[];
  }[];
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

/** What a member's JS schema cannot say: the enum its strings come from, or which kind of number it is. */
export interface MemberDetail {
  enum?: string;
  number?: 'integer' | 'long' | 'double';
}

/** The detail of a value (not of its children), or undefined if the JS schema already says it all. */
function detailOf(member: SpecMember): MemberDetail | undefined {
  if (member.enum) return { enum: member.enum };
  if (member.type === 'integer' || member.type === 'long') return { number: member.type };
  if (member.type === 'double' || member.type === 'float') return { number: 'double' };
  return undefined;
}

/**
 * Keyed `Shape.Member` (`Shape.Member[]` for list elements), with the structure names the JS
 * schemas use too (`CreateIpamRequest`, `Ipam`): a member reads the same wherever its structure
 * occurs, so one table serves inputs and outputs.
 */
export function buildModelDetails(spec: Spec) {
  const members: Record<string, MemberDetail> = {};
  const usedEnums = new Set<string>();
  const add = (key: string, member: SpecMember) => {
    const detail = detailOf(member);
    if (detail) {
      members[key] = detail;
      if (detail.enum) usedEnums.add(detail.enum);
    }
    if (member.type === 'list' && member.items) add(`${key}[]`, member.items);
  };
  const structures: [string, [string, SpecMember][]][] = [
    ...spec.actions.map((action): [string, [string, SpecMember][]] => [action.inputShape, Object.entries(action.input)]),
    ...spec.actions.map((action): [string, [string, SpecMember][]] => [
      action.outputShape,
      action.output.map((member) => [member.name, member]),
    ]),
    ...Object.entries(spec.structures).map(([name, structure]): [string, [string, SpecMember][]] => [
      name,
      Object.entries(structure.members),
    ]),
  ];
  for (const [shape, entries] of structures) for (const [name, member] of entries) add(`${shape}.${name}`, member);
  const enums: Record<string, string[]> = {};
  for (const name of [...usedEnums].sort()) enums[name] = [...new Set([...(spec.enums[name] ?? []), ...sdkEnumValues(name)])];
  const purposes = Object.fromEntries(
    [...spec.actions].sort((a, b) => a.name.localeCompare(b.name)).map((action) => [action.name, action.purpose]),
  );
  const sorted = Object.fromEntries(Object.entries(members).sort(([a], [b]) => a.localeCompare(b)));
  return { enums, members: sorted, purposes };
}

/** JSON with one line per enum and per action: compact, and diffs show which action changed. */
function format(table: Record<string, Record<string, unknown>>): string {
  const block = (entries: Record<string, unknown>) =>
    Object.entries(entries)
      .map(([key, value]) => `    ${JSON.stringify(key)}: ${JSON.stringify(value)}`)
      .join(',\n');
  const sections = Object.entries(table).map(([name, entries]) => `  ${JSON.stringify(name)}: {\n${block(entries)}\n  }`);
  return `{\n${sections.join(',\n')}\n}\n`;
}

async function main(): Promise<void> {
  const specPath = process.argv[2] ?? fileURLToPath(new URL('../test/fixtures/ipam-actions.json', import.meta.url));
  const constraintsPath = fileURLToPath(new URL('../lambdas/adapters/ec2-query/constraints.generated.json', import.meta.url));
  const detailsPath = fileURLToPath(new URL('../lambdas/adapters/json-api/model-details.generated.json', import.meta.url));
  const spec = JSON.parse(await readFile(specPath, 'utf8')) as Spec;
  const table = buildConstraints(spec);
  await writeFile(constraintsPath, format(table));
  console.log(`wrote ${constraintsPath}: ${Object.keys(table.actions).length} actions, ${Object.keys(table.enums).length} enums`);
  const details = buildModelDetails(spec);
  await writeFile(detailsPath, format(details));
  console.log(`wrote ${detailsPath}: ${Object.keys(details.members).length} members, ${Object.keys(details.enums).length} enums`);
}

if (import.meta.main) await main();
