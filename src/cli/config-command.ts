import type { Command } from 'commander';
import type { ConfigEnv, LoadedConfig } from '../config/load-config.js';
import { ConfigError } from '../core/errors.js';
import { printable } from '../core/printable.js';
import { Output } from './output.js';

/** The global `--config FILE` flag as commander hands it over (`command.optsWithGlobals()`). */
export interface ConfigFlags {
  config?: string | undefined;
}

/**
 * Loads the configuration for a command: the `--config` file, else `$REPORTABLE_CONFIG`, else
 * the first default location that exists, else the defaults. Throws ConfigError (exit 2).
 */
export async function configFromFlags(
  flags: ConfigFlags,
  env: ConfigEnv = process.env,
): Promise<LoadedConfig> {
  // Loaded when a command needs it: `parse` never pays for zod and yaml at startup.
  const { loadConfig } = await import('../config/load-config.js');
  return loadConfig({ configPath: flags.config, env });
}

/** One line saying which file is in effect, or where none was found. */
export function describeSource(loaded: LoadedConfig): string {
  return loaded.source !== null
    ? printable(loaded.source)
    : `defaults (no config file found; looked in ${loaded.searched.map(printable).join(', ')})`;
}

interface ShowFlags extends ConfigFlags {
  format: string;
}

/**
 * Adds the global `--config FILE` option (every command reads it with `optsWithGlobals()`) and
 * `reportable config check|show`.
 */
export function registerConfigCommand(program: Command): void {
  program.option(
    '--config <file>',
    'configuration file (default: $REPORTABLE_CONFIG, ~/.config/reportable/config.yaml, /etc/reportable/config.yaml)',
  );
  const config = program
    .command('config')
    .description('check or show the configuration file')
    .configureHelp({ showGlobalOptions: true });
  config
    .command('check')
    .description('validate the configuration file; lists every problem as path: message')
    .action(async (_flags: ConfigFlags, cmd: Command) => {
      const loaded = await configFromFlags(cmd.optsWithGlobals<ConfigFlags>());
      process.stdout.write(`config OK: ${describeSource(loaded)}\n`);
    });
  config
    .command('show')
    .description('print the effective configuration, defaults applied (durations as 5m, 6h)')
    .option('--format <format>', 'yaml or json', 'yaml')
    .action(async (_flags: ShowFlags, cmd: Command) => {
      const flags = cmd.optsWithGlobals<ShowFlags>();
      if (flags.format !== 'yaml' && flags.format !== 'json') {
        throw new ConfigError(`--format: "${flags.format}" is not one of yaml, json`);
      }
      const loaded = await configFromFlags(flags);
      const { renderConfig, toYaml } = await import('../config/config-render.js');
      const shown = renderConfig(loaded.config);
      const out = new Output(process.stdout);
      if (flags.format === 'json') {
        await out.write(JSON.stringify(shown, null, 2) + '\n');
      } else {
        await out.write(`# effective configuration: ${describeSource(loaded)}\n`);
        await out.write(toYaml(shown));
      }
      await out.flush();
    });
}
