import { createRequire } from 'node:module';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { redisClient } from '../src/redis/connection.js';
import { installFastCommand, ioredisCommand } from '../src/redis/fast-command.js';

/** ioredis 5.11.1's Command constructor, which src/redis/fast-command.ts repeats without Array#flat. */
const COPIED_CONSTRUCTOR = [
  'constructor(name, args = [], options = {}, callback) {',
  'this.name = name; this.inTransaction = false; this.isTraced = false; this.isResolved = false; this.transformed = false;',
  'this.replyEncoding = options.replyEncoding; this.errorStack = options.errorStack; this.args = args.flat(); this.callback = callback; this.initPromise();',
  'if (options.keyPrefix) { // @ts-expect-error const isBufferKeyPrefix = options.keyPrefix instanceof Buffer;',
  '// @ts-expect-error let keyPrefixBuffer = isBufferKeyPrefix ? options.keyPrefix : null;',
  'this._iterateKeys((key) => { if (key instanceof Buffer) { if (keyPrefixBuffer === null) { keyPrefixBuffer = Buffer.from(options.keyPrefix); }',
  'return Buffer.concat([keyPrefixBuffer, key]); } else if (isBufferKeyPrefix) { // @ts-expect-error return Buffer.concat([options.keyPrefix, Buffer.from(String(key))]); }',
  'return options.keyPrefix + key; }); } if (options.readOnly) { this.isReadOnly = true; } }',
].join(' ');

const squeeze = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('ioredis commands built without Array#flat (fast-command.ts)', () => {
  let redis: Redis;
  const prefix = `fastcmd-${process.pid}`;

  beforeAll(() => {
    redis = redisClient(inject('redisUrl'));
  });
  afterAll(async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('copies the installed ioredis constructor (an upgrade that changes it fails here)', () => {
    const source = squeeze(ioredisCommand().toString());
    const start = source.indexOf('constructor(');
    const end = source.indexOf('/** * Check whether the command has the flag');
    expect(squeeze(source.slice(start, end))).toBe(COPIED_CONSTRUCTOR);
  });

  it('is installed once the connection module is loaded, and keeps ioredis\' class for instanceof and statics', () => {
    const commandModule = createRequire(import.meta.url)('ioredis/built/Command.js') as { default: unknown };
    expect(installFastCommand()).toBe(true);
    expect(commandModule.default).not.toBe(ioredisCommand());
    const Built = commandModule.default as new (name: string, args: unknown[]) => { args: unknown[] };
    const Original = ioredisCommand() as unknown as typeof Built;
    // eslint-disable-next-line no-sparse-arrays
    const holey = [['k', , 'v'], 'x', , 'y'];
    const lists: unknown[][] = [[], ['k', 'v'], ['k', ['a', 'b'], 'c', [['nested']], 5, Buffer.from('x')], [['s', 'k', 1, Buffer.from('p')]], [{ f: 'v', g: 1 }], holey, [[]]];
    for (const [name, args] of lists.flatMap((list) => [['rpush', list], ['hset', list], ['mset', list]] as const)) {
      const command = new Built(name, args.slice());
      expect(command).toBeInstanceOf(ioredisCommand());
      expect(command.args).toEqual(new Original(name, args.slice()).args);
      expect(command.args).toHaveLength(new Original(name, args.slice()).args.length);
    }
    const plain = ['k', 'v'];
    expect(new Built('set', plain).args).not.toBe(plain); // a copy, as Array#flat() makes
    const flags = commandModule.default as { checkFlag(flag: string, name: string): boolean };
    const original = ioredisCommand() as unknown as typeof flags;
    for (const flag of ['BLOCKING_COMMANDS', 'VALID_IN_SUBSCRIBER_MODE', 'WILL_DISCONNECT', 'ENTER_SUBSCRIBER_MODE']) {
      for (const name of ['brpop', 'BRPOP', 'bzPopMin', 'subscribe', 'Ping', 'quit', 'evalsha', 'get', 'nosuch']) {
        expect(flags.checkFlag(flag, name)).toBe(original.checkFlag(flag, name));
      }
    }
    expect(flags.checkFlag('BLOCKING_COMMANDS', 'BRPOP')).toBe(true);
  });

  it('sends what ioredis sent: flattened arrays, argument and reply transformers, key prefixes (string and Buffer keys), scripts, MULTI', async () => {
    const key = `${prefix}:list`;
    // An array among the arguments is spread (the node_redis convention ioredis keeps).
    expect(await (redis.rpush as (...args: unknown[]) => Promise<number>)(key, ['a', 'b'], 'c')).toBe(3);
    expect(await redis.lrange(key, 0, -1)).toEqual(['a', 'b', 'c']);
    await redis.hset(`${prefix}:hash`, { f1: 'v1', f2: 'v2' }); // argument transformer
    expect(await redis.hgetall(`${prefix}:hash`)).toEqual({ f1: 'v1', f2: 'v2' }); // reply transformer

    const prefixed = new Redis(inject('redisUrl'), { keyPrefix: `${prefix}:p:` });
    try {
      await prefixed.set('s', '1');
      await prefixed.set(Buffer.from('b'), '2');
      prefixed.defineCommand('twice', { numberOfKeys: 1, lua: 'return redis.call("INCRBY", KEYS[1], ARGV[1]) * 2' });
      expect(await (prefixed as unknown as { twice(key: string, by: number): Promise<number> }).twice('n', 5)).toBe(10);
      const results = await prefixed.multi().incr('n').get('s').exec();
      expect(results).toEqual([[null, 6], [null, '1']]);
    } finally {
      prefixed.disconnect();
    }
    expect(await redis.mget(`${prefix}:p:s`, `${prefix}:p:b`, `${prefix}:p:n`)).toEqual(['1', '2', '6']);
  });

  it('runs BullMQ\'s script commands (add, fetch, complete)', async () => {
    const name = `${prefix}-queue`;
    const queue = new Queue(name, { connection: redis, prefix });
    const done: unknown[] = [];
    const worker = new Worker(name, async (job) => { done.push(job.data); return 'ok'; }, { connection: redisClient(inject('redisUrl')), prefix });
    try {
      await queue.add('e', { n: 1 }, { removeOnComplete: true });
      await new Promise<void>((resolve) => worker.once('completed', () => resolve()));
      expect(done).toEqual([{ n: 1 }]);
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
