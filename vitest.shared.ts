import { defineConfig } from "vitest/config"

// Settings every package shares. Real child processes are spawned in many tests, so the
// timeouts leave room for a busy 2-core CI machine; timing goals live in bench/, not here.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    fakeTimers: { toFake: [] }
  }
})
