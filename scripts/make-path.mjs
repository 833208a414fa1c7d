#!/usr/bin/env node
// Turns a CLI run of configs/default-path.json into the app's shipped fine-tuned path:
//   npm run experiment -- configs/default-path.json --out runs/default-path
//   node scripts/make-path.mjs runs/default-path public/models/paths
// copies each pruned, fine-tuned checkpoint (weights with the masks beside them) to
// <dest>/<criterion>-s<percent>.safetensors and writes <dest>/index.json (read by
// src/engine/session/path.ts) with the figures the CLI measured: clean accuracy on the whole test
// set (eval.cleanN) and the worst case of the config's attacks on its first eval.n images.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const [run, dest] = process.argv.slice(2);
if (!run || !dest) {
  console.error('usage: node scripts/make-path.mjs <run dir> <dest dir>');
  process.exit(2);
}
const report = JSON.parse(await readFile(path.join(run, 'report.json'), 'utf8'));
const methods = report.config.prune.methods;
if (methods.length !== 1) throw new Error('a path is one criterion: give the config one method');
const criterion = methods[0].name;
// the CLI's file-name slug (src/cli/experiment.ts)
/** @param {string} s */
const slug = (s) => s.replace(/[^A-Za-z0-9._-]+/g, '_');
await mkdir(dest, { recursive: true });
const checkpoints = [];
for (const v of report.pruning) {
  if (v.fineTune.status !== 'completed')
    throw new Error(`${v.method} @${v.sparsity}: not fine-tuned`);
  const pct = Math.round(v.sparsity * 1000) / 10;
  const from = path.join(run, 'pruned', `${slug(v.method)}-s${pct}.safetensors`);
  const file = `paths/${criterion}-s${pct}.safetensors`;
  await copyFile(from, path.join(dest, path.basename(file)));
  const e = v.evaluation;
  checkpoints.push({
    sparsity: v.sparsity,
    file,
    clean: e.cleanFull ? e.cleanFull.accuracy : e.cleanAccuracy,
    robust: e.worstCaseAccuracy,
    n: e.n,
  });
}
checkpoints.sort((a, b) => a.sparsity - b.sparsity);
const manifest = {
  paths: [
    {
      criterion,
      label: methods[0].label ?? criterion,
      base: 'models/default.safetensors',
      command: `npm run experiment -- configs/default-path.json --out ${run} && node scripts/make-path.mjs ${run} ${dest}`,
      below: 'anomaly-activation',
      checkpoints,
    },
  ],
};
await writeFile(path.join(dest, 'index.json'), JSON.stringify(manifest, null, 2) + '\n');
await copyFile(path.join(run, 'report.json'), path.join(dest, `${criterion}.report.json`));
console.log(`wrote ${dest}/index.json with ${checkpoints.length} checkpoints`);
