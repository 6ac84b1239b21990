/**
 * Checks across workers, run after every worker has been read: dependency
 * targets and cycles, ports declared twice (replicas included), `ready`
 * conditions on workers without a probe, programs missing from PATH,
 * replicas that share one probed address.
 */
import type { CheckContext } from './context';
import type { Range } from './model';
import { declarationSite, type DependencyReference } from './outline';
import { programToCheck } from './program';
import { httpAddress } from './strings';
import { closest, didYouMean } from './suggest';
import type { WorkerDraft } from './validateWorker';

export function checkSemantics(drafts: WorkerDraft[], ctx: CheckContext): void {
  const byName = new Map(drafts.map((draft) => [draft.spec.name, draft]));
  checkReferences(byName, ctx);
  checkCycles(drafts, byName, ctx);
  checkPorts(drafts, ctx);
  const masterPath = process.env.PATH;
  for (const draft of drafts) {
    checkProgram(draft, masterPath, ctx);
    checkReplicaProbe(draft, ctx);
  }
}

function checkReferences(byName: Map<string, WorkerDraft>, ctx: CheckContext): void {
  for (const reference of ctx.outline.references) {
    const target = byName.get(reference.name);
    if (!target) {
      const suggestion = closest(reference.name, [...byName.keys()].filter((name) => name !== reference.worker));
      const message = `worker '${reference.worker}' depends on unknown worker '${reference.name}'${didYouMean(suggestion)}`;
      ctx.error('unknown-dependency', reference.range, message, suggestion);
    } else if (reference.condition === 'completed' && target.spec.restart === 'always') {
      const message = `worker '${reference.name}' restarts always, so it never completes: waiting for it to complete would never end (restart: on-failure or never makes it a one-shot)`;
      ctx.error('never-completes', reference.conditionRange ?? reference.range, message);
    } else if (reference.condition === 'ready' && target.spec.ready === undefined && !target.outline.fields.some((field) => field.key === 'ready')) {
      const message = `worker '${reference.name}' has no ready probe, so waiting for it to be ready only waits until it has started`;
      ctx.warning('ready-without-probe', reference.conditionRange ?? reference.range, message, 'started');
    }
  }
}

/** Depth-first search; every back edge closes one cycle, reported at that depends_on entry. */
function checkCycles(drafts: WorkerDraft[], byName: Map<string, WorkerDraft>, ctx: CheckContext): void {
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    stack.push(name);
    for (const { name: next } of byName.get(name)?.spec.dependsOn ?? []) {
      if (!byName.has(next) || done.has(next)) continue;
      const onStack = stack.indexOf(next);
      if (onStack >= 0) reportCycle([...stack.slice(onStack), next], ctx);
      else visit(next);
    }
    stack.pop();
    done.add(name);
  };
  for (const draft of drafts) if (!done.has(draft.spec.name)) visit(draft.spec.name);
}

function reportCycle(cycle: string[], ctx: CheckContext): void {
  const [closer, target] = cycle.slice(-2);
  const reference = ctx.outline.references.find((ref: DependencyReference) => ref.worker === closer && ref.name === target);
  if (reference) ctx.error('dependency-cycle', reference.range, `dependency cycle: ${cycle.join(' → ')}`);
}

function checkPorts(drafts: WorkerDraft[], ctx: CheckContext): void {
  const owners = new Map<number, { draft: WorkerDraft; range: Range }>();
  for (const draft of drafts) {
    const { name, replicas } = draft.spec;
    for (const { port, range } of draft.ports) {
      const owner = owners.get(port);
      const site = declarationSite(draft.outline, range);
      if (owner?.draft === draft) {
        ctx.error('duplicate-port', site, `port ${port} is listed twice in worker '${name}'`);
      } else if (owner) {
        const first = `worker '${owner.draft.spec.name}' (line ${owner.range.start.line + 1})`;
        ctx.error('duplicate-port', site, `port ${port} of worker '${name}' is already declared by ${first}`);
      } else if (replicas > 1) {
        ctx.error('duplicate-port', site, `port ${port} would be declared ${replicas} times: worker '${name}' has ${replicas} replicas and each replica declares every port in its list; declare ports only for a single instance (replicas can each pick their own, e.g. PORT=$((3130 + STEWARD_INSTANCE)))`);
      }
      if (!owner) owners.set(port, { draft, range });
    }
  }
}

function checkProgram(draft: WorkerDraft, masterPath: string | undefined, ctx: CheckContext): void {
  const word = draft.commandRange && programToCheck(draft.spec.command);
  if (!word || !draft.commandRange) return;
  // Only PATH matters to the lookup; copying all of process.env per worker would dominate the check's time.
  const env = { PATH: Object.hasOwn(draft.spec.env, 'PATH') ? draft.spec.env.PATH : masterPath };
  if (ctx.commandExists(word.program, env)) return;
  const valueStart = ctx.source.offsetAt(draft.commandRange.start);
  const valueEnd = ctx.source.offsetAt(draft.commandRange.end);
  const at = ctx.source.text.indexOf(word.raw, valueStart);
  const range = at >= 0 && at + word.raw.length <= valueEnd ? ctx.source.span(at, at + word.raw.length) : draft.commandRange;
  ctx.warning('command-not-found', range, `program '${word.program}' of worker '${draft.spec.name}' is not on PATH`);
}

/**
 * Replicas share their `ready` probe: a tcp or http address is the same for
 * every one of them, so a replica counts as ready as soon as any process
 * answers there — a sibling, or the instance it replaces, still stopping.
 */
function checkReplicaProbe(draft: WorkerDraft, ctx: CheckContext): void {
  const { ready, replicas, name } = draft.spec;
  if (replicas < 2 || (ready?.kind !== 'tcp' && ready?.kind !== 'http')) return;
  const [address, port] = ready.kind === 'http' ? [ready.url, httpAddress(ready.url).port] : [`${ready.host}:${ready.port}`, ready.port];
  const field = draft.outline.fields.find((entry) => entry.key === 'ready');
  const range = declarationSite(draft.outline, field?.valueRange ?? field?.keyRange);
  const message = `the ${replicas} replicas of worker '${name}' are all probed at ${address}, so each counts as ready once any of them answers there; an exec probe runs with each replica's STEWARD_INSTANCE and can check its own port, e.g. $((${port} + STEWARD_INSTANCE))`;
  ctx.warning('shared-probe', range, message);
}
