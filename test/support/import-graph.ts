// The project's import graph, read with the TypeScript compiler's parser: every static import and
// export-from (`import type` included), every `import('…')` call and `import('…')` type. Relative
// specifiers resolve to project files; anything else (a package, a `node:` module) is kept as the
// bare specifier, so rules can be written about both.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Project-relative .ts files, sorted. */
  files: string[];
  /** file → the project files it imports (project-relative). */
  internal: Map<string, Set<string>>;
  /** file → the packages and `node:` modules it imports, as written. */
  external: Map<string, Set<string>>;
}

function tsFilesUnder(root: string, dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.posix.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : tsFilesUnder(root, relative);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [relative] : [];
  });
}

/** Every module specifier a source file names. */
export function moduleSpecifiers(fileName: string, text: string): string[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference) &&
      ts.isStringLiteral(node.moduleReference.expression)
    ) {
      found.push(node.moduleReference.expression.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first && ts.isStringLiteralLike(first)) found.push(first.text);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push(node.argument.literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The import graph of every .ts file under the given project folders. */
export function buildImportGraph(root: string, folders: string[]): ImportGraph {
  const files = folders.flatMap((folder) => tsFilesUnder(root, folder)).sort();
  const internal = new Map<string, Set<string>>();
  const external = new Map<string, Set<string>>();
  for (const file of files) {
    internal.set(file, new Set());
    external.set(file, new Set());
    for (const specifier of moduleSpecifiers(file, readFileSync(path.join(root, file), 'utf8'))) {
      if (specifier.startsWith('.')) {
        // Specifiers carry their .ts extension (allowImportingTsExtensions); JSON and other assets are not modules of the graph.
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), specifier));
        if (target.endsWith('.ts')) internal.get(file)!.add(target);
      } else {
        external.get(file)!.add(specifier);
      }
    }
  }
  return { files, internal, external };
}

/**
 * Every elementary cycle's path, each once, starting at its first file in sort order (Tarjan's
 * components, then a walk inside each). Stops after `limit` cycles: a tangle is reported, not enumerated.
 */
export function findCycles(graph: ImportGraph, limit = 50): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  for (const component of stronglyConnectedComponents(graph)) {
    const members = new Set(component);
    for (const start of [...component].sort()) {
      const walk = (node: string, trail: string[]): void => {
        for (const next of graph.internal.get(node) ?? []) {
          if (!members.has(next) || next < start) continue;
          if (cycles.length >= limit) return;
          if (next === start) {
            const key = trail.join(' -> ');
            if (!seen.has(key)) {
              seen.add(key);
              cycles.push([...trail, start]);
            }
          } else if (!trail.includes(next)) {
            walk(next, [...trail, next]);
          }
        }
      };
      walk(start, [start]);
    }
  }
  return cycles;
}

function stronglyConnectedComponents(graph: ImportGraph): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.internal.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.internal.get(node)?.has(node) ?? false;
      if (component.length > 1 || selfImport) components.push(component);
    }
  };
  for (const file of graph.files) if (!index.has(file)) connect(file);
  return components;
}

/** Every project file reachable from `from` (itself included), each with the chain that reaches it. */
export function reachableFrom(graph: ImportGraph, from: string): Map<string, string[]> {
  const chains = new Map<string, string[]>([[from, [from]]]);
  const queue = [from];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const next of graph.internal.get(node) ?? []) {
      if (chains.has(next)) continue;
      chains.set(next, [...chains.get(node)!, next]);
      queue.push(next);
    }
  }
  return chains;
}
