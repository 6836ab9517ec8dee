/**
 * The broker as its own process, like ODB's `on-demand-service-broker -configFilePath FILE`: fatal
 * errors are logged as ODB logs them and exit 1; SIGTERM/SIGINT stop it gracefully within
 * `broker.shutdown_timeout_in_seconds`.
 * @module
 */
import { createBroker } from './broker.js';
import { loadConfigFile } from './config/load.js';
import { Logger } from './log.js';
import { realClock } from './runtime.js';

export async function runStandalone(opts: { configPath?: string; adapterTimeoutMs?: number }): Promise<number> {
  const logger = new Logger((l) => process.stdout.write(`${l}\n`), realClock);
  if (!opts.configPath) {
    logger.log('must supply -configFilePath');
    return 1;
  }
  let config;
  try {
    config = loadConfigFile(opts.configPath);
  } catch (err) {
    logger.log(`error parsing config: ${(err as Error).message}`);
    return 1;
  }
  let broker;
  try {
    broker = await createBroker(config, { adapterTimeoutMs: opts.adapterTimeoutMs });
  } catch (err) {
    logger.log(`error starting broker: ${(err as Error).message}`);
    return 1;
  }
  try {
    await broker.listen();
  } catch (err) {
    logger.log(`error starting broker: ${(err as Error).message}`);
    await broker.close();
    return 1;
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      logger.log(`received ${signal}, shutting down`);
      const timeout = (config.broker.shutdown_timeout_in_seconds ?? 60) * 1000;
      const timer = setTimeout(resolve, timeout);
      timer.unref();
      void broker.close().then(() => {
        clearTimeout(timer);
        resolve();
      });
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  logger.log('broker stopped');
  return 0;
}
