/**
 * Conversations: a scoped object that remembers the session id and runs every later turn as a
 * continuation of the earlier ones.
 *
 * Two modes share one interface:
 * - {@link make}: one CLI process per turn, each later turn started with `--resume ID`. Robust
 *   and works on both transports; costs a process start (~0.4 s) per turn.
 * - {@link makeStreaming}: one long-lived CLI process fed `--input-format stream-json` user
 *   messages; no start-up cost per turn. Interrupting a turn sends the CLI an interrupt request
 *   and keeps the conversation (and the process) alive.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ClaudeCode from "./ClaudeCode.js"
import * as ClaudeError from "./ClaudeError.js"
import type * as ClaudeEvent from "./ClaudeEvent.js"
import * as ClaudeResult from "./ClaudeResult.js"
import * as streaming from "./internal/streaming.js"

/**
 * A conversation with Claude Code.
 *
 * @example
 * ```ts
 * import { Session } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const session: Session.Session = yield* Session.make()
 *     yield* session.send("Name three colours").pipe(Stream.runDrain) // the events of a turn
 *     const branch = yield* session.fork // the history, a new session id
 *     return yield* branch.run("Now three animals")
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export interface Session {
  /** The conversation's session id, once the CLI has reported one. */
  readonly sessionId: Effect.Effect<Option.Option<string>>
  /**
   * Sends one user turn and streams its events. Turns are serialised: a second `send` waits
   * until the first turn's stream has finished. A cancelled or failed turn leaves the session
   * usable: the next turn resumes from the transcript the CLI saved.
   */
  readonly send: (
    prompt: string,
    options?: ClaudeCode.Options
  ) => Stream.Stream<ClaudeEvent.ClaudeEvent, ClaudeError.ClaudeCodeError>
  /** Like `send`, folded into the turn's result. */
  readonly run: (
    prompt: string,
    options?: ClaudeCode.Options
  ) => Effect.Effect<ClaudeResult.ClaudeResult, ClaudeError.ClaudeCodeError>
  /**
   * A new session that branches off this one (`--fork-session`): its first turn sees this
   * conversation's history and gets a new session id; this session is unaffected. Fails with
   * `InvalidOptions` while this session has no id yet.
   */
  readonly fork: Effect.Effect<Session, ClaudeError.InvalidOptions, Scope.Scope>
}

const sessionFields = ["resume", "continue", "forkSession", "sessionId"] as const

const withoutSessionFields = (options: ClaudeCode.Options): ClaudeCode.Options => {
  const copy: { -readonly [K in keyof ClaudeCode.Options]: ClaudeCode.Options[K] } = { ...options }
  for (const key of sessionFields) delete copy[key]
  return copy
}

const sessionIdOf = (event: ClaudeEvent.ClaudeEvent): string | undefined => {
  switch (event._tag) {
    case "SystemInit":
    case "Result":
      return event.session_id
    default:
      return undefined
  }
}

/** Runs `f` with the session's single permit, held for the whole turn stream. */
const serialised = <A, E>(
  semaphore: Effect.Semaphore,
  f: () => Stream.Stream<A, E>
): Stream.Stream<A, E> =>
  Stream.unwrapScoped(
    Effect.as(Effect.acquireRelease(semaphore.take(1), () => semaphore.release(1)), Stream.suspend(f))
  )

const makeProcessSession = (
  service: ClaudeCode.ClaudeCodeService,
  options: ClaudeCode.Options,
  initial: { readonly id: string | undefined; readonly fork: boolean }
): Effect.Effect<Session> =>
  Effect.gen(function*() {
    const semaphore = yield* Effect.makeSemaphore(1)
    // The id to resume, and whether the next turn must fork from it.
    const current = yield* Ref.make(initial)
    const base = withoutSessionFields(options)

    const send: Session["send"] = (prompt, turnOptions) =>
      serialised(semaphore, () =>
        Stream.unwrap(Effect.gen(function*() {
          const { fork, id } = yield* Ref.get(current)
          const sessionOptions: ClaudeCode.Options = id !== undefined
            ? { resume: id, ...(fork ? { forkSession: true } : {}) }
            : {
              ...(options.sessionId !== undefined ? { sessionId: options.sessionId } : {}),
              ...(options.continue === true ? { continue: true, forkSession: options.forkSession } : {})
            }
          const merged = ClaudeCode.mergeOptions(
            { ...base, ...sessionOptions },
            turnOptions === undefined ? undefined : withoutSessionFields(turnOptions)
          )
          return service.stream(prompt, merged).pipe(
            Stream.tap((event) => {
              const seen = sessionIdOf(event)
              return seen === undefined ? Effect.void : Ref.set(current, { id: seen, fork: false })
            })
          )
        })))

    const session: Session = {
      sessionId: Effect.map(Ref.get(current), ({ fork, id }) => fork ? Option.none() : Option.fromNullable(id)),
      send,
      run: (prompt, turnOptions) => ClaudeResult.fold(send(prompt, turnOptions)),
      fork: Effect.flatMap(Ref.get(current), ({ fork, id }) =>
        id === undefined || fork
          ? new ClaudeError.InvalidOptions({
            option: "fork",
            problem: "the session has no id yet: run a first turn before forking"
          })
          : makeProcessSession(service, options, { id, fork: true }))
    }
    return session
  })

const currentService = Effect.map(
  Effect.serviceOption(ClaudeCode.ClaudeCode),
  Option.getOrElse(() => ClaudeCode.make())
)

/**
 * A conversation run as one CLI process per turn. With `resume` it continues an existing
 * session; with `sessionId` its first turn creates the session under that id; with `continue`
 * it continues the newest session of `cwd`; `forkSession` (with `resume`/`continue`) makes the
 * first turn branch off. Every later turn resumes the session id the CLI reported. Uses the
 * {@link ClaudeCode.ClaudeCode} service when provided (so a test implementation works here too).
 *
 * @example
 * ```ts
 * import { Session } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * const program = Effect.scoped(Effect.gen(function*() {
 *   const chat = yield* Session.make({ model: "claude-sonnet-4-5" })
 *   yield* chat.run("My name is Ada.")
 *   const answer = yield* chat.run("What is my name?")
 *   yield* Effect.log(answer.text)
 * }))
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: ClaudeCode.Options = {}): Effect.Effect<Session, never, Scope.Scope> =>
  Effect.flatMap(currentService, (service) =>
    makeProcessSession(service, options, {
      id: options.resume,
      fork: options.resume !== undefined && options.forkSession === true
    }))

/**
 * A conversation run in ONE long-lived CLI process (`--input-format stream-json`, pipe
 * transport), saving the process start per turn. The process starts with the first turn and
 * ends when the scope closes (stdin is closed and the CLI exits on its own, or is stopped by
 * the shutdown escalation). Interrupting a turn's stream sends the CLI an interrupt request: the
 * turn ends as `aborted_streaming` and the next turn continues in the same process. If the
 * process dies, the next turn starts a new one that resumes the session.
 *
 * @example
 * ```ts
 * import { Session } from "effect-claude-code"
 * import { Effect } from "effect"
 *
 * // one CLI process for every turn
 * const program = Effect.scoped(
 *   Effect.gen(function*() {
 *     const chat = yield* Session.makeStreaming({ model: "claude-sonnet-4-5" })
 *     yield* chat.run("Remember the number 7.")
 *     return yield* chat.run("Which number?")
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStreaming = (options: ClaudeCode.Options = {}): Effect.Effect<Session, never, Scope.Scope> =>
  Effect.flatMap(currentService, (service) => streaming.make(ClaudeCode.mergeOptions(service.defaults, options)))
