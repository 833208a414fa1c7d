/** The chosen test image, clean and attacked (HWC Float32Arrays in [0, 1]). */
import type { NeuronView } from '../../../workers/protocol';
import { PixelCanvas } from '../canvas/PixelCanvas';

/** The view's input images. */
export function inputImages(view: NeuronView): { clean: Float32Array; adversarial: Float32Array } {
  return { clean: view.image, adversarial: view.adversarialImage };
}

export function InputImages({
  view,
  shape,
}: {
  view: NeuronView;
  shape: [number, number, number];
}) {
  const images = inputImages(view);
  const [h, w, c] = shape;
  const scale = Math.max(2, Math.round(112 / Math.max(h, w)));
  return (
    <div className="example-images">
      <figure>
        <PixelCanvas
          data={images.clean}
          height={h}
          width={w}
          channels={c}
          mode="gray"
          scale={scale}
          label={`test image ${view.index}`}
        />
        <figcaption className="label">clean x</figcaption>
      </figure>
      <figure>
        <PixelCanvas
          data={images.adversarial}
          height={h}
          width={w}
          channels={c}
          mode="gray"
          scale={scale}
          label={`test image ${view.index}, attacked`}
        />
        <figcaption className="label">adversarial x′</figcaption>
      </figure>
    </div>
  );
}
