// Some suites need a real client the machine may not have: the AWS CLI, python3 with boto3,
// moto_server. Without it they skip, never silently: one line says what was skipped and why
// (with how to get the client), so a green run cannot hide that they did not run.
//
//   describe.skipIf(skipUnless(probe.available, 'the AWS CLI tests', probe.reason))('…', () => { … });

const said = new Set<string>();

/** True when `what` must be skipped (the client is not `available`), after saying so once. */
export function skipUnless(available: boolean, what: string, why: string | undefined): boolean {
  if (available) return false;
  const line = `Skipping ${what}: ${(why ?? 'the client is not available').replace(/\.$/, '')}.`;
  if (!said.has(line)) console.log(line);
  said.add(line);
  return true;
}
