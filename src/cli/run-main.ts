/**
 * The entry point of a CLI module: runs `main(argv)` and exits with its code when the module is
 * the script Node was started with (not when a test imports it); an uncaught error prints
 * `error: <message>` and exits 1.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export function runIfMain(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || path.resolve(process.argv[1]) !== fileURLToPath(moduleUrl)) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? `error: ${e.message}` : e);
      process.exit(1);
    },
  );
}
