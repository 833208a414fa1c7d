/**
 * The architectures as plain data: name, label, paper and a one-line layer summary, the one list
 * the experiment config (architecture names), the UI's model form (names and labels, through
 * src/workers/protocol.ts) and the docs table (docs/format.md) read. No tfjs. The spec builders
 * are in spec.ts (`ARCHITECTURES`, typed by these names, so the compiler holds the two together).
 *
 * Papers: LeCun, Bottou, Bengio and Haffner 1998 (Proc. IEEE 86(11), the 300-100 MLP and LeNet-5);
 * Simonyan and Zisserman 2015 (arXiv 1409.1556, VGG); He, Zhang, Ren and Sun 2016 (arXiv
 * 1512.03385, ResNet).
 */
import { markdownTable } from '../markdown-table';
import { citeMarkdown, type PaperRef } from '../papers';

export interface ArchitectureInfo {
  /** config and URL name, e.g. 'lenet' */
  name: string;
  /** what the model form shows */
  label: string;
  paper: PaperRef;
  /** the layers in one line (docs table) */
  layers: string;
  /** the input the builder assumes when none is given, [H, W, C] */
  defaultInput: readonly [number, number, number];
}

const LECUN_1998: PaperRef = {
  authors: 'LeCun, Bottou, Bengio, Haffner',
  year: 1998,
  title: 'Gradient-based learning applied to document recognition',
  venue: 'Proc. IEEE 86(11)',
};

export const ARCHITECTURE_CATALOG = [
  {
    name: 'mlp',
    label: 'MLP 300-100',
    paper: LECUN_1998,
    layers: 'flatten, fc300, fc100, fc10 (the usual pruning benchmark MLP)',
    defaultInput: [28, 28, 1],
  },
  {
    name: 'lenet',
    label: 'LeNet-5 (small CNN)',
    paper: LECUN_1998,
    layers: 'conv5×5(6), pool, conv5×5(16), pool, fc120, fc84, fc10',
    defaultInput: [28, 28, 1],
  },
  {
    name: 'vgg-small',
    label: 'VGG-small',
    paper: {
      authors: 'Simonyan, Zisserman',
      year: 2015,
      title: 'Very Deep Convolutional Networks for Large-Scale Image Recognition',
      arxiv: '1409.1556',
    },
    layers: '2 × [conv3×3, conv3×3, pool] (32, 64 channels), fc128, fc10',
    defaultInput: [28, 28, 1],
  },
  {
    name: 'resnet-small',
    label: 'ResNet-small',
    paper: {
      authors: 'He, Zhang, Ren, Sun',
      year: 2016,
      title: 'Deep Residual Learning for Image Recognition',
      arxiv: '1512.03385',
    },
    layers: 'conv3×3(16)+BN, 3 basic blocks (16, 32/2, 64/2), global average pool, fc10',
    defaultInput: [32, 32, 3],
  },
] as const satisfies readonly ArchitectureInfo[];

export type ArchitectureName = (typeof ARCHITECTURE_CATALOG)[number]['name'];

/** Every architecture's name, in catalog order. */
export const ARCHITECTURE_NAMES: readonly ArchitectureName[] = ARCHITECTURE_CATALOG.map(
  (a) => a.name,
);

/** Whether `name` is an architecture of the catalog. */
export function isArchitectureName(name: unknown): name is ArchitectureName {
  return typeof name === 'string' && (ARCHITECTURE_NAMES as readonly string[]).includes(name);
}

/** The readable label of an architecture (the name itself when unknown). */
export function architectureLabel(name: string): string {
  return ARCHITECTURE_CATALOG.find((a) => a.name === name)?.label ?? name;
}

/** The architecture table of docs/format.md. */
export function architectureTableMarkdown(): string {
  return markdownTable(
    ['name', 'label', 'layers', 'default input', 'paper'],
    ARCHITECTURE_CATALOG.map((a) => [
      `\`${a.name}\``,
      a.label,
      a.layers,
      a.defaultInput.join('×'),
      citeMarkdown(a.paper),
    ]),
  );
}
