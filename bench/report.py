#!/usr/bin/env python3
"""bench/report.py: turns `make bench`'s serial logs and host results into
one table and build/bench.json. Every VM figure comes from printk
timestamps on the serial log, one clock for all markers:
  userspace boot = "BENCH ready" - "Run /sbin/init as init process"
  shutdown       = "reboot: Power down" - "BENCH shutdown-request"
The boot is also split where every init remounts / read-write (the
kernel's "EXT4-fs (...): re-mounted" line, its first after the hand-off):
the init's own start and early mounts before it, the modules, network and
services after it.
PID 1 RSS after the boot is /proc/1/smaps_rollup's Rss a second after the
probe saw every service up, when it asks for the shutdown (PID 1 has
settled: luainit hands the boot's memory back half a second after its
last step); "at ready" is the same when the probe saw them up. Figures are medians over the boots (min and max are in the JSON).
"Per extra service" is the scaled variant's median minus the default's,
divided by the number of extra services (--extra).
The Debian part (debian.tsv) is the same figures for one Debian image
booted with luainit and with systemd, plus the whole system's memory in
use (MemTotal - MemAvailable) a second after ready.
Nothing is asserted: this only reports."""
import argparse, json, os, re, statistics, sys

TS = re.compile(rb"\[\s*(\d+\.\d+)\]\s*(.*)")
INITS = ["luainit", "busybox", "floor"]


def parse(path):
    r = {}
    with open(path, "rb") as f:
        for line in f:
            m = TS.search(line)
            if not m:
                continue
            t, msg = float(m.group(1)), m.group(2)
            if re.match(rb"Run \S+ as init process", msg):
                r["run"] = t
            elif b"): re-mounted" in msg and "run" in r and "rw" not in r and "ready" not in r:
                r["rw"] = t
            elif msg.startswith(b"BENCH ready"):
                r["ready"] = t
                k = dict(re.findall(rb"(\w+)=(\S+)", msg))
                r["rss_ready_kb"] = int(k.get(b"pid1_rss_kb", b"-1"))
                r["pss_ready_kb"] = int(k.get(b"pid1_pss_kb", b"-1"))
            elif msg.startswith(b"BENCH timeout"):
                r["timeout"] = msg.decode(errors="replace")
            elif msg.startswith(b"BENCH shutdown-request"):
                r["request"] = t
                k = dict(re.findall(rb"(\w+)=(\S+)", msg))
                r["rss_kb"] = int(k.get(b"pid1_rss_kb", b"-1"))
                r["pss_kb"] = int(k.get(b"pid1_pss_kb", b"-1"))
                r["mem_used_kb"] = int(k.get(b"mem_used_kb", b"-1"))
            elif b"reboot: Power down" in msg:
                r["off"] = t
    out = {}
    if "run" in r and "ready" in r:
        out["boot_ms"] = (r["ready"] - r["run"]) * 1000
        out["rss_ready_kb"] = r["rss_ready_kb"]
        out["pss_ready_kb"] = r["pss_ready_kb"]
        if "rw" in r:
            out["to_rw_ms"] = (r["rw"] - r["run"]) * 1000
            out["rw_to_ready_ms"] = (r["ready"] - r["rw"]) * 1000
    if "request" in r and r.get("rss_kb", -1) >= 0:
        out["rss_kb"] = r["rss_kb"]
        out["pss_kb"] = r["pss_kb"]
        if r["mem_used_kb"] >= 0:
            out["mem_used_kb"] = r["mem_used_kb"]
    if "request" in r and "off" in r:
        out["shutdown_ms"] = (r["off"] - r["request"]) * 1000
    if "timeout" in r:
        out["error"] = r["timeout"]
    return out


def summary(vals):
    if not vals:
        return None
    return {"median": statistics.median(vals), "min": min(vals), "max": max(vals), "n": len(vals)}


def ratio(a, b):
    return (a / b) if a is not None and b not in (None, 0) else None


def fmt_ratio(x):
    return "-" if x is None else "%.2fx" % x


# the figures both tables show, each adding one of its own: (label, key, unit)
FIGURES = (("userspace boot", "boot_ms", "ms"),
           ("  hand-off to / read-write", "to_rw_ms", "ms"),
           ("  / read-write to ready", "rw_to_ready_ms", "ms"),
           ("shutdown", "shutdown_ms", "ms"), ("PID 1 RSS after the boot", "rss_kb", "kB"))


def table(title, inits, ratios, rows):
    """Print a table after a blank line and its title: a line per row
    (figure, the values of inits in order), then a column per ratio
    (i, j, heading): values[i] / values[j]. Returns its rows as
    build/bench.json holds them."""
    keys = ["%s/%s" % (inits[i], inits[j]) for i, j, _ in ratios]
    out = []
    for figure, vals in rows:
        r = {"figure": figure, **dict(zip(inits, vals))}
        r.update((k, ratio(vals[i], vals[j])) for k, (i, j, _) in zip(keys, ratios))
        out.append(r)
    print()
    print(title)
    w = max([len(r["figure"]) for r in out] or [10])
    line = "%-*s" + " %10s" * len(inits) + " %9s" * len(ratios)
    print(line % (w, "figure", *inits, *(h for _, _, h in ratios)))
    for r in out:
        cells = ["-" if x is None else ("%.2f" % x if r["figure"].startswith("per extra") else
                                         "%.0f" % x if isinstance(x, float) else str(x)) for x in (r[i] for i in inits)]
        print(line % (w, r["figure"], *cells, *(fmt_ratio(r[k]) for k in keys)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--size", action="append", default=[])
    ap.add_argument("--extra", type=int, default=100, help="extra services in the scaled variant")
    a = ap.parse_args()
    res = {"method": __doc__.strip(), "vm": {}, "size_bytes": {}, "host": None}
    for s in a.size:
        name, path = s.split("=", 1)
        res["size_bytes"][name] = os.path.getsize(path) if os.path.exists(path) else None

    runs = {}
    for tsv in (os.path.join(a.dir, "vm.tsv"), os.path.join(a.dir, "debian.tsv")):
        if not os.path.exists(tsv):
            continue
        for line in open(tsv):
            v, init, i, rc, wall = line.rstrip("\n").split("\t")
            log = os.path.join(a.dir, "logs", "%s-%s-%s.log" % (v, init, i))
            p = parse(log) if os.path.exists(log) else {"error": "log missing"}
            p.update(qemu_exit=int(rc), qemu_wall_s=float(wall), log=log)
            runs.setdefault(v, {}).setdefault(init, []).append(p)
    for v, byinit in runs.items():
        res["vm"][v] = {}
        for init, lst in byinit.items():
            d = {"runs": lst}
            for k in ("boot_ms", "to_rw_ms", "rw_to_ready_ms", "shutdown_ms", "rss_kb", "pss_kb",
                      "rss_ready_kb", "pss_ready_kb", "mem_used_kb", "qemu_wall_s"):
                d[k] = summary([x[k] for x in lst if k in x])
            d["failed_runs"] = sum(1 for x in lst if "boot_ms" not in x or x["qemu_exit"] != 0)
            res["vm"][v][init] = d

    hj = os.path.join(a.dir, "host.json")
    if os.path.exists(hj):
        res["host"] = json.load(open(hj))

    # ---- the tables
    def med(v, init, k):
        s = res["vm"].get(v, {}).get(init, {}).get(k)
        return s and s["median"]

    def figures(v, inits, last, prefix=""):
        """A row per figure of variant v: its label and the medians of inits;
        last is the figure each table ends its list with."""
        return [("%s%s (%s)" % (prefix, label, unit), [med(v, i, k) for i in inits])
                for label, k, unit in FIGURES + (last,)]

    rows = []
    for v in ("default", "scaled"):
        if v in res["vm"]:
            rows += figures(v, INITS, ("  PID 1 RSS at ready", "rss_ready_kb", "kB"), v + ": ")
    if "default" in res["vm"] and "scaled" in res["vm"] and a.extra > 0:
        # what one more service costs each init: the scaled variant's
        # medians minus the default's, over the extra services
        for label, k in (("boot", "boot_ms"), ("shutdown", "shutdown_ms")):
            vals = [None if med("scaled", i, k) is None or med("default", i, k) is None
                    else (med("scaled", i, k) - med("default", i, k)) / a.extra for i in INITS]
            rows.append(("per extra service: %s (ms)" % label, vals))
    rows.append(("stripped binary (bytes)", [res["size_bytes"].get(i) for i in INITS]))

    n = max([d["boot_ms"]["n"] for k, v in res["vm"].items() if k != "debian" for d in v.values() if d["boot_ms"]] or [0])
    res["table"] = table("make bench: medians of %d boot(s) per image (TCG or KVM: see the qemu logs); lower is better" % n,
                         INITS, ((0, 1, "lua/bb"), (0, 2, "lua/floor"), (2, 1, "floor/bb")), rows)
    for v, byinit in res["vm"].items():
        for init, d in byinit.items():
            if d["failed_runs"]:
                errs = [x.get("error") or ("qemu exit %d" % x["qemu_exit"] if x["qemu_exit"] else "no ready marker")
                        for x in d["runs"] if "error" in x or x["qemu_exit"] or "boot_ms" not in x]
                print("warning: %s %s: %d run(s) without a full result: %s" % (v, init, d["failed_runs"], "; ".join(errs)[:300]))
    if "debian" in res["vm"]:
        dn = max([d["boot_ms"]["n"] for d in res["vm"]["debian"].values() if d["boot_ms"]] or [0])
        res["debian_table"] = table(
            "Debian bookworm image (rsyslog, sshd, cron, getty; ready when sshd answers): medians of %d boot(s)" % dn,
            ("luainit", "systemd"), ((0, 1, "lua/sd"),),
            figures("debian", ("luainit", "systemd"), ("memory in use after the boot", "mem_used_kb", "kB")))
    if res["host"]:
        print()
        print("host microbenchmarks (build/luainit on this host):")
        for item in res["host"]:
            print("  %-34s %s" % (item["name"], item["result"]))
            print("  %-34s method: %s" % ("", item["method"]))
    with open(a.json, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
    print()
    print("wrote %s" % a.json)


if __name__ == "__main__":
    sys.exit(main())
