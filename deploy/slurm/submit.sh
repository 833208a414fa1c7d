#!/bin/bash
# Submits a sweep to Slurm: its N shards as an array job (sweep.sbatch), then the merge as a job
# that starts when the array is done (merge.sbatch). Logs go to OUT/slurm/.
#
#   deploy/slurm/submit.sh CONFIG OUT N [sbatch options for both jobs, e.g. --account=... --partition=cpu]
#
# Prints the two job ids. Run against a real slurmctld and slurmd by tests/cli/slurm.test.ts.
set -euo pipefail

if [ $# -lt 3 ] || ! [[ $3 =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: deploy/slurm/submit.sh CONFIG OUT N [sbatch options for both jobs]" >&2
  exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
config=$(realpath -m "$1")
out=$(realpath -m "$2")
shards=$3
shift 3
[ -f "$config" ] || { echo "no config at $config" >&2; exit 2; }
mkdir -p "$out/slurm"

array=$(sbatch --parsable --chdir="$root" --array="0-$((shards - 1))" \
  --output="$out/slurm/%x-%A_%a.out" "$@" \
  "$root/deploy/slurm/sweep.sbatch" "$config" "$out" "$shards")
array=${array%%;*} # --parsable prints <job id>[;<cluster>]
merge=$(sbatch --parsable --chdir="$root" --dependency="afterany:$array" \
  --output="$out/slurm/%x-%j.out" "$@" \
  "$root/deploy/slurm/merge.sbatch" "$out")
merge=${merge%%;*}
echo "array job $array ($shards shards), merge job $merge: $out/merged.json, logs in $out/slurm/"
