/**
 * The `record` option: every line of a run's output (after line splitting, non-JSON lines
 * included), appended to a file as it arrives, so a run that crashes or is cancelled still leaves
 * what was seen. One write per chunk of lines, not per line; with the option unset the tap is the
 * identity and costs nothing.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import { identity } from "effect/Function"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fs from "node:fs"
import { RecordError } from "../ClaudeError.js"

/**
 * Passes lines through unchanged, writing each chunk of them to the recording first.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type Tap = <E, R>(lines: Stream.Stream<string, E, R>) => Stream.Stream<string, E | RecordError, R>

/**
 * Writes all of `text`: as a string (no Buffer to allocate; one write per chunk of lines is what
 * recording costs), the rest, if a write of a regular file ever stops short, from its bytes.
 */
const writeAll = (fd: number, text: string): void => {
  const written = Fs.writeSync(fd, text)
  if (written === Buffer.byteLength(text, "utf8")) return
  const bytes = Buffer.from(text, "utf8")
  let offset = written
  while (offset < bytes.length) offset += Fs.writeSync(fd, bytes, offset, bytes.length - offset)
}

const tap = (fd: number, path: string): Tap => (lines) =>
  Stream.mapChunksEffect(lines, (chunk) =>
    Chunk.isEmpty(chunk) ? Effect.succeed(chunk) : Effect.try({
      try: () => {
        writeAll(fd, Chunk.join(chunk, "\n") + "\n")
        return chunk
      },
      catch: (cause) => new RecordError({ path, operation: "write", cause })
    }))

/**
 * The tap for a run's `record` option: the identity when unset; otherwise the file is created (or
 * truncated) now, before the CLI is started, and closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const recorder = (path: string | undefined): Effect.Effect<Tap, RecordError, Scope.Scope> =>
  path === undefined ? Effect.succeed(identity) : Effect.map(
    Effect.acquireRelease(
      Effect.try({
        try: () => Fs.openSync(path, "w"),
        catch: (cause) => new RecordError({ path, operation: "open", cause })
      }),
      (fd) => Effect.ignore(Effect.try(() => Fs.closeSync(fd)))
    ),
    (fd) => tap(fd, path)
  )
