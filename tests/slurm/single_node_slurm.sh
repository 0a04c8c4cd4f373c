#!/usr/bin/env bash
# A throwaway single-node SLURM cluster for tests: munged, slurmctld and slurmd as plain background
# daemons (no systemd), with one fake GPU so `--gpus=1` jobs are schedulable on a machine without one.
#
#   tests/slurm/single_node_slurm.sh start STATE_DIR   # prints SLURM_CONF=<file> when the node is idle
#   tests/slurm/single_node_slurm.sh stop STATE_DIR    # stops the daemons it started (by PID file)
#
# Everything (configs, munge key and socket, spool, logs, PIDs) lives in STATE_DIR, so no system
# munged is needed or disturbed. One exception: /etc/slurm/slurm.conf becomes a link to the
# generated config, because the plugin's job step drops SLURM_CONF before calling srun inside a
# job. A slurm.conf this script did not make is never replaced (start fails instead), and stop
# removes the link. Needs root and Debian's slurm-wlm and munge packages.
# Job accounting is off: Snakemake must poll with `--slurm-status-command squeue` (the plugin's
# default, sacct, waits forever on a cluster without slurmdbd).
# Measured facts behind the settings: ../shared/notes/slurm-on-one-machine.md
set -euo pipefail

action=${1:?usage: $0 start|stop STATE_DIR}
state=$(realpath -m "${2:?usage: $0 start|stop STATE_DIR}")
fake_gpus=${FAKE_GPUS:-1}
# Ports away from SLURM's defaults (6817/6818), so a real local cluster is not disturbed.
ctld_port=${SLURMCTLD_PORT:-16817}
slurmd_port=${SLURMD_PORT:-16818}
system_conf=/etc/slurm/slurm.conf
marker="# Made by tests/slurm/single_node_slurm.sh"

fail() {
    echo "single_node_slurm: $*" >&2
    exit 1
}

stop_pidfile() {
    local pidfile=$1 pid
    [[ -f $pidfile ]] || return 0
    pid=$(cat "$pidfile")
    if kill "$pid" 2>/dev/null; then
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}

stop() {
    # slurmd first: it kills the jobs it still runs.
    stop_pidfile "$state/slurmd.pid"
    stop_pidfile "$state/slurmctld.pid"
    stop_pidfile "$state/munged.pid"
    if [[ $(readlink "$system_conf" 2>/dev/null) == "$state/slurm.conf" ]]; then
        rm -f "$system_conf"
    fi
}

show_logs() {
    for log in "$state"/log/*.log; do
        echo "--- $log (last lines)" >&2
        tail -n 15 "$log" >&2 || true
    done
}

start() {
    [[ $(id -u) == 0 ]] || fail "needs root (slurmd launches jobs as their user)"
    for program in munged mungekey slurmctld slurmd sinfo sbatch; do
        command -v "$program" >/dev/null ||
            fail "$program is missing: apt-get install slurm-wlm munge"
    done
    if [[ -e $system_conf ]] && ! grep -qx "$marker" "$system_conf"; then
        fail "$system_conf exists and was not made by this script: is a real SLURM installed here?"
    fi
    stop # leftovers of an earlier run in the same STATE_DIR
    mkdir -p "$state"/{log,spool/ctld,spool/d,munge,fakedev}
    chmod 700 "$state/munge"

    # munge: own key and socket, so no system munged is needed (or disturbed).
    [[ -f $state/munge/munge.key ]] || mungekey --create --keyfile="$state/munge/munge.key"
    chmod 600 "$state/munge/munge.key"
    munged --key-file="$state/munge/munge.key" --socket="$state/munge/socket" \
        --pid-file="$state/munged.pid" --log-file="$state/log/munged.log" \
        --seed-file="$state/munge/seed" --force ||
        { show_logs; fail "munged did not start"; }

    local host memory gpu_lines=""
    host=$(hostname -s)
    # RealMemory above the real memory drains the node: offer 90 % of what slurmd measures.
    memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
    memory=$((memory * 9 / 10))
    # A GPU GRES needs a device file (file-less GPUs are dropped and the node goes INVAL):
    # symlinks to /dev/null stand in for /dev/nvidia<N>.
    for ((i = 0; i < fake_gpus; i++)); do
        ln -sf /dev/null "$state/fakedev/nvidia$i"
        gpu_lines+="NodeName=$host Name=gpu File=$state/fakedev/nvidia$i"$'\n'
    done

    cat >"$state/slurm.conf" <<EOF
$marker
ClusterName=idtfci
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$state/munge/socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
ReturnToService=2
MailProg=/bin/true
# Finished jobs stay visible to squeue this long (s): the plugin's squeue status needs it
# well above 3 x its first status check, and the tests read the job records afterwards.
MinJobAge=600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
StateSaveLocation=$state/spool/ctld
SlurmdSpoolDir=$state/spool/d
SlurmctldPidFile=$state/slurmctld.pid
SlurmdPidFile=$state/slurmd.pid
SlurmctldLogFile=$state/log/slurmctld.log
SlurmdLogFile=$state/log/slurmd.log
PlugStackConfig=$state/plugstack.conf
GresTypes=gpu
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory Gres=gpu:$fake_gpus State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
    printf '%s' "$gpu_lines" >"$state/gres.conf"
    : >"$state/plugstack.conf"
    export SLURM_CONF=$state/slurm.conf
    mkdir -p "$(dirname "$system_conf")"
    ln -sfn "$state/slurm.conf" "$system_conf"

    slurmctld -i || { show_logs; fail "slurmctld did not start"; }
    slurmd || { show_logs; fail "slurmd did not start"; }

    # Ready when the node is idle (not down, drained or inval). Bounded by the clock: a client
    # call to a dead controller hangs for its message timeout (10 s).
    local deadline=$((SECONDS + 30))
    while ((SECONDS < deadline)); do
        for daemon in slurmctld slurmd; do
            [[ ! -f $state/$daemon.pid ]] || kill -0 "$(cat "$state/$daemon.pid")" 2>/dev/null ||
                { show_logs; stop; fail "$daemon stopped right after starting (its log is above)"; }
        done
        if [[ $(timeout 5 sinfo --noheader --nodes="$host" --format=%T 2>/dev/null) == idle ]]; then
            echo "SLURM_CONF=$SLURM_CONF"
            return 0
        fi
        sleep 0.5
    done
    sinfo --long --Node >&2 || true
    show_logs
    stop
    fail "the node did not become idle within 30 s"
}

case $action in
start) start ;;
stop) stop ;;
*) fail "unknown action $action (start or stop)" ;;
esac
