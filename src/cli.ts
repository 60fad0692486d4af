#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { dlqList, dlqPurge, dlqRedrive, dlqShow } from './cli/dlq.js';
import { DEFAULT_REDRIVE_RATE } from './dlq/redrive.js';
import { DLQ_REASONS } from './dlq/filter.js';
import { EXIT, exitCodeFor, printErr, type GlobalOptions } from './cli/context.js';
import { filterTestCommand } from './cli/filter.js';
import { sourcesExplainCommand } from './cli/sources.js';
import { functionsCommand } from './cli/functions.js';
import { resourcesCommand } from './cli/resources.js';
import { invokeCommand } from './cli/invoke.js';
import { logsCommand } from './cli/logs.js';
import { schedulesCommand } from './cli/schedules.js';
import { statusCommand } from './cli/status.js';
import { upCommand } from './cli/up.js';
import { endOverridesAtCommand } from './cli/project-options.js';

export function buildProgram(): Command {
  const program = new Command('triggerhub')
    .description('Self-hosted event-source hub for Lambda-style handlers')
    // An empty TRIGGERHUB_CONFIG counts as unset, as an empty ${VAR} does in the config.
    .option('-c, --config <path>', 'config file (or TRIGGERHUB_CONFIG)', process.env.TRIGGERHUB_CONFIG || 'triggerhub.yaml')
    .option('-t, --template <path>', 'a SAM / CloudFormation template to run (the config file is optional then)')
    .option('--serverless <path>', 'a serverless.yml to run (the config file is optional then)')
    .option('--stage <stage>', 'serverless.yml stage (default provider.stage, else dev)')
    .option('--parameter-overrides <KEY=VALUE...>', 'template parameter values')
    .showHelpAfterError()
    .exitOverride();
  const globals = () => program.opts<GlobalOptions>();

  program.command('up')
    .description('start the hub: Invoke API, sources and dispatcher; SIGINT/SIGTERM drain and stop')
    .option('-w, --watch', 'hot reload: new invocations run edited code; config edits add, remove and rewire functions')
    .action(async (options: { watch?: boolean }) => upCommand(globals(), options));

  program.command('invoke')
    .description('invoke a function through the running hub and print its result (log tail on stderr)')
    .argument('<function>', 'function name')
    .option('-e, --event <file>', 'event JSON file, or - for stdin')
    .option('-p, --payload <json>', 'event JSON inline')
    .option('--async', 'asynchronous invocation (InvocationType Event)')
    .option('--endpoint <url>', 'hub URL (default: the running hub, else server.host:port)')
    .option('--no-tail', 'do not print the log tail')
    .action(async (fn: string, options) => {
      process.exitCode = await invokeCommand(fn, { ...globals(), ...options });
    });

  program.command('functions')
    .description('list the configured functions')
    .option('--json', 'JSON output')
    .action((options) => functionsCommand({ ...globals(), ...options }));

  program.command('resources')
    .description("list the queues, topics, buckets, streams and tables the project declares, and where they live (no hub needed)")
    .option('--json', 'JSON output')
    .action((options) => resourcesCommand({ ...globals(), ...options }));

  program.command('schedules')
    .description("list each schedule's next fire times, in its time zone and in UTC (from the config; no hub needed)")
    .option('-n, --next <n>', 'how many fire times per schedule', '3')
    .option('--from <time>', 'list fire times after this ISO date-time (default: now)')
    .option('--json', 'JSON output')
    .action((options) => schedulesCommand({ ...globals(), ...options }));

  program.command('status')
    .description('per function: invocations, errors, p50/p99, queue, DLQ, GB-seconds and estimated Lambda cost; per source: state, lag, last event (all hubs)')
    .option('--json', 'JSON output')
    .option('--reset', 'set the counters back to zero and forget the source records')
    .option('-w, --watch <seconds>', 'refresh every N seconds until interrupted')
    .action(async (options) => statusCommand({ ...globals(), ...options }));

  const dlq = program.command('dlq').description('dead-letter records of failed async events');
  const filters = (cmd: Command) => cmd
    .option('-f, --function <name>', 'only this function')
    .option('-s, --source <source>', 'only this envelope source; * matches any run of characters (arn:aws:sns:*)')
    .addOption(new Option('-r, --reason <reason>', 'only this reason').choices(DLQ_REASONS))
    .option('--since <time>', 'failed at or after: ISO date-time, or a duration ago (30s, 15m, 2h, 1d, 1w)')
    .option('--until <time>', 'failed at or before: ISO date-time, or a duration ago');
  filters(dlq.command('list').description('list dead-letter records, newest first'))
    .option('-n, --limit <n>', 'at most n records')
    .option('--json', 'JSON output')
    .action(async (options) => dlqList({ ...globals(), ...options }));
  dlq.command('show').description('print one record: envelope, every attempt, reason')
    .argument('<id>', 'record (envelope) id')
    .action(async (id: string) => dlqShow(id, globals()));
  filters(dlq.command('redrive').description('queue records again (to their function or --to) and remove them once queued'))
    .argument('[id]', 'record id (or use --all / a filter)')
    .option('--all', 'every matching record')
    .option('--to <function>', 'send to this function instead')
    .option('--rate <n>', `records per second when redriving many (default ${DEFAULT_REDRIVE_RATE})`)
    .action(async (id: string | undefined, options) => dlqRedrive(id, { ...globals(), ...options }));
  filters(dlq.command('purge').description('delete records'))
    .argument('[id]', 'record id (or use --all / a filter)')
    .option('--all', 'every matching record')
    .action(async (id: string | undefined, options) => dlqPurge(id, { ...globals(), ...options }));

  program.command('logs')
    .description("print a function's invocation log lines (START, handler output, END, REPORT) from Redis")
    .argument('<function>', 'function name')
    .option('-f, --follow', 'keep printing new lines until Ctrl-C')
    .option('--since <time>', 'lines from: a duration ago (30s, 10m, 2h, 1d) or an ISO date-time (default: all retained)')
    .option('-n, --limit <n>', 'only the last n lines (before following)')
    .option('--request-id <id>', 'only lines of this invocation')
    .option('--json', 'one JSON object per line (requestId, type, level, ts, traceparent, ...)')
    .action(async (fn: string, options) => logsCommand(fn, { ...globals(), ...options }));

  program.command('sources').description('event source mappings')
    .command('explain')
    .description('for the last records of a function\'s Kinesis and DynamoDB mappings: why each was or was not delivered')
    .argument('<function>', 'function name')
    .option('-n, --last <n>', 'how many records (1-1000)', '20')
    .option('--json', 'JSON output: each record with every step')
    .action(async (fn: string, options) => sourcesExplainCommand(fn, { ...globals(), ...options }));

  program.command('filter').description('event filter criteria (Lambda / EventBridge pattern syntax)')
    .command('test')
    .description('match an event against a filter pattern and explain each key (no config or hub needed); exit 0 match, 1 no match')
    .requiredOption('-p, --pattern <json|@file>', 'filter pattern: JSON, or @path to a JSON file')
    .requiredOption('-e, --event <json|@file>', 'event or record: JSON, or @path to a JSON file')
    .addOption(new Option('--data-field <field>', "see the record as a source does: parse JSON in 'body' (SQS) or 'data' (Kinesis, Redis Streams)").choices(['body', 'data']))
    .addOption(new Option('--encoding <encoding>', 'encoding of the data field (default: base64 for data, utf8 for body)').choices(['utf8', 'base64']))
    .option('--json', 'print the explanation as JSON')
    .action((options) => {
      process.exitCode = filterTestCommand(options);
    });

  strictHelpCommand(program);
  program.commands.forEach(function override(cmd: Command) {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  });
  return program;
}

/**
 * `help [command]` on `cmd` and its command groups, refusing a command it does not have as an
 * unknown command is refused (exit 2, naming it), where commander's own printed the help and said
 * nothing of the name.
 */
function strictHelpCommand(cmd: Command): void {
  if (!cmd.commands.length) return;
  cmd.commands.forEach(strictHelpCommand);
  cmd.helpCommand(false);
  cmd.command('help').argument('[command]').description('display help for command').action((name?: string) => {
    if (name === undefined) cmd.help();
    const sub = cmd.commands.find((c) => c.name() === name || c.aliases().includes(name));
    if (!sub) cmd.error(`error: unknown command '${name}'`, { code: 'commander.unknownCommand' });
    sub.help();
  });
}

/** Every command name at any level (`up`, `dlq`, `list`, `help`, ...). */
function commandNames(cmd: Command): Set<string> {
  const names = new Set<string>();
  for (const sub of cmd.commands) {
    [sub.name(), ...sub.aliases(), ...commandNames(sub)].forEach((name) => names.add(name));
  }
  return names;
}

export async function main(argv: string[]): Promise<number> {
  // The AWS SDK's notice that its releases after January 2027 need Node 22 concerns the hub's pinned
  // SDK, not the user, and would land as bare lines in the hub's JSON log whenever a client is made.
  // Handlers never inherit it (child-env.ts passes only chosen variables): their own SDKs still warn.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const program = buildProgram();
  try {
    await program.parseAsync(endOverridesAtCommand(argv, commandNames(program)));
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help asked for (--help, `help`) exits 0; help shown because a command is missing
      // (`triggerhub`, `triggerhub dlq`, or a command taken as a value: `--stage up`) is bad usage.
      if (err.code === 'commander.help' && err.exitCode !== 0) {
        printErr('triggerhub: missing command: name one of those listed above');
        return EXIT.usage;
      }
      return err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version' ? EXIT.ok : EXIT.usage;
    }
    printErr(`triggerhub: ${(err as Error).message}`);
    return exitCodeFor(err);
  }
}

const invokedDirectly = process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0');
if (invokedDirectly) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
