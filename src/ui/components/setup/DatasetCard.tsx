/**
 * The dataset: what is loaded (name, sizes, image shape, classes), the bundled Fashion-MNIST, and
 * the user's own files, chosen with the `Dataset file` input or dropped on the zone: an IDX pair
 * (images + labels, optionally gzipped) or CIFAR-10 binary batches. Parsing happens in the worker;
 * a bad file gives a readable error in the alert and the previous dataset stays.
 */
import { useState, type DragEvent } from 'react';
import { useCore } from '../../store/core';
import { FieldCard } from './fields';

export function DatasetCard() {
  const dataset = useCore((s) => s.dataset);
  const model = useCore((s) => s.model);
  const loadDatasetFiles = useCore((s) => s.loadDatasetFiles);
  const [over, setOver] = useState(false);

  const load = (list: FileList | null) => {
    const files = list ? Array.from(list) : [];
    if (files.length > 0) void loadDatasetFiles(files);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>) => {
    e.preventDefault();
    setOver(false);
    load(e.dataTransfer.files);
  };
  const loadBundled = useCore((s) => s.loadBundledDataset);

  const shapeMismatch =
    dataset && model && dataset.shape.join('×') !== model.spec.inputShape.join('×');
  return (
    <FieldCard title="Dataset">
      {dataset ? (
        <p data-testid="dataset-info">
          <strong>{dataset.name}</strong>: {dataset.train.toLocaleString()} training,{' '}
          {dataset.val.toLocaleString()} validation, {dataset.test.toLocaleString()} test images
          {dataset.testSource === 'split' ? ' (test split off the training files)' : ''} of{' '}
          {dataset.shape.join('×')}, {dataset.numClasses} classes
          <span className="label"> ({dataset.classNames.join(', ')})</span>
        </p>
      ) : (
        <p className="label">no dataset loaded yet</p>
      )}
      {shapeMismatch ? (
        <p className="setup-warning">
          The model takes {model.spec.inputShape.join('×')} images: create a new model for this
          dataset before training.
        </p>
      ) : null}
      <div
        className={over ? 'dropzone over' : 'dropzone'}
        data-testid="dataset-dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <label>
          Dataset file{' '}
          <input
            type="file"
            multiple
            onChange={(e) => {
              load(e.target.files);
              e.target.value = '';
            }}
          />
        </label>
        <p className="label">
          or drop files here: an IDX pair (<code>*-images-idx3-ubyte[.gz]</code> and{' '}
          <code>*-labels-idx1-ubyte[.gz]</code>) or CIFAR-10 binary batches (
          <code>data_batch_*.bin</code>, <code>test_batch.bin</code>)
        </p>
      </div>
      <button type="button" onClick={() => void loadBundled()}>
        Use bundled Fashion-MNIST
      </button>
    </FieldCard>
  );
}
