// operations.generated.ts is the codec's copy of the SDK's schemas, trimmed to the operations it
// knows so that the Lambda bundle need not carry every EC2 shape. It must be what the generator
// makes from the installed @aws-sdk/client-ec2 (so a dependency update that changes a shape fails
// here until `npm run generate:operations`), and cover the whole action table.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inputOf, outputOf } from '../../../lambdas/adapters/ec2-query/codec.ts';
import * as operations from '../../../lambdas/adapters/ec2-query/operations.generated.ts';
import { ACTIONS } from '../../../lambdas/use-cases/kernel/actions.ts';
import { codecActions, OPERATIONS_FILE, operationsModule } from '../../../scripts/generate-ec2-operations.ts';

describe('operations.generated.ts', () => {
  it('is what the generator makes from the SDK, the action table and the constraint table', () => {
    expect(readFileSync(OPERATIONS_FILE, 'utf8')).toBe(operationsModule(codecActions()));
  });

  it.each(Object.keys(ACTIONS))('has the input and output shapes of %s', (action) => {
    expect(inputOf(action)?.isStructSchema()).toBe(true);
    // Some answer nothing but the request id: a unit output.
    expect(outputOf(action)).toBeDefined();
  });

  it('holds nothing else: an EC2 operation the codec does not know has no shapes', () => {
    expect(Object.keys(operations).sort()).toEqual(codecActions().map((action) => `${action}$`));
    expect(inputOf('DescribeInstances')).toBeUndefined();
  });
});
