/**
 * The `record` option: every line of a run's output (after line splitting, non-JSON lines
 * included), appended to a file as it arrives, so a run that crashes or is cancelled still leaves
 * what was seen: the runner writes each chunk of lines before decoding it, so a line is on disk
 * before its event reaches the program. One write per chunk of lines, not per line; with the
 * option unset nothing runs per line.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Fs from "node:fs"
import { RecordError } from "../ClaudeError.js"

/**
 * Writes a chunk of lines to the recording (one write), or says why it could not.
 *
 * @since 0.1.0
 * @category models
 * @internal
 */
export type Recorder = (lines: ReadonlyArray<string>) => RecordError | undefined

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

const write = (fd: number, path: string): Recorder => (lines) => {
  if (lines.length === 0) return undefined
  try {
    writeAll(fd, lines.join("\n") + "\n")
    return undefined
  } catch (cause) {
    return new RecordError({ path, operation: "write", cause })
  }
}

/**
 * The writer for a run's `record` option: `undefined` when unset; otherwise the file is created
 * (or truncated) now, before the CLI is started, and closed when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 * @internal
 */
export const recorder = (path: string | undefined): Effect.Effect<Recorder | undefined, RecordError, Scope.Scope> =>
  path === undefined ? Effect.succeed(undefined) : Effect.map(
    Effect.acquireRelease(
      Effect.try({
        try: () => Fs.openSync(path, "w"),
        catch: (cause) => new RecordError({ path, operation: "open", cause })
      }),
      (fd) => Effect.ignore(Effect.try(() => Fs.closeSync(fd)))
    ),
    (fd) => write(fd, path)
  )
