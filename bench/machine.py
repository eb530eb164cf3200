"""What the benchmark reports say about the machine and its tools (shared by report.py and
eval_report.py)."""

import platform
import subprocess


def cpu_model():
    """The CPU's model name from /proc/cpuinfo, or what Python knows of it."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def run(cmd):
    """A command's output, stripped, or "unknown" when it cannot run."""
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
