import { createRequire } from 'node:module';

/**
 * ioredis 5.11 builds every command with `this.args = args.flat()`. V8's Array#flat is a generic
 * builtin: about 1 µs for a BullMQ script's 15 arguments and 47 µs for a log-stream batch's 682
 * (a loop that finds no nested array and copies: 32 ns and 1 µs), so an async event paid 2-3 µs
 * of the hub's main thread for it (addJob, moveToFinished). This swaps in a constructor that does
 * what ioredis' does, flattening one level with a loop (flatOnce), before any command
 * is built: ioredis' modules and BullMQ's script commands (`class extends Command`) construct
 * through `Command_1.default`, which is looked up when used. Instances keep ioredis' prototype,
 * so `instanceof Command`, its statics (through the prototype chain) and methods are unchanged;
 * `checkFlag` skips its toLowerCase when the name is found as given.
 *
 * test/fast-command.test.ts fails if the installed ioredis constructor is not the one this copies.
 */

interface CommandOptions {
  replyEncoding?: BufferEncoding | null;
  errorStack?: Error;
  keyPrefix?: string | Buffer;
  readOnly?: boolean;
}

interface CommandInstance {
  name: string;
  args: unknown[];
  inTransaction: boolean;
  isTraced: boolean;
  isResolved: boolean;
  transformed: boolean;
  replyEncoding?: BufferEncoding | null;
  errorStack?: Error;
  callback?: unknown;
  isReadOnly?: boolean;
  initPromise(): void;
  _iterateKeys(transform: (key: unknown) => unknown): void;
}

type CommandClass = (new (name: string, args?: unknown[], options?: CommandOptions, callback?: unknown) => CommandInstance) & { prototype: CommandInstance };

const require = createRequire(import.meta.url);
const commandModule = require('ioredis/built/Command.js') as { default: CommandClass; fastCommand?: true };

/**
 * What Array#flat() gives (one level; holes skipped, at the top and in nested arrays), by a loop:
 * 70 ns instead of 1.2 us for BullMQ's scripts, which pass their 15 arguments as one array.
 */
function flatOnce(args: unknown[]): unknown[] {
  let out: unknown[] | null = null;
  for (let i = 0; i < args.length; i += 1) {
    if (!(i in args)) {
      out ??= args.slice(0, i);
      continue;
    }
    const arg = args[i];
    if (Array.isArray(arg)) {
      out ??= args.slice(0, i);
      for (let j = 0; j < arg.length; j += 1) if (j in arg) out.push(arg[j]);
    } else if (out) {
      out.push(arg);
    }
  }
  return out ?? args.slice();
}

function FastCommand(this: CommandInstance, name: string, args: unknown[] = [], options: CommandOptions = {}, callback?: unknown): void {
  this.name = name;
  this.inTransaction = false;
  this.isTraced = false;
  this.isResolved = false;
  this.transformed = false;
  this.replyEncoding = options.replyEncoding;
  this.errorStack = options.errorStack;
  this.args = flatOnce(args);
  this.callback = callback;
  this.initPromise();
  if (options.keyPrefix) {
    const isBufferKeyPrefix = options.keyPrefix instanceof Buffer;
    let keyPrefixBuffer = isBufferKeyPrefix ? (options.keyPrefix as Buffer) : null;
    this._iterateKeys((key) => {
      if (key instanceof Buffer) {
        if (keyPrefixBuffer === null) keyPrefixBuffer = Buffer.from(options.keyPrefix as string);
        return Buffer.concat([keyPrefixBuffer, key]);
      }
      if (isBufferKeyPrefix) return Buffer.concat([options.keyPrefix as Buffer, Buffer.from(String(key))]);
      return (options.keyPrefix as string) + (key as string);
    });
  }
  if (options.readOnly) this.isReadOnly = true;
}

/** ioredis' own Command class (what `instanceof` and the statics refer to). */
export function ioredisCommand(): CommandClass {
  return commandModule.default.prototype.constructor as CommandClass;
}

/** Installs FastCommand once (idempotent); returns whether ioredis now builds commands with it. */
export function installFastCommand(): boolean {
  if (commandModule.fastCommand) return true;
  const original = commandModule.default;
  FastCommand.prototype = original.prototype;
  Object.setPrototypeOf(FastCommand, original); // statics: FLAGS, checkFlag, _transformer, …
  // Called four or five times per command (subscriber mode, blocking, …) with a lower-case name
  // (ioredis' and BullMQ's are): looked up as given first, lower-cased only when that misses.
  Object.defineProperty(FastCommand, 'checkFlag', {
    value: function checkFlag(this: { getFlagMap(): Record<string, Record<string, boolean>> }, flagName: string, commandName: string): boolean {
      const commands = this.getFlagMap()[flagName];
      return !!(commands[commandName] || commands[commandName.toLowerCase()]);
    },
  });
  commandModule.default = FastCommand as unknown as CommandClass;
  commandModule.fastCommand = true;
  return true;
}
