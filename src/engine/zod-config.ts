/**
 * zod 4 probes `new Function('')` once to decide whether to compile its parsers; under the app's
 * Content-Security-Policy (no 'unsafe-eval') that probe is blocked and reported as a violation.
 * Interpreted parsing is fast enough for our configs and reports, so the probe is switched off.
 * Imported first by the engine worker and by src/workers/protocol.ts (so by the UI entry), before
 * any module can parse.
 */
import { z } from 'zod';

z.config({ jitless: true });
