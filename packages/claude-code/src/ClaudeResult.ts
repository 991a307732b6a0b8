/**
 * What a run of Claude Code amounts to: the final text, session id, cost, usage, tool calls with
 * their results, and how the turn ended, folded from the events one at a time.
 *
 * @since 0.1.0
 */
import type * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import type * as Chunk from "effect/Chunk"
import * as Schema from "effect/Schema"
import * as Sink from "effect/Sink"
import * as Stream from "effect/Stream"
import type * as Types from "effect/Types"
import * as ClaudeEvent from "./ClaudeEvent.js"

/** An optional field that is absent, never `undefined`, when unknown (so `Equal` and encoding agree). */
const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Token counts of the turn (from the `result` line; zero before it).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  inputTokens: Schema.Number,
  outputTokens: Schema.Number,
  cacheReadInputTokens: Schema.Number,
  cacheCreationInputTokens: Schema.Number
})

/**
 * @since 0.1.0
 * @category models
 */
export type Usage = typeof Usage.Type

/**
 * The `tool_result` a tool call got back.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolCallResult = Schema.Struct({
  content: ClaudeEvent.ToolResultContent,
  isError: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolCallResult = typeof ToolCallResult.Type

/**
 * A `tool_use` block of an assistant line, matched by `id` with the `tool_result` of a later user
 * line. `parentToolUseId` is set for calls made inside a subagent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolCall = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  input: ClaudeEvent.JsonObject,
  parentToolUseId: Schema.NullOr(Schema.String),
  result: opt(ToolCallResult)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ToolCall = typeof ToolCall.Type

/**
 * A tool call that was denied (from `system/permission_denied` lines, then replaced by the
 * authoritative `result.permission_denials`, keeping the messages).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PermissionDenial = Schema.Struct({
  toolName: Schema.String,
  toolUseId: Schema.String,
  toolInput: ClaudeEvent.JsonObject,
  message: opt(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type PermissionDenial = typeof PermissionDenial.Type

/**
 * One `system/api_retry` line.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiRetry = Schema.Struct({
  attempt: Schema.Number,
  maxRetries: Schema.Number,
  retryDelayMs: Schema.Number,
  errorStatus: Schema.NullOr(Schema.Number),
  error: opt(Schema.String)
})

/**
 * @since 0.1.0
 * @category models
 */
export type ApiRetry = typeof ApiRetry.Type

/**
 * The result of a run so far.
 *
 * Session-wide fields (`sessionId`, `model`, `apiKeySource`, `claudeCodeVersion`, `costUsd` and
 * `modelUsage`, which the CLI reports as running totals, `rateLimit`, `eventCount`) span the whole
 * output. The other fields describe the latest turn: with `--input-format stream-json` one process
 * runs several turns, each ending with a `result` line, and the first event of a new turn after a
 * `result` starts them afresh.
 *
 * `text` is the `result` line's `result` once it arrived, and before that (or when the `result`
 * line has none, as on error subtypes) the text of the main thread's assistant text blocks,
 * separated by a blank line, growing with each `text_delta` when `--include-partial-messages` is
 * on (the `assistant` line that repeats a streamed block is not counted again).
 *
 * @since 0.1.0
 * @category models
 */
export class ClaudeResult extends Schema.Class<ClaudeResult>("effect-claude-code/ClaudeResult")({
  text: Schema.String,
  sessionId: opt(Schema.String),
  model: opt(Schema.String),
  apiKeySource: opt(Schema.String),
  claudeCodeVersion: opt(Schema.String),
  costUsd: Schema.Number,
  usage: Usage,
  modelUsage: Schema.Record({ key: Schema.String, value: ClaudeEvent.ModelUsage }),
  numTurns: Schema.Number,
  durationMs: Schema.Number,
  durationApiMs: Schema.Number,
  stopReason: opt(Schema.String),
  terminalReason: opt(Schema.String),
  subtype: opt(Schema.String),
  isError: Schema.Boolean,
  errors: Schema.Array(Schema.String),
  apiErrorStatus: opt(Schema.Number),
  toolCalls: Schema.Array(ToolCall),
  permissionDenials: Schema.Array(PermissionDenial),
  rateLimit: opt(ClaudeEvent.RateLimitInfo),
  apiRetries: Schema.Array(ApiRetry),
  hasResult: Schema.Boolean,
  eventCount: Schema.Number
}) {}

type Draft = Types.Mutable<Schema.Struct.Type<typeof ClaudeResult.fields>>

const zeroUsage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 }

/**
 * The result before any event.
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: ClaudeResult = new ClaudeResult({
  text: "",
  costUsd: 0,
  usage: zeroUsage,
  modelUsage: {},
  numTurns: 0,
  durationMs: 0,
  durationApiMs: 0,
  isError: false,
  errors: [],
  toolCalls: [],
  permissionDenials: [],
  apiRetries: [],
  hasResult: false,
  eventCount: 0
})

/**
 * Whether the latest turn ended with a `result` that reports success: `is_error` false and
 * `terminal_reason` (when present) `"completed"`. Never judged from `subtype` alone.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSuccess = (self: ClaudeResult): boolean =>
  self.hasResult && !self.isError && (self.terminalReason === undefined || self.terminalReason === "completed")

/**
 * Whether the latest turn ended with a `result` that reports failure (`is_error` true, or a
 * `terminal_reason` other than `"completed"`). `false` while no `result` arrived.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailure = (self: ClaudeResult): boolean => self.hasResult && !isSuccess(self)

// -----------------------------------------------------------------------------
// Text tracking
// -----------------------------------------------------------------------------

/** A text block of the current message that arrived as `text_delta`s. */
interface StreamedBlock {
  readonly index: number
  readonly text: string
  /** An `assistant` line already repeated this block: its text is not counted again. */
  readonly claimed: boolean
}

/**
 * Where the text of the current main-thread message stands. Kept beside each result (not in it,
 * so the public shape stays plain data) in a WeakMap: `step` stays a pure function of its inputs.
 */
interface Cursor {
  readonly messageId: string | undefined
  readonly done: ReadonlyArray<StreamedBlock>
  readonly open: StreamedBlock | undefined
}

const emptyCursor: Cursor = { messageId: undefined, done: [], open: undefined }

const cursors = new WeakMap<ClaudeResult, Cursor>()

const SEPARATOR = "\n\n"

const appendText = (draft: Draft, text: string, startsBlock: boolean): void => {
  draft.text = startsBlock && draft.text.length > 0 ? draft.text + SEPARATOR + text : draft.text + text
}

const forMessage = (cursor: Cursor, messageId: string | undefined): Cursor =>
  messageId === undefined || messageId === cursor.messageId ? cursor : { messageId, done: [], open: undefined }

const closeOpen = (cursor: Cursor): Cursor =>
  cursor.open === undefined
    ? cursor
    : { messageId: cursor.messageId, done: [...cursor.done, cursor.open], open: undefined }

const onTextDelta = (draft: Draft, cursor: Cursor, index: number, text: string): Cursor => {
  let open = cursor.open
  if (open === undefined || open.index !== index) {
    cursor = closeOpen(cursor)
    open = { index, text: "", claimed: false }
  }
  if (text.length > 0) {
    appendText(draft, text, open.text.length === 0)
    open = { index, text: open.text + text, claimed: open.claimed }
  }
  return { messageId: cursor.messageId, done: cursor.done, open }
}

const onStreamEvent = (draft: Draft, cursor: Cursor, event: ClaudeEvent.StreamEvent): Cursor => {
  const payload = event.event
  switch (payload.type) {
    case "message_start":
      return forMessage(cursor, payload.message.id)
    case "content_block_start": {
      cursor = closeOpen(forMessage(cursor, event.api_message_id))
      const block = payload.content_block
      return block.type === "text" ? onTextDelta(draft, cursor, payload.index, block.text) : cursor
    }
    case "content_block_delta":
      return payload.delta.type === "text_delta"
        ? onTextDelta(draft, forMessage(cursor, event.api_message_id), payload.index, payload.delta.text)
        : cursor
    case "content_block_stop":
      return cursor.open !== undefined && cursor.open.index === payload.index ? closeOpen(cursor) : cursor
    default:
      return cursor
  }
}

/**
 * An assistant line's text block: if the stream already delivered it (a streamed block of the same
 * message whose text it starts with), only what the stream did not carry is added; otherwise the
 * whole block is.
 */
const onAssistantText = (draft: Draft, cursor: Cursor, text: string): Cursor => {
  if (text.length === 0) return cursor
  const matches = (block: StreamedBlock) => !block.claimed && block.text.length > 0 && text.startsWith(block.text)
  const claim = (block: StreamedBlock): StreamedBlock => {
    if (text.length > block.text.length) appendText(draft, text.slice(block.text.length), false)
    return { index: block.index, text, claimed: true }
  }
  for (let i = 0; i < cursor.done.length; i++) {
    const block = cursor.done[i]!
    if (matches(block)) {
      const done = cursor.done.slice()
      done[i] = claim(block)
      return { messageId: cursor.messageId, done, open: cursor.open }
    }
  }
  if (cursor.open !== undefined && matches(cursor.open)) {
    return { messageId: cursor.messageId, done: cursor.done, open: claim(cursor.open) }
  }
  appendText(draft, text, true)
  return cursor
}

// -----------------------------------------------------------------------------
// The fold
// -----------------------------------------------------------------------------

const startsTurn = (event: ClaudeEvent.ClaudeEvent): boolean => {
  switch (event._tag) {
    case "SystemInit":
    case "SystemApiRetry":
    case "SystemPermissionDenied":
    case "Assistant":
    case "User":
    case "StreamEvent":
    case "Result": // a second result in a row ends a turn of its own
      return true
    default:
      return false
  }
}

/** A draft for the next turn: `empty` plus the fields that span the whole output. */
const nextTurn = (draft: Draft): Draft => {
  const next: Draft = Object.assign(Object.create(ClaudeResult.prototype), empty)
  next.costUsd = draft.costUsd
  next.modelUsage = draft.modelUsage
  next.eventCount = draft.eventCount
  if (draft.sessionId !== undefined) next.sessionId = draft.sessionId
  if (draft.model !== undefined) next.model = draft.model
  if (draft.apiKeySource !== undefined) next.apiKeySource = draft.apiKeySource
  if (draft.claudeCodeVersion !== undefined) next.claudeCodeVersion = draft.claudeCodeVersion
  if (draft.rateLimit !== undefined) next.rateLimit = draft.rateLimit
  return next
}

/** Sets an optional field, or removes it when `value` is `undefined`. */
const setOptional = <K extends OptionalKey>(draft: Draft, key: K, value: Draft[K] | undefined): void => {
  if (value !== undefined) draft[key] = value as Draft[K]
  else if (key in draft) delete draft[key]
}

type OptionalKey = "stopReason" | "terminalReason"

const setSessionId = (draft: Draft, sessionId: string | undefined): void => {
  if (draft.sessionId === undefined && sessionId !== undefined) draft.sessionId = sessionId
}

const findToolCall = (calls: ReadonlyArray<ToolCall>, id: string): number => {
  for (let i = calls.length - 1; i >= 0; i--) {
    if (calls[i]!.id === id) return i
  }
  return -1
}

const stepEvent = (self: ClaudeResult, event: ClaudeEvent.ClaudeEvent): ClaudeResult => {
  let cursor = cursors.get(self) ?? emptyCursor
  // The next result is built as a copy of this one with the class's prototype, which is all the
  // class constructor does once validation is off (and it costs ten times as much per event).
  let draft: Draft = Object.assign(Object.create(ClaudeResult.prototype), self)
  draft.eventCount++
  if (draft.hasResult && startsTurn(event)) {
    draft = nextTurn(draft)
    cursor = emptyCursor
  }
  switch (event._tag) {
    case "SystemInit": {
      draft.sessionId = event.session_id
      draft.model = event.model
      if (event.apiKeySource !== undefined) draft.apiKeySource = event.apiKeySource
      if (event.claude_code_version !== undefined) draft.claudeCodeVersion = event.claude_code_version
      break
    }
    case "SystemStatus":
    case "SystemOther": {
      setSessionId(draft, event.session_id)
      break
    }
    case "SystemApiRetry": {
      setSessionId(draft, event.session_id)
      const retry: ApiRetry = {
        attempt: event.attempt,
        maxRetries: event.max_retries,
        retryDelayMs: event.retry_delay_ms,
        errorStatus: event.error_status,
        ...(event.error === undefined ? {} : { error: event.error })
      }
      draft.apiRetries = [...draft.apiRetries, retry]
      break
    }
    case "SystemPermissionDenied": {
      setSessionId(draft, event.session_id)
      if (!draft.permissionDenials.some((denial) => denial.toolUseId === event.tool_use_id)) {
        const call = findToolCall(draft.toolCalls, event.tool_use_id)
        draft.permissionDenials = [...draft.permissionDenials, {
          toolName: event.tool_name,
          toolUseId: event.tool_use_id,
          toolInput: call === -1 ? {} : draft.toolCalls[call]!.input,
          message: event.message
        }]
      }
      break
    }
    case "Assistant": {
      const message = event.message
      setSessionId(draft, event.session_id)
      if (draft.model === undefined && message.model !== "<synthetic>") draft.model = message.model
      if (event.is_api_error_message === true && typeof event.api_error_status === "number") {
        draft.apiErrorStatus = event.api_error_status
      }
      const parentToolUseId = event.parent_tool_use_id ?? null
      const mainThread = parentToolUseId === null
      if (mainThread) cursor = forMessage(cursor, message.id)
      let toolCalls: Array<ToolCall> | undefined
      for (const block of message.content) {
        if (block.type === "text") {
          if (mainThread) cursor = onAssistantText(draft, cursor, block.text)
        } else if (block.type === "tool_use" && findToolCall(toolCalls ?? draft.toolCalls, block.id) === -1) {
          toolCalls ??= draft.toolCalls.slice()
          toolCalls.push({ id: block.id, name: block.name, input: block.input, parentToolUseId })
        }
      }
      if (toolCalls !== undefined) draft.toolCalls = toolCalls
      break
    }
    case "User": {
      setSessionId(draft, event.session_id)
      const content = event.message.content
      if (typeof content !== "string") {
        let toolCalls: Array<ToolCall> | undefined
        for (const block of content) {
          if (block.type !== "tool_result") continue
          const calls: ReadonlyArray<ToolCall> = toolCalls ?? draft.toolCalls
          const i = findToolCall(calls, block.tool_use_id)
          if (i === -1) continue
          toolCalls ??= draft.toolCalls.slice()
          toolCalls[i] = {
            ...calls[i]!,
            result: { content: block.content ?? "", isError: block.is_error === true }
          }
        }
        if (toolCalls !== undefined) draft.toolCalls = toolCalls
      }
      break
    }
    case "StreamEvent": {
      setSessionId(draft, event.session_id)
      if ((event.parent_tool_use_id ?? null) === null) cursor = onStreamEvent(draft, cursor, event)
      break
    }
    case "RateLimit": {
      setSessionId(draft, event.session_id)
      draft.rateLimit = event.rate_limit_info
      break
    }
    case "Result": {
      const usage = event.usage
      draft.sessionId = event.session_id
      if (event.result !== undefined) draft.text = event.result
      draft.costUsd = event.total_cost_usd
      draft.usage = {
        inputTokens: usage.input_tokens,
        outputTokens: usage.output_tokens,
        cacheReadInputTokens: usage.cache_read_input_tokens ?? 0,
        cacheCreationInputTokens: usage.cache_creation_input_tokens ?? 0
      }
      draft.modelUsage = event.modelUsage
      draft.numTurns = event.num_turns
      draft.durationMs = event.duration_ms
      draft.durationApiMs = event.duration_api_ms
      setOptional(draft, "stopReason", event.stop_reason ?? undefined)
      setOptional(draft, "terminalReason", event.terminal_reason)
      draft.subtype = event.subtype
      draft.isError = event.is_error
      draft.errors = event.errors ?? []
      if (typeof event.api_error_status === "number") draft.apiErrorStatus = event.api_error_status
      const seen = draft.permissionDenials
      draft.permissionDenials = event.permission_denials.map((denial) => {
        const message = seen.find((earlier) => earlier.toolUseId === denial.tool_use_id)?.message
        const out: PermissionDenial = {
          toolName: denial.tool_name,
          toolUseId: denial.tool_use_id,
          toolInput: denial.tool_input,
          ...(message === undefined ? {} : { message })
        }
        return out
      })
      draft.hasResult = true
      cursor = emptyCursor
      break
    }
    case "Unknown":
      break
  }
  const next = draft as ClaudeResult
  if (cursor !== emptyCursor) cursors.set(next, cursor)
  return next
}

/**
 * Advances the result by one event (a {@link ClaudeEvent.Diagnostic} leaves it as it is). Pure;
 * constant work for the frequent events (deltas, text), linear in the tool calls for tool events.
 *
 * @since 0.1.0
 * @category folding
 */
export const step: {
  (event: ClaudeEvent.Decoded): (self: ClaudeResult) => ClaudeResult
  (self: ClaudeResult, event: ClaudeEvent.Decoded): ClaudeResult
} = dual(
  2,
  (self: ClaudeResult, event: ClaudeEvent.Decoded): ClaudeResult =>
    event._tag === "Diagnostic" ? self : stepEvent(self, event)
)

/**
 * Folds a whole stream of events into its result.
 *
 * @since 0.1.0
 * @category folding
 */
export const fold = <E, R>(events: Stream.Stream<ClaudeEvent.Decoded, E, R>): Effect.Effect<ClaudeResult, E, R> =>
  // Not `Stream.runFold`: its sink recurses once per element of a chunk, and a chunk of lines
  // decoded from one large read can hold tens of thousands of events (stack overflow).
  Stream.run(events, Sink.foldLeftChunks(empty, stepChunk))

const stepChunk = (self: ClaudeResult, events: Chunk.Chunk<ClaudeEvent.Decoded>): ClaudeResult => {
  let state = self
  for (const event of events) state = event._tag === "Diagnostic" ? state : stepEvent(state, event)
  return state
}

/**
 * The result so far after each event (for progress displays).
 *
 * @since 0.1.0
 * @category folding
 */
export const scan = <E, R>(events: Stream.Stream<ClaudeEvent.Decoded, E, R>): Stream.Stream<ClaudeResult, E, R> =>
  Stream.mapAccum(events, empty, (state, event) => {
    const next = step(state, event)
    return [next, next] as const
  })
