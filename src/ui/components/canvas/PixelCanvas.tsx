/**
 * A small canvas that shows one image or map from a Float32Array at its native resolution,
 * scaled up by CSS with `image-rendering: pixelated` (no smoothing, every pixel visible). Drawing
 * is queued (draw-queue.ts) so many canvases paint in frame-sized chunks.
 */
import { useEffect, useRef } from 'react';
import { queueDraw } from './draw-queue';
import { toRgba, type PixelSource } from './pixels';

export interface PixelCanvasProps extends PixelSource {
  /** CSS pixels per data pixel (default 4) */
  scale?: number;
  /** explicit CSS size instead of `scale` (e.g. a 1-pixel-high strip drawn 12 px high) */
  cssWidth?: number;
  cssHeight?: number;
  /** accessible name (role img) */
  label: string;
  /** tooltip (default: the label) */
  title?: string;
  className?: string;
}

export function PixelCanvas(props: PixelCanvasProps) {
  const { data, offset, height, width, channels, mode, min, max } = props;
  const ref = useRef<HTMLCanvasElement>(null);

  useEffect(() => {
    const canvas = ref.current;
    if (!canvas) return;
    return queueDraw(() => {
      const ctx = canvas.getContext('2d');
      if (!ctx) return;
      const img = ctx.createImageData(width, height);
      toRgba({ data, offset, height, width, channels, mode, min, max }, img.data);
      ctx.putImageData(img, 0, 0);
    });
  }, [data, offset, height, width, channels, mode, min, max]);

  const scale = props.scale ?? 4;
  return (
    <canvas
      ref={ref}
      role="img"
      aria-label={props.label}
      title={props.title ?? props.label}
      className={props.className ? `pixels ${props.className}` : 'pixels'}
      width={width}
      height={height}
      style={{ width: props.cssWidth ?? width * scale, height: props.cssHeight ?? height * scale }}
    />
  );
}
