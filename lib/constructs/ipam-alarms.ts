// Alarms for what needs a human: any Lambda error or throttle, any 5xx from the API, sustained
// API throttling, any failed or timed-out workflow, a workflow execution left open too long, an
// event not delivered for as long, and a pool running out of space. No alarm
// action is attached: subscribe a topic in the console or extend this construct.
import { Duration } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { OUTBOX_METRICS, RECONCILER_METRICS } from '../../lambdas/domain/monitoring.ts';

interface IpamAlarmsProps {
  namePrefix: string;
  /** By short name: api, workflow-task, discovery-sweep. */
  functions: Record<string, lambda.IFunction>;
  api: apigateway.RestApi;
  throttledRequests: cloudwatch.Metric;
  stateMachines: Record<string, sfn.IStateMachine>;
  /** The pool metrics the discovery sweep publishes, and the percent used that needs a human. */
  poolUtilization: { namespace: string; alarmPercent: number; sweepRateMinutes: number };
  /** The age of the oldest open execution the reconciler publishes, and the age that needs a human; absent without a reconciler. */
  openExecutions?: { namespace: string; alarmMinutes: number; reconcileRateMinutes: number };
}

const PERIOD = Duration.minutes(5);
/** Throttled requests per 5 minutes that mean the limits are too low (clients retry single ones). */
const THROTTLED_REQUESTS_THRESHOLD = 10;

export class IpamAlarms extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: IpamAlarmsProps) {
    super(scope, id);
    const alarm = (alarmId: string, description: string, metric: cloudwatch.IMetric, threshold = 1) =>
      this.alarms.push(
        new cloudwatch.Alarm(this, alarmId, {
          alarmName: `${props.namePrefix}-${alarmId}`,
          alarmDescription: description,
          metric,
          threshold,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );

    for (const [name, fn] of Object.entries(props.functions)) {
      alarm(
        `${name}-errors`,
        `The ${name} Lambda failed (an unhandled error, a timeout or a crash).`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      );
      alarm(
        `${name}-throttles`,
        `The ${name} Lambda was throttled (account or reserved concurrency exhausted).`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
      );
    }
    alarm(
      'api-5xx',
      'The API answered with a 5xx (InternalError, Unavailable, or a gateway failure).',
      props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
    );
    alarm(
      'api-throttled',
      `API Gateway throttled at least ${THROTTLED_REQUESTS_THRESHOLD} requests in 5 minutes (503 RequestLimitExceeded): raise throttlingRateLimit/throttlingBurstLimit?`,
      props.throttledRequests.with({ period: PERIOD }),
      THROTTLED_REQUESTS_THRESHOLD,
    );
    this.alarms.push(poolUtilizationAlarm(this, props.namePrefix, props.poolUtilization));
    if (props.openExecutions) {
      this.alarms.push(...reconcilerAgeAlarms(this, props.namePrefix, props.openExecutions));
    }
    for (const [name, stateMachine] of Object.entries(props.stateMachines)) {
      alarm(
        `${name}-failed`,
        `A ${name} execution failed or timed out: the resource it worked on may be left in a failed-* state.`,
        new cloudwatch.MathExpression({
          expression: 'FILL(failed, 0) + FILL(timedOut, 0)',
          usingMetrics: {
            failed: stateMachine.metricFailed({ statistic: 'Sum' }),
            timedOut: stateMachine.metricTimedOut({ statistic: 'Sum' }),
          },
          period: PERIOD,
          label: 'failed or timed-out executions',
        }),
      );
    }
  }
}

/**
 * Any pool whose used share (100 − PercentAvailable, as the threshold events count it) reaches
 * the configured percent. One CloudWatch Metrics Insights query over every pool's series — the
 * sweep publishes them with exactly these dimensions — so pools created later are covered
 * without redeploying.
 */
function poolUtilizationAlarm(scope: Construct, namePrefix: string, settings: IpamAlarmsProps['poolUtilization']): cloudwatch.Alarm {
  // A point per sweep: a shorter period would have empty ones. Metrics Insights reads at most the
  // last three hours, which caps the period.
  const period = Duration.minutes(Math.min(Math.max(settings.sweepRateMinutes, PERIOD.toMinutes()), 180));
  return new cloudwatch.Alarm(scope, 'pool-utilization', {
    alarmName: `${namePrefix}-pool-utilization`,
    alarmDescription: `An IPAM pool has ${settings.alarmPercent}% or more of its space allocated (less than ${100 - settings.alarmPercent}% available): provision more CIDRs or release allocations.`,
    metric: new cloudwatch.MathExpression({
      expression: `SELECT MIN(PercentAvailable) FROM SCHEMA("${settings.namespace}", AddressFamily, Locale, PoolID, ScopeID)`,
      usingMetrics: {},
      period,
      label: 'least available space of any pool (%)',
    }),
    threshold: 100 - settings.alarmPercent,
    comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 1,
    // Between sweeps (or with no pool at all) there is simply no news: keep the last state.
    treatMissingData: cloudwatch.TreatMissingData.IGNORE,
  });
}

/**
 * Ages the reconciler publishes at every run (0 when nothing waits), alarmed at the open-execution
 * threshold: the reconciler retries what waits at every run, so anything this old keeps failing.
 * - workflow-open-too-long: an execution still open (or the reconciler itself is failing).
 * - events-undelivered: an event the destination keeps refusing (the bus gone, PutEvents not
 *   allowed); one undelivered after 7 days is given up (docs/events.md).
 */
const RECONCILER_AGE_ALARMS = [
  {
    id: 'workflow-open-too-long',
    metric: RECONCILER_METRICS,
    description: (minutes: number) =>
      `A workflow execution has been open for ${minutes} minutes or more: its resource stays pending-* or *-in-progress until it finishes. See the reconciler's logs (open workflow execution could not be restarted).`,
  },
  {
    id: 'events-undelivered',
    metric: OUTBOX_METRICS,
    description: (minutes: number) =>
      `An event has waited ${minutes} minutes or more to be delivered to the event bus. See the reconciler's logs (events not delivered; they stay in the outbox).`,
  },
] as const;

function reconcilerAgeAlarms(
  scope: Construct,
  namePrefix: string,
  settings: NonNullable<IpamAlarmsProps['openExecutions']>,
): cloudwatch.Alarm[] {
  return RECONCILER_AGE_ALARMS.map(
    ({ id, metric, description }) =>
      new cloudwatch.Alarm(scope, id, {
        alarmName: `${namePrefix}-${id}`,
        alarmDescription: description(settings.alarmMinutes),
        metric: new cloudwatch.Metric({
          namespace: settings.namespace,
          metricName: metric.oldestAge,
          dimensionsMap: { ...metric.dimensions },
          statistic: 'Maximum',
          // A point per reconciler run: a shorter period would have empty ones.
          period: Duration.minutes(Math.max(settings.reconcileRateMinutes, PERIOD.toMinutes())),
        }),
        threshold: settings.alarmMinutes * 60,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // Between runs there is no news; a reconciler that stopped running has its own errors alarm.
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      }),
  );
}
