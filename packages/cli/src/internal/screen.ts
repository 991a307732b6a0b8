/**
 * The live display of `--output text` on a terminal: a status line with a spinner while nothing
 * else moves, tool calls and their results as they happen, all on stderr, between the answer text
 * that goes to stdout. Only used when stderr is a terminal.
 *
 * The status line is drawn only where it can be erased without a trace: on an empty line, or on
 * the line below a tool line (whose width is known, so the cursor can go back to its end). It is
 * never drawn while the answer is in the middle of a line.
 */
import type { ClaudeEvent } from "effect-claude-code"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Io from "./io.js"
import { FRAME_MILLIS, nextPhase, notes, type Phase, statusLine, type Style, width } from "./terminal.js"

const CLEAR_LINE = "\r\u001b[2K"

/** Milliseconds without output before the status line comes back (no flicker between deltas). */
const QUIET_MILLIS = 250

/** Where the cursor is, as far as the screen's content goes (the status line aside). */
type Cursor =
  | { readonly _tag: "LineStart" }
  | { readonly _tag: "AfterNote"; readonly column: number }
  | { readonly _tag: "InText" }

/** What the display writes to and reads from. @internal */
export interface Terminal {
  /** Writes to stderr (a terminal: synchronous). */
  readonly write: (text: string) => void
  /** Whether stdout shows on the same screen (it is the same terminal). */
  readonly stdoutOnScreen: boolean
  readonly style: Style
  /** The terminal's width now. */
  readonly columns: () => number
}

/**
 * The display's state and drawing, synchronous: every method writes what it must at once, so the
 * order of the output is the order of the calls.
 *
 * @internal
 */
export class Display {
  private cursor: Cursor = { _tag: "LineStart" }
  private status: "none" | "here" | "below" = "none"
  private writing = 0
  private lastOutput = Number.NEGATIVE_INFINITY
  private phase: Phase = { _tag: "Starting" }
  private readonly seen = { denied: new Set<string>() }

  constructor(private readonly terminal: Terminal) {}

  /** Erases the status line, leaving the cursor where the content ends. */
  clearStatus(): void {
    if (this.status === "none") return
    const back = this.status === "below" && this.cursor._tag === "AfterNote"
      ? `\u001b[A\u001b[${this.cursor.column + 1}G`
      : ""
    this.terminal.write(CLEAR_LINE + back)
    this.status = "none"
  }

  /** Draws the status line if it can be erased cleanly later; `elapsed` since the run started. */
  tick(elapsed: number, now: number): void {
    if (this.writing > 0 || this.phase._tag === "Finished" || this.cursor._tag === "InText") return
    if (this.status === "none" && now - this.lastOutput < QUIET_MILLIS) return
    const line = statusLine(this.phase, elapsed, this.terminal.style, this.terminal.columns())
    if (this.status === "none" && this.cursor._tag === "AfterNote") {
      // On a line of its own below the tool line; erasing it goes back to the tool line's end.
      this.terminal.write("\n" + line)
      this.status = "below"
    } else {
      this.terminal.write(CLEAR_LINE + line)
      if (this.status === "none") this.status = "here"
    }
  }

  /**
   * An event arrived: updates the phase and shows its tool call, tool result, denial or retry.
   * Call {@link beforeAnswer} for the answer text that precedes it first.
   */
  event(event: ClaudeEvent.ClaudeEvent, now: number): void {
    this.phase = nextPhase(this.phase, event)
    const lines = notes(event, this.seen, this.terminal.style, this.terminal.columns())
    if (lines.length === 0) return
    this.clearStatus()
    let out = ""
    for (const line of lines) {
      // The first note after the answer text starts after a blank line.
      out += this.cursor._tag === "InText" ? "\n\n" : this.cursor._tag === "AfterNote" ? "\n" : ""
      out += line
      this.cursor = { _tag: "AfterNote", column: width(stripStyle(line)) }
    }
    this.terminal.write(out)
    this.lastOutput = now
  }

  /**
   * Answer text is about to go to stdout: erases the status line and, after tool lines, moves to a
   * fresh line so that the text starts after a blank line. Pair with {@link afterAnswer}.
   */
  beforeAnswer(text: string, now: number): void {
    this.writing++
    this.lastOutput = now
    if (!this.terminal.stdoutOnScreen || text.length === 0) return
    this.clearStatus()
    if (this.cursor._tag === "AfterNote") {
      const leading = text.startsWith("\n\n") ? 2 : text.startsWith("\n") ? 1 : 0
      this.terminal.write("\n".repeat(2 - leading))
    }
    this.cursor = text.endsWith("\n") ? { _tag: "LineStart" } : { _tag: "InText" }
  }

  /** The answer text was written. */
  afterAnswer(): void {
    this.writing--
  }

  /** The run is being cancelled. */
  cancelling(): void {
    if (this.phase._tag !== "Finished") this.phase = { _tag: "Cancelling" }
  }

  /**
   * The run is over: erases the status line and ends the last line, so what follows (the summary,
   * an error) starts on a line of its own.
   */
  finish(): void {
    this.phase = { _tag: "Finished" }
    this.clearStatus()
    if (this.cursor._tag !== "LineStart") this.terminal.write("\n")
    this.cursor = { _tag: "LineStart" }
  }
}

const stripStyle = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, "")

/** The live display of a run. @internal */
export interface Screen {
  /** Writes answer text to stdout. */
  readonly answer: (text: string) => Effect.Effect<void, Io.OutputClosed>
  /** Handles one event (after the answer text that precedes it). */
  readonly event: (event: ClaudeEvent.ClaudeEvent) => void
  /** Stops the spinner and ends the display's last line. */
  readonly finish: Effect.Effect<void>
}

/**
 * Starts the display: the spinner runs until `finish` or the end of the scope; `signal` switches
 * the status to cancelling.
 *
 * @internal
 */
export const make = (terminal: Terminal, signal: AbortSignal): Effect.Effect<Screen, never, Scope.Scope> =>
  Effect.gen(function*() {
    const display = new Display(terminal)
    const started = Date.now()
    const onAbort = () => display.cancelling()
    signal.addEventListener("abort", onAbort, { once: true })
    if (signal.aborted) display.cancelling()
    const spinner = yield* Effect.sync(() => {
      const now = Date.now()
      display.tick(now - started, now)
    }).pipe(Effect.repeat(Schedule.spaced(FRAME_MILLIS)), Effect.forkScoped)
    const finish = Effect.zipRight(
      Fiber.interrupt(spinner),
      Effect.sync(() => {
        signal.removeEventListener("abort", onAbort)
        display.finish()
      })
    )
    yield* Effect.addFinalizer(() => finish)
    return {
      answer: (text) =>
        Effect.suspend(() => {
          display.beforeAnswer(text, Date.now())
          return Effect.ensuring(Io.stdout(text), Effect.sync(() => display.afterAnswer()))
        }),
      event: (event) => display.event(event, Date.now()),
      finish
    }
  })
