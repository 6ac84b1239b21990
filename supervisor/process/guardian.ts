/**
 * No orphans, even when the master is SIGKILLed.
 *
 * The guardian is a tiny `sh` loop (not node: it costs ~1 MB) started by the
 * master in its own process group. The master tells it, on a pipe, which
 * worker groups exist ("add PGID" / "del PGID"). When the pipe reaches EOF —
 * the master closed it, or the kernel did because the master died — it sends
 * SIGTERM to every listed group, waits a second, SIGKILLs them and exits.
 * It ignores SIGINT and SIGHUP so a Ctrl-C in a terminal reaches only the
 * master, which stops its workers gracefully and then closes the pipe with
 * an empty list.
 *
 * Before a worker is spawned its run token (escaped.ts) is announced too
 * ("tok TOKEN"): a master killed between the fork and the "add" — or a
 * worker that left its group with setsid — leaves processes that only the
 * token finds, so at EOF the guardian also stops every process whose
 * environment carries a listed token.
 *
 * The same lists, with pids and start times, are kept in a stray record file
 * (when given) for a later master to reap if even the guardian was killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { newRunToken, RUN_TOKEN_VAR } from './escaped';
import { writeStrayRecord, type StrayRecord } from './strays';

const GUARDIAN_SCRIPT = `
trap '' INT HUP
groups=' '
tokens=' '
while read -r op arg; do
  case $op:$arg in
    add:*[!0-9]*|del:*[!0-9]*|tok:*[!0-9a-f-]*|untok:*[!0-9a-f-]*|*:) continue ;;
  esac
  case $op in
    add) groups="$groups$arg " ;;
    del) case $groups in *" $arg "*) groups="\${groups%% $arg *} \${groups#* $arg }" ;; esac ;;
    tok) tokens="$tokens$arg " ;;
    untok) case $tokens in *" $arg "*) tokens="\${tokens%% $arg *} \${tokens#* $arg }" ;; esac ;;
  esac
done
[ -z "\${groups# }" ] && [ -z "\${tokens# }" ] && exit 0
pattern=$(printf '%s' "\${tokens# }" | sed 's/ *$//; s/ /|/g')
carriers() {
  [ -n "$pattern" ] || return 0
  grep -alE "${RUN_TOKEN_VAR}=($pattern)" /proc/[0-9]*/environ 2>/dev/null | sed 's#^/proc/##; s#/environ$##'
}
for g in $groups; do kill -TERM -$g 2>/dev/null; done
for p in $(carriers); do kill -TERM $p 2>/dev/null; done
i=0
while [ $i -lt 10 ]; do
  alive=''
  for g in $groups; do kill -0 -$g 2>/dev/null && alive=1; done
  [ -z "$alive" ] && [ -z "$(carriers)" ] && exit 0
  sleep 0.1
  i=$((i + 1))
done
for g in $groups; do kill -KILL -$g 2>/dev/null; done
for p in $(carriers); do kill -KILL $p 2>/dev/null; done
`;

export class Guardian {
  private child: ChildProcess;
  private readonly watched = new Map<number, StrayRecord>();
  /** Run tokens listed without a group: announced for spawns not watched yet, or kept by `unwatch` until forgotten. */
  private readonly expected = new Set<string>();
  private closed = false;
  /** The token the next `runToken` hands out, recorded (or being recorded) ahead of its spawn. */
  private spare: { token: string; recorded: Promise<string> } | null = null;
  /** Lines for the guardian not written yet, and the coalesced flush that writes them (see flush). */
  private outgoing: string[] = [];
  private pendingFlush: Promise<void> | null = null;

  private constructor(private readonly recordFile?: string) {
    this.child = this.launch();
  }

  /** Starts the watchdog. `recordFile`: where to keep the stray record (optional). */
  static start(options: { recordFile?: string } = {}): Guardian {
    return new Guardian(options.recordFile);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Call before spawning, and spawn only once the promise resolved: the
   * token is then in the stray record (and told to the guardian), so
   * whatever carries it is guarded even before `watch`. Spawns announced in
   * the same turn of the event loop share one record write. Rejects when
   * the record cannot be written.
   */
  expect(token: string): Promise<void> {
    this.expected.add(token);
    this.send(`tok ${token}`);
    return this.flush();
  }

  /**
   * A run token for the next spawn, already announced as by `expect`. The
   * one recorded during the previous call is handed out without waiting,
   * and the next one recorded in the background: a reload that restarts one
   * worker does not wait for a record write before its fork. Rejects when
   * the record cannot be written.
   */
  runToken(): Promise<string> {
    const ready = this.spare ?? this.announce(newRunToken());
    this.spare = this.announce(newRunToken());
    return ready.recorded;
  }

  private announce(token: string): { token: string; recorded: Promise<string> } {
    const recorded = this.expect(token).then(() => token);
    recorded.catch(() => undefined); // a spare nobody asks for must not be an unhandled rejection
    return { token, recorded };
  }

  /** The spawn announced with `token` did not happen, or the token kept by `unwatch` is done with. */
  forget(token: string): void {
    if (!this.expected.delete(token)) return;
    this.send(`untok ${token}`);
  }

  /** Guards a process group until `unwatch`; its leader's identity goes to the stray record. */
  watch(record: StrayRecord): void {
    this.watched.set(record.pgid, record);
    if (record.runToken) this.expected.delete(record.runToken);
    this.send(`add ${record.pgid}`);
  }

  /** `keepToken`: the group is gone, but whatever carries its token stays guarded until `forget`. */
  unwatch(pgid: number, { keepToken = false } = {}): void {
    const record = this.watched.get(pgid);
    if (!record) return;
    this.watched.delete(pgid);
    this.send(`del ${pgid}`);
    if (!record.runToken) return;
    if (keepToken) this.expected.add(record.runToken);
    else this.send(`untok ${record.runToken}`);
  }

  /** Writes the stray record again (its directory was deleted and recreated). Resolves once written; rejects if it cannot be. */
  rewriteRecord(): Promise<void> {
    return this.flush();
  }

  /** The groups currently guarded. */
  groups(): number[] {
    return [...this.watched.keys()];
  }

  /**
   * Normal shutdown, after the master stopped its workers: the guardian
   * exits at once if nothing is left, else it stops what is left. Resolves
   * when it has exited.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    // No spawn will use the spare: told so, a guardian with nothing else listed exits at once instead of searching /proc for it.
    if (this.spare) this.forget(this.spare.token);
    this.writeLines();
    this.closed = true;
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.ref();
    child.stdin?.end();
    await exited;
  }

  private launch(): ChildProcess {
    const child = spawn('sh', ['-c', GUARDIAN_SCRIPT], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    child.on('error', () => {
      // `sh` missing: nothing to guard with; workers still stop with the master's own stop.
    });
    child.stdin?.on('error', () => {
      // The guardian died; the 'exit' handler replaces it.
    });
    child.once('exit', () => this.relaunch());
    // A guardian never keeps the master alive: if the master's event loop ends,
    // the pipe closes and the guardian stops whatever is still listed.
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return child;
  }

  /** A guardian killed by someone else is replaced and told every group again. */
  private relaunch(): void {
    if (this.closed) return;
    this.child = this.launch();
    for (const token of this.tokens()) this.send(`tok ${token}`);
    for (const pgid of this.watched.keys()) this.send(`add ${pgid}`);
  }

  private tokens(): string[] {
    const watchedTokens = [...this.watched.values()].flatMap((record) => (record.runToken ? [record.runToken] : []));
    return [...this.expected, ...watchedTokens];
  }

  /** Queues a line for the guardian; every change that sends one is also flushed to the stray record. */
  private send(line: string): void {
    if (!this.closed) this.outgoing.push(line);
    this.flush().catch(() => undefined); // a failed record write is retried with the next change
  }

  /**
   * One pipe write and one record write per turn of the event loop, however
   * many watches and unwatches it saw (a restart of N workers would
   * otherwise write N records 2N times, each write waking the guardian).
   * Resolves once everything queued so far is written; rejects when the
   * record cannot be written. A stale record entry is harmless (a later
   * master checks pid + start time); a missing token is not, hence `expect`.
   */
  private flush(): Promise<void> {
    this.pendingFlush ??= new Promise<void>((resolve, reject) =>
      setImmediate(() => {
        this.pendingFlush = null;
        this.writeLines();
        try {
          if (this.recordFile) writeStrayRecord(this.recordFile, [...this.watched.values()], [...this.expected]);
          resolve();
        } catch (error) {
          reject(error);
        }
      }),
    );
    return this.pendingFlush;
  }

  private writeLines(): void {
    if (this.closed || this.outgoing.length === 0) return;
    this.child.stdin?.write(`${this.outgoing.join('\n')}\n`);
    this.outgoing = [];
  }
}
