#!/usr/bin/env python3
"""bench/host.py OUT.json: `make bench`'s host-side microbenchmarks, run
with build/luainit on this machine (no VM). Each prints its method; the
results go to OUT.json for bench/report.py. Nothing is asserted."""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LUAINIT = os.path.join(REPO, "build", "luainit")
PAUSE = os.path.join(REPO, "build", "bench", "pause")
ENV = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin"}
NS = ["unshare", "--pid", "--fork", "--mount", "--mount-proc", "--propagation", "private"]
results = []


def report(name, result, method, data):
    print("%-34s %s" % (name, result), flush=True)
    print("%-34s method: %s" % ("", method), flush=True)
    results.append({"name": name, "result": result, "method": method, "data": data})


def pid1(boot, extra_env, timeout=300, wrap=()):
    env = dict(ENV, LUAINIT_BOOT=boot, **extra_env)
    cmd = ["timeout", str(timeout)] + NS + ["env", "-i"] + ["%s=%s" % kv for kv in env.items()] + list(wrap) + [LUAINIT]
    return subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True).stdout


def spawn():
    n = 2000
    out = subprocess.run([LUAINIT, "--lua", os.path.join(REPO, "bench/host/spawn.lua"), str(n)],
                         capture_output=True, text=True).stdout
    m = re.search(r"SPAWN (\d+) ([\d.]+) (\d+)", out)
    method = ("build/luainit --lua bench/host/spawn.lua: %d times process.spawn(/bin/true) then "
              "sched.wait_child, one at a time; services started and reaped per second" % n)
    if not m:
        return report("spawn and reap", "failed: " + out[-200:], method, None)
    report("spawn and reap", "%s per second (%s in %s ms)" % (m.group(3), m.group(1), m.group(2)), method,
           {"per_second": int(m.group(3)), "n": int(m.group(1)), "ms": float(m.group(2))})


def zombies():
    out = pid1(os.path.join(REPO, "bench/host/zombies.lua"), {"BENCH_PAUSE": PAUSE, "BENCH_ZOMBIES": "10000"})
    m = re.search(r"ZOMBIES (\d+) ([\d.]+) (\w+)", out)
    method = ("luainit as PID 1 of `unshare --pid --fork --mount-proc` (bench/host/zombies.lua): a busybox "
              "shell starts 10,000 bench/pause in the background and exits (orphans reparented to PID 1); "
              "PID 1 kills them all with kill(-1, KILL); time from the kill to has_children() false")
    if not m:
        return report("reap 10,000 zombies", "failed: " + out[-300:], method, None)
    report("reap 10,000 zombies", "%s ms (%s processes)" % (m.group(2), m.group(1)), method,
           {"ms": float(m.group(2)), "n": int(m.group(1))})


def rss():
    # under the descriptor limits the kernel gives init (1024 soft, 4096
    # hard), as on a machine: each running service holds a log pipe
    out = pid1(os.path.join(REPO, "bench/host/rss.lua"),
               {"BENCH_PAUSE": PAUSE, "BENCH_SERVICES": "1000", "BENCH_TAG": "rss%d" % os.getpid()},
               wrap=("prlimit", "--nofile=1024:4096", "--"))
    m = re.search(r"RSS (\d+) (-?\d+) (-?\d+) (\d+) (\d+)", out)
    cg = "no cgroup v2 on this host: process groups" if "no cgroup v2" in out else "each in its own cgroup"
    method = ("luainit as PID 1 of a PID namespace (bench/host/rss.lua): 1,000 generated definitions checked "
              "and added to the supervisor; PID 1's Rss (smaps_rollup, after a full GC) with all stopped, "
              "then with all started as bench/pause (pipes, log rings; %s); PID 1 started with init's "
              "descriptor limits, 1024 soft and 4096 hard" % cg)
    if not m:
        return report("PID 1 RSS, 1,000 services", "failed: " + out[-300:], method, None)
    d = {"services": int(m.group(1)), "stopped_kb": int(m.group(2)), "started_kb": int(m.group(3)),
         "lua_heap_kb": int(m.group(4)), "started": int(m.group(5))}
    report("PID 1 RSS, 1,000 services", "%.1f MB defined, %.1f MB with %d running (Lua heap %.1f MB)" % (
        d["stopped_kb"] / 1024, d["started_kb"] / 1024, d["started"], d["lua_heap_kb"] / 1024), method, d)


def luaops():
    name = "Lua VM instructions per service"
    out = pid1(os.path.join(REPO, "bench/host/luaops.lua"),
               {"BENCH_PAUSE": PAUSE, "BENCH_SERVICES": "200", "BENCH_TAG": "ops%d" % os.getpid()})
    m = re.search(r"LUAOPS (\d+) (\d+) (\d+) (\d+)", out)
    method = ("luainit as PID 1 of a PID namespace (bench/host/luaops.lua): 200 definition files loaded by "
              "services.load_dir, started by start_all until all ready, stopped by stop_all (bench/pause); "
              "a debug.sethook count hook on every coroutine and on the loop's callbacks counts the Lua VM "
              "instructions, a figure independent of the host's speed (under emulation ~1 us each)")
    if not m:
        return report(name, "failed: " + out[-300:], method, None)
    d = {"services": int(m.group(1)), "load": int(m.group(2)), "start": int(m.group(3)), "stop": int(m.group(4))}
    report(name, "%d to load a definition, %d to start, %d to stop" % (d["load"], d["start"], d["stop"]), method, d)


def status():
    name = "luactl status round trip, 20 svcs"
    have = os.path.exists(os.path.join(REPO, "lua/luactl.lua")) and os.path.exists(os.path.join(REPO, "lua/control.lua"))
    if not have:
        return report(name, "skipped: luactl not available", "-", None)
    tmp = tempfile.mkdtemp(prefix="luainit-bench.")
    os.chmod(tmp, 0o755)
    sock = os.path.join(tmp, "control")
    luactl = os.path.join(tmp, "luactl")
    os.symlink(LUAINIT, luactl)
    env = dict(ENV, LUAINIT_BOOT=os.path.join(REPO, "bench/host/status.lua"), BENCH_PAUSE=PAUSE,
               BENCH_CONTROL=sock, BENCH_TAG="st%d" % os.getpid())
    log = open(os.path.join(tmp, "log"), "w+")
    p = subprocess.Popen(["timeout", "300"] + NS + ["env", "-i"] + ["%s=%s" % kv for kv in env.items()] + [LUAINIT],
                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
    cenv = dict(ENV, LUAINIT_CONTROL=sock)
    try:
        for _ in range(300):
            if subprocess.run([luactl, "status"], env=cenv, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        else:
            log.seek(0)
            return report(name, "failed: no control socket: " + log.read()[-300:], "-", None)
        times = []
        for i in range(520):
            t0 = time.perf_counter()
            r = subprocess.run([luactl, "status"], env=cenv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t1 = time.perf_counter()
            if i >= 20 and r.returncode == 0:
                times.append((t1 - t0) * 1000)
        times.sort()
        p50 = statistics.median(times)
        p99 = times[int(len(times) * 0.99) - 1]
        # what starting any static program costs this harness, to read the
        # figure against: busybox true, timed the same way
        base = []
        for i in range(220):
            t0 = time.perf_counter()
            subprocess.run(["/bin/busybox", "true"], stdout=subprocess.DEVNULL)
            if i >= 20:
                base.append((time.perf_counter() - t0) * 1000)
        b50 = statistics.median(base)
        # the request alone, without starting a client process
        rt = subprocess.run([LUAINIT, "--lua", os.path.join(REPO, "bench/host/roundtrip.lua"), "500"],
                            env=cenv, capture_output=True, text=True)
        m = re.search(r"ROUNDTRIP p50=([\d.]+) p99=([\d.]+) n=(\d+)", rt.stdout)
        r50, r99 = (float(m.group(1)), float(m.group(2))) if m else (None, None)
        method = ("luainit as PID 1 of a PID namespace with 20 running services and its control socket "
                  "(bench/host/status.lua). Round trip: bench/host/roundtrip.lua, one connection, 500 "
                  "`status` requests (after 20 warm-up), each timed from sending it to the decoded reply. "
                  "End to end: `luactl status` run 500 times from the host (after 20 warm-up runs), each "
                  "timed by Python: exec of the static client, its Lua state, connect, request, reply, print; "
                  "for scale, `busybox true` timed the same way")
        rtext = ("round trip p50 %.2f ms, p99 %.2f ms; " % (r50, r99)) if m else "round trip: failed; "
        report(name, rtext + "end to end p50 %.2f ms, p99 %.2f ms (busybox true: p50 %.2f ms)" % (p50, p99, b50),
               method, {"roundtrip_p50_ms": r50, "roundtrip_p99_ms": r99, "p50_ms": p50, "p99_ms": p99,
                        "n": len(times), "max_ms": times[-1], "baseline_p50_ms": b50})
    finally:
        subprocess.run([luactl, "poweroff"], env=cenv, capture_output=True)
        try:
            p.wait(30)
        except subprocess.TimeoutExpired:
            p.kill()
        shutil.rmtree(tmp, ignore_errors=True)


def instructions():
    name = "instructions per service"
    n = 200
    method = ("luainit as PID 1 of a PID namespace under valgrind --tool=callgrind (bench/host/instrs.lua): "
              "%d definition files loaded through the compiled cache (written by a run before), started by "
              "start_all until all ready, stopped at poweroff; every instruction PID 1 executes, C and Lua, "
              "minus a run with no definitions, divided by %d: the same count on every run" % (n, n))
    if not shutil.which("valgrind"):
        return report(name, "skipped: valgrind is not installed (apt-get install valgrind)", method, None)
    tmp = tempfile.mkdtemp(prefix="luainit-bench-instrs.")
    try:
        svc, none = os.path.join(tmp, "svc"), os.path.join(tmp, "none")
        os.mkdir(svc)
        os.mkdir(none)
        for i in range(1, n + 1):
            with open(os.path.join(svc, "svc%04d.lua" % i), "w") as fh:
                fh.write('return { command = { "%s", "%d" }, restart = "always", log = { file = false } }\n'
                         % (PAUSE, i))
        boot = os.path.join(REPO, "bench/host/instrs.lua")
        env = {"BENCH_CACHE": os.path.join(tmp, "compiled"), "BENCH_TAG": "ins%d" % os.getpid()}
        out = pid1(boot, dict(env, BENCH_DIR=svc, BENCH_SAVE="1"))
        if "INSTRS %d" % n not in out:
            return report(name, "failed: " + out[-300:], method, None)
        counts = {}
        for k, d in ((0, none), (n, svc)):
            out = pid1(boot, dict(env, BENCH_DIR=d), timeout=600,
                       wrap=("valgrind", "--tool=callgrind", "--callgrind-out-file=" + os.path.join(tmp, "cg.%d" % k)))
            m = re.search(r"I\s+refs:\s+([\d,]+)", out)
            if "INSTRS %d" % k not in out or not m:
                return report(name, "failed: " + out[-300:], method, None)
            counts[k] = int(m.group(1).replace(",", ""))
        per = (counts[n] - counts[0]) / n
        report(name, "%.0f (%d services: %d, none: %d)" % (per, n, counts[n], counts[0]), method,
               {"per_service": per, "services": n, "total": counts[n], "baseline": counts[0]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main():
    out = sys.argv[1]
    for f in (spawn, zombies, rss, luaops, instructions, status):
        try:
            f()
        except Exception as e:  # one broken benchmark must not hide the others
            report(f.__name__, "failed: %r" % e, "-", None)
    with open(out, "w") as fh:
        json.dump(results, fh, indent=1)


if __name__ == "__main__":
    main()
