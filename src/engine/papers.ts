/**
 * A paper a catalog entry cites (attacks, architectures, objectives, schedules), and its one-line
 * form for the docs tables: "Madry et al. 2018, arXiv 1706.06083".
 */
export interface PaperRef {
  authors: string;
  year: number;
  title: string;
  /** arXiv identifier, e.g. '1706.06083' (absent for papers not on arXiv) */
  arxiv?: string;
  /** where it appeared, for papers not on arXiv */
  venue?: string;
}

/** "Madry et al. 2018, arXiv 1706.06083" (first author, "et al." beyond two), a markdown link. */
export function citeMarkdown(p: PaperRef): string {
  const names = p.authors.split(',').map((s) => s.trim());
  const who =
    names.length === 1
      ? names[0]
      : names.length === 2
        ? `${names[0]} & ${names[1]}`
        : `${names[0]} et al.`;
  const where = p.arxiv ? `[arXiv ${p.arxiv}](https://arxiv.org/abs/${p.arxiv})` : (p.venue ?? '');
  return `${who} ${p.year}${where ? `, ${where}` : ''}`;
}
