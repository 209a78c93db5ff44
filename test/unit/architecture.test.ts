// The layers hold: no file imports itself back through others, and each layer reaches only the
// layers below it. Domain is rules and the shapes they reason over; ports are interfaces over
// domain shapes; use cases run the rules through the ports; adapters, handlers and hosts plug in
// the world. The CDK app (lib/) describes infrastructure and loads none of the SDK clients the
// Lambdas run with. The graph is every .ts file under lambdas/, lib/, bin/ and scripts/.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildImportGraph, findCycles, reachableFrom } from '../support/import-graph.ts';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const graph = buildImportGraph(projectRoot, ['lambdas', 'lib', 'bin', 'scripts']);

const LAYERS = ['domain', 'ports', 'use-cases', 'adapters', 'handlers', 'hosts'] as const;
type Layer = (typeof LAYERS)[number];

const layerOf = (file: string): Layer | undefined => LAYERS.find((layer) => file.startsWith(`lambdas/${layer}/`));

/** What each layer may import of the project: layers, or single files outside them. Handlers and hosts are the top: anything in lambdas/. */
const MAY_IMPORT: Record<Layer, string[]> = {
  domain: ['domain'],
  ports: ['domain'],
  'use-cases': ['domain', 'ports', 'use-cases'],
  adapters: ['domain', 'ports', 'use-cases', 'adapters', 'lambdas/config.ts'],
  handlers: [...LAYERS, 'lambdas/config.ts'],
  hosts: [...LAYERS, 'lambdas/config.ts'],
};

/** The only packages and built-in modules the inner layers may import: pure ones, no I/O, no cloud. */
const MAY_IMPORT_EXTERNAL: Partial<Record<Layer, string[]>> = {
  // ids.ts draws random ids; byoip-verification.ts checks X.509 signatures.
  domain: ['node:crypto'],
  ports: [],
  // Ids and hashes, pagination-token HMACs, retry back-off, deep equality of records.
  'use-cases': ['node:crypto', 'node:timers/promises', 'node:util'],
};

/** Breaches known today, each with who removes it. One that no longer breaches fails the test: take it off. */
const KNOWN_EXCEPTIONS: string[] = [];

/**
 * The one SDK module the CDK app may load: the XML serializer (no client, no credentials, no
 * network) with which lib/constructs/ec2-gateway-responses.ts writes API Gateway's error bodies
 * through the Lambda's own encoder (lambdas/adapters/ec2-query/error-envelope.ts).
 */
const CDK_MAY_LOAD = ['@aws-sdk/core/protocols'];

function layerBreaches(): string[] {
  return graph.files.flatMap((file) => {
    const layer = layerOf(file);
    if (!layer) return [];
    const allowedExternal = MAY_IMPORT_EXTERNAL[layer];
    const internal = [...graph.internal.get(file)!].filter((target) => !MAY_IMPORT[layer].includes(layerOf(target) ?? target));
    const external = allowedExternal ? [...graph.external.get(file)!].filter((name) => !allowedExternal.includes(name)) : [];
    return [...internal, ...external].map((target) => `${file} -> ${target}`);
  });
}

describe('the architecture', () => {
  it('reads the whole tree, import type included', () => {
    expect(graph.files).toContain('lambdas/domain/model/pool.ts');
    expect(graph.files).toContain('lib/constructs/ipam-table.ts');
    expect(graph.internal.get('lambdas/ports/store.ts')).toContain('lambdas/domain/model/pool.ts'); // import type
    expect(graph.internal.get('lambdas/handlers/workflow-task.ts')).toContain('lambdas/hosts/lambda/functions.ts');
    expect(graph.external.get('lambdas/adapters/dynamodb/table.ts')).toContain('@aws-sdk/client-dynamodb');
  });

  it('has no import cycles', () => {
    const cycles = findCycles(graph).map((cycle) => cycle.join(' -> '));
    expect(cycles, `import cycles:\n${cycles.join('\n')}`).toEqual([]);
  });

  it('keeps each layer to the layers below it: domain ← ports ← use cases ← adapters ← handlers, hosts', () => {
    const breaches = layerBreaches();
    expect(breaches.filter((breach) => !KNOWN_EXCEPTIONS.includes(breach))).toEqual([]);
    expect(KNOWN_EXCEPTIONS.filter((exception) => !breaches.includes(exception))).toEqual([]);
  });

  it('keeps lambdas/ free of the CDK app and the scripts', () => {
    const outward = graph.files
      .filter((file) => file.startsWith('lambdas/'))
      .flatMap((file) =>
        [...graph.internal.get(file)!].filter((target) => !target.startsWith('lambdas/')).map((target) => `${file} -> ${target}`),
      );
    expect(outward).toEqual([]);
  });

  it('keeps the CDK app free of the AWS SDK, through every import', () => {
    const roots = graph.files.filter((file) => file.startsWith('lib/') || file === 'bin/app.ts');
    const reached = new Map(roots.flatMap((root) => [...reachableFrom(graph, root)]));
    const sdk = [...reached].flatMap(([file, chain]) =>
      [...graph.external.get(file)!]
        .filter((name) => (name.startsWith('@aws-sdk/') || name.startsWith('@smithy/')) && !CDK_MAY_LOAD.includes(name))
        .map((name) => [...chain, name].join(' -> ')),
    );
    expect(sdk).toEqual([]);
  });
});
