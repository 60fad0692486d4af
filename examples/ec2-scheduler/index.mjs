// The classic demo: stop tagged EC2 instances in the evening, start them in the morning.
// Plain Lambda handlers (nodejs20.x) using @aws-sdk/client-ec2; EC2_ENDPOINT points them at
// LocalStack (compose) or at a test fixture, and without it the SDK's standard config applies.
import { DescribeInstancesCommand, EC2Client, StartInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';

const ec2 = new EC2Client(process.env.EC2_ENDPOINT ? { endpoint: process.env.EC2_ENDPOINT } : {});
const tagKey = process.env.SCHEDULE_TAG_KEY ?? 'AutoSchedule';
const tagValue = process.env.SCHEDULE_TAG_VALUE ?? 'office-hours';

async function instancesIn(state) {
  const out = await ec2.send(new DescribeInstancesCommand({
    Filters: [{ Name: `tag:${tagKey}`, Values: [tagValue] }, { Name: 'instance-state-name', Values: [state] }],
  }));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.InstanceId);
}

export const stop = async (event) => {
  const ids = await instancesIn('running');
  if (ids.length) await ec2.send(new StopInstancesCommand({ InstanceIds: ids }));
  console.log(`stopped ${ids.length} instance(s) tagged ${tagKey}=${tagValue} at ${event.time}: ${ids.join(', ')}`);
  return { stopped: ids };
};

export const start = async (event) => {
  const ids = await instancesIn('stopped');
  if (ids.length) await ec2.send(new StartInstancesCommand({ InstanceIds: ids }));
  console.log(`started ${ids.length} instance(s) tagged ${tagKey}=${tagValue} at ${event.time}: ${ids.join(', ')}`);
  return { started: ids };
};
