import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import * as ClaudeResult from "../src/ClaudeResult.js"
import { ndjsonFixture, ndjsonFixtures, prng } from "./utils/fixtures.js"

const event = (line: string): ClaudeEvent.ClaudeEvent => {
  const decoded = ClaudeEvent.decodeLine(line)
  if (Either.isLeft(decoded)) return assert.fail(decoded.left.message)
  if (decoded.right._tag === "Diagnostic") return assert.fail(`not an event: ${line}`)
  return decoded.right
}

const fixtureEvents = (name: string): Array<ClaudeEvent.ClaudeEvent> => ndjsonFixture(name).lines.map((l) => event(l))

const foldAll = (events: ReadonlyArray<ClaudeEvent.Decoded>): ClaudeResult.ClaudeResult =>
  events.reduce(ClaudeResult.step, ClaudeResult.empty)

const scanAll = (events: ReadonlyArray<ClaudeEvent.Decoded>): Array<ClaudeResult.ClaudeResult> => {
  const out: Array<ClaudeResult.ClaudeResult> = []
  let state = ClaudeResult.empty
  for (const e of events) out.push(state = ClaudeResult.step(state, e))
  return out
}

const withoutResult = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>) => events.filter((e) => e._tag !== "Result")

const streamEvent = (payload: unknown, messageId: string, sessionId = "s"): ClaudeEvent.ClaudeEvent =>
  event(JSON.stringify({
    type: "stream_event",
    event: payload,
    session_id: sessionId,
    parent_tool_use_id: null,
    api_message_id: messageId
  }))

/** Cuts a text into 1..6 pieces at random places. */
const randomPieces = (text: string, random: () => number): Array<string> => {
  const pieces: Array<string> = []
  let i = 0
  while (i < text.length) {
    const size = 1 + Math.floor(random() * Math.max(1, text.length / 3))
    pieces.push(text.slice(i, i + size))
    i += size
  }
  return pieces
}

/**
 * What `--include-partial-messages` adds to a transcript: per message `message_start`, per block
 * `content_block_start`, deltas, then (as the CLI does) the full `assistant` line BEFORE the block's
 * `content_block_stop`, then `message_delta` and `message_stop`.
 */
const withPartials = (events: ReadonlyArray<ClaudeEvent.ClaudeEvent>, seed: number): Array<ClaudeEvent.ClaudeEvent> => {
  const random = prng(seed)
  const out: Array<ClaudeEvent.ClaudeEvent> = []
  let current: string | undefined
  let index = 0
  const endMessage = () => {
    if (current === undefined) return
    out.push(
      streamEvent({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 5 } }, current)
    )
    out.push(streamEvent({ type: "message_stop" }, current))
    current = undefined
  }
  for (const e of events) {
    if (e._tag !== "Assistant") {
      endMessage()
      out.push(e)
      continue
    }
    const id = e.message.id
    if (id !== current) {
      endMessage()
      current = id
      index = 0
      out.push(streamEvent({ type: "message_start", message: { id, model: e.message.model, content: [] } }, id))
    }
    for (const block of e.message.content) {
      if (block.type === "text") {
        out.push(streamEvent({ type: "content_block_start", index, content_block: { type: "text", text: "" } }, id))
        for (const text of randomPieces(block.text, random)) {
          out.push(streamEvent({ type: "content_block_delta", index, delta: { type: "text_delta", text } }, id))
        }
      } else if (block.type === "tool_use") {
        out.push(streamEvent({ type: "content_block_start", index, content_block: { ...block, input: {} } }, id))
        const json = JSON.stringify(block.input)
        for (const partial_json of randomPieces(json, random)) {
          out.push(
            streamEvent({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } }, id)
          )
        }
      }
    }
    out.push(e)
    out.push(streamEvent({ type: "content_block_stop", index: index + e.message.content.length - 1 }, id))
    index += e.message.content.length
  }
  endMessage()
  return out
}

describe("ClaudeResult.step", () => {
  it("a_plain folds to exactly this result", () => {
    const expected = new ClaudeResult.ClaudeResult({
      text: "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began \"say hi\".",
      sessionId: "f121c0a2-da28-4814-af97-b2a28224f1d9",
      model: "claude-opus-5-5",
      apiKeySource: "ANTHROPIC_API_KEY",
      claudeCodeVersion: "2.1.330",
      costUsd: 0.049676000000000005,
      usage: { inputTokens: 12259, outputTokens: 32, cacheReadInputTokens: 0, cacheCreationInputTokens: 0 },
      modelUsage: {
        "claude-opus-5-5": {
          inputTokens: 12259,
          outputTokens: 32,
          cacheReadInputTokens: 0,
          cacheCreationInputTokens: 0,
          webSearchRequests: 0,
          costUSD: 0.049676000000000005,
          contextWindow: 1000000,
          maxOutputTokens: 128000,
          thinkingTokens: 0,
          cacheCreationEphemeral5mInputTokens: 0,
          cacheCreationEphemeral1hInputTokens: 0,
          canonicalModel: "claude-opus-5-5",
          provider: "firstParty",
          costBasis: "list"
        }
      },
      numTurns: 1,
      durationMs: 331,
      durationApiMs: 160,
      stopReason: "end_turn",
      terminalReason: "completed",
      subtype: "success",
      isError: false,
      errors: [],
      toolCalls: [],
      permissionDenials: [],
      apiRetries: [],
      hasResult: true,
      eventCount: 3
    })
    const actual = foldAll(fixtureEvents("a_plain"))
    assert.instanceOf(actual, ClaudeResult.ClaudeResult)
    assert.deepStrictEqual({ ...actual }, { ...expected })
    assert.isTrue(ClaudeResult.isSuccess(actual))
    assert.isFalse(ClaudeResult.isFailure(actual))
  })

  it("empty is the result before any event", () => {
    assert.strictEqual(ClaudeResult.empty.text, "")
    assert.strictEqual(ClaudeResult.empty.hasResult, false)
    assert.strictEqual(ClaudeResult.empty.eventCount, 0)
    assert.isFalse(ClaudeResult.isSuccess(ClaudeResult.empty))
    assert.isFalse(ClaudeResult.isFailure(ClaudeResult.empty))
    // built without validation (at import): it must be what the schema accepts
    const fields = Schema.validateEither(Schema.Struct(ClaudeResult.ClaudeResult.fields))({ ...ClaudeResult.empty })
    assert.isTrue(Either.isRight(fields), Either.isLeft(fields) ? fields.left.message : "")
  })

  it("with partial messages the text is the same as without, and equals the result line's text", () => {
    const plain = fixtureEvents("a_plain")
    const partial = fixtureEvents("b_partial")
    const resultText =
      "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began \"say hi\"."
    assert.strictEqual(foldAll(withoutResult(plain)).text, resultText)
    assert.strictEqual(foldAll(withoutResult(partial)).text, resultText)
    assert.strictEqual(foldAll(partial).text, resultText)
    assert.strictEqual(foldAll(plain).text, resultText)
  })

  it("with partial messages the text grows with each delta and the assistant line adds nothing", () => {
    const events = fixtureEvents("b_partial")
    const snapshots = scanAll(events)
    const final = snapshots[snapshots.length - 1]!.text
    const texts = snapshots.map((s) => s.text)
    for (const text of texts) assert.isTrue(final.startsWith(text), JSON.stringify(text))
    for (let i = 1; i < texts.length; i++) assert.isTrue(texts[i]!.startsWith(texts[i - 1]!))
    assert.deepStrictEqual(texts.slice(2, 13), [
      "",
      "",
      "Hi from mock",
      "Hi from mock API. I saw ",
      "Hi from mock API. I saw 2 message(s)",
      "Hi from mock API. I saw 2 message(s) (1 user); y",
      "Hi from mock API. I saw 2 message(s) (1 user); your last mes",
      "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 c",
      "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and beg",
      final,
      final // the assistant line repeating the block
    ])
    assert.strictEqual(events[12]!._tag, "Assistant")
  })

  it("synthesized partial messages never change the text of multi-message transcripts (50 seeds each)", () => {
    for (const name of ["a_plain", "c_tool_default", "c_tool_denied", "h_max_turns", "d_resume", "g_streamjson_two"]) {
      const events = fixtureEvents(name)
      const plain = scanAll(events)
      for (let seed = 1; seed <= 50; seed++) {
        const partial = withPartials(events, seed)
        assert.isAbove(partial.length, events.length)
        const expectedText = foldAll(withoutResult(events)).text
        assert.strictEqual(foldAll(withoutResult(partial)).text, expectedText, `${name} seed ${seed}`)
        const folded = foldAll(partial)
        const { eventCount: _a, ...rest } = folded
        const { eventCount: _b, ...plainRest } = plain[plain.length - 1]!
        assert.deepStrictEqual(rest, plainRest, `${name} seed ${seed}`)
      }
    }
    // without the result line the text is every assistant text block, a blank line apart
    assert.strictEqual(
      foldAll(withoutResult(fixtureEvents("c_tool_default"))).text,
      "I will run a command.\n\nThe tool returned: \"hello\". Done."
    )
  })

  it("an assistant line carrying more than the deltas did adds only the rest", () => {
    const events = [
      streamEvent({ type: "message_start", message: { id: "m1" } }, "m1"),
      streamEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "m1"),
      streamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hello" } }, "m1"),
      event(JSON.stringify({
        type: "assistant",
        message: { id: "m1", role: "assistant", model: "x", content: [{ type: "text", text: "Hello world" }] },
        parent_tool_use_id: null
      })),
      streamEvent({ type: "content_block_stop", index: 0 }, "m1"),
      streamEvent({ type: "content_block_start", index: 1, content_block: { type: "thinking", thinking: "" } }, "m1"),
      streamEvent({ type: "content_block_delta", index: 1, delta: { type: "thinking_delta", thinking: "hmm" } }, "m1"),
      streamEvent({ type: "content_block_start", index: 2, content_block: { type: "text", text: "Second" } }, "m1"),
      streamEvent({ type: "content_block_delta", index: 2, delta: { type: "text_delta", text: " block" } }, "m1"),
      event(JSON.stringify({
        type: "assistant",
        message: { id: "m1", role: "assistant", model: "x", content: [{ type: "text", text: "Second block" }] }
      }))
    ]
    assert.deepStrictEqual(scanAll(events).map((s) => s.text), [
      "",
      "",
      "Hello",
      "Hello world",
      "Hello world",
      "Hello world",
      "Hello world",
      "Hello world\n\nSecond",
      "Hello world\n\nSecond block",
      "Hello world\n\nSecond block"
    ])
  })

  it("subagent messages (parent_tool_use_id set) do not add to the text; their tool calls are kept", () => {
    const sub = event(JSON.stringify({
      type: "assistant",
      message: {
        id: "sub1",
        role: "assistant",
        model: "x",
        content: [{ type: "text", text: "subagent talk" }, {
          type: "tool_use",
          id: "t2",
          name: "Read",
          input: { p: 1 }
        }]
      },
      parent_tool_use_id: "t1",
      session_id: "s"
    }))
    const main = event(JSON.stringify({
      type: "assistant",
      message: { id: "main1", role: "assistant", model: "x", content: [{ type: "text", text: "main talk" }] },
      parent_tool_use_id: null,
      session_id: "s"
    }))
    const result = foldAll([main, sub])
    assert.strictEqual(result.text, "main talk")
    assert.deepStrictEqual(result.toolCalls, [{ id: "t2", name: "Read", input: { p: 1 }, parentToolUseId: "t1" }])
    assert.strictEqual(result.sessionId, "s")
    assert.strictEqual(result.model, "x")
  })

  it("tool calls are matched with their results by id", () => {
    const result = foldAll(fixtureEvents("c_tool_default"))
    assert.deepStrictEqual(result.toolCalls, [{
      id: "toolu_mock_543f936afab70a527ea4cbb3",
      name: "Bash",
      input: { command: "echo hello", description: "Print hello" },
      parentToolUseId: null,
      result: { content: "hello", isError: false }
    }])
    const beforeResult = scanAll(fixtureEvents("c_tool_default"))[2]!
    assert.strictEqual(beforeResult.toolCalls.length, 1)
    assert.strictEqual(beforeResult.toolCalls[0]!.result, undefined)
  })

  it("permission denials: from the system line first, then the result's list with the message kept", () => {
    const snapshots = scanAll(fixtureEvents("c_tool_denied"))
    const input = { command: "touch created_by_tool.txt", description: "Run requested command" }
    const afterEvent = snapshots[3]!
    assert.strictEqual(afterEvent.permissionDenials.length, 1)
    assert.deepStrictEqual(afterEvent.permissionDenials[0]!.toolInput, input)
    const final = snapshots[snapshots.length - 1]!
    assert.strictEqual(final.permissionDenials.length, 1)
    const denial = final.permissionDenials[0]!
    assert.strictEqual(denial.toolName, "Bash")
    assert.strictEqual(denial.toolUseId, "toolu_mock_f877ad24dbfb24160814c9e8")
    assert.deepStrictEqual(denial.toolInput, input)
    assert.isTrue(denial.message?.startsWith("touch in '/home/dev/project/created_by_tool.txt' needs approval."))
    assert.strictEqual(final.toolCalls[0]!.result?.isError, true)
  })

  it("several turns in one process: each result describes its turn; cost and session span them", () => {
    const snapshots = scanAll(fixtureEvents("g_streamjson_two"))
    const first = snapshots[3]!
    assert.strictEqual(first.hasResult, true)
    assert.strictEqual(
      first.text,
      "Hi from mock API. I saw 2 message(s) (1 user); your last message was 18 chars and began \"first streamed msg\"."
    )
    assert.strictEqual(first.costUsd, 0.049752)
    const secondInit = snapshots[4]!
    assert.strictEqual(secondInit.hasResult, false)
    assert.strictEqual(secondInit.text, "")
    assert.strictEqual(secondInit.costUsd, 0.049752)
    assert.strictEqual(secondInit.sessionId, "35f4f9e2-77f4-4086-9ab2-0d34a52e5d33")
    const final = snapshots[7]!
    assert.strictEqual(final.hasResult, true)
    assert.strictEqual(
      final.text,
      "Hi from mock API. I saw 4 message(s) (2 user); your last message was 19 chars and began \"second streamed msg\"."
    )
    assert.strictEqual(final.costUsd, 0.09972)
    assert.strictEqual(final.numTurns, 1)
    assert.strictEqual(final.modelUsage["claude-opus-5-5"]!.inputTokens, 24580)
    assert.strictEqual(final.eventCount, 8)
  })

  it("api retries are listed, the latest rate limit kept, diagnostics ignored", () => {
    const retry = (attempt: number) =>
      event(JSON.stringify({
        type: "system",
        subtype: "api_retry",
        attempt,
        max_retries: 10,
        retry_delay_ms: 500 * attempt,
        error_status: 529,
        error: "overloaded",
        session_id: "s"
      }))
    const rateLimit = (status: string, resetsAt: number) =>
      event(JSON.stringify({ type: "rate_limit_event", rate_limit_info: { status, resetsAt }, session_id: "s" }))
    const diagnostic = new ClaudeEvent.Diagnostic({ lineNumber: 1, text: "warning" })
    const result = foldAll([retry(1), rateLimit("allowed", 1), diagnostic, retry(2), rateLimit("rejected", 2)])
    assert.deepStrictEqual(result.apiRetries, [
      { attempt: 1, maxRetries: 10, retryDelayMs: 500, errorStatus: 529, error: "overloaded" },
      { attempt: 2, maxRetries: 10, retryDelayMs: 1000, errorStatus: 529, error: "overloaded" }
    ])
    assert.deepStrictEqual(result.rateLimit, { status: "rejected", resetsAt: 2 })
    assert.strictEqual(result.eventCount, 4)
    assert.strictEqual(result.sessionId, "s")
    const state = foldAll(fixtureEvents("a_plain"))
    assert.strictEqual(ClaudeResult.step(state, diagnostic), state)
  })

  it("success and failure are read from is_error and terminal_reason, not from subtype", () => {
    const cases: ReadonlyArray<readonly [string, boolean]> = [
      ["a_plain", true],
      ["b_partial", true],
      ["c_tool_default", true],
      ["c_tool_denied", true],
      ["d_resume", true],
      ["d_resume_bad", false],
      ["e_529_noretry", false], // subtype "success", is_error true
      ["g_streamjson_two", true],
      ["h_max_turns", false],
      ["kill_SIGINT", false]
    ]
    for (const [name, success] of cases) {
      const result = foldAll(fixtureEvents(name))
      assert.strictEqual(ClaudeResult.isSuccess(result), success, name)
      assert.strictEqual(ClaudeResult.isFailure(result), !success, name)
    }
    assert.strictEqual(foldAll(fixtureEvents("e_529_noretry")).subtype, "success")
  })

  it("step is pure: stepping an earlier state again gives the same result", () => {
    const events = fixtureEvents("b_partial")
    const snapshots = scanAll(events)
    for (let i = 1; i < events.length; i++) {
      const again = ClaudeResult.step(snapshots[i - 1]!, events[i]!)
      assert.deepStrictEqual({ ...again }, { ...snapshots[i]! }, `event ${i}`)
    }
    // data-last form
    assert.deepStrictEqual({ ...ClaudeResult.step(events[0]!)(ClaudeResult.empty) }, { ...snapshots[0]! })
  })

  it("a result is schema-encodable (e.g. inside an error)", () => {
    for (const name of ["c_tool_default", "c_tool_denied", "kill_SIGINT"]) {
      const result = foldAll(fixtureEvents(name))
      const encoded = Schema.encodeSync(ClaudeResult.ClaudeResult)(result)
      const json = JSON.parse(JSON.stringify(encoded))
      assert.deepStrictEqual(Schema.decodeUnknownSync(ClaudeResult.ClaudeResult)(json), result, name)
    }
  })

  it.effect("fold and scan over a Stream", () =>
    Effect.gen(function*() {
      const events = fixtureEvents("c_tool_default")
      const folded = yield* ClaudeResult.fold(Stream.fromIterable(events))
      assert.deepStrictEqual({ ...folded }, { ...foldAll(events) })
      const scanned = yield* ClaudeResult.scan(Stream.fromIterable(events)).pipe(
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      assert.strictEqual(scanned.length, events.length)
      assert.deepStrictEqual(scanned.map((s) => s.eventCount), [1, 2, 3, 4, 5, 6])
      assert.deepStrictEqual({ ...scanned[scanned.length - 1]! }, { ...folded })
      const failed = yield* ClaudeResult.fold(Stream.concat(Stream.fromIterable(events), Stream.fail("boom"))).pipe(
        Effect.flip
      )
      assert.strictEqual(failed, "boom")
    }))

  it.effect("fold and scan take chunks of 100k events (a large read of short lines) without deep recursion", () =>
    Effect.gen(function*() {
      const delta = streamEvent(
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "ab" } },
        "m"
      )
      const events = Chunk.unsafeFromArray(Array.from({ length: 100_000 }, () => delta))
      const folded = yield* ClaudeResult.fold(Stream.fromChunk(events))
      assert.strictEqual(folded.text.length, 200_000)
      assert.strictEqual(folded.eventCount, 100_000)
      const last = yield* ClaudeResult.scan(Stream.fromChunk(events)).pipe(Stream.runLast)
      assert.strictEqual(last._tag === "Some" && last.value.text.length, 200_000)
    }))

  describe("the in-place fold (Folder), used by fold and the runner", () => {
    const allFixtureEvents = () =>
      ndjsonFixtures().map((fixture) => ({
        name: fixture.name,
        events: fixture.lines.map((line) => ClaudeEvent.decodeLine(line)).flatMap((d) =>
          Either.isRight(d) ? [d.right] : []
        )
      }))

    it("gives the same result as folding with the pure step, on every recording", () => {
      for (const { events, name } of allFixtureEvents()) {
        const folder = new ClaudeResult.Folder()
        for (const e of events) folder.add(e)
        assert.deepStrictEqual({ ...folder.result() }, { ...foldAll(events) }, name)
        assert.instanceOf(folder.result(), ClaudeResult.ClaudeResult)
      }
    })

    it("hands out snapshots that later events do not change", () => {
      for (const { events, name } of allFixtureEvents()) {
        const folder = new ClaudeResult.Folder()
        const snapshots: Array<[ClaudeResult.ClaudeResult, string]> = []
        for (const e of events) {
          folder.add(e)
          const snapshot = folder.result()
          snapshots.push([snapshot, JSON.stringify(snapshot)])
        }
        for (const [snapshot, json] of snapshots) assert.strictEqual(JSON.stringify(snapshot), json, name)
        // and each snapshot is what the pure fold gives at that point
        const scanned = scanAll(events)
        snapshots.forEach(([snapshot], i) =>
          assert.deepStrictEqual({ ...snapshot }, { ...scanned[i]! }, `${name} #${i}`)
        )
      }
    })

    it("keeps an open block's deltas in one place and gives the same text as step wherever the text is read", () => {
      const delta = (index: number, text: string, messageId = "m1") =>
        streamEvent({ type: "content_block_delta", index, delta: { type: "text_delta", text } }, messageId)
      const assistant = (...texts: Array<string>) =>
        event(JSON.stringify({
          type: "assistant",
          session_id: "s",
          message: { id: "m1", role: "assistant", model: "x", content: texts.map((text) => ({ type: "text", text })) }
        }))
      const result = (fields: Record<string, unknown>) =>
        event(JSON.stringify({
          type: "result",
          subtype: "success",
          session_id: "s",
          is_error: false,
          num_turns: 1,
          total_cost_usd: 0.001,
          ...fields
        }))
      const cases: Array<[string, Array<ClaudeEvent.ClaudeEvent>, string]> = [
        // an assistant line completes a finished block while another block is still streaming,
        // which then goes on: the completion lands between the two blocks' deltas
        ["a finished block completed while another streams", [
          delta(0, "A"),
          delta(0, "B"),
          delta(1, "C"),
          assistant("ABX"),
          delta(1, "D"),
          delta(1, "E")
        ], "AB\n\nCXDE"],
        // the open block itself completed by an assistant line, then streaming on
        ["the open block completed, then more deltas", [
          delta(0, "He"),
          delta(0, "llo"),
          assistant("Hello world"),
          delta(0, "!")
        ], "Hello world!"],
        // a result line without a `result` field in the middle of a block keeps the streamed text
        ["a result without text mid-block", [delta(0, "one"), delta(0, " two"), result({})], "one two"],
        ["a result with text mid-block", [delta(0, "one"), delta(0, " two"), result({ result: "final" })], "final"],
        // blocks that alternate: each switch ends one block and starts another, a blank line apart
        [
          "alternating blocks",
          [delta(0, "a"), delta(1, "b"), delta(0, "c"), delta(0, "d"), delta(1, "e")],
          "a\n\nb\n\ncd\n\ne"
        ],
        // more deltas than are gathered before joining (64), an assistant line, a result line and
        // a new message each arriving with some gathered and not yet joined
        ...[1, 63, 64, 65, 100, 129].flatMap((n): Array<[string, Array<ClaudeEvent.ClaudeEvent>, string]> => {
          const words = Array.from({ length: n }, (_, i) => `w${i} `)
          const text = words.join("")
          return [
            [`${n} deltas, then an assistant line with more`, [
              ...words.map((w) => delta(0, w)),
              assistant(text + "tail"),
              delta(0, "!")
            ], text + "tail!"],
            [`${n} deltas, then a result without text`, [...words.map((w) => delta(0, w)), result({})], text],
            [
              `${n} deltas, then the next message`,
              [...words.map((w) => delta(0, w)), delta(0, "next", "m2")],
              `${text}\n\nnext`
            ]
          ]
        }),
        // the next message's first delta, while the last block of the one before is still open
        [
          "a new message mid-block",
          [delta(0, "first"), delta(0, " message"), delta(0, "second", "m2")],
          "first message\n\nsecond"
        ],
        // a block's deltas after an assistant line that matched nothing (its text added whole)
        ["an unmatched assistant line mid-block", [delta(0, "x"), assistant("other"), delta(0, "y")], "x\n\nothery"]
      ]
      for (const [name, events, text] of cases) {
        const folder = new ClaudeResult.Folder()
        for (const e of events) folder.add(e)
        assert.strictEqual(folder.result().text, text, name)
        assert.strictEqual(scanAll(events).at(-1)!.text, text, `${name} (step)`)
        // and a snapshot taken at any point, then folding on, changes nothing
        for (let cut = 1; cut < events.length; cut++) {
          const resumed = new ClaudeResult.Folder()
          events.slice(0, cut).forEach((e) => resumed.add(e))
          const before = resumed.result()
          const beforeText = before.text
          events.slice(cut).forEach((e) => resumed.add(e))
          assert.strictEqual(resumed.result().text, text, `${name}, snapshot after ${cut}`)
          assert.strictEqual(before.text, beforeText, `${name}, snapshot after ${cut} unchanged`)
          // and a fold that resumes from that snapshot through step agrees
          const stepped = events.slice(cut).reduce(
            (state, e) => ClaudeResult.step(state, e),
            scanAll(events.slice(0, cut)).at(-1)!
          )
          assert.strictEqual(stepped.text, text, `${name}, stepped on from ${cut}`)
        }
      }
    })

    it("with keepText: false keeps no streamed text, and everything else the same", () => {
      for (const { events, name } of allFixtureEvents()) {
        const withText = new ClaudeResult.Folder()
        const withoutText = new ClaudeResult.Folder(ClaudeResult.empty, { keepText: false })
        for (const e of withoutResult(events as Array<ClaudeEvent.ClaudeEvent>)) {
          withText.add(e)
          withoutText.add(e)
        }
        const { text, ...rest } = withoutText.result()
        const { text: _, ...expected } = withText.result()
        assert.strictEqual(text, "", name)
        assert.deepStrictEqual(rest, expected, name)
      }
    })
  })
})
