/**
 * `npm run experiment -- <config.json> --out <dir> [--shard i/N] [--backend wasm|cpu]
 *   [--export safetensors,onnx,tfjs-layers] [--quiet]`
 *
 * Runs an experiment config headless in Node: validates it before any work, shows a progress bar
 * with ETA, and writes `<dir>/report.json` and `<dir>/model.safetensors` (with --export, the
 * model, and the saved pruned models, in each format named: model.onnx, model.layers.json +
 * model.layers.bin; ./model-files.ts). A config with a `sweep`
 * runs the cells of shard i of N (index % N == i; all cells without --shard), each into
 * `<dir>/cells/<index>/`, skipping cells already finished there, then writes the shard's sweep
 * report `<dir>/shard-<i>-of-<N>.json` (docs/sweeps.md).
 * Exit codes: 0 done; 1 runtime error; 2 bad arguments or config; 3 training diverged or stopped.
 */
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { version_core as tfjsVersion } from '@tensorflow/tfjs-core';
import { describeBackend, initBackend, type BackendName } from '../engine/backend';
import {
  ConfigError,
  parseExperimentConfig,
  runExperiment,
  type ExperimentConfig,
  type ExperimentReport,
} from '../engine/experiment';
import { parseShard, type Shard } from '../engine/experiment/sweep';
import { compactModel } from '../engine/prune/compact';
import { disposeMasks, toTensorMasks } from '../engine/prune/masks';
import { disposeModel } from '../engine/model/init';
import { parseExportFormats, writeModelFiles, type ExportFormat } from './model-files';
import { nodeWasmOptions } from '../node/wasm-threads';
import { progressBar, type ProgressBar } from './progress';
import { runSweep } from './sweep-run';
import { runIfMain } from './run-main';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FASHION_MNIST_DIR = path.join(ROOT, 'public/datasets/fashion-mnist');

/** A config is a page of JSON; anything far larger is not one (checked before reading it). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

const USAGE = `usage: npm run experiment -- <config.json> --out <dir> [--shard i/N] [--backend wasm|cpu] [--threads N] [--export F,..] [--quiet]
  --shard i/N   a sweep config: run only the cells with index % N == i (0-based: 0 ≤ i < N)
  --export F,.. model file formats: safetensors (default), onnx, tfjs-layers (docs/format.md)
  --threads N   WASM threads (default: the logical cores, at most 4; use 1 when several runs share the machine)`;

export interface Args {
  config: string;
  out: string;
  backend?: BackendName;
  /** WASM threads (≥ 1); absent: defaultNodeWasmThreads() */
  threads?: number;
  quiet: boolean;
  /** sweeps only; absent: every cell (shard 0/1) */
  shard?: Shard;
  /** model file formats; absent: safetensors */
  export?: ExportFormat[];
}

class UsageError extends Error {}

/** Cancellation shared by every run of this process (Ctrl-C). */
export interface RunSignal {
  aborted: boolean;
}

export function parseArgs(argv: readonly string[]): Args {
  let config: string | undefined;
  let out: string | undefined;
  let backend: BackendName | undefined;
  let quiet = false;
  let shard: Shard | undefined;
  let threads: number | undefined;
  let formats: ExportFormat[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') out = argv[++i];
    else if (a === '--backend') {
      const b = argv[++i];
      if (b !== 'wasm' && b !== 'cpu')
        throw new UsageError(`--backend must be wasm or cpu in Node, got '${b}'`);
      backend = b;
    } else if (a === '--threads') {
      const t = argv[++i];
      threads = Number(t);
      if (!(t !== undefined && /^\d+$/.test(t) && threads >= 1 && threads <= 64))
        throw new UsageError(`--threads must be an integer from 1 to 64, got '${t}'`);
    } else if (a === '--shard') {
      try {
        shard = parseShard(argv[++i] ?? '');
      } catch (e) {
        throw new UsageError(`${(e as Error).message}\n${USAGE}`);
      }
    } else if (a === '--export') {
      try {
        formats = parseExportFormats(argv[++i]);
      } catch (e) {
        throw new UsageError(`${(e as Error).message}\n${USAGE}`);
      }
    } else if (a === '--quiet') quiet = true;
    else if (a === '--help' || a === '-h') throw new UsageError(USAGE);
    else if (a.startsWith('--')) throw new UsageError(`unknown option ${a}\n${USAGE}`);
    else if (config === undefined) config = a;
    else throw new UsageError(`unexpected argument '${a}'\n${USAGE}`);
  }
  if (!config) throw new UsageError(`missing the config file\n${USAGE}`);
  if (!out) throw new UsageError(`missing --out <dir>\n${USAGE}`);
  const args: Args = { config, out, backend, quiet };
  if (threads !== undefined) args.threads = threads;
  if (shard) args.shard = shard;
  if (formats) args.export = formats;
  return args;
}

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '  -  ' : `${(100 * v).toFixed(2)}%`;

export async function main(argv: readonly string[]): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  let text: string;
  try {
    const size = (await stat(args.config)).size;
    if (size > MAX_CONFIG_BYTES) {
      console.error(
        `${args.config}: the config is ${size} bytes, more than the ${MAX_CONFIG_BYTES} a config may have`,
      );
      return 2;
    }
    text = await readFile(args.config, 'utf8');
  } catch (e) {
    console.error(`${args.config}: cannot read the config: ${(e as Error).message}`);
    return 2;
  }
  const signal: RunSignal = { aborted: false };
  const onSigint = () => {
    if (signal.aborted) process.exit(130);
    signal.aborted = true;
    console.error('\nstopping after this batch (Ctrl-C again to quit now)…');
  };
  try {
    const raw = parseJson(text, args.config);
    const isSweep = typeof raw === 'object' && raw !== null && 'sweep' in raw;
    if (!isSweep && args.shard)
      throw new ConfigError(args.config, ['--shard needs a config with a "sweep" field']);
    const config = isSweep ? null : parseExperimentConfig(raw, args.config);
    process.on('SIGINT', onSigint);
    if (config === null) return await runSweep(raw, args, signal, runSingle);
    return (await runSingle(config, args.out, args, signal)).code;
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      return 2;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConfigError(source, [`not valid JSON: ${(e as Error).message}`]);
  }
}

/**
 * Runs one validated config into `out` (report.json, model.safetensors, pruned models).
 * @returns the exit code (0, or 3 when training or fine-tuning did not complete) and the report
 */
export async function runSingle(
  config: ExperimentConfig,
  out: string,
  args: Args,
  signal: RunSignal,
): Promise<{ code: number; report: ExperimentReport }> {
  const log = (s: string) => {
    if (!args.quiet) console.error(s);
  };
  const backend = await initBackend({
    prefer: args.backend ?? (config.backend as BackendName | undefined),
    platform: 'node',
    ...nodeWasmOptions(args.threads),
  });
  log(`backend: ${backend.name} (${backend.reason})`);
  const environment = {
    platform: 'node',
    runtime: `node ${process.version} ${process.platform} ${process.arch}`,
    cpus: os.cpus().length,
    tfjsVersion,
    backend,
    backendDetails: await describeBackend(),
  };
  const configDir = path.dirname(path.resolve(args.config));
  const readers = {
    fashionMnist: async (file: string) =>
      new Uint8Array(await readFile(path.join(FASHION_MNIST_DIR, file))),
    file: async (file: string) => new Uint8Array(await readFile(path.resolve(configDir, file))),
  };

  let bar: ProgressBar | null = null;
  let evalPhase = '';
  const say = (line: string) => (bar ? bar.log(line) : log(line));
  const { report, model, variants } = await runExperiment(config, readers, environment, {
    signal,
    onStage(stage, detail) {
      bar?.done();
      bar = args.quiet ? null : stage === 'train' ? progressBar('train') : null;
      log(`[${stage}] ${detail}`);
    },
    onTrainProgress(p) {
      bar?.update(
        p.step,
        p.epochs * p.batchesPerEpoch,
        `epoch ${p.epoch + 1}/${p.epochs} loss ${p.loss.toFixed(3)} lr ${p.lr.toPrecision(3)} ${Math.round(p.samplesPerSec)} samples/s`,
        p.etaSec,
      );
    },
    onEpochEnd(e) {
      say(
        `epoch ${e.epoch + 1}: loss ${e.trainLoss.toFixed(4)} train clean ${pct(e.trainCleanAcc)} adv ${pct(e.trainAdvAcc)} | val clean ${pct(e.valCleanAcc)} adv ${pct(e.valAdvAcc)} | lr ${e.lr.toPrecision(3)} | ${e.wallSec.toFixed(1)} s`,
      );
    },
    onFineTuneProgress(method, sparsity, step, total) {
      if (args.quiet) return;
      bar ??= progressBar(`fine-tune ${method} @${sparsity}`);
      bar.update(step, total);
    },
    onFineTuneEpoch(method, sparsity, e) {
      say(
        `  ${method} @${sparsity} epoch ${e.epoch + 1}: loss ${e.trainLoss.toFixed(4)} adv ${pct(e.trainAdvAcc)} | val clean ${pct(e.valCleanAcc)} adv ${pct(e.valAdvAcc)} | ${e.wallSec.toFixed(1)} s`,
      );
    },
    onLrChange(c) {
      say(
        `lr ${c.from.toPrecision(3)} → ${c.to.toPrecision(3)} at epoch ${c.epoch + 1}: ${c.reason}`,
      );
    },
    onEvalProgress(p) {
      if (args.quiet) return;
      const phase = p.phase === 'clean' ? 'clean' : (p.attack ?? 'attack');
      if (phase !== evalPhase) {
        bar?.done();
        bar = progressBar(`eval ${phase}`);
        evalPhase = phase;
      }
      bar?.update(p.done, p.total);
    },
  });
  (bar as ProgressBar | null)?.done();

  await mkdir(out, { recursive: true });
  await writeFile(path.join(out, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  const formats = args.export ?? ['safetensors'];
  const written = [
    'report.json',
    ...(await writeModelFiles(out, 'model', model, undefined, formats)),
  ];
  disposeModel(model);
  const saveVariants = config.prune?.saveModels ?? false;
  if (variants.length > 0 && saveVariants)
    await mkdir(path.join(out, 'pruned'), { recursive: true });
  for (const v of variants) {
    if (saveVariants) {
      // weights with the masks applied (pruned entries exactly 0) and the masks beside them
      const stem = path.join('pruned', `${slug(v.method)}-s${Math.round(v.sparsity * 1000) / 10}`);
      const masks = toTensorMasks(v.masks);
      written.push(...(await writeModelFiles(out, stem, v.model, masks, formats)));
      disposeMasks(masks);
      if (config.prune?.granularity === 'structured') {
        // removed channels and units physically gone: a smaller file and a faster model
        const compact = compactModel(v.model, v.masks);
        const rest = compact.masks.size > 0 ? toTensorMasks(compact.masks) : undefined;
        written.push(
          ...(await writeModelFiles(out, `${stem}.compact`, compact.model, rest, formats)),
        );
        if (rest) disposeMasks(rest);
        disposeModel(compact.model);
      }
    }
    disposeModel(v.model);
  }

  printSummary(report);
  console.log(
    `wrote ${written.map((f) => path.join(out, f)).join(', ')} (${report.wallSeconds.toFixed(1)} s)`,
  );
  const stopped = report.training !== null && report.training.status !== 'completed';
  const pruneStopped = (report.pruning ?? []).some((p) => p.fineTune.status !== 'completed');
  return { code: stopped || pruneStopped ? 3 : 0, report };
}

function slug(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_');
}

function printSummary(report: ExperimentReport): void {
  const ev = report.evaluation;
  const t = report.training;
  console.log(
    t
      ? `${report.name}: training ${t.status} (${t.message || 'ok'}) in ${t.wallSeconds.toFixed(1)} s`
      : `${report.name}: model loaded from ${report.modelSource}, not trained`,
  );
  console.log(`clean accuracy     ${pct(ev.cleanAccuracy)} on ${ev.n} test images`);
  for (const a of ev.attacks)
    console.log(`${a.name.padEnd(18)} ${pct(a.robustAccuracy)}  (ε ${a.options.eps})`);
  console.log(`worst case         ${pct(ev.worstCaseAccuracy)}`);
  if (report.pruning?.length) {
    const names = report.pruning[0].evaluation.attacks.map((a) => a.name);
    console.log(
      `\n| method | target | weights removed | params | MACs | clean | ${names.join(' | ')} | worst | fine-tune |`,
    );
    console.log(`|---|---|---|---|---|---|${names.map(() => '---|').join('')}---|---|`);
    for (const p of report.pruning) {
      const g = p.sparsityReport.global;
      console.log(
        `| ${p.method} | ${pct(p.sparsity)} | ${pct(g.sparsity)} | ${g.paramsAfter} | ${g.macsAfter} | ${pct(p.evaluation.cleanAccuracy)} | ${p.evaluation.attacks.map((a) => pct(a.robustAccuracy)).join(' | ')} | ${pct(p.evaluation.worstCaseAccuracy)} | ${p.fineTune.status} |`,
      );
    }
  }
  if (report.transfer) console.log(`\n${report.transfer.table}`);
}

runIfMain(import.meta.url, main);
