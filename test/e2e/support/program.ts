// Where a command-line program really lives. A pyenv shim (how many machines install the AWS CLI
// and python3) is a shell script that starts pyenv to find the program on every call: about a
// second per command on a busy 2-core machine, and the CLI scenarios run hundreds of commands. The
// shim's answer is the same all run long, so it is asked once; any other program is run as found.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

function output(program: string, args: string[]): string | undefined {
  try {
    return execFileSync(program, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 30_000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const resolved = new Map<string, string>();

/** `name` itself, or the program its pyenv shim would run. */
export function programPath(name: string): string {
  let found = resolved.get(name);
  if (found === undefined) {
    const onPath = output('sh', ['-c', `command -v ${name}`]);
    const shims = output('pyenv', ['root']);
    const isShim = onPath !== undefined && shims !== undefined && path.dirname(onPath) === path.join(shims, 'shims');
    found = (isShim && output('pyenv', ['which', name])) || name;
    resolved.set(name, found);
  }
  return found;
}
