import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { HubError } from '../errors.js';
import { startHub } from '../hub.js';
import { createLogger, muteLogOutput } from '../log.js';
import { hubStateFile, loadConfig, type GlobalOptions } from './context.js';

/** `triggerhub up`: runs until SIGINT/SIGTERM/SIGHUP, then stops intake, drains and closes. */
export async function upCommand(options: GlobalOptions, up: { watch?: boolean } = {}): Promise<void> {
  const config = loadConfig(options);
  const logger = createLogger();
  process.on('unhandledRejection', (err) => logger.error({ event: 'unhandled_rejection', err }, 'unhandled rejection (the hub keeps running)'));
  // Hot reload loads the config again the way it was loaded here.
  // Before the hub starts: a data directory that cannot be made must not leave a hub running that `up` gave up on.
  try {
    mkdirSync(config.dataDir, { recursive: true });
  } catch (cause) {
    throw new HubError('TH_ERR_CONFIG_INVALID', `dataDir: cannot create ${config.dataDir} (${(cause as Error).message}): set dataDir to a directory this user may write`, { cause });
  }
  const hub = await startHub(config, { logger, watch: up.watch || undefined, reload: () => loadConfig(options) });
  const stateFile = hubStateFile(config);
  writeFileSync(stateFile, JSON.stringify({ pid: process.pid, url: hub.url }));
  const stopSignal = await new Promise<NodeJS.Signals>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A closed terminal hangs up more than once (its shell passes SIGHUP on to the job, then the
        // kernel sends it to the foreground group as the shell exits): not a request to hurry.
        if (signal === 'SIGHUP') return;
        // A second Ctrl-C: stop now. Running events are retried after a restart; queued ones wait in Redis.
        logger.warn({ event: 'hub_stop_forced', signal }, `${signal} again: stopping at once; events still running are retried after a restart`);
        hub.kill();
        rmSync(stateFile, { force: true });
        logger.flush();
        process.exit(128 + constants.signals[signal]);
      }
      stopping = true;
      // A terminal that hung up takes no more output (its writes fail and crash Node's tty handling).
      if (signal === 'SIGHUP' && process.stdout.isTTY) muteLogOutput(logger);
      const again = signal === 'SIGINT' ? 'Ctrl-C again' : signal === 'SIGTERM' ? 'signal again' : 'SIGINT or SIGTERM';
      logger.info({ event: 'hub_stopping', signal, deadlineSeconds: config.shutdownTimeoutSeconds },
        `${signal}: stopping intake and draining in-flight work (up to ${config.shutdownTimeoutSeconds} s; ${again} to stop at once)`);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    // The terminal closed: a stop like Ctrl-C's (by default Node would die at once, like a kill -9).
    process.on('SIGHUP', onSignal);
  });
  await hub.stop();
  rmSync(stateFile, { force: true });
  // Everything is closed; do not wait for library timers (BullMQ's drain delay) to run out.
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  if (stopSignal === 'SIGHUP') {
    // Ends by the hangup, as a job whose terminal closed does (status 129), now that all is stopped;
    // exiting normally would have Node restore the hung-up terminal's mode, which aborts (EIO). No
    // exit handler runs then: the flush above has written every line for a pipe or file.
    process.removeAllListeners('SIGHUP');
    process.kill(process.pid, 'SIGHUP');
    return;
  }
  process.exit(0);
}
