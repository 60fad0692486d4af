import { describe, expect, it } from 'vitest';
import { fauxqsStores, type SqsQueue } from '../src/cloud/fauxqs-stores.js';
import { restoreSnapshot, snapshotSchema, takeSnapshot } from '../src/cloud/sqs-sns-snapshot.js';

/** The snapshot of fauxqs's own stores (its store code, as the embedded SQS runs it), through JSON and back. */
describe('the SQS/SNS snapshot', () => {
  it('keeps names that are not safe as object keys (__proto__) as data, and tags and attributes by name', async () => {
    const stores = await fauxqsStores();
    const url = 'http://127.0.0.1:1/000000000000/odd';
    const queue = stores.sqsStore.createQueue('odd', url, 'arn:aws:sqs:us-east-1:000000000000:odd', { VisibilityTimeout: '9' }, { ['__proto__']: 'tag value' });
    const attributes = JSON.parse('{"__proto__":{"DataType":"String","StringValue":"odd name"},"kind":{"DataType":"String","StringValue":"k"}}');
    const { createMessage } = stores.sqsStore.constructor as unknown as { createMessage(body: string, attrs: object): SqsQueue['messages'][number] };
    queue.enqueue(createMessage('body', attributes));
    stores.snsStore.createTopic('t', { DisplayName: 'T' }, { ['__proto__']: 'x' }, 'us-east-1');

    const text = JSON.stringify(takeSnapshot(stores));
    const restored = await fauxqsStores();
    restoreSnapshot(restored, snapshotSchema.parse(JSON.parse(text)), 2);

    const again = restored.sqsStore.getQueueByName('odd')!;
    expect(again.url).toBe('http://sqs.us-east-1.localhost:2/000000000000/odd');
    expect(again.attributes.VisibilityTimeout).toBe('9');
    expect([...again.tags]).toEqual([['__proto__', 'tag value']]);
    const [message] = again.messages;
    expect(Object.getPrototypeOf(message.messageAttributes)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(message.messageAttributes, '__proto__')?.value).toEqual({ DataType: 'String', StringValue: 'odd name' });
    expect(message.messageAttributes.kind).toEqual({ DataType: 'String', StringValue: 'k' });
    expect([...restored.snsStore.getTopic('arn:aws:sns:us-east-1:000000000000:t')!.tags]).toEqual([['__proto__', 'x']]);
  });

  it('refuses a snapshot of another shape, naming the path', () => {
    const parsed = snapshotSchema.safeParse({ version: 1, queues: [{ name: 'q', arn: 'not an arn' }], topics: [], subscriptions: [] });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0].path.join('.')).toBe('queues.0.arn');
  });
});
