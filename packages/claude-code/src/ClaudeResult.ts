/**
 * What a run of Claude Code amounts to: the final text, session id, cost, usage, tool calls with
 * their results, and how the turn ended, folded from the events one at a time.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as Types from "effect/Types"
import * as ClaudeEvent from "./ClaudeEvent.js"
// Optional fields are absent, never `undefined`, when unknown (so `Equal` and encoding agree).
import { opt, optionalNumber, optionalString } from "./internal/optional.js"

/**
 * Token counts of the turn (from the `result` line; zero before it).
 *
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const usage = Schema.decodeUnknownSync(ClaudeResult.Usage)({ inputTokens: 3, outputTokens: 5, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 })
 * assert.strictEqual(usage.outputTokens, 5)
 * ```
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
 * Token counts of a run, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeResult } from "effect-claude-code"
 *
 * const total = (usage: ClaudeResult.Usage): number => usage.inputTokens + usage.outputTokens
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type Usage = typeof Usage.Type

/**
 * The `tool_result` a tool call got back.
 *
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const result = Schema.decodeUnknownSync(ClaudeResult.ToolCallResult)({ content: "ok", isError: false })
 * assert.strictEqual(result.isError, false)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ToolCallResult = Schema.Struct({
  content: ClaudeEvent.ToolResultContent,
  isError: Schema.Boolean
})

/**
 * What a tool call returned, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeResult } from "effect-claude-code"
 *
 * const failed = (result: ClaudeResult.ToolCallResult): boolean => result.isError
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ToolCallResult = typeof ToolCallResult.Type

/**
 * A `tool_use` block of an assistant line, matched by `id` with the `tool_result` of a later user
 * line. `parentToolUseId` is set for calls made inside a subagent.
 *
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const call = Schema.decodeUnknownSync(ClaudeResult.ToolCall)({ id: "toolu_1", name: "Read", input: { file_path: "a.txt" }, parentToolUseId: null })
 * assert.strictEqual(call.result, undefined) // not answered (yet)
 * ```
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
 * A tool call and its result, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeResult } from "effect-claude-code"
 *
 * const describe = (call: ClaudeResult.ToolCall): string => `${call.name}: ${call.result?.isError ? "failed" : "ok"}`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type ToolCall = typeof ToolCall.Type

/**
 * A tool call that was denied (from `system/permission_denied` lines, then replaced by the
 * authoritative `result.permission_denials`, keeping the messages).
 *
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const denial = Schema.decodeUnknownSync(ClaudeResult.PermissionDenial)({ toolName: "Bash", toolUseId: "toolu_1", toolInput: { command: "rm -rf /" } })
 * assert.strictEqual(denial.toolName, "Bash")
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const PermissionDenial = Schema.Struct({
  toolName: Schema.String,
  toolUseId: Schema.String,
  toolInput: ClaudeEvent.JsonObject,
  message: optionalString
})

/**
 * A tool call that permissions refused, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeResult } from "effect-claude-code"
 *
 * const describe = (denial: ClaudeResult.PermissionDenial): string => `${denial.toolName} was not allowed`
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export type PermissionDenial = typeof PermissionDenial.Type

/**
 * One `system/api_retry` line.
 *
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 * import { Schema } from "effect"
 *
 * const retry = Schema.decodeUnknownSync(ClaudeResult.ApiRetry)({ attempt: 1, maxRetries: 10, retryDelayMs: 500, errorStatus: 529 })
 * assert.strictEqual(retry.errorStatus, 529)
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiRetry = Schema.Struct({
  attempt: Schema.Number,
  maxRetries: Schema.Number,
  retryDelayMs: Schema.Number,
  errorStatus: Schema.NullOr(Schema.Number),
  error: optionalString
})

/**
 * An API request the CLI retried, as a type.
 *
 * @example
 * ```ts
 * import type { ClaudeResult } from "effect-claude-code"
 *
 * const describe = (retry: ClaudeResult.ApiRetry): string => `retry ${retry.attempt}/${retry.maxRetries} after ${retry.errorStatus}`
 * ```
 *
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
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const lines = [
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}',
 *   '{"type":"assistant","session_id":"s1","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}',
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1,"total_cost_usd":0.001}'
 * ]
 * const events = Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
 *
 * const result: ClaudeResult.ClaudeResult = Effect.runSync(ClaudeResult.fold(events))
 * assert.strictEqual(result.text, "4")
 * assert.strictEqual(result.sessionId, "s1")
 * assert.strictEqual(result.costUsd, 0.001)
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export class ClaudeResult extends Schema.Class<ClaudeResult>("effect-claude-code/ClaudeResult")({
  text: Schema.String,
  sessionId: optionalString,
  model: optionalString,
  apiKeySource: optionalString,
  claudeCodeVersion: optionalString,
  costUsd: Schema.Number,
  usage: Usage,
  modelUsage: Schema.Record({ key: Schema.String, value: ClaudeEvent.ModelUsage }),
  numTurns: Schema.Number,
  durationMs: Schema.Number,
  durationApiMs: Schema.Number,
  stopReason: optionalString,
  terminalReason: optionalString,
  subtype: optionalString,
  isError: Schema.Boolean,
  errors: Schema.Array(Schema.String),
  apiErrorStatus: optionalNumber,
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
 * @example
 * ```ts
 * import { ClaudeResult } from "effect-claude-code"
 *
 * assert.strictEqual(ClaudeResult.empty.text, "")
 * assert.strictEqual(ClaudeResult.empty.hasResult, false)
 * ```
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
}, true) // valid as written (a test checks it): validating it at import would compile the whole result schema

/**
 * Whether the latest turn ended with a `result` that reports success: `is_error` false and
 * `terminal_reason` (when present) `"completed"`. Never judged from `subtype` alone.
 *
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const lines = [
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}',
 *   '{"type":"assistant","session_id":"s1","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}',
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1,"total_cost_usd":0.001}'
 * ]
 * const events = Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
 *
 * assert.strictEqual(ClaudeResult.isSuccess(Effect.runSync(ClaudeResult.fold(events))), true)
 * assert.strictEqual(ClaudeResult.isSuccess(ClaudeResult.empty), false) // no result line yet
 * ```
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
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const lines = [
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}',
 *   '{"type":"assistant","session_id":"s1","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}',
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1,"total_cost_usd":0.001}'
 * ]
 * const events = Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
 *
 * assert.strictEqual(ClaudeResult.isFailure(Effect.runSync(ClaudeResult.fold(events))), false)
 * assert.strictEqual(ClaudeResult.isFailure(ClaudeResult.empty), false) // no result line yet
 * ```
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailure = (self: ClaudeResult): boolean => self.hasResult && !isSuccess(self)

// -----------------------------------------------------------------------------
// Text tracking
// -----------------------------------------------------------------------------

/** A text block of the current message that arrived as `text_delta`s. Mutable: owned by one fold. */
interface StreamedBlock {
  index: number
  text: string
  /** An `assistant` line already repeated this block: its text is not counted again. */
  claimed: boolean
  /**
   * Set while the block is open and its deltas are kept only here: the draft's text before the
   * block (its separator included), the draft's text being `before + text` (see `Folder.syncText`).
   */
  before: string | undefined
}

/** Where the text of the current main-thread message stands. Mutable: owned by one fold. */
interface Cursor {
  messageId: string | undefined
  readonly done: Array<StreamedBlock>
  open: StreamedBlock | undefined
}

const newCursor = (messageId: string | undefined): Cursor => ({ messageId, done: [], open: undefined })

const copyCursor = (cursor: Cursor): Cursor => ({
  messageId: cursor.messageId,
  done: cursor.done.map((block) => ({ ...block })),
  open: cursor.open === undefined ? undefined : { ...cursor.open }
})

const SEPARATOR = "\n\n"

/**
 * How many text deltas of the open block are gathered before they are joined onto its text. A
 * delta is a short string (the CLI streams a few words at a time); joined in batches, it dies
 * young, and what outlives young-generation GCs is the batch's characters instead of a string and
 * a rope node per delta.
 */
const TEXT_BATCH = 64

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

/** Sets an optional field, or removes it when `value` is `undefined`. */
const setOptional = <K extends OptionalKey>(draft: Draft, key: K, value: Draft[K] | undefined): void => {
  if (value !== undefined) draft[key] = value as Draft[K]
  else if (key in draft) delete draft[key]
}

type OptionalKey = "stopReason" | "terminalReason"

const findToolCall = (calls: ReadonlyArray<ToolCall>, id: string): number => {
  for (let i = calls.length - 1; i >= 0; i--) {
    if (calls[i]!.id === id) return i
  }
  return -1
}

/** A new draft with `ClaudeResult`'s prototype: what its constructor gives once validation is off. */
const copyDraft = (self: ClaudeResult): Draft => Object.assign(Object.create(ClaudeResult.prototype), self)

/**
 * The fold's working state: one mutable draft of the result and the text cursor, advanced in
 * place (constant work per delta: no copy of the result per event). {@link step}, {@link fold} and
 * the runner all fold through it; {@link Folder.result} hands out immutable snapshots.
 *
 * With `keepText: false` (a stream whose consumer sees the text as events) the text is not
 * accumulated at all, so the fold's memory stays flat however long the run.
 *
 * @internal
 */
export class Folder {
  private draft: Draft
  private cursor: Cursor
  /** The draft was handed out by `result()`: copy it before the next change. */
  private shared = false
  private readonly keepText: boolean
  /** Deltas of the open block not yet joined onto its text (see `TEXT_BATCH`, `flushPending`). */
  private readonly pending: Array<string> = []

  constructor(from: ClaudeResult = empty, options?: { readonly keepText?: boolean | undefined }) {
    this.draft = copyDraft(from)
    const cursor = cursors.get(from)
    this.cursor = cursor === undefined ? newCursor(undefined) : copyCursor(cursor)
    this.keepText = options?.keepText ?? true
  }

  /** The result so far: an immutable snapshot (later events do not change it). */
  result(): ClaudeResult {
    if (!this.shared) {
      this.syncText()
      this.shared = true
    }
    return this.draft as ClaudeResult
  }

  /** Advances by one decoded line (a {@link ClaudeEvent.Diagnostic} changes nothing). */
  add(event: ClaudeEvent.Decoded): void {
    if (event._tag === "Diagnostic") return
    let draft = this.draft
    if (this.shared) {
      // the arrays are replaced, never mutated, once shared: see `own`
      draft = this.draft = copyDraft(draft as ClaudeResult)
      this.shared = false
      this.owned = 0
    }
    draft.eventCount++
    if (draft.hasResult && startsTurn(event)) this.nextTurn()
    switch (event._tag) {
      case "StreamEvent": {
        this.setSessionId(event.session_id)
        if ((event.parent_tool_use_id ?? null) === null && this.keepText) this.onStreamEvent(event)
        break
      }
      case "SystemInit": {
        draft = this.draft
        draft.sessionId = event.session_id
        draft.model = event.model
        if (event.apiKeySource !== undefined) draft.apiKeySource = event.apiKeySource
        if (event.claude_code_version !== undefined) draft.claudeCodeVersion = event.claude_code_version
        break
      }
      case "SystemStatus":
      case "SystemOther": {
        this.setSessionId(event.session_id)
        break
      }
      case "SystemApiRetry": {
        this.setSessionId(event.session_id)
        this.own(APIRETRIES).push({
          attempt: event.attempt,
          maxRetries: event.max_retries,
          retryDelayMs: event.retry_delay_ms,
          errorStatus: event.error_status,
          ...(event.error === undefined ? {} : { error: event.error })
        })
        break
      }
      case "SystemPermissionDenied": {
        this.setSessionId(event.session_id)
        draft = this.draft
        if (!draft.permissionDenials.some((denial) => denial.toolUseId === event.tool_use_id)) {
          const call = findToolCall(draft.toolCalls, event.tool_use_id)
          this.own(DENIALS).push({
            toolName: event.tool_name,
            toolUseId: event.tool_use_id,
            toolInput: call === -1 ? {} : draft.toolCalls[call]!.input,
            message: event.message
          })
        }
        break
      }
      case "Assistant": {
        const message = event.message
        this.setSessionId(event.session_id)
        draft = this.draft
        if (draft.model === undefined && message.model !== "<synthetic>") draft.model = message.model
        if (event.is_api_error_message === true && typeof event.api_error_status === "number") {
          draft.apiErrorStatus = event.api_error_status
        }
        const parentToolUseId = event.parent_tool_use_id ?? null
        const mainThread = parentToolUseId === null
        if (mainThread) this.forMessage(message.id)
        for (const block of message.content) {
          if (block.type === "text") {
            if (mainThread && this.keepText) this.onAssistantText(block.text)
          } else if (block.type === "tool_use" && findToolCall(draft.toolCalls, block.id) === -1) {
            this.own(TOOLCALLS).push({ id: block.id, name: block.name, input: block.input, parentToolUseId })
          }
        }
        break
      }
      case "User": {
        this.setSessionId(event.session_id)
        const content = event.message.content
        if (typeof content !== "string") {
          for (const block of content) {
            if (block.type !== "tool_result") continue
            const i = findToolCall(this.draft.toolCalls, block.tool_use_id)
            if (i === -1) continue
            const calls = this.own(TOOLCALLS)
            calls[i] = { ...calls[i]!, result: { content: block.content ?? "", isError: block.is_error === true } }
          }
        }
        break
      }
      case "RateLimit": {
        this.setSessionId(event.session_id)
        this.draft.rateLimit = event.rate_limit_info
        break
      }
      case "Result": {
        draft = this.draft
        const usage = event.usage
        draft.sessionId = event.session_id
        this.syncText()
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
        this.owned &= ~DENIALS
        draft.hasResult = true
        this.cursor = newCursor(undefined)
        break
      }
      case "Unknown":
        break
    }
  }

  /** The bits of {@link owned}: which arrays of the draft this fold created (and may mutate). */
  private owned = 0

  /**
   * An array field of the draft that this fold may push to: the draft's arrays can be shared with
   * an earlier snapshot (or `empty`), so the first change after a snapshot copies them.
   */
  private own(field: typeof TOOLCALLS): Array<ToolCall>
  private own(field: typeof DENIALS): Array<PermissionDenial>
  private own(field: typeof APIRETRIES): Array<ApiRetry>
  private own(field: number): Array<unknown> {
    const key = field === TOOLCALLS ? "toolCalls" : field === DENIALS ? "permissionDenials" : "apiRetries"
    if ((this.owned & field) === 0) {
      ;(this.draft as Record<string, unknown>)[key] = (this.draft[key] as ReadonlyArray<unknown>).slice()
      this.owned |= field
    }
    return this.draft[key] as Array<unknown>
  }

  private setSessionId(sessionId: string | undefined): void {
    if (this.draft.sessionId === undefined && sessionId !== undefined) this.draft.sessionId = sessionId
  }

  /** Starts the next turn: `empty` plus the fields that span the whole output. */
  private nextTurn(): void {
    const draft = this.draft
    const next: Draft = copyDraft(empty)
    next.costUsd = draft.costUsd
    next.modelUsage = draft.modelUsage
    next.eventCount = draft.eventCount
    if (draft.sessionId !== undefined) next.sessionId = draft.sessionId
    if (draft.model !== undefined) next.model = draft.model
    if (draft.apiKeySource !== undefined) next.apiKeySource = draft.apiKeySource
    if (draft.claudeCodeVersion !== undefined) next.claudeCodeVersion = draft.claudeCodeVersion
    if (draft.rateLimit !== undefined) next.rateLimit = draft.rateLimit
    this.draft = next
    this.owned = 0
    this.cursor = newCursor(undefined)
  }

  private appendText(text: string, startsBlock: boolean): void {
    this.syncText()
    const open = this.cursor.open
    // from here the open block's text is no longer the end of the draft's: it goes both ways
    if (open !== undefined) open.before = undefined
    const draft = this.draft
    draft.text = startsBlock && draft.text.length > 0 ? draft.text + SEPARATOR + text : draft.text + text
  }

  /**
   * Brings the draft's text up to date with the open block's deltas. The deltas of a block are
   * kept once, in the block, and added to the draft's text only when it is read (a snapshot, the
   * result line, an `assistant` line's text, the end of the block or message): one copy of the
   * text, not two (the draft's and the block's), joined in batches (`TEXT_BATCH`).
   */
  private syncText(): void {
    const open = this.cursor.open
    if (open !== undefined && open.before !== undefined) {
      this.flushPending()
      this.draft.text = open.before + open.text
    }
  }

  /** Joins the gathered deltas onto the open block's text. */
  private flushPending(): void {
    const pending = this.pending
    if (pending.length === 0) return
    this.cursor.open!.text += pending.length === 1 ? pending[0]! : pending.join("")
    pending.length = 0
  }

  private forMessage(messageId: string | undefined): void {
    if (messageId !== undefined && messageId !== this.cursor.messageId) {
      this.syncText()
      this.cursor = newCursor(messageId)
    }
  }

  private closeOpen(): void {
    const cursor = this.cursor
    const open = cursor.open
    if (open !== undefined) {
      this.syncText()
      open.before = undefined
      cursor.done.push(open)
      cursor.open = undefined
    }
  }

  private onTextDelta(index: number, text: string): void {
    let open = this.cursor.open
    if (open === undefined || open.index !== index) {
      this.closeOpen()
      open = this.cursor.open = { index, text: "", claimed: false, before: undefined }
    }
    if (text.length === 0) return
    if (open.before !== undefined) {
      if (this.pending.push(text) >= TEXT_BATCH) this.flushPending()
    } else if (open.text.length === 0) {
      // the block's first text: the draft's text is up to date (no other block is open)
      const draftText = this.draft.text
      open.before = draftText.length > 0 ? draftText + SEPARATOR : ""
      open.text = text
    } else {
      this.appendText(text, false)
      open.text += text
    }
  }

  private onStreamEvent(event: ClaudeEvent.StreamEvent): void {
    const payload = event.event
    switch (payload.type) {
      case "content_block_delta": {
        if (payload.delta.type === "text_delta") {
          this.forMessage(event.api_message_id)
          this.onTextDelta(payload.index, payload.delta.text)
        }
        return
      }
      case "message_start":
        return this.forMessage(payload.message.id)
      case "content_block_start": {
        this.forMessage(event.api_message_id)
        this.closeOpen()
        const block = payload.content_block
        if (block.type === "text") this.onTextDelta(payload.index, block.text)
        return
      }
      case "content_block_stop": {
        if (this.cursor.open !== undefined && this.cursor.open.index === payload.index) this.closeOpen()
        return
      }
    }
  }

  /**
   * An assistant line's text block: if the stream already delivered it (a streamed block of the
   * same message whose text it starts with), only what the stream did not carry is added;
   * otherwise the whole block is.
   */
  private onAssistantText(text: string): void {
    if (text.length === 0) return
    this.flushPending()
    const { done, open } = this.cursor
    const matches = (block: StreamedBlock) => !block.claimed && block.text.length > 0 && text.startsWith(block.text)
    const claim = (block: StreamedBlock): void => {
      if (text.length > block.text.length) this.appendText(text.slice(block.text.length), false)
      block.text = text
      block.claimed = true
    }
    for (const block of done) {
      if (matches(block)) return claim(block)
    }
    if (open !== undefined && matches(open)) return claim(open)
    this.appendText(text, true)
  }

  /** The text cursor, for {@link step} to carry over to the next step. */
  cursorSnapshot(): Cursor {
    return this.cursor
  }
}

const TOOLCALLS = 1
const DENIALS = 2
const APIRETRIES = 4

/**
 * Where the text of the current message stands after a {@link step}, kept beside each result
 * (not in it, so the public shape stays plain data): `step` stays a pure function of its inputs.
 */
const cursors = new WeakMap<ClaudeResult, Cursor>()

/**
 * Advances the result by one event (a {@link ClaudeEvent.Diagnostic} leaves it as it is). Pure;
 * constant work for the frequent events (deltas, text), linear in the tool calls for tool events.
 * To fold many events, {@link fold} is faster: it changes one draft in place.
 *
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Either } from "effect"
 *
 * const event = Either.getOrThrow(ClaudeEvent.decodeLine('{"type":"system","subtype":"init","session_id":"s1","model":"m","cwd":"/"}'))
 * const next = ClaudeResult.step(ClaudeResult.empty, event)
 * assert.strictEqual(next.sessionId, "s1")
 * assert.strictEqual(ClaudeResult.empty.sessionId, undefined) // unchanged
 * ```
 *
 * @since 0.1.0
 * @category folding
 */
export const step: {
  (event: ClaudeEvent.Decoded): (self: ClaudeResult) => ClaudeResult
  (self: ClaudeResult, event: ClaudeEvent.Decoded): ClaudeResult
} = dual(
  2,
  (self: ClaudeResult, event: ClaudeEvent.Decoded): ClaudeResult => {
    if (event._tag === "Diagnostic") return self
    const folder = new Folder(self)
    folder.add(event)
    const next = folder.result()
    cursors.set(next, folder.cursorSnapshot())
    return next
  }
)

/**
 * Folds a whole stream of events into its result.
 *
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const lines = [
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}',
 *   '{"type":"assistant","session_id":"s1","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}',
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1,"total_cost_usd":0.001}'
 * ]
 * const events = Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
 *
 * const result = Effect.runSync(ClaudeResult.fold(events))
 * assert.strictEqual(result.numTurns, 1)
 * ```
 *
 * @since 0.1.0
 * @category folding
 */
export const fold = <E, R>(events: Stream.Stream<ClaudeEvent.Decoded, E, R>): Effect.Effect<ClaudeResult, E, R> =>
  // Not `Stream.runFold`: its sink recurses once per element of a chunk, and a chunk of lines
  // decoded from one large read can hold tens of thousands of events (stack overflow).
  Effect.suspend(() => {
    const folder = new Folder()
    return Effect.map(
      Stream.runForEachChunk(events, (chunk) =>
        Effect.sync(() => {
          for (const event of chunk) folder.add(event)
        })),
      () => folder.result()
    )
  })

/**
 * The result so far after each event (for progress displays).
 *
 * @example
 * ```ts
 * import { ClaudeEvent, ClaudeResult } from "effect-claude-code"
 * import { Effect, Stream } from "effect"
 *
 * const lines = [
 *   '{"type":"system","subtype":"init","session_id":"s1","model":"claude-sonnet-4-5","cwd":"/tmp"}',
 *   '{"type":"assistant","session_id":"s1","message":{"id":"m1","model":"claude-sonnet-4-5","role":"assistant","content":[{"type":"text","text":"4"}]}}',
 *   '{"type":"result","subtype":"success","session_id":"s1","is_error":false,"result":"4","num_turns":1,"total_cost_usd":0.001}'
 * ]
 * const events = Stream.fromIterable(lines).pipe(ClaudeEvent.decodeLines)
 * import { Chunk } from "effect"
 *
 * const texts = Effect.runSync(Stream.runCollect(Stream.map(ClaudeResult.scan(events), (result) => result.text)))
 * assert.deepStrictEqual(Chunk.toReadonlyArray(texts), ["", "4", "4"])
 * ```
 *
 * @since 0.1.0
 * @category folding
 */
export const scan = <E, R>(events: Stream.Stream<ClaudeEvent.Decoded, E, R>): Stream.Stream<ClaudeResult, E, R> =>
  Stream.mapAccum(events, empty, (state, event) => {
    const next = step(state, event)
    return [next, next] as const
  })
