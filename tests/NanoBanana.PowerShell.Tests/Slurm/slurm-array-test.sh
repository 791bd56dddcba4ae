#!/usr/bin/env bash
# Drives examples/scale-out/render-array.sbatch on a real one-node Slurm 22.05 cluster (Debian's slurm-wlm pieces,
# munge; no cgroups, no systemd): a 4-task array over the catalogue, one task cancelled (scancel) and one killed
# (SIGKILL) mid-row, then the same array resubmitted. SlurmArrayTests runs it and checks what it leaves in $W.
# Every daemon it starts is stopped by its PID (PidFile), never by name.
# In:  W (scratch folder), CATALOGUE, MODEL, RECIPE, REPO (submit directory), NANOBANANA_PWSH, NANOBANANA_MODULE.
# Out: $W/out (renders + .nanobanana-run), $W/record-after-cancel, $W/files-after-cancel.txt, $W/states-*.txt, $W/summary.json, FIGURE lines.
# Exit: 0 ran (the checks are the caller's), 1 failed, 77 skipped (the reason is the last line: "SKIP: ...").
set -euo pipefail
: "${W:?}" "${CATALOGUE:?}" "${MODEL:?}" "${RECIPE:?}" "${REPO:?}" "${NANOBANANA_PWSH:?}" "${NANOBANANA_MODULE:?}"
T0=$(date +%s%N)
now() { echo $(( ($(date +%s%N) - T0) / 1000000 )); }
log() { printf '[%6.1fs] %s\n' "$(now)e-3" "$*"; }
figure() { printf 'FIGURE %s %.1f\n' "$1" "$(( $2 ))e-3"; }
skip() { echo "SKIP: $*"; exit 77; }
wait_for() { local end=$(( $(date +%s) + $1 )); shift; until "$@"; do [ "$(date +%s)" -ge "$end" ] && return 1; sleep 0.2; done; }
pid_alive() { [ -n "${1:-}" ] && ps -o stat= -p "$1" 2>/dev/null | grep -qv '^Z'; }   # a reaped-late zombie counts as gone
stop_pid() {
  local name=$1 pid=${2:-}; pid_alive "$pid" || return 0
  kill -TERM "$pid"; wait_for 15 eval "! pid_alive $pid" || kill -KILL "$pid" 2>/dev/null || true
  log "stopped $name (pid $pid)"; }

[ "$(id -u)" = 0 ] || skip "needs root to install and run Slurm (running as $(id -un))"
command -v apt-get >/dev/null || skip "no apt-get: this is not a Debian-family machine, Slurm cannot be installed"

# ---- 1. install (about 25 s the first time, a no-op after)
t=$(now)
export DEBIAN_FRONTEND=noninteractive
apt_install() { apt-get install -y -qq --no-install-recommends munge slurmctld slurmd slurm-client >"$W/apt.log" 2>&1; }
mkdir -p "$W"
if ! apt_install; then
  apt-get update -qq >>"$W/apt.log" 2>&1 || true
  apt_install || skip "apt-get could not install munge slurmctld slurmd slurm-client: $(tail -n 2 "$W/apt.log" | tr '\n' ' ')"
fi
figure install $(( $(now) - t ))
log "slurm $(dpkg-query -W -f='${Version}' slurmctld), munge $(dpkg-query -W -f='${Version}' munge)"

MUNGE_PID=; CTLD_PID=; SLURMD_PID=
teardown() {
  set +e
  [ -n "$CTLD_PID" ] && scancel --user=root 2>/dev/null && sleep 1
  stop_pid slurmd "$SLURMD_PID"; stop_pid slurmctld "$CTLD_PID"; stop_pid munged "$MUNGE_PID"
}
trap teardown EXIT

# ---- 2. daemons: munge (reused when one runs), slurmctld + slurmd on our own config, state and ports
t=$(now)
rm -rf "$W"/state "$W"/spool "$W"/log "$W"/out "$W"/record-after-cancel; mkdir -p "$W"/{state,spool,log}
if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  log "reusing the running munged"
else
  [ -s /etc/munge/munge.key ] || mungekey --create --keyfile=/etc/munge/munge.key
  chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  install -d -o munge -g munge -m 0700 /var/log/munge /var/lib/munge
  runuser -u munge -- /usr/sbin/munged   # munged refuses to run as root
  wait_for 10 test -S /run/munge/munge.socket.2
  MUNGE_PID=$(cat /run/munge/munged.pid)
fi
HOST=$(hostname -s); NCPU=$(nproc); MEM=$(free -m | awk '/^Mem:/{print $2}')
export SLURM_CONF=$W/slurm.conf   # our own config: clients and daemons never touch /etc/slurm
cat > "$SLURM_CONF" <<CONF
ClusterName=nanobanana
SlurmctldHost=${HOST}
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
SlurmctldPort=${SLURM_TEST_PORT:-6917}
SlurmdPort=$(( ${SLURM_TEST_PORT:-6917} + 1 ))
StateSaveLocation=${W}/state
SlurmdSpoolDir=${W}/spool
SlurmctldPidFile=${W}/slurmctld.pid
SlurmdPidFile=${W}/slurmd.pid
SlurmctldLogFile=${W}/log/slurmctld.log
SlurmdLogFile=${W}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
KillWait=5
NodeName=${HOST} CPUs=${NCPU} RealMemory=$(( MEM > 2048 ? MEM - 1024 : MEM / 2 )) State=UNKNOWN
PartitionName=debug Nodes=${HOST} Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
wait_for 10 test -s "$W/slurmctld.pid"; CTLD_PID=$(cat "$W/slurmctld.pid")
wait_for 10 test -s "$W/slurmd.pid"; SLURMD_PID=$(cat "$W/slurmd.pid")
node_idle() { [ "$(sinfo -h -n "$HOST" -o %T 2>/dev/null)" = idle ]; }
wait_for 30 node_idle || { tail -n 20 "$W"/log/*.log; echo "the node did not come up"; exit 1; }
figure start $(( $(now) - t ))
log "slurmctld $CTLD_PID, slurmd $SLURMD_PID, node $HOST idle ($NCPU CPUs)"

# ---- 3. the array, with one task cancelled and one killed mid-row
OUT=$W/out
submit() {
  sbatch --parsable --array=0-3 --chdir="$REPO" --output="$W/task-%A_%a.out" \
    --export=ALL,NANOBANANA_MODEL="$MODEL",NANOBANANA_PWSH="$NANOBANANA_PWSH",NANOBANANA_MODULE="$NANOBANANA_MODULE" \
    "$RECIPE" "$CATALOGUE" "$OUT"
}
job_gone() { [ -z "$(squeue -h -j "$1" 2>/dev/null)" ]; }
state() { scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2; }
done_lines() { cat "$OUT"/.nanobanana-run/*"shard$1of4".jsonl 2>/dev/null | grep -c '"status":"Done"' || true; }
mid_row() { [ "$(state "$J"_"$1")" = RUNNING ] && [ "$(done_lines "$1")" -ge 2 ]; }
t=$(now)
J=$(submit)
log "submitted array $J"
wait_for 180 mid_row 1 || { echo "task ${J}_1 never got under way"; cat "$W"/task-*; exit 1; }
scancel "${J}_1"
log "scancel ${J}_1 after $(done_lines 1) done row(s)"
wait_for 180 mid_row 3 || { echo "task ${J}_3 never got under way"; cat "$W"/task-*; exit 1; }
scancel --full --signal=KILL "${J}_3"
log "SIGKILL to ${J}_3 after $(done_lines 3) done row(s)"
wait_for 300 job_gone "$J" || { echo "array $J did not finish"; exit 1; }
figure first_array $(( $(now) - t ))
for i in 0 1 2 3; do echo "$i $(state "${J}_$i")"; done > "$W/states-first.txt"
log "first array: $(tr '\n' ' ' < "$W/states-first.txt")"
cp -r "$OUT/.nanobanana-run" "$W/record-after-cancel"
ls -A "$OUT" > "$W/files-after-cancel.txt"

# ---- 4. resubmit the same command: only what is left is rendered
t=$(now)
R=$(submit)
wait_for 300 job_gone "$R" || { echo "array $R did not finish"; exit 1; }
figure resubmit $(( $(now) - t ))
for i in 0 1 2 3; do echo "$i $(state "${R}_$i")"; done > "$W/states-resubmit.txt"
log "resubmitted array $R: $(tr '\n' ' ' < "$W/states-resubmit.txt")"
for f in "$W"/task-*.out; do echo "== $f"; cat "$f"; done > "$W/tasks.log"

# ---- 5. the run as Get-RenderRun reads it
read -ra pwsh <<< "$NANOBANANA_PWSH"
cat > "$W/summary.ps1" <<PS
Import-Module '$NANOBANANA_MODULE'
Import-Csv '$CATALOGUE' | Get-RenderRun '$OUT' | ConvertTo-Json -Depth 4 | Set-Content '$W/summary.json'
PS
(cd "$REPO" && "${pwsh[@]}" "$W/summary.ps1")
figure total "$(now)"
