/**
 * The bundle's stand-in for `@smithy/core/event-streams` (scripts/function-bundle.ts aliases it). The SDK loads it
 * with a dynamic import only for operations that stream events (Bedrock, Transcribe, S3 Select…); no Secrets Manager
 * operation does, so the function never reaches it, and the real module was 14 KB of every file. Reached anyway, it
 * fails loudly rather than misbehave.
 */
function unavailable(): never {
  throw new Error('pg-rotator bundle: AWS event streams are not bundled (no Secrets Manager operation uses them)');
}

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export const eventStreamSerdeProvider = unavailable;
