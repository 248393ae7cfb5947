#!/usr/bin/env bash
# A single-node SLURM on this machine, for the slurm-marked tests and for trying `itas run --executor
# slurm` on a laptop (docs/running/cluster.md).
#
#   bash benchmarks/cluster/local_slurm.sh start    install slurm-wlm and munge with apt if missing (as
#                                                   root), write a config sized to this machine, start
#                                                   munged, slurmctld and slurmd, wait until the node is idle
#   bash benchmarks/cluster/local_slurm.sh stop     stop exactly the daemons `start` started (pid files)
#   bash benchmarks/cluster/local_slurm.sh status   which of them run, and sinfo
#   bash benchmarks/cluster/local_slurm.sh test     start, `python -m pytest -q -m slurm`, stop
#
# Everything (config, state, spool, logs, pid files) lives under $ITAS_SLURM_DIR (default
# /tmp/itas-slurm). Where SLURM cannot be installed or started (not root, no apt-get), `start` says so
# in one line and exits 3; `test` then runs the tests anyway, and they skip.
set -euo pipefail

DIR=${ITAS_SLURM_DIR:-/tmp/itas-slurm}
CONF=$DIR/etc/slurm.conf
NODE=$(hostname -s)
DAEMONS=(slurmd slurmctld munged)  # stopped in this order
SYSTEM_CONF=/etc/slurm/slurm.conf  # where sbatch & co. look without $SLURM_CONF

say() { echo "local_slurm: $*"; }
cannot() { say "cannot start a local SLURM: $*"; exit 3; }

pid_of() {  # the pid in $DIR/run/<daemon>.pid if that process is alive
    local file=$DIR/run/$1.pid
    [[ -s $file ]] && kill -0 "$(cat "$file")" 2>/dev/null && cat "$file"
}

install_packages() {
    local missing=()
    for command in munged slurmctld slurmd sbatch; do command -v "$command" >/dev/null || missing+=("$command"); done
    ((${#missing[@]} == 0)) && return
    [[ $(id -u) == 0 ]] || cannot "${missing[*]} missing, and installing slurm-wlm and munge needs root"
    command -v apt-get >/dev/null || cannot "${missing[*]} missing, and there is no apt-get to install slurm-wlm and munge"
    say "installing slurm-wlm and munge with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q slurm-wlm munge || { apt-get update -q && apt-get install -y -q slurm-wlm munge; }; } \
        >"$DIR/log/apt.log" 2>&1 || cannot "apt-get install slurm-wlm munge failed (see $DIR/log/apt.log)"
}

write_config() {
    local cpus memory
    cpus=$(nproc)
    # All but 512 MB of the machine's memory, in MB, so that SLURM never sees a request above it as fitting.
    memory=$(awk '/MemTotal/ {print int($2 / 1024) - 512}' /proc/meminfo)
    cat >"$CONF" <<EOF
# Written by benchmarks/cluster/local_slurm.sh: one node ($NODE, $cpus CPUs, $memory MB), one partition.
ClusterName=itas-local
SlurmctldHost=$NODE
AuthType=auth/munge
CredType=cred/munge
SlurmUser=root
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
ReturnToService=2
# A requeued job may start again 10 s later (SLURM: 120 s), so that requeue tests take seconds, not minutes.
AuthInfo=cred_expire=10
# A requeued or cancelled job gets 5 s, not 30, between SIGTERM (which submitit's jobs ignore) and SIGKILL.
KillWait=5
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
SchedulerParameters=sched_interval=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/run/slurmctld.pid
SlurmdPidFile=$DIR/run/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
NodeName=$NODE CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=local Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
}

start_munge() {
    if munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
        return  # a munged already answers (the system's): used, never stopped
    fi
    [[ -s /etc/munge/munge.key ]] || { mungekey --create --keyfile=/etc/munge/munge.key && chown munge:munge /etc/munge/munge.key; }
    # munged refuses to run as root; its socket folder must belong to its own user.
    install -d -o munge -g munge -m 0755 /run/munge
    install -d -o munge -g munge "$DIR/munge"
    runuser -u munge -- munged --pid-file="$DIR/munge/munged.pid" --log-file="$DIR/munge/munged.log" \
        || cannot "munged did not start (see $DIR/munge/munged.log)"
    ln -sf "$DIR/munge/munged.pid" "$DIR/run/munged.pid"
}

wait_until_idle() {
    local state
    for _ in $(seq 60); do
        state=$(sinfo -h -N -n "$NODE" -o %t 2>/dev/null || true)
        case $state in
            idle*) return ;;
            down*|drain*) scontrol update nodename="$NODE" state=resume 2>/dev/null || true ;;
        esac
        sleep 1
    done
    cannot "node $NODE not idle after 60 s (state '${state:-no answer}'; see $DIR/log/)"
}

start() {
    if [[ -n $(pid_of slurmctld || true) ]]; then
        say "already running (SLURM_CONF=$CONF)"
        return
    fi
    mkdir -p "$DIR"/{etc,state,spool,log,run}
    rm -rf "${DIR:?}"/state/* "${DIR:?}"/spool/*  # no jobs left over from an earlier start
    install_packages
    write_config
    if [[ ! -e $SYSTEM_CONF && -d $(dirname "$SYSTEM_CONF") && -w $(dirname "$SYSTEM_CONF") ]]; then
        ln -s "$CONF" "$SYSTEM_CONF"  # so plain `sbatch` finds this cluster; removed by stop
    fi
    export SLURM_CONF=$CONF
    start_munge
    slurmctld -f "$CONF" || cannot "slurmctld did not start (see $DIR/log/slurmctld.log)"
    slurmd -f "$CONF" || cannot "slurmd did not start (see $DIR/log/slurmd.log)"
    wait_until_idle
    say "node $NODE idle with $(nproc) CPUs; partition 'local'; SLURM_CONF=$CONF"
}

stop() {
    local pid
    for daemon in "${DAEMONS[@]}"; do
        pid=$(pid_of "$daemon" || true)
        [[ -n $pid ]] || continue
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
        say "stopped $daemon ($pid)"
    done
    rm -f "$DIR"/run/*.pid
    [[ -L $SYSTEM_CONF && $(readlink "$SYSTEM_CONF") == "$CONF" ]] && rm -f "$SYSTEM_CONF"
    return 0
}

status() {
    for daemon in "${DAEMONS[@]}"; do
        pid=$(pid_of "$daemon" || true)
        if [[ -n $pid ]]; then say "$daemon running ($pid)"; else say "$daemon not started by this script"; fi
    done
    [[ -f $CONF ]] && SLURM_CONF=$CONF sinfo 2>/dev/null || true
}

run_tests() {
    local started=0
    if [[ -z $(pid_of slurmctld || true) ]]; then
        # A cluster that cannot start is one line here (and whatever part of it started is stopped);
        # the tests then skip, they do not fail.
        if (start); then started=1; else stop >/dev/null; fi
    fi
    ((started)) && trap stop EXIT
    SLURM_CONF=$CONF python -m pytest -q -m slurm "$@"
}

case ${1:-} in
    start) start ;;
    stop) stop ;;
    status) status ;;
    test) shift; run_tests "$@" ;;
    *) echo "usage: bash $0 start|stop|status|test [pytest arguments]" >&2; exit 2 ;;
esac
