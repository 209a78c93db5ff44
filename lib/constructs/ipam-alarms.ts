// Alarms for what needs a human: any Lambda error or throttle, any 5xx from the API, sustained
// API throttling, any failed or timed-out workflow. No alarm action is attached: subscribe a
// topic in the console or extend this construct.
import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface IpamAlarmsProps {
  namePrefix: string;
  /** By short name: api, workflow-task, discovery-sweep. */
  functions: Record<string, lambda.IFunction>;
  api: apigateway.RestApi;
  throttledRequests: cloudwatch.Metric;
  stateMachines: Record<string, sfn.IStateMachine>;
}

const PERIOD = Duration.minutes(5);
/** Throttled requests per 5 minutes that mean the limits are too low (clients retry single ones). */
const THROTTLED_REQUESTS_THRESHOLD = 10;

export class IpamAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: IpamAlarmsProps) {
    super(scope, id);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold = 1) =>
      this.alarms.push(new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${props.namePrefix}-${alarmId}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }));

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(`${name}-errors`, `The ${name} Lambda failed (an unhandled error, a timeout or a crash).`, fn.metricErrors({ period: PERIOD, statistic: 'Sum' }));
      alarm(`${name}-throttles`, `The ${name} Lambda was throttled (account or reserved concurrency exhausted).`, fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }));
    }
    alarm('api-5xx', 'The API answered with a 5xx (InternalError, Unavailable, or a gateway failure).', props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }));
    alarm(
      'api-throttled',
      `API Gateway throttled at least ${THROTTLED_REQUESTS_THRESHOLD} requests in 5 minutes (503 RequestLimitExceeded): raise throttlingRateLimit/throttlingBurstLimit?`,
      props.throttledRequests.with({ period: PERIOD }),
      THROTTLED_REQUESTS_THRESHOLD,
    );
    for (const [name, stateMachine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}-failed`,
        `A ${name} execution failed or timed out: the resource it worked on may be left in a failed-* state.`,
        new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: { failed: stateMachine.metricFailed({ statistic: 'Sum' }), timedOut: stateMachine.metricTimedOut({ statistic: 'Sum' }) },
          period: PERIOD,
          label: 'failed or timed-out executions',
        }),
      );
    }
  }
}
