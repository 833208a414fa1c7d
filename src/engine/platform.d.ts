/**
 * The few web-platform globals the engine uses. Each exists in Web Workers and in Node >= 18.
 * The engine compiles against the ES library alone plus this file (tsconfig.engine.json), so a
 * use of `document`, `window`, `fs` or any other DOM/Node API fails to build.
 */

interface Console {
  log(...data: unknown[]): void;
  info(...data: unknown[]): void;
  warn(...data: unknown[]): void;
  error(...data: unknown[]): void;
}
declare const console: Console;

interface Performance {
  now(): number;
}
declare const performance: Performance;

interface ReadableStreamReadResult<T> {
  done: boolean;
  value?: T;
}
interface ReadableStreamDefaultReader<T> {
  read(): Promise<ReadableStreamReadResult<T>>;
  cancel(reason?: unknown): Promise<void>;
  releaseLock(): void;
}
interface ReadableStream<T> {
  getReader(): ReadableStreamDefaultReader<T>;
}
interface WritableStreamDefaultWriter<T> {
  write(chunk: T): Promise<void>;
  close(): Promise<void>;
  abort(reason?: unknown): Promise<void>;
  readonly closed: Promise<void>;
}
interface WritableStream<T> {
  getWriter(): WritableStreamDefaultWriter<T>;
}
declare class DecompressionStream {
  constructor(format: 'gzip' | 'deflate' | 'deflate-raw');
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<BufferSource>;
}
type BufferSource = ArrayBufferView | ArrayBuffer;

declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: ArrayBufferView | ArrayBuffer): string;
}

declare function setTimeout(handler: () => void, timeout?: number): unknown;
declare function clearTimeout(id: unknown): void;

/** Base64 to a binary string (Web Workers, Node >= 16). */
declare function atob(data: string): string;

/** Deep copy of plain data and typed arrays (Web Workers, Node >= 17). */
declare function structuredClone<T>(value: T): T;
