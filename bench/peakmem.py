#!/usr/bin/env python3
"""peakmem.py CMD ARGS...: run a command (stdout and stderr to /dev/null) and print two
numbers in KiB: the peak of its anonymous memory (RssAnon, sampled every millisecond from
/proc/PID/status: the heap, stacks, what the process itself holds) and its peak resident set
(VmHWM, as /usr/bin/time's %M: also every page of the binary and of files it maps, which the
kernel can drop and shares with the page cache). Exit status: the command's."""
import subprocess
import sys
import time


def status(pid):
    fields = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                if key in ("RssAnon", "VmHWM"):
                    fields[key] = int(value.split()[0])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return fields


p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
anon = hwm = 0
while p.poll() is None:
    s = status(p.pid)
    anon = max(anon, s.get("RssAnon", 0))
    hwm = max(hwm, s.get("VmHWM", 0))
    time.sleep(0.001)
print(anon, hwm)
sys.exit(p.returncode)
