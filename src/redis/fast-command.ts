import { createRequire } from 'node:module';

/**
 * ioredis 5.11 builds every command with `this.args = args.flat()`. V8's Array#flat is a generic
 * builtin: about 1 µs for a BullMQ script's 15 arguments and 47 µs for a log-stream batch's 682
 * (a loop that finds no nested array and copies: 32 ns and 1 µs), so an async event paid 2-3 µs
 * of the hub's main thread for it (addJob, moveToFinished). This swaps in a constructor that does
 * what ioredis' does, flattening one level only when an argument is an array, before any command
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

/** Array#flat's one level, without its cost when no argument is an array (the usual case). */
function flatOnce(args: unknown[]): unknown[] {
  for (let i = 0; i < args.length; i += 1) {
    if (Array.isArray(args[i])) return args.flat();
  }
  return args.slice();
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
