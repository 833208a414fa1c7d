/**
 * The weights version of the session's model. Every change of the weights (a new or loaded model,
 * a training or fine-tuning call that took a step) gets a new version; scores and the slider
 * remember the version they were computed on and are rebuilt when it moved. Resetting a run
 * returns to the version before it, so scores computed then are valid again. A shipped pruning
 * path belongs to the weights as loaded (`trainedSinceLoad`), not to the same model trained on.
 */
export class WeightsVersions {
  private version = 0;
  private last = 0;
  private beforeRun = 0;
  private loadedAt = 0;

  /** The version of the weights now. */
  get current(): number {
    return this.version;
  }

  /** Whether the weights moved since the model was loaded (a reset can move them back). */
  get trainedSinceLoad(): boolean {
    return this.version !== this.loadedAt;
  }

  /** A new model: a new version, which is also the one it was loaded at. */
  loaded(): void {
    this.version = ++this.last;
    this.loadedAt = this.version;
  }

  /** A new run starts: its reset returns to the version now. */
  runStarts(): void {
    this.beforeRun = this.version;
  }

  /** A training call changed the weights: a new version. */
  changed(): void {
    this.version = ++this.last;
  }

  /** The run was reset: back to the version before it. */
  runReset(): void {
    this.version = this.beforeRun;
  }
}
