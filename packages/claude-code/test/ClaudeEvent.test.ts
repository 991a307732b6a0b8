import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Match from "effect/Match"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ClaudeError from "../src/ClaudeError.js"
import * as ClaudeEvent from "../src/ClaudeEvent.js"
import { splitAll } from "../src/internal/lines.js"
import { ndjsonFixture, ndjsonFixtures, prng, ptyFixtures } from "./utils/fixtures.js"

/** Decodes a line that must be an event. */
const event = (line: string, lineNumber = 1): ClaudeEvent.ClaudeEvent => {
  const decoded = ClaudeEvent.decodeLine(line, lineNumber)
  if (Either.isLeft(decoded)) assert.fail(decoded.left.message)
  if (decoded.right._tag === "Diagnostic") assert.fail(`not an event: ${line}`)
  return decoded.right
}

const decodeError = (line: string, lineNumber = 1): ClaudeError.DecodeError => {
  const decoded = ClaudeEvent.decodeLine(line, lineNumber)
  if (Either.isRight(decoded)) return assert.fail(`decoded as ${decoded.right._tag}: ${line}`)
  return decoded.left
}

const fixtureEvents = (name: string): Array<ClaudeEvent.ClaudeEvent> =>
  ndjsonFixture(name).lines.map((line, i) => event(line, i + 1))

const ofTag = <T extends ClaudeEvent.Tag>(events: ReadonlyArray<ClaudeEvent.ClaudeEvent>, tag: T) =>
  events.filter((e): e is Extract<ClaudeEvent.ClaudeEvent, { _tag: T }> => e._tag === tag)

/** A copy with the keys of every object (at every depth) in a random order. */
const shuffleKeys = (value: unknown, random: () => number): unknown => {
  if (Array.isArray(value)) return value.map((item) => shuffleKeys(item, random))
  if (typeof value !== "object" || value === null) return value
  const keys = Object.keys(value)
  for (let i = keys.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[keys[i], keys[j]] = [keys[j]!, keys[i]!]
  }
  const out: Record<string, unknown> = {}
  for (const key of keys) out[key] = shuffleKeys((value as Record<string, unknown>)[key], random)
  return out
}

const expectedTags: Record<string, ReadonlyArray<ClaudeEvent.Tag>> = {
  a_plain: ["SystemInit", "Assistant", "Result"],
  b_partial: [
    "SystemInit",
    "SystemStatus",
    ...Array<ClaudeEvent.Tag>(10).fill("StreamEvent"),
    "Assistant",
    "StreamEvent",
    "StreamEvent",
    "StreamEvent",
    "Result"
  ],
  c_tool_default: ["SystemInit", "Assistant", "Assistant", "User", "Assistant", "Result"],
  c_tool_denied: ["SystemInit", "Assistant", "Assistant", "SystemPermissionDenied", "User", "Assistant", "Result"],
  d_resume: ["SystemInit", "Assistant", "Result"],
  d_resume_bad: ["Result"],
  e_529_noretry: ["SystemInit", "Assistant", "Result"],
  g_streamjson_two: ["SystemInit", "User", "Assistant", "Result", "SystemInit", "User", "Assistant", "Result"],
  h_max_turns: ["SystemInit", "Assistant", "Assistant", "User", "Result"],
  kill_SIGINT: [
    "SystemInit",
    "SystemStatus",
    "StreamEvent",
    "StreamEvent",
    "StreamEvent",
    "Assistant",
    "User",
    "StreamEvent",
    "StreamEvent",
    "StreamEvent",
    "Result"
  ]
}

describe("ClaudeEvent.decodeLine on the recorded fixtures", () => {
  it("every pipe line decodes to the expected variant, none Unknown / SystemOther", () => {
    const fixtures = ndjsonFixtures()
    assert.deepStrictEqual(fixtures.map((f) => f.name), Object.keys(expectedTags).sort())
    for (const fixture of fixtures) {
      const tags = fixture.lines.map((line, i) => event(line, i + 1)._tag)
      assert.deepStrictEqual(tags, expectedTags[fixture.name], fixture.name)
    }
  })

  it("every pty line decodes (after the line splitter); merged stderr is diagnostics", () => {
    const expected: Record<string, ReadonlyArray<string>> = {
      pty_err401: ["SystemInit", "Assistant", "Result"],
      pty_partial: expectedTags.b_partial!,
      pty_plain: ["SystemInit", "Assistant", "Result"],
      pty_tool: ["SystemInit", "Assistant", "Assistant", "User", "Assistant", "Result"],
      pty_unknown_opt: ["Diagnostic", "Diagnostic"]
    }
    for (const fixture of ptyFixtures()) {
      const decoded = splitAll([fixture.text]).map((line, i) => ClaudeEvent.decodeLine(line, i + 1))
      const tags = decoded.map((d) => Either.isLeft(d) ? assert.fail(d.left.message) : d.right._tag)
      assert.deepStrictEqual(tags, expected[fixture.name], fixture.name)
    }
    const unknownOpt = splitAll([ptyFixtures().find((f) => f.name === "pty_unknown_opt")!.text])
    assert.deepStrictEqual(
      ClaudeEvent.decodeLine(unknownOpt[0]!, 1),
      Either.right(new ClaudeEvent.Diagnostic({ lineNumber: 1, text: "error: unknown option '--help me'" }))
    )
  })

  it("system/init keeps the fields the CLI writes", () => {
    const init = ofTag(fixtureEvents("a_plain"), "SystemInit")[0]!
    assert.instanceOf(init, ClaudeEvent.SystemInit)
    assert.strictEqual(init.type, "system")
    assert.strictEqual(init.subtype, "init")
    assert.strictEqual(init.session_id, "f121c0a2-da28-4814-af97-b2a28224f1d9")
    assert.strictEqual(init.uuid, "0c9c345a-31d2-42a7-a280-29a46cae7024")
    assert.strictEqual(init.model, "claude-opus-5-5")
    assert.strictEqual(init.cwd, "/home/dev/project")
    assert.strictEqual(init.tools.length, 22)
    assert.strictEqual(init.tools[1], "Bash")
    assert.deepStrictEqual(init.mcp_servers, [])
    assert.strictEqual(init.permissionMode, "default")
    assert.strictEqual(init.apiKeySource, "ANTHROPIC_API_KEY")
    assert.strictEqual(init.claude_code_version, "2.1.330")
    assert.strictEqual(init.output_style, "default")
    assert.deepStrictEqual(init.agents, ["claude", "Explore", "general-purpose", "Plan", "statusline-setup"])
    assert.strictEqual(init.skills?.length, 16)
    assert.strictEqual(init.slash_commands?.length, 44)
    assert.deepStrictEqual(init.terminal_slash_commands, ["doctor", "color", "focus", "reload-plugins"])
    assert.deepStrictEqual(init.plugins?.[0], {
      name: "cc-plugin-agents-md",
      path: "builtin",
      source: "cc-plugin-agents-md@builtin"
    })
    assert.strictEqual(init.capabilities?.length, 22)
    assert.deepStrictEqual(init.memory_paths, { auto: "/home/dev/.claude/projects/-home-dev-project/memory/" })
    assert.strictEqual(init.fast_mode_state, "off")
    assert.strictEqual(init.view_mode, "default")
    assert.strictEqual(init.served_by_anthropic, false)
  })

  it("assistant lines: text and tool_use blocks, the synthetic API error", () => {
    const [text, toolUse] = ofTag(fixtureEvents("c_tool_default"), "Assistant")
    assert.strictEqual(text!.message.id, toolUse!.message.id)
    assert.deepStrictEqual(text!.message.content, [{ type: "text", text: "I will run a command." }])
    assert.deepStrictEqual(toolUse!.message.content, [{
      type: "tool_use",
      id: "toolu_mock_543f936afab70a527ea4cbb3",
      name: "Bash",
      input: { command: "echo hello", description: "Print hello" }
    }])
    assert.strictEqual(text!.message.stop_reason, null)
    assert.strictEqual(text!.message.usage?.input_tokens, 12263)
    assert.strictEqual(text!.parent_tool_use_id, null)
    assert.strictEqual(text!.request_id, "req_mock_d95fb16a9c7196d1f6adf315")

    const synthetic = ofTag(fixtureEvents("e_529_noretry"), "Assistant")[0]!
    assert.strictEqual(synthetic.message.model, "<synthetic>")
    assert.strictEqual(synthetic.is_api_error_message, true)
    assert.strictEqual(synthetic.api_error_status, 529)
    assert.strictEqual(synthetic.api_error_type, "overloaded_error")
    assert.strictEqual(synthetic.error, "server_error")
    assert.strictEqual(synthetic.message.usage?.service_tier, null)

    const aborted = ofTag(fixtureEvents("kill_SIGINT"), "Assistant")[0]!
    assert.strictEqual(aborted.aborted, true)
  })

  it("user lines: tool results, replayed prompts, the interruption note", () => {
    const result = ofTag(fixtureEvents("c_tool_default"), "User")[0]!
    assert.deepStrictEqual(result.message.content, [{
      type: "tool_result",
      tool_use_id: "toolu_mock_543f936afab70a527ea4cbb3",
      content: "hello",
      is_error: false
    }])
    assert.deepStrictEqual(result.tool_use_result, {
      stdout: "hello",
      stderr: "",
      interrupted: false,
      isImage: false,
      noOutputExpected: false
    })
    const denied = ofTag(fixtureEvents("c_tool_denied"), "User")[0]!
    const block = denied.message.content[0]
    assert.isTrue(typeof block === "object" && block.type === "tool_result" && block.is_error === true)

    const [first, second] = ofTag(fixtureEvents("g_streamjson_two"), "User")
    assert.deepStrictEqual(first!.message.content, [{ type: "text", text: "first streamed msg" }])
    assert.strictEqual(second!.message.content, "second streamed msg")
    assert.strictEqual(second!.isReplay, true)

    const interrupted = ofTag(fixtureEvents("kill_SIGINT"), "User")[0]!
    assert.deepStrictEqual(interrupted.message.content, [{ type: "text", text: "[Request interrupted by user]" }])
  })

  it("stream_event lines: every Messages API stream event kind", () => {
    const events = ofTag(fixtureEvents("b_partial"), "StreamEvent").map((e) => e.event)
    assert.deepStrictEqual(events.map((e) => e.type), [
      "message_start",
      "content_block_start",
      ...Array(8).fill("content_block_delta"),
      "content_block_stop",
      "message_delta",
      "message_stop"
    ])
    const start = events[0]!
    assert.isTrue(start.type === "message_start" && start.message.id === "msg_mock_e20cdd956ba826e64be7c423")
    assert.deepStrictEqual(events[1], {
      type: "content_block_start",
      index: 0,
      content_block: { type: "text", text: "" }
    })
    assert.deepStrictEqual(events[2], {
      type: "content_block_delta",
      index: 0,
      delta: { type: "text_delta", text: "Hi from mock" }
    })
    assert.deepStrictEqual(events[10], { type: "content_block_stop", index: 0 })
    assert.deepStrictEqual(events[11], {
      type: "message_delta",
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 32 }
    })
    const first = ofTag(fixtureEvents("b_partial"), "StreamEvent")[0]!
    assert.strictEqual(first.api_message_id, "msg_mock_e20cdd956ba826e64be7c423")
    assert.strictEqual(first.ttft_ms, 50)
    assert.strictEqual(first.parent_tool_use_id, null)
  })

  it("result lines: every field the fixtures show", () => {
    const result = ofTag(fixtureEvents("a_plain"), "Result")[0]!
    assert.strictEqual(result.type, "result")
    assert.strictEqual(result.subtype, "success")
    assert.strictEqual(result.is_error, false)
    assert.strictEqual(
      result.result,
      "Hi from mock API. I saw 2 message(s) (1 user); your last message was 6 chars and began \"say hi\"."
    )
    assert.strictEqual(result.duration_ms, 331)
    assert.strictEqual(result.duration_api_ms, 160)
    assert.strictEqual(result.num_turns, 1)
    assert.strictEqual(result.stop_reason, "end_turn")
    assert.strictEqual(result.terminal_reason, "completed")
    assert.strictEqual(result.total_cost_usd, 0.049676000000000005)
    assert.strictEqual(result.usage.input_tokens, 12259)
    assert.strictEqual(result.usage.output_tokens, 32)
    assert.deepStrictEqual(result.usage.output_tokens_details, { thinking_tokens: 0 })
    assert.strictEqual(result.modelUsage["claude-opus-5-5"]!.costUSD, 0.049676000000000005)
    assert.strictEqual(result.modelUsage["claude-opus-5-5"]!.contextWindow, 1000000)
    assert.deepStrictEqual(result.permission_denials, [])
    assert.strictEqual(result.api_error_status, null)
    assert.strictEqual(result.session_id, "f121c0a2-da28-4814-af97-b2a28224f1d9")
    assert.strictEqual(result.uuid, "3c3de17c-332d-4a06-9ea2-f2df61a5c5c9")
    assert.strictEqual(result.ttft_ms, 309)
    assert.strictEqual(result.result_index, 0)
    assert.strictEqual(result.errors, undefined)

    const bad = ofTag(fixtureEvents("d_resume_bad"), "Result")[0]!
    assert.deepStrictEqual(bad.errors, ["No conversation found with session ID: 99999999-2222-4333-8444-555555555555"])
    assert.strictEqual(bad.terminal_reason, undefined)
    assert.strictEqual(bad.result, undefined)
    assert.deepStrictEqual(bad.modelUsage, {})

    const denied = ofTag(fixtureEvents("c_tool_denied"), "Result")[0]!
    assert.deepStrictEqual(denied.permission_denials, [{
      tool_name: "Bash",
      tool_use_id: "toolu_mock_f877ad24dbfb24160814c9e8",
      tool_input: { command: "touch created_by_tool.txt", description: "Run requested command" }
    }])
    const error529 = ofTag(fixtureEvents("e_529_noretry"), "Result")[0]!
    assert.strictEqual(error529.subtype, "success")
    assert.strictEqual(error529.is_error, true)
    assert.strictEqual(error529.api_error_status, 529)
  })

  it("system/permission_denied", () => {
    const denied = ofTag(fixtureEvents("c_tool_denied"), "SystemPermissionDenied")[0]!
    assert.strictEqual(denied.tool_name, "Bash")
    assert.strictEqual(denied.tool_use_id, "toolu_mock_f877ad24dbfb24160814c9e8")
    assert.isTrue(denied.message.startsWith("touch in '/home/dev/project/created_by_tool.txt' needs approval."))
  })

  it("key order does not matter: every fixture line with shuffled keys decodes identically", () => {
    for (const fixture of ndjsonFixtures()) {
      fixture.lines.forEach((line, i) => {
        const expected = event(line, i + 1)
        for (let seed = 1; seed <= 5; seed++) {
          const shuffled = JSON.stringify(shuffleKeys(JSON.parse(line), prng(seed * 1000 + i)))
          assert.deepStrictEqual(event(shuffled, i + 1), expected, `${fixture.name}:${i + 1} seed ${seed}`)
        }
      })
    }
  })

  it("the union schema decodes every line as the dispatcher does; encoding round-trips", () => {
    const decodeUnion = Schema.decodeUnknownSync(ClaudeEvent.ClaudeEvent)
    for (const fixture of ndjsonFixtures()) {
      fixture.lines.forEach((line, i) => {
        const decoded = event(line, i + 1)
        assert.deepStrictEqual(decodeUnion(JSON.parse(line)), decoded, `${fixture.name}:${i + 1}`)
        assert.deepStrictEqual(event(ClaudeEvent.encodeLine(decoded)), decoded, `${fixture.name}:${i + 1}`)
        const encoded = ClaudeEvent.encode(decoded)
        assert.strictEqual(encoded.type, JSON.parse(line).type)
        assert.isFalse("_tag" in encoded)
      })
    }
  })

  it("events match with Match.tag", () => {
    const describe = Match.type<ClaudeEvent.ClaudeEvent>().pipe(
      Match.tag("Assistant", (e) => `assistant ${e.message.content.length}`),
      Match.tag("Result", (e) => `result ${e.subtype}`),
      Match.orElse((e) => e._tag)
    )
    assert.deepStrictEqual(fixtureEvents("a_plain").map(describe), ["SystemInit", "assistant 1", "result success"])
  })
})

describe("ClaudeEvent.decodeLine on other lines", () => {
  it("an unknown type, a missing type or a non-string type passes through as Unknown with the raw object", () => {
    const raw = { type: "brand_new_event", session_id: "s", payload: { n: [1, 2] } }
    const unknown = event(JSON.stringify(raw))
    assert.strictEqual(unknown._tag, "Unknown")
    assert.isTrue(unknown._tag === "Unknown" && unknown.type === "brand_new_event")
    assert.deepStrictEqual(unknown._tag === "Unknown" && unknown.raw, raw)
    assert.strictEqual(ClaudeEvent.encodeLine(unknown), JSON.stringify(raw))

    const untyped = event("{\"hello\":1}")
    assert.isTrue(untyped._tag === "Unknown" && untyped.type === undefined)
    assert.deepStrictEqual(untyped._tag === "Unknown" && untyped.raw, { hello: 1 })
    assert.strictEqual(event("{\"type\":5}")._tag, "Unknown")
    assert.strictEqual(event("{}")._tag, "Unknown")
  })

  it("an unknown system subtype passes through as SystemOther with the raw object", () => {
    const raw = {
      type: "system",
      subtype: "compact_boundary",
      compact_metadata: { trigger: "auto", pre_tokens: 100 },
      session_id: "s1",
      uuid: "u1"
    }
    const other = event(JSON.stringify(raw))
    assert.instanceOf(other, ClaudeEvent.SystemOther)
    assert.isTrue(other._tag === "SystemOther")
    if (other._tag !== "SystemOther") return
    assert.strictEqual(other.subtype, "compact_boundary")
    assert.strictEqual(other.session_id, "s1")
    assert.strictEqual(other.uuid, "u1")
    assert.deepStrictEqual(other.raw, raw)
    assert.deepStrictEqual(JSON.parse(ClaudeEvent.encodeLine(other)), raw)
    const bare = event("{\"type\":\"system\",\"subtype\":\"hook_started\"}")
    assert.isTrue(bare._tag === "SystemOther" && bare.session_id === undefined)
  })

  it("system/api_retry and rate_limit_event (shapes of the SDK's types)", () => {
    const retry = event(JSON.stringify({
      type: "system",
      subtype: "api_retry",
      attempt: 2,
      max_retries: 10,
      retry_delay_ms: 1200,
      error_status: 529,
      error: "overloaded",
      uuid: "u",
      session_id: "s"
    }))
    assert.instanceOf(retry, ClaudeEvent.SystemApiRetry)
    assert.isTrue(retry._tag === "SystemApiRetry" && retry.attempt === 2 && retry.error_status === 529)
    const noStatus = event(
      "{\"type\":\"system\",\"subtype\":\"api_retry\",\"attempt\":1,\"max_retries\":3,\"retry_delay_ms\":5}"
    )
    assert.isTrue(noStatus._tag === "SystemApiRetry" && noStatus.error_status === null)

    const info = {
      status: "allowed_warning",
      resetsAt: 1767225600,
      rateLimitType: "five_hour",
      utilization: 0.91,
      isUsingOverage: false
    }
    const rateLimit = event(
      JSON.stringify({ type: "rate_limit_event", rate_limit_info: info, uuid: "u", session_id: "s" })
    )
    assert.instanceOf(rateLimit, ClaudeEvent.RateLimit)
    assert.deepStrictEqual(rateLimit._tag === "RateLimit" && rateLimit.rate_limit_info, info)
    const future = event("{\"type\":\"rate_limit_event\",\"rate_limit_info\":{\"status\":\"throttled_v2\"}}")
    assert.isTrue(future._tag === "RateLimit" && future.rate_limit_info.status === "throttled_v2")
  })

  it("unknown content blocks, stream events and deltas are kept as UnknownPart", () => {
    const block = { type: "web_search_tool_result", tool_use_id: "srvtoolu_1", content: [{ url: "https://x" }] }
    const assistant = event(JSON.stringify({
      type: "assistant",
      message: {
        id: "m",
        role: "assistant",
        model: "x",
        content: [
          block,
          { type: "thinking", thinking: "hmm", signature: "sig" },
          { type: "redacted_thinking", data: "abc" },
          { type: "server_tool_use", id: "srvtoolu_1", name: "web_search", input: { query: "q" } }
        ]
      },
      parent_tool_use_id: null,
      session_id: "s"
    }))
    if (assistant._tag !== "Assistant") return assert.fail(assistant._tag)
    assert.deepStrictEqual(assistant.message.content[0], {
      type: "unknown",
      rawType: "web_search_tool_result",
      raw: block
    })
    assert.deepStrictEqual(assistant.message.content.map((b) => b.type), [
      "unknown",
      "thinking",
      "redacted_thinking",
      "server_tool_use"
    ])
    assert.deepStrictEqual(
      (JSON.parse(ClaudeEvent.encodeLine(assistant)) as { message: { content: Array<unknown> } }).message.content[0],
      block
    )

    const ping = event("{\"type\":\"stream_event\",\"event\":{\"type\":\"ping\"},\"session_id\":\"s\"}")
    assert.isTrue(ping._tag === "StreamEvent" && ping.event.type === "unknown" && ping.event.rawType === "ping")
    const citation = event(JSON.stringify({
      type: "stream_event",
      event: { type: "content_block_delta", index: 0, delta: { type: "citations_delta", citation: {} } }
    }))
    assert.isTrue(
      citation._tag === "StreamEvent" && citation.event.type === "content_block_delta" &&
        citation.event.delta.type === "unknown" && citation.event.delta.rawType === "citations_delta"
    )
    for (const [type, delta] of [["thinking_delta", "thinking"], ["signature_delta", "signature"]] as const) {
      const decoded = event(JSON.stringify({
        type: "stream_event",
        event: { type: "content_block_delta", index: 1, delta: { type, [delta]: "x" } }
      }))
      assert.isTrue(
        decoded._tag === "StreamEvent" && decoded.event.type === "content_block_delta" &&
          decoded.event.delta.type === type
      )
    }
    const image = event(JSON.stringify({
      type: "user",
      message: {
        role: "user",
        content: [{
          type: "tool_result",
          tool_use_id: "t",
          content: [{ type: "text", text: "a" }, { type: "image", source: { data: "..." } }]
        }]
      }
    }))
    if (image._tag !== "User" || typeof image.message.content === "string") return assert.fail("user")
    const toolResult = image.message.content[0]!
    assert.isTrue(
      toolResult.type === "tool_result" && Array.isArray(toolResult.content) &&
        toolResult.content[1]!.type === "unknown"
    )
  })

  it("a known type with a wrong-shaped field is a DecodeError naming the line, the line and the issue", () => {
    const line = JSON.stringify({
      type: "assistant",
      message: { id: "m", role: "assistant", model: "x", content: [{ type: "text", text: 5 }] },
      session_id: "s"
    })
    const error = decodeError(line, 7)
    assert.instanceOf(error, ClaudeError.DecodeError)
    assert.strictEqual(error._tag, "DecodeError")
    assert.strictEqual(error.lineNumber, 7)
    assert.strictEqual(error.line, line)
    assert.include(error.issue, "\"assistant\" line")
    assert.include(error.issue, "message.content[0]")
    assert.include(error.message, "line 7")

    const noIsError = decodeError("{\"type\":\"result\",\"subtype\":\"success\",\"session_id\":\"s\"}")
    assert.include(noIsError.issue, "is_error")
    const initWithoutSession = decodeError("{\"type\":\"system\",\"subtype\":\"init\",\"model\":\"m\",\"cwd\":\"/\"}")
    assert.include(initWithoutSession.issue, "\"system\" / \"init\" line")
    assert.include(initWithoutSession.issue, "session_id")
    assert.include(decodeError("{\"type\":\"system\"}").issue, "subtype")
    assert.include(
      decodeError(
        "{\"type\":\"stream_event\",\"event\":{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\"}}}"
      ).issue,
      "event"
    )
    assert.include(
      decodeError("{\"type\":\"user\",\"message\":{\"role\":\"user\",\"content\":7}}").issue,
      "message.content"
    )
    assert.include(decodeError("{\"type\":\"rate_limit_event\"}").issue, "rate_limit_info")
  })

  it("a DecodeError keeps at most about 2 KB of the line", () => {
    const line = JSON.stringify({
      type: "result",
      subtype: "success",
      is_error: "no",
      session_id: "s",
      pad: "p".repeat(100_000)
    })
    const error = decodeError(line, 3)
    assert.isBelow(error.line.length, 2200)
    assert.isTrue(error.line.startsWith(line.slice(0, 2000)))
    assert.include(error.line, "more characters")
    const hugeValue = decodeError(
      JSON.stringify({ type: "result", subtype: "success", is_error: "y".repeat(1_000_000) })
    )
    assert.isBelow(hugeValue.issue.length, 1200)
    assert.include(hugeValue.issue, "at is_error: Expected boolean")
  })

  it("lines that are not JSON objects are diagnostics, not events", () => {
    const lines = [
      "error: unknown option '--x'",
      "Session ID 123 is already in use",
      "[1,2]",
      "42",
      "null",
      "\"text\"",
      "{not json",
      "{\"type\":\"assistant\",\"message\":{\"id\":\"m\"",
      "  [ ]"
    ]
    lines.forEach((line, i) => {
      assert.deepStrictEqual(
        ClaudeEvent.decodeLine(line, i + 10),
        Either.right(new ClaudeEvent.Diagnostic({ lineNumber: i + 10, text: line })),
        line
      )
    })
    const long = ClaudeEvent.decodeLine("x".repeat(100_000), 1)
    assert.isTrue(Either.isRight(long) && long.right._tag === "Diagnostic" && long.right.text.length < 4200)
  })

  it("leading whitespace before a JSON object is fine", () => {
    assert.strictEqual(event("  {\"type\":\"system\",\"subtype\":\"status\",\"status\":null}")._tag, "SystemStatus")
  })

  it("U+2028 / U+2029 inside a JSON string stay in the text", () => {
    const line = JSON.stringify({
      type: "assistant",
      message: { id: "m", role: "assistant", model: "x", content: [{ type: "text", text: "a\u2028b\u2029c" }] },
      session_id: "s"
    })
    const lines = splitAll([line + "\n"])
    assert.strictEqual(lines.length, 1)
    const decoded = event(lines[0]!)
    assert.isTrue(decoded._tag === "Assistant" && decoded.message.content[0]!.type === "text")
    if (decoded._tag === "Assistant" && decoded.message.content[0]!.type === "text") {
      assert.strictEqual(decoded.message.content[0]!.text, "a\u2028b\u2029c")
    }
  })

  it("a 20 MB line decodes", () => {
    const text = "é".repeat(20 * 1024 * 1024)
    const line = JSON.stringify({
      type: "user",
      message: { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: text }] },
      session_id: "s"
    })
    const chunks: Array<string> = []
    for (let i = 0; i < line.length; i += 65536) chunks.push(line.slice(i, i + 65536))
    chunks.push("\r\n")
    const lines = splitAll(chunks)
    assert.strictEqual(lines.length, 1)
    const decoded = event(lines[0]!)
    if (decoded._tag !== "User" || typeof decoded.message.content === "string") return assert.fail("user")
    const block = decoded.message.content[0]!
    assert.isTrue(block.type === "tool_result" && block.content === text)
  })
})

describe("ClaudeEvent.decodeLines", () => {
  it.effect("numbers the lines, emits events and diagnostics, then fails at the first bad line", () =>
    Effect.gen(function*() {
      const good = ndjsonFixture("a_plain").lines
      const bad = "{\"type\":\"result\",\"is_error\":1}"
      const results = yield* Stream.fromIterable([good[0]!, "warning: something", good[1]!, bad, good[2]!]).pipe(
        ClaudeEvent.decodeLines,
        Stream.either,
        Stream.runCollect,
        Effect.map(Chunk.toArray)
      )
      assert.deepStrictEqual(
        results.map((r) => Either.isRight(r) ? r.right._tag : r.left._tag),
        ["SystemInit", "Diagnostic", "Assistant", "DecodeError"]
      )
      const last = results[3]!
      assert.isTrue(Either.isLeft(last) && last.left._tag === "DecodeError" && last.left.lineNumber === 4)
      const diagnostic = results[1]!
      assert.isTrue(
        Either.isRight(diagnostic) && diagnostic.right._tag === "Diagnostic" && diagnostic.right.lineNumber === 2
      )
    }))
})

describe("textDelta", () => {
  it.effect("the text deltas of a partial-message run add up to its final text; other events give undefined", () =>
    Effect.sync(() => {
      const fixture = ndjsonFixture("b_partial")
      const events = fixture.lines.map((line, i) => event(line, i + 1))
      const deltas = events.map(ClaudeEvent.textDelta)
      const text = deltas.filter((delta): delta is string => delta !== undefined).join("")
      const result = events.find((e) => e._tag === "Result")
      assert.isTrue(result !== undefined && result._tag === "Result")
      assert.strictEqual(text, (result as ClaudeEvent.Result).result)
      assert.isTrue(deltas.filter((d) => d !== undefined).length > 1)
      events.forEach((e, i) => {
        if (e._tag !== "StreamEvent") assert.isUndefined(deltas[i])
      })
    }))
})
