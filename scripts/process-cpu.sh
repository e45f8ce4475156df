# Sourced by the benchmark scripts: the CPU a process has used, from /proc (in clock ticks: getconf CLK_TCK a second).
# cpu_ticks PID [reaped]: user + system time; with "reaped", also that of its children that have exited.
cpu_ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk -v reaped="${2:-}" '{print $12 + $13 + (reaped ? $14 + $15 : 0)}'; }
