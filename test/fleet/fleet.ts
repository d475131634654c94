import type { TestContext } from 'node:test';
import { startAgent } from '../../agent/agent.ts';
import type { Agent, AgentBoard } from '../../agent/agent.ts';
import { createHub } from '../../host/hub/hub.ts';
import type { Hub, HubOptions } from '../../host/hub/hub.ts';
import { memoryLogger } from './helpers.ts';

export const TOKEN = 'fleet-test-token';

/** A hub on an ephemeral loopback port with fast heartbeats, closed when the test ends. */
export async function testHub(t: TestContext, opts: Partial<HubOptions> = {}): Promise<{ hub: Hub; records: Record<string, unknown>[] }> {
  const { logger, records } = memoryLogger();
  const hub = await createHub({ port: 0, token: TOKEN, logger, jobTimeoutMs: 2000, maxAttempts: 3, heartbeatMs: 100, missedBeats: 3, ...opts });
  t.after(() => hub.close());
  return { hub, records };
}

/** An agent with fast reconnects, closed when the test ends (before the hub: hooks run in reverse order). */
export async function testAgent(t: TestContext, url: string, id: string, boards: AgentBoard[], token = TOKEN): Promise<Agent> {
  const agent = await startAgent({ hubUrl: url, token, id, boards, logger: memoryLogger().logger, backoff: { initialMs: 20, maxMs: 200 }, drainTimeoutMs: 500 });
  t.after(() => agent.close());
  return agent;
}
