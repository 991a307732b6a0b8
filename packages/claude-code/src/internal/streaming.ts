import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Queue from "effect/Queue"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { Options } from "../ClaudeCode.js"
import * as ClaudeError from "../ClaudeError.js"
import * as ClaudeEvent from "../ClaudeEvent.js"
import * as ClaudeResult from "../ClaudeResult.js"
import type { Session } from "../Session.js"
import { buildArgs, validate } from "./args.js"
import { splitLineBytes } from "./lines.js"
import { DIAGNOSTIC_LINES, pushDiagnostic } from "./runner.js"
import { type Child, spawnFor } from "./transport.js"

/** How long an interrupted turn may take to write its closing `result` before the process is stopped. */
const ABORT_TIMEOUT = Duration.seconds(5)

type Pull = Effect.Effect<Chunk.Chunk<ClaudeEvent.Decoded>, Option.Option<ClaudeError.ClaudeCodeError>>

/** One running CLI process and what is left of its output. */
interface Live {
  readonly child: Child
  readonly input: Queue.Queue<Uint8Array>
  readonly pull: Pull
  readonly scope: Scope.CloseableScope
  /** Items read past the previous turn's `result`, handed to the next turn first. */
  leftover: Array<ClaudeEvent.Decoded>
  dead: boolean
  diagnostics: Array<string>
}

const encoder = new TextEncoder()
const line = (message: unknown) => encoder.encode(JSON.stringify(message) + "\n")

let requestCounter = 0

/** @internal */
export const make = (options: Options): Effect.Effect<Session, never, Scope.Scope> =>
  Effect.gen(function*() {
    const sessionScope = yield* Effect.scope
    const semaphore = yield* Effect.makeSemaphore(1)
    let sessionId: string | undefined = options.resume
    let fork = options.resume !== undefined && options.forkSession === true
    let live: Live | undefined

    const stop = (l: Live) =>
      Effect.suspend(() => {
        l.dead = true
        return Scope.close(l.scope, Exit.void)
      })

    const start: Effect.Effect<Live, ClaudeError.ClaudeCodeError> = Effect.gen(function*() {
      const scope = yield* Scope.fork(sessionScope, ExecutionStrategy.sequential)
      const runOptions: Options = {
        ...options,
        transport: "pipe",
        inputFormat: "stream-json",
        resume: sessionId,
        forkSession: sessionId !== undefined && fork ? true : undefined,
        sessionId: sessionId === undefined ? options.sessionId : undefined,
        continue: sessionId === undefined ? options.continue : undefined
      }
      // The options' types and values, as a run checks them (the prompts are checked per turn).
      const problem = validate("", runOptions)
      if (problem !== undefined) {
        yield* Scope.close(scope, Exit.void)
        return yield* new ClaudeError.InvalidOptions({ option: problem.option, problem: problem.problem })
      }
      const input = yield* Queue.unbounded<Uint8Array>()
      const acquire = Effect.gen(function*() {
        const spawnPipe = spawnFor("pipe")
        const child = yield* spawnPipe({
          command: options.executable ?? "claude",
          args: buildArgs(undefined, runOptions),
          cwd: options.cwd,
          env: { CLAUDECODE: undefined, NO_COLOR: "1", ...options.env },
          stdin: Stream.fromQueue(input),
          shutdown: options.shutdown
        })
        // Runs before the child's escalation (finalizers run in reverse): closing stdin lets the
        // CLI finish and exit on its own within the grace period.
        yield* Effect.addFinalizer(() => Queue.shutdown(input))
        const pull = yield* Stream.toPull(ClaudeEvent.decodeLines(splitLineBytes(child.output)))
        return { child, pull }
      })
      const { child, pull } = yield* Scope.extend(acquire, scope).pipe(
        Effect.tapErrorCause(() => Scope.close(scope, Exit.void))
      )
      const l: Live = { child, input, pull, scope, leftover: [], dead: false, diagnostics: [] }
      live = l
      return l
    })

    /** Reads the next chunk of this process's output, leftovers first. */
    const next = (l: Live): Pull =>
      l.leftover.length > 0 ? Effect.sync(() => Chunk.unsafeFromArray(l.leftover.splice(0))) : l.pull

    /**
     * Ends the current turn early: asks the CLI to interrupt it (the conversation survives) and
     * reads up to the turn's closing `result`. A CLI that does not answer in time is stopped; the
     * next turn then starts a new process that resumes the session.
     */
    const abortTurn = (l: Live): Effect.Effect<void> => {
      const drain: Effect.Effect<void, Option.Option<ClaudeError.ClaudeCodeError>> = Effect.flatMap(
        next(l),
        (chunk) => {
          const items = Chunk.toReadonlyArray(chunk)
          const index = items.findIndex((item) => item._tag === "Result")
          if (index < 0) return drain
          for (let i = index + 1; i < items.length; i++) l.leftover.push(items[i]!)
          return Effect.void
        }
      )
      return Queue.offer(
        l.input,
        line({
          type: "control_request",
          request_id: `effect_claude_code_${++requestCounter}`,
          request: { subtype: "interrupt" }
        })
      ).pipe(
        Effect.zipRight(Effect.interruptible(drain)),
        Effect.timeout(ABORT_TIMEOUT),
        Effect.catchAll(() => stop(l))
      )
    }

    const send: Session["send"] = (prompt, turnOptions) =>
      Stream.unwrapScoped(Effect.gen(function*() {
        yield* Effect.acquireRelease(semaphore.take(1), () => semaphore.release(1))
        if (turnOptions !== undefined && Object.keys(turnOptions).length > 0) {
          return yield* new ClaudeError.InvalidOptions({
            option: "options",
            problem: "a streaming session takes its options when it is made, not per turn"
          })
        }
        const problem = validate(prompt, {})
        if (problem !== undefined) {
          return yield* new ClaudeError.InvalidOptions({ option: problem.option, problem: problem.problem })
        }
        const l = live !== undefined && !live.dead ? live : yield* start
        const fold = new ClaudeResult.Folder()
        let done = false
        yield* Effect.addFinalizer(() => done || l.dead ? Effect.void : abortTurn(l))
        yield* Queue.offer(
          l.input,
          line({ type: "user", message: { role: "user", content: prompt }, parent_tool_use_id: null })
        )

        const pull: Effect.Effect<Chunk.Chunk<ClaudeEvent.ClaudeEvent>, Option.Option<ClaudeError.ClaudeCodeError>> =
          Effect.suspend(() =>
            done ? Effect.fail(Option.none()) : Effect.tapError(next(l), () => Effect.sync(() => l.dead = true))
          ).pipe(
            Effect.map((chunk) => {
              const events: Array<ClaudeEvent.ClaudeEvent> = []
              const items = Chunk.toReadonlyArray(chunk)
              for (let i = 0; i < items.length; i++) {
                const item = items[i]!
                if (item._tag === "Diagnostic") {
                  pushDiagnostic(l.diagnostics, item.text)
                  continue
                }
                events.push(item)
                fold.add(item)
                if ((item._tag === "SystemInit" || item._tag === "Result") && item.session_id !== sessionId) {
                  sessionId = item.session_id
                  fork = false
                }
                if (item._tag === "Result") {
                  done = true
                  for (let j = i + 1; j < items.length; j++) l.leftover.push(items[j]!)
                  break
                }
              }
              return Chunk.unsafeFromArray(events)
            })
          )

        const finish = Effect.suspend((): Effect.Effect<void, ClaudeError.ClaudeCodeError> => {
          if (done) {
            return ClaudeResult.isFailure(fold.result())
              ? Effect.fail(ClaudeError.ClaudeFailure.fromResult(fold.result()))
              : Effect.void
          }
          return Effect.gen(function*() {
            const exit = yield* l.child.exitStatus.pipe(Effect.timeout(ABORT_TIMEOUT), Effect.option)
            const stderr = yield* l.child.stderrTail
            yield* stop(l)
            return yield* new ClaudeError.ProcessError({
              exitCode: Option.match(exit, { onNone: () => null, onSome: (e) => e.exitCode }),
              signal: Option.match(exit, { onNone: () => null, onSome: (e) => e.signal }),
              diagnostics: [...l.diagnostics, ...stderr].slice(-DIAGNOSTIC_LINES),
              partial: fold.result()
            })
          })
        })

        return Stream.repeatEffectChunkOption(pull).pipe(Stream.concat(Stream.drain(Stream.fromEffect(finish))))
      }))

    const session: Session = {
      sessionId: Effect.sync(() => fork ? Option.none() : Option.fromNullable(sessionId)),
      send,
      run: (prompt, turnOptions) => ClaudeResult.fold(send(prompt, turnOptions)),
      fork: Effect.suspend(() =>
        sessionId === undefined || fork
          ? Effect.fail(
            new ClaudeError.InvalidOptions({
              option: "fork",
              problem: "the session has no id yet: run a first turn before forking"
            })
          )
          : make({ ...options, resume: sessionId, forkSession: true, sessionId: undefined, continue: undefined })
      )
    }
    return session
  })
